using System.Globalization;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// What a local agent with memory enforcement (<c>--enforce-memory</c>) allows a task, as Mesos' <c>cgroups/mem</c>
/// isolator does: its <c>mem</c> resources, or its <c>limits.mem</c> when that is larger; an infinite limit is none. A task
/// whose processes use more is killed and fails with <c>REASON_CONTAINER_LIMITATION_MEMORY</c>.
/// </summary>
internal static class MemoryLimit
{
    /// <summary>The bytes <paramref name="task"/> may use, or null when it is not limited.</summary>
    public static long? BytesOf(TaskInfo task)
    {
        double requestMb = 0;
        foreach (var resource in task.Resources)
        {
            if (resource.Name == "mem" && resource.Scalar is { } scalar)
            {
                requestMb += scalar.Value;
            }
        }

        var limitMb = requestMb;
        if (task.Limits.TryGetValue("mem", out var limit))
        {
            if (double.IsPositiveInfinity(limit.Value))
            {
                return null;
            }

            limitMb = Math.Max(limitMb, limit.Value);
        }

        return limitMb > 0 ? (long)(limitMb * 1024 * 1024) : null;
    }

    /// <summary>The status message of a task killed for using <paramref name="usedBytes"/> over <paramref name="limitBytes"/>.</summary>
    public static string Message(long limitBytes, long usedBytes) =>
        $"Memory limit exceeded: Requested: {Megabytes(limitBytes)} Maximum Used: {Megabytes(usedBytes)}";

    /// <summary>The status's <c>limitation</c>: the memory the task was allowed.</summary>
    public static TaskResourceLimitation Limitation(long limitBytes) => new()
    {
        Resources =
        {
            new Resource
            {
                Name = "mem",
                Type = Value.Types.Type.Scalar,
                Scalar = new Value.Types.Scalar { Value = limitBytes / (1024.0 * 1024.0) },
            },
        },
    };

    private static string Megabytes(long bytes) =>
        (bytes / (1024.0 * 1024.0)).ToString("0.##", CultureInfo.InvariantCulture) + "MB";
}
