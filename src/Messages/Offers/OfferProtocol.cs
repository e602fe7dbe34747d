using System.Collections.Immutable;

namespace ActorScheduler.Messages.Offers;

/// <summary>Why offers were (not) used: recent evaluations and per-pod summaries, answered by the offer router.</summary>
public static class OfferProtocol
{
    /// <summary>The latest evaluations (newest first), optionally of one pod instance → <see cref="OfferOutcomes"/>.</summary>
    public sealed record GetOfferOutcomes(string? PodInstance = null, int Limit = 100);
}

/// <param name="Declines">
/// The offers the router declined since the scheduler started, by why and with which filter (most first); service-wide,
/// so empty in an answer about one pod instance.
/// </param>
public sealed record OfferOutcomes(ImmutableArray<PodOfferSummary> Summaries, ImmutableArray<OfferOutcome> Outcomes, ImmutableArray<DeclineCount> Declines = default)
{
    public ImmutableArray<DeclineCount> Declines { get; init; } = Declines.IsDefault ? [] : Declines;
}

/// <summary>Offers declined for one reason with one filter.</summary>
public sealed record DeclineCount(string Reason, double RefuseSeconds, long Count)
{
    /// <summary>"9,500 not kept for the pods left (filter 5 s)".</summary>
    public string Line => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Count:N0} {Reason} (filter {RefuseSeconds:0.###} s)");
}

/// <summary>One evaluation of one offer for one pod instance, with its PASS/FAIL lines.</summary>
public sealed record OfferOutcome(
    DateTime Timestamp,
    string PodInstance,
    string OfferId,
    string AgentId,
    string Hostname,
    bool Passed,
    ImmutableArray<string> Explanation);

/// <summary>
/// The evaluations for one pod instance since it last started waiting for offers (a pod placed, then replaced or
/// recovered, counts from its new wait), failures grouped by reason.
/// </summary>
public sealed record PodOfferSummary(string PodInstance, long Evaluated, long Passed, ImmutableArray<FailureCount> Failures)
{
    /// <summary>
    /// One line, numbers in the invariant culture (as <see cref="DeclineCount.Line"/>): "hello-0: 9,812 offers evaluated,
    /// 1 passed; 9,700 FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE; 111 FAIL(ResourceEvaluationStage): …".
    /// </summary>
    public string Line
    {
        get
        {
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            var head = string.Create(invariant, $"{PodInstance}: {Evaluated:N0} {(Evaluated == 1 ? "offer" : "offers")} evaluated, {Passed:N0} passed");
            return Failures.IsEmpty
                ? head
                : head + "; " + string.Join("; ", Failures.Select(f => string.Create(invariant, $"{f.Count:N0} {f.Reason}")));
        }
    }
}

public sealed record FailureCount(string Reason, long Count);
