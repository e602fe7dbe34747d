using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.Journal;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// TLS on the cluster's remoting: two nodes sharing a certificate form a cluster whose singleton answers across it, a
/// node with another certificate or without TLS stays out, and the certificate options are refused with one located line
/// (<c>run</c>) or an <see cref="ArgumentException"/> naming the property (embedded) before anything starts.
/// </summary>
public sealed class ClusterTlsTests() : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING")
{
    private const string Journal = "Host=127.0.0.1;Port=1;Username=postgres;Password=x;Database=journal";
    internal const string Password = "s3cret pass";
    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-cluster-tls-").FullName;

    /// <summary>
    /// A self-signed certificate with its RSA key in a PKCS#12 file under the test's directory; valid from
    /// <paramref name="notBefore"/> to <paramref name="notAfter"/> (default: an hour ago to a day from now);
    /// <paramref name="withKey"/> false exports the certificate alone.
    /// </summary>
    private string Pfx(string name, string? password = Password, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool withKey = true) =>
        WritePfx(_dir, name, password, notBefore, notAfter, withKey);

    /// <inheritdoc cref="Pfx"/>
    internal static string WritePfx(string dir, string name, string? password = Password, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool withKey = true)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}, O=ActorScheduler tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddHours(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(1));
        using var exported = withKey ? certificate : X509CertificateLoader.LoadCertificate(certificate.RawData);
        var path = Path.Combine(dir, name + ".pfx");
        File.WriteAllBytes(path, exported.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    private RunArguments Args(string? certificate, string? passwordFile = null, string? variable = Password, int? clusterPort = 25520, params string[] seeds) =>
        new(Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"), [], Path.Combine(_dir, "data"), 0, 0, 1, "http://127.0.0.1:1", false)
        {
            JournalConnection = Journal,
            ClusterPort = clusterPort,
            ClusterSeeds = seeds,
            ClusterTlsCertificate = certificate,
            ClusterTlsPasswordFile = passwordFile,
            EnvironmentVariable = name => name == RunClusterTls.PasswordVariable ? variable : null,
        };

    private async Task<string> RefusalOf(RunArguments args)
    {
        var (code, output, error) = await InProcessRun.RunToEndAsync(args);
        Assert.Equal(2, code);
        Assert.Empty(output);
        return Assert.Single(error);
    }

    [Fact]
    public void A_certificate_and_its_password_from_the_environment_make_a_tls_node_that_seeds_itself_with_an_ssl_address()
    {
        var file = Pfx("node");

        var cluster = RunCommand.ClusterOf(Args(file) with { ClusterHostname = "sched-1.example" }, Journal, out var error);

        Assert.Null(error);
        Assert.Equal(file, cluster!.TlsCertificateFile);
        Assert.Equal(Password, cluster.TlsCertificatePassword);
        Assert.Equal(["akka.ssl.tcp://actorscheduler@sched-1.example:25520"], cluster.SeedNodes);
        var config = Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(cluster));
        Assert.True(config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
    }

    [Fact]
    public void The_password_file_gives_the_password_less_its_trailing_newline()
    {
        var passwordFile = Path.Combine(_dir, "password");
        File.WriteAllText(passwordFile, Password + "\n");

        var cluster = RunCommand.ClusterOf(Args(Pfx("node"), passwordFile, variable: null), Journal, out var error);

        Assert.Null(error);
        Assert.Equal(Password, cluster!.TlsCertificatePassword);
    }

    [Fact]
    public void Without_a_certificate_the_cluster_is_clear_text_as_before()
    {
        var cluster = RunCommand.ClusterOf(Args(null), Journal, out var error);

        Assert.Null(error);
        Assert.Null(cluster!.TlsCertificateFile);
        Assert.Equal(["akka.tcp://actorscheduler@127.0.0.1:25520"], cluster.SeedNodes);
        Assert.False(Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(cluster)).GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
    }

    [Fact]
    public async Task A_missing_certificate_file_is_one_located_error_line_and_exit_2()
    {
        var missing = Path.Combine(_dir, "missing.pfx");

        var error = await RefusalOf(Args(missing));

        Assert.StartsWith($"error: --cluster-tls-certificate: cannot read {missing}: ", error);
    }

    [Fact]
    public async Task A_wrong_password_is_one_located_error_line_and_exit_2()
    {
        var file = Pfx("node");

        var error = await RefusalOf(Args(file, variable: "not the password"));

        Assert.StartsWith($"error: --cluster-tls-certificate: {file} is no PKCS#12 (.pfx) file that this password opens (a wrong or missing password, or not PKCS#12): ", error);
    }

    [Fact]
    public async Task A_missing_password_is_one_located_error_line_and_exit_2()
    {
        var file = Pfx("node");

        var error = await RefusalOf(Args(file, variable: null));

        Assert.StartsWith($"error: --cluster-tls-certificate: {file} is no PKCS#12 (.pfx) file that opens without a password", error);
    }

    [Fact]
    public async Task A_file_that_is_no_pkcs12_is_one_located_error_line_and_exit_2()
    {
        var file = Path.Combine(_dir, "cert.pem");
        File.WriteAllText(file, "-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n");

        var error = await RefusalOf(Args(file));

        Assert.StartsWith($"error: --cluster-tls-certificate: {file} is no PKCS#12 (.pfx) file", error);
    }

    [Fact]
    public async Task A_certificate_without_its_private_key_is_one_located_error_line_and_exit_2()
    {
        var file = Pfx("keyless", withKey: false);

        var error = await RefusalOf(Args(file));

        Assert.Equal($"error: --cluster-tls-certificate: {file}: the certificate 'CN=keyless, O=ActorScheduler tests' has no private key: export the certificate with its key (openssl pkcs12 -export -in cert.pem -inkey key.pem)", error);
    }

    [Fact]
    public async Task An_expired_certificate_is_one_located_error_line_and_exit_2()
    {
        var expiry = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var file = Pfx("expired", notBefore: expiry.AddDays(-30), notAfter: expiry);

        var error = await RefusalOf(Args(file));

        Assert.Equal($"error: --cluster-tls-certificate: {file}: the certificate 'CN=expired, O=ActorScheduler tests' expired on 2025-01-02 03:04:05Z", error);
    }

    [Fact]
    public async Task A_password_in_both_the_file_and_the_environment_is_one_error_line_and_exit_2()
    {
        var passwordFile = Path.Combine(_dir, "password");
        File.WriteAllText(passwordFile, Password);

        var error = await RefusalOf(Args(Pfx("node"), passwordFile));

        Assert.Equal("error: --cluster-tls-password-file and $ACTORSCHEDULER_CLUSTER_TLS_PASSWORD both give the certificate's password: give one", error);
    }

    [Fact]
    public async Task An_unreadable_password_file_is_one_located_error_line_and_exit_2()
    {
        var passwordFile = Path.Combine(_dir, "no-such-password");

        var error = await RefusalOf(Args(Pfx("node"), passwordFile, variable: null));

        Assert.StartsWith($"error: --cluster-tls-password-file: cannot read {passwordFile}: ", error);
    }

    [Fact]
    public async Task A_password_file_without_a_certificate_is_one_error_line_and_exit_2()
    {
        var error = await RefusalOf(Args(null, Path.Combine(_dir, "password")));

        Assert.Equal("error: --cluster-tls-password-file needs --cluster-tls-certificate: the password opens the nodes' certificate", error);
    }

    [Fact]
    public async Task A_certificate_without_a_cluster_port_is_one_error_line_and_exit_2()
    {
        var error = await RefusalOf(Args(Pfx("node"), clusterPort: null));

        Assert.Equal("error: --cluster-tls-certificate needs --cluster-port: the port of this scheduler node in the cluster", error);
    }

    [Fact]
    public async Task With_tls_a_clear_text_seed_is_one_error_line_and_exit_2()
    {
        var error = await RefusalOf(Args(Pfx("node"), seeds: "akka.tcp://actorscheduler@10.0.0.1:25520"));

        Assert.Equal("error: --cluster-seed expects an akka.ssl.tcp:// address (TLS is on the cluster's remoting, so every node's address is one), got 'akka.tcp://actorscheduler@10.0.0.1:25520'", error);
    }

    [Fact]
    public async Task Without_tls_an_ssl_seed_is_one_error_line_saying_tls_is_off_and_exit_2()
    {
        var error = await RefusalOf(Args(null, seeds: "akka.ssl.tcp://actorscheduler@10.0.0.1:25520"));

        Assert.Equal("error: --cluster-seed names an akka.ssl.tcp:// (TLS) address, but this node has no TLS certificate: give every node the same certificate, or akka.tcp:// addresses, got 'akka.ssl.tcp://actorscheduler@10.0.0.1:25520'", error);
    }

    /// <summary>
    /// The run arguments of a node of a cluster with its own CA: <paramref name="node"/>'s certificate as
    /// <c>--cluster-tls-certificate</c>, <paramref name="ca"/> as <c>--cluster-tls-ca</c>, <paramref name="revoked"/> as
    /// <c>--cluster-tls-revoked</c>.
    /// </summary>
    private RunArguments CaArgs(string? node, string? ca, string? revoked = null) => Args(node) with { ClusterTlsCa = ca, ClusterTlsRevoked = revoked };

    private string NodePfx(TestClusterCa ca, string name) => TestClusterCa.WritePfx(ca.Node(name), Path.Combine(_dir, name + ".pfx"));

    [Fact]
    public void A_node_certificate_of_the_ca_makes_a_tls_node_with_the_ca_and_revocation_files()
    {
        using var ca = new TestClusterCa("cluster-ca");
        var (node, caFile, revoked) = (NodePfx(ca, "node-1"), ca.WritePem(Path.Combine(_dir, "ca.crt")), Path.Combine(_dir, "revoked.txt"));
        File.WriteAllText(revoked, "# none yet\n");

        var cluster = RunCommand.ClusterOf(CaArgs(node, caFile, revoked), Journal, out var error);

        Assert.Null(error);
        Assert.Equal((node, caFile, revoked), (cluster!.TlsCertificateFile, cluster.TlsCaFile, cluster.TlsRevokedFile));
        Assert.Equal(["akka.ssl.tcp://actorscheduler@127.0.0.1:25520"], cluster.SeedNodes);
        Assert.Null(SchedulerCluster.Error(cluster, "actorscheduler"));
        Assert.Equal($"             TLS: this node presents {node} and accepts a node whose certificate the CA of {caFile} signed, unless {revoked} revokes it (mutual)", RunClusterTls.Banner(cluster));
    }

    [Fact]
    public async Task A_node_certificate_of_another_ca_is_one_located_error_line_and_exit_2()
    {
        using var ca = new TestClusterCa("cluster-ca");
        using var other = new TestClusterCa("other-ca");
        var (node, caFile) = (NodePfx(other, "stranger"), ca.WritePem(Path.Combine(_dir, "ca.crt")));

        var error = await RefusalOf(CaArgs(node, caFile));

        Assert.StartsWith($"error: --cluster-tls-certificate: {node}: this node's certificate is refused by --cluster-tls-ca {caFile}, as every other node would refuse it: the certificate 'CN=stranger, O=ActorScheduler tests' (issued by 'CN=other-ca, O=ActorScheduler tests') does not chain to a CA of the cluster", error);
    }

    [Fact]
    public async Task A_revoked_node_certificate_is_one_located_error_line_and_exit_2()
    {
        using var ca = new TestClusterCa("cluster-ca");
        using var certificate = ca.Node("node-3", serial: [0x1A, 0x2B, 0x3C]);
        var (node, caFile, revoked) = (TestClusterCa.WritePfx(certificate, Path.Combine(_dir, "node-3.pfx")), ca.WritePem(Path.Combine(_dir, "ca.crt")), Path.Combine(_dir, "revoked.txt"));
        File.WriteAllText(revoked, "# node-3, key lost 2026-12-01\nserial=1A2B3C\n");

        var error = await RefusalOf(CaArgs(node, caFile, revoked));

        Assert.Equal($"error: --cluster-tls-certificate: {node}: this node's certificate is refused by --cluster-tls-ca {caFile} and --cluster-tls-revoked {revoked}, as every other node would refuse it: the certificate 'CN=node-3, O=ActorScheduler tests' (serial 1A2B3C) is revoked", error);
    }

    [Fact]
    public async Task A_node_certificate_without_the_client_usage_is_one_located_error_line_and_exit_2()
    {
        using var ca = new TestClusterCa("cluster-ca");
        using var certificate = ca.Node("server-only", usages: TestClusterCa.ServerOnly);
        var (node, caFile) = (TestClusterCa.WritePfx(certificate, Path.Combine(_dir, "server-only.pfx")), ca.WritePem(Path.Combine(_dir, "ca.crt")));

        var error = await RefusalOf(CaArgs(node, caFile));

        Assert.EndsWith("names its usages without client authentication (a node both dials and is dialed: extendedKeyUsage = serverAuth, clientAuth)", error);
    }

    [Fact]
    public async Task A_missing_ca_file_is_one_located_error_line_and_exit_2()
    {
        using var ca = new TestClusterCa("cluster-ca");
        var missing = Path.Combine(_dir, "no-ca.crt");

        var error = await RefusalOf(CaArgs(NodePfx(ca, "node-1"), missing));

        Assert.StartsWith($"error: --cluster-tls-ca: cannot read {missing}: ", error);
    }

    [Fact]
    public async Task A_ca_file_without_a_certificate_is_one_located_error_line_and_exit_2()
    {
        using var ca = new TestClusterCa("cluster-ca");
        var (empty, garbage) = (Path.Combine(_dir, "empty.crt"), Path.Combine(_dir, "garbage.der"));
        File.WriteAllText(empty, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        File.WriteAllBytes(garbage, [0x30, 0x03, 0x02, 0x01]);
        var node = NodePfx(ca, "node-1");

        Assert.Equal($"error: --cluster-tls-ca: {empty} holds no certificate (PEM '-----BEGIN CERTIFICATE-----' blocks, or one DER certificate)", await RefusalOf(CaArgs(node, empty)));
        Assert.StartsWith($"error: --cluster-tls-ca: {garbage} holds no certificate readable as PEM or DER: ", await RefusalOf(CaArgs(node, garbage)));
    }

    [Fact]
    public async Task A_node_certificate_given_as_the_ca_is_one_located_error_line_and_exit_2()
    {
        using var ca = new TestClusterCa("cluster-ca");
        using var certificate = ca.Node("node-1");
        var notCa = Path.Combine(_dir, "node-1.crt");
        File.WriteAllText(notCa, certificate.ExportCertificatePem());

        var error = await RefusalOf(CaArgs(NodePfx(ca, "node-2"), notCa));

        Assert.Equal($"error: --cluster-tls-ca: {notCa}: the certificate 'CN=node-1, O=ActorScheduler tests' is no CA (its basic constraints do not say CA:TRUE): give the certificate of the CA that signs the nodes' certificates", error);
    }

    [Fact]
    public void A_der_ca_file_is_taken()
    {
        using var ca = new TestClusterCa("cluster-ca");
        var der = Path.Combine(_dir, "ca.der");
        File.WriteAllBytes(der, ca.Certificate.RawData);

        var cluster = RunCommand.ClusterOf(CaArgs(NodePfx(ca, "node-1"), der), Journal, out var error);

        Assert.Null(error);
        Assert.Equal(der, cluster!.TlsCaFile);
    }

    [Fact]
    public async Task A_malformed_revocation_line_is_one_error_line_with_its_number_and_exit_2()
    {
        using var ca = new TestClusterCa("cluster-ca");
        var revoked = Path.Combine(_dir, "revoked.txt");
        File.WriteAllText(revoked, "# revoked nodes\n1A2B3C\n\nnode-4 # a name, not a serial\n");

        var error = await RefusalOf(CaArgs(NodePfx(ca, "node-1"), ca.WritePem(Path.Combine(_dir, "ca.crt")), revoked));

        Assert.Equal($"error: --cluster-tls-revoked: {revoked} line 4: 'node-4 # a name, not a serial' is no serial number in hex (one a line, such as 1A2B3C or 1a:2b:3c, as openssl x509 -noout -serial prints it; # starts a comment)", error);
    }

    [Fact]
    public async Task A_crl_given_as_the_revocation_list_is_one_error_line_saying_to_list_serials_and_exit_2()
    {
        using var ca = new TestClusterCa("cluster-ca");
        var crl = Path.Combine(_dir, "cluster.crl");
        File.WriteAllText(crl, "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n");

        var error = await RefusalOf(CaArgs(NodePfx(ca, "node-1"), ca.WritePem(Path.Combine(_dir, "ca.crt")), crl));

        Assert.EndsWith("line 1: '-----BEGIN X509 CRL-----' is no serial number in hex (one a line, such as 1A2B3C or 1a:2b:3c, as openssl x509 -noout -serial prints it; # starts a comment); a CRL is not read, list the revoked certificates' serial numbers instead", error);
    }

    [Fact]
    public async Task A_missing_revocation_list_is_one_located_error_line_and_exit_2()
    {
        using var ca = new TestClusterCa("cluster-ca");
        var missing = Path.Combine(_dir, "no-revoked.txt");

        var error = await RefusalOf(CaArgs(NodePfx(ca, "node-1"), ca.WritePem(Path.Combine(_dir, "ca.crt")), missing));

        Assert.StartsWith($"error: --cluster-tls-revoked: cannot read {missing}: ", error);
    }

    [Fact]
    public async Task A_revocation_list_without_a_ca_and_a_ca_without_a_certificate_are_one_error_line_each_and_exit_2()
    {
        Assert.Equal("error: --cluster-tls-revoked needs --cluster-tls-ca: the serial numbers it lists are of certificates that CA signed",
            await RefusalOf(CaArgs(Pfx("node"), ca: null, revoked: Path.Combine(_dir, "revoked.txt"))));
        Assert.Equal("error: --cluster-tls-ca needs --cluster-tls-certificate: this node's certificate, signed by that CA, with its private key",
            await RefusalOf(CaArgs(null, Path.Combine(_dir, "ca.crt"))));
        Assert.Equal("error: --cluster-tls-ca needs --cluster-port: the port of this scheduler node in the cluster",
            await RefusalOf(CaArgs(null, Path.Combine(_dir, "ca.crt")) with { ClusterPort = null }));
    }

    [Fact]
    public async Task Run_help_says_where_the_password_comes_from()
    {
        var (code, output, _) = await Cli.CliProcess.RunAsync("run", "--help");
        var help = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

        Assert.Equal(0, code);
        Assert.Contains("--cluster-tls-certificate <cluster-tls-certificate> TLS on the cluster's remoting: a PKCS#12 (.pfx) file", help);
        Assert.Contains("Its password: $ACTORSCHEDULER_CLUSTER_TLS_PASSWORD or --cluster-tls-password-file, never on the command line.", help);
        Assert.Contains("--cluster-tls-password-file <cluster-tls-password-file> A file holding the password of --cluster-tls-certificate", help);
        Assert.Contains("--cluster-tls-ca <cluster-tls-ca> The cluster's own CA: one or more CA certificates (PEM, or one DER certificate).", help);
        Assert.Contains("--cluster-tls-revoked <cluster-tls-revoked> Revoked node certificates of --cluster-tls-ca: a text file of serial numbers in hex, one a line", help);
    }

    [Fact]
    public async Task The_executable_takes_the_certificate_and_its_password_file_and_refuses_a_keyless_certificate_on_one_line()
    {
        var file = Pfx("keyless", withKey: false);
        var passwordFile = Path.Combine(_dir, "password");
        File.WriteAllText(passwordFile, Password + "\n");
        using var run = EndToEnd.SchedulerProcess.Launch(0, ["run", Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"),
            "--data-dir", Path.Combine(_dir, "data"), "--api-port", "0", "--master", "http://127.0.0.1:1", "--journal-connection", Journal,
            "--cluster-port", "25520", "--cluster-tls-certificate", file, "--cluster-tls-password-file", passwordFile]);

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal($"error: --cluster-tls-certificate: {file}: the certificate 'CN=keyless, O=ActorScheduler tests' has no private key: export the certificate with its key (openssl pkcs12 -export -in cert.pem -inkey key.pem)", run.Output.Trim());
    }

    [Theory]
    [InlineData("wrong-password", "Cluster.TlsCertificateFile: ")]
    [InlineData("password-only", "Cluster.TlsCertificatePassword is set without Cluster.TlsCertificateFile: give the certificate it opens, or neither")]
    [InlineData("clear-text-seed", "Cluster.SeedNodes expects an akka.ssl.tcp:// address (TLS is on the cluster's remoting, so every node's address is one), got 'akka.tcp://cluster-test@127.0.0.1:25520'")]
    [InlineData("revoked-without-ca", "Cluster.TlsRevokedFile is set without Cluster.TlsCaFile: revoked serial numbers are of the cluster's CA's certificates")]
    [InlineData("ca-without-certificate", "Cluster.TlsCaFile is set without Cluster.TlsCertificateFile: give this node's certificate, signed by that CA")]
    [InlineData("certificate-not-of-the-ca", "Cluster.TlsCertificateFile: ")]
    [InlineData("bad-revocation-line", "Cluster.TlsRevokedFile: ")]
    public void Embedded_tls_settings_that_cannot_run_are_refused_naming_the_setting(string problem, string expected)
    {
        var file = Pfx("node");
        using var ca = new TestClusterCa("cluster-ca");
        var caFile = ca.WritePem(Path.Combine(_dir, "ca.crt"));
        var badRevocation = Path.Combine(_dir, "revoked.txt");
        File.WriteAllText(badRevocation, "not hex\n");
        const string tlsSeed = "akka.ssl.tcp://cluster-test@127.0.0.1:25520";
        var cluster = problem switch
        {
            "revoked-without-ca" => new SchedulerClusterOptions { Port = 25520, SeedNodes = [tlsSeed], TlsCertificateFile = file, TlsCertificatePassword = Password, TlsRevokedFile = badRevocation },
            "ca-without-certificate" => new SchedulerClusterOptions { Port = 25520, SeedNodes = ["akka.tcp://cluster-test@127.0.0.1:25520"], TlsCaFile = caFile },
            "certificate-not-of-the-ca" => new SchedulerClusterOptions { Port = 25520, SeedNodes = [tlsSeed], TlsCertificateFile = file, TlsCertificatePassword = Password, TlsCaFile = caFile },
            "bad-revocation-line" => new SchedulerClusterOptions { Port = 25520, SeedNodes = [tlsSeed], TlsCertificateFile = NodePfx(ca, "node-1"), TlsCertificatePassword = Password, TlsCaFile = caFile, TlsRevokedFile = badRevocation },
            "wrong-password" => new SchedulerClusterOptions { Port = 25520, SeedNodes = ["akka.ssl.tcp://cluster-test@127.0.0.1:25520"], TlsCertificateFile = file, TlsCertificatePassword = "wrong" },
            "password-only" => new SchedulerClusterOptions { Port = 25520, SeedNodes = ["akka.tcp://cluster-test@127.0.0.1:25520"], TlsCertificatePassword = Password },
            _ => new SchedulerClusterOptions { Port = 25520, SeedNodes = ["akka.tcp://cluster-test@127.0.0.1:25520"], TlsCertificateFile = file, TlsCertificatePassword = Password },
        };
        var builder = new AkkaConfigurationBuilder(new ServiceCollection(), "cluster-test");

        var error = Assert.Throws<ArgumentException>(() => builder.WithActorScheduler(new ActorSchedulerOptions
        {
            ServiceName = "hello-world",
            RenderedSpec = "name: hello-world\npods:\n  hello:\n    count: 1\n    tasks:\n      server: {goal: RUNNING, cmd: sleep 1, cpus: 0.1, memory: 32}\n",
            MasterUrl = new Uri("http://127.0.0.1:5050"),
            JournalConnection = Journal,
            Cluster = cluster,
        }));

        Assert.Equal("Cluster", error.ParamName);
        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public async Task Two_nodes_sharing_a_certificate_form_a_cluster_whose_singleton_answers_across_it_and_another_certificate_stays_out()
    {
        var shared = Pfx("cluster");
        var (portA, portB, portC) = (LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        var seed = $"akka.ssl.tcp://actorscheduler@127.0.0.1:{portA}";
        using var a = await StartNodeAsync(portA, seed, shared);
        using var b = await StartNodeAsync(portB, seed, shared);
        var systemA = a.Services.GetRequiredService<ActorSystem>();
        var systemB = b.Services.GetRequiredService<ActorSystem>();

        await AwaitAsync(() => Assert.Equal(2, UpMembers(systemA).Count));
        // B asks the singleton through its proxy; it runs on A, the oldest node, so the question and answer cross the TLS link.
        var proxy = await ActorRegistry.For(systemB).GetAsync<EchoKey>();
        var answer = await proxy.Ask<string>("ping", TimeSpan.FromSeconds(20));
        Assert.Equal($"pong from {Akka.Cluster.Cluster.Get(systemA).SelfAddress}", answer);
        Assert.StartsWith("akka.ssl.tcp://", answer["pong from ".Length..]);

        // A node with a certificate of its own: A accepts no other certificate, nor it A's. Akka ends a node whose outbound
        // TLS handshake fails, so it terminates; the cluster never saw it.
        using var intruder = await StartNodeAsync(portC, seed, Pfx("intruder"));
        await intruder.Services.GetRequiredService<ActorSystem>().WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, UpMembers(systemA).Count);
        Assert.DoesNotContain(Akka.Cluster.Cluster.Get(systemA).State.Members, m => m.Address.Port == portC);
        Assert.Equal(answer, await proxy.Ask<string>("ping", TimeSpan.FromSeconds(20)));

        await b.StopAsync();
        await a.StopAsync();
    }

    [Fact]
    public async Task A_node_without_tls_cannot_join_a_tls_cluster()
    {
        var (portA, portC) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        using var a = await StartNodeAsync(portA, $"akka.ssl.tcp://actorscheduler@127.0.0.1:{portA}", Pfx("cluster"));
        var systemA = a.Services.GetRequiredService<ActorSystem>();
        await AwaitAsync(() => Assert.Single(UpMembers(systemA)));
        var log = LogOf(systemA);

        // It dials A's port in clear text; A takes no connection that does not start with a TLS handshake.
        using var plain = await StartNodeAsync(portC, $"akka.tcp://actorscheduler@127.0.0.1:{portA}", certificate: null);
        await AwaitAsync(() => Assert.Contains(log, line => line.Contains("due to TLS handshake failure", StringComparison.Ordinal)));

        Assert.Single(UpMembers(systemA));
        Assert.NotEqual(Akka.Cluster.MemberStatus.Up, Akka.Cluster.Cluster.Get(plain.Services.GetRequiredService<ActorSystem>()).SelfMember.Status);
        await plain.StopAsync();
        await a.StopAsync();
    }

    /// <summary>
    /// A node of the production cluster wiring (<see cref="SchedulerCluster.Hocon"/> and
    /// <see cref="SchedulerClusterTls.WithClusterTls"/>, with the short timings of the other cluster tests) running an echo
    /// singleton in place of the scheduler; TLS with <paramref name="certificate"/>, clear text without.
    /// </summary>
    private static async Task<IHost> StartNodeAsync(int port, string seed, string? certificate, string? ca = null, string? revoked = null, string logLevel = "WARNING")
    {
        var options = new SchedulerClusterOptions
        {
            Port = port,
            SeedNodes = [seed],
            HeartbeatInterval = TimeSpan.FromMilliseconds(250),
            AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(2500),
            StableAfter = TimeSpan.FromSeconds(2),
            DownRemovalMargin = TimeSpan.FromMilliseconds(500),
            TlsCertificateFile = certificate,
            TlsCertificatePassword = certificate is null ? null : Password,
            TlsCaFile = ca,
            TlsRevokedFile = revoked,
        };
        Assert.Null(SchedulerCluster.Error(options, "actorscheduler"));
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("actorscheduler", (akka, _) => akka
                .AddHocon($"akka.loglevel = {logLevel}\nakka.cluster.seed-node-timeout = 1s", HoconAddMode.Prepend)
                .WithRemoting(options.Hostname, options.Port)
                .WithClustering(new ClusterOptions { SeedNodes = [.. options.SeedNodes] })
                .AddHocon(SchedulerCluster.Hocon(options), HoconAddMode.Prepend)
                .WithClusterTls(options)
                .WithSingleton<EchoKey>("echo", Props.Create(() => new Echo()), new ClusterSingletonOptions(), createProxyToo: true)))
            .Build();
        await host.StartAsync();
        return host;
    }

    [Fact]
    public async Task Nodes_with_their_own_certificates_of_the_cluster_ca_form_a_cluster_and_nodes_of_another_ca_or_revoked_stay_out()
    {
        using var ca = new TestClusterCa("cluster-ca");
        using var otherCa = new TestClusterCa("other-ca");
        using var revokedCertificate = ca.Node("node-4", serial: [0x4E, 0x04]);
        var caFile = ca.WritePem(Path.Combine(_dir, "ca.crt"));
        var revoked = Path.Combine(_dir, "revoked.txt");
        File.WriteAllText(revoked, "4E04 # node-4\n");
        var (portA, portB, portC, portD) = (LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        var seed = $"akka.ssl.tcp://actorscheduler@127.0.0.1:{portA}";
        using var a = await StartNodeAsync(portA, seed, NodePfx(ca, "node-1"), caFile, revoked, logLevel: "DEBUG");
        var systemA = a.Services.GetRequiredService<ActorSystem>();
        var log = LogOf(systemA, typeof(Debug));
        using var b = await StartNodeAsync(portB, seed, NodePfx(ca, "node-2"), caFile, revoked);
        var systemB = b.Services.GetRequiredService<ActorSystem>();

        await AwaitAsync(() => Assert.Equal(2, UpMembers(systemA).Count));
        var proxy = await ActorRegistry.For(systemB).GetAsync<EchoKey>();
        Assert.Equal($"pong from {Akka.Cluster.Cluster.Get(systemA).SelfAddress}", await proxy.Ask<string>("ping", TimeSpan.FromSeconds(20)));
        // A logs whom it accepted, once per connection: node-2's subject.
        Assert.Contains(log, line => line.Contains("Cluster TLS: accepted the certificate 'CN=node-2, O=ActorScheduler tests'", StringComparison.Ordinal));

        // A node of another CA that trusts both CAs, and a node whose certificate A's list revokes (its own list, older,
        // does not): each accepts A's certificate, A refuses its own, so it never gets in; the cluster never lists it.
        var bothCas = Path.Combine(_dir, "both-cas.crt");
        File.WriteAllText(bothCas, otherCa.Certificate.ExportCertificatePem() + "\n" + ca.Certificate.ExportCertificatePem() + "\n");
        using var stranger = await StartNodeAsync(portC, seed, NodePfx(otherCa, "stranger"), bothCas);
        var strangerLog = LogOf(stranger.Services.GetRequiredService<ActorSystem>());
        using var revokedNode = await StartNodeAsync(portD, seed, TestClusterCa.WritePfx(revokedCertificate, Path.Combine(_dir, "node-4.pfx")), caFile);
        await AwaitAsync(() => Assert.Contains(log, line => line.Contains("Cluster TLS: refused the certificate of ", StringComparison.Ordinal)
                                                           && line.Contains("the certificate 'CN=node-4, O=ActorScheduler tests' (serial 4E04) is revoked", StringComparison.Ordinal)));
        await AwaitAsync(() => Assert.Contains(log, line => line.Contains("Cluster TLS: refused the certificate of ", StringComparison.Ordinal)
                                                           && line.Contains("'CN=stranger, O=ActorScheduler tests' (issued by 'CN=other-ca, O=ActorScheduler tests') does not chain to a CA of the cluster", StringComparison.Ordinal)));

        Assert.Equal(2, UpMembers(systemA).Count);
        Assert.DoesNotContain(Akka.Cluster.Cluster.Get(systemA).State.Members, m => m.Address.Port == portC || m.Address.Port == portD);
        foreach (var refused in new[] { stranger, revokedNode })
        {
            var system = refused.Services.GetRequiredService<ActorSystem>();
            Assert.True(system.WhenTerminated.IsCompleted || Akka.Cluster.Cluster.Get(system).SelfMember.Status != Akka.Cluster.MemberStatus.Up);
        }

        Console.WriteLine("stranger logged:\n" + string.Join("\n", strangerLog));
        await revokedNode.StopAsync();
        await stranger.StopAsync();
        await b.StopAsync();
        await a.StopAsync();
    }

    private Task AwaitAsync(Action assertion) => AwaitAssertAsync(assertion, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));

    private static List<Address> UpMembers(ActorSystem system) =>
        [.. Akka.Cluster.Cluster.Get(system).State.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up).Select(m => m.Address)];

    /// <summary>The warnings and errors <paramref name="system"/> logs from now on, as text, and the events of the types in <paramref name="more"/>.</summary>
    internal static ConcurrentQueue<string> LogOf(ActorSystem system, params Type[] more)
    {
        var lines = new ConcurrentQueue<string>();
        var collector = system.ActorOf(Props.Create(() => new LogCollector(lines)));
        system.EventStream.Subscribe(collector, typeof(Warning));
        system.EventStream.Subscribe(collector, typeof(Error));
        foreach (var type in more)
        {
            system.EventStream.Subscribe(collector, type);
        }

        return lines;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class EchoKey;

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<string>(_ => Sender.Tell($"pong from {Akka.Cluster.Cluster.Get(Context.System).SelfAddress}"));
    }

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> lines) => Receive<LogEvent>(e => lines.Enqueue(e.ToString()));
    }
}
