using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;
using static ActorScheduler.Specs.Validation.SpecValues;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// Placement may only refer to <c>@zone</c> or <c>@region</c> when the cluster has fault domains
/// (<see cref="ClusterCapabilities.Domains"/>): without them no agent has a zone or region, so such a pod could never be
/// placed (or, under a negated rule, would be placed blindly).
/// </summary>
public sealed class DomainCapabilityValidator(ClusterCapabilities capabilities) : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (capabilities.Domains)
        {
            yield break;
        }

        foreach (var pod in next.Pods)
        {
            var fields = new[] { PlacementField.Zone, PlacementField.Region }.Where(f => PlacementReferences(pod, f)).ToList();
            if (fields.Count > 0)
            {
                var named = string.Join(" and ", fields.Select(f => f.Name));
                yield return SpecValidationError.Change($"pods.{pod.Type}.placement", previous?.FindPod(pod.Type)?.PlacementText, pod.PlacementText,
                    $"Placement of pod '{pod.Type}' refers to {named}, but this cluster has no fault domains (its agents report no " +
                    $"zone or region): remove the {named} rules from the placement, or configure fault domains on the agents first");
            }
        }
    }
}
