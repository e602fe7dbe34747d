using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Yaml;

/// <summary>Reads a task's <c>health-check</c> and <c>readiness-check</c>; unset timings take Mesos' defaults.</summary>
internal static class CheckMapper
{
    public static HealthCheckSpec? ReadHealth(MappingReader task, MappingContext context)
    {
        var check = Open(task, "health-check", "a health check", SpecKeys.HealthCheck, context);
        if (check is null)
        {
            return null;
        }

        var defaults = new HealthCheckSpec("");
        var cmd = Command(check, context);
        var interval = Seconds(check, "interval", 1, defaults.IntervalSeconds, context);
        var grace = Seconds(check, "grace-period", 0, defaults.GracePeriodSeconds, context);
        var failures = Seconds(check, "max-consecutive-failures", 1, defaults.MaxConsecutiveFailures, context);
        var delay = Seconds(check, "delay", 0, defaults.DelaySeconds, context);
        var timeout = Seconds(check, "timeout", 1, defaults.TimeoutSeconds, context);
        return cmd is null || interval is null || grace is null || failures is null || delay is null || timeout is null
            ? null
            : new HealthCheckSpec(cmd, interval.Value, grace.Value, failures.Value, delay.Value, timeout.Value);
    }

    public static ReadinessCheckSpec? ReadReadiness(MappingReader task, MappingContext context)
    {
        var check = Open(task, "readiness-check", "a readiness check", SpecKeys.ReadinessCheck, context);
        if (check is null)
        {
            return null;
        }

        var defaults = new ReadinessCheckSpec("");
        var cmd = Command(check, context);
        var interval = Seconds(check, "interval", 1, defaults.IntervalSeconds, context);
        var delay = Seconds(check, "delay", 0, defaults.DelaySeconds, context);
        var timeout = Seconds(check, "timeout", 1, defaults.TimeoutSeconds, context);
        return cmd is null || interval is null || delay is null || timeout is null
            ? null
            : new ReadinessCheckSpec(cmd, interval.Value, delay.Value, timeout.Value);
    }

    private static MappingReader? Open(MappingReader task, string key, string what, ImmutableArray<string> keys, MappingContext context)
    {
        var node = task.Optional(key);
        return node is null or ScalarNode { IsNull: true } ? null : MappingReader.Open(node, task.PathOf(key), context, what, keys);
    }

    private static string? Command(MappingReader check, MappingContext context)
    {
        var node = check.Required("cmd", "a shell command that exits 0 when the check passes");
        return node is null ? null : ScalarReader.String(node, check.PathOf("cmd"), context, "a shell command");
    }

    private static int? Seconds(MappingReader check, string key, int minimum, int fallback, MappingContext context)
    {
        var node = check.Optional(key);
        return node is null ? fallback : ScalarReader.Integer(node, check.PathOf(key), context, minimum);
    }
}
