using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>Given-up reservations are followed through offers until one from their agent shows them gone.</summary>
public sealed class GivenUpReservationsTests
{
    private static readonly Resource[] Footprint =
        OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Footprint.ToArray();

    private static readonly string[] Ids = Footprint.Select(Resources.ResourceId).OfType<string>().ToArray();

    [Fact]
    public void An_offer_from_their_agent_that_still_carries_them_keeps_them_and_the_next_one_without_them_settles_them()
    {
        var watch = new GivenUpReservations();
        watch.Add("hello-0", "agent-1", Ids);

        Assert.Empty(Observe(watch, TestOffers.WithReserved("agent-1", Footprint)));
        Assert.Empty(Observe(watch, TestOffers.Unreserved("agent-2")));
        Assert.True(watch.Contains("hello-0"));

        Assert.Equal(["hello-0"], Observe(watch, TestOffers.Unreserved("agent-1")));
        Assert.Equal(0, watch.Count);
    }

    [Fact]
    public void Reservations_that_may_be_in_use_are_settled_only_by_an_offer_without_them_after_one_that_showed_them_free()
    {
        var watch = new GivenUpReservations();
        watch.Add("agent-1", "agent-1", Ids, seenFreeFirst: true);

        // A task being killed still uses them: offers leave them out, which says nothing yet.
        Assert.Empty(Observe(watch, TestOffers.Unreserved("agent-1")));
        Assert.Equal(Ids.Order(), watch.IdsOf("agent-1").Order());

        Assert.Empty(Observe(watch, TestOffers.WithReserved("agent-1", Footprint)));
        Assert.Equal(["agent-1"], Observe(watch, TestOffers.Unreserved("agent-1")));
    }

    [Fact]
    public void What_an_agents_offers_carry_together_counts()
    {
        var watch = new GivenUpReservations();
        watch.Add("hello-0", "agent-1", Ids);
        var carried = Ids.Take(1).ToHashSet();

        // Split over two offers, the rest in the other one: only what neither carries is gone.
        Assert.Empty(watch.Observe("agent-1", carried));
        Assert.Equal(carried.Order(), watch.IdsOf("hello-0").Order());
    }

    [Fact]
    public void Reservations_seen_under_a_new_agent_id_are_followed_there()
    {
        var watch = new GivenUpReservations();
        watch.Add("agent-1", "agent-1", Ids);

        // agent-1 restarted as agent-9 with them: agent-9's offers tell from now on.
        Assert.True(watch.Watches("agent-1"));
        Assert.Empty(Observe(watch, TestOffers.WithReserved("agent-9", Footprint)));
        Assert.True(watch.Watches("agent-9"));
        Assert.False(watch.Watches("agent-1"));
        Assert.Empty(Observe(watch, TestOffers.WithReserved("agent-9", Footprint)));
        Assert.Equal(["agent-1"], Observe(watch, TestOffers.Unreserved("agent-9")));
    }

    [Fact]
    public void Only_the_reservations_an_offer_from_their_agent_lacks_are_gone()
    {
        var watch = new GivenUpReservations();
        watch.Add("hello-0", "agent-1", Ids);
        var kept = Footprint.First(r => Resources.ResourceId(r) is not null);

        Assert.Empty(Observe(watch, TestOffers.WithReserved("agent-1", [kept])));
        Assert.Equal([Resources.ResourceId(kept)!], watch.IdsOf("hello-0"));
        Assert.Equal(["hello-0"], Observe(watch, TestOffers.Unreserved("agent-1")));
    }

    [Fact]
    public void Groups_join_on_the_same_key_and_are_settled_apart_from_others()
    {
        var watch = new GivenUpReservations();
        watch.Add("agent-1", "agent-1", Ids.Take(1));
        watch.Add("agent-1", "agent-1", Ids.Skip(1));
        watch.Add("agent-2", "agent-2", ["other"]);

        Assert.Equal(Ids.Order(), watch.IdsOf("agent-1").Order());
        Assert.Equal(["agent-1"], Observe(watch, TestOffers.Unreserved("agent-1")));
        Assert.True(watch.Contains("agent-2"));
        Assert.True(watch.Remove("agent-2"));
        Assert.False(watch.Remove("agent-2"));
        Assert.Empty(watch.IdsOf("agent-2"));
    }

    /// <summary>What one offer shows (its agent's only offer out).</summary>
    private static IReadOnlyList<string> Observe(GivenUpReservations watch, Offer offer) =>
        watch.Observe(offer.AgentId.Value, offer.Resources.Select(Resources.ResourceId).OfType<string>().ToHashSet());
}
