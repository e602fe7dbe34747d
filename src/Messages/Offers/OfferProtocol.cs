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
                : head + "; " + string.Join("; ", Failures.Select(f => f.Line));
        }
    }
}

/// <summary>Offers that failed for one reason.</summary>
/// <param name="Needs">
/// For a resource the pod lacked (cpus, mem, disk, gpus for a new reservation): how much of it the pod needs, as the
/// evaluation counts it; null for other reasons, and where some offer's amount is not known (a skipped offer of a pod of a
/// pre-reserved role).
/// </param>
/// <param name="MostOffered">With <paramref name="Needs"/>: the most of that resource any of these offers had.</param>
public sealed record FailureCount(string Reason, long Count, double? Needs = null, double? MostOffered = null)
{
    /// <summary>"112 FAIL(ResourceEvaluationStage): Offer lacks … 'cpus' for new reservation (needs 2, offers had at most 1.5)".</summary>
    public string Line => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Count:N0} {Why}");

    /// <summary>The reason, with the amounts when known: "FAIL(ResourceEvaluationStage): Offer lacks … 'cpus' for new reservation (needs 2, offers had at most 1.5)".</summary>
    public string Why => Needs is { } needs && MostOffered is { } most
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Reason} (needs {needs:0.###}, offers had at most {most:0.###})")
        : Reason;
}
