using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// A pod that stays keeps its <c>pre-reserved-role</c>: its instances hold reservations made from that role's resources
/// (refined to the service role), which cannot be moved to another role's resources in place. New pods may use any role.
/// </summary>
public sealed class PreReservationCannotChange : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (previous is null)
        {
            yield break;
        }

        foreach (var old in previous.Pods)
        {
            if (next.FindPod(old.Type) is { } current && !string.Equals(old.PreReservedRole, current.PreReservedRole, StringComparison.Ordinal))
            {
                yield return SpecValidationError.Change($"pods.{old.Type}.pre-reserved-role", old.PreReservedRole, current.PreReservedRole,
                    $"Pod '{old.Type}' cannot change pre-reserved-role from '{old.PreReservedRole}' to '{current.PreReservedRole}': its " +
                    "instances hold reservations made from the old role's resources; keep the old role, or add a new pod type with " +
                    "the new role and decommission this one");
            }
        }
    }
}
