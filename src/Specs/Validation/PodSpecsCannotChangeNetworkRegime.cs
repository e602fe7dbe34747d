using ActorScheduler.Specs.Model;
using static ActorScheduler.Specs.Validation.SpecValues;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// A pod that stays cannot move between the host network (no <c>networks</c>) and virtual networks: its ports are
/// reserved on the agent on the host network and not on a virtual one, and its tasks' addresses change, so running
/// instances cannot follow. Moving from one virtual network to another is allowed; new pods may use either.
/// </summary>
public sealed class PodSpecsCannotChangeNetworkRegime : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (previous is null)
        {
            yield break;
        }

        foreach (var old in previous.Pods)
        {
            if (next.FindPod(old.Type) is { } current && current.UsesVirtualNetwork != old.UsesVirtualNetwork)
            {
                var move = current.UsesVirtualNetwork
                    ? $"from the host network to {NetworkRegime(current)}"
                    : $"from {NetworkRegime(old)} to the host network";
                yield return SpecValidationError.Change($"pods.{old.Type}.networks", NetworkRegime(old), NetworkRegime(current),
                    $"Pod '{old.Type}' cannot move {move}: its instances' ports and addresses would change under them; keep the " +
                    $"pod's networks as they were, or add a new pod type on the {(current.UsesVirtualNetwork ? "virtual" : "host")} " +
                    "network and decommission this one");
            }
        }
    }
}
