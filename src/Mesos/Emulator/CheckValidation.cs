using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// The master's validation of a task's <c>health_check</c> and <c>check</c>, with its messages; a task that fails it
/// gets TASK_ERROR. A health check without <c>type</c> but with a <c>command</c> is the pre-1.1 form and is taken as
/// COMMAND, as the master has done for backwards compatibility since then. An HTTP or TCP check's port is a required
/// field, so a call without one is refused when it is parsed.
/// </summary>
internal static class CheckValidation
{
    /// <summary>The health check's type, a legacy type-less command check counting as COMMAND.</summary>
    public static HealthCheck.Types.Type TypeOf(HealthCheck check) =>
        check.HasType ? check.Type : check.Command is not null ? HealthCheck.Types.Type.Command : HealthCheck.Types.Type.Unknown;

    /// <summary>Why the task's checks are invalid, or null.</summary>
    public static string? Validate(TaskInfo task)
    {
        if (task.Check is { } check && ValidateCheck(check) is { } checkError)
        {
            return "Task uses invalid check: " + checkError;
        }

        if (task.HealthCheck is { } health && ValidateHealthCheck(health) is { } healthError)
        {
            return "Task uses invalid health check: " + healthError;
        }

        return null;
    }

    public static string? ValidateHealthCheck(HealthCheck check)
    {
        if (!check.HasType && check.Command is null)
        {
            return "HealthCheck must specify 'type'";
        }

        switch (TypeOf(check))
        {
            case HealthCheck.Types.Type.Command:
                if (check.Command is null)
                {
                    return "Expecting 'command' to be set for COMMAND health check";
                }

                if (!check.Command.HasValue)
                {
                    return $"Command health check must contain {CommandKind(check.Command)}";
                }

                if (check.Command.Environment is { } environment && ContainerValidation.ValidateEnvironment(environment) is { } envError)
                {
                    return "Health check's `CommandInfo` is invalid: " + envError;
                }

                break;
            case HealthCheck.Types.Type.Http:
                if (check.Http is null)
                {
                    return "Expecting 'http' to be set for HTTP health check";
                }

                if (check.Http.HasScheme && check.Http.Scheme is not ("http" or "https"))
                {
                    return $"Unsupported HTTP health check scheme: '{check.Http.Scheme}'";
                }

                if (check.Http.HasPath && !check.Http.Path.StartsWith('/'))
                {
                    return $"The path '{check.Http.Path}' of HTTP health check must start with '/'";
                }

                break;
            case HealthCheck.Types.Type.Tcp:
                if (check.Tcp is null)
                {
                    return "Expecting 'tcp' to be set for TCP health check";
                }

                break;
            default:
                return $"'{check.Type.ToString().ToUpperInvariant()}' is not a valid health check type";
        }

        return NonNegative(("delay_seconds", check.HasDelaySeconds, check.DelaySeconds),
            ("grace_period_seconds", check.HasGracePeriodSeconds, check.GracePeriodSeconds),
            ("interval_seconds", check.HasIntervalSeconds, check.IntervalSeconds),
            ("timeout_seconds", check.HasTimeoutSeconds, check.TimeoutSeconds));
    }

    public static string? ValidateCheck(CheckInfo check)
    {
        if (!check.HasType)
        {
            return "CheckInfo must specify 'type'";
        }

        switch (check.Type)
        {
            case CheckInfo.Types.Type.Command:
                if (check.Command is null)
                {
                    return "Expecting 'command' to be set for COMMAND check";
                }

                var command = check.Command.Command_ ?? new CommandInfo();
                if (!command.HasValue)
                {
                    return $"Command check must contain {CommandKind(command)}";
                }

                if (command.Environment is { } environment && ContainerValidation.ValidateEnvironment(environment) is { } envError)
                {
                    return "Check's `CommandInfo` is invalid: " + envError;
                }

                break;
            case CheckInfo.Types.Type.Http:
                if (check.Http is null)
                {
                    return "Expecting 'http' to be set for HTTP check";
                }

                if (check.Http.HasPath && !check.Http.Path.StartsWith('/'))
                {
                    return $"The path '{check.Http.Path}' of HTTP check must start with '/'";
                }

                break;
            case CheckInfo.Types.Type.Tcp:
                if (check.Tcp is null)
                {
                    return "Expecting 'tcp' to be set for TCP check";
                }

                break;
            default:
                return $"'{check.Type.ToString().ToUpperInvariant()}' is not a valid check type";
        }

        return NonNegative(("delay_seconds", check.HasDelaySeconds, check.DelaySeconds),
            ("interval_seconds", check.HasIntervalSeconds, check.IntervalSeconds),
            ("timeout_seconds", check.HasTimeoutSeconds, check.TimeoutSeconds));
    }

    private static string CommandKind(CommandInfo command) => command.Shell ? "'shell command'" : "'executable path'";

    private static string? NonNegative(params (string Name, bool Set, double Value)[] fields) =>
        fields.Where(f => f.Set && f.Value < 0).Select(f => $"Expecting '{f.Name}' to be non-negative").FirstOrDefault();
}
