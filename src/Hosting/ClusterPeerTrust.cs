using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorScheduler.Hosting;

/// <summary>
/// Whether a certificate may be a node of the cluster when the nodes' certificates are signed by the cluster's own CA
/// (<see cref="SchedulerClusterOptions.TlsCaFile"/>): the one decision, for a peer in a TLS handshake and for a node's own
/// certificate when it starts. A certificate is accepted only if it chains to one of <see cref="Authorities"/> and to
/// nothing else (custom root trust: the machine's trust store is never consulted, so a certificate of a public CA, or of
/// any other CA the machine trusts, is no node), is valid at the time asked, names the client and server authentication
/// usages when it names usages at all (a node both dials and is dialed), and has no serial number in
/// <see cref="RevokedSerials"/>. Safe to call from several threads at once: each call builds its own chain.
/// </summary>
internal sealed class ClusterPeerTrust
{
    /// <summary>The OID of the TLS server authentication extended key usage.</summary>
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>The OID of the TLS client authentication extended key usage.</summary>
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <param name="authorities">The cluster's CA certificates, the only roots a node's certificate may chain to.</param>
    /// <param name="revokedSerials">Revoked serial numbers, as <see cref="NormalizeSerial"/> writes them.</param>
    internal ClusterPeerTrust(IReadOnlyList<X509Certificate2> authorities, IReadOnlySet<string> revokedSerials)
    {
        Authorities = authorities;
        RevokedSerials = revokedSerials;
    }

    /// <summary>The cluster's CA certificates.</summary>
    internal IReadOnlyList<X509Certificate2> Authorities { get; }

    /// <summary>The revoked serial numbers (upper-case hex without leading zeros).</summary>
    internal IReadOnlySet<string> RevokedSerials { get; }

    /// <summary>
    /// Why <paramref name="certificate"/> is no node of this cluster at <paramref name="now"/>, on one line (null when it
    /// is one): none was presented, it is not valid at that time, it names usages without both TLS client and server
    /// authentication, it does not chain to one of <see cref="Authorities"/> (the chain's own words), or it (or a CA
    /// between it and the root) has a revoked serial number.
    /// </summary>
    internal string? Refusal(X509Certificate2? certificate, DateTimeOffset now)
    {
        if (certificate is null)
        {
            return "no certificate was presented";
        }

        var at = now.UtcDateTime;
        if (certificate.NotAfter.ToUniversalTime() <= at)
        {
            return $"the certificate '{certificate.Subject}' expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z";
        }

        if (certificate.NotBefore.ToUniversalTime() > at)
        {
            return $"the certificate '{certificate.Subject}' is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z";
        }

        if (UsageRefusal(certificate) is { } usage)
        {
            return usage;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        foreach (var authority in Authorities)
        {
            chain.ChainPolicy.CustomTrustStore.Add(authority);
        }

        // Revocation is this class's list, not the chain's: offline, the chain would only look into a cache of CRLs
        // downloaded from the certificates' distribution points, which a private CA need not have.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = at;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        try
        {
            if (!chain.Build(certificate))
            {
                var why = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct());
                return $"the certificate '{certificate.Subject}' (issued by '{certificate.Issuer}') does not chain to a CA of the cluster{(why.Length > 0 ? $": {why}" : string.Empty)}";
            }

            // Every certificate of the chain but its root, the CA itself: the node's, and any intermediate CA between.
            for (var i = 0; i < chain.ChainElements.Count - 1; i++)
            {
                var element = chain.ChainElements[i].Certificate;
                if (RevokedSerials.Contains(NormalizeSerial(element.SerialNumber)))
                {
                    return i == 0
                        ? $"the certificate '{element.Subject}' (serial {NormalizeSerial(element.SerialNumber)}) is revoked"
                        : $"the certificate '{certificate.Subject}' is issued under '{element.Subject}' (serial {NormalizeSerial(element.SerialNumber)}), which is revoked";
                }
            }
        }
        catch (CryptographicException e)
        {
            return $"the certificate '{certificate.Subject}' cannot be checked: {e.Message.TrimEnd('.')}";
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="certificate"/>'s extended key usages do not make it a node (null when they do): without the
    /// extension a certificate may be used for anything, as TLS reads it; with it, both client authentication (a node
    /// dials) and server authentication (a node is dialed) must be named.
    /// </summary>
    private static string? UsageRefusal(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is not X509EnhancedKeyUsageExtension usages)
            {
                continue;
            }

            var (server, client) = (false, false);
            foreach (var usage in usages.EnhancedKeyUsages)
            {
                server |= usage.Value == ServerAuthentication;
                client |= usage.Value == ClientAuthentication;
            }

            return server && client
                ? null
                : $"the certificate '{certificate.Subject}' names its usages without {(server ? "client" : client ? "server" : "client and server")} authentication (a node both dials and is dialed: extendedKeyUsage = serverAuth, clientAuth)";
        }

        return null;
    }

    /// <summary>
    /// A serial number as this class compares them: hex digits in upper case without leading zeros (so that
    /// <c>00A1</c>, <c>a1</c> and <c>0a:1</c> are one number); .NET writes a certificate's with a leading <c>00</c> when its
    /// first byte's high bit is set, openssl without.
    /// </summary>
    internal static string NormalizeSerial(string hex)
    {
        var digits = hex.Replace(":", string.Empty, StringComparison.Ordinal).TrimStart('0').ToUpperInvariant();
        return digits.Length == 0 ? "0" : digits;
    }

    /// <summary>Whether <paramref name="text"/> is a serial number in hex (digits, optionally in <c>:</c>-separated groups).</summary>
    internal static bool IsSerial(string text) =>
        text.Length > 0 && text.Replace(":", string.Empty, StringComparison.Ordinal) is { Length: > 0 } digits
                        && digits.All(char.IsAsciiHexDigit) && !text.StartsWith(':') && !text.EndsWith(':')
                        && !text.Contains("::", StringComparison.Ordinal);

    /// <summary>The serial number of <paramref name="certificate"/> as <see cref="RevokedSerials"/> holds them.</summary>
    internal static string SerialOf(X509Certificate2 certificate) => NormalizeSerial(certificate.SerialNumber);
}
