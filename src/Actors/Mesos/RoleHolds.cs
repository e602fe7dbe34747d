using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Mesos;

/// <summary>
/// Reservations of ours a pod gave up under <paramref name="Role"/> on <paramref name="AgentId"/> (a decommission's
/// release, a force-completed one), which the agent may still hold.
/// </summary>
/// <param name="Made">Their tasks ran, so they exist: only an offer without them after one showed them (or after our UNRESERVE of them) shows them gone.</param>
/// <param name="Since">When they were given up: no earlier than the agent became unreachable, if it did.</param>
public sealed record RoleHold(string Role, string AgentId, ImmutableArray<string> ResourceIds, bool Made, DateTimeOffset Since)
{
    /// <summary>
    /// Those of <see cref="ResourceIds"/> an offer showed (or our UNRESERVE named): the agent's next offer under the role
    /// without them shows them gone. Journaled (<see cref="RoleHoldSighting"/>), so a restarted scheduler resumes there.
    /// </summary>
    public ImmutableArray<string> Seen { get; init; } = [];

    /// <summary>The agent offers showed them on last when not <see cref="AgentId"/> (it restarted under a new id); null: <see cref="AgentId"/>.</summary>
    public string? OnAgent { get; init; }

    public override string ToString() =>
        $"RoleHold<role: {Role}, agent: {AgentId}, reservations: {ResourceIds.Length}, seen: {Seen.Length}, made: {Made}, since: {Since:O}>";
}

/// <summary>
/// What offers showed of the hold (role, agent given up on): <paramref name="ResourceIds"/> are there (or our UNRESERVE
/// named them), on <paramref name="OnAgent"/> (the agent, or it restarted under a new id; no ids: it only moved there).
/// The gateway journals it, so a restarted scheduler takes an offer without them as showing them gone, as this one would.
/// </summary>
public sealed record RoleHoldSighting(string Role, string AgentId, string OnAgent, ImmutableArray<string> ResourceIds);

/// <summary>
/// The reservations held on <paramref name="AgentId"/> for the router to follow through its offers until they are gone:
/// <paramref name="GoneWhenAbsent"/> are gone once an offer of the agent lacks them (offers showed them, or they may never
/// have been made); <paramref name="ShownFirst"/> were made and not shown yet, so an offer must show them first.
/// </summary>
public sealed record RoleHoldFollowUp(string AgentId, ImmutableArray<string> GoneWhenAbsent, ImmutableArray<string> ShownFirst);

/// <summary>Why a role hold (or part of it) ended.</summary>
public enum RoleHoldEnd
{
    /// <summary>An offer from the agent under the role no longer carries them: collected (or never made).</summary>
    Collected,

    /// <summary>The operator marked the agent gone: it never comes back under its id.</summary>
    AgentGone,

    /// <summary>The master's registry keeps an unreachable agent only so long (<c>--registry_max_agent_age</c>).</summary>
    Expired,
}

/// <summary>The reservations <paramref name="ResourceIds"/> of the hold (role, agent it was given up on) ended.</summary>
public sealed record RoleHoldEnding(string Role, string AgentId, ImmutableArray<string> ResourceIds, RoleHoldEnd Reason)
{
    /// <summary>The reason as the journal writes it.</summary>
    public string ReasonText => Reason switch
    {
        RoleHoldEnd.Collected => "collected",
        RoleHoldEnd.AgentGone => "agent gone",
        _ => "expired",
    };
}

/// <summary>
/// Which roles the framework keeps subscribing with for reservations of ours given up under them, and until when. A
/// reservation is offered only to a framework subscribed with its role: one left on an agent under a role the framework
/// dropped is never offered to us again, so never collected. A hold ends when an offer shows its reservations gone (the
/// router's sweep destroys and unreserves what no pod owns), when its agent is marked gone (it never comes back under
/// its id), or once the master can no longer hold the agent: Mesos keeps an unreachable agent in its registry for
/// <c>--registry_max_agent_age</c> (two weeks by default) after it became unreachable; counted here from when the
/// reservations were given up (later, so the role is kept a little longer, never shorter). Pure: the gateway feeds it
/// offers, UNRESERVE operations and agent news, journals what it returns, and subscribes with <see cref="Keep"/>.
/// </summary>
/// <remarks>
/// What offers showed is journaled too (<see cref="TakeSightings"/>, <see cref="Saw"/>): a restarted scheduler takes an
/// offer without reservations that offers showed (or that it unreserved) before the restart as showing them gone, and
/// looks for them on the agent they were last shown on. The gateway acts on a sighting only once it is journaled: the
/// offers that showed it reach the router, and an ACCEPT that unreserves reservations no offer showed goes out, after
/// the write. A scheduler that stops before then lost the sighting and never acted on it: the reservations are still
/// there, and the next subscription's offers show them again.
/// </remarks>
public sealed class RoleHolds
{
    /// <summary>
    /// Task ids the gateway asks the master about to learn of a hold's agent (gone, unreachable, registered): a task it
    /// never ran there; the agent id follows.
    /// </summary>
    public const string ProbeTaskIdPrefix = "actorscheduler.role-hold-probe.";

    private readonly Dictionary<(string Role, string AgentId), Hold> _holds = new();

    // What Observe and Unreserving learnt that the journal does not have yet (TakeSightings).
    private List<RoleHoldSighting>? _sightings;

    /// <summary>Holds not ended.</summary>
    public int Count => _holds.Count;

    /// <summary>A hold of <paramref name="role"/> on the agent it was given up on is not ended.</summary>
    public bool Contains(string role, string agentId) => _holds.ContainsKey((role, agentId));

    /// <summary>The roles held, in the order their first hold came.</summary>
    public IReadOnlyList<string> Roles => _holds.Keys.Select(k => k.Role).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The agents holds are on now (as offers showed them: an agent restarted under a new id brings them along).</summary>
    public IReadOnlyList<string> Agents => _holds.Values.Select(h => h.Agent).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The holds as they stand (ids not seen gone), by the agent they were given up on.</summary>
    public ImmutableArray<RoleHold> Current =>
        [.. _holds.Select(h => new RoleHold(h.Key.Role, h.Key.AgentId, [.. h.Value.Ids.Order(StringComparer.Ordinal)], h.Value.Made, h.Value.Since)
        {
            Seen = [.. h.Value.Seen.Order(StringComparer.Ordinal)],
            OnAgent = h.Value.Agent == h.Key.AgentId ? null : h.Value.Agent,
        })];

    /// <summary>
    /// <paramref name="spec"/>'s roles, then the roles held that it lacks: what the framework subscribes with once no pod
    /// of a removed type is left.
    /// </summary>
    public FrameworkRoles Keep(FrameworkRoles spec) => _holds.Count == 0 ? spec : spec.With(Roles);

    /// <summary>Why <paramref name="role"/> is held, for the log: each agent's reservations and since when.</summary>
    public string Why(string role, TimeSpan maxAge) => string.Join("; ", _holds
        .Where(h => h.Key.Role == role)
        .Select(h => $"{h.Value.Ids.Count} reservation(s) given up on agent {h.Value.Agent} at {h.Value.Since:u} may still be there " +
            $"(kept until collected, the agent is marked gone, or {h.Value.Since + maxAge:u})"));

    /// <summary>
    /// Holds the reservations (joining a hold of the same role and agent; the earliest time stays), with what offers
    /// showed of them (a journaled hold's <see cref="RoleHold.Seen"/> and <see cref="RoleHold.OnAgent"/>). True when any
    /// id is new: the gateway journals the hold then, and the router is to follow the hold's reservations again.
    /// </summary>
    public bool Add(RoleHold hold)
    {
        if (hold.ResourceIds.IsDefaultOrEmpty)
        {
            return false;
        }

        var key = (hold.Role, hold.AgentId);
        if (!_holds.TryGetValue(key, out var held))
        {
            _holds[key] = held = new Hold(hold.AgentId, hold.Made, hold.Since);
        }
        else
        {
            held.Since = hold.Since < held.Since ? hold.Since : held.Since;
            held.Made |= hold.Made;
        }

        var added = false;
        foreach (var id in hold.ResourceIds)
        {
            added |= held.Ids.Add(id);
        }

        foreach (var id in hold.Seen)
        {
            if (held.Ids.Contains(id))
            {
                held.Seen.Add(id);
            }
        }

        if (hold.OnAgent is { } onAgent)
        {
            held.Agent = onAgent;
        }

        held.Followed &= !added;
        return added;
    }

    /// <summary>Replays what the journal recorded offers showed (<see cref="TakeSightings"/>).</summary>
    public void Saw(RoleHoldSighting sighting)
    {
        if (!_holds.TryGetValue((sighting.Role, sighting.AgentId), out var held))
        {
            return;
        }

        held.Agent = sighting.OnAgent;
        foreach (var id in sighting.ResourceIds)
        {
            if (held.Ids.Contains(id))
            {
                held.Seen.Add(id);
            }
        }
    }

    /// <summary>
    /// What <see cref="Observe"/> and <see cref="Unreserving"/> learnt since the last call, for the journal: reservations
    /// shown (or unreserved) for the first time, and holds that moved to their agent's new id.
    /// </summary>
    public IReadOnlyList<RoleHoldSighting> TakeSightings()
    {
        if (_sightings is not { Count: > 0 } sightings)
        {
            return [];
        }

        _sightings = null;
        return sightings;
    }

    /// <summary>Replays an ending the journal recorded (empty ids: the whole hold).</summary>
    public void End(string role, string agentId, IReadOnlyCollection<string> resourceIds)
    {
        if (!_holds.TryGetValue((role, agentId), out var held))
        {
            return;
        }

        if (resourceIds.Count == 0)
        {
            _holds.Remove((role, agentId));
            return;
        }

        held.Ids.ExceptWith(resourceIds);
        held.Seen.ExceptWith(resourceIds);
        if (held.Ids.Count == 0)
        {
            _holds.Remove((role, agentId));
        }
    }

    /// <summary>
    /// Learns from an offer: one from another agent that carries held reservations means their agent restarted under
    /// that id; one from a hold's agent allocated to its role shows which are still there, and those it lacks that an
    /// earlier offer showed (or our UNRESERVE named, or that may never have been made) are gone.
    /// </summary>
    public IReadOnlyList<RoleHoldEnding> Observe(Offer offer)
    {
        if (_holds.Count == 0)
        {
            return [];
        }

        var agent = offer.AgentId?.Value;
        var carried = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in offer.Resources)
        {
            if (Resources.ResourceId(resource) is { } id)
            {
                carried.Add(id);
            }
        }

        var role = offer.AllocationInfo?.Role;
        List<RoleHoldEnding>? ended = null;
        foreach (var (key, held) in _holds)
        {
            var moved = false;
            if (held.Agent != agent && held.Ids.Overlaps(carried))
            {
                held.Agent = agent!;
                moved = true;
            }

            if (held.Agent != agent || role != key.Role)
            {
                if (moved)
                {
                    (_sightings ??= []).Add(new RoleHoldSighting(key.Role, key.AgentId, held.Agent, []));
                }

                continue;
            }

            var gone = ImmutableArray.CreateBuilder<string>();
            List<string>? shown = null;
            foreach (var id in held.Ids)
            {
                if (carried.Contains(id))
                {
                    if (held.Seen.Add(id))
                    {
                        (shown ??= []).Add(id);
                    }
                }
                else if (!held.Made || held.Seen.Contains(id))
                {
                    gone.Add(id);
                }
            }

            if (moved || shown is not null)
            {
                (_sightings ??= []).Add(new RoleHoldSighting(key.Role, key.AgentId, held.Agent, shown is null ? [] : [.. shown]));
            }

            if (gone.Count > 0)
            {
                (ended ??= []).Add(new RoleHoldEnding(key.Role, key.AgentId, gone.ToImmutable(), RoleHoldEnd.Collected));
            }
        }

        return Apply(ended);
    }

    /// <summary>
    /// An ACCEPT unreserves these reservations: an offer without them from then on shows them gone, though no offer the
    /// holds saw showed them (one the router got before the hold came).
    /// </summary>
    public void Unreserving(IEnumerable<string> resourceIds)
    {
        var ids = resourceIds as IReadOnlyCollection<string> ?? resourceIds.ToList();
        foreach (var (key, held) in _holds)
        {
            List<string>? named = null;
            foreach (var id in ids)
            {
                if (held.Ids.Contains(id) && held.Seen.Add(id))
                {
                    (named ??= []).Add(id);
                }
            }

            if (named is not null)
            {
                (_sightings ??= []).Add(new RoleHoldSighting(key.Role, key.AgentId, held.Agent, [.. named]));
            }
        }
    }

    /// <summary>The operator marked <paramref name="agentId"/> gone: the holds on it end.</summary>
    public IReadOnlyList<RoleHoldEnding> AgentGone(string agentId) =>
        Apply(_holds.Where(h => h.Value.Agent == agentId)
            .Select(h => new RoleHoldEnding(h.Key.Role, h.Key.AgentId, [], RoleHoldEnd.AgentGone))
            .ToList());

    /// <summary>
    /// What the master said of <paramref name="agentId"/> (a probe): unreachable, or registered. True when it is registered
    /// after a probe found it unreachable: the agent came back. Unreachable, the holds there are to be followed again
    /// once it is back (<see cref="FollowUp"/>).
    /// </summary>
    public bool Reachable(string agentId, bool reachable)
    {
        var back = false;
        foreach (var held in _holds.Values.Where(h => h.Agent == agentId))
        {
            back |= reachable && held.Unreachable;
            held.Unreachable = !reachable;
            held.Followed &= reachable;
        }

        return back;
    }

    /// <summary>
    /// The agent <paramref name="agentId"/> is registered (it offers, or a probe found it so): the reservations of the
    /// holds on it that the router was not asked to follow since they were held (or loaded from the journal, or their
    /// agent found unreachable), for the router to follow through the agent's offers until they are gone — or null when
    /// there are none. An agent that came back after the router stopped waiting for it (or while the scheduler was
    /// down) is then offered until its offers show them collected, rather than until the router's next sweep.
    /// </summary>
    public RoleHoldFollowUp? FollowUp(string agentId)
    {
        List<string>? goneWhenAbsent = null;
        List<string>? shownFirst = null;
        foreach (var held in _holds.Values)
        {
            if (held.Followed || held.Agent != agentId)
            {
                continue;
            }

            held.Followed = true;
            foreach (var id in held.Ids)
            {
                if (held.Made && !held.Seen.Contains(id))
                {
                    (shownFirst ??= []).Add(id);
                }
                else
                {
                    (goneWhenAbsent ??= []).Add(id);
                }
            }
        }

        return goneWhenAbsent is null && shownFirst is null
            ? null
            : new RoleHoldFollowUp(
                agentId,
                goneWhenAbsent is null ? [] : [.. goneWhenAbsent.Order(StringComparer.Ordinal)],
                shownFirst is null ? [] : [.. shownFirst.Order(StringComparer.Ordinal)]);
    }

    /// <summary>The holds given up <paramref name="maxAge"/> or longer before <paramref name="now"/> end.</summary>
    public IReadOnlyList<RoleHoldEnding> Expire(DateTimeOffset now, TimeSpan maxAge) =>
        Apply(_holds.Where(h => now - h.Value.Since >= maxAge)
            .Select(h => new RoleHoldEnding(h.Key.Role, h.Key.AgentId, [], RoleHoldEnd.Expired))
            .ToList());

    private IReadOnlyList<RoleHoldEnding> Apply(List<RoleHoldEnding>? ended)
    {
        if (ended is null || ended.Count == 0)
        {
            return [];
        }

        foreach (var ending in ended)
        {
            End(ending.Role, ending.AgentId, ending.ResourceIds);
        }

        return ended;
    }

    private sealed class Hold(string agent, bool made, DateTimeOffset since)
    {
        // Where offers showed the reservations last (the agent they were given up on, or that agent under a new id).
        public string Agent { get; set; } = agent;

        public bool Made { get; set; } = made;

        public DateTimeOffset Since { get; set; } = since;

        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        // The last probe found the agent unreachable.
        public bool Unreachable { get; set; }

        // The router was asked to follow the reservations (FollowUp) since they were held, loaded, or found unreachable.
        public bool Followed { get; set; }

        // Ids an offer showed, or our UNRESERVE named: an offer without them now means they are gone.
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);
    }
}
