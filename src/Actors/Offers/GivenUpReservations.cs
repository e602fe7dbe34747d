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
/// that it is gone. A reservation a task still uses is not offered at all: for those the absence counts only once an
/// offer showed them free (<see cref="Add"/>). Not covered: an offer the master made from the agent's other resources
/// while an earlier one that carried them was still out — the router passes every offer of the agent it holds, but
/// one it already answered may still be on its way back into the master's pool. Reservations settled too early that
/// way are nobody's, and the router's next sweep collects them (<see cref="SchedulerSettings.ReservationSweepInterval"/>).
/// The group keeps its key (the agent id the pods gave them up on) when it follows the agent to a new id.
/// </remarks>
public sealed class GivenUpReservations
{
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);

    /// <summary>Groups not settled yet.</summary>
    public int Count => _groups.Count;

    public bool Contains(string key) => _groups.ContainsKey(key);

    /// <summary>
    /// Watches <paramref name="resourceIds"/> on <paramref name="agentId"/> under <paramref name="key"/> (joining what it
    /// watches there already). With <paramref name="seenFreeFirst"/> (the reservations were made, and a task being
    /// killed may still use them, so offers leave them out) an offer without them means nothing until one has shown
    /// them free; without it (they may never have been made) the agent's next offer without them settles them.
    /// </summary>
    public void Add(string key, string agentId, IEnumerable<string> resourceIds, bool seenFreeFirst = false)
    {
        if (!_groups.TryGetValue(key, out var group))
        {
            _groups[key] = group = new Group(agentId);
        }

        foreach (var id in resourceIds)
        {
            group.Ids.Add(id);
            if (seenFreeFirst)
            {
                group.NotSeenFree.Add(id);
            }
        }
    }

    /// <summary>Some group's reservations are on this agent (as far as its offers showed).</summary>
    public bool Watches(string agentId) => _groups.Values.Any(g => g.AgentId == agentId);

    /// <summary>
    /// Hands the group under <paramref name="key"/> to <paramref name="target"/> under <paramref name="targetKey"/> as it
    /// stands (where offers showed it, which ids they showed free), joining a group there.
    /// </summary>
    public void MoveTo(string key, GivenUpReservations target, string targetKey)
    {
        if (!_groups.Remove(key, out var group))
        {
            return;
        }

        if (target._groups.TryGetValue(targetKey, out var joined))
        {
            joined.Ids.UnionWith(group.Ids);
            joined.NotSeenFree.UnionWith(group.NotSeenFree);
        }
        else
        {
            target._groups[targetKey] = group;
        }
    }

    /// <summary>Stops watching the group; false if there was none.</summary>
    public bool Remove(string key) => _groups.Remove(key);

    /// <summary>The reservation ids of a group still watched (none if the key is unknown).</summary>
    public IReadOnlyCollection<string> IdsOf(string key) => _groups.TryGetValue(key, out var group) ? group.Ids : [];

    /// <summary>
    /// Learns where the watched reservations are from what the offers out from <paramref name="agentId"/> carry
    /// together (an agent's resources may be split over several outstanding offers: pass them all); returns the groups
    /// now settled (no longer watched).
    /// </summary>
    public IReadOnlyList<string> Observe(string agentId, IReadOnlySet<string> carried)
    {
        if (_groups.Count == 0)
        {
            return [];
        }

        List<string>? settled = null;
        foreach (var (key, group) in _groups)
        {
            if (group.AgentId != agentId && group.Ids.Overlaps(carried))
            {
                group.AgentId = agentId;
            }

            if (group.AgentId == agentId)
            {
                group.NotSeenFree.ExceptWith(carried);
                group.Ids.RemoveWhere(id => !carried.Contains(id) && !group.NotSeenFree.Contains(id));
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

        // Ids an offer must show free before an offer without them means they are gone.
        public HashSet<string> NotSeenFree { get; } = new(StringComparer.Ordinal);
    }
}
