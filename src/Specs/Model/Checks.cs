namespace ActorScheduler.Specs.Model;

/// <summary>
/// A command health check (<c>health-check</c>): after <see cref="GracePeriodSeconds"/>, <see cref="MaxConsecutiveFailures"/>
/// failures in a row get the task killed, and recovery relaunches it. Defaults are Mesos' own.
/// </summary>
public sealed record HealthCheckSpec(
    string Command,
    int IntervalSeconds = 10,
    int GracePeriodSeconds = 10,
    int MaxConsecutiveFailures = 3,
    int DelaySeconds = 15,
    int TimeoutSeconds = 20);

/// <summary>
/// A command readiness check (<c>readiness-check</c>): a RUNNING task's step is only COMPLETE once the command has
/// exited 0. Defaults are Mesos' own check defaults.
/// </summary>
public sealed record ReadinessCheckSpec(
    string Command,
    int IntervalSeconds = 10,
    int DelaySeconds = 15,
    int TimeoutSeconds = 20);
