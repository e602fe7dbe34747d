using System.Globalization;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Specs.Validation;

/// <summary>How validators show values in transitions and messages, and what they read off a pod.</summary>
internal static class SpecValues
{
    /// <summary><c>0.5</c>, <c>2</c>: invariant, shortest round-trip form.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The pod's placement rule; parsed from <see cref="PodSpec.PlacementText"/> when only the text is set.</summary>
    public static PlacementRule? PlacementOf(PodSpec pod) =>
        pod.Placement ?? PlacementRuleParser.Parse(pod.PlacementText, pod.Type).Rule;

    public static bool PlacementReferences(PodSpec pod, PlacementField field) => PlacementOf(pod)?.References(field) == true;

    /// <summary><c>host network</c>, or the virtual networks joined, e.g. <c>virtual networks dcos, data</c>.</summary>
    public static string NetworkRegime(PodSpec pod) => pod.UsesVirtualNetwork
        ? (pod.Networks.Length == 1 ? "virtual network " : "virtual networks ") + string.Join(", ", pod.Networks.Select(n => n.Name))
        : "host network";
}
