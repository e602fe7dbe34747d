using Akka.Actor;
using Akka.Cluster;

namespace ActorScheduler.Hosting;

/// <summary>
/// Where the scheduler singleton really runs, as the last answers to <c>Identify</c> say, and which node answers the
/// API because of it. Membership alone only says where the singleton should run: just after a take-over a node's view
/// may still be the old one, and the new oldest node's singleton may still be starting. So the node whose singleton
/// answered is the active one, for <paramref name="answerLifetime"/> after its answer (the watcher asks again well
/// before), for as long as that member is still running (Up, Leaving or Exiting: a leaving node's singleton runs until
/// it has handed over) and reachable, and until it answers that its singleton is gone. Until another answers, no node
/// can: a <c>503</c> saying why. A change of membership has the watcher ask at once, but does not drop the answer by
/// itself: a standby joining must not make the active node stop serving. Not thread-safe: its watcher owns it.
/// </summary>
internal sealed class ActiveNodeTracker(Address self, TimeSpan answerLifetime)
{
    /// <summary>The answer while no member is Up: also a node's answer before it has joined.</summary>
    internal static readonly ActiveSchedulerNode NoneUp = new(false, null, "no scheduler node is up in the cluster yet");

    private IReadOnlyList<ClusterNode> _members = [];
    private Address? _runsAt;
    private DateTime _answeredAt;

    /// <summary>The members as this node's cluster state sees them now.</summary>
    internal void Members(IReadOnlyList<ClusterNode> members) => _members = members;

    /// <summary>The members to ask: those whose singleton may run (running and reachable), this node included.</summary>
    internal IEnumerable<Address> Candidates()
    {
        foreach (var member in _members)
        {
            if (Running(member.Status) && member.Reachable)
            {
                yield return member.Address;
            }
        }
    }

    /// <summary>
    /// <paramref name="node"/> answered at <paramref name="now"/> that the singleton runs there, or that it does not: the
    /// latter forgets it only if it was the node believed active, since the others were not.
    /// </summary>
    internal void Answered(Address node, bool runsThere, DateTime now)
    {
        if (runsThere)
        {
            (_runsAt, _answeredAt) = (node, now);
        }
        else if (_runsAt == node)
        {
            _runsAt = null;
        }
    }

    /// <summary>Whether a node's singleton answered and the answer still holds at <paramref name="now"/>.</summary>
    internal bool Known(DateTime now) => RunsAt(now, out _) is not null;

    /// <summary>Which node answers the API at <paramref name="now"/>, seen from this node.</summary>
    internal ActiveSchedulerNode Decide(DateTime now)
    {
        if (RunsAt(now, out var member) is { } at)
        {
            if (at == self)
            {
                return new ActiveSchedulerNode(true, null, null);
            }

            if (!member.Reachable)
            {
                return new ActiveSchedulerNode(false, null, $"the active node {at} is unreachable, and another takes over once it is downed");
            }

            foreach (var role in member.Roles)
            {
                if (role.StartsWith(ActiveSchedulerNode.RolePrefix, StringComparison.Ordinal) && Uri.TryCreate(role[ActiveSchedulerNode.RolePrefix.Length..], UriKind.Absolute, out var api))
                {
                    return new ActiveSchedulerNode(false, api, null);
                }
            }

            return new ActiveSchedulerNode(false, null, $"the active node {at} advertises no API");
        }

        foreach (var candidate in _members)
        {
            if (candidate.Status == MemberStatus.Up)
            {
                return new ActiveSchedulerNode(false, null, "the scheduler has not answered on any node yet (it is starting, or moving to another node)");
            }
        }

        return NoneUp;
    }

    /// <summary>
    /// The node whose answer holds at <paramref name="now"/> and its member (this node's own answer holds whatever its
    /// membership says: the singleton answered in this process); null when none does.
    /// </summary>
    private Address? RunsAt(DateTime now, out ClusterNode member)
    {
        member = default;
        if (_runsAt is not { } at || now - _answeredAt > answerLifetime)
        {
            return null;
        }

        if (at == self)
        {
            return at;
        }

        foreach (var candidate in _members)
        {
            if (candidate.Address == at)
            {
                member = candidate;
                return Running(candidate.Status) ? at : null;
            }
        }

        return null;
    }

    private static bool Running(MemberStatus status) => status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting;
}
