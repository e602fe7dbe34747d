using System.Net;
using System.Net.Sockets;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>Bad input to <c>run</c>: one clear line, a non-zero exit, nothing started.</summary>
public sealed class RunCommandBadInputTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"actorscheduler-cli-{Guid.NewGuid():N}");

    public RunCommandBadInputTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public async Task A_missing_spec_file_is_one_located_error()
    {
        var (code, error) = await RunAsync(Args(Path.Combine(_dir, "missing.yml")));

        Assert.Equal(1, code);
        Assert.Contains("missing.yml", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task An_unknown_key_is_reported_with_file_line_and_column()
    {
        var spec = Path.Combine(_dir, "svc.yml");
        File.WriteAllText(spec, "name: svc\npods:\n  web:\n    count: 1\n    cuont: 2\n    tasks:\n      server:\n        goal: RUNNING\n        cmd: sleep 1\n        cpus: 0.1\n        memory: 32\n");

        var (code, error) = await RunAsync(Args(spec));

        Assert.Equal(1, code);
        Assert.Contains($"{spec}:5:5", error);
        Assert.Contains("cuont", error);
    }

    [Theory]
    [InlineData("cert", "error: --tls-ca-cert and --tls-ca-key go together: give the CA's certificate and its private key, or neither (the scheduler then generates a CA)")]
    [InlineData("missing", "error: --tls-ca-cert: {dir}/absent.crt: cannot read the CA certificate: ")]
    [InlineData("garbage", "error: --tls-ca-cert: {dir}/ca.crt, {dir}/ca.key: not a PEM certificate and its unencrypted PEM private key (RSA or EC): ")]
    public async Task A_bad_operator_ca_is_one_located_error(string kind, string expected)
    {
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), "not a certificate");
        File.WriteAllText(Path.Combine(_dir, "ca.key"), "not a key");
        var args = kind switch
        {
            "cert" => Args(HelloWorld) with { TlsCaCertificateFile = Path.Combine(_dir, "ca.crt") },
            "missing" => Args(HelloWorld) with { TlsCaCertificateFile = Path.Combine(_dir, "absent.crt"), TlsCaKeyFile = Path.Combine(_dir, "ca.key") },
            _ => Args(HelloWorld) with { TlsCaCertificateFile = Path.Combine(_dir, "ca.crt"), TlsCaKeyFile = Path.Combine(_dir, "ca.key") },
        };

        var (code, error) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.StartsWith(expected.Replace("{dir}", _dir, StringComparison.Ordinal), error.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task A_claims_per_cycle_below_one_is_refused(int claims)
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { MaxClaimsPerCycle = claims });

        Assert.Equal(2, code);
        Assert.Equal($"error: --claims-per-cycle expects a positive number of pod instances, got '{claims}'", error.Trim());
    }

    [Theory]
    [InlineData("-1", "error: --reservation-sweep-interval expects a duration from 0 to 2147483647s (0: never sweep), got '-1'")]
    [InlineData("-1s", "error: --reservation-sweep-interval expects a duration from 0 to 2147483647s (0: never sweep), got '-1s'")]
    [InlineData("hourly", "error: --reservation-sweep-interval expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), or a number of seconds (0: never sweep), got 'hourly'")]
    [InlineData("1H", "error: --reservation-sweep-interval expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), or a number of seconds (0: never sweep), got '1H'")]
    [InlineData("0.5ms", "error: --reservation-sweep-interval expects a duration of whole milliseconds (1.5s, not 0.5ms) (0: never sweep), got '0.5ms'")]
    public async Task A_reservation_sweep_interval_below_zero_or_no_duration_is_refused(string value, string expected)
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { ReservationSweepInterval = value });

        Assert.Equal(2, code);
        Assert.Equal(expected, error.Trim());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-60")]
    [InlineData("0s")]
    [InlineData("500ms")]
    [InlineData("2147483648")]
    [InlineData("24856d")]
    public async Task A_registry_max_agent_age_under_a_second_or_beyond_what_it_took_is_refused(string value)
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { RegistryMaxAgentAge = value });

        Assert.Equal(2, code);
        Assert.Equal($"error: --registry-max-agent-age expects a duration of at least 1s and at most 2147483647s (the master's --registry_max_agent_age), got '{value}'", error.Trim());
    }

    /// <summary>The executable itself: a value that is no duration is one line naming the option; --help lists it with the format.</summary>
    [Fact]
    public async Task A_registry_max_agent_age_that_is_no_duration_is_one_line_and_help_lists_the_option_with_the_format()
    {
        var (code, output, error) = await CliProcess.RunAsync("run", HelloWorld, "--data-dir", Path.Combine(_dir, "data"), "--registry-max-agent-age", "2weeks");

        Assert.Equal(2, code);
        Assert.Equal("error: --registry-max-agent-age expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), or a number of seconds (the master's --registry_max_agent_age), got '2weeks'", error.Trim());
        Assert.Empty(output);

        (code, output, _) = await CliProcess.RunAsync("run", "--help");
        var help = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

        Assert.Equal(0, code);
        const string format = "A duration, a number and its unit ms, s, m, h or d (90s, 5m, 1.5h, 2d), or a number of seconds";
        Assert.Matches(@"--registry-max-agent-age <registry-max-agent-age> How long the master keeps an unreachable agent .*" + System.Text.RegularExpressions.Regex.Escape(format) + @"; 1s or more\. \[default: 14d\]", help);
        Assert.Matches(@"--reservation-sweep-interval <reservation-sweep-interval> The time between sweeps .*" + System.Text.RegularExpressions.Regex.Escape(format) + @"\. 0: never\. \[default: 1h\]", help);
        Assert.Matches(@"--permanent-failure-timeout <permanent-failure-timeout> How long a RUNNING-goal task may stay failed .*" + System.Text.RegularExpressions.Regex.Escape(format) + @"; 1s or more\. Default: never\.", help);
    }

    /// <summary>
    /// The executable itself takes each form, bare seconds as before and numbers with their units: with every one of
    /// them given, the refusal is that of the option checked after them, --fitness.
    /// </summary>
    [Theory]
    [InlineData("600", "0", "1209600")]
    [InlineData("90s", "1.5h", "2d")]
    [InlineData("1.5m", "0s", "14d")]
    public async Task The_executable_takes_the_duration_options_bare_in_seconds_and_with_their_units(string permanent, string sweep, string registry)
    {
        var (code, output, error) = await CliProcess.RunAsync("run", HelloWorld, "--data-dir", Path.Combine(_dir, "data"),
            "--permanent-failure-timeout", permanent, "--reservation-sweep-interval", sweep, "--registry-max-agent-age", registry, "--fitness", "best-fit");

        Assert.Equal(2, code);
        Assert.Equal("error: --fitness expects one of binpack, spread, first-fit, got 'best-fit'", error.Trim());
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("600", null, null, 600_000L, 3_600_000L, 1_209_600_000L)]
    [InlineData("90s", "0", "1", 90_000L, 0L, 1_000L)]
    [InlineData("1.5h", "30m", "2d", 5_400_000L, 1_800_000L, 172_800_000L)]
    [InlineData("1", "0ms", "1.5", 1_000L, 0L, 1_500L)]
    [InlineData(null, "2147483647", "2147483647s", null, 2_147_483_647_000L, 2_147_483_647_000L)]
    public void The_duration_options_are_read_bare_as_seconds_and_with_their_units_as_written(
        string? permanent, string? sweep, string? registry, long? permanentMs, long sweepMs, long registryMs)
    {
        var durations = RunCommand.DurationsOf(Args(HelloWorld) with { PermanentFailureTimeout = permanent, ReservationSweepInterval = sweep, RegistryMaxAgentAge = registry }, out var error);

        Assert.Null(error);
        Assert.Equal(
            new RunDurations(permanentMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, TimeSpan.FromMilliseconds(sweepMs), TimeSpan.FromMilliseconds(registryMs)),
            durations);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("999ms")]
    public async Task A_permanent_failure_timeout_under_a_second_is_refused(string value)
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { PermanentFailureTimeout = value });

        Assert.Equal(2, code);
        Assert.Equal($"error: --permanent-failure-timeout expects a duration of at least 1s and at most 2147483647s (leave it out to never replace), got '{value}'", error.Trim());
    }

    [Fact]
    public async Task A_permanent_failure_timeout_that_is_no_duration_is_refused_saying_a_bare_number_is_seconds()
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { PermanentFailureTimeout = "10 min" });

        Assert.Equal(2, code);
        Assert.Equal("error: --permanent-failure-timeout expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), or a number of seconds (leave it out to never replace), got '10 min'", error.Trim());
    }

    [Theory]
    [InlineData(99999)]
    [InlineData(-1)]
    public async Task An_api_port_out_of_range_is_refused(int port)
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { ApiPort = port });

        Assert.Equal(2, code);
        Assert.Equal($"error: --api-port expects a port from 0 to 65535, got '{port}'", error.Trim());
    }

    [Theory]
    [InlineData(70000)]
    [InlineData(-2)]
    public async Task A_master_port_out_of_range_is_refused_naming_the_option(int port)
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { MasterPort = port });

        Assert.Equal(2, code);
        Assert.Equal($"error: --master-port expects a port from 0 to 65535, got '{port}'", error.Trim());
    }

    [Fact]
    public async Task A_negative_agent_count_is_refused_naming_the_option()
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { Agents = -1 });

        Assert.Equal(2, code);
        Assert.Equal("error: --agents expects a number of agents >= 0, got '-1'", error.Trim());
    }

    [Fact]
    public async Task A_negative_count_of_offer_decisions_kept_is_refused()
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { OfferDecisionRecordsKept = -5 });

        Assert.Equal(2, code);
        Assert.Equal("error: --offer-decisions-kept expects a number of records >= 0 (0: keep every one), got '-5'", error.Trim());
    }

    [Fact]
    public async Task An_unknown_fitness_is_refused_with_the_names_it_takes()
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { Fitness = "best-fit" });

        Assert.Equal(2, code);
        Assert.Equal("error: --fitness expects one of binpack, spread, first-fit, got 'best-fit'", error.Trim());
    }

    [Fact]
    public async Task An_unknown_offer_holding_is_refused_with_the_names_it_takes()
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { OfferHolding = "always" });

        Assert.Equal(2, code);
        Assert.Equal("error: --offer-holding expects one of backlog, none, got 'always'", error.Trim());
    }

    [Fact]
    public async Task Fewer_than_one_pod_decommissioned_at_once_is_refused()
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { DecommissionParallelism = 0 });

        Assert.Equal(2, code);
        Assert.Equal("error: --decommission-parallelism expects a positive number of pod instances, got '0'", error.Trim());
    }

    [Fact]
    public async Task Fewer_than_one_fitness_candidate_is_refused()
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { FitnessCandidates = 0 });

        Assert.Equal(2, code);
        Assert.Equal("error: --fitness-candidates expects a positive number of offers, got '0'", error.Trim());
    }

    [Fact]
    public async Task A_bad_statsd_port_is_refused_before_anything_starts()
    {
        var variables = new Dictionary<string, string> { ["STATSD_UDP_HOST"] = "127.0.0.1", ["STATSD_UDP_PORT"] = "udp" };
        var (code, error) = await RunAsync(Args(HelloWorld) with { EnvironmentVariable = name => variables.GetValueOrDefault(name) });

        Assert.Equal(2, code);
        Assert.Equal("error: STATSD_UDP_PORT expects a UDP port number 1–65535, got 'udp'", error.Trim());
    }

    [Fact]
    public async Task A_malformed_override_is_refused()
    {
        var (code, error) = await RunAsync(Args(HelloWorld, "-o", "NOEQUALS"));

        Assert.Equal(2, code);
        Assert.Equal("error: -o expects KEY=VALUE, got 'NOEQUALS'", error.Trim());
    }

    [Fact]
    public async Task An_api_port_in_use_is_refused_before_anything_starts()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var (code, error) = await RunAsync(Args(HelloWorld) with { ApiPort = port });

        Assert.Equal(2, code);
        Assert.Equal($"error: --api-port: port {port} on 127.0.0.1 is already in use", error.Trim());
    }

    [Fact]
    public async Task A_master_port_in_use_is_refused_with_one_line()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var (code, error) = await RunAsync(Args(HelloWorld) with { MasterPort = port });

        Assert.Equal(2, code);
        Assert.Equal($"error: port {port} on 127.0.0.1 is already in use", error.Trim());
    }

    [Fact]
    public async Task The_same_port_for_the_api_and_the_embedded_emulator_is_refused()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var (code, error) = await RunAsync(Args(HelloWorld) with { ApiPort = port, MasterPort = port });

        Assert.Equal(2, code);
        Assert.Equal($"error: --api-port and --master-port are both {port}: the API and the embedded Mesos emulator need a port each", error.Trim());
    }

    [Fact]
    public async Task An_unwritable_data_dir_is_refused()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a directory");

        var (code, error) = await RunAsync(Args(HelloWorld) with { DataDir = Path.Combine(file, "data") });

        // Was "… is not writable: Could not find a part of the path '…/a-file/data'."
        Assert.Equal(2, code);
        Assert.Equal($"error: data dir '{Path.Combine(file, "data")}' cannot be created: '{file}' is a file, not a directory", error.Trim());
    }

    [Fact]
    public async Task A_data_dir_that_is_a_file_is_said_to_be_one()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a directory");

        var (code, error) = await RunAsync(Args(HelloWorld) with { DataDir = file });

        // Was "… is not writable: The file '…' already exists."
        Assert.Equal(2, code);
        Assert.Equal($"error: data dir '{file}' is a file, not a directory", error.Trim());
    }

    [Fact]
    public async Task Mesos_local_on_a_data_dir_that_is_a_file_is_said_to_be_one_with_exit_2()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a directory");
        var (output, error) = (new StringWriter(), new StringWriter());

        var code = await ActorScheduler.Mesos.MesosLocalCommand.RunAsync(
            new ActorScheduler.Mesos.Emulator.MesosEmulatorOptions { Port = 0, Agents = 1, DataDir = file }, output, CancellationToken.None, error);

        // Was "data dir … is not writable (Could not find a part of the path '…/agents'.)".
        Assert.Equal(2, code);
        Assert.Equal($"error: data dir '{file}' is a file, not a directory", error.ToString().Trim());
    }

    [Theory]
    [InlineData("localhost:5050")]
    [InlineData("ftp://127.0.0.1:5050")]
    [InlineData("not a url")]
    public async Task A_master_that_is_no_http_url_is_refused(string master)
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { Master = master });

        Assert.Equal(2, code);
        Assert.Equal($"error: --master expects an http:// or https:// URL such as http://127.0.0.1:5050, got '{master}'", error.Trim());
    }

    [Fact]
    public async Task An_api_host_that_is_no_address_is_refused()
    {
        var (code, error) = await RunAsync(Args(HelloWorld) with { ApiHost = "example.com" });

        Assert.Equal(2, code);
        Assert.Equal("error: --api-host expects an IP address such as 127.0.0.1 or 0.0.0.0, got 'example.com'", error.Trim());
    }

    [Fact]
    public async Task A_data_dir_held_by_another_scheduler_is_refused()
    {
        var dataDir = Path.Combine(_dir, "data");
        Directory.CreateDirectory(dataDir);
        using var held = DataDir.Lock(dataDir, out _);
        Assert.NotNull(held);

        var (code, error) = await RunAsync(Args(HelloWorld));

        Assert.Equal(2, code);
        Assert.Equal($"error: data dir '{dataDir}' is in use by another actorscheduler (pid {Environment.ProcessId})", error.Trim());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_data_dir_whose_lock_is_another_users_is_refused_naming_that_not_called_a_bug()
    {
        var dataDir = Path.Combine(_dir, "data");
        Directory.CreateDirectory(dataDir);
        File.WriteAllText(Path.Combine(dataDir, "lock"), string.Empty);
        File.SetUnixFileMode(Path.Combine(dataDir, "lock"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var expected = $"error: data dir '{dataDir}' is another user's: Access to the path '{Path.Combine(dataDir, "lock")}' is denied. "
                       + "Run as the user that owns it, or give this one write access to it";
        if (!Environment.IsPrivilegedProcess)
        {
            var (code, error) = await RunAsync(Args(HelloWorld));
            Assert.Equal(2, code);
            Assert.Equal(expected, error.Trim());
            return;
        }

        // Root opens whatever the mode says: the lock stays root's, and run runs as nobody (setpriv). Was exit 70, "a bug".
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(dataDir, (UnixFileMode)0b111_111_111);
        var run = await CliProcess.RunAsNobodyAsync(_dir, "run", HelloWorld, "--data-dir", dataDir, "--api-port", "0", "--master", "http://127.0.0.1:1");
        Assert.Equal(2, run.Code);
        Assert.Equal(expected, run.Error.Trim());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string HelloWorld => Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml");

    private RunArguments Args(string spec, params string[] overrides) =>
        new(spec, overrides.Where((_, i) => i % 2 == 1).ToList(), Path.Combine(_dir, "data"), 0, 0, 1, null, false);

    private static async Task<(int Code, string Error)> RunAsync(RunArguments args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(args, output, error, CancellationToken.None);
        return (code, error.ToString());
    }
}
