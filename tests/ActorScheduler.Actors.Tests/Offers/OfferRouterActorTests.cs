using System.Collections.Immutable;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Actors.Tests.Persistence;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Offers;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class OfferRouterActorTests : ActorTestKit
{
    /// <summary>The journal tells the router that <paramref name="pod"/>'s launch record for the offer is durable.</summary>
    private static void Recorded(IActorRef router, string offerId, IActorRef pod) =>
        router.Tell(new EntityJournalProtocol.Durable([new LaunchRecorded(offerId, pod)]));

    private Akka.TestKit.TestProbe? _entityJournal;

    /// <summary>Stands in for the entity journal, which the router asks for a barrier when a claiming pod actor stops.</summary>
    private Akka.TestKit.TestProbe EntityJournal => _entityJournal ??= CreateTestProbe();

    [Fact]
    public void Offers_that_come_while_reconciling_should_be_kept_for_the_first_cycle_and_later_ones_declined_short()
    {
        var (gateway, pod) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pod);
        var first = TestOffers.Unreserved("agent-1");
        var second = TestOffers.Unreserved("agent-2");

        router.Tell(new OffersReceived(ImmutableArray.Create(first)));
        router.Tell(new OffersReceived(ImmutableArray.Create(second)));

        // The first offers wait for reconciliation; later ones are declined short, and nothing is claimed yet.
        var decline = gateway.ExpectMsg<DeclineOffers>();
        Assert.Equal([second.Id.Value], decline.OfferIds.ToArray());
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, decline.RefuseSeconds);
        pod.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // Once reconciled, the kept offers are used at once, and the filters the declines installed are cleared.
        router.Tell(new ReconciliationComplete("fw-1"));
        gateway.ExpectMsg<ReviveOffers>();
        Assert.Equal(first.Id.Value, pod.ExpectMsg<LaunchClaim>().Offer.Id.Value);
    }

    [Fact]
    public void Offers_kept_while_reconciling_should_be_declined_short_after_the_hold_limit()
    {
        var gateway = CreateTestProbe();
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal, holdLimit: TimeSpan.FromMilliseconds(300)));
        var offer = TestOffers.Unreserved();

        var sent = System.Diagnostics.Stopwatch.StartNew();
        router.Tell(new OffersReceived(ImmutableArray.Create(offer)));

        // Kept until the hold limit (a lower bound however late this thread looks), then declined short.
        var decline = gateway.ExpectMsg<DeclineOffers>(TimeSpan.FromSeconds(3));
        Assert.True(sent.Elapsed >= TimeSpan.FromMilliseconds(250), $"declined after {sent.Elapsed.TotalMilliseconds:F0} ms, before the 300 ms hold limit");
        Assert.Equal([offer.Id.Value], decline.OfferIds.ToArray());
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, decline.RefuseSeconds);

        // Reconciled later: the filter that decline installed is cleared.
        router.Tell(new ReconciliationComplete("fw-1"));
        gateway.ExpectMsg<ReviveOffers>();
    }

    [Fact]
    public void Router_should_accept_only_after_the_pod_recorded_the_launch()
    {
        var (gateway, pod) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pod);
        var fits = TestOffers.Unreserved("agent-1");
        var tooSmall = TestOffers.Unreserved("agent-2", cpus: 0.1);

        router.Tell(new OffersReceived(ImmutableArray.Create(tooSmall, fits)));

        var claim = pod.ExpectMsg<LaunchClaim>();
        Assert.Equal(fits.Id.Value, claim.Offer.Id.Value);
        router.Tell(new ActorScheduler.Messages.Offers.OfferProtocol.GetOfferOutcomes("hello-0"));
        var outcomes = ExpectMsg<ActorScheduler.Messages.Offers.OfferOutcomes>();
        Assert.Equal("hello-0: 2 offers evaluated, 1 passed; 1 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation (needs 0.6, offers had at most 0.1)", outcomes.Summaries.Single().Line);
        var decline = gateway.ExpectMsg<DeclineOffers>();
        Assert.Equal([tooSmall.Id.Value], decline.OfferIds.ToArray());
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Recorded(router, fits.Id.Value, pod);
        var accept = gateway.ExpectMsg<AcceptOffers>();
        Assert.Equal([fits.Id.Value], accept.OfferIds.ToArray());
        Assert.Equal(claim.Evaluation.Operations.ToArray(), accept.Operations.ToArray());
    }

    [Fact]
    public void A_pod_placed_once_and_registered_again_is_summarised_from_its_new_wait_only()
    {
        var (router, gateway) = ReconciledRouter();
        var pod = CreateTestProbe();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pod);
        var fits = TestOffers.Unreserved("agent-1");
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-2", cpus: 0.1), fits]));
        pod.ExpectMsg<LaunchClaim>();
        Recorded(router, fits.Id.Value, pod);
        gateway.FishForMessage(m => m is AcceptOffers);

        // Replaced: the pod waits for a new footprint, and no agent has room for it.
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pod);
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-3", cpus: 0.1)]));

        router.Tell(new OfferProtocol.GetOfferOutcomes("hello-0"));
        Assert.Equal(
            "hello-0: 1 offer evaluated, 0 passed; 1 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation (needs 0.6, offers had at most 0.1)",
            ExpectMsg<OfferOutcomes>().Summaries.Single().Line);
        pod.ExpectMsg<OffersDoNotFit>();
        pod.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void A_pod_no_offer_fits_hears_why_once_while_the_reason_stays_and_again_once_it_registers_anew()
    {
        var (router, _) = ReconciledRouter();
        var pod = CreateTestProbe();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(cpus: 8)), Registration: 1), pod);

        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1", cpus: 2), TestOffers.Unreserved("agent-2", cpus: 4)]));
        Assert.Equal(new OffersDoNotFit("FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation (needs 8.1, offers had at most 4)", 1), pod.ExpectMsg<OffersDoNotFit>());

        // The same reason in the next cycle: not told again.
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-3", cpus: 2)]));
        router.Tell(new OfferProtocol.GetOfferOutcomes("hello-0"));
        ExpectMsg<OfferOutcomes>();
        pod.ExpectNoMsg(TimeSpan.Zero);

        // Registered again (a new requirement): the next cycle that places nothing tells it again, naming that registration.
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(cpus: 8)), Registration: 2), pod);
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-4", cpus: 2)]));
        Assert.Equal(2, pod.ExpectMsg<OffersDoNotFit>().Registration);

        // A pod that is placed hears nothing of the offers it did not take.
        var other = CreateTestProbe();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod()) with { Index = 1 }), other);
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-5", cpus: 0.1), TestOffers.Unreserved("agent-6")]));
        other.ExpectMsg<LaunchClaim>();
        router.Tell(new OfferProtocol.GetOfferOutcomes("hello-1"));
        ExpectMsg<OfferOutcomes>();
        other.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void Router_should_accept_once_the_journal_says_every_claiming_pods_launch_record_is_durable()
    {
        var (router, gateway, pod0, pod1) = RouterWithTwoRequirements();
        var journal = CreateTestProbe();
        var offer = TestOffers.Unreserved("agent-1");

        // Room for both pods on one offer: two claims, one ACCEPT once both are recorded.
        router.Tell(new OffersReceived([offer]));
        var claims = new[] { pod0.ExpectMsg<LaunchClaim>(), pod1.ExpectMsg<LaunchClaim>() };
        Assert.All(claims, c => Assert.Equal(offer.Id.Value, c.Offer.Id.Value));

        // The journal names the pods: a notice for a pod without a claim on the offer, or of another kind, is ignored.
        router.Tell(new EntityJournalProtocol.Durable([new LaunchRecorded(offer.Id.Value, journal.Ref), "not a launch", new LaunchRecorded(offer.Id.Value, pod0.Ref)]), journal);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        router.Tell(new EntityJournalProtocol.Durable([new LaunchRecorded(offer.Id.Value, pod1.Ref)]), journal);
        var accept = gateway.ExpectMsg<AcceptOffers>();
        Assert.Equal([offer.Id.Value], accept.OfferIds.ToArray());
        Assert.Equal(claims.SelectMany(c => c.Evaluation.Operations).ToArray(), accept.Operations.ToArray());
    }

    [Theory]
    [InlineData(OfferRouterActor.FirstCycleClaims)]
    [InlineData(7)]
    public void Router_should_claim_at_most_a_cycles_share_and_leave_the_rest_waiting(int maxClaims)
    {
        var (gateway, pods) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal, maxClaimsPerCycle: maxClaims));
        router.Tell(new ReconciliationComplete("fw-1"));
        var wanted = maxClaims + 40;
        for (var i = 0; i < wanted; i++)
        {
            router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(cpus: 0.1, mem: 16)) with { Index = i }), pods);
        }

        // Room for every one of them: 100 agents of 4 cpus each take 13 such pods (0.1 cpus + the executor's 0.1, ...).
        var offers = Enumerable.Range(0, 100).Select(i => TestOffers.Unreserved($"agent-{i}", cpus: 4, mem: 65536, disk: 1_000_000)).ToImmutableArray();
        router.Tell(new OffersReceived(offers));

        var claims = pods.ReceiveN(maxClaims).Cast<LaunchClaim>().ToList();
        Assert.Equal(maxClaims, claims.Count);
        router.Tell(GetPendingRequirements.Instance);
        Assert.Equal(40, ExpectMsg<ImmutableArray<string>>().Length);
        // The router told every claim of the cycle before it answered: nothing more is on its way.
        Assert.False(pods.HasMessages);
    }

    [Fact]
    public void Cycles_after_a_subscription_should_start_small_and_double_up_to_the_cap()
    {
        var (gateway, pods) = (CreateTestProbe(), CreateTestProbe());
        // First-fit packs each cycle's claims onto the first offers, so the capped cycles keep the others.
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal, maxClaimsPerCycle: 200, fitness: PlacementFitness.FirstFit));
        router.Tell(new ReconciliationComplete("fw-1"));
        for (var i = 0; i < 600; i++)
        {
            router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(cpus: 0.1, mem: 16)) with { Index = i }), pods);
        }

        // Room for 240 of them on each 48-cpu agent: the cycles claim 64, then 128, then the cap, each once the one before
        // is answered, on the offers it kept.
        router.Tell(new OffersReceived(BigOffers()));
        var first = Cycle();
        Assert.Equal(OfferRouterActor.FirstCycleClaims, first.Count);
        AnswerAll(first);
        var second = Cycle();
        Assert.Equal(2 * OfferRouterActor.FirstCycleClaims, second.Count);
        AnswerAll(second);
        Assert.Equal(200, Cycle().Count);

        // A new subscription ramps up again (the last cycle's claims are still open: the next runs on the new offers).
        router.Tell(SubscriptionLost.Instance);
        router.Tell(new ReconciliationComplete("fw-1"));
        router.Tell(new OffersReceived(BigOffers()));
        Assert.Equal(OfferRouterActor.FirstCycleClaims, Cycle().Count);

        static ImmutableArray<Offer> BigOffers() =>
            Enumerable.Range(0, 10).Select(i => TestOffers.Unreserved($"agent-{i}", cpus: 48, mem: 65536, disk: 1_000_000)).ToImmutableArray();

        // The claims of one cycle (all told before the router answers anything else).
        List<LaunchClaim> Cycle()
        {
            router.Tell(GetPendingRequirements.Instance);
            ExpectMsg<ImmutableArray<string>>();
            var claims = new List<LaunchClaim>();
            while (pods.HasMessages)
            {
                claims.Add(pods.ExpectMsg<LaunchClaim>());
            }

            return claims;
        }

        void AnswerAll(List<LaunchClaim> claims)
        {
            foreach (var claim in claims)
            {
                Recorded(router, claim.Offer.Id.Value, pods);
            }
        }
    }

    [Fact]
    public void A_capped_cycle_should_keep_the_newest_offers_the_work_left_needs_and_claim_on_them_once_answered()
    {
        var (router, gateway, pods) = RouterWithHelloPods(5, maxClaims: 2);

        // One pod (0.6 cpus with the executor) per offer; twelve offers for five pods, two claims per cycle.
        var offers = Enumerable.Range(0, 12).Select(i => TestOffers.Unreserved($"agent-{i}", cpus: 1)).ToArray();
        router.Tell(new OffersReceived([.. offers]));

        var first = pods.ReceiveN(2).Cast<LaunchClaim>().ToList();
        Assert.Equal([offers[0].Id.Value, offers[1].Id.Value], first.Select(c => c.Offer.Id.Value).ToArray());
        // Three pods wait: room for twice as many is kept, the newest offers (6 to 11); the oldest are declined.
        var decline = gateway.ExpectMsg<DeclineOffers>();
        Assert.Equal(offers[2..6].Select(o => o.Id.Value).ToArray(), decline.OfferIds.ToArray());
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, decline.RefuseSeconds);
        Assert.False(pods.HasMessages);
        // In hand, unanswered: the six kept and the two claimed.
        router.Tell(GetOffersInHand.Instance);
        Assert.Equal(new OffersInHand(6, 2), ExpectMsg<OffersInHand>());

        // Answered, the next cycle claims on the kept offers (oldest first), without new offers from the master.
        Recorded(router, offers[0].Id.Value, pods);
        Recorded(router, offers[1].Id.Value, pods);
        var second = pods.ReceiveN(2).Cast<LaunchClaim>().ToList();
        Assert.Equal([offers[6].Id.Value, offers[7].Id.Value], second.Select(c => c.Offer.Id.Value).ToArray());
        Assert.Equal(["hello-2", "hello-3"], second.Select(c => c.Evaluation.Tasks[0].Info.Name.Split("-server")[0]).ToArray());

        // One pod waits: at least twice the offers the cycle used stay (8 to 11), so nothing more is declined yet.
        Recorded(router, offers[6].Id.Value, pods);
        Recorded(router, offers[7].Id.Value, pods);
        var last = pods.ExpectMsg<LaunchClaim>();
        Assert.Equal(offers[8].Id.Value, last.Offer.Id.Value);
        // Each answered offer was accepted; nothing is left to claim, so the offers it did not use are declined.
        foreach (var i in new[] { 0, 1, 6, 7 })
        {
            Assert.Equal([offers[i].Id.Value], gateway.ExpectMsg<AcceptOffers>().OfferIds.ToArray());
        }

        Assert.Equal(offers[9..12].Select(o => o.Id.Value).ToArray(), gateway.ExpectMsg<DeclineOffers>().OfferIds.ToArray());
        router.Tell(GetOffersInHand.Instance);
        Assert.Equal(new OffersInHand(0, 1), ExpectMsg<OffersInHand>());
    }

    [Fact]
    public void Without_offer_holding_a_capped_cycle_should_decline_every_offer_it_leaves_and_the_pods_left_take_the_next_offers()
    {
        var metrics = new SchedulerMetrics();
        var (router, gateway, pods) = RouterWithHelloPods(5, maxClaims: 2, metrics: metrics, holdMode: OfferHoldMode.None);

        // The same twelve offers as above: two claimed, and the ten the work left could use declined at once (short: the
        // pods still wait), none kept.
        var offers = Enumerable.Range(0, 12).Select(i => TestOffers.Unreserved($"agent-{i}", cpus: 1)).ToArray();
        router.Tell(new OffersReceived([.. offers]));
        var first = pods.ReceiveN(2).Cast<LaunchClaim>().ToList();
        Assert.Equal([offers[0].Id.Value, offers[1].Id.Value], first.Select(c => c.Offer.Id.Value).ToArray());
        var decline = gateway.ExpectMsg<DeclineOffers>();
        Assert.Equal(offers[2..].Select(o => o.Id.Value).ToArray(), decline.OfferIds.ToArray());
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, decline.RefuseSeconds);

        // Answered, the cycle's offers are accepted and no cycle runs without new offers.
        Recorded(router, offers[0].Id.Value, pods);
        Recorded(router, offers[1].Id.Value, pods);
        Assert.Equal([offers[0].Id.Value], gateway.ExpectMsg<AcceptOffers>().OfferIds.ToArray());
        Assert.Equal([offers[1].Id.Value], gateway.ExpectMsg<AcceptOffers>().OfferIds.ToArray());
        Assert.False(pods.HasMessages);

        // The next offers take the next two pods, and what that capped cycle leaves is declined too.
        var next = Enumerable.Range(0, 4).Select(i => TestOffers.Unreserved($"agent-next-{i}", cpus: 1)).ToArray();
        router.Tell(new OffersReceived([.. next]));
        var second = pods.ReceiveN(2).Cast<LaunchClaim>().ToList();
        Assert.Equal(next[..2].Select(o => o.Id.Value).ToArray(), second.Select(c => c.Offer.Id.Value).ToArray());
        Assert.Equal(next[2..].Select(o => o.Id.Value).ToArray(), gateway.ExpectMsg<DeclineOffers>().OfferIds.ToArray());
        AwaitAssert(() =>
        {
            var counters = metrics.Counters();
            Assert.Equal(0, counters.GetValueOrDefault(SchedulerMetrics.OffersKept));
            Assert.Equal(12, counters[SchedulerMetrics.DeclinesShort]);
        });
    }

    [Fact]
    public void An_offer_cycle_is_timed_until_its_last_offer_is_answered_and_each_offer_is_counted_once()
    {
        var metrics = new SchedulerMetrics();
        var (router, gateway, pods) = RouterWithHelloPods(3, maxClaims: 2, metrics: metrics);
        var offers = Enumerable.Range(0, 7).Select(i => TestOffers.Unreserved($"agent-{i}", cpus: 1)).ToArray();
        var watch = System.Diagnostics.Stopwatch.StartNew();

        // Cycle 1 claims two offers, keeps the four newest for the next cycle and declines one: it is not over while a
        // claim is open.
        router.Tell(new OffersReceived([.. offers]));
        pods.ReceiveN(2);
        Assert.Equal([offers[2].Id.Value], gateway.ExpectMsg<DeclineOffers>().OfferIds.ToArray());
        AwaitAssert(() => Assert.Equal(3, metrics.Counters().GetValueOrDefault(SchedulerMetrics.OffersProcessed)));
        // From here on the cycle has been evaluated and waits for its second claim (measured here, not taken as the
        // nominal 150 ms below: a wait's timeout can end a fraction of a millisecond early).
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        Recorded(router, offers[0].Id.Value, pods);
        gateway.ExpectMsg<AcceptOffers>();
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(150));
        Assert.False(metrics.Timers().ContainsKey(SchedulerMetrics.OffersProcess));
        // The router's own part of it (evaluation, claims, declines) was timed as it ended, without the wait.
        var evaluated = metrics.Timers()[SchedulerMetrics.OffersEvaluate];
        Assert.Equal(1, evaluated.Count);
        var waited = waiting.Elapsed.TotalSeconds;
        Assert.True(evaluated.Max < watch.Elapsed.TotalSeconds - waited);

        // Its last claim answered, it is timed (the wait included), and cycle 2 claims the last pod on a kept offer.
        Recorded(router, offers[1].Id.Value, pods);
        Assert.Equal([offers[1].Id.Value], gateway.ExpectMsg<AcceptOffers>().OfferIds.ToArray());
        Assert.Equal(offers[3].Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        Assert.Equal([offers[4].Id.Value, offers[5].Id.Value, offers[6].Id.Value], gateway.ExpectMsg<DeclineOffers>().OfferIds.ToArray());
        var first = metrics.Timers()[SchedulerMetrics.OffersProcess];
        Assert.Equal(1, first.Count);
        Assert.InRange(first.Max, waited, watch.Elapsed.TotalSeconds);

        Recorded(router, offers[3].Id.Value, pods);
        gateway.ExpectMsg<AcceptOffers>();
        AwaitAssert(() => Assert.Equal(2, metrics.Timers()[SchedulerMetrics.OffersProcess].Count));

        // Nothing wants resources: a cycle of declines only is timed at once.
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-late")]));
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        AwaitAssert(() =>
        {
            var counters = metrics.Counters();
            Assert.Equal(3, metrics.Timers()[SchedulerMetrics.OffersProcess].Count);
            Assert.Equal(3, metrics.Timers()[SchedulerMetrics.OffersEvaluate].Count);
            Assert.Equal(8, counters[SchedulerMetrics.OffersProcessed]);
            Assert.Equal(4, counters[SchedulerMetrics.DeclinesShort]);
            Assert.Equal(1, counters[SchedulerMetrics.DeclinesLong]);
            Assert.Equal(3, counters[SchedulerMetrics.OffersAccepted]);
        });
    }

    [Fact]
    public void Offers_a_capped_cycle_held_should_go_first_into_the_cycle_of_new_offers()
    {
        var (router, gateway, pods) = RouterWithHelloPods(3, maxClaims: 1);

        var (a, b, c) = (TestOffers.Unreserved("agent-a", cpus: 1), TestOffers.Unreserved("agent-b", cpus: 1), TestOffers.Unreserved("agent-c", cpus: 1));
        router.Tell(new OffersReceived([a, b]));
        Assert.Equal(a.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);

        // The claim on a is not answered yet; new offers come: b, held, is used before c.
        router.Tell(new OffersReceived([c]));
        Assert.Equal(b.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_held_offer_a_cycle_of_newer_offers_passes_over_again_should_be_declined()
    {
        var metrics = new SchedulerMetrics();
        var (router, gateway, pods) = RouterWithHelloPods(3, maxClaims: 1, metrics: metrics);

        // Binpack ranks the 4-cpu offer below the 1-cpu ones: cycle 1 claims a and keeps b for the pods left.
        var (a, b, c) = (TestOffers.Unreserved("agent-a", cpus: 1), TestOffers.Unreserved("agent-b", cpus: 4), TestOffers.Unreserved("agent-c", cpus: 1));
        router.Tell(new OffersReceived([a, b]));
        Assert.Equal(a.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // A newer offer comes and takes the next pod: b, passed over again, is declined, not kept for every later cycle.
        router.Tell(new OffersReceived([c]));
        Assert.Equal(c.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        var decline = gateway.ExpectMsg<DeclineOffers>();
        Assert.Equal([b.Id.Value], decline.OfferIds.ToArray());
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, decline.RefuseSeconds);

        // Counted: b kept once, then declined as passed over (a short decline).
        AwaitAssert(() =>
        {
            var counters = metrics.Counters();
            Assert.Equal(1, counters[SchedulerMetrics.OffersKept]);
            Assert.Equal(1, counters[SchedulerMetrics.DeclinesPassedOver]);
            Assert.Equal(1, counters[SchedulerMetrics.DeclinesShort]);
        });

        // And explained: debug offers counts it by why.
        router.Tell(new OfferProtocol.GetOfferOutcomes());
        Assert.Equal([new DeclineCount(DeclineReasons.PassedOver.Text, OfferRouterActor.ShortDeclineSeconds, 1)], ExpectMsg<OfferOutcomes>().Declines.ToArray());
    }

    [Fact]
    public void A_cycle_declining_offers_for_two_reasons_with_one_filter_should_send_one_decline_and_count_each_reason()
    {
        var metrics = new SchedulerMetrics();
        var (router, gateway, pods) = RouterWithHelloPods(3, maxClaims: 1, metrics: metrics);

        // Cycle 1 claims a and keeps b (binpack ranks the 4-cpu offer last).
        var (a, b) = (TestOffers.Unreserved("agent-a", cpus: 1), TestOffers.Unreserved("agent-b", cpus: 4));
        router.Tell(new OffersReceived([a, b]));
        Assert.Equal(a.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);

        // Newer offers: c takes hello-1; b, passed over again, is declined, and of d, e and f the cycle keeps the newest
        // two for the one pod left (room for twice it) — d is not kept. One DECLINE with the short filter carries both.
        var (c, d, e, f) = (TestOffers.Unreserved("agent-c", cpus: 1), TestOffers.Unreserved("agent-d", cpus: 1), TestOffers.Unreserved("agent-e", cpus: 1), TestOffers.Unreserved("agent-f", cpus: 1));
        router.Tell(new OffersReceived([c, d, e, f]));
        Assert.Equal(c.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        var decline = gateway.ExpectMsg<DeclineOffers>();
        Assert.Equal([b.Id.Value, d.Id.Value], decline.OfferIds.ToArray());
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, decline.RefuseSeconds);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        router.Tell(new OfferProtocol.GetOfferOutcomes());
        Assert.Equal(
            [new DeclineCount(DeclineReasons.PassedOver.Text, OfferRouterActor.ShortDeclineSeconds, 1), new DeclineCount(DeclineReasons.NotNeeded.Text, OfferRouterActor.ShortDeclineSeconds, 1)],
            ExpectMsg<OfferOutcomes>().Declines.ToArray());
        // Each reason has its counter; both are short declines.
        var counters = metrics.Counters();
        Assert.Equal((1, 1, 2), (counters["declines.passed_over"], counters["declines.not_kept"], counters[SchedulerMetrics.DeclinesShort]));
    }

    [Fact]
    public void Every_decline_reason_has_its_own_words_and_counter()
    {
        Assert.Equal(DeclineReasons.All.Count, DeclineReasons.All.Select(r => r.Text).Distinct().Count());
        Assert.Equal(DeclineReasons.All.Count, DeclineReasons.All.Select(r => r.Metric).Distinct().Count());
        Assert.All(DeclineReasons.All, r => Assert.Matches("^declines\\.[a-z_]+$", r.Metric));
        Assert.DoesNotContain(DeclineReasons.All, r => r.Metric is SchedulerMetrics.DeclinesShort or SchedulerMetrics.DeclinesLong);
    }

    [Fact]
    public void Each_decline_should_be_counted_under_why_the_offer_was_declined()
    {
        // Before reconciliation: the first offers are kept for the first cycle, later ones declined.
        var gateway = CreateTestProbe();
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1")]));
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-2")]));
        gateway.ExpectMsg<DeclineOffers>();

        // Reconciled with nothing to place: the kept offer is declined long.
        router.Tell(new ReconciliationComplete("fw-1"));
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.FishForMessage<DeclineOffers>(_ => true).RefuseSeconds);

        // A pod too big for the offers waits: declined short, none placed on it.
        var pod = CreateTestProbe();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(cpus: 8))), pod);
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-3")]));
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, gateway.FishForMessage<DeclineOffers>(_ => true).RefuseSeconds);

        // A pod that refuses its claim: the offer is declined as such.
        var (router2, gateway2, pods2) = RouterWithHelloPods(1, maxClaims: 10);
        var offer = TestOffers.Unreserved("agent-4");
        router2.Tell(new OffersReceived([offer]));
        pods2.ExpectMsg<LaunchClaim>();
        router2.Tell(new LaunchNotRecorded(offer.Id.Value, "hello-0 no longer needs this launch"), pods2);
        gateway2.FishForMessage(m => m is DeclineOffers d && d.OfferIds.Contains(offer.Id.Value));

        router.Tell(new OfferProtocol.GetOfferOutcomes());
        Assert.Equal(
            [
                new DeclineCount(DeclineReasons.NotPlaced.Text, OfferRouterActor.ShortDeclineSeconds, 1),
                new DeclineCount(DeclineReasons.NothingToPlace.Text, OfferRouterActor.LongDeclineSeconds, 1),
                new DeclineCount(DeclineReasons.Reconciling.Text, OfferRouterActor.ShortDeclineSeconds, 1),
            ],
            ExpectMsg<OfferOutcomes>().Declines.ToArray());
        router2.Tell(new OfferProtocol.GetOfferOutcomes());
        Assert.Equal([new DeclineCount(DeclineReasons.ClaimsRefused.Text, OfferRouterActor.ShortDeclineSeconds, 1)], ExpectMsg<OfferOutcomes>().Declines.ToArray());
    }

    [Fact]
    public void A_trickle_of_newer_offers_should_decline_at_most_as_many_passed_over_held_offers()
    {
        var (router, gateway, pods) = RouterWithHelloPods(40, maxClaims: 2);

        // One pod an offer: cycle 1 claims two and keeps the other 18 for the 38 pods left.
        var offers = Enumerable.Range(0, 20).Select(i => TestOffers.Unreserved($"agent-{i}", cpus: 1)).ToArray();
        router.Tell(new OffersReceived([.. offers]));
        pods.ReceiveN(2);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // One newer offer comes (an agent re-registering under a master that allocates once a second): the cycle claims
        // two, and of the 16 kept offers it passes over it gives up only the oldest, one for the one that came.
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-new", cpus: 1)]));
        var claimed = pods.ReceiveN(2).Cast<LaunchClaim>().Select(c => c.Offer.Id.Value).ToHashSet();
        var oldestPassedOver = offers[2..].Select(o => o.Id.Value).First(id => !claimed.Contains(id));
        Assert.Equal([oldestPassedOver], gateway.ExpectMsg<DeclineOffers>().OfferIds.ToArray());
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Held_offers_a_cycle_on_kept_offers_alone_leaves_unclaimed_should_stay_kept_while_pods_wait()
    {
        var (router, gateway, pods) = RouterWithHelloPods(3, maxClaims: 1);
        // The tight offer a is claimed first (binpack); b and c are kept for the two pods left.
        var a = TestOffers.Unreserved("agent-a", cpus: 0.7, mem: 512);
        var (b, c) = (TestOffers.Unreserved("agent-b", cpus: 4), TestOffers.Unreserved("agent-c", cpus: 4));
        router.Tell(new OffersReceived([a, b, c]));
        Assert.Equal(a.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);

        // Answered, the next cycle runs on the kept offers alone (a master allocating once a second sends no newer one):
        // it claims b, and c, left unclaimed again, stays kept for the last pod — no newer offer took its place.
        Recorded(router, a.Id.Value, pods);
        Assert.Equal([a.Id.Value], gateway.ExpectMsg<AcceptOffers>().OfferIds.ToArray());
        Assert.Equal(b.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Recorded(router, b.Id.Value, pods);
        Assert.Equal([b.Id.Value], gateway.ExpectMsg<AcceptOffers>().OfferIds.ToArray());
        Assert.Equal(c.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);
    }

    [Fact]
    public void A_held_offer_of_a_waiting_footprints_agent_should_stay_kept_when_newer_offers_pass_it_over()
    {
        // One claim a cycle: hello-1 and hello-2 are new and asked first; hello-0 relaunches in place on agent-r.
        var gateway = CreateTestProbe();
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal, maxClaimsPerCycle: 1));
        router.Tell(new ReconciliationComplete("fw-1"));
        var (fresh, relaunching) = (CreateTestProbe(), CreateTestProbe());
        var footprint = HelloFootprint();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod()) with { Index = 1 }), fresh);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod()) with { Index = 2 }), fresh);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(), new Footprint("agent-r", "agent-r.local", footprint))), relaunching);

        // The tight offers (binpack's choice) go to the new pods; the relaunch's own offer is kept, as only it can take it.
        var own = TestOffers.WithReserved("agent-r", footprint);
        var a = TestOffers.Unreserved("agent-a", cpus: 0.7, mem: 512);
        router.Tell(new OffersReceived([own, a]));
        Assert.Equal(a.Id.Value, fresh.ExpectMsg<LaunchClaim>().Offer.Id.Value);

        // A newer offer takes hello-2: the cycle passes over the relaunch's offer again, and still keeps it.
        var c = TestOffers.Unreserved("agent-c", cpus: 0.7, mem: 512);
        router.Tell(new OffersReceived([c]));
        Assert.Equal(c.Id.Value, fresh.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // Once both are answered, the relaunch claims it.
        Recorded(router, a.Id.Value, fresh);
        Recorded(router, c.Id.Value, fresh);
        Assert.Equal(own.Id.Value, relaunching.ExpectMsg<LaunchClaim>().Offer.Id.Value);
    }

    [Fact]
    public void Without_offer_holding_a_waiting_footprints_offer_a_capped_cycle_leaves_should_be_declined_without_a_filter()
    {
        // One claim a cycle, holding no offers: hello-1 is new and asked first; hello-0 relaunches in place on agent-r.
        var gateway = CreateTestProbe();
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal, maxClaimsPerCycle: 1, holdMode: OfferHoldMode.None));
        router.Tell(new ReconciliationComplete("fw-1"));
        var (fresh, relaunching) = (CreateTestProbe(), CreateTestProbe());
        var footprint = HelloFootprint();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod()) with { Index = 1 }), fresh);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(), new Footprint("agent-r", "agent-r.local", footprint))), relaunching);

        // The new pod takes the tight offer; the relaunch's own offer is declined with no filter, so its agent comes back
        // at the master's next allocation, and an empty agent's offer with the short one.
        var own = TestOffers.WithReserved("agent-r", footprint);
        var a = TestOffers.Unreserved("agent-a", cpus: 0.7, mem: 512);
        var b = TestOffers.Unreserved("agent-b", cpus: 4, mem: 4096);
        router.Tell(new OffersReceived([own, a, b]));
        Assert.Equal(a.Id.Value, fresh.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        var unfiltered = gateway.ExpectMsg<DeclineOffers>();
        Assert.Equal([own.Id.Value], unfiltered.OfferIds.ToArray());
        Assert.Equal(0, unfiltered.RefuseSeconds);
        var filtered = gateway.ExpectMsg<DeclineOffers>();
        Assert.Equal([b.Id.Value], filtered.OfferIds.ToArray());
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, filtered.RefuseSeconds);

        router.Tell(new OfferProtocol.GetOfferOutcomes());
        Assert.Equal(
            [new DeclineCount(DeclineReasons.CycleFull.Text, 0, 1), new DeclineCount(DeclineReasons.CycleFull.Text, OfferRouterActor.ShortDeclineSeconds, 1)],
            ExpectMsg<OfferOutcomes>().Declines.OrderBy(d => d.RefuseSeconds));

        // Its agent's next offer takes the relaunch.
        Recorded(router, a.Id.Value, fresh);
        gateway.ExpectMsg<AcceptOffers>();
        var again = TestOffers.WithReserved("agent-r", footprint);
        router.Tell(new OffersReceived([again]));
        Assert.Equal(again.Id.Value, relaunching.ExpectMsg<LaunchClaim>().Offer.Id.Value);
    }

    [Fact]
    public void A_held_offer_that_is_rescinded_should_not_be_used()
    {
        var (router, gateway, pods) = RouterWithHelloPods(2, maxClaims: 1);
        var (a, b) = (TestOffers.Unreserved("agent-a", cpus: 1), TestOffers.Unreserved("agent-b", cpus: 1));
        router.Tell(new OffersReceived([a, b]));
        pods.ExpectMsg<LaunchClaim>();

        router.Tell(new OfferRescinded(b.Id.Value));
        Recorded(router, a.Id.Value, pods);

        Assert.Equal([a.Id.Value], gateway.ExpectMsg<AcceptOffers>().OfferIds.ToArray());
        pods.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        router.Tell(GetPendingRequirements.Instance);
        Assert.Equal(["hello-1"], ExpectMsg<ImmutableArray<string>>().ToArray());
    }

    [Fact]
    public void Held_offers_should_be_used_after_the_hold_limit_when_a_capped_cycle_is_never_answered()
    {
        var (router, gateway, pods) = RouterWithHelloPods(2, maxClaims: 1, holdLimit: TimeSpan.FromMilliseconds(300));
        var (a, b) = (TestOffers.Unreserved("agent-a", cpus: 1), TestOffers.Unreserved("agent-b", cpus: 1));
        router.Tell(new OffersReceived([a, b]));
        Assert.Equal(a.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);

        // hello-0 never answers: after the limit, hello-1 is claimed on b all the same.
        Assert.Equal(b.Id.Value, pods.ExpectMsg<LaunchClaim>(TimeSpan.FromSeconds(5)).Offer.Id.Value);
    }

    [Fact]
    public void The_journal_keeps_only_the_latest_decision_records()
    {
        var (gateway, pod) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("kept", TestOffers.Context, gateway, EntityJournal, decisionRecordsKept: 2));
        router.Tell(new ReconciliationComplete("fw-1"));
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pod);

        // Six cycles, each on an offer too small for the pod: each writes a record and declines.
        for (var i = 0; i < 6; i++)
        {
            router.Tell(new OffersReceived([TestOffers.Unreserved($"agent-{i}", cpus: 0.1)]));
            gateway.FishForMessage(m => m is DeclineOffers);
        }

        // The two latest stay: older ones are deleted as new ones come.
        AwaitAssert(() =>
        {
            Sys.ActorOf(Props.Create(() => new JournalReader("kept/offers", TestActor)));
            var left = ExpectMsg<List<object>>();
            Assert.Equal(2, left.Count);
            // The in-memory journal keeps the tags with the event.
            Assert.All(left, e => Assert.IsType<ActorScheduler.Messages.Events.OfferCycleRecorded>(e is Akka.Persistence.Journal.Tagged t ? t.Payload : e));
        }, TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(100, 0, 0, null)]          // 0: every record kept
    [InlineData(100, 0, 100, null)]        // nothing past what is kept
    [InlineData(109, 0, 100, null)]        // less than a tenth more
    [InlineData(110, 0, 100, 10L)]         // a tenth more: those before go
    [InlineData(5_000_000, 0, 100_000, 10_000L)]        // a journal grown long (or counted from its start after a restart): a tenth at a time
    [InlineData(5_000_000, 4_890_000, 100_000, 4_900_000L)]  // the last step reaches what is kept
    [InlineData(2_000_000, 0, 1_000, 1_000L)]           // a small kept count still deletes 1,000 at a time
    public void Old_decision_records_are_deleted_a_bounded_step_at_a_time(long last, long deletedTo, long kept, long? upTo)
    {
        Assert.Equal(upTo, OfferRouterActor.NextDecisionDelete(last, deletedTo, kept));
    }

    /// <summary>Recovers a persistence id and reports the events it holds, then stops.</summary>
    private sealed class JournalReader : Akka.Persistence.ReceivePersistentActor
    {
        private readonly List<object> _events = [];

        public JournalReader(string persistenceId, IActorRef report)
        {
            PersistenceId = persistenceId;
            Recover<Akka.Persistence.RecoveryCompleted>(_ =>
            {
                report.Tell(_events);
                Context.Stop(Self);
            });
            Recover<object>(_events.Add);
        }

        public override string PersistenceId { get; }
    }

    [Fact]
    public void A_cycles_decisions_are_journaled_in_records_that_stay_off_the_large_object_heap()
    {
        var at = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UnixEpoch);
        var cycle = new ActorScheduler.Messages.Events.OfferCycleRecorded { At = at, AcceptedOfferIds = { "o-1" } };
        cycle.Declined.Add(new ActorScheduler.Messages.Events.DeclinedOffers { Reason = DeclineReasons.NotPlaced.Text, RefuseSeconds = 5, OfferIds = { "o-2" } });
        // A storm cycle's decisions: hundreds, each with its explanation lines (~1 KB here).
        var decisions = Enumerable.Range(0, 600).Select(i => new ActorScheduler.Messages.Events.OfferDecision
        {
            OfferId = $"o-{i % 50}",
            PodInstance = $"storm-{i}",
            Passed = true,
            Explanation = { Enumerable.Range(0, 6).Select(l => $"PASS(Stage{l}): {new string('x', 150)}") },
            At = at,
        }).ToList();

        var records = OfferRouterActor.DecisionRecords(cycle, decisions, at).Cast<Akka.Persistence.Journal.Tagged>().ToList();

        var payloads = records.Select(r => (ActorScheduler.Messages.Events.OfferCycleRecorded)r.Payload).ToList();
        Assert.All(records, r => Assert.Equal(["offer-decision"], r.Tags));
        Assert.True(payloads.Count >= 600 * 1000 / ActorScheduler.Actors.Persistence.EntityJournalActor.MaxRowBytes, $"{payloads.Count} records");
        // Closed once past the bound: at most the bound plus one decision, far under the 85,000 bytes of the large object heap.
        Assert.All(payloads, p => Assert.InRange(p.CalculateSize(), 1, ActorScheduler.Actors.Persistence.EntityJournalActor.MaxRowBytes + 1200));
        Assert.All(payloads, p => Assert.InRange(p.Decisions.Count, 1, OfferRouterActor.DecisionsPerRecord));
        Assert.Equal(["o-1"], payloads[0].AcceptedOfferIds);
        var firstDeclined = Assert.Single(payloads[0].Declined);
        Assert.Equal((DeclineReasons.NotPlaced.Text, 5.0), (firstDeclined.Reason, firstDeclined.RefuseSeconds));
        Assert.Equal(["o-2"], firstDeclined.OfferIds);
        Assert.All(payloads.Skip(1), p => Assert.Empty(p.AcceptedOfferIds));
        Assert.Equal(decisions.Select(d => d.PodInstance), payloads.SelectMany(p => p.Decisions).Select(d => d.PodInstance));

        // A cycle that decided nothing (only skipped offers) is one record.
        Assert.Single(OfferRouterActor.DecisionRecords(new ActorScheduler.Messages.Events.OfferCycleRecorded { At = at }, [], at));

        // Hundreds of pods skipping offers and thousands of offers declined for two reasons: spread over records of the same
        // bound too, a reason's offers going on in the next record under the same reason and filter.
        var busy = new ActorScheduler.Messages.Events.OfferCycleRecorded { At = at };
        busy.Declined.Add(new ActorScheduler.Messages.Events.DeclinedOffers
        {
            Reason = DeclineReasons.PassedOver.Text, RefuseSeconds = 5, OfferIds = { Enumerable.Range(0, 500).Select(i => $"{Guid.NewGuid()}-O{i}") },
        });
        busy.Declined.Add(new ActorScheduler.Messages.Events.DeclinedOffers
        {
            Reason = DeclineReasons.NotNeeded.Text, RefuseSeconds = 5, OfferIds = { Enumerable.Range(0, 3000).Select(i => $"{Guid.NewGuid()}-N{i}") },
        });
        busy.Skipped.AddRange(Enumerable.Range(0, 3000).Select(i => new ActorScheduler.Messages.Events.SkippedOffers
        {
            PodInstance = $"storm-{i}", Reason = "cpus: needs 0.1 more than the offer has unreserved", Count = 12,
        }));
        var parts = OfferRouterActor.DecisionRecords(busy, decisions, at).Cast<Akka.Persistence.Journal.Tagged>()
            .Select(r => (ActorScheduler.Messages.Events.OfferCycleRecorded)r.Payload).ToList();
        Assert.All(parts, p => Assert.InRange(p.CalculateSize(), 1, ActorScheduler.Actors.Persistence.EntityJournalActor.MaxRowBytes + 1200));
        var declined = parts.SelectMany(p => p.Declined).ToList();
        Assert.True(declined.Count > 2, $"{declined.Count} groups: the declines did not go on in a second record");
        Assert.Equal(
            busy.Declined.SelectMany(g => g.OfferIds.Select(id => (g.Reason, g.RefuseSeconds, id))),
            declined.SelectMany(g => g.OfferIds.Select(id => (g.Reason, g.RefuseSeconds, id))));
        Assert.All(parts.Where(p => p.Declined.Count > 0), p => Assert.Equal(p.Declined.Count, p.Declined.Select(g => (g.Reason, g.RefuseSeconds)).Distinct().Count()));
        Assert.Equal(busy.Skipped, parts.SelectMany(p => p.Skipped));
        Assert.Equal(decisions, parts.SelectMany(p => p.Decisions));
    }

    [Fact]
    public void Router_should_never_promise_an_offer_more_than_it_holds()
    {
        var (router, gateway, pod0, pod1) = RouterWithTwoRequirements();

        // Room for one pod (0.6 cpus each with the executor), not two.
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved(cpus: 1))));

        pod0.ExpectMsg<LaunchClaim>();
        // The other is told no offer fits it, and claims nothing.
        Assert.Contains("'cpus'", pod1.ExpectMsg<OffersDoNotFit>().Why);
        pod1.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Pods_no_offer_has_room_for_are_explained_by_the_offers_as_they_stand_after_each_claim()
    {
        var (gateway, big, small) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        // With the executor: big needs 1.0 cpus and 532 MB, small 1.0 cpus and 132 MB. Registered big-0, small-0, big-1, big-2.
        var bigPod = TestOffers.HelloPod(cpus: 0.9, mem: 500) with { Type = "big", Count = 3 };
        var smallPod = TestOffers.HelloPod(cpus: 0.9, mem: 100) with { Type = "small" };
        router.Tell(new RegisterRequirement(TestOffers.Requirement(bigPod)), big);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(smallPod)), small);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(bigPod) with { Index = 1 }), big);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(bigPod) with { Index = 2 }), big);

        // Enough cpus for one pod but too little mem for big: big-0 is refused for mem; small-0 takes the cpus; then
        // big-1 and big-2 are refused for cpus, not for mem as before small-0's claim.
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved(cpus: 1.5, mem: 400))));
        small.ExpectMsg<LaunchClaim>();
        router.Tell(new ActorScheduler.Messages.Offers.OfferProtocol.GetOfferOutcomes(null));
        var lines = ExpectMsg<ActorScheduler.Messages.Offers.OfferOutcomes>().Summaries.ToDictionary(s => s.PodInstance, s => s.Line);
        // The summaries' amounts are the offer's as each pod met it: big-0 before small-0's claim, the others after.
        Assert.Equal("big-0: 1 offer evaluated, 0 passed; 1 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation (needs 532, offers had at most 400)", lines["big-0"]);
        Assert.Equal("big-1: 1 offer evaluated, 0 passed; 1 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation (needs 1, offers had at most 0.5)", lines["big-1"]);
        Assert.Equal("big-2: 1 offer evaluated, 0 passed; 1 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation (needs 1, offers had at most 0.5)", lines["big-2"]);
        // Each big pod hears its own reason, and claims nothing.
        Assert.Equal(
            // (the offer as each pod saw it: big-0 before small-0 took 1 cpus and 132 MB of its 1.5 and 400, the others after)
            ["FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation (needs 532, offers had at most 400)",
             "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation (needs 1, offers had at most 0.5)",
             "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation (needs 1, offers had at most 0.5)"],
            Enumerable.Range(0, 3).Select(_ => big.ExpectMsg<OffersDoNotFit>().Why).ToArray());
        big.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_pods_summary_says_how_much_of_a_lacked_resource_it_needs_and_the_most_an_offer_it_was_evaluated_against_had()
    {
        var (router, _) = ReconciledRouter();
        var pod = CreateTestProbe();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(cpus: 50))), pod);

        // Skipped by the constant-time check in two cycles, none evaluated in full: the amounts come from the offers.
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1", cpus: 2), TestOffers.Unreserved("agent-2", cpus: 4), TestOffers.Unreserved("agent-3", cpus: 3)]));
        pod.ExpectMsg<OffersDoNotFit>();
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-4", cpus: 3.5)]));

        router.Tell(new OfferProtocol.GetOfferOutcomes("hello-0"));
        var summary = ExpectMsg<OfferOutcomes>().Summaries.Single();
        const string lacksCpus = "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation";
        Assert.Equal(new FailureCount(lacksCpus, 4, 50.1, 4), summary.Failures.Single());
        Assert.Equal($"hello-0: 4 offers evaluated, 0 passed; 4 {lacksCpus} (needs 50.1, offers had at most 4)", summary.Line);
    }

    [Fact]
    public void The_journaled_skips_of_a_pod_keep_how_much_of_a_lacked_resource_it_needs_and_the_most_an_offer_had()
    {
        var (router, gateway) = ReconciledRouter();
        var pod = CreateTestProbe();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(cpus: 50))), pod);

        // Skipped by the constant-time check, none evaluated in full: the journal keeps what the summary shows.
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1", cpus: 2), TestOffers.Unreserved("agent-2", cpus: 4), TestOffers.Unreserved("agent-3", cpus: 3)]));
        pod.ExpectMsg<OffersDoNotFit>();
        gateway.FishForMessage(m => m is DeclineOffers);

        AwaitAssert(() =>
        {
            Sys.ActorOf(Props.Create(() => new JournalReader("hello-world/offers", TestActor)));
            var skipped = ExpectMsg<List<object>>()
                .Select(e => e is Akka.Persistence.Journal.Tagged t ? t.Payload : e)
                .OfType<ActorScheduler.Messages.Events.OfferCycleRecorded>()
                .SelectMany(c => c.Skipped)
                .Single();
            Assert.Equal(("hello-0", "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation", 3), (skipped.PodInstance, skipped.Reason, skipped.Count));
            Assert.True(skipped.HasNeeds && skipped.HasMostOffered);
            Assert.Equal((50.1, 4.0), (skipped.Needs, skipped.MostOffered));
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_pod_of_a_pre_reserved_role_hears_how_much_reserved_for_its_role_it_needs_and_the_most_an_offer_had()
    {
        var (router, _) = ReconciledRouter();
        var pod = CreateTestProbe();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod() with { PreReservedRole = "slave_public" })), pod);

        // 0.6 cpus with the executor; the offers reserve 0.2 and 0.4 for slave_public (and 1 unreserved, not the pod's),
        // and are skipped by the constant-time check: the amounts come from what they reserve for the role.
        router.Tell(new OffersReceived([TestOffers.ReservedFor("slave_public", "agent-1", cpus: 0.2), TestOffers.ReservedFor("slave_public", "agent-2", cpus: 0.4)]));

        const string lacks = "FAIL(ResourceEvaluationStage): Offer lacks sufficient 'cpus' reserved for role 'slave_public' for new reservation";
        Assert.Equal($"{lacks} (needs 0.6, offers had at most 0.4)", pod.ExpectMsg<OffersDoNotFit>().Why);
        router.Tell(new OfferProtocol.GetOfferOutcomes("hello-0"));
        var summary = ExpectMsg<OfferOutcomes>().Summaries.Single();
        Assert.Equal(new FailureCount(lacks, 2, 0.6, 0.4), summary.Failures.Single());
        Assert.Equal($"hello-0: 2 offers evaluated, 0 passed; 2 {lacks} (needs 0.6, offers had at most 0.4)", summary.Line);
    }

    [Fact]
    public void A_pod_of_a_pre_reserved_role_does_not_take_the_skips_of_a_pod_of_the_same_need_without_one()
    {
        var (router, _) = ReconciledRouter();
        var (plain, edge) = (CreateTestProbe(), CreateTestProbe());
        // The same need and no placement rule; one reserves unreserved resources, the other slave_public's.
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), plain);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod() with { Type = "edge", PreReservedRole = "slave_public" })), edge);

        // Neither offer is the plain pod's (too small; allocated to slave_public's refined role); the second is the edge pod's.
        var reserved = TestOffers.ReservedFor("slave_public", "agent-2");
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1", cpus: 0.1), reserved]));

        Assert.Equal(reserved.Id.Value, edge.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        plain.ExpectMsg<OffersDoNotFit>();
    }

    [Fact]
    public void Pods_after_the_first_skip_the_same_used_up_offers_and_are_explained_as_if_they_had_checked_them()
    {
        var (router, _, pods) = RouterWithHelloPods(3, maxClaims: 10);
        // Two offers no pod fits, then one with room for all three (0.6 cpus each with the executor).
        var offers = new[] { TestOffers.Unreserved("agent-1", cpus: 0.1), TestOffers.Unreserved("agent-2", cpus: 0.1), TestOffers.Unreserved("agent-3", cpus: 4) };

        router.Tell(new OffersReceived([.. offers]));

        Assert.All(pods.ReceiveN(3).Cast<LaunchClaim>(), claim => Assert.Equal("agent-3", claim.Offer.AgentId.Value));
        router.Tell(new ActorScheduler.Messages.Offers.OfferProtocol.GetOfferOutcomes(null));
        var lines = ExpectMsg<ActorScheduler.Messages.Offers.OfferOutcomes>().Summaries.Select(s => s.Line).ToArray();
        Assert.Equal(
            Enumerable.Range(0, 3).Select(i => $"hello-{i}: 3 offers evaluated, 1 passed; 2 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation (needs 0.6, offers had at most 0.1)"),
            lines);
    }

    [Fact]
    public void Router_should_pack_several_pods_into_one_offer_and_accept_once_all_recorded()
    {
        var (router, gateway, pod0, pod1) = RouterWithTwoRequirements();
        var offer = TestOffers.Unreserved(cpus: 4);

        router.Tell(new OffersReceived(ImmutableArray.Create(offer)));
        var claim0 = pod0.ExpectMsg<LaunchClaim>();
        var claim1 = pod1.ExpectMsg<LaunchClaim>();
        Assert.Equal(offer.Id, claim1.Offer.Id);

        Recorded(router, offer.Id.Value, pod1);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Recorded(router, offer.Id.Value, pod0);

        var accept = gateway.ExpectMsg<AcceptOffers>();
        Assert.Equal(claim0.Evaluation.Operations.Concat(claim1.Evaluation.Operations).ToArray(), accept.Operations.ToArray());
    }

    [Fact]
    public void Router_should_accept_what_was_recorded_when_a_pod_refuses_its_claim()
    {
        var (router, gateway, pod0, pod1) = RouterWithTwoRequirements();
        var offer = TestOffers.Unreserved(cpus: 4);
        router.Tell(new OffersReceived(ImmutableArray.Create(offer)));
        var claim0 = pod0.ExpectMsg<LaunchClaim>();
        var claim1 = pod1.ExpectMsg<LaunchClaim>();
        router.Tell(new LaunchNotRecorded(offer.Id.Value, "no longer needed"), pod1);
        Recorded(router, offer.Id.Value, pod0);

        Assert.Equal(claim0.Evaluation.Operations.ToArray(), gateway.ExpectMsg<AcceptOffers>().Operations.ToArray());

        // Had hello-1's reservations come about after all, nobody owns them: they are collected when offered.
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.WithReserved("agent-1", claim1.Evaluation.Footprint))));
        var cleanup = gateway.ExpectMsg<AcceptOffers>(m => m.Operations.Any(o => o.Type == Offer.Types.Operation.Types.Type.Unreserve));
        Assert.Equal(claim1.Evaluation.Footprint.Length, cleanup.Operations.Single(o => o.Type == Offer.Types.Operation.Types.Type.Unreserve).Unreserve.Resources.Count);
    }

    [Fact]
    public void A_refused_claim_leaves_the_pod_owning_what_an_earlier_claim_recorded()
    {
        var (router, gateway, pods) = RouterWithHelloPods(1, maxClaims: 10);
        var first = TestOffers.Unreserved("agent-1");
        router.Tell(new OffersReceived([first]));
        var recorded = pods.ExpectMsg<LaunchClaim>();
        Recorded(router, first.Id.Value, pods.Ref);
        gateway.FishForMessage(m => m is AcceptOffers);

        // A registration that crossed the recorded claim is claimed too, and the pod refuses that claim.
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pods);
        var second = TestOffers.Unreserved("agent-2");
        router.Tell(new OffersReceived([second]));
        pods.ExpectMsg<LaunchClaim>();
        router.Tell(new LaunchNotRecorded(second.Id.Value, "hello-0 no longer needs this launch"), pods);
        gateway.FishForMessage(m => m is DeclineOffers d && d.OfferIds.Contains(second.Id.Value));

        // hello-0 still owns the reservations it recorded: offered back, they are declined, not unreserved.
        var back = TestOffers.WithReserved("agent-1", recorded.Evaluation.Footprint);
        router.Tell(new OffersReceived([back]));
        var answer = gateway.FishForMessage(m => m is DeclineOffers d && d.OfferIds.Contains(back.Id.Value) || m is AcceptOffers a && a.OfferIds.Contains(back.Id.Value));
        Assert.IsType<DeclineOffers>(answer);
    }

    [Fact]
    public void An_agent_with_two_attributes_of_one_name_is_offered_like_any_other_and_rules_see_the_first()
    {
        var (router, _, pods) = RouterWithHelloPods(1, maxClaims: 10);
        var offer = TestOffers.Unreserved("agent-1");
        foreach (var rack in new[] { "r1", "r2" })
        {
            offer.Attributes.Add(new ActorScheduler.Messages.MesosV1.Attribute { Name = "rack", Type = Value.Types.Type.Text, Text = new Value.Types.Text { Value = rack } });
        }

        router.Tell(new OffersReceived([offer]));

        Assert.Equal(offer.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        Assert.Equal("r1", PlacementAgents.Of(offer).Attributes["rack"]);
    }

    [Fact]
    public void An_offer_every_claim_on_which_was_refused_is_declined_and_the_pods_registration_revives_it()
    {
        var (router, gateway, pods) = RouterWithHelloPods(1, maxClaims: 10);
        var offer = TestOffers.Unreserved("agent-1");
        router.Tell(new OffersReceived([offer]));
        pods.ExpectMsg<LaunchClaim>();

        router.Tell(new LaunchNotRecorded(offer.Id.Value, "hello-0 no longer needs this launch"), pods);
        var decline = gateway.ExpectMsg<DeclineOffers>();
        Assert.Equal([offer.Id.Value], decline.OfferIds.ToArray());
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, decline.RefuseSeconds);

        // The pod registers again at once: the agent the decline filtered must be offered again without waiting it out.
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pods);
        gateway.ExpectMsg<ReviveOffers>();
    }

    [Fact]
    public void A_failure_in_the_router_fails_the_whole_scheduler_rather_than_restart_the_router_alone()
    {
        var failures = CreateTestProbe();
        var routerProps = OfferRouterActor.Props("hello-world", TestOffers.Context, CreateTestProbe(), EntityJournal);
        Sys.ActorOf(Props.Create(() => new FailureReportingParent(failures.Ref, routerProps)));
        var router = failures.ExpectMsg<IActorRef>();

        // An offer without an id: the router fails on it.
        router.Tell(new OffersReceived([new Offer()]));

        var failure = failures.ExpectMsg<Exception>();
        Assert.IsType<NullReferenceException>(Assert.IsType<OfferRouterFailedException>(failure).InnerException);
        Assert.Equal(Directive.Escalate, SchedulerRootActor.Decide(failure));
        Assert.Equal(Directive.Restart, SchedulerRootActor.Decide(new InvalidOperationException("a pod failed")));
    }

    [Fact]
    public async Task A_decision_the_journal_cannot_write_fails_the_whole_scheduler_rather_than_stop_the_router_for_good()
    {
        var system = ActorSystem.Create("failing-journal", FailingJournal.Config);
        try
        {
            var (failures, gateway, pods) = (CreateTestProbe(system), CreateTestProbe(system), CreateTestProbe(system));
            var routerProps = OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal);
            system.ActorOf(Props.Create(() => new FailureReportingParent(failures.Ref, routerProps)));
            var router = failures.ExpectMsg<IActorRef>();
            router.Tell(new ReconciliationComplete("fw-1"));
            router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pods);

            // The cycle journals its decision, and the write fails.
            router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1")]));

            var failure = failures.ExpectMsg<Exception>();
            Assert.IsType<IOException>(Assert.IsType<OfferRouterFailedException>(failure).InnerException);
            Assert.Equal(Directive.Escalate, SchedulerRootActor.Decide(failure));
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Starts <paramref name="child"/>, tells <paramref name="failures"/> its ref, then every failure of it (and stops it).</summary>
    private sealed class FailureReportingParent : ReceiveActor
    {
        private readonly IActorRef _failures;

        public FailureReportingParent(IActorRef failures, Props child)
        {
            _failures = failures;
            failures.Tell(Context.ActorOf(child));
        }

        protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(failure =>
        {
            _failures.Tell(failure);
            return Directive.Stop;
        });
    }

    [Fact]
    public void A_refused_relaunch_in_place_leaves_the_pod_owning_the_reservations_its_resize_would_have_dropped()
    {
        var (gateway, pods) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        var hello = TestOffers.HelloPod();
        var withPort = hello with { Tasks = [hello.Tasks[0] with { Ports = [TestOffers.Port("http")] }] };
        router.Tell(new RegisterRequirement(TestOffers.Requirement(withPort)), pods);
        var launched = LaunchRecordedOnAgent1(router, gateway, pods);

        // The config drops the port: the relaunch in place would unreserve it, but the pod refuses the claim.
        var (inPlace, resize) = RelaunchInPlaceClaimed(router, pods, hello, launched);
        Assert.True(resize.Evaluation.Footprint.Length < launched.Evaluation.Footprint.Length, "the relaunch in place drops the port's reservation");
        router.Tell(new LaunchNotRecorded(inPlace.Id.Value, "hello-0 no longer needs this launch"), pods);
        gateway.FishForMessage(m => m is DeclineOffers d && d.OfferIds.Contains(inPlace.Id.Value));

        // The port is still hello-0's: offered back, its reservations are declined, none unreserved.
        Assert.IsType<DeclineOffers>(AnswerToReservationsOfferedBack(router, gateway, launched));
    }

    [Fact]
    public void What_a_pod_said_before_it_answered_a_claim_does_not_undo_the_claim_it_then_recorded()
    {
        var (router, gateway, pods) = RouterWithHelloPods(1, maxClaims: 10);
        var offer = TestOffers.Unreserved("agent-1");
        router.Tell(new OffersReceived([offer]));
        var claim = pods.ExpectMsg<LaunchClaim>();

        // Said before the pod saw the claim (a launch of before it dropped, say): it held nothing then. Then it records.
        router.Tell(new FootprintOwned("hello-0", [], null, ClaimsSeen: claim.Seq - 1), pods);
        Recorded(router, offer.Id.Value, pods.Ref);
        gateway.FishForMessage(m => m is AcceptOffers);

        // The claim's reservations are hello-0's: offered back, they are declined, not unreserved.
        Assert.IsType<DeclineOffers>(AnswerToReservationsOfferedBack(router, gateway, claim));
    }

    [Fact]
    public void What_a_pod_said_before_it_refused_a_claim_is_what_it_owns_after()
    {
        var (router, gateway, pods) = RouterWithHelloPods(1, maxClaims: 10);
        var launched = LaunchRecordedOnAgent1(router, gateway, pods);
        var (inPlace, relaunch) = RelaunchInPlaceClaimed(router, pods, TestOffers.HelloPod(), launched);

        // Before the pod saw the relaunch, its launch was dropped and it gave the footprint up; then it refuses the claim.
        router.Tell(new FootprintOwned("hello-0", [], null, ClaimsSeen: launched.Seq), pods);
        router.Tell(new LaunchNotRecorded(inPlace.Id.Value, "hello-0 no longer needs this launch"), pods);
        gateway.FishForMessage(m => m is DeclineOffers d && d.OfferIds.Contains(inPlace.Id.Value));
        Assert.True(relaunch.Seq > launched.Seq);

        // hello-0 owns nothing: its old reservations, offered back, are unreserved.
        AssertUnreserved(AnswerToReservationsOfferedBack(router, gateway, launched));
    }

    [Fact]
    public void What_a_restarted_pod_says_counts_though_its_count_of_claims_began_again()
    {
        var (router, gateway, pods) = RouterWithHelloPods(1, maxClaims: 10);
        var launched = LaunchRecordedOnAgent1(router, gateway, pods);

        // The pod actor restarted (its count of claims answered is 0 again), then its launch was found never to happen.
        router.Tell(new FootprintOwned("hello-0", [], null, ClaimsSeen: 0), pods);

        AssertUnreserved(AnswerToReservationsOfferedBack(router, gateway, launched));
    }

    [Fact]
    public void What_a_new_pod_actor_says_is_not_taken_as_said_before_a_claim_made_to_the_one_before_it()
    {
        var (router, gateway, pods) = RouterWithHelloPods(1, maxClaims: 10);
        var launched = LaunchRecordedOnAgent1(router, gateway, pods);
        RelaunchInPlaceClaimed(router, pods, TestOffers.HelloPod(), launched);

        // The pod actor that was made the claim is gone with it (its parent restarted); the new one owns nothing.
        router.Tell(new FootprintOwned("hello-0", [], null, ClaimsSeen: 0), CreateTestProbe());

        AssertUnreserved(AnswerToReservationsOfferedBack(router, gateway, launched));
    }

    [Fact]
    public void A_claim_whose_pod_actor_stopped_without_answering_is_released_once_the_journal_settled_what_it_got_before_and_its_offer_declined()
    {
        var (gateway, pod) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pod);
        var offer = TestOffers.Unreserved("agent-1");
        router.Tell(new OffersReceived([offer]));
        pod.ExpectMsg<LaunchClaim>();

        // Its parent restarted: the pod actor stops with the claim in its mailbox, having recorded nothing.
        Sys.Stop(pod.Ref);

        // A launch record it sent may still be committing: the router asks the journal to say when every write it got
        // before now is settled, and waits for that, not for a time.
        EntityJournal.ExpectMsg<EntityJournalProtocol.Barrier>(b => pod.Ref.Equals(b.Token));
        Assert.DoesNotContain(gateway.ReceiveWhile(TimeSpan.FromMilliseconds(300), m => m), m => m is DeclineOffers or AcceptOffers);

        // Settled, and no record of it came first: the offer is answered, and nothing waits for it.
        EntityJournal.Reply(new EntityJournalProtocol.BarrierPassed(pod.Ref));
        var decline = gateway.FishForMessage<DeclineOffers>(d => d.OfferIds.Contains(offer.Id.Value), TimeSpan.FromSeconds(5));
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, decline.RefuseSeconds);
        router.Tell(new IsAcceptPending(offer.Id.Value));
        Assert.False(ExpectMsg<AcceptPending>().Pending);
        router.Tell(GetOffersInHand.Instance);
        Assert.Equal(0, ExpectMsg<OffersInHand>().Claimed);
    }

    [Fact]
    public void A_launch_a_stopped_pod_actor_recorded_is_accepted_when_the_journals_notice_comes_before_its_barrier()
    {
        var (router, gateway, pod0, pod1) = RouterWithTwoRequirements();
        var offer = TestOffers.Unreserved("agent-1");
        router.Tell(new OffersReceived([offer]));
        var claims = new[] { pod0.ExpectMsg<LaunchClaim>(), pod1.ExpectMsg<LaunchClaim>() };

        // Both pod actors stop (their parent restarted); hello-1 had sent its launch record to the journal, which says
        // it is durable only after the actor stopped. hello-0 recorded nothing.
        foreach (var pod in new[] { pod1, pod0 })
        {
            Watch(pod.Ref);
            Sys.Stop(pod.Ref);
            ExpectTerminated(pod.Ref);
        }

        // The stopped actors' claims are not given up at once: a notice may still be on its way. The journal sends the
        // notices of the writes it got before a barrier, then passes the barrier.
        var barriers = EntityJournal.ReceiveN(2).Cast<EntityJournalProtocol.Barrier>().Select(b => b.Token).ToHashSet();
        Assert.True(barriers.SetEquals([pod0.Ref, pod1.Ref]));
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        router.Tell(new EntityJournalProtocol.Durable([new LaunchRecorded(offer.Id.Value, pod1.Ref)]), EntityJournal);
        router.Tell(new EntityJournalProtocol.BarrierPassed(pod1.Ref), EntityJournal);
        router.Tell(new EntityJournalProtocol.BarrierPassed(pod0.Ref), EntityJournal);

        // hello-1's task info is durable, so it is launched: the offer is accepted with its operations alone.
        var accept = gateway.FishForMessage<AcceptOffers>(_ => true, TimeSpan.FromSeconds(10));
        Assert.Equal([offer.Id.Value], accept.OfferIds.ToArray());
        Assert.Equal(claims[1].Evaluation.Operations.ToArray(), accept.Operations.ToArray());
        router.Tell(new IsAcceptPending(offer.Id.Value));
        Assert.False(ExpectMsg<AcceptPending>().Pending);
    }

    [Fact]
    public async Task A_launch_a_stopped_pod_actor_sent_the_journal_is_accepted_however_long_the_journal_takes_to_commit_it()
    {
        var system = ActorSystem.Create("gated-journal", GatedJournal.Config);
        try
        {
            var (gateway, pod) = (CreateTestProbe(system), CreateTestProbe(system));
            var journal = system.ActorOf(EntityJournalActor.Props("hello-world"));
            var router = system.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, journal));
            router.Tell(new ReconciliationComplete("fw-1"));
            router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pod);
            var offer = TestOffers.Unreserved("agent-1");
            router.Tell(new OffersReceived([offer]));
            var claim = pod.ExpectMsg<LaunchClaim>();

            // The pod records its launch, with the notice for the router, and stops (its parent restarted) while the
            // journal is still committing the record.
            GatedJournal.Gate(system).Close();
            journal.Tell(
                new EntityJournalProtocol.Write("hello-world/pod/hello-0", 1, [(new Messages.Events.TaskFailureSeen { TaskName = "launch" }, ImmutableArray<string>.Empty)],
                    Notices: [(router, new LaunchRecorded(offer.Id.Value, pod.Ref))]),
                pod);
            Watch(pod.Ref);
            system.Stop(pod.Ref);

            // The record may yet become durable, and a durable task info means launched: the offer is not answered
            // while the journal has not settled the writes sent before the pod stopped, however long that takes.
            Assert.DoesNotContain(gateway.ReceiveWhile(TimeSpan.FromSeconds(1), m => m), m => m is DeclineOffers or AcceptOffers);
            GatedJournal.Gate(system).Open();

            var accept = gateway.FishForMessage<AcceptOffers>(_ => true);
            Assert.Equal([offer.Id.Value], accept.OfferIds.ToArray());
            Assert.Equal(claim.Evaluation.Operations.ToArray(), accept.Operations.ToArray());
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void A_revive_the_master_did_not_get_is_asked_for_again_while_pods_wait()
    {
        var (router, gateway) = ReconciledRouter();
        // Idle: the offer is declined long, and offers suppressed.
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1")]));
        gateway.FishForMessage(m => m is SuppressOffers);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), CreateTestProbe());
        gateway.FishForMessage(m => m is ReviveOffers);

        // The REVIVE call failed (a 503 while the stream stayed up): the master is still suppressed, so the router asks
        // again — it must not take itself to have revived.
        router.Tell(ReviveNotDelivered.Instance);
        gateway.FishForMessage(m => m is ReviveOffers, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_suppress_the_master_did_not_get_is_sent_again_by_the_next_idle_cycle()
    {
        var (router, gateway) = ReconciledRouter();
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1")]));
        gateway.FishForMessage(m => m is SuppressOffers);

        // The SUPPRESS did not reach the master: it offers again, and the idle router suppresses again.
        router.Tell(SuppressNotDelivered.Instance);
        router.Tell(IsSuppressed.Instance);
        Assert.False(ExpectMsg<bool>());
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-2")]));
        gateway.FishForMessage(m => m is SuppressOffers, TimeSpan.FromSeconds(5));

        // And should it have reached the master after all, new work still revives.
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), CreateTestProbe());
        gateway.FishForMessage(m => m is ReviveOffers, TimeSpan.FromSeconds(5));
    }

    /// <summary>hello-0 (registered by <paramref name="pods"/>) claims a fresh offer from agent-1, records it, and it is accepted.</summary>
    private static LaunchClaim LaunchRecordedOnAgent1(IActorRef router, Akka.TestKit.TestProbe gateway, Akka.TestKit.TestProbe pods)
    {
        var offer = TestOffers.Unreserved("agent-1");
        router.Tell(new OffersReceived([offer]));
        var launched = pods.ExpectMsg<LaunchClaim>();
        Recorded(router, offer.Id.Value, pods.Ref);
        gateway.FishForMessage(m => m is AcceptOffers);
        return launched;
    }

    [Fact]
    public void A_relaunch_in_place_takes_its_agents_offer_and_counts_the_other_agents_offers_skipped()
    {
        var (router, _) = ReconciledRouter();
        var (pods, stranded) = (CreateTestProbe(), CreateTestProbe());
        var footprint = HelloFootprint();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(), new Footprint("agent-3", "agent-3.local", footprint))), pods);
        // Another pod's agent is not among the offers.
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(), new Footprint("agent-9", "agent-9.local", footprint)) with { Index = 1 }), stranded);
        var own = TestOffers.WithReserved("agent-3", footprint);

        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1"), TestOffers.Unreserved("agent-2"), own, TestOffers.Unreserved("agent-4"), TestOffers.Unreserved("agent-5")]));

        Assert.Equal(own.Id.Value, pods.ExpectMsg<LaunchClaim>().Offer.Id.Value);
        router.Tell(new ActorScheduler.Messages.Offers.OfferProtocol.GetOfferOutcomes(null));
        var summaries = ExpectMsg<ActorScheduler.Messages.Offers.OfferOutcomes>().Summaries.ToDictionary(s => s.PodInstance);
        // As a scan of every offer counted them: the two before its own, and all five for the pod whose agent is away.
        Assert.Equal([new ActorScheduler.Messages.Offers.FailureCount(OfferFit.OtherAgent, 2)], summaries["hello-0"].Failures.ToArray());
        Assert.Equal([new ActorScheduler.Messages.Offers.FailureCount(OfferFit.OtherAgent, 5)], summaries["hello-1"].Failures.ToArray());
        Assert.Equal(OfferFit.OtherAgent, stranded.ExpectMsg<OffersDoNotFit>().Why);
        stranded.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void A_capped_cycle_of_relaunches_only_keeps_the_offers_the_new_pods_waiting_need()
    {
        // Two claims a cycle: hello-0 and hello-6 relaunch in place; five new pods wait. The cycle placed no new pod, so
        // nothing says how many a fitness that spreads them puts on an offer: each kept offer counts as room for one, and
        // all nine big offers (room for 10 wanted) are kept — not the five whose two claims each would cover it.
        var gateway = CreateTestProbe();
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal, maxClaimsPerCycle: 2));
        router.Tell(new ReconciliationComplete("fw-1"));
        var (relaunching, fresh) = (CreateTestProbe(), CreateTestProbe());
        var footprint = HelloFootprint();
        var other = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()) with { Index = 6 }, TestOffers.Unreserved(), TestOffers.Context).Footprint;
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(), new Footprint("agent-0", "agent-0.local", footprint))), relaunching);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(), new Footprint("agent-10", "agent-10.local", other)) with { Index = 6 }), relaunching);
        foreach (var index in Enumerable.Range(1, 5))
        {
            router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod()) with { Index = index }), fresh);
        }

        var big = Enumerable.Range(1, 9).Select(i => TestOffers.Unreserved($"agent-{i}", cpus: 32, mem: 131072)).ToList();
        router.Tell(new OffersReceived([TestOffers.WithReserved("agent-0", footprint), TestOffers.WithReserved("agent-10", other), .. big]));

        relaunching.ExpectMsg<LaunchClaim>();
        relaunching.ExpectMsg<LaunchClaim>();
        router.Tell(GetPendingRequirements.Instance);
        Assert.Equal(5, ExpectMsg<ImmutableArray<string>>().Length);
        // The cycle is over (its declines would be queued by now): none of the big offers was declined.
        Assert.DoesNotContain(DrainQueued(gateway).OfType<DeclineOffers>().SelectMany(d => d.OfferIds), big.Select(o => o.Id.Value).Contains);
    }

    /// <summary>hello-0 registers a relaunch of <paramref name="pod"/> on what <paramref name="launched"/> reserved, and claims it in place.</summary>
    private static (Offer Offer, LaunchClaim Claim) RelaunchInPlaceClaimed(IActorRef router, Akka.TestKit.TestProbe pods, ActorScheduler.Specs.Model.PodSpec pod, LaunchClaim launched)
    {
        var footprint = new Footprint("agent-1", "agent-1.local", launched.Evaluation.Footprint);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(pod, footprint), ClaimsSeen: launched.Seq), pods);
        var inPlace = TestOffers.WithReserved("agent-1", launched.Evaluation.Footprint);
        router.Tell(new OffersReceived([inPlace]));
        return (inPlace, pods.ExpectMsg<LaunchClaim>());
    }

    /// <summary>How the router answers an offer from agent-1 carrying <paramref name="claim"/>'s reservations back.</summary>
    private static object AnswerToReservationsOfferedBack(IActorRef router, Akka.TestKit.TestProbe gateway, LaunchClaim claim)
    {
        var back = TestOffers.WithReserved("agent-1", claim.Evaluation.Footprint);
        router.Tell(new OffersReceived([back]));
        return gateway.FishForMessage(m => m is DeclineOffers d && d.OfferIds.Contains(back.Id.Value) || m is AcceptOffers a && a.OfferIds.Contains(back.Id.Value));
    }

    private static void AssertUnreserved(object answer) =>
        Assert.Contains(Assert.IsType<AcceptOffers>(answer).Operations, o => o.Type == Offer.Types.Operation.Types.Type.Unreserve);

    [Fact]
    public void A_pod_whose_two_crossing_claims_are_both_refused_sits_nowhere()
    {
        var (gateway, pods) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        var unique = TestOffers.HelloPod() with { Placement = ActorScheduler.Specs.Placement.PlacementRuleParser.Parse("[[\"hostname\", \"UNIQUE\"]]", "hello").Rule };
        router.Tell(new RegisterRequirement(TestOffers.Requirement(unique)), pods);
        var first = TestOffers.Unreserved("agent-1");
        router.Tell(new OffersReceived([first]));
        pods.ExpectMsg<LaunchClaim>();
        router.Tell(new RegisterRequirement(TestOffers.Requirement(unique)), pods);
        var second = TestOffers.Unreserved("agent-2");
        router.Tell(new OffersReceived([second]));
        pods.ExpectMsg<LaunchClaim>();

        // The pod refuses both (another step took it over, then was released): hello-0 sits on neither agent.
        router.Tell(new LaunchNotRecorded(first.Id.Value, "no longer needed"), pods);
        router.Tell(new LaunchNotRecorded(second.Id.Value, "no longer needed"), pods);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(unique) with { Index = 1 }), pods);
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1")]));

        Assert.Equal("hello-1-server", pods.ExpectMsg<LaunchClaim>().Evaluation.Tasks[0].Info.Name);
    }

    [Fact]
    public void Router_should_decline_long_and_suppress_when_idle_then_revive_on_new_work()
    {
        var (gateway, pod) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));

        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved())));
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        gateway.ExpectMsg<SuppressOffers>();

        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pod);
        gateway.ExpectMsg<ReviveOffers>();
    }

    [Fact]
    public void An_abandoned_footprint_keeps_offers_coming_until_its_agent_is_offered_and_cleaned()
    {
        var gateway = CreateTestProbe();
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-2"))));
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        gateway.ExpectMsg<SuppressOffers>();

        // hello-0 gave up a footprint on agent-1 whose reservations the master may hold: offers must come again.
        var footprint = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Footprint;
        var ids = footprint.Select(Resources.ResourceId).OfType<string>().ToImmutableArray();
        var pod = CreateTestProbe();
        router.Tell(new FootprintAbandoned("hello-0", ids, "agent-1"), pod);
        gateway.ExpectMsg<ReviveOffers>();

        // Another agent's offer settles nothing: declined long (it has nothing for us), and no suppress.
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-2"))));
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // agent-1's offer still carries them: they are collected. Not settled yet: the ACCEPT may be refused (the offer
        // rescinded meanwhile), so offers keep coming.
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.WithReserved("agent-1", footprint))));
        var cleanup = gateway.ExpectMsg<AcceptOffers>();
        Assert.Contains(cleanup.Operations, o => o.Type == Offer.Types.Operation.Types.Type.Unreserve);
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-2"))));
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        pod.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // agent-1's next offer no longer carries them: settled, the pod is told, and there is nothing left to wait for.
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-1"))));
        var settled = pod.ExpectMsg<FootprintSettled>();
        Assert.Equal("agent-1", settled.AgentId);
        Assert.Equal(ids.Order(), settled.ResourceIds.Order());
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        gateway.ExpectMsg<SuppressOffers>();
    }

    [Fact]
    public void An_abandoned_footprint_is_settled_when_it_is_collected_from_its_agent_under_a_new_id()
    {
        var (router, gateway) = ReconciledRouter();
        var footprint = HelloFootprint();
        var pod = CreateTestProbe();
        router.Tell(new FootprintAbandoned("hello-0", footprint.Select(Resources.ResourceId).OfType<string>().ToImmutableArray(), "agent-1"), pod);

        // agent-1 restarted on its work dir: it registered as agent-9, with the reservations it had.
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.WithReserved("agent-9", footprint))));
        Assert.Contains(gateway.ExpectMsg<AcceptOffers>().Operations, o => o.Type == Offer.Types.Operation.Types.Type.Unreserve);

        // agent-9's next offer shows them gone: nothing is left to wait for (agent-1 will never offer again, and need not).
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-9"))));
        Assert.Equal("agent-1", pod.ExpectMsg<FootprintSettled>().AgentId);
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        gateway.ExpectMsg<SuppressOffers>();
    }

    [Fact]
    public void A_launch_the_master_never_saw_is_settled_by_its_agents_next_offer_and_a_replaced_footprint_only_once_shown_free()
    {
        var metrics = new SchedulerMetrics();
        var (router, gateway) = ReconciledRouter(metrics: metrics);
        var footprint = HelloFootprint();
        var ids = footprint.Select(Resources.ResourceId).OfType<string>().ToImmutableArray();
        var (abandoned, replaced) = (CreateTestProbe(), CreateTestProbe());
        router.Tell(new FootprintAbandoned("hello-0", ["never-made"], "agent-1", Made: false), abandoned);
        router.Tell(new FootprintAbandoned("hello-1", ids, "agent-2"), replaced);

        // Neither agent's offer carries them: the launch's reservations were never made; the replaced pod's task is
        // still being killed (what it uses is not offered).
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1"), TestOffers.Unreserved("agent-2")]));
        Assert.Equal(["never-made"], abandoned.ExpectMsg<FootprintSettled>().ResourceIds.ToArray());
        replaced.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // agent-2's next offer is wanted soon (declined short); agent-1 has nothing more for us (declined long).
        var declines = new[] { gateway.ExpectMsg<DeclineOffers>(), gateway.ExpectMsg<DeclineOffers>() }.ToDictionary(d => d.RefuseSeconds, d => d.OfferIds.Length);
        Assert.Equal(new Dictionary<double, int> { [OfferRouterActor.ShortDeclineSeconds] = 1, [OfferRouterActor.LongDeclineSeconds] = 1 }, declines);

        // Its task ended: the reservations are offered free (collected), then gone.
        router.Tell(new OffersReceived([TestOffers.WithReserved("agent-2", footprint)]));
        Assert.Contains(gateway.FishForMessage<AcceptOffers>(_ => true).Operations, o => o.Type == Offer.Types.Operation.Types.Type.Unreserve);
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-2")]));
        Assert.Equal(ids.Order(), replaced.ExpectMsg<FootprintSettled>().ResourceIds.Order());

        // Served with the other counters: two waits, both settled by offers, none left.
        var counters = metrics.Counters();
        Assert.Equal((2, 2, 0), (counters[SchedulerMetrics.GivenUpWaits], counters[SchedulerMetrics.GivenUpSettled], counters.GetValueOrDefault(SchedulerMetrics.GivenUpExpired)));
    }

    [Fact]
    public void A_decommissioned_pods_release_whose_agent_never_offers_again_is_not_waited_for_after_the_patience()
    {
        var metrics = new SchedulerMetrics();
        var (router, gateway) = ReconciledRouter(abandonedPatience: TimeSpan.FromSeconds(1), metrics: metrics);
        var pod = CreateTestProbe();
        router.Tell(new AwaitCollection("world-1", ["resource-1"], "agent-1"), pod);
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-2")]));
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);

        // agent-1 stays partitioned: decommission goes on without seeing the reservations unreserved.
        var collected = pod.ExpectMsg<ResourcesCollected>(TimeSpan.FromSeconds(5));
        Assert.Equal(("world-1", true), (collected.PodInstance, collected.WaitedInVain));
        gateway.ExpectMsg<SuppressOffers>();
        Assert.Equal((1, 1), (metrics.Counters()[SchedulerMetrics.GivenUpWaits], metrics.Counters()[SchedulerMetrics.GivenUpExpired]));
    }

    [Fact]
    public void The_router_says_whether_an_offers_ACCEPT_still_waits_for_its_claims()
    {
        var (router, gateway, pods) = RouterWithHelloPods(1, maxClaims: 512);
        var offer = TestOffers.Unreserved();
        router.Tell(new OffersReceived([offer]));
        var claim = pods.ExpectMsg<LaunchClaim>();

        router.Tell(new IsAcceptPending(offer.Id.Value));
        Assert.True(ExpectMsg<AcceptPending>().Pending);

        router.Tell(new EntityJournalProtocol.Durable([new LaunchRecorded(offer.Id.Value, pods.Ref)]));
        gateway.FishForMessage<AcceptOffers>(_ => true);
        router.Tell(new IsAcceptPending(offer.Id.Value));
        Assert.False(ExpectMsg<AcceptPending>().Pending);
        Assert.Equal(offer.Id.Value, claim.Offer.Id.Value);
    }

    [Fact]
    public void A_decommissioned_pods_release_is_collected_only_once_an_offer_showed_it_free_unless_it_was_never_confirmed()
    {
        var (router, gateway) = ReconciledRouter();
        var footprint = HelloFootprint();
        var ids = footprint.Select(Resources.ResourceId).OfType<string>().ToImmutableArray();
        var (released, unconfirmed) = (CreateTestProbe(), CreateTestProbe());
        router.Tell(new AwaitCollection("world-1", ids, "agent-1"), released);
        router.Tell(new AwaitCollection("world-2", ["never-made"], "agent-2", Made: false), unconfirmed);

        // Offers without them: agent-1's may be one the router held from before world-1's task ended (what a task uses is
        // not offered), so it settles nothing; agent-2's settles the release whose reservations may never have been made.
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1"), TestOffers.Unreserved("agent-2")]));
        Assert.Equal(("world-2", false), unconfirmed.ExpectMsg<ResourcesCollected>() is var c ? (c.PodInstance, c.WaitedInVain) : default);
        released.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // agent-1 offers them free: they are unreserved; its next offer without them completes the collection.
        router.Tell(new OffersReceived([TestOffers.WithReserved("agent-1", footprint)]));
        Assert.Contains(gateway.FishForMessage<AcceptOffers>(_ => true).Operations, o => o.Type == Offer.Types.Operation.Types.Type.Unreserve);
        released.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1")]));
        Assert.Equal("world-1", released.ExpectMsg<ResourcesCollected>().PodInstance);
    }

    [Fact]
    public void A_decommissioned_pods_release_on_an_agent_marked_gone_is_followed_as_abandoned_and_counted_once()
    {
        var metrics = new SchedulerMetrics();
        var (router, gateway) = ReconciledRouter(metrics: metrics);
        var footprint = HelloFootprint();
        var ids = footprint.Select(Resources.ResourceId).OfType<string>().ToImmutableArray();
        var pod = CreateTestProbe();
        router.Tell(new AwaitCollection("world-1", ids, "agent-1"), pod);

        // The pod learnt that agent-1 was marked gone: it no longer waits, and the reservations are followed as an
        // abandoned footprint is. agent-1 restarted on its work dir as agent-9, with them: they are collected there.
        router.Tell(new ReleaseAgentGone("world-1"), pod);
        router.Tell(new OffersReceived([TestOffers.WithReserved("agent-9", footprint)]));
        Assert.Contains(gateway.FishForMessage<AcceptOffers>(_ => true).Operations, o => o.Type == Offer.Types.Operation.Types.Type.Unreserve);
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-9")]));
        Assert.Equal("agent-1", pod.ExpectMsg<FootprintSettled>().AgentId);
        gateway.FishForMessage<SuppressOffers>(_ => true);

        // One wait, settled once; the pod was never told its release was collected (it recorded that itself).
        var counters = metrics.Counters();
        Assert.Equal((1, 1, 0), (counters[SchedulerMetrics.GivenUpWaits], counters[SchedulerMetrics.GivenUpSettled], counters.GetValueOrDefault(SchedulerMetrics.GivenUpExpired)));
        pod.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_release_awaited_again_after_a_pod_restart_keeps_what_offers_showed_of_it()
    {
        var (router, gateway) = ReconciledRouter();
        var footprint = HelloFootprint();
        var ids = footprint.Select(Resources.ResourceId).OfType<string>().ToImmutableArray();
        var pod = CreateTestProbe();
        router.Tell(new AwaitCollection("world-1", ids, "agent-1"), pod);
        router.Tell(new OffersReceived([TestOffers.WithReserved("agent-1", footprint)]));
        Assert.Contains(gateway.FishForMessage<AcceptOffers>(_ => true).Operations, o => o.Type == Offer.Types.Operation.Types.Type.Unreserve);

        // The same release is awaited again (a restarted pod asks again): the wait goes on where it was, so the next offer
        // without them completes it (started over, it would need an offer showing them free, which never comes).
        router.Tell(new AwaitCollection("world-1", ids, "agent-1"), pod);
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1")]));
        Assert.Equal("world-1", pod.ExpectMsg<ResourcesCollected>().PodInstance);
    }

    [Fact]
    public void An_abandoned_footprint_whose_agent_never_offers_again_is_given_up_after_the_patience()
    {
        var (router, gateway) = ReconciledRouter(abandonedPatience: TimeSpan.FromSeconds(1));
        var pod = CreateTestProbe();
        router.Tell(new FootprintAbandoned("hello-0", ["resource-1"], "agent-1"), pod);
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-2"))));
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);

        // agent-1 never comes back (or comes back under a new id): once the patience is over, nothing keeps offers
        // coming, and the pod stops remembering the footprint.
        gateway.ExpectMsg<SuppressOffers>(TimeSpan.FromSeconds(5));
        Assert.Equal("agent-1", pod.ExpectMsg<FootprintSettled>().AgentId);
        router.Tell(IsSuppressed.Instance);
        Assert.True(ExpectMsg<bool>());

        // New work revives; the given-up agent no longer keeps the router from suppressing once the work is done.
        router.Tell(new FootprintAbandoned("hello-1", ["resource-2"], "agent-3", Made: false));
        gateway.ExpectMsg<ReviveOffers>();
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-3"))));
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        gateway.ExpectMsg<SuppressOffers>();
    }

    [Fact]
    public void Router_should_revive_for_new_work_after_declining_offers_that_did_not_fit()
    {
        var (gateway, pod0, pod1) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(cpus: 8))), pod0);
        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved())));
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);

        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod()) with { Index = 1 }), pod1);

        gateway.ExpectMsg<ReviveOffers>();
    }

    [Fact]
    public void Router_should_clean_up_reservations_no_pod_owns()
    {
        var gateway = CreateTestProbe();
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        var orphan = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Footprint;

        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.WithReserved("agent-1", orphan))));

        var accept = gateway.ExpectMsg<AcceptOffers>();
        Assert.Equal(
            [Offer.Types.Operation.Types.Type.Destroy, Offer.Types.Operation.Types.Type.Unreserve],
            accept.Operations.Select(o => o.Type));
    }

    /// <summary>
    /// Agent-2 offers reservations of ours no pod owns, agent-1 plain resources: the first are destroyed and unreserved,
    /// the second declined long, and offers suppressed.
    /// </summary>
    private void CollectsUnownedReservationsAndSuppresses(IActorRef router, Akka.TestKit.TestProbe gateway)
    {
        router.Tell(new OffersReceived([TestOffers.WithReserved("agent-2", HelloFootprint()), TestOffers.Unreserved("agent-1")]));
        Assert.Equal(
            [Offer.Types.Operation.Types.Type.Destroy, Offer.Types.Operation.Types.Type.Unreserve],
            gateway.ExpectMsg<AcceptOffers>().Operations.Select(o => o.Type));
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        gateway.ExpectMsg<SuppressOffers>();
    }

    [Fact]
    public void An_idle_router_sweeps_every_interval_collecting_reservations_nobody_owns_and_suppresses_again()
    {
        var metrics = new SchedulerMetrics();
        var (router, gateway) = ReconciledRouter(metrics: metrics, sweepInterval: TimeSpan.FromMilliseconds(500));
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1")]));
        Assert.Equal(OfferRouterActor.LongDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        gateway.ExpectMsg<SuppressOffers>();

        // Suppressed with nothing to do: the sweep revives offers, and an agent offers reservations of ours no pod owns
        // (it came back after the router stopped waiting for it).
        gateway.ExpectMsg<ReviveOffers>(TimeSpan.FromSeconds(5));
        CollectsUnownedReservationsAndSuppresses(router, gateway);

        // And again a sweep interval later.
        gateway.ExpectMsg<ReviveOffers>(TimeSpan.FromSeconds(5));
        // The sweep is counted once its revive is sent: awaited, not read the moment the revive arrives.
        AwaitAssert(() => Assert.Equal((2, 2), (metrics.Counters()[SchedulerMetrics.Sweeps], metrics.Counters()[SchedulerMetrics.Revives])));
    }

    [Fact]
    public void A_router_with_pods_to_place_does_not_sweep_and_one_with_sweeps_off_never_does()
    {
        // Waiting pods keep offers coming (declined short): no sweep needed, even after offers were declined.
        var metrics = new SchedulerMetrics();
        var (router, gateway) = ReconciledRouter(metrics: metrics, sweepInterval: TimeSpan.FromMilliseconds(200));
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(cpus: 8))), CreateTestProbe());
        router.Tell(new OffersReceived([TestOffers.Unreserved()]));
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, gateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(800));
        Assert.False(metrics.Counters().ContainsKey(SchedulerMetrics.Sweeps));

        // Sweeps off: an idle, suppressed router stays suppressed.
        var (idle, idleGateway) = ReconciledRouter(sweepInterval: TimeSpan.Zero);
        idle.Tell(new OffersReceived([TestOffers.Unreserved("agent-1")]));
        idleGateway.ExpectMsg<DeclineOffers>();
        idleGateway.ExpectMsg<SuppressOffers>();
        idleGateway.ExpectNoMsg(TimeSpan.FromMilliseconds(800));
    }

    [Fact]
    public void An_idle_router_sweeps_at_once_when_a_task_nobody_owns_ends_and_one_placing_pods_needs_not()
    {
        // Sweeps off, so only the ended task can revive offers.
        var metrics = new SchedulerMetrics();
        var (router, gateway) = ReconciledRouter(metrics: metrics, sweepInterval: TimeSpan.Zero);
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1")]));
        gateway.ExpectMsg<DeclineOffers>();
        gateway.ExpectMsg<SuppressOffers>();

        router.Tell(new UnownedTaskEnded("stray__1", "agent-2"));
        gateway.ExpectMsg<ReviveOffers>();
        CollectsUnownedReservationsAndSuppresses(router, gateway);
        Assert.Equal(1, metrics.Counters()[SchedulerMetrics.Sweeps]);

        // Pods waiting: offers come anyway (declined short), so an ended task changes nothing.
        var (placing, placingGateway) = ReconciledRouter(sweepInterval: TimeSpan.Zero);
        placing.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod(cpus: 8))), CreateTestProbe());
        placing.Tell(new OffersReceived([TestOffers.Unreserved()]));
        Assert.Equal(OfferRouterActor.ShortDeclineSeconds, placingGateway.ExpectMsg<DeclineOffers>().RefuseSeconds);
        placing.Tell(new UnownedTaskEnded("stray__1", "agent-2"));
        placing.Tell(GetPendingRequirements.Instance);
        ExpectMsg<ImmutableArray<string>>();
        Assert.DoesNotContain(DrainQueued(placingGateway), m => m is ReviveOffers);
    }

    [Fact]
    public void Requirements_of_earlier_plans_claim_offers_first_then_each_plans_in_the_order_they_came()
    {
        var (gateway, pods) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal, maxClaimsPerCycle: 1));
        router.Tell(new ReconciliationComplete("fw-1"));
        // A custom plan's (after deploy and recovery), recovery's, deploy's, and the custom plan's again.
        foreach (var (index, priority) in new[] { (0, 2), (1, ActorScheduler.Actors.Plans.RecoveryPlanActor.Priority), (2, 0), (3, 2) })
        {
            router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod()) with { Index = index, PlanPriority = priority }), pods);
        }

        router.Tell(GetPendingRequirements.Instance);
        Assert.Equal(new[] { "hello-2", "hello-1", "hello-0", "hello-3" }, ExpectMsg<ImmutableArray<string>>().ToArray());

        // One claim a cycle and room for all: deploy's pod takes it, the others wait in order.
        router.Tell(new OffersReceived([TestOffers.Unreserved()]));
        pods.ExpectMsg<LaunchClaim>();
        router.Tell(GetPendingRequirements.Instance);
        Assert.Equal(new[] { "hello-1", "hello-0", "hello-3" }, ExpectMsg<ImmutableArray<string>>().ToArray());
    }

    [Theory]
    [InlineData(FitnessKind.BinPack, "agent-2")]
    [InlineData(FitnessKind.FirstFit, "agent-1")]
    public void A_new_footprint_takes_the_offer_it_fills_most_under_binpack_and_the_first_under_first_fit(FitnessKind kind, string expected)
    {
        var (router, _, pods) = RouterWithHelloPods(1, maxClaims: 10, fitness: new PlacementFitness(kind, 16));
        // hello-0 needs 0.6 cpus and 288 MB with the executor.
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1", cpus: 8, mem: 8192), TestOffers.Unreserved("agent-2", cpus: 1, mem: 512), TestOffers.Unreserved("agent-3", cpus: 4, mem: 4096)]));

        var claim = pods.ExpectMsg<LaunchClaim>();
        Assert.Equal(expected, claim.Offer.AgentId.Value);
        var last = claim.Evaluation.Explanation[^1];
        if (kind == FitnessKind.FirstFit)
        {
            Assert.DoesNotContain(claim.Evaluation.Explanation, line => line.Contains("FitnessStage", StringComparison.Ordinal));
        }
        else
        {
            Assert.StartsWith("PASS(FitnessStage): binpack score 0.7", last);
            Assert.EndsWith("0 instances of its type on the agent; the best that passed of 3 offers compared", last);
        }
    }

    [Theory]
    [InlineData(FitnessKind.Spread, "agent-3")]
    [InlineData(FitnessKind.BinPack, "agent-2")]
    [InlineData(FitnessKind.FirstFit, "agent-1")]
    public void A_second_instance_of_a_type_goes_to_another_agent_and_under_spread_to_the_emptier_zone(FitnessKind kind, string second)
    {
        var (router, _, pods) = RouterWithHelloPods(2, maxClaims: 10, fitness: new PlacementFitness(kind, 16));
        router.Tell(new OffersReceived([InZone("agent-1", "a"), InZone("agent-2", "a"), InZone("agent-3", "b")]));

        var claims = pods.ReceiveN(2).Cast<LaunchClaim>().ToArray();
        Assert.Equal("agent-1", claims[0].Offer.AgentId.Value);
        Assert.Equal(second, claims[1].Offer.AgentId.Value);

        static Offer InZone(string agent, string zone)
        {
            var offer = TestOffers.Unreserved(agent);
            offer.Domain = new DomainInfo { FaultDomain = new DomainInfo.Types.FaultDomain { Region = new() { Name = "r1" }, Zone = new() { Name = zone } } };
            return offer;
        }
    }

    [Theory]
    [InlineData(2, "agent-1")]
    [InlineData(3, "agent-3")]
    public void Only_as_many_offers_as_the_candidates_are_compared(int candidates, string expected)
    {
        var (router, _, pods) = RouterWithHelloPods(1, maxClaims: 10, fitness: new PlacementFitness(FitnessKind.BinPack, candidates));
        // agent-0 cannot fit the pod and is not a candidate; agent-3 fits it best.
        router.Tell(new OffersReceived([
            TestOffers.Unreserved("agent-0", cpus: 0.1),
            TestOffers.Unreserved("agent-1", cpus: 8, mem: 8192),
            TestOffers.Unreserved("agent-2", cpus: 8, mem: 8192),
            TestOffers.Unreserved("agent-3", cpus: 1, mem: 512)]));

        Assert.Equal(expected, pods.ExpectMsg<LaunchClaim>().Offer.AgentId.Value);
    }

    [Fact]
    public void Each_pod_compares_the_offers_after_those_the_last_one_compared_so_replicas_spread_over_every_agent()
    {
        var (router, _, pods) = RouterWithHelloPods(3, maxClaims: 10, fitness: new PlacementFitness(FitnessKind.BinPack, 2));
        // Six alike offers, two compared a pod: without the rotation the third pod would see only agent-0 and agent-1
        // again, both holding a hello already.
        router.Tell(new OffersReceived([.. Enumerable.Range(0, 6).Select(i => TestOffers.Unreserved($"agent-{i}"))]));

        Assert.Equal(["agent-0", "agent-2", "agent-4"], pods.ReceiveN(3).Cast<LaunchClaim>().Select(c => c.Offer.AgentId.Value).ToArray());
    }

    [Fact]
    public void The_comparison_wraps_round_to_the_first_offer_that_fits()
    {
        var (router, _, pods) = RouterWithHelloPods(2, maxClaims: 10, fitness: new PlacementFitness(FitnessKind.BinPack, 2));
        // hello-0 compares agent-1 and agent-2 (agent-0 fits nobody) and takes agent-1; hello-1 compares agent-3 and,
        // wrapping round, agent-1 again, and takes agent-3, which holds no hello.
        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-0", cpus: 0.1), TestOffers.Unreserved("agent-1"), TestOffers.Unreserved("agent-2"), TestOffers.Unreserved("agent-3")]));

        Assert.Equal(["agent-1", "agent-3"], pods.ReceiveN(2).Cast<LaunchClaim>().Select(c => c.Offer.AgentId.Value).ToArray());
    }

    [Fact]
    public void The_next_best_offer_is_taken_when_the_best_fails_its_full_evaluation_and_both_decisions_are_explained()
    {
        var (gateway, pod) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("svc", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        router.Tell(new RegisterRequirement(TestOffers.Launch(TestOffers.SharedSetPod(TestOffers.Port("http")), "init")), pod);
        // The tight offer fits the scalars best but has no ports for the pod's dynamic port.
        var tight = TestOffers.Unreserved("agent-1", cpus: 1, mem: 512);
        tight.Resources.RemoveAt(tight.Resources.Count - 1);
        var roomy = TestOffers.Unreserved("agent-2", cpus: 8, mem: 8192);

        router.Tell(new OffersReceived([roomy, tight]));

        Assert.Equal("agent-2", pod.ExpectMsg<LaunchClaim>().Offer.AgentId.Value);
        router.Tell(new ActorScheduler.Messages.Offers.OfferProtocol.GetOfferOutcomes(null));
        Assert.StartsWith(
            "db-0: 2 offers evaluated, 1 passed; 1 FAIL(PortEvaluationStage)",
            ExpectMsg<ActorScheduler.Messages.Offers.OfferOutcomes>().Summaries.Single().Line);
    }

    /// <summary>A reconciled router with nothing registered.</summary>
    private (IActorRef Router, Akka.TestKit.TestProbe Gateway) ReconciledRouter(TimeSpan? abandonedPatience = null, SchedulerMetrics? metrics = null, TimeSpan? sweepInterval = null)
    {
        var gateway = CreateTestProbe();
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal, metrics, abandonedPatience: abandonedPatience, sweepInterval: sweepInterval));
        router.Tell(new ReconciliationComplete("fw-1"));
        return (router, gateway);
    }

    /// <summary>A hello pod's new footprint (reservations with fresh resource ids).</summary>
    private static ImmutableArray<Resource> HelloFootprint() =>
        OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Footprint;

    /// <summary>A reconciled router with <paramref name="count"/> hello pods (0.6 cpus each with the executor) registered by one probe.</summary>
    private (IActorRef Router, Akka.TestKit.TestProbe Gateway, Akka.TestKit.TestProbe Pods) RouterWithHelloPods(int count, int maxClaims, TimeSpan? holdLimit = null, SchedulerMetrics? metrics = null, PlacementFitness? fitness = null, OfferHoldMode holdMode = OfferHoldMode.Backlog)
    {
        var (gateway, pods) = (CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal, metrics, maxClaimsPerCycle: maxClaims, holdLimit: holdLimit, fitness: fitness, holdMode: holdMode));
        router.Tell(new ReconciliationComplete("fw-1"));
        for (var i = 0; i < count; i++)
        {
            router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod()) with { Index = i }), pods);
        }

        return (router, gateway, pods);
    }

    /// <summary>A reconciled router with hello-0 and hello-1 registered (by pod0 and pod1).</summary>
    private (Akka.Actor.IActorRef Router, Akka.TestKit.TestProbe Gateway, Akka.TestKit.TestProbe Pod0, Akka.TestKit.TestProbe Pod1) RouterWithTwoRequirements()
    {
        var (gateway, pod0, pod1) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod())), pod0);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(TestOffers.HelloPod()) with { Index = 1 }), pod1);
        return (router, gateway, pod0, pod1);
    }
}
