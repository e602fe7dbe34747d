using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Persistence;
using ActorScheduler.Hosting.Tests.Journal;
using Akka.Cluster.Tools.Singleton;
using Akka.Coordination;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The scheduler lease's option, <c>run --cluster-lease-ttl</c> (<see cref="SchedulerClusterOptions.LeaseTimeToLive"/>
/// embedded): the configuration it makes (the singleton's <c>use-lease</c> naming <see cref="PostgresLease"/>, its TTL,
/// heartbeat and retry), and its bad input refused as the other <c>--cluster-*</c> timings are: one <c>error:</c> line
/// and exit 2, or an <see cref="ArgumentException"/> naming the property.
/// </summary>
public sealed class ClusterLeaseOptionsTests : IDisposable
{
    private const string Journal = "Host=127.0.0.1;Port=1;Username=postgres;Password=x;Database=journal";
    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-cluster-lease-options-").FullName;

    private RunArguments Args(int? clusterPort, string? ttl) =>
        new(Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"), [], Path.Combine(_dir, "data"), 0, 0, 1, "http://127.0.0.1:1", false)
        {
            JournalConnection = Journal,
            ClusterPort = clusterPort,
            ClusterLeaseTtl = ttl,
        };

    [Fact]
    public void By_default_the_singleton_starts_only_under_the_postgres_lease_of_12s_renewed_every_3s()
    {
        var cluster = RunCommand.ClusterOf(Args(25520, ttl: null), Journal, out var error);
        Assert.Null(error);
        var config = Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(cluster!))
            .WithFallback(ClusterSingleton.DefaultConfig());

        var singleton = SchedulerCluster.SingletonOptions(cluster!);
        Assert.Equal(PostgresLease.ConfigPath, singleton.LeaseImplementation!.ConfigPath);
        Assert.Equal(typeof(PostgresLease), singleton.LeaseImplementation.Class);
        Assert.Equal(TimeSpan.FromSeconds(3), singleton.LeaseRetryInterval);

        var lease = LeaseSettings.Create(config.GetConfig(PostgresLease.ConfigPath), "scheduler", "127.0.0.1:25520");
        Assert.Equal(typeof(PostgresLease), Type.GetType(lease.LeaseConfig.GetString("lease-class"), throwOnError: true));
        Assert.Equal(TimeSpan.FromSeconds(12), lease.TimeoutSettings.HeartbeatTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), lease.TimeoutSettings.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), lease.TimeoutSettings.OperationTimeout);
    }

    [Fact]
    public void The_lease_ttl_given_is_the_one_the_configuration_applies_with_a_quarter_of_it_as_heartbeat()
    {
        var cluster = RunCommand.ClusterOf(Args(25520, ttl: "2s"), Journal, out var error);
        Assert.Null(error);

        var config = Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(cluster!));

        Assert.Equal(TimeSpan.FromSeconds(2), config.GetTimeSpan($"{PostgresLease.ConfigPath}.heartbeat-timeout"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.GetTimeSpan($"{PostgresLease.ConfigPath}.heartbeat-interval"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), SchedulerCluster.SingletonOptions(cluster!).LeaseRetryInterval);
    }

    [Fact]
    public void The_lease_is_the_scheduler_singletons_only_and_not_every_singletons_default()
    {
        // An application embedding the scheduler may run singletons of its own: they are not put under the scheduler's
        // lease (nor made to need its database).
        var cluster = RunCommand.ClusterOf(Args(25520, ttl: null), Journal, out var error);
        Assert.Null(error);
        var config = Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(cluster!))
            .WithFallback(ClusterSingleton.DefaultConfig());

        Assert.Null(ClusterSingletonManagerSettings.Create(config.GetConfig("akka.cluster.singleton")).LeaseSettings);
    }

    [Fact]
    public void The_connection_string_is_quoted_for_hocon_whatever_it_holds()
    {
        const string connection = "Host=db;Database=journal;Username=sched;Password=p\"a\\s;s";

        var owner = PostgresLease.NewOwner("actorscheduler@10.0.0.11:25520");
        var config = Akka.Configuration.ConfigurationFactory.ParseString(PostgresLease.ConnectionHocon(connection, owner));

        Assert.Equal(connection, config.GetString($"{PostgresLease.ConfigPath}.connection-string"));
        Assert.Equal(owner, config.GetString($"{PostgresLease.ConfigPath}.owner"));
    }

    [Theory]
    [InlineData("12", "error: --cluster-lease-ttl expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), got '12', a number without its unit")]
    [InlineData("12 s", "error: --cluster-lease-ttl expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), got '12 s'")]
    [InlineData("500ms", "error: --cluster-lease-ttl expects a duration of at least 1s and at most 24h, got '500ms'")]
    [InlineData("0s", "error: --cluster-lease-ttl expects a duration of at least 1s and at most 24h, got '0s'")]
    [InlineData("25h", "error: --cluster-lease-ttl expects a duration of at least 1s and at most 24h, got '25h'")]
    [InlineData("1.0005s", "error: --cluster-lease-ttl expects a duration of whole milliseconds (1.5s, not 0.5ms), got '1.0005s'")]
    public async Task A_lease_ttl_that_is_no_duration_of_a_second_or_more_is_one_error_line_naming_it_and_exit_2(string value, string expected)
    {
        var (code, output, error) = await InProcessRun.RunToEndAsync(Args(25520, value));

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal([expected], error);
    }

    [Fact]
    public async Task A_lease_ttl_without_a_cluster_port_is_one_error_line_and_exit_2()
    {
        var (code, _, error) = await InProcessRun.RunToEndAsync(Args(null, "12s"));

        Assert.Equal(2, code);
        Assert.Equal(["error: --cluster-lease-ttl needs --cluster-port: the port of this scheduler node in the cluster"], error);
    }

    [Fact]
    public async Task The_executable_takes_the_lease_ttl_option_and_refuses_a_bad_one_on_one_line()
    {
        using var run = EndToEnd.SchedulerProcess.Launch(0, ["run", Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"),
            "--data-dir", Path.Combine(_dir, "data"), "--api-port", "0", "--master", "http://127.0.0.1:1", "--journal-connection", Journal,
            "--cluster-port", "25520", "--cluster-lease-ttl", "12"]);

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("error: --cluster-lease-ttl expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), got '12', a number without its unit", run.Output.Trim());
    }

    [Fact]
    public async Task Run_help_describes_the_lease_ttl_with_its_default_and_advice()
    {
        var (code, output, _) = await Cli.CliProcess.RunAsync("run", "--help");
        var help = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

        Assert.Equal(0, code);
        Assert.Contains("--cluster-lease-ttl", help);
        Assert.Contains("Default 12s, at least 1s; keep it no longer than heartbeat pause + stable-after + down-removal margin", help);
    }

    [Theory]
    [InlineData(999.0, "Cluster.LeaseTimeToLive must be at least 1s and at most 24h, got 999ms")]
    [InlineData(0.0, "Cluster.LeaseTimeToLive must be at least 1s and at most 24h, got 0ms")]
    [InlineData(25 * 3_600_000.0, "Cluster.LeaseTimeToLive must be at least 1s and at most 24h, got 25h")]
    [InlineData(2_000.5, "Cluster.LeaseTimeToLive must be whole milliseconds, got 2000.5ms")]
    public void Embedded_a_lease_ttl_run_would_refuse_is_refused_naming_the_property(double milliseconds, string expected)
    {
        var builder = new Akka.Hosting.AkkaConfigurationBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection(), "cluster-test");
        var cluster = new SchedulerClusterOptions
        {
            Port = 25520,
            SeedNodes = ["akka.tcp://cluster-test@127.0.0.1:25520"],
            LeaseTimeToLive = TimeSpan.FromTicks((long)(milliseconds * TimeSpan.TicksPerMillisecond)),
        };
        var options = new ActorSchedulerOptions
        {
            ServiceName = "hello-world",
            RenderedSpec = "name: hello-world\npods:\n  hello:\n    count: 1\n    tasks:\n      server: {goal: RUNNING, cmd: sleep 1, cpus: 0.1, memory: 32}\n",
            MasterUrl = new Uri("http://127.0.0.1:5050"),
            JournalConnection = Journal,
            Cluster = cluster,
        };

        var error = Assert.Throws<ArgumentException>(() => builder.WithActorScheduler(options));

        Assert.Equal("Cluster", error.ParamName);
        Assert.Equal($"{expected} (Parameter 'Cluster')", error.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
