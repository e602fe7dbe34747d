using System.Collections.Immutable;
using ActorScheduler.Messages.Offers;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Keeps the latest offer evaluations (a ring buffer) and, per pod instance, how many offers were evaluated and why
/// they failed since the pod last started waiting for offers (<see cref="StartedWaiting"/>), grouped by reason without
/// the numbers; and how many offers were declined, by why and with which filter. The full history is in the journal
/// (tag offer-decision).
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

        var reason = ReasonOf(outcome.Explanation);
        counts.Failures[reason] = counts.Failures.GetValueOrDefault(reason) + 1;
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

    /// <summary>Offers a pod instance was not evaluated against in full (<see cref="OfferFit"/>): counted, not listed.</summary>
    public void RecordSkipped(string podInstance, string reason, int count)
    {
        if (!_pods.TryGetValue(podInstance, out var counts))
        {
            counts = new PodCounts();
            _pods[podInstance] = counts;
        }

        counts.Evaluated += count;
        counts.Failures[reason] = counts.Failures.GetValueOrDefault(reason) + count;
    }

    /// <summary>
    /// Why most of the offers evaluated for the pod instance since it started waiting failed, or null when none did. An
    /// offer from another agent than the pod's reservations counts only when nothing else failed: a pod that keeps its
    /// footprint waits for its own agent's offer, which is what that reason says.
    /// </summary>
    public string? TopFailure(string podInstance)
    {
        if (!_pods.TryGetValue(podInstance, out var counts))
        {
            return null;
        }

        string? top = null;
        var most = 0L;
        foreach (var (reason, count) in counts.Failures)
        {
            if (reason != OfferFit.OtherAgent && (count > most || count == most && string.CompareOrdinal(reason, top) < 0))
            {
                (top, most) = (reason, count);
            }
        }

        return top ?? (counts.Failures.ContainsKey(OfferFit.OtherAgent) ? OfferFit.OtherAgent : null);
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
                p.Value.Failures.OrderByDescending(f => f.Value).Select(f => new FailureCount(f.Key, f.Value)).ToImmutableArray()))
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
    public static string ReasonOf(IEnumerable<string> explanation)
    {
        var fail = explanation.FirstOrDefault(l => l.StartsWith("FAIL", StringComparison.Ordinal)) ?? "FAIL: (no reason)";
        var stageEnd = fail.IndexOf("): ", StringComparison.Ordinal);
        if (stageEnd < 0)
        {
            return fail;
        }

        var colon = fail.IndexOf(": ", stageEnd + 3, StringComparison.Ordinal);
        var dash = fail.IndexOf(" — ", stageEnd + 3, StringComparison.Ordinal);
        var detail = colon < 0 ? dash : dash < 0 ? colon : Math.Min(colon, dash);
        return detail < 0 ? fail : fail[..detail];
    }

    private sealed class PodCounts
    {
        public long Evaluated { get; set; }

        public long Passed { get; set; }

        public Dictionary<string, long> Failures { get; } = new(StringComparer.Ordinal);
    }
}
