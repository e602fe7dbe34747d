using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
        error = null;
        byte[] bytes;
        try
        {
            // Read apart from the parse: the loader reports a missing file as a cryptographic error.
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"{name}: cannot read {file}: {e.Message.TrimEnd('.')}";
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

        var certificate = Load(file, options.TlsCertificatePassword, CertificateName, DateTimeOffset.UtcNow, out var error)
                          ?? throw new ArgumentException(error, nameof(ActorSchedulerOptions.Cluster));
        return builder.AddSetup(Setup(certificate));
    }

    /// <summary>How the embedded refusals name the certificate: as <see cref="ActorSchedulerOptions.Cluster"/> holds it.</summary>
    internal const string CertificateName = "Cluster.TlsCertificateFile";

    /// <summary>
    /// Why the TLS settings of <paramref name="options"/> cannot run (null when they can, or when there are none): a
    /// password without a certificate, or a certificate <see cref="Load"/> refuses.
    /// </summary>
    internal static string? Error(SchedulerClusterOptions options, DateTimeOffset now)
    {
        if (options.TlsCertificateFile is not { } file)
        {
            return options.TlsCertificatePassword is null
                ? null
                : "Cluster.TlsCertificatePassword is set without Cluster.TlsCertificateFile: give the certificate it opens, or neither";
        }

        using var certificate = Load(file, options.TlsCertificatePassword, CertificateName, now, out var error);
        return error;
    }
}
