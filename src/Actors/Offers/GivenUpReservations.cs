using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Reservations pods gave up (a decommissioned pod's footprint, a replaced or abandoned one), each group under a key,
/// followed through the offers that show them until they are gone. An offer from the agent a group is on shows which
/// of its reservations are still there: those it does not carry are gone (unreserved, or never made). An offer from
/// another agent that carries some of them means the agent restarted under that new id (its reservations come along):
/// the group is on that agent from then on. Pure: the offer router feeds it offers and acts on the groups it returns.
/// </summary>
/// <remarks>
/// An offer that carries a reservation does not settle it, even when the router sends the DESTROY / UNRESERVE for it
/// with that offer: the ACCEPT may be refused (the offer rescinded meanwhile), and only a later offer without it shows
/// that it is gone.
/// </remarks>
public sealed class GivenUpReservations
{
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);

    /// <summary>Groups not settled yet.</summary>
    public int Count => _groups.Count;

    public bool Contains(string key) => _groups.ContainsKey(key);

    /// <summary>Watches <paramref name="resourceIds"/> on <paramref name="agentId"/> under <paramref name="key"/> (joining what it watches there already).</summary>
    public void Add(string key, string agentId, IEnumerable<string> resourceIds)
    {
        if (!_groups.TryGetValue(key, out var group))
        {
            _groups[key] = group = new Group(agentId);
        }

        group.Ids.UnionWith(resourceIds);
    }

    /// <summary>Stops watching the group; false if there was none.</summary>
    public bool Remove(string key) => _groups.Remove(key);

    /// <summary>The reservation ids of a group still watched (none if the key is unknown).</summary>
    public IReadOnlyCollection<string> IdsOf(string key) => _groups.TryGetValue(key, out var group) ? group.Ids : [];

    /// <summary>Learns from <paramref name="offer"/> where the watched reservations are; returns the groups now settled (no longer watched).</summary>
    public IReadOnlyList<string> Observe(Offer offer)
    {
        if (_groups.Count == 0)
        {
            return [];
        }

        var agent = offer.AgentId.Value;
        HashSet<string>? carried = null;
        List<string>? settled = null;
        foreach (var (key, group) in _groups)
        {
            carried ??= offer.Resources.Select(Resources.ResourceId).OfType<string>().ToHashSet(StringComparer.Ordinal);
            if (group.AgentId == agent)
            {
                group.Ids.IntersectWith(carried);
            }
            else if (group.Ids.Overlaps(carried))
            {
                group.AgentId = agent;
            }

            if (group.Ids.Count == 0)
            {
                (settled ??= []).Add(key);
            }
        }

        foreach (var key in settled ?? [])
        {
            _groups.Remove(key);
        }

        return settled ?? [];
    }

    private sealed class Group(string agentId)
    {
        public string AgentId { get; set; } = agentId;

        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);
    }
}
