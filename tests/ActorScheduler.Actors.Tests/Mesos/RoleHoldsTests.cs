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

    /// <summary>A scheduler restarted on the journal: what the framework actor replays, loaded into a new gateway's holds.</summary>
    private static RoleHolds Restarted(IReadOnlyList<RoleHoldSighting> journaled)
    {
        // The framework actor applies the hold as recorded, then what offers showed of it.
        var framework = new RoleHolds();
        framework.Add(new RoleHold(Refined, "agent-1", Ids, true, Since));
        foreach (var sighting in journaled)
        {
            framework.Saw(sighting);
        }

        var after = new RoleHolds();
        foreach (var hold in framework.Current)
        {
            after.Add(hold);
        }

        return after;
    }

    /// <summary>The holds as the gateway would hand them to the journal, comparable.</summary>
    private static string[] Described(RoleHolds holds) =>
        [.. holds.Current.Select(h => $"{h.Role} {h.AgentId} on {h.OnAgent} ids {string.Join(",", h.ResourceIds)} seen {string.Join(",", h.Seen)}")];

    [Fact]
    public void What_offers_showed_is_journaled_and_a_restarted_scheduler_takes_their_absence_as_collected()
    {
        var holds = Holding();
        Assert.Empty(holds.Observe(Under(Refined, TestOffers.WithReserved("agent-1", Footprint))));
        var shown = Assert.Single(holds.TakeSightings());
        Assert.Equal((Refined, "agent-1", "agent-1"), (shown.Role, shown.AgentId, shown.OnAgent));
        Assert.Equal(Ids.Order(), shown.ResourceIds.Order());
        // Shown again: nothing new to journal.
        Assert.Empty(holds.Observe(Under(Refined, TestOffers.WithReserved("agent-1", Footprint))));
        Assert.Empty(holds.TakeSightings());

        var restarted = Restarted([shown]);

        Assert.Equal(Described(holds), Described(restarted));
        var ended = Assert.Single(restarted.Observe(Under(Refined, TestOffers.Unreserved("agent-1"))));
        Assert.Equal((RoleHoldEnd.Collected, Ids.Length), (ended.Reason, ended.ResourceIds.Length));
        Assert.Equal(0, restarted.Count);
    }

    [Fact]
    public void Our_unreserve_just_before_a_restart_is_journaled_so_the_next_offer_without_them_ends_the_hold()
    {
        var holds = Holding();
        holds.Unreserving(Ids);
        var unreserved = Assert.Single(holds.TakeSightings());
        Assert.Equal(Ids.Order(), unreserved.ResourceIds.Order());

        var restarted = Restarted([unreserved]);

        Assert.Equal(Described(holds), Described(restarted));
        Assert.Single(restarted.Observe(Under(Refined, TestOffers.Unreserved("agent-1"))));
        // Without the sighting, a restarted scheduler would wait to see them again.
        var unjournaled = Restarted([]);
        Assert.Empty(unjournaled.Observe(Under(Refined, TestOffers.Unreserved("agent-1"))));
    }

    [Fact]
    public void A_hold_that_followed_its_agent_to_a_new_id_resumes_there_after_a_restart()
    {
        var holds = Holding();
        var left = Footprint.Where(r => Resources.ResourceId(r) == Ids[0]).ToArray();
        Assert.Empty(holds.Observe(Under(Refined, TestOffers.WithReserved("agent-1b", left))));
        var moved = Assert.Single(holds.TakeSightings());
        Assert.Equal(("agent-1b", Ids[0]), (moved.OnAgent, Assert.Single(moved.ResourceIds)));

        var restarted = Restarted([moved]);

        Assert.Equal(Described(holds), Described(restarted));
        Assert.Equal(["agent-1b"], restarted.Agents);
        Assert.Equal("agent-1b", Assert.Single(restarted.Current).OnAgent);
        // Only the shown one counts as collected from agent-1b's next offer without it; the others were never shown.
        var ended = Assert.Single(restarted.Observe(Under(Refined, TestOffers.Unreserved("agent-1b"))));
        Assert.Equal([Ids[0]], ended.ResourceIds.ToArray());
        Assert.Equal(Ids.Length - 1, Assert.Single(restarted.Current).ResourceIds.Length);
    }

    [Fact]
    public void Sightings_of_reservations_that_ended_replay_as_nothing()
    {
        var holds = Holding();
        holds.Unreserving(Ids);
        var sighting = Assert.Single(holds.TakeSightings());
        holds.End(Refined, "agent-1", [Ids[0]]);

        holds.Saw(sighting);
        holds.Saw(sighting with { Role = "other" });

        Assert.DoesNotContain(Ids[0], Assert.Single(holds.Current).Seen);
        Assert.Equal(Ids.Length - 1, Assert.Single(holds.Current).Seen.Length);
    }

    [Fact]
    public void The_router_is_asked_once_to_follow_a_registered_agents_held_reservations_and_again_after_it_was_unreachable()
    {
        var holds = Holding();
        holds.Unreserving([Ids[0]]);

        var follow = holds.FollowUp("agent-1");

        Assert.NotNull(follow);
        // Shown (or unreserved): gone once an offer lacks them. Made and never shown: an offer must show them first.
        Assert.Equal([Ids[0]], follow.GoneWhenAbsent.ToArray());
        Assert.Equal(Ids.Skip(1).Order(), follow.ShownFirst.ToArray());
        Assert.Null(holds.FollowUp("agent-1"));
        Assert.Null(holds.FollowUp("agent-2"));

        holds.Reachable("agent-1", reachable: false);
        Assert.NotNull(holds.FollowUp("agent-1"));

        // New reservations given up there: followed again.
        holds.Add(new RoleHold(Refined, "agent-1", ["more"], true, Since));
        Assert.Contains("more", holds.FollowUp("agent-1")!.ShownFirst);
    }
}
