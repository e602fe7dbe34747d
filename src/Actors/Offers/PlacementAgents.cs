using System.Collections.Immutable;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Placement;
using Attribute = ActorScheduler.Messages.MesosV1.Attribute;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// What placement rules see of the agent behind an offer: hostname, attributes as text, zone and region. Should an offer
/// carry several attributes of one name (an agent refuses them, but an offer is outside input), rules see the first.
/// </summary>
public static class PlacementAgents
{
    public static PlacementAgent Of(Offer offer) => Of(offer.Hostname, offer.Attributes, offer.Domain);

    public static PlacementAgent Of(string hostname, IEnumerable<Attribute> attributes, DomainInfo? domain) => new(
        hostname,
        attributes is IReadOnlyCollection<Attribute> { Count: 0 } ? NoAttributes : FirstOfEachName(attributes),
        domain?.FaultDomain?.Zone?.Name,
        domain?.FaultDomain?.Region?.Name);

    private static ImmutableDictionary<string, string> FirstOfEachName(IEnumerable<Attribute> attributes)
    {
        var byName = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            byName.TryAdd(attribute.Name, Text(attribute));
        }

        return byName.ToImmutable();
    }

    // Most agents have none: one empty dictionary for them all.
    private static readonly ImmutableDictionary<string, string> NoAttributes = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);

    private static string Text(Attribute attribute) => AttributeText.Value(attribute);
}
