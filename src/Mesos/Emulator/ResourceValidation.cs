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
    public static string? Validate(Offer.Types.Operation operation)
    {
        return operation.Type switch
        {
            OperationType.Reserve => Validate(operation.Reserve?.Resources),
            OperationType.Unreserve => Validate(operation.Unreserve?.Resources),
            OperationType.Create => Validate(operation.Create?.Volumes),
            OperationType.Destroy => Validate(operation.Destroy?.Volumes),
            OperationType.Launch => operation.Launch?.TaskInfos.Select(Validate).FirstOrDefault(e => e is not null),
            OperationType.LaunchGroup => Validate(operation.LaunchGroup?.Executor?.Resources)
                ?? operation.LaunchGroup?.TaskGroup?.Tasks.Select(Validate).FirstOrDefault(e => e is not null),
            _ => null,
        };
    }

    /// <summary>Why one of the resources is invalid, or null.</summary>
    public static string? Validate(IEnumerable<Resource>? resources)
    {
        if (resources is null)
        {
            return null;
        }

        foreach (var r in resources)
        {
            if (Validate(r) is { } error)
            {
                return $"Invalid resources: {error}";
            }
        }

        return null;
    }

    private static string? Validate(TaskInfo task) => Validate(task.Resources) ?? Validate(task.Executor?.Resources);

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

                var inverted = r.Ranges.Range.FirstOrDefault(range => range.Begin > range.End);
                return inverted is null
                    ? null
                    : $"Invalid ranges resource '{r.Name}': range [{inverted.Begin.ToString(CultureInfo.InvariantCulture)}-{inverted.End.ToString(CultureInfo.InvariantCulture)}] begins after it ends";
            case Value.Types.Type.Set:
                return r.Set is null || r.Scalar is not null || r.Ranges is not null
                    ? $"Invalid set resource '{r.Name}': expecting 'set' and only 'set' to be set"
                    : null;
            default:
                return $"Unsupported resource type {r.Type} of '{r.Name}'";
        }
    }
}
