using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>The pure decisions behind the agents' health checks and checks, on explicit timestamps.</summary>
public sealed class CheckTrackerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => Start + TimeSpan.FromSeconds(seconds);

    [Fact]
    public void The_first_health_check_runs_after_the_delay_and_the_next_one_interval_after_each_result()
    {
        var tracker = new HealthCheckTracker(new HealthCheck { DelaySeconds = 5, IntervalSeconds = 2, TimeoutSeconds = 0 }, Start);

        Assert.Equal(At(5), tracker.Timing.NextRun);
        Assert.Null(tracker.Timing.Timeout);
        tracker.OnResult(true, At(5.5));
        Assert.Equal(At(7.5), tracker.Timing.NextRun);
    }

    [Fact]
    public void Mesos_defaults_apply_when_fields_are_unset()
    {
        var tracker = new HealthCheckTracker(new HealthCheck(), Start);

        Assert.Equal(At(15), tracker.Timing.NextRun);
        Assert.Equal(TimeSpan.FromSeconds(20), tracker.Timing.Timeout);
    }

    [Fact]
    public void Huge_or_negative_durations_neither_overflow_nor_go_back_in_time()
    {
        var huge = new HealthCheckTracker(new HealthCheck { DelaySeconds = 1e300, TimeoutSeconds = 1e300, GracePeriodSeconds = 1e300, IntervalSeconds = 1e300 }, Start);
        Assert.True(huge.Timing.NextRun > At(1e9));
        Assert.Null(huge.OnResult(false, At(1)));

        var negative = new CheckTracker(new CheckInfo { Type = CheckInfo.Types.Type.Command, DelaySeconds = -5, TimeoutSeconds = -1 }, Start);
        Assert.Equal(Start, negative.Timing.NextRun);
        Assert.Null(negative.Timing.Timeout);
    }

    [Fact]
    public void Failures_in_the_grace_period_are_ignored_until_the_first_success()
    {
        var tracker = new HealthCheckTracker(new HealthCheck { GracePeriodSeconds = 10, ConsecutiveFailures = 1 }, Start);

        Assert.Null(tracker.OnResult(false, At(3)));
        Assert.Null(tracker.OnResult(false, At(10)));
        Assert.Equal(new HealthVerdict(true, false, 0), tracker.OnResult(true, At(11)));

        // Healthy once, the grace period no longer shields it; past it a failure counts anyway.
        var healthyEarly = new HealthCheckTracker(new HealthCheck { GracePeriodSeconds = 10, ConsecutiveFailures = 3 }, Start);
        healthyEarly.OnResult(true, At(1));
        Assert.Equal(new HealthVerdict(false, false, 1), healthyEarly.OnResult(false, At(2)));
        var late = new HealthCheckTracker(new HealthCheck { GracePeriodSeconds = 10, ConsecutiveFailures = 3 }, Start);
        Assert.Equal(new HealthVerdict(false, false, 1), late.OnResult(false, At(10.5)));
    }

    [Fact]
    public void Every_counted_failure_is_reported_and_the_one_reaching_the_limit_asks_for_the_kill()
    {
        var tracker = new HealthCheckTracker(new HealthCheck { GracePeriodSeconds = 0, ConsecutiveFailures = 3 }, Start);

        Assert.Equal(new HealthVerdict(true, false, 0), tracker.OnResult(true, At(1)));
        Assert.Null(tracker.OnResult(true, At(2)));
        Assert.Equal(new HealthVerdict(false, false, 1), tracker.OnResult(false, At(3)));
        Assert.Equal(new HealthVerdict(false, false, 2), tracker.OnResult(false, At(4)));
        Assert.Equal(new HealthVerdict(true, false, 0), tracker.OnResult(true, At(5)));
        Assert.Equal(new HealthVerdict(false, false, 1), tracker.OnResult(false, At(6)));
        Assert.Equal(new HealthVerdict(false, false, 2), tracker.OnResult(false, At(7)));
        Assert.Equal(new HealthVerdict(false, true, 3), tracker.OnResult(false, At(8)));
    }

    [Fact]
    public void A_check_reports_only_changes_starting_from_an_empty_status()
    {
        var check = CommandCheck("true");
        var tracker = new CheckTracker(check, Start);

        Assert.Equal(new CheckStatusInfo { Type = CheckInfo.Types.Type.Command, Command = new CheckStatusInfo.Types.Command() }, tracker.Last);
        Assert.Null(tracker.OnResult(null, At(1)));
        Assert.Equal(1, tracker.OnResult(Exit(1), At(2))!.Command.ExitCode);
        Assert.Null(tracker.OnResult(Exit(1), At(3)));
        Assert.Equal(0, tracker.OnResult(Exit(0), At(4))!.Command.ExitCode);
        var timedOut = tracker.OnResult(null, At(5))!;
        Assert.False(timedOut.Command.HasExitCode);
        Assert.Equal(At(5) + TimeSpan.FromSeconds(10), tracker.Timing.NextRun);
    }

    [Theory]
    [InlineData(200u, null)]
    [InlineData(302u, null)]
    [InlineData(399u, null)]
    [InlineData(199u, "Unexpected HTTP response code: 199")]
    [InlineData(400u, "Unexpected HTTP response code: 400 Bad Request")]
    [InlineData(503u, "Unexpected HTTP response code: 503 Service Unavailable")]
    public void An_HTTP_health_check_passes_on_200_to_399_as_the_default_executors_read_it(uint code, string? failure)
    {
        var status = new CheckStatusInfo { Type = CheckInfo.Types.Type.Http, Http = new CheckStatusInfo.Types.Http { StatusCode = code } };

        Assert.Equal(failure, HealthCheckTracker.FailureOf(status));
    }

    [Fact]
    public void A_TCP_or_command_health_check_passes_on_a_connection_or_exit_code_0()
    {
        Assert.Null(HealthCheckTracker.FailureOf(new CheckStatusInfo { Type = CheckInfo.Types.Type.Tcp, Tcp = new CheckStatusInfo.Types.Tcp { Succeeded = true } }));
        Assert.Equal("TCP connection failed", HealthCheckTracker.FailureOf(new CheckStatusInfo { Type = CheckInfo.Types.Type.Tcp, Tcp = new CheckStatusInfo.Types.Tcp() }));
        Assert.Null(HealthCheckTracker.FailureOf(Exit(0)));
        Assert.Equal("Command returned exit status 2", HealthCheckTracker.FailureOf(Exit(2)));
    }

    [Fact]
    public void An_HTTP_or_TCP_check_without_a_port_is_a_call_missing_a_required_field()
    {
        TaskInfo Task() => new() { Name = "t", TaskId = new TaskID { Value = "t" }, AgentId = new AgentID { Value = "a" } };
        var http = Task();
        http.HealthCheck = new HealthCheck { Type = HealthCheck.Types.Type.Http, Http = new HealthCheck.Types.HTTPCheckInfo() };
        var tcp = Task();
        tcp.Check = new CheckInfo { Type = CheckInfo.Types.Type.Tcp, Tcp = new CheckInfo.Types.Tcp() };

        Assert.True(Task().IsInitialized());
        Assert.False(http.IsInitialized());
        Assert.False(tcp.IsInitialized());
        http.HealthCheck.Http.Port = 80;
        Assert.True(http.IsInitialized());
    }

    [Theory]
    [InlineData("no-type", "Task uses invalid check: CheckInfo must specify 'type'")]
    [InlineData("unknown-type", "Task uses invalid check: 'UNKNOWN' is not a valid check type")]
    [InlineData("no-command", "Task uses invalid check: Expecting 'command' to be set for COMMAND check")]
    [InlineData("no-value", "Task uses invalid check: Command check must contain 'shell command'")]
    [InlineData("negative-interval", "Task uses invalid check: Expecting 'interval_seconds' to be non-negative")]
    [InlineData("health-no-type", "Task uses invalid health check: HealthCheck must specify 'type'")]
    [InlineData("health-no-command", "Task uses invalid health check: Expecting 'command' to be set for COMMAND health check")]
    [InlineData("health-exec-no-value", "Task uses invalid health check: Command health check must contain 'executable path'")]
    [InlineData("health-negative-grace", "Task uses invalid health check: Expecting 'grace_period_seconds' to be non-negative")]
    [InlineData("health-bad-path", "Task uses invalid health check: The path 'x' of HTTP health check must start with '/'")]
    [InlineData("health-bad-scheme", "Task uses invalid health check: Unsupported HTTP health check scheme: 'ftp'")]
    [InlineData("health-no-tcp", "Task uses invalid health check: Expecting 'tcp' to be set for TCP health check")]
    [InlineData("bad-path", "Task uses invalid check: The path 'ready' of HTTP check must start with '/'")]
    [InlineData("no-http", "Task uses invalid check: Expecting 'http' to be set for HTTP check")]
    [InlineData("health-http", null)]
    [InlineData("health-tcp", null)]
    [InlineData("http", null)]
    [InlineData("tcp", null)]
    [InlineData("legacy", null)]
    [InlineData("valid", null)]
    public void The_master_validates_checks_with_its_messages(string variant, string? expected)
    {
        var task = new TaskInfo { Name = "t", TaskId = new TaskID { Value = "t" } };
        switch (variant)
        {
            case "no-type":
                task.Check = new CheckInfo();
                break;
            case "unknown-type":
                task.Check = new CheckInfo { Type = CheckInfo.Types.Type.Unknown };
                break;
            case "no-command":
                task.Check = new CheckInfo { Type = CheckInfo.Types.Type.Command };
                break;
            case "no-value":
                task.Check = new CheckInfo { Type = CheckInfo.Types.Type.Command, Command = new CheckInfo.Types.Command { Command_ = new CommandInfo() } };
                break;
            case "negative-interval":
                task.Check = CommandCheck("true");
                task.Check.IntervalSeconds = -1;
                break;
            case "health-no-type":
                task.HealthCheck = new HealthCheck();
                break;
            case "health-no-command":
                task.HealthCheck = new HealthCheck { Type = HealthCheck.Types.Type.Command };
                break;
            case "health-exec-no-value":
                task.HealthCheck = new HealthCheck { Type = HealthCheck.Types.Type.Command, Command = new CommandInfo { Shell = false } };
                break;
            case "health-negative-grace":
                task.HealthCheck = new HealthCheck { Type = HealthCheck.Types.Type.Command, Command = new CommandInfo { Value = "true" }, GracePeriodSeconds = -1 };
                break;
            case "health-bad-path":
                task.HealthCheck = new HealthCheck { Type = HealthCheck.Types.Type.Http, Http = new HealthCheck.Types.HTTPCheckInfo { Port = 80, Path = "x" } };
                break;
            case "health-http":
                task.HealthCheck = new HealthCheck { Type = HealthCheck.Types.Type.Http, Http = new HealthCheck.Types.HTTPCheckInfo { Port = 80 } };
                break;
            case "health-bad-scheme":
                task.HealthCheck = new HealthCheck { Type = HealthCheck.Types.Type.Http, Http = new HealthCheck.Types.HTTPCheckInfo { Port = 80, Scheme = "ftp" } };
                break;
            case "health-no-tcp":
                task.HealthCheck = new HealthCheck { Type = HealthCheck.Types.Type.Tcp };
                break;
            case "bad-path":
                task.Check = new CheckInfo { Type = CheckInfo.Types.Type.Http, Http = new CheckInfo.Types.Http { Port = 80, Path = "ready" } };
                break;
            case "no-http":
                task.Check = new CheckInfo { Type = CheckInfo.Types.Type.Http };
                break;
            case "health-tcp":
                task.HealthCheck = new HealthCheck { Type = HealthCheck.Types.Type.Tcp, Tcp = new HealthCheck.Types.TCPCheckInfo { Port = 80 } };
                break;
            case "http":
                task.Check = new CheckInfo { Type = CheckInfo.Types.Type.Http, Http = new CheckInfo.Types.Http { Port = 80, Path = "/" } };
                break;
            case "tcp":
                task.Check = new CheckInfo { Type = CheckInfo.Types.Type.Tcp, Tcp = new CheckInfo.Types.Tcp { Port = 80 } };
                break;
            case "legacy":
                task.HealthCheck = new HealthCheck { Command = new CommandInfo { Value = "true" } };
                Assert.Equal(HealthCheck.Types.Type.Command, CheckValidation.TypeOf(task.HealthCheck));
                break;
            default:
                task.Check = CommandCheck("true");
                task.HealthCheck = new HealthCheck { Type = HealthCheck.Types.Type.Command, Command = new CommandInfo { Value = "true" } };
                break;
        }

        Assert.Equal(expected, CheckValidation.Validate(task));
    }

    private static CheckStatusInfo Exit(int code) =>
        new() { Type = CheckInfo.Types.Type.Command, Command = new CheckStatusInfo.Types.Command { ExitCode = code } };

    private static CheckInfo CommandCheck(string command) => new()
    {
        Type = CheckInfo.Types.Type.Command,
        Command = new CheckInfo.Types.Command { Command_ = new CommandInfo { Value = command } },
    };
}
