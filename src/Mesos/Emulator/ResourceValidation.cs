using System.Globalization;
using ActorScheduler.Messages.MesosV1;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// The master's validation of the resources an operation carries (Mesos <c>Resources::validate</c>): a name, and the
/// value its type says — a finite, non-negative scalar, ranges whose begins do not pass their ends, a set. The pools
/// and their arithmetic assume this; an operation carrying anything else is dropped with the reason (its tasks get
/// TASK_ERROR) before any of it is applied.
/// </summary>
internal static class ResourceValidation
{
    /// <summary>Why one of the operation's resources (its tasks' and executors' too) is invalid, or null.</summary>
    /// <remarks>Loops, not LINQ: the emulator's ACCEPT path carries the offer storms' every launch.</remarks>
    public static string? Validate(Offer.Types.Operation operation)
    {
        switch (operation.Type)
        {
            case OperationType.Reserve:
                return Validate(operation.Reserve?.Resources);
            case OperationType.Unreserve:
                return Validate(operation.Unreserve?.Resources);
            case OperationType.Create:
                return Validate(operation.Create?.Volumes);
            case OperationType.Destroy:
                return Validate(operation.Destroy?.Volumes);
            case OperationType.Launch when operation.Launch is { } launch:
                return Validate(launch.TaskInfos);
            case OperationType.LaunchGroup when operation.LaunchGroup is { } group:
                return Validate(group.Executor?.Resources) ?? (group.TaskGroup is null ? null : Validate(group.TaskGroup.Tasks));
            default:
                return null;
        }
    }

    /// <summary>Why one of the resources is invalid, or null.</summary>
    public static string? Validate(IList<Resource>? resources)
    {
        if (resources is null)
        {
            return null;
        }

        for (var i = 0; i < resources.Count; i++)
        {
            if (Validate(resources[i]) is { } error)
            {
                return $"Invalid resources: {error}";
            }
        }

        return null;
    }

    private static string? Validate(IList<TaskInfo> tasks)
    {
        for (var i = 0; i < tasks.Count; i++)
        {
            if ((Validate(tasks[i].Resources) ?? Validate(tasks[i].Executor?.Resources)) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? Validate(Resource r)
    {
        if (string.IsNullOrEmpty(r.Name))
        {
            return "Empty resource name";
        }

        switch (r.Type)
        {
            case Value.Types.Type.Scalar:
                if (r.Scalar is null || r.Ranges is not null || r.Set is not null)
                {
                    return $"Invalid scalar resource '{r.Name}': expecting 'scalar' and only 'scalar' to be set";
                }

                return double.IsFinite(r.Scalar.Value) && r.Scalar.Value >= 0
                    ? null
                    : $"Invalid scalar resource '{r.Name}': value {r.Scalar.Value.ToString(CultureInfo.InvariantCulture)} is not a finite number of 0 or more";
            case Value.Types.Type.Ranges:
                if (r.Ranges is null || r.Scalar is not null || r.Set is not null)
                {
                    return $"Invalid ranges resource '{r.Name}': expecting 'ranges' and only 'ranges' to be set";
                }

                for (var i = 0; i < r.Ranges.Range.Count; i++)
                {
                    var range = r.Ranges.Range[i];
                    if (range.Begin > range.End)
                    {
                        return $"Invalid ranges resource '{r.Name}': range [{range.Begin.ToString(CultureInfo.InvariantCulture)}-{range.End.ToString(CultureInfo.InvariantCulture)}] begins after it ends";
                    }
                }

                return null;
            case Value.Types.Type.Set:
                return r.Set is null || r.Scalar is not null || r.Ranges is not null
                    ? $"Invalid set resource '{r.Name}': expecting 'set' and only 'set' to be set"
                    : null;
            default:
                return $"Unsupported resource type {r.Type} of '{r.Name}'";
        }
    }
}
