using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Placement;
using Google.Protobuf.Collections;
using Attribute = ActorScheduler.Messages.MesosV1.Attribute;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// What placement rules see of each agent the router is offered (<see cref="PlacementAgents.Of(Offer)"/>), built once
/// an agent and kept while its offers describe it the same way (hostname, attributes, domain compared by value). A
/// Mesos master offers the same agents again and again — every agent each second — and a capped cycle asks a pod's rule
/// about thousands of them; building the view each time was 4.9 % of such a deploy's allocation (10,000 pods, UNIQUE).
/// Bounded: past <see cref="MaxAgents"/> agents it starts again empty. Not thread-safe (the router's).
/// </summary>
public sealed class PlacementAgentCache
{
    /// <summary>Agents remembered at most before the cache is emptied (agents come and go on a long-running cluster).</summary>
    public const int MaxAgents = 65_536;

    private readonly Dictionary<string, Entry> _byAgent = new(StringComparer.Ordinal);

    /// <summary>Agents remembered now.</summary>
    public int Count => _byAgent.Count;

    public PlacementAgent Of(Offer offer)
    {
        var agentId = offer.AgentId?.Value ?? string.Empty;
        if (_byAgent.TryGetValue(agentId, out var entry) && entry.Describes(offer))
        {
            return entry.Agent;
        }

        if (_byAgent.Count >= MaxAgents)
        {
            _byAgent.Clear();
        }

        var agent = PlacementAgents.Of(offer);
        _byAgent[agentId] = new Entry(offer.Hostname, offer.Attributes, offer.Domain, agent);
        return agent;
    }

    private sealed record Entry(string Hostname, RepeatedField<Attribute> Attributes, DomainInfo? Domain, PlacementAgent Agent)
    {
        public bool Describes(Offer offer) =>
            offer.Hostname == Hostname && offer.Attributes.Equals(Attributes) && Equals(offer.Domain, Domain);
    }
}
