using System.Collections.Immutable;
using ActorScheduler.Messages.Offers;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Keeps the latest offer evaluations (a ring buffer) and, per pod instance, how many offers were evaluated and why
/// they failed since the pod last started waiting for offers (<see cref="StartedWaiting"/>), grouped by reason without
/// the numbers (for a resource the pod lacked, the group keeps how much it needs and the most any of its offers had, as
/// two doubles: nothing is built per offer); and how many offers were declined, by why and with which filter. The full
/// history is in the journal (tag offer-decision).
/// </summary>
public sealed class OfferOutcomeTracker(int capacity = 1000)
{
    private readonly LinkedList<OfferOutcome> _latest = new();
    private readonly Dictionary<string, PodCounts> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Reason, double RefuseSeconds), long> _declines = new();

    /// <summary>Makes room for the counts of <paramref name="podInstances"/> pod instances at once (not through ever larger arrays).</summary>
    public void EnsureCapacity(int podInstances) => _pods.EnsureCapacity(podInstances);

    public void Record(OfferOutcome outcome)
    {
        _latest.AddFirst(outcome);
        if (_latest.Count > capacity)
        {
            _latest.RemoveLast();
        }

        if (!_pods.TryGetValue(outcome.PodInstance, out var counts))
        {
            counts = new PodCounts();
            _pods[outcome.PodInstance] = counts;
        }

        counts.Evaluated++;
        if (outcome.Passed)
        {
            counts.Passed++;
            return;
        }

        var reason = ReasonOf(outcome.Explanation, out var needed, out var available);
        counts.Add(reason, 1, needed, available);
    }

    /// <summary>
    /// The pod instance waits for offers again (a replace, a recovery, its next step): its counts start from zero, so a pod
    /// placed once and waiting again reads as not placed, with today's reasons only. Its latest outcomes stay listed.
    /// </summary>
    public void StartedWaiting(string podInstance)
    {
        if (_pods.ContainsKey(podInstance))
        {
            _pods[podInstance] = new PodCounts();
        }
    }

    /// <summary>
    /// Offers a pod instance was not evaluated against in full (<see cref="OfferFit"/>): counted, not listed. For a resource
    /// the pod lacked, <paramref name="needed"/> is how much it needs and <paramref name="mostAvailable"/> the most of it
    /// any of these offers had (<see cref="OfferFit.AmountOf"/>); NaN where not known, which leaves the reason's amounts
    /// out of the summary.
    /// </summary>
    public void RecordSkipped(string podInstance, string reason, int count, double needed = double.NaN, double mostAvailable = double.NaN)
    {
        if (!_pods.TryGetValue(podInstance, out var counts))
        {
            counts = new PodCounts();
            _pods[podInstance] = counts;
        }

        counts.Evaluated += count;
        counts.Add(reason, count, needed, mostAvailable);
    }

    /// <summary>
    /// Why most of the offers evaluated for the pod instance since it started waiting failed, or null when none did. An
    /// offer from another agent than the pod's reservations counts only when nothing else failed: a pod that keeps its
    /// footprint waits for its own agent's offer, which is what that reason says.
    /// </summary>
    public FailureCount? TopFailure(string podInstance)
    {
        if (!_pods.TryGetValue(podInstance, out var counts))
        {
            return null;
        }

        string? top = null;
        var most = 0L;
        foreach (var (reason, tally) in counts.Failures)
        {
            if (reason != OfferFit.OtherAgent && (tally.Count > most || tally.Count == most && string.CompareOrdinal(reason, top) < 0))
            {
                (top, most) = (reason, tally.Count);
            }
        }

        top ??= counts.Failures.ContainsKey(OfferFit.OtherAgent) ? OfferFit.OtherAgent : null;
        return top is null ? null : counts.Failures[top].ToFailureCount(top);
    }

    /// <summary><paramref name="count"/> offers declined for <paramref name="reason"/> with a filter of <paramref name="refuseSeconds"/>.</summary>
    public void RecordDeclined(string reason, double refuseSeconds, int count)
    {
        if (count > 0)
        {
            _declines[(reason, refuseSeconds)] = _declines.GetValueOrDefault((reason, refuseSeconds)) + count;
        }
    }

    /// <summary>The declines are service-wide: left out of an answer about one pod instance.</summary>
    public OfferOutcomes Query(string? podInstance, int limit) => new(
        _pods.Where(p => podInstance is null || p.Key == podInstance)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new PodOfferSummary(
                p.Key,
                p.Value.Evaluated,
                p.Value.Passed,
                p.Value.Failures.OrderByDescending(f => f.Value.Count).Select(f => f.Value.ToFailureCount(f.Key)).ToImmutableArray()))
            .ToImmutableArray(),
        _latest.Where(o => podInstance is null || o.PodInstance == podInstance).Take(Math.Max(0, limit)).ToImmutableArray(),
        podInstance is not null
            ? []
            : _declines.OrderByDescending(d => d.Value).ThenBy(d => d.Key.Reason, StringComparer.Ordinal).ThenBy(d => d.Key.RefuseSeconds)
                .Select(d => new DeclineCount(d.Key.Reason, d.Key.RefuseSeconds, d.Value)).ToImmutableArray());

    /// <summary>
    /// The first failing line up to its details, which follow a ": " or a " — " after the stage:
    /// "FAIL(ResourceEvaluationStage): Offer lacks … 'cpus' for new reservation",
    /// "FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE" (a rule's own colons are kept).
    /// </summary>
    public static string ReasonOf(IEnumerable<string> explanation) => ReasonOf(explanation, out _, out _);

    /// <summary>
    /// <see cref="ReasonOf(IEnumerable{string})"/>, and the amounts of details that say "…: 2 needed, 1.5 available" (a
    /// resource a new footprint lacked, <see cref="OfferEvaluator"/>), alone or before a " — " that says more (a MOUNT disk
    /// too small, <see cref="VolumeEvaluationStage"/>); NaN when the details say none.
    /// </summary>
    public static string ReasonOf(IEnumerable<string> explanation, out double needed, out double available)
    {
        (needed, available) = (double.NaN, double.NaN);
        var fail = explanation.FirstOrDefault(l => l.StartsWith("FAIL", StringComparison.Ordinal)) ?? "FAIL: (no reason)";
        var stageEnd = fail.IndexOf("): ", StringComparison.Ordinal);
        if (stageEnd < 0)
        {
            return fail;
        }

        var colon = fail.IndexOf(": ", stageEnd + 3, StringComparison.Ordinal);
        var dash = fail.IndexOf(" — ", stageEnd + 3, StringComparison.Ordinal);
        var detail = colon < 0 ? dash : dash < 0 ? colon : Math.Min(colon, dash);
        if (detail < 0)
        {
            return fail;
        }

        if (detail == colon)
        {
            Amounts(fail.AsSpan(colon + 2), out needed, out available);
        }

        return fail[..detail];
    }

    // "2 needed, 1.5 available" (or "… — more") → 2, 1.5; anything else leaves NaN.
    private static void Amounts(ReadOnlySpan<char> details, out double needed, out double available)
    {
        (needed, available) = (double.NaN, double.NaN);
        if (details.IndexOf(" — ", StringComparison.Ordinal) is var more and >= 0)
        {
            details = details[..more];
        }

        const string Needed = " needed, ", Available = " available";
        var at = details.IndexOf(Needed, StringComparison.Ordinal);
        if (at < 0 || !details.EndsWith(Available, StringComparison.Ordinal))
        {
            return;
        }

        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (double.TryParse(details[..at], System.Globalization.NumberStyles.Float, invariant, out var need)
            && double.TryParse(details[(at + Needed.Length)..^Available.Length], System.Globalization.NumberStyles.Float, invariant, out var had))
        {
            (needed, available) = (need, had);
        }
    }

    private sealed class PodCounts
    {
        public long Evaluated { get; set; }

        public long Passed { get; set; }

        public Dictionary<string, FailureTally> Failures { get; } = new(StringComparer.Ordinal);

        /// <summary>Counts <paramref name="count"/> more offers failed for <paramref name="reason"/>, with their amounts.</summary>
        public void Add(string reason, long count, double needed, double mostAvailable)
        {
            ref var failures = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Failures, reason, out var seen);
            failures = seen ? failures.Add(count, needed, mostAvailable) : new FailureTally(count, needed, mostAvailable);
        }
    }

    /// <summary>
    /// Offers failed for one reason, and for a resource the pod lacked how much it needs and the most any of them had (NaN
    /// once any came without: Math.Max keeps a NaN, so a group's amounts are shown only when every offer's was known).
    /// </summary>
    private readonly record struct FailureTally(long Count, double Needed, double MostAvailable)
    {
        public FailureTally Add(long count, double needed, double mostAvailable) =>
            new(Count + count, Math.Max(Needed, needed), Math.Max(MostAvailable, mostAvailable));

        public FailureCount ToFailureCount(string reason) =>
            double.IsNaN(Needed) || double.IsNaN(MostAvailable) ? new FailureCount(reason, Count) : new FailureCount(reason, Count, Needed, MostAvailable);
    }
}
