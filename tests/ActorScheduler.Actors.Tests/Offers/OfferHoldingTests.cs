using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class OfferHoldingTests
{
    // 1 cpu and 100 MB a pod: a 4-cpu offer has room for 4.
    private static readonly OfferFit.Scalars Need = new(1, 100, 0);

    private const int PerCycle = 100;

    private static bool AdmitsAll(PodRequirement requirement, Offer offer) => true;

    private static (PodRequirement, OfferFit.Scalars) NewPod(int index, bool ruled = false)
    {
        var pod = ruled
            ? TestOffers.HelloPod() with { Placement = PlacementRuleParser.Parse("hostname:UNIQUE", "hello").Rule, PlacementText = "hostname:UNIQUE" }
            : TestOffers.HelloPod();
        return (TestOffers.Requirement(pod) with { Index = index }, Need);
    }

    private static (PodRequirement, OfferFit.Scalars) Relaunch(int index, string agent) =>
        (TestOffers.Requirement(TestOffers.HelloPod(), new Footprint(agent, agent + ".local", ImmutableArray<Resource>.Empty)) with { Index = index }, Need);

    private static Offer[] Offers(int count, double cpus = 4) =>
        Enumerable.Range(0, count).Select(i => TestOffers.Unreserved($"agent-{i}", cpus: cpus, mem: 100_000)).ToArray();

    private static int[] Kept(bool[] keep) => Enumerable.Range(0, keep.Length).Where(i => keep[i]).ToArray();

    [Fact]
    public void The_newest_offers_are_kept_until_they_hold_room_for_twice_the_waiting_pods()
    {
        // Six pods wait: room for 12, three 4-cpu offers, the newest three.
        var keep = OfferHolding.Keep(Offers(10), accepted: 1, Enumerable.Range(0, 6).Select(i => NewPod(i)), PerCycle, AdmitsAll);

        Assert.Equal([7, 8, 9], Kept(keep));
    }

    [Fact]
    public void An_offer_holds_room_for_one_cycle_at_most()
    {
        // Room for 32 on each offer, but a cycle claims two: the next cycle that uses an offer accepts it whole. Five pods
        // wait: room for 10, five offers.
        var keep = OfferHolding.Keep(Offers(10, cpus: 32), accepted: 1, Enumerable.Range(0, 5).Select(i => NewPod(i)), claimsPerCycle: 2, AdmitsAll);

        Assert.Equal([5, 6, 7, 8, 9], Kept(keep));
    }

    [Fact]
    public void An_offer_holds_room_for_as_many_new_footprints_as_the_cycle_put_on_an_offer()
    {
        // Room for 32 on each offer, and a cycle claims up to 100; counted so, the newest offer has room for the ten that
        // five waiting pods need (and twice the two accepted are kept).
        var pods = Enumerable.Range(0, 5).Select(i => NewPod(i)).ToList();
        Assert.Equal([6, 7, 8, 9], Kept(OfferHolding.Keep(Offers(10, cpus: 32), accepted: 2, pods, PerCycle, AdmitsAll)));

        // But the cycle put one pod on each offer it used (a fitness that spreads): each kept offer counts as room for one.
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], Kept(OfferHolding.Keep(Offers(10, cpus: 32), accepted: 2, pods, PerCycle, AdmitsAll, podsPerOffer: _ => 1)));

        // Two an offer: room for ten in five offers; never more than fit, nor than a cycle claims.
        Assert.Equal([5, 6, 7, 8, 9], Kept(OfferHolding.Keep(Offers(10, cpus: 32), accepted: 2, pods, PerCycle, AdmitsAll, podsPerOffer: _ => 2)));
        Assert.Equal([6, 7, 8, 9], Kept(OfferHolding.Keep(Offers(10, cpus: 32), accepted: 2, pods, claimsPerCycle: 5, AdmitsAll, podsPerOffer: _ => 50)));

        // Asked for the first waiting new footprint's pod.
        Assert.Equal([5, 6, 7, 8, 9], Kept(OfferHolding.Keep(Offers(10, cpus: 32), accepted: 2, pods, PerCycle, AdmitsAll, podsPerOffer: r => r.Index == 0 ? 2 : 50)));
    }

    [Fact]
    public void At_least_twice_as_many_offers_as_the_cycle_accepted_are_kept()
    {
        var keep = OfferHolding.Keep(Offers(10), accepted: 3, [NewPod(0)], PerCycle, AdmitsAll);

        Assert.Equal([4, 5, 6, 7, 8, 9], Kept(keep));
    }

    [Fact]
    public void Nothing_waiting_keeps_nothing()
    {
        Assert.Empty(Kept(OfferHolding.Keep(Offers(5), accepted: 0, [], PerCycle, AdmitsAll)));
        Assert.Empty(Kept(OfferHolding.Keep(Offers(5), accepted: 1, [], PerCycle, AdmitsAll)));
    }

    [Fact]
    public void A_pod_with_a_placement_rule_counts_one_pod_an_offer()
    {
        // Three UNIQUE pods: six offers, whatever their room.
        var keep = OfferHolding.Keep(Offers(10, cpus: 32), accepted: 1, Enumerable.Range(0, 3).Select(i => NewPod(i, ruled: true)), PerCycle, AdmitsAll);

        Assert.Equal([4, 5, 6, 7, 8, 9], Kept(keep));
    }

    [Fact]
    public void An_offer_the_placement_rule_refuses_counts_for_nothing()
    {
        // Two UNIQUE pods wait: room for four. The newest offers are from agents already used (re-offered once full):
        // refused, they are declined, and the four before them kept.
        var full = new HashSet<string> { "agent-7", "agent-8", "agent-9" };
        var keep = OfferHolding.Keep(Offers(10), accepted: 0, [NewPod(0, ruled: true), NewPod(1, ruled: true)], PerCycle,
            (requirement, offer) => !full.Contains(offer.AgentId.Value));

        Assert.Equal([3, 4, 5, 6], Kept(keep));
    }

    [Fact]
    public void Offers_too_small_for_every_pod_waiting_are_declined_even_within_the_floor()
    {
        var offers = Offers(6, cpus: 0.5).Concat(Offers(2, cpus: 4)).ToArray();

        // Two pods of 1 cpu wait (room for 4): the two 4-cpu offers at the end hold it. The floor (twice the two accepted)
        // would keep two more, but no pod waiting fits a 0.5-cpu offer: kept, nothing would ever claim it.
        var keep = OfferHolding.Keep(offers, accepted: 2, [NewPod(0), NewPod(1)], PerCycle, AdmitsAll);

        Assert.Equal([6, 7], Kept(keep));
    }

    [Fact]
    public void The_floor_keeps_offers_too_small_for_the_next_pod_that_a_later_pod_fits()
    {
        var offers = Offers(6, cpus: 0.5).Concat(Offers(2, cpus: 4)).ToArray();
        var small = (TestOffers.Requirement(TestOffers.HelloPod()) with { Index = 2 }, new OfferFit.Scalars(0.25, 100, 0));

        // The third pod waiting needs a quarter cpu: the floor keeps the two newest small offers for it.
        var keep = OfferHolding.Keep(offers, accepted: 2, [NewPod(0), NewPod(1), small], PerCycle, AdmitsAll);

        Assert.Equal([4, 5, 6, 7], Kept(keep));
    }

    [Fact]
    public void An_offer_from_the_agent_of_a_waiting_footprint_is_always_kept()
    {
        // The relaunch can only go to agent-2; no new footprint waits.
        var keep = OfferHolding.Keep(Offers(6), accepted: 0, [Relaunch(0, "agent-2")], PerCycle, AdmitsAll);

        Assert.Equal([2], Kept(keep));
    }

    [Fact]
    public void An_offer_from_the_host_of_a_waiting_footprint_is_kept_under_a_new_agent_id()
    {
        // agent-2 restarted as agent-2b on the same host, with no unreserved room: still the relaunch's place.
        var offers = Offers(3);
        var restarted = TestOffers.Unreserved("agent-2b", cpus: 0, mem: 0);
        restarted.Hostname = "agent-2.local";

        var keep = OfferHolding.Keep([.. offers, restarted], accepted: 0, [Relaunch(0, "agent-2")], PerCycle, AdmitsAll);

        Assert.Equal([2, 3], Kept(keep));
    }

    [Theory]
    [InlineData(4, 1000, 0, 4)]
    [InlineData(4, 100, 0, 1)]
    [InlineData(4, 250, 0, 2)]
    [InlineData(0.999, 1000, 0, 0)]
    [InlineData(3, 300, 0, 3)] // exact fits, not lost to rounding
    public void Copies_are_the_fewest_any_resource_allows(double cpus, double mem, double disk, long expected) =>
        Assert.Equal(expected, OfferHolding.Copies(new OfferFit.Scalars(cpus, mem, disk), Need));

    [Fact]
    public void A_need_of_nothing_fits_once() =>
        Assert.Equal(1, OfferHolding.Copies(new OfferFit.Scalars(4, 100, 0), new OfferFit.Scalars(0, 0, 0)));

    [Theory]
    [InlineData("backlog", OfferHoldMode.Backlog)]
    [InlineData("NONE", OfferHoldMode.None)]
    [InlineData("None", OfferHoldMode.None)]
    public void Hold_mode_names_parse_case_insensitively_and_round_trip(string text, OfferHoldMode expected)
    {
        Assert.True(OfferHoldModes.TryParse(text, out var mode));
        Assert.Equal(expected, mode);
        Assert.Equal(text.ToLowerInvariant(), OfferHoldModes.NameOf(mode));
        Assert.Equal(["backlog", "none"], OfferHoldModes.Names);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("always")]
    [InlineData("0")]
    public void Other_hold_mode_names_do_not_parse(string? text) => Assert.False(OfferHoldModes.TryParse(text, out _));
}
