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

    [Fact]
    public async Task Run_help_says_where_the_password_comes_from()
    {
        var (code, output, _) = await Cli.CliProcess.RunAsync("run", "--help");
        var help = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

        Assert.Equal(0, code);
        Assert.Contains("--cluster-tls-certificate <cluster-tls-certificate> TLS on the cluster's remoting: a PKCS#12 (.pfx) file", help);
        Assert.Contains("Its password: $ACTORSCHEDULER_CLUSTER_TLS_PASSWORD or --cluster-tls-password-file, never on the command line.", help);
        Assert.Contains("--cluster-tls-password-file <cluster-tls-password-file> A file holding the password of --cluster-tls-certificate", help);
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
    public void Embedded_tls_settings_that_cannot_run_are_refused_naming_the_setting(string problem, string expected)
    {
        var file = Pfx("node");
        var cluster = problem switch
        {
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
    private static async Task<IHost> StartNodeAsync(int port, string seed, string? certificate)
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
        };
        Assert.Null(SchedulerCluster.Error(options, "actorscheduler"));
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("actorscheduler", (akka, _) => akka
                .AddHocon("akka.loglevel = WARNING\nakka.cluster.seed-node-timeout = 1s", HoconAddMode.Prepend)
                .WithRemoting(options.Hostname, options.Port)
                .WithClustering(new ClusterOptions { SeedNodes = [.. options.SeedNodes] })
                .AddHocon(SchedulerCluster.Hocon(options), HoconAddMode.Prepend)
                .WithClusterTls(options)
                .WithSingleton<EchoKey>("echo", Props.Create(() => new Echo()), new ClusterSingletonOptions(), createProxyToo: true)))
            .Build();
        await host.StartAsync();
        return host;
    }

    private Task AwaitAsync(Action assertion) => AwaitAssertAsync(assertion, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));

    private static List<Address> UpMembers(ActorSystem system) =>
        [.. Akka.Cluster.Cluster.Get(system).State.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up).Select(m => m.Address)];

    /// <summary>The warnings and errors <paramref name="system"/> logs from now on, as text.</summary>
    private static ConcurrentQueue<string> LogOf(ActorSystem system)
    {
        var lines = new ConcurrentQueue<string>();
        var collector = system.ActorOf(Props.Create(() => new LogCollector(lines)));
        system.EventStream.Subscribe(collector, typeof(Warning));
        system.EventStream.Subscribe(collector, typeof(Error));
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
