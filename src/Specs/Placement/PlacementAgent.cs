using System.Collections.Immutable;

namespace ActorScheduler.Specs.Placement;

/// <summary>What placement rules can see of a Mesos agent.</summary>
/// <param name="Hostname">The agent's hostname as Mesos reports it.</param>
/// <param name="Attributes">Agent attributes (name → value); text, scalar and range attributes as their text form.</param>
/// <param name="Zone">Fault domain zone, when the cluster has domains.</param>
/// <param name="Region">Fault domain region, when the cluster has domains.</param>
public sealed record PlacementAgent(
    string Hostname,
    ImmutableDictionary<string, string> Attributes,
    string? Zone = null,
    string? Region = null)
{
    public static PlacementAgent OnHost(string hostname) => new(hostname, ImmutableDictionary<string, string>.Empty);

    /// <summary>
    /// Whether <paramref name="other"/> gives every placement field the same value (the record's own equality compares
    /// the attribute dictionaries by reference, and two offers of one agent build two).
    /// </summary>
    public bool SamePlaceAs(PlacementAgent other) =>
        Hostname == other.Hostname && Zone == other.Zone && Region == other.Region && Attributes.Count == other.Attributes.Count
        && Attributes.All(attribute => other.Attributes.TryGetValue(attribute.Key, out var value) && value == attribute.Value);
}
