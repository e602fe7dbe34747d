using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Pods;

/// <summary>
/// DC/OS goal-state override PAUSED: a paused task is launched with its command replaced by a long sleep and without
/// its health and readiness checks (they would fail against the sleep and get it killed), on the same resources and
/// volumes, so an operator can inspect or repair its sandbox. Pure.
/// </summary>
public static class PauseOverride
{
    /// <summary>The command a paused task runs (DC/OS <c>PAUSE_OVERRIDE_CMD</c>).</summary>
    public const string SleepCommand = "echo \"This task is PAUSED\" && sleep 1000000000";

    /// <summary>
    /// Resolves the task names an operator named for <c>pod pause|resume</c> against the pod's tasks: either the name
    /// within the pod (<c>server</c>) or the full task name (<c>hello-0-server</c>); none named means all of them.
    /// </summary>
    /// <returns>The names within the pod, or the first name that is not one of its tasks.</returns>
    public static (ImmutableArray<string> Tasks, string? Unknown) Resolve(string podInstance, IReadOnlyCollection<string> podTasks, IEnumerable<string>? named)
    {
        var requested = named?.ToList() ?? new List<string>();
        if (requested.Count == 0)
        {
            return (podTasks.Order(StringComparer.Ordinal).ToImmutableArray(), null);
        }

        var resolved = ImmutableArray.CreateBuilder<string>();
        foreach (var name in requested)
        {
            var local = name.StartsWith(podInstance + "-", StringComparison.Ordinal) ? name[(podInstance.Length + 1)..] : name;
            if (!podTasks.Contains(local))
            {
                return (ImmutableArray<string>.Empty, name);
            }

            if (!resolved.Contains(local))
            {
                resolved.Add(local);
            }
        }

        return (resolved.ToImmutable(), null);
    }

    /// <summary>
    /// The tasks (names within the pod, in order) whose live launch does not match their pause override — paused yet
    /// running their command, or resumed yet running the sleep: a <c>pod pause|resume</c> still to be acted on, because
    /// something else drove the pod when it came (another task's recovery, a step on other tasks). An ended launch is
    /// not one: whatever relaunches it applies the override.
    /// </summary>
    public static IReadOnlyList<string> NotApplied(PodInstanceState state) => state.Tasks
        .Where(t => !t.Value.IsTerminal && t.Value.Paused != state.Paused.Contains(t.Key))
        .Select(t => t.Key)
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The pod spec to launch from: <paramref name="pod"/> with the paused tasks' commands replaced by a sleep.</summary>
    public static PodSpec Apply(PodSpec pod, IReadOnlySet<string> paused)
    {
        if (paused.Count == 0 || !pod.Tasks.Any(t => paused.Contains(t.Name)))
        {
            return pod;
        }

        return pod with
        {
            Tasks = pod.Tasks
                .Select(t => paused.Contains(t.Name) ? t with { Command = SleepCommand, HealthCheck = null, ReadinessCheck = null } : t)
                .ToImmutableArray(),
        };
    }
}
