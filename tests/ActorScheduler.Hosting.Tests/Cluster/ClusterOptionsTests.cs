using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.Journal;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The clustered mode's options refused before anything starts: one <c>error:</c> line and exit 2 from <c>run</c>, an
/// <see cref="ArgumentException"/> naming the setting from <see cref="ActorSchedulerHostingExtensions.WithActorScheduler"/>.
/// </summary>
public sealed class ClusterOptionsTests : IDisposable
{
    private const string Journal = "Host=127.0.0.1;Port=1;Username=postgres;Password=x;Database=journal";
    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-cluster-options-").FullName;

    private RunArguments Args(int? clusterPort, string? journal = Journal, string? master = "http://127.0.0.1:1", params string[] seeds) =>
        new(Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"), [], Path.Combine(_dir, "data"), 0, 0, 1, master, false)
        {
            JournalConnection = journal,
            ClusterPort = clusterPort,
            ClusterSeeds = seeds,
        };

    [Fact]
    public async Task Clustered_without_the_PostgreSQL_journal_is_one_error_line_and_exit_2()
    {
        var (code, output, error) = await InProcessRun.RunToEndAsync(Args(25520, journal: null));

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal(["error: --cluster-port needs --journal-connection: the scheduler nodes share one PostgreSQL journal, so that the node taking over replays every decision (a node's SQLite file cannot be shared)"], error);
    }

    [Fact]
    public async Task Clustered_with_the_embedded_emulator_is_one_error_line_and_exit_2()
    {
        var (code, _, error) = await InProcessRun.RunToEndAsync(Args(25520, master: null));

        Assert.Equal(2, code);
        Assert.Equal(["error: --cluster-port needs --master URL: the scheduler nodes share one Mesos master, and an emulator embedded in one node would stop with it"], error);
    }

    [Theory]
    [InlineData("akka.tcp://actorscheduler@10.0.0.1", "error: --cluster-seed expects a node address such as akka.tcp://actorscheduler@host:port, got 'akka.tcp://actorscheduler@10.0.0.1'")]
    [InlineData("10.0.0.1:25520", "error: --cluster-seed expects a node address such as akka.tcp://actorscheduler@host:port, got '10.0.0.1:25520'")]
    [InlineData("akka.udp://actorscheduler@10.0.0.1:25520", "error: --cluster-seed expects an akka.tcp:// address (the scheduler's remoting is TCP), got 'akka.udp://actorscheduler@10.0.0.1:25520'")]
    [InlineData("akka.tcp://sched@10.0.0.1:25520", "error: --cluster-seed names the actor system 'sched', but the scheduler nodes' system is 'actorscheduler': akka.tcp://actorscheduler@host:port")]
    [InlineData("akka.tcp://actorscheduler@10.0.0.1:70000", "error: --cluster-seed expects a port in 1-65535, got 'akka.tcp://actorscheduler@10.0.0.1:70000'")]
    public async Task A_malformed_seed_is_one_error_line_naming_it_and_exit_2(string seed, string expected)
    {
        var (code, _, error) = await InProcessRun.RunToEndAsync(Args(25520, seeds: seed));

        Assert.Equal(2, code);
        Assert.Equal([expected], error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public async Task A_cluster_port_out_of_range_is_one_error_line_and_exit_2(int port)
    {
        var (code, _, error) = await InProcessRun.RunToEndAsync(Args(port));

        Assert.Equal(2, code);
        Assert.Equal([$"error: --cluster-port expects a port in 1-65535, got '{port}'"], error);
    }

    [Fact]
    public async Task A_seed_without_a_cluster_port_is_one_error_line_and_exit_2()
    {
        var (code, _, error) = await InProcessRun.RunToEndAsync(Args(null, seeds: "akka.tcp://actorscheduler@10.0.0.1:25520"));

        Assert.Equal(2, code);
        Assert.Equal(["error: --cluster-seed needs --cluster-port: the port of this scheduler node in the cluster"], error);
    }

    [Theory]
    [InlineData("--cluster-stable-after", "7", "error: --cluster-stable-after expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), got '7', a number without its unit")]
    [InlineData("--cluster-heartbeat-interval", "1 sec", "error: --cluster-heartbeat-interval expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), got '1 sec'")]
    [InlineData("--cluster-heartbeat-pause", "1M", "error: --cluster-heartbeat-pause expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), got '1M'")]
    [InlineData("--cluster-down-removal-margin", "ms", "error: --cluster-down-removal-margin expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), got 'ms'")]
    [InlineData("--cluster-heartbeat-pause", "1.5ms", "error: --cluster-heartbeat-pause expects a duration of whole milliseconds (1.5s, not 0.5ms), got '1.5ms'")]
    [InlineData("--cluster-stable-after", "0s", "error: --cluster-stable-after expects a duration above zero and at most 24h, got '0s'")]
    [InlineData("--cluster-down-removal-margin", "0ms", "error: --cluster-down-removal-margin expects a duration above zero and at most 24h, got '0ms'")]
    [InlineData("--cluster-down-removal-margin", "25h", "error: --cluster-down-removal-margin expects a duration above zero and at most 24h, got '25h'")]
    [InlineData("--cluster-heartbeat-interval", "-1s", "error: --cluster-heartbeat-interval expects a duration above zero and at most 24h, got '-1s'")]
    [InlineData("--cluster-heartbeat-pause", "0s", "error: --cluster-heartbeat-pause expects a duration above zero and at most 24h, got '0s'")]
    [InlineData("--cluster-stable-after", "25h", "error: --cluster-stable-after expects a duration above zero and at most 24h, got '25h'")]
    [InlineData("--cluster-stable-after", "1.5d", "error: --cluster-stable-after expects a duration above zero and at most 24h, got '1.5d'")]
    [InlineData("--cluster-stable-after", "99999999999999h", "error: --cluster-stable-after expects a duration above zero and at most 24h, got '99999999999999h'")]
    public async Task A_cluster_timing_that_is_no_duration_above_zero_is_one_error_line_naming_it_and_exit_2(string option, string value, string expected)
    {
        var (code, output, error) = await InProcessRun.RunToEndAsync(WithTiming(Args(25520), option, value));

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal([expected], error);
    }

    [Theory]
    [InlineData("3s", null, "error: --cluster-heartbeat-pause must be longer than --cluster-heartbeat-interval (a node would be marked unreachable as soon as one heartbeat is late), got 3s with an interval of 3s")]
    [InlineData("5s", null, "error: --cluster-heartbeat-pause must be longer than --cluster-heartbeat-interval (a node would be marked unreachable as soon as one heartbeat is late), got 3s with an interval of 5s")]
    [InlineData(null, "500ms", "error: --cluster-heartbeat-pause must be longer than --cluster-heartbeat-interval (a node would be marked unreachable as soon as one heartbeat is late), got 500ms with an interval of 1s")]
    public async Task A_heartbeat_pause_not_longer_than_the_interval_is_one_error_line_and_exit_2(string? interval, string? pause, string expected)
    {
        var (code, _, error) = await InProcessRun.RunToEndAsync(Args(25520) with { ClusterHeartbeatInterval = interval, ClusterHeartbeatPause = pause });

        Assert.Equal(2, code);
        Assert.Equal([expected], error);
    }

    [Theory]
    [InlineData("--cluster-stable-after")]
    [InlineData("--cluster-heartbeat-interval")]
    [InlineData("--cluster-heartbeat-pause")]
    [InlineData("--cluster-down-removal-margin")]
    public async Task A_cluster_timing_without_a_cluster_port_is_one_error_line_and_exit_2(string option)
    {
        var (code, _, error) = await InProcessRun.RunToEndAsync(WithTiming(Args(null), option, "5s"));

        Assert.Equal(2, code);
        Assert.Equal([$"error: {option} needs --cluster-port: the port of this scheduler node in the cluster"], error);
    }

    [Fact]
    public void The_cluster_timings_given_are_the_ones_the_cluster_configuration_applies()
    {
        var cluster = RunCommand.ClusterOf(
            Args(25520) with { ClusterStableAfter = "2s", ClusterHeartbeatInterval = "250ms", ClusterHeartbeatPause = "2500ms", ClusterDownRemovalMargin = "1m" },
            Journal,
            out var error);
        Assert.Null(error);

        var config = Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(cluster!));

        Assert.Equal(TimeSpan.FromSeconds(2), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), config.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval"));
        Assert.Equal(TimeSpan.FromMilliseconds(2500), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromMinutes(1), config.GetTimeSpan("akka.cluster.down-removal-margin"));
    }

    [Fact]
    public void Cluster_timings_take_decimals_and_days_as_audit_does_and_the_configuration_writes_them_whole()
    {
        var cluster = RunCommand.ClusterOf(
            Args(25520) with { ClusterStableAfter = "1d", ClusterHeartbeatInterval = "0.5s", ClusterHeartbeatPause = "1.5m", ClusterDownRemovalMargin = "0.25h" },
            Journal,
            out var error);
        Assert.Null(error);

        var hocon = SchedulerCluster.Hocon(cluster!);
        var config = Akka.Configuration.ConfigurationFactory.ParseString(hocon);

        Assert.Contains("stable-after = 24h", hocon);
        Assert.Contains("heartbeat-interval = 500ms", hocon);
        Assert.Equal(TimeSpan.FromHours(24), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval"));
        Assert.Equal(TimeSpan.FromSeconds(90), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromMinutes(15), config.GetTimeSpan("akka.cluster.down-removal-margin"));
    }

    [Fact]
    public void Without_cluster_timings_the_defaults_of_hocon_cluster_conf_apply()
    {
        var cluster = RunCommand.ClusterOf(Args(25520) with { ClusterHeartbeatPause = "4s" }, Journal, out var error);
        Assert.Null(error);

        var config = Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(cluster!));
        var shipped = Akka.Configuration.ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "hocon/cluster.conf")));

        foreach (var key in new[] { "akka.cluster.split-brain-resolver.stable-after", "akka.cluster.failure-detector.heartbeat-interval", "akka.cluster.down-removal-margin" })
        {
            Assert.Equal(shipped.GetTimeSpan(key), config.GetTimeSpan(key));
        }

        Assert.Equal(TimeSpan.FromSeconds(4), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
    }

    [Fact]
    public void Hocon_cluster_conf_documents_every_setting_the_code_applies_with_its_default_value()
    {
        var defaults = new SchedulerClusterOptions { Port = 25520 };
        var applied = Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(defaults, new Uri("http://127.0.0.1:8080/")));
        var shipped = Akka.Configuration.ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "hocon/cluster.conf")));

        var settings = Leaves(applied.Root, "").ToList();
        Assert.Contains(settings, l => l.Path == "akka.cluster.split-brain-resolver.stable-after");
        foreach (var (path, value) in settings)
        {
            Assert.True(shipped.HasPath(path), $"hocon/cluster.conf lacks {path}");
            Assert.Equal(value, shipped.GetValue(path).ToString());
        }

        // Every setting of the file, but for remoting and the seeds (Akka.Cluster.Hosting's), is one the code applies.
        Assert.Equal(
            Leaves(shipped.Root, "").Select(l => l.Path).Where(p => !p.StartsWith("akka.remote.", StringComparison.Ordinal) && p is not "akka.cluster.seed-nodes" and not "akka.actor.provider").Order(),
            settings.Select(l => l.Path).Order());
    }

    private static IEnumerable<(string Path, string Value)> Leaves(Akka.Configuration.Hocon.HoconValue value, string path)
    {
        if (!value.IsObject())
        {
            yield return (path, value.ToString());
            yield break;
        }

        foreach (var (key, child) in value.GetObject().Items)
        {
            var element = key.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? key : $"\"{key}\"";
            foreach (var leaf in Leaves(child, path.Length == 0 ? element : $"{path}.{element}"))
            {
                yield return leaf;
            }
        }
    }

    [Fact]
    public async Task Run_help_describes_the_cluster_timings_with_their_defaults_and_the_production_advice()
    {
        var (code, output, _) = await Cli.CliProcess.RunAsync("run", "--help");
        var help = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

        Assert.Equal(0, code);
        Assert.Contains("--cluster-stable-after", help);
        Assert.Contains("Default 7s; keep 7s or more in production", help);
        Assert.Contains("--cluster-heartbeat-interval", help);
        Assert.Contains("Default 1s.", help);
        Assert.Contains("longer than --cluster-heartbeat-interval. Default 3s; keep 3s or more in production.", help);
        Assert.Contains("--cluster-down-removal-margin", help);
        Assert.Contains("Default 3s. A crashed active node is replaced after about heartbeat pause + stable-after + this margin", help);
        Assert.Contains("A duration, a number and its unit ms, s, m, h or d: 500ms, 7s, 1.5m.", help);
        Assert.Contains("Above zero: Akka reads 0 as off, which waits stable-after a second time.", help);
    }

    [Fact]
    public async Task The_executable_takes_the_cluster_timings_and_refuses_a_bad_one_on_one_line()
    {
        using var run = EndToEnd.SchedulerProcess.Launch(0, ["run", Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"),
            "--data-dir", Path.Combine(_dir, "data"), "--api-port", "0", "--master", "http://127.0.0.1:1", "--journal-connection", Journal,
            "--cluster-port", "25520", "--cluster-stable-after", "7s", "--cluster-heartbeat-interval", "1s", "--cluster-down-removal-margin", "3s",
            "--cluster-heartbeat-pause", "3"]);

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("error: --cluster-heartbeat-pause expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), got '3', a number without its unit", run.Output.Trim());
    }

    [Fact]
    public void Embedded_a_heartbeat_pause_not_longer_than_the_interval_is_refused_naming_the_settings()
    {
        var builder = new Akka.Hosting.AkkaConfigurationBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection(), "cluster-test");
        var cluster = new SchedulerClusterOptions
        {
            Port = 25520,
            SeedNodes = ["akka.tcp://cluster-test@127.0.0.1:25520"],
            HeartbeatInterval = TimeSpan.FromSeconds(2),
            AcceptableHeartbeatPause = TimeSpan.FromSeconds(2),
        };

        var error = Assert.Throws<ArgumentException>(() => builder.WithActorScheduler(Options(cluster, journal: Journal)));

        Assert.Equal("Cluster", error.ParamName);
        Assert.StartsWith("Cluster.AcceptableHeartbeatPause must be longer than Cluster.HeartbeatInterval (a node would be marked unreachable as soon as one heartbeat is late), got 2s with an interval of 2s", error.Message);
    }

    [Theory]
    [InlineData("StableAfter", 0.0, "Cluster.StableAfter must be above zero and at most 24h, got 0ms")]
    [InlineData("StableAfter", 25 * 3_600_000.0, "Cluster.StableAfter must be above zero and at most 24h, got 25h")]
    [InlineData("HeartbeatInterval", -1_000.0, "Cluster.HeartbeatInterval must be above zero and at most 24h, got -1s")]
    [InlineData("HeartbeatInterval", 0.5, "Cluster.HeartbeatInterval must be whole milliseconds, got 0.5ms")]
    [InlineData("AcceptableHeartbeatPause", 0.0, "Cluster.AcceptableHeartbeatPause must be above zero and at most 24h, got 0ms")]
    [InlineData("AcceptableHeartbeatPause", 3 * 86_400_000.0, "Cluster.AcceptableHeartbeatPause must be above zero and at most 24h, got 3d")]
    [InlineData("DownRemovalMargin", 0.0, "Cluster.DownRemovalMargin must be above zero: Akka reads a zero down-removal-margin as off, which waits Cluster.StableAfter a second time before starting the scheduler on another node")]
    [InlineData("DownRemovalMargin", -500.0, "Cluster.DownRemovalMargin must be above zero and at most 24h, got -500ms")]
    [InlineData("DownRemovalMargin", 2_500.5, "Cluster.DownRemovalMargin must be whole milliseconds, got 2500.5ms")]
    public void Embedded_a_cluster_timing_run_would_refuse_is_refused_naming_the_property(string property, double milliseconds, string expected)
    {
        var builder = new Akka.Hosting.AkkaConfigurationBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection(), "cluster-test");
        var value = TimeSpan.FromTicks((long)(milliseconds * TimeSpan.TicksPerMillisecond));
        string[] seeds = ["akka.tcp://cluster-test@127.0.0.1:25520"];
        SchedulerClusterOptions cluster = property switch
        {
            "StableAfter" => new() { Port = 25520, SeedNodes = seeds, StableAfter = value },
            "HeartbeatInterval" => new() { Port = 25520, SeedNodes = seeds, HeartbeatInterval = value },
            "AcceptableHeartbeatPause" => new() { Port = 25520, SeedNodes = seeds, AcceptableHeartbeatPause = value },
            _ => new() { Port = 25520, SeedNodes = seeds, DownRemovalMargin = value },
        };

        var error = Assert.Throws<ArgumentException>(() => builder.WithActorScheduler(Options(cluster, journal: Journal)));

        Assert.Equal("Cluster", error.ParamName);
        Assert.Equal($"{expected} (Parameter 'Cluster')", error.Message);
    }

    [Fact]
    public async Task Embedded_a_zero_down_removal_margin_fails_the_host_at_start_with_the_refusal()
    {
        var cluster = new SchedulerClusterOptions { Port = 25520, SeedNodes = ["akka.tcp://embedded-timings@127.0.0.1:25520"], DownRemovalMargin = TimeSpan.Zero };
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("embedded-timings", (akka, _) => akka.WithActorScheduler(Options(cluster, journal: Journal))))
            .Build();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.StartAsync());

        Assert.Equal("Cluster", error.ParamName);
        Assert.StartsWith("Cluster.DownRemovalMargin must be above zero: Akka reads a zero down-removal-margin as off", error.Message);
    }

    [Fact]
    public void The_first_node_seeds_itself_when_no_seed_is_given()
    {
        var cluster = RunCommand.ClusterOf(Args(25520) with { ClusterHostname = "sched-1.example" }, Journal, out var error);

        Assert.Null(error);
        Assert.Equal(["akka.tcp://actorscheduler@sched-1.example:25520"], cluster!.SeedNodes);
    }

    [Fact]
    public async Task The_executable_takes_the_cluster_options_and_refuses_a_malformed_seed_on_one_line()
    {
        using var run = EndToEnd.SchedulerProcess.Launch(0, ["run", Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"),
            "--data-dir", Path.Combine(_dir, "data"), "--api-port", "0", "--master", "http://127.0.0.1:1", "--journal-connection", Journal,
            "--cluster-port", "25520", "--cluster-hostname", "127.0.0.1", "--cluster-seed", "akka.tcp://actorscheduler@127.0.0.1:25520", "--cluster-seed", "nonsense"]);

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("error: --cluster-seed expects a node address such as akka.tcp://actorscheduler@host:port, got 'nonsense'", run.Output.Trim());
    }

    [Fact]
    public async Task The_executable_refuses_a_malformed_api_advertise_url_on_one_line()
    {
        using var run = EndToEnd.SchedulerProcess.Launch(0, ["run", Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"),
            "--data-dir", Path.Combine(_dir, "data"), "--api-port", "0", "--api-advertise-url", "10.0.0.11:8080"]);

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("error: --api-advertise-url expects the http:// or https:// URL other machines reach this node's API at, such as http://10.0.0.11:8080/ (no query), got '10.0.0.11:8080'", run.Output.Trim());
    }

    [Fact]
    public void Embedded_clustered_without_a_journal_connection_is_refused_when_configured()
    {
        var builder = new Akka.Hosting.AkkaConfigurationBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection(), "cluster-test");

        var error = Assert.Throws<ArgumentException>(() => builder.WithActorScheduler(Options(new SchedulerClusterOptions { Port = 25520, SeedNodes = ["akka.tcp://cluster-test@127.0.0.1:25520"] }, journal: null)));

        Assert.Equal("JournalConnection", error.ParamName);
        Assert.StartsWith("Cluster needs JournalConnection: the scheduler nodes must share one PostgreSQL journal", error.Message);
    }

    [Theory]
    [InlineData(25520, "", "Cluster.SeedNodes is empty: list the nodes to join, or this node's own address to form the cluster the others join")]
    [InlineData(0, "akka.tcp://cluster-test@127.0.0.1:25520", "Cluster.Port must be in 1-65535, got 0")]
    [InlineData(25520, "cluster-test@127.0.0.1:25520", "Cluster.SeedNodes expects a node address such as akka.tcp://actorscheduler@host:port, got 'cluster-test@127.0.0.1:25520'")]
    public void Embedded_cluster_options_that_cannot_run_are_refused_naming_the_setting(int port, string seed, string expected)
    {
        var builder = new Akka.Hosting.AkkaConfigurationBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection(), "cluster-test");
        var cluster = new SchedulerClusterOptions { Port = port, SeedNodes = seed.Length == 0 ? [] : [seed] };

        var error = Assert.Throws<ArgumentException>(() => builder.WithActorScheduler(Options(cluster, journal: Journal)));

        Assert.Equal("Cluster", error.ParamName);
        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void The_cluster_settings_are_keep_majority_with_the_failure_detector_and_removal_margin_given()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(new SchedulerClusterOptions
        {
            Port = 25520,
            StableAfter = TimeSpan.FromSeconds(2),
            AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(2500),
            DownRemovalMargin = TimeSpan.FromMilliseconds(500),
        }));

        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(2), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal(TimeSpan.FromMilliseconds(2500), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.GetTimeSpan("akka.cluster.down-removal-margin"));
    }

    private static RunArguments WithTiming(RunArguments args, string option, string value) => option switch
    {
        "--cluster-stable-after" => args with { ClusterStableAfter = value },
        "--cluster-heartbeat-interval" => args with { ClusterHeartbeatInterval = value },
        "--cluster-heartbeat-pause" => args with { ClusterHeartbeatPause = value },
        "--cluster-down-removal-margin" => args with { ClusterDownRemovalMargin = value },
        _ => throw new ArgumentOutOfRangeException(nameof(option), option, null),
    };

    private static ActorSchedulerOptions Options(SchedulerClusterOptions cluster, string? journal) => new()
    {
        ServiceName = "hello-world",
        RenderedSpec = "name: hello-world\npods:\n  hello:\n    count: 1\n    tasks:\n      server: {goal: RUNNING, cmd: sleep 1, cpus: 0.1, memory: 32}\n",
        MasterUrl = new Uri("http://127.0.0.1:5050"),
        JournalConnection = journal,
        Cluster = cluster,
    };


    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
