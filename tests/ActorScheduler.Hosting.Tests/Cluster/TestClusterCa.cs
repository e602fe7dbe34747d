using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// A cluster CA made in the test (<see cref="CertificateRequest"/>, ECDSA P-256 for speed) and the node certificates it
/// signs, in memory and as the files <c>run</c> takes: the CA's certificate as PEM, a node's certificate with its key as
/// PKCS#12 under <see cref="ClusterTlsTests.Password"/>.
/// </summary>
internal sealed class TestClusterCa : IDisposable
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestClusterCa(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var request = new CertificateRequest($"CN={name}, O=ActorScheduler tests", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>The CA's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// A node certificate signed by this CA, with its private key: valid from <paramref name="notBefore"/> to
    /// <paramref name="notAfter"/> (default: an hour ago to a day from now), naming <paramref name="usages"/> as its
    /// extended key usages (default: server and client authentication; empty: no such extension), serial
    /// <paramref name="serial"/> (default: random).
    /// </summary>
    public X509Certificate2 Node(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string[]? usages = null, byte[]? serial = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=ActorScheduler tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        usages ??= [ServerAuthentication, ClientAuthentication];
        if (usages.Length > 0)
        {
            var oids = new OidCollection();
            foreach (var usage in usages)
            {
                oids.Add(new Oid(usage));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }

        serial ??= RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var from = notBefore ?? DateTimeOffset.UtcNow.AddHours(-1);
        var to = notAfter ?? DateTimeOffset.UtcNow.AddDays(1);
        using var certificate = request.Create(Certificate, from < Certificate.NotBefore ? Certificate.NotBefore : from, to > Certificate.NotAfter ? Certificate.NotAfter : to, serial);
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>The server authentication usage alone: a certificate a node could not dial with.</summary>
    public static readonly string[] ServerOnly = [ServerAuthentication];

    /// <summary>Writes this CA's certificate (without its key) as PEM to <paramref name="path"/>.</summary>
    public string WritePem(string path)
    {
        File.WriteAllText(path, Certificate.ExportCertificatePem() + "\n");
        return path;
    }

    /// <summary>Writes <paramref name="node"/> with its private key as PKCS#12 to <paramref name="path"/>.</summary>
    public static string WritePfx(X509Certificate2 node, string path)
    {
        File.WriteAllBytes(path, node.Export(X509ContentType.Pkcs12, ClusterTlsTests.Password));
        return path;
    }

    /// <summary>A node's certificate without its private key, as a peer presents it in a handshake.</summary>
    public static X509Certificate2 Public(X509Certificate2 node) => X509CertificateLoader.LoadCertificate(node.RawData);

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
