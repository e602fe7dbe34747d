using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Simulation;

/// <summary>
/// Reads a cluster's history as it grows and measures offer cycles — from an OFFERS event reaching the scheduler until
/// it answered (ACCEPT or DECLINE) every offer of it; offers rescinded meanwhile are not waited for — and placements
/// (tasks first reported TASK_RUNNING). Wall-clock times (<see cref="ClusterRecord.RecordedAt"/>). Each cycle is also
/// measured to when the scheduler sent its last answer (<see cref="ClusterRecord.SentAt"/>), before the call waited in
/// the simulated master's queue: <see cref="SchedulerCycleMs"/>. Not thread-safe.
/// </summary>
internal sealed class OfferCycleTracker
{
    private readonly Dictionary<string, Batch> _batchOfOffer = new(StringComparer.Ordinal);
    private readonly HashSet<string> _running;
    private readonly List<double> _schedulerCycleMs = [];
    private readonly List<StormOfferCycle> _cycles = [];
    private long _cursor;

    /// <param name="expectedTasks">
    /// Tasks the run is expected to place: the set of those running is sized for them at once (grown one task at a time
    /// to 10,000, it passed through arrays of the large-object heap in the process being measured).
    /// </param>
    public OfferCycleTracker(int expectedTasks = 0) => _running = new HashSet<string>(expectedTasks, StringComparer.Ordinal);

    /// <summary>The records read, by time: offers, launches and placements (<see cref="StormResult.Timeline"/>).</summary>
    public StormTimeline Timeline { get; } = new();

    public DateTimeOffset? FirstOffer { get; private set; }

    /// <summary>When the master recorded the first ACCEPT that launched a task.</summary>
    public DateTimeOffset? FirstLaunch { get; private set; }

    public DateTimeOffset? FirstPlacement { get; private set; }

    public DateTimeOffset? LastPlacement { get; private set; }

    /// <summary>Tasks reported TASK_RUNNING at least once.</summary>
    public int Placed => _running.Count;

    public long Offers { get; private set; }

    /// <summary>Tasks the scheduler's ACCEPT calls launched (LAUNCH and LAUNCH_GROUP operations), as the master read them.</summary>
    public long Launched { get; private set; }

    /// <summary>OFFERS events read.</summary>
    public long Batches { get; private set; }

    /// <summary>The offers neither answered nor rescinded yet.</summary>
    public IReadOnlyCollection<string> OpenOfferIds => _batchOfOffer.Keys;

    /// <summary>The cycles with how their offers were answered, in the order the cycles ended.</summary>
    public IReadOnlyList<StormOfferCycle> Cycles => _cycles;

    /// <summary>The same cycles, each until the scheduler sent its last answer (not until the master recorded it).</summary>
    public IReadOnlyList<double> SchedulerCycleMs => _schedulerCycleMs;

    /// <summary>Cycles whose offers are not all answered yet.</summary>
    public int OpenCycles => _batchOfOffer.Values.Distinct().Count();

    /// <summary>Reads the records added since the last call; with <paramref name="discard"/> the cluster then forgets them.</summary>
    public void Update(SimulatedCluster cluster, bool discard = false)
    {
        foreach (var record in cluster.HistorySince(_cursor))
        {
            _cursor = record.Sequence;
            Read(record);
        }

        if (discard)
        {
            cluster.DiscardHistory(_cursor);
        }
    }

    private void Read(ClusterRecord record)
    {
        switch (record.Event?.Type)
        {
            case Event.Types.Type.Offers:
                var batch = new Batch(record.RecordedAt);
                foreach (var offer in record.Event.Offers.Offers_)
                {
                    _batchOfOffer[offer.Id.Value] = batch;
                    batch.Open++;
                }

                batch.Offers = batch.Open;

                Offers += batch.Open;
                Batches++;
                Timeline.Add(record.RecordedAt, offers: batch.Open);
                FirstOffer ??= record.RecordedAt;
                return;
            case Event.Types.Type.Rescind:
                Close(record.Event.Rescind.OfferId.Value, record.RecordedAt, null, accepted: false);
                return;
            case Event.Types.Type.Update when record.Event.Update.Status.State == TaskState.TaskRunning:
                if (_running.Add(record.Event.Update.Status.TaskId.Value))
                {
                    FirstPlacement ??= record.RecordedAt;
                    LastPlacement = record.RecordedAt;
                    Timeline.Add(record.RecordedAt, placed: 1);
                }

                return;
        }

        if (record.LaunchedTasks.Count() is var launched and > 0)
        {
            Launched += launched;
            FirstLaunch ??= record.RecordedAt;
            Timeline.Add(record.RecordedAt, launched: launched);
        }

        var accepted = record.Call?.Type == Call.Types.Type.Accept;
        foreach (var offerId in record.AnsweredOffers)
        {
            Close(offerId, record.RecordedAt, record.SentAt ?? record.RecordedAt, accepted);
        }
    }

    /// <param name="offerId">The offer answered or rescinded.</param>
    /// <param name="at">When the master recorded the answer (or the rescind).</param>
    /// <param name="answeredAt">When the scheduler sent the answer; null when the offer was rescinded instead.</param>
    /// <param name="accepted">Whether the answer was an ACCEPT.</param>
    private void Close(string offerId, DateTimeOffset at, DateTimeOffset? answeredAt, bool accepted)
    {
        if (!_batchOfOffer.Remove(offerId, out var batch))
        {
            return;
        }

        batch.Open--;
        if (answeredAt is { } sent)
        {
            batch.Answered = true;
            if (accepted)
            {
                batch.Accepted++;
            }
            else
            {
                batch.Declined++;
            }

            batch.LastAnswerSent = batch.LastAnswerSent is { } last && last > sent ? last : sent;
        }

        if (batch.Open == 0 && batch.Answered)
        {
            _cycles.Add(new StormOfferCycle((at - batch.SentAt).TotalMilliseconds, batch.Offers, batch.Accepted, batch.Declined));
            _schedulerCycleMs.Add((batch.LastAnswerSent!.Value - batch.SentAt).TotalMilliseconds);
        }
    }

    private sealed class Batch(DateTimeOffset sentAt)
    {
        public DateTimeOffset SentAt { get; } = sentAt;

        public int Open { get; set; }

        public bool Answered { get; set; }

        public DateTimeOffset? LastAnswerSent { get; set; }

        public int Offers { get; set; }

        public int Accepted { get; set; }

        public int Declined { get; set; }
    }
}
