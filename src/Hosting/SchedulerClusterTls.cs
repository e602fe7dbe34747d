using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Transport.DotNetty;

namespace ActorScheduler.Hosting;

/// <summary>
/// TLS on the cluster's remoting (<see cref="SchedulerClusterOptions.TlsCertificateFile"/>): the one place that loads and
/// checks the nodes' certificate and tells Akka to use it. Every node presents the same certificate and accepts a peer
/// only if it presents that certificate too (pinned by thumbprint), both ways on every connection (mutual TLS): Akka.NET
/// 1.5's DotNetty transport checks a peer against the operating system's trust store unless given a validator, so a
/// self-signed certificate would be refused, and with validation suppressed any certificate at all would be taken. The
/// host name is not checked: the nodes dial each other by address, and pinning already says which certificate is ours.
/// With <see cref="SchedulerClusterOptions.TlsCaFile"/> each node presents a certificate of its own instead, and a peer is
/// accepted if its certificate is one of the cluster's CA (<see cref="ClusterPeerTrust"/>: chained to that CA only, valid
/// now, usable by a client and a server, not revoked); the host name is not checked then either (a node's certificate
/// need not name the address others dial it at, and the CA signs only nodes), and the accepted peer's subject is logged
/// at debug once per connection.
/// </summary>
internal static class SchedulerClusterTls
{
    /// <summary>
    /// The transport's switch: with it Akka's addresses are <c>akka.ssl.tcp://</c>, and the certificate and validator
    /// come from <see cref="Setup"/> (a programmatic setup takes the place of Akka's <c>ssl</c> HOCON section).
    /// </summary>
    internal const string Hocon = "akka.remote.dot-netty.tcp.enable-ssl = on";

    /// <summary>The protocol of a node's address with TLS on the cluster's remoting.</summary>
    internal const string Protocol = "akka.ssl.tcp";

    /// <summary>
    /// The certificate with its private key from the PKCS#12 (<c>.pfx</c>) <paramref name="file"/> and its
    /// <paramref name="password"/> (null or empty: none), or null with why in <paramref name="error"/>, on one line that
    /// starts with <paramref name="name"/>: the file cannot be read, is no PKCS#12 this password opens, holds no private
    /// key (a node could not prove it is one), or the certificate is not valid at <paramref name="now"/> (the TLS
    /// handshake would fail on every connection, so it is refused before anything starts rather than a cluster that never
    /// forms).
    /// </summary>
    internal static X509Certificate2? Load(string file, string? password, string name, DateTimeOffset now, out string? error)
    {
        // Read apart from the parse: the loader reports a missing file as a cryptographic error.
        if (Read(file, name, File.ReadAllBytes, out error) is not { } bytes)
        {
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(bytes, string.IsNullOrEmpty(password) ? null : password, X509KeyStorageFlags.DefaultKeySet);
        }
        catch (CryptographicException e)
        {
            error = $"{name}: {file} is no PKCS#12 (.pfx) file that {(string.IsNullOrEmpty(password) ? "opens without a password" : "this password opens")} (a wrong or missing password, or not PKCS#12): {e.Message.TrimEnd('.')}";
            return null;
        }

        var problem = !certificate.HasPrivateKey
            ? "has no private key: export the certificate with its key (openssl pkcs12 -export -in cert.pem -inkey key.pem)"
            : certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime
                ? $"expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z"
                : certificate.NotBefore.ToUniversalTime() > now.UtcDateTime
                    ? $"is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z"
                    : null;
        if (problem is null)
        {
            return certificate;
        }

        error = $"{name}: {file}: the certificate '{certificate.Subject}' {problem}";
        certificate.Dispose();
        return null;
    }

    /// <summary>
    /// Akka's TLS settings for <paramref name="certificate"/>: presented on every connection, required of the peer
    /// (mutual TLS), and the only certificate accepted from it (<see cref="CertificateValidation.PinnedCertificate"/>, which
    /// takes the place of Akka's check against the system's trust store); no host name check.
    /// </summary>
    internal static DotNettySslSetup Setup(X509Certificate2 certificate) => new(
        certificate,
        suppressValidation: false,
        requireMutualAuthentication: true,
        validateCertificateHostname: false,
        CertificateValidation.PinnedCertificate(certificate.Thumbprint));

    /// <summary>
    /// Akka's TLS settings for a node of a cluster with its own CA: <paramref name="certificate"/>, this node's, presented
    /// on every connection, the peer's required (mutual TLS), and accepted only when <paramref name="trust"/> accepts it
    /// (<see cref="Validator"/>, in place of Akka's check against the system's trust store); no host name check.
    /// </summary>
    internal static DotNettySslSetup Setup(X509Certificate2 certificate, ClusterPeerTrust trust) => new(
        certificate,
        suppressValidation: false,
        requireMutualAuthentication: true,
        validateCertificateHostname: false,
        Validator(trust));

    /// <summary>
    /// The transport's check of a peer: <paramref name="trust"/>'s decision at the time of the handshake, with the
    /// accepted peer's subject logged at debug and a refused one's reason as a warning, once per connection (Akka calls it
    /// once per handshake, on the dialing and on the dialed side). The errors of the platform's own check are not looked
    /// at: it checks against the machine's trust store, which is exactly what a cluster CA replaces.
    /// </summary>
    internal static CertificateValidationCallback Validator(ClusterPeerTrust trust) => (certificate, _, peer, _, log) =>
    {
        var refusal = trust.Refusal(certificate, DateTimeOffset.UtcNow);
        if (refusal is null)
        {
            log?.Debug("Cluster TLS: accepted the certificate '{0}' (serial {1}) of {2}", certificate!.Subject, ClusterPeerTrust.SerialOf(certificate), peer);
            return true;
        }

        log?.Warning("Cluster TLS: refused the certificate of {0}: {1}", peer, refusal);
        return false;
    };

    /// <summary>
    /// Gives a clustered node its certificate and validator when <paramref name="options"/> name a certificate (nothing
    /// otherwise; <see cref="SchedulerCluster.Hocon"/> writes the switch, <see cref="Hocon"/>). The certificate is loaded
    /// again here, the options having been checked (<see cref="SchedulerCluster.Error"/>); it stays open as long as the
    /// actor system uses it.
    /// </summary>
    /// <exception cref="ArgumentException">The certificate cannot be used (<see cref="Load"/>), naming the property.</exception>
    internal static AkkaConfigurationBuilder WithClusterTls(this AkkaConfigurationBuilder builder, SchedulerClusterOptions options)
    {
        if (options.TlsCertificateFile is not { } file)
        {
            return builder;
        }

        var now = DateTimeOffset.UtcNow;
        var certificate = Load(file, options.TlsCertificatePassword, CertificateName, now, out var error)
                          ?? throw new ArgumentException(error, nameof(ActorSchedulerOptions.Cluster));
        if (options.TlsCaFile is null)
        {
            return builder.AddSetup(Setup(certificate));
        }

        var trust = Trust(certificate, file, options.TlsCaFile, options.TlsRevokedFile, EmbeddedNames, now, out error)
                    ?? throw new ArgumentException(error, nameof(ActorSchedulerOptions.Cluster));
        return builder.AddSetup(Setup(certificate, trust));
    }

    /// <summary>How a surface names the certificate, CA and revocation settings in its refusals.</summary>
    internal sealed record TlsNames(string Certificate, string Ca, string Revoked);

    /// <summary>The names of <see cref="SchedulerClusterOptions"/> as <see cref="ActorSchedulerOptions.Cluster"/> holds them.</summary>
    internal static readonly TlsNames EmbeddedNames = new(CertificateName, "Cluster.TlsCaFile", "Cluster.TlsRevokedFile");

    /// <summary>
    /// The trust of a cluster with its own CA: the CA certificates of <paramref name="caFile"/>
    /// (<see cref="LoadAuthorities"/>) and the serial numbers of <paramref name="revokedFile"/> (<see cref="LoadRevoked"/>;
    /// none when null), checked against this node's own <paramref name="certificate"/> (from <paramref name="certificateFile"/>):
    /// a node whose certificate its peers would refuse (another CA, revoked, without the usages) is refused before it starts
    /// rather than a node that never joins. Null with why in <paramref name="error"/>, on one line naming the setting.
    /// </summary>
    internal static ClusterPeerTrust? Trust(X509Certificate2 certificate, string certificateFile, string caFile, string? revokedFile, TlsNames names, DateTimeOffset now, out string? error)
    {
        var authorities = LoadAuthorities(caFile, names.Ca, now, out error);
        if (authorities is null)
        {
            return null;
        }

        var revoked = revokedFile is null ? new HashSet<string>() : LoadRevoked(revokedFile, names.Revoked, out error);
        if (revoked is null)
        {
            return null;
        }

        var trust = new ClusterPeerTrust(authorities, revoked);
        if (trust.Refusal(certificate, now) is { } refusal)
        {
            error = $"{names.Certificate}: {certificateFile}: this node's certificate is refused by {names.Ca} {caFile}{(revokedFile is null ? string.Empty : $" and {names.Revoked} {revokedFile}")}, as every other node would refuse it: {refusal}";
            return null;
        }

        return trust;
    }

    /// <summary>
    /// The CA certificates of <paramref name="file"/>: PEM (one or more <c>CERTIFICATE</c> blocks) or one DER certificate.
    /// Null with why in <paramref name="error"/>, on one line that starts with <paramref name="name"/>: the file cannot be
    /// read, holds no certificate, or holds one that is no CA (a node's certificate given by mistake would make the chain
    /// check refuse every node) or is not valid at <paramref name="now"/> (every node would be refused).
    /// </summary>
    internal static IReadOnlyList<X509Certificate2>? LoadAuthorities(string file, string name, DateTimeOffset now, out string? error)
    {
        if (Read(file, name, File.ReadAllBytes, out error) is not { } bytes)
        {
            return null;
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                authorities.ImportFromPem(text);
            }
            else
            {
                authorities.Add(X509CertificateLoader.LoadCertificate(bytes));
            }
        }
        catch (CryptographicException e)
        {
            error = $"{name}: {file} holds no certificate readable as PEM or DER: {e.Message.TrimEnd('.')}";
            return null;
        }

        if (authorities.Count == 0)
        {
            error = $"{name}: {file} holds no certificate (PEM '-----BEGIN CERTIFICATE-----' blocks, or one DER certificate)";
            return null;
        }

        foreach (var authority in authorities)
        {
            var isCa = authority.Extensions.OfType<X509BasicConstraintsExtension>().Any(c => c.CertificateAuthority);
            var problem = !isCa
                ? "is no CA (its basic constraints do not say CA:TRUE): give the certificate of the CA that signs the nodes' certificates"
                : authority.NotAfter.ToUniversalTime() <= now.UtcDateTime
                    ? $"expired on {authority.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z"
                    : authority.NotBefore.ToUniversalTime() > now.UtcDateTime
                        ? $"is not valid before {authority.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z"
                        : null;
            if (problem is not null)
            {
                error = $"{name}: {file}: the certificate '{authority.Subject}' {problem}";
                return null;
            }
        }

        return [.. authorities];
    }

    /// <summary>
    /// The revoked serial numbers of <paramref name="file"/>: hex, one a line (as <c>openssl x509 -noout -serial</c> prints
    /// them, with or without its <c>serial=</c>, or in <c>:</c>-separated bytes), <c>#</c> to the end of a line a comment,
    /// blank lines ignored. A list rather than a CRL: .NET offers no check of a certificate against a CRL file (its chain
    /// looks only in a cache of CRLs downloaded from the certificates' distribution points, and
    /// <c>CertificateRevocationListBuilder.Load</c> neither checks the CRL's signature nor lists its entries), so taking a
    /// CRL would mean parsing and verifying ASN.1 by hand in the one place a mistake admits a revoked node; the list sits
    /// beside the CA file with the same protection, so a signature on it would keep out no one who cannot already edit
    /// the node's files. Null with why in <paramref name="error"/>, on one line that starts with <paramref name="name"/>:
    /// the file cannot be read, or a line (its number given) is no serial number.
    /// </summary>
    internal static IReadOnlySet<string>? LoadRevoked(string file, string name, out string? error)
    {
        if (Read(file, name, File.ReadAllLines, out error) is not { } lines)
        {
            return null;
        }

        var serials = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            var text = (comment < 0 ? line : line[..comment]).Trim();
            if (text.StartsWith("serial=", StringComparison.OrdinalIgnoreCase))
            {
                text = text["serial=".Length..].Trim();
            }

            if (text.Length == 0)
            {
                continue;
            }

            if (!ClusterPeerTrust.IsSerial(text))
            {
                error = $"{name}: {file} line {i + 1}: '{line.Trim()}' is no serial number in hex (one a line, such as 1A2B3C or 1a:2b:3c, as openssl x509 -noout -serial prints it; # starts a comment){(line.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? "; a CRL is not read, list the revoked certificates' serial numbers instead" : string.Empty)}";
                return null;
            }

            serials.Add(ClusterPeerTrust.NormalizeSerial(text));
        }

        return serials;
    }

    /// <summary>How the embedded refusals name the certificate: as <see cref="ActorSchedulerOptions.Cluster"/> holds it.</summary>
    internal const string CertificateName = "Cluster.TlsCertificateFile";

    /// <summary>
    /// Why the TLS settings of <paramref name="options"/> cannot run (null when they can, or when there are none): a
    /// password or a CA without a certificate, revoked serial numbers without a CA, a certificate <see cref="Load"/>
    /// refuses, or a CA or revocation file, or this node's certificate, that <see cref="Trust"/> refuses.
    /// </summary>
    internal static string? Error(SchedulerClusterOptions options, DateTimeOffset now)
    {
        if (options.TlsRevokedFile is not null && options.TlsCaFile is null)
        {
            return "Cluster.TlsRevokedFile is set without Cluster.TlsCaFile: revoked serial numbers are of the cluster's CA's certificates";
        }

        if (options.TlsCertificateFile is not { } file)
        {
            return options.TlsCertificatePassword is not null
                ? "Cluster.TlsCertificatePassword is set without Cluster.TlsCertificateFile: give the certificate it opens, or neither"
                : options.TlsCaFile is not null
                    ? "Cluster.TlsCaFile is set without Cluster.TlsCertificateFile: give this node's certificate, signed by that CA"
                    : null;
        }

        using var certificate = Load(file, options.TlsCertificatePassword, CertificateName, now, out var error);
        if (certificate is null || options.TlsCaFile is not { } caFile)
        {
            return error;
        }

        Trust(certificate, file, caFile, options.TlsRevokedFile, EmbeddedNames, now, out error);
        return error;
    }

    /// <summary>
    /// <paramref name="file"/> read by <paramref name="read"/>, or null with why in <paramref name="error"/>, on one line
    /// that starts with <paramref name="name"/> (the option that named the file): missing, unreadable, or no path.
    /// </summary>
    private static T? Read<T>(string file, string name, Func<string, T> read, out string? error)
        where T : class
    {
        error = null;
        try
        {
            return read(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"{name}: cannot read {file}: {e.Message.TrimEnd('.')}";
            return null;
        }
    }
}
