using Google.Protobuf.Reflection;

namespace ActorScheduler.Messages.MesosV1;

/// <summary>Facts about Mesos task states, shared by the scheduler and the emulator.</summary>
public static class TaskStates
{
    private static readonly IReadOnlyDictionary<TaskState, string> WireNames = typeof(TaskState).GetFields()
        .Where(f => f.IsLiteral)
        .ToDictionary(
            f => (TaskState)f.GetValue(null)!,
            f => f.GetCustomAttributes(typeof(OriginalNameAttribute), false).OfType<OriginalNameAttribute>().FirstOrDefault()?.Name ?? f.Name);

    /// <summary>Mesos <c>isTerminalState</c>: UNREACHABLE and UNKNOWN are not terminal.</summary>
    public static bool IsTerminal(TaskState state) => state is TaskState.TaskFinished or TaskState.TaskFailed
        or TaskState.TaskKilled or TaskState.TaskLost or TaskState.TaskError or TaskState.TaskDropped
        or TaskState.TaskGone or TaskState.TaskGoneByOperator;

    /// <summary>The wire name, e.g. TASK_RUNNING.</summary>
    public static string WireName(TaskState state) => WireNames.TryGetValue(state, out var name) ? name : state.ToString();
}
