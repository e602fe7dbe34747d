using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;
using Microsoft.AspNetCore.WebUtilities;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// When a periodic check runs and how long one run may take: the first run <c>delay</c> after the task started,
/// each later one <c>interval</c> after the previous result; a <c>timeout</c> of 0 means none (Mesos' checkers).
/// </summary>
internal sealed class CheckTiming
{
    // Capped so that adding a duration to a timestamp cannot overflow.
    private static readonly TimeSpan Longest = TimeSpan.FromDays(36500);

    private readonly TimeSpan _interval;

    public CheckTiming(double delaySeconds, double intervalSeconds, double timeoutSeconds, DateTimeOffset taskStarted)
    {
        _interval = Seconds(intervalSeconds);
        Timeout = Seconds(timeoutSeconds) is { } timeout && timeout > TimeSpan.Zero ? timeout : null;
        NextRun = taskStarted + Seconds(delaySeconds);
    }

    /// <summary>When the next run is due.</summary>
    public DateTimeOffset NextRun { get; private set; }

    /// <summary>How long one run may take before it is killed and counted as failed; null for no limit.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>A run ended at <paramref name="now"/>: the next is due one interval later.</summary>
    public void Ran(DateTimeOffset now) => NextRun = now + _interval;

    /// <summary>A protobuf seconds field as a duration: negative, NaN or absent is zero, and huge values are capped.</summary>
    public static TimeSpan Seconds(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 ? TimeSpan.FromSeconds(Math.Min(seconds, Longest.TotalSeconds)) : TimeSpan.Zero;
}

/// <summary>What a health-check result asks the executor to do.</summary>
/// <param name="Healthy">The health to report in a TASK_RUNNING update.</param>
/// <param name="KillTask">The consecutive failures reached the limit: kill the task.</param>
/// <param name="ConsecutiveFailures">Failures in a row so far (0 when healthy).</param>
internal readonly record struct HealthVerdict(bool Healthy, bool KillTask, int ConsecutiveFailures);

/// <summary>
/// The decisions of Mesos' health checker for one task, as a pure state machine: failures within the grace period
/// are ignored until the task was healthy once; each counted failure is reported (unhealthy), and the one that
/// reaches <c>consecutive_failures</c> asks for the kill; a success is reported on the first success and on the
/// first one after failures.
/// </summary>
internal sealed class HealthCheckTracker
{
    private readonly TimeSpan _gracePeriod;
    private readonly uint _maxFailures;
    private readonly DateTimeOffset _started;
    private bool _initializing = true;

    public HealthCheckTracker(HealthCheck check, DateTimeOffset taskStarted)
    {
        Timing = new CheckTiming(check.DelaySeconds, check.IntervalSeconds, check.TimeoutSeconds, taskStarted);
        _gracePeriod = CheckTiming.Seconds(check.GracePeriodSeconds);
        _maxFailures = check.ConsecutiveFailures;
        _started = taskStarted;
    }

    public CheckTiming Timing { get; }

    public int ConsecutiveFailures { get; private set; }

    /// <summary>
    /// Why a health check's run failed, as the default executors read its result (exit code 0, an HTTP status from 200
    /// to 399, a TCP connection), or null when it passed.
    /// </summary>
    public static string? FailureOf(CheckStatusInfo status) => status.Type switch
    {
        CheckInfo.Types.Type.Command when status.Command.ExitCode != 0 => $"Command returned exit status {status.Command.ExitCode}",
        CheckInfo.Types.Type.Http when status.Http.StatusCode is < 200 or >= 400 =>
            $"Unexpected HTTP response code: {status.Http.StatusCode} {ReasonPhrases.GetReasonPhrase((int)status.Http.StatusCode)}".TrimEnd(),
        CheckInfo.Types.Type.Tcp when !status.Tcp.Succeeded => "TCP connection failed",
        _ => null,
    };

    /// <summary>A run ended; returns what to report, or null when nothing is (a repeated success, a failure in grace).</summary>
    public HealthVerdict? OnResult(bool passed, DateTimeOffset now)
    {
        Timing.Ran(now);
        if (passed)
        {
            var report = _initializing || ConsecutiveFailures > 0;
            _initializing = false;
            ConsecutiveFailures = 0;
            return report ? new HealthVerdict(true, false, 0) : null;
        }

        if (_initializing && _gracePeriod > TimeSpan.Zero && now - _started <= _gracePeriod)
        {
            return null;
        }

        ConsecutiveFailures++;
        return new HealthVerdict(false, ConsecutiveFailures >= _maxFailures, ConsecutiveFailures);
    }
}

/// <summary>
/// The decisions of Mesos' checker for one task's <c>CheckInfo</c>: every result is a <c>CheckStatusInfo</c>
/// (a COMMAND check's exit code, an HTTP check's status code, a TCP check's success, or an empty one when the run
/// timed out or could not be performed), and only a result
/// that differs from the previous one is reported. The previous one starts empty, as the first status of a task
/// with a check carries an empty check status.
/// </summary>
internal sealed class CheckTracker
{
    private readonly CheckInfo _check;

    public CheckTracker(CheckInfo check, DateTimeOffset taskStarted)
    {
        _check = check;
        Timing = new CheckTiming(check.DelaySeconds, check.IntervalSeconds, check.TimeoutSeconds, taskStarted);
        Last = Empty(check);
    }

    public CheckTiming Timing { get; }

    /// <summary>The latest result (empty until one is known).</summary>
    public CheckStatusInfo Last { get; private set; }

    /// <summary>A run ended with this status (null: timed out or could not be performed); returns the new status if it changed.</summary>
    public CheckStatusInfo? OnResult(CheckStatusInfo? result, DateTimeOffset now)
    {
        Timing.Ran(now);
        var status = result ?? Empty(_check);

        // Compared as bytes: generated Equals ignores presence, and exit code 0 must differ from no exit code.
        if (status.ToByteString() == Last.ToByteString())
        {
            return null;
        }

        Last = status;
        return status.Clone();
    }

    /// <summary>A check status of the check's type with no result in it.</summary>
    public static CheckStatusInfo Empty(CheckInfo check)
    {
        var status = new CheckStatusInfo { Type = check.Type };
        switch (check.Type)
        {
            case CheckInfo.Types.Type.Command:
                status.Command = new CheckStatusInfo.Types.Command();
                break;
            case CheckInfo.Types.Type.Http:
                status.Http = new CheckStatusInfo.Types.Http();
                break;
            case CheckInfo.Types.Type.Tcp:
                status.Tcp = new CheckStatusInfo.Types.Tcp();
                break;
        }

        return status;
    }
}
