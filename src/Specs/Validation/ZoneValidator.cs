using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;
using static ActorScheduler.Specs.Validation.SpecValues;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// A pod that stays cannot start or stop referring to <c>@zone</c> in its placement: its instances (and the data in
/// their persistent volumes) were spread by the old rule, and changing whether zones count would leave them stranded
/// in a layout the new rule does not describe. Pods new in the update may use any placement.
/// </summary>
/// <remarks>
/// DC/OS offers this rule to services that opt in; here it runs by default, for every pod, or only for
/// <c>podTypes</c> when given (e.g. the stateful ones).
/// </remarks>
public sealed class ZoneValidator(params string[] podTypes) : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (previous is null)
        {
            yield break;
        }

        foreach (var old in previous.Pods.Where(p => podTypes.Length == 0 || podTypes.Contains(p.Type)))
        {
            if (next.FindPod(old.Type) is not { } current)
            {
                continue;
            }

            var wasZoned = PlacementReferences(old, PlacementField.Zone);
            var isZoned = PlacementReferences(current, PlacementField.Zone);
            if (wasZoned != isZoned)
            {
                var (change, keep) = isZoned
                    ? ("start referring to @zone: its instances were placed without regard to zones", "keep @zone out of the placement")
                    : ("stop referring to @zone: its instances were spread across zones", "keep the @zone rule");
                yield return SpecValidationError.Change($"pods.{old.Type}.placement", old.PlacementText, current.PlacementText,
                    $"Placement of pod '{old.Type}' cannot {change}, and their data would stay in that layout; {keep}, or add a " +
                    "new pod type with the new placement and decommission this one");
            }
        }
    }
}
