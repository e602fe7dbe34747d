using System.Globalization;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// Pod counts may always grow. A count may only go down when the NEW pod says <c>allow-decommission: true</c>; a pod
/// type may only be removed when the OLD pod said so (its instances and their reservations are then decommissioned).
/// </summary>
public sealed class PodSpecsCannotShrink : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (previous is null)
        {
            yield break;
        }

        foreach (var old in previous.Pods)
        {
            var current = next.FindPod(old.Type);
            var oldCount = old.Count.ToString(CultureInfo.InvariantCulture);
            if (current is null)
            {
                if (!old.AllowDecommission)
                {
                    yield return SpecValidationError.Change($"pods.{old.Type}", $"{oldCount} instances", null,
                        $"Pod '{old.Type}' cannot be removed: the previous spec does not set allow-decommission: true on it; " +
                        "deploy that first, then remove the pod");
                }
            }
            else if (current.Count < old.Count && !current.AllowDecommission)
            {
                yield return SpecValidationError.Change($"pods.{old.Type}.count", oldCount, current.Count.ToString(CultureInfo.InvariantCulture),
                    $"Pod '{old.Type}' cannot shrink from {old.Count} to {current.Count} instances unless the new spec sets allow-decommission: true on it");
            }
        }
    }
}
