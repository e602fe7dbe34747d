using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorScheduler.Actors.Tests.Offers;
using ActorScheduler.Actors.Tls;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Tls;

/// <summary>
/// The service CA issues what DC/OS's CA and TLSArtifactsGenerator give a task: a key and certificate with the task's
/// common name and DNS names, chained to the CA, as PEM files and as Java-readable PKCS#12 stores.
/// </summary>
public sealed class CertificateAuthorityTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);

    // One CA for the class: generating keys is what takes time.
    private static readonly CertificateAuthority Authority = CertificateAuthority.Generate("/data/kafka", Now);

    private static TaskSpec Server(DiscoverySpec? discovery = null, params PortSpec[] ports) =>
        TestOffers.HelloPod().Tasks[0] with { Name = "server", Discovery = discovery, Ports = [.. ports] };

    [Fact]
    public void Names_are_the_task_instance_and_service_with_the_autoip_name_and_each_vip_as_dns_names()
    {
        var names = TlsNames.Of("/data/kafka", "broker", 2, Server(null,
            new PortSpec("http", 8080, null, true, new VipSpec("web", 80), []),
            new PortSpec("admin", 0, null, false, null, []),
            new PortSpec("tls", 8443, null, true, new VipSpec("secure", 443), [])));

        Assert.Equal("broker-2-server", names.TaskInstance);
        Assert.Equal("broker-2-server.datakafka", names.CommonName);
        Assert.Equal(
            ["broker-2-server.datakafka.autoip.dcos.thisdcos.directory", "web.datakafka.l4lb.thisdcos.directory", "secure.datakafka.l4lb.thisdcos.directory"],
            names.Sans.AsEnumerable());
        Assert.Equal(40, names.SansHash.Length);
    }

    [Fact]
    public void A_discovery_prefix_names_the_autoip_host_and_a_long_common_name_keeps_its_last_64_characters()
    {
        var names = TlsNames.Of("svc", "hello", 1, Server(new DiscoverySpec("front.end", DiscoveryVisibility.Cluster)));
        Assert.Equal(["front-end-1.svc.autoip.dcos.thisdcos.directory"], names.Sans.AsEnumerable());

        var service = new string('s', 70);
        var longName = TlsNames.Of(service, "hello", 0, Server());
        Assert.Equal(("hello-0-server." + service)[^TlsNames.MaxCommonNameLength..], longName.CommonName);
    }

    [Fact]
    public void A_different_san_set_has_a_different_hash()
    {
        var plain = TlsNames.Of("svc", "hello", 0, Server());
        var withVip = TlsNames.Of("svc", "hello", 0, Server(null, new PortSpec("http", 8080, null, true, new VipSpec("web", 80), [])));

        Assert.NotEqual(plain.SansHash, withVip.SansHash);
        Assert.Equal(plain.SansHash, TlsNames.Of("svc", "hello", 0, Server()).SansHash);
    }

    [Fact]
    public void The_certificate_carries_the_names_is_valid_ten_years_and_verifies_against_the_ca()
    {
        var names = TlsNames.Of("/data/kafka", "broker", 0, Server(null, new PortSpec("http", 8080, null, true, new VipSpec("web", 80), [])));

        var artifacts = Authority.Issue(names, Now);

        var certificate = X509Certificate2.CreateFromPem(artifacts.Certificate.ToStringUtf8());
        Assert.Equal("broker-0-server.datakafka", certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        var sans = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames();
        Assert.Equal(names.Sans.AsEnumerable(), sans);
        Assert.Equal((Now + CertificateAuthority.Validity).UtcDateTime, certificate.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.True(certificate.NotBefore.ToUniversalTime() <= Now.UtcDateTime);
        Assert.Equal(2048, certificate.GetRSAPublicKey()!.KeySize);
        Assert.Contains(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");

        var root = X509Certificate2.CreateFromPem(artifacts.RootCaCertificate.ToStringUtf8());
        Assert.Equal(Authority.Certificate.Thumbprint, root.Thumbprint);
        Assert.True(Verifies(certificate, root));

        // The key is the certificate's.
        var key = RSA.Create();
        key.ImportFromPem(artifacts.PrivateKey.ToStringUtf8());
        Assert.Equal(certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Each_issue_is_a_new_key()
    {
        var names = TlsNames.Of("svc", "hello", 0, Server());

        Assert.NotEqual(Authority.Issue(names, Now).PrivateKey, Authority.Issue(names, Now).PrivateKey);
    }

    [Fact]
    public void The_keystore_opens_with_the_password_and_holds_the_key_and_chain_and_the_truststore_the_root()
    {
        var artifacts = Authority.Issue(TlsNames.Of("svc", "hello", 0, Server()), Now);

        var keystore = X509CertificateLoader.LoadPkcs12Collection(artifacts.Keystore.ToByteArray(), CertificateAuthority.KeystorePassword);
        var leaf = Assert.Single(keystore, c => c.HasPrivateKey);
        Assert.Equal("hello-0-server.svc", leaf.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Contains(keystore, c => c.Thumbprint == Authority.Certificate.Thumbprint);

        var truststore = X509CertificateLoader.LoadPkcs12Collection(artifacts.Truststore.ToByteArray(), CertificateAuthority.KeystorePassword);
        Assert.Equal(Authority.Certificate.Thumbprint, Assert.Single(truststore).Thumbprint);

        Assert.ThrowsAny<CryptographicException>(() => X509CertificateLoader.LoadPkcs12Collection(artifacts.Keystore.ToByteArray(), "wrong"));
    }

    [Fact]
    public void The_files_of_tls_and_keystore_are_named_after_the_entry()
    {
        var artifacts = Authority.Issue(TlsNames.Of("svc", "hello", 0, Server()), Now);

        Assert.Equal(["server.crt", "server.key", "server.ca"], artifacts.Files("server", TransportEncryptionType.Tls).Select(f => f.Path));
        Assert.Equal(["server.keystore", "server.truststore"], artifacts.Files("server", TransportEncryptionType.Keystore).Select(f => f.Path));
    }

    [Fact]
    public void A_stored_ca_is_the_same_ca()
    {
        var again = CertificateAuthority.FromStored(Authority.CertificateDer, Authority.PrivateKeyPkcs8);

        Assert.Equal(Authority.Fingerprint, again.Fingerprint);
        var certificate = X509Certificate2.CreateFromPem(again.Issue(TlsNames.Of("svc", "hello", 0, Server()), Now).Certificate.ToStringUtf8());
        Assert.True(Verifies(certificate, Authority.Certificate));
    }

    [Fact]
    public void An_operator_ec_ca_signs_and_an_intermediate_one_is_in_the_certificate_chain()
    {
        using var dir = new TempDir();
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(30));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=Intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var intermediate = intermediateRequest.Create(root, Now.AddDays(-1), Now.AddYears(20), [1, 2, 3]);
        File.WriteAllText(dir.File("ca.crt"), intermediate.ExportCertificatePem());
        File.WriteAllText(dir.File("ca.key"), intermediateKey.ExportECPrivateKeyPem());

        var authority = CertificateAuthority.FromPemFiles(dir.File("ca.crt"), dir.File("ca.key"), Now);
        var artifacts = authority.Issue(TlsNames.Of("svc", "hello", 0, Server()), Now);

        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(artifacts.Certificate.ToStringUtf8());
        Assert.Equal(["hello-0-server.svc", "Intermediate"], chain.Select(c => c.GetNameInfo(X509NameType.SimpleName, false)));
        Assert.True(Verifies(chain[0], root, intermediate));
    }

    [Theory]
    [InlineData("missing", "cannot read the CA certificate")]
    [InlineData("garbage", "not a PEM certificate and its unencrypted PEM private key")]
    [InlineData("leaf", "is not a CA certificate")]
    [InlineData("expired", "expired on")]
    [InlineData("other-key", "not a PEM certificate and its unencrypted PEM private key")]
    public void A_bad_operator_ca_is_refused_with_the_file_and_why(string kind, string expected)
    {
        using var dir = new TempDir();
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=ca", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (kind != "leaf")
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        }

        using var certificate = kind == "expired" ? request.CreateSelfSigned(Now.AddYears(-2), Now.AddYears(-1)) : request.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(1));
        File.WriteAllText(dir.File("ca.crt"), kind == "garbage" ? "not a certificate" : certificate.ExportCertificatePem());
        File.WriteAllText(dir.File("ca.key"), kind == "other-key" ? RSA.Create(2048).ExportPkcs8PrivateKeyPem() : key.ExportPkcs8PrivateKeyPem());
        var certificateFile = kind == "missing" ? dir.File("absent.crt") : dir.File("ca.crt");

        var error = Assert.Throws<TlsAuthorityException>(() => CertificateAuthority.FromPemFiles(certificateFile, dir.File("ca.key"), Now));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(certificateFile, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="root"/> alone, trusted as a custom root.</summary>
    internal static bool Verifies(X509Certificate2 certificate, X509Certificate2 root, params X509Certificate2[] intermediates)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Now.UtcDateTime.AddHours(1);
        return chain.Build(certificate);
    }

    private sealed class TempDir : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("tls-ca-").FullName;

        public string File(string name) => Path.Combine(_path, name);

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}
