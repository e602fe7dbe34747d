using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.Offers;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class OfferOutcomeTrackerTests
{
    private static OfferOutcome Outcome(string pod, bool passed, params string[] lines) =>
        new(DateTime.UtcNow, pod, $"o-{Guid.NewGuid():N}", "a1", "host-1", passed, lines.ToImmutableArray());

    [Fact]
    public void Failures_are_grouped_by_reason_without_their_numbers_a_lacked_resource_keeping_the_need_and_the_most_offered()
    {
        var tracker = new OfferOutcomeTracker();
        tracker.Record(Outcome("hello-0", false, "PASS(x): ok", "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation: 2 needed, 1 available"));
        tracker.Record(Outcome("hello-0", false, "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation: 2 needed, 0.5 available"));
        tracker.Record(Outcome("hello-0", false, "FAIL(AgentEvaluationStage): offer is from agent a2 (h2); hello-0 holds its reservations on agent a1 (h1)"));
        tracker.Record(Outcome("hello-0", true, "PASS(LaunchEvaluationStage): launching"));

        var summary = Assert.Single(tracker.Query("hello-0", 10).Summaries);

        Assert.Equal(4, summary.Evaluated);
        Assert.Equal(1, summary.Passed);
        Assert.Equal(
            "hello-0: 4 offers evaluated, 1 passed; 2 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation (needs 2, offers had at most 1); " +
            "1 FAIL(AgentEvaluationStage): offer is from agent a2 (h2); hello-0 holds its reservations on agent a1 (h1)",
            summary.Line);
    }

    [Fact]
    public void Offers_skipped_and_evaluated_for_a_lacked_resource_give_the_need_and_the_most_any_of_them_had()
    {
        const string lacksCpus = "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation";
        var tracker = new OfferOutcomeTracker();
        tracker.RecordSkipped("big-0", lacksCpus, 10, needed: 50.1, mostAvailable: 2);
        tracker.RecordSkipped("big-0", lacksCpus, 4, needed: 50.1, mostAvailable: 4);
        tracker.Record(Outcome("big-0", false, $"{lacksCpus}: 50.1 needed, 3.5 available"));
        tracker.RecordSkipped("big-0", "FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", 2);

        var summary = Assert.Single(tracker.Query("big-0", 10).Summaries);

        Assert.Equal([new FailureCount(lacksCpus, 15, 50.1, 4), new FailureCount("FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", 2)], summary.Failures.ToArray());
        Assert.Equal(
            $"big-0: 17 offers evaluated, 0 passed; 15 {lacksCpus} (needs 50.1, offers had at most 4); 2 FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE",
            summary.Line);

        // Waiting anew: the amounts start over with the counts.
        tracker.StartedWaiting("big-0");
        tracker.Record(Outcome("big-0", false, $"{lacksCpus}: 50.1 needed, 1 available"));
        Assert.Equal(new FailureCount(lacksCpus, 1, 50.1, 1), tracker.Query("big-0", 10).Summaries.Single().Failures.Single());
    }

    [Fact]
    public void A_group_with_an_offer_whose_amount_is_not_known_says_no_amounts()
    {
        // Offers skipped by a check that did not say how much of the resource they had (NaN).
        const string lacksReserved = "FAIL(ResourceEvaluationStage): Offer lacks sufficient 'cpus' reserved for role 'slave_public' for new reservation";
        var tracker = new OfferOutcomeTracker();
        tracker.Record(Outcome("edge-0", false, $"{lacksReserved}: 2 needed, 1 available"));
        tracker.RecordSkipped("edge-0", lacksReserved, 3);

        var failure = tracker.Query("edge-0", 10).Summaries.Single().Failures.Single();

        Assert.Equal(new FailureCount(lacksReserved, 4), failure);
        Assert.Equal($"4 {lacksReserved}", failure.Line);
    }

    [Fact]
    public void A_pods_top_failure_is_its_most_frequent_reason_and_another_agents_offer_only_when_nothing_else_failed()
    {
        var tracker = new OfferOutcomeTracker();
        Assert.Null(tracker.TopFailure("hello-0"));

        tracker.RecordSkipped("hello-0", OfferFit.OtherAgent, 40);
        Assert.Equal(OfferFit.OtherAgent, tracker.TopFailure("hello-0")?.Reason);

        tracker.RecordSkipped("hello-0", "FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", 2);
        tracker.Record(Outcome("hello-0", false, "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation: 2 needed, 1 available"));
        Assert.Equal("FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", tracker.TopFailure("hello-0")?.Why);

        tracker.Record(Outcome("hello-0", false, "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation: 2 needed, 0 available"));
        tracker.Record(Outcome("hello-0", false, "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation: 2 needed, 0 available"));
        // With its amounts, as debug offers gives them.
        Assert.Equal("FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation (needs 2, offers had at most 1)", tracker.TopFailure("hello-0")?.Why);

        // Waiting anew: nothing failed yet.
        tracker.StartedWaiting("hello-0");
        Assert.Null(tracker.TopFailure("hello-0"));
    }

    [Fact]
    public void Failures_to_grow_a_reservation_in_place_are_grouped_with_the_growth_needed_and_the_most_offered()
    {
        var held = Resources.Reserved("cpus", 0.5, TestOffers.Context.Reservation, "hello-resources");
        var tracker = new OfferOutcomeTracker();
        foreach (var available in new[] { 0.25, 1.0 })
        {
            var outcome = ReservationResize.Plan("hello-resources", "cpus", [held], want: 2, unreservedAvailable: available);
            Assert.False(outcome.Passed);
            tracker.Record(Outcome("hello-0", false, outcome.Explanation));
        }

        var failure = Assert.Single(tracker.Query("hello-0", 10).Summaries.Single().Failures);
        Assert.Equal(2, failure.Count);
        Assert.Equal("FAIL(ResourceEvaluationStage): growing hello-resources's reserved 'cpus' from 0.5 to 2 needs more unreserved on this agent", failure.Reason);
        Assert.Equal($"{failure.Reason} (needs 1.5, offers had at most 1)", failure.Why);
    }

    [Fact]
    public void A_pods_line_prints_its_counts_in_the_invariant_culture_whatever_the_current_one()
    {
        var summary = new PodOfferSummary("big-0", 5_000_000_123, 0, [new FailureCount("FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation", 4_999_999_999)]);
        var before = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal(
                "big-0: 5,000,000,123 offers evaluated, 0 passed; 4,999,999,999 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation",
                summary.Line);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void A_pods_summary_counts_only_since_it_last_started_waiting()
    {
        var tracker = new OfferOutcomeTracker();
        tracker.Record(Outcome("hello-0", false, "FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE — agent-1 already runs hello-1"));
        tracker.Record(Outcome("hello-0", true, "PASS(LaunchEvaluationStage): launching"));
        tracker.StartedWaiting("hello-0");
        tracker.StartedWaiting("never-evaluated-0");

        var waiting = Assert.Single(tracker.Query(null, 10).Summaries);
        Assert.Equal("hello-0: 0 offers evaluated, 0 passed", waiting.Line);

        tracker.RecordSkipped("hello-0", "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation", 2);
        Assert.Equal(
            "hello-0: 2 offers evaluated, 0 passed; 2 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation",
            tracker.Query("hello-0", 10).Summaries.Single().Line);
        // The latest outcomes still show what happened before.
        Assert.Equal(2, tracker.Query("hello-0", 10).Outcomes.Length);
    }

    [Fact]
    public void The_latest_outcomes_come_newest_first_filtered_and_bounded()
    {
        var tracker = new OfferOutcomeTracker(capacity: 3);
        foreach (var i in Enumerable.Range(0, 5))
        {
            tracker.Record(Outcome(i % 2 == 0 ? "a-0" : "b-0", true, $"PASS(x): {i}"));
        }

        var all = tracker.Query(null, 10);
        Assert.Equal(["PASS(x): 4", "PASS(x): 3", "PASS(x): 2"], all.Outcomes.Select(o => o.Explanation[0]));
        Assert.Equal(["a-0", "b-0"], all.Summaries.Select(s => s.PodInstance));
        Assert.Equal(3, all.Summaries[0].Evaluated);

        Assert.All(tracker.Query("b-0", 10).Outcomes, o => Assert.Equal("b-0", o.PodInstance));
        Assert.Single(tracker.Query(null, 1).Outcomes);
    }

    [Fact]
    public void Declines_are_counted_by_reason_and_filter_most_first_and_only_service_wide()
    {
        var tracker = new OfferOutcomeTracker();
        tracker.RecordDeclined(DeclineReasons.NotNeeded.Text, 5, 300);
        tracker.RecordDeclined(DeclineReasons.NothingToPlace.Text, 3600, 2);
        tracker.RecordDeclined(DeclineReasons.NotNeeded.Text, 5, 1200);
        tracker.RecordDeclined(DeclineReasons.CycleFull.Text, 0, 4);
        tracker.RecordDeclined(DeclineReasons.CycleFull.Text, 5, 7);
        tracker.RecordDeclined(DeclineReasons.PassedOver.Text, 5, 0);

        var declines = tracker.Query(null, 10).Declines;

        Assert.Equal(
            [
                "1,500 not kept for the pods left (filter 5 s)",
                "7 the cycle placed as many pods as it may and holds no offers (filter 5 s)",
                "4 the cycle placed as many pods as it may and holds no offers (filter 0 s)",
                "2 nothing to place or collect (filter 3600 s)",
            ],
            declines.Select(d => d.Line));
        Assert.Empty(tracker.Query("hello-0", 10).Declines);
    }
}
