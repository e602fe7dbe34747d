using System.Collections.Immutable;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Tests.Offers;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Tests.Mesos;

/// <summary>
/// Which roles the framework keeps for reservations given up under them: until an offer under the role shows them gone,
/// their agent is marked gone, or the master's registry no longer keeps the agent.
/// </summary>
public sealed class RoleHoldsTests
{
    private const string ServiceRole = "svc-role";
    private const string Refined = "slave_public/svc-role";

    private static readonly DateTimeOffset Since = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(14);

    private static readonly Resource[] Footprint =
        OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Footprint.ToArray();

    private static readonly ImmutableArray<string> Ids = [.. Footprint.Select(Resources.ResourceId).OfType<string>()];

    private static readonly FrameworkRoles Spec = FrameworkRoles.Only(ServiceRole);

    private static RoleHolds Holding(bool made = true)
    {
        var holds = new RoleHolds();
        Assert.True(holds.Add(new RoleHold(Refined, "agent-1", Ids, made, Since)));
        return holds;
    }

    private static Offer Under(string role, Offer offer)
    {
        offer.AllocationInfo = new Resource.Types.AllocationInfo { Role = role };
        return offer;
    }

    [Fact]
    public void A_held_role_is_kept_after_the_spec_roles()
    {
        var holds = Holding();

        Assert.Equal([ServiceRole, Refined], holds.Keep(Spec).Roles.ToArray());
        Assert.Equal([ServiceRole], new RoleHolds().Keep(Spec).Roles.ToArray());
        Assert.Contains("may still be there", holds.Why(Refined, MaxAge));
    }

    [Fact]
    public void Made_reservations_end_once_an_offer_under_their_role_lacks_them_after_one_showed_them()
    {
        var holds = Holding();

        // Left out of an offer (a task may still use them; the agent may offer them in another): nothing yet.
        Assert.Empty(holds.Observe(Under(Refined, TestOffers.Unreserved("agent-1"))));
        Assert.Empty(holds.Observe(Under(Refined, TestOffers.WithReserved("agent-1", Footprint))));
        // Another role's offer of the agent, or another agent's, says nothing of them.
        Assert.Empty(holds.Observe(Under(ServiceRole, TestOffers.Unreserved("agent-1"))));
        Assert.Empty(holds.Observe(Under(Refined, TestOffers.Unreserved("agent-2"))));
        Assert.Equal(1, holds.Count);

        var ended = Assert.Single(holds.Observe(Under(Refined, TestOffers.Unreserved("agent-1"))));

        Assert.Equal((Refined, "agent-1", RoleHoldEnd.Collected, "collected"), (ended.Role, ended.AgentId, ended.Reason, ended.ReasonText));
        Assert.Equal(Ids.Order(), ended.ResourceIds.Order());
        Assert.Equal(0, holds.Count);
        Assert.Equal([ServiceRole], holds.Keep(Spec).Roles.ToArray());
    }

    [Fact]
    public void Our_unreserve_of_them_counts_as_seeing_them()
    {
        // The router got the offer that showed them before the hold came; its ACCEPT unreserves them.
        var holds = Holding();
        holds.Unreserving(Ids);

        Assert.Single(holds.Observe(Under(Refined, TestOffers.Unreserved("agent-1"))));
    }

    [Fact]
    public void Reservations_that_may_never_have_been_made_end_with_the_first_offer_under_their_role_without_them()
    {
        var holds = Holding(made: false);

        Assert.Single(holds.Observe(Under(Refined, TestOffers.Unreserved("agent-1"))));
    }

    [Fact]
    public void They_follow_their_agent_restarted_under_a_new_id()
    {
        var holds = Holding();

        Assert.Empty(holds.Observe(Under(Refined, TestOffers.WithReserved("agent-1b", Footprint))));
        Assert.Equal(["agent-1b"], holds.Agents);
        Assert.Empty(holds.Observe(Under(Refined, TestOffers.Unreserved("agent-1"))));

        var ended = Assert.Single(holds.Observe(Under(Refined, TestOffers.Unreserved("agent-1b"))));
        Assert.Equal("agent-1", ended.AgentId);
    }

    [Fact]
    public void Partly_collected_holds_keep_the_rest()
    {
        var holds = Holding();
        holds.Unreserving(Ids);
        var left = Footprint.Where(r => Resources.ResourceId(r) == Ids[0]).ToArray();

        var ended = Assert.Single(holds.Observe(Under(Refined, TestOffers.WithReserved("agent-1", left))));

        Assert.DoesNotContain(Ids[0], ended.ResourceIds);
        Assert.Equal([Ids[0]], Assert.Single(holds.Current).ResourceIds.ToArray());
    }

    [Fact]
    public void A_hold_ends_when_its_agent_is_marked_gone()
    {
        var holds = Holding();
        holds.Add(new RoleHold(Refined, "agent-2", ["other"], true, Since));

        var ended = Assert.Single(holds.AgentGone("agent-1"));

        Assert.Equal((RoleHoldEnd.AgentGone, "agent gone"), (ended.Reason, ended.ReasonText));
        Assert.Equal(["agent-2"], holds.Agents);
        Assert.Equal([ServiceRole, Refined], holds.Keep(Spec).Roles.ToArray());
    }

    [Fact]
    public void A_hold_expires_once_the_registry_no_longer_keeps_its_agent()
    {
        var holds = Holding();

        Assert.Empty(holds.Expire(Since + MaxAge - TimeSpan.FromSeconds(1), MaxAge));
        var ended = Assert.Single(holds.Expire(Since + MaxAge, MaxAge));

        Assert.Equal(RoleHoldEnd.Expired, ended.Reason);
        Assert.Equal(0, holds.Count);
    }

    [Fact]
    public void Holds_of_one_role_and_agent_join_keeping_the_earliest_time_and_a_journaled_ending_replays()
    {
        var holds = Holding(made: false);

        Assert.False(holds.Add(new RoleHold(Refined, "agent-1", Ids, true, Since.AddHours(1))));
        Assert.True(holds.Add(new RoleHold(Refined, "agent-1", ["more"], true, Since.AddHours(-1))));
        var hold = Assert.Single(holds.Current);
        Assert.Equal((Since.AddHours(-1), true, Ids.Length + 1), (hold.Since, hold.Made, hold.ResourceIds.Length));

        holds.End(Refined, "agent-1", ["more"]);
        Assert.Equal(Ids.Order(), Assert.Single(holds.Current).ResourceIds.ToArray());
        holds.End(Refined, "agent-1", []);
        Assert.Equal(0, holds.Count);
    }

    [Fact]
    public void An_agent_is_back_when_a_probe_finds_it_registered_after_one_found_it_unreachable()
    {
        var holds = Holding();

        Assert.False(holds.Reachable("agent-1", reachable: true));
        Assert.False(holds.Reachable("agent-1", reachable: false));
        Assert.False(holds.Reachable("agent-2", reachable: true));
        Assert.True(holds.Reachable("agent-1", reachable: true));
        Assert.False(holds.Reachable("agent-1", reachable: true));
    }
}
