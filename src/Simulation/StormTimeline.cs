namespace ActorScheduler.Simulation;

/// <summary>
/// One slice of a storm deploy's timeline (<see cref="StormResult.Timeline"/>): what the cluster's history shows in it,
/// counted from the first OFFERS event, and how long the process was paused for garbage collection in it.
/// </summary>
/// <param name="FromMs">The slice's start, in ms after the first offer.</param>
/// <param name="Offers">Offers the master sent (in OFFERS events).</param>
/// <param name="Launched">Tasks launched by the ACCEPTs the master recorded.</param>
/// <param name="Placed">Tasks first reported TASK_RUNNING.</param>
/// <param name="GcPauseMs">
/// Garbage-collection pause the process took, as read when the slice's records were read (the reader lags the cluster by
/// a few ms, so a pause can show in the next slice).
/// </param>
public sealed record StormTimelineSlice(double FromMs, int Offers, int Launched, int Placed, double GcPauseMs);

/// <summary>
/// One OFFERS event's cycle (<see cref="StormResult.Cycles"/>): from the master's send until every offer of it was answered
/// or rescinded, and how: offers accepted (claimed by pods, or cleaned up) and declined; the rest were rescinded.
/// </summary>
/// <param name="Ms">The cycle's latency, as in <see cref="StormResult.P99CycleMs"/>.</param>
/// <param name="Offers">Offers in the event.</param>
/// <param name="Accepted">Offers of it the scheduler answered with an ACCEPT.</param>
/// <param name="Declined">Offers of it the scheduler declined.</param>
public sealed record StormOfferCycle(double Ms, int Offers, int Accepted, int Declined);

/// <summary>Collects a deploy's history records by time and cuts them into <see cref="StormTimelineSlice"/>s.</summary>
/// <remarks>
/// The records are kept in chunks of <see cref="ChunkSize"/>, not in one list: a deploy of 10,000 pods adds one for each
/// launch and each placement, and one list of them grew through arrays of the large-object heap (up to 1.3 MB, plus a
/// copy of it for the slices) in the process whose garbage collections the storm measures.
/// </remarks>
internal sealed class StormTimeline
{
    /// <summary>Records a chunk (40 KB: below the large-object threshold).</summary>
    internal const int ChunkSize = 1024;

    private readonly List<Record[]> _chunks = [];
    private int _inLastChunk = ChunkSize;

    /// <summary>A record at <paramref name="at"/>: offers sent, tasks launched, tasks first running.</summary>
    /// <param name="at">When the cluster recorded it.</param>
    /// <param name="offers">Offers in it.</param>
    /// <param name="launched">Tasks it launched.</param>
    /// <param name="placed">Tasks first reported running.</param>
    /// <param name="paused">The process's GC pause total so far (default: read now).</param>
    public void Add(DateTimeOffset at, int offers = 0, int launched = 0, int placed = 0, TimeSpan? paused = null)
    {
        if (_inLastChunk == ChunkSize)
        {
            _chunks.Add(new Record[ChunkSize]);
            _inLastChunk = 0;
        }

        _chunks[^1][_inLastChunk++] = new Record(at, offers, launched, placed, paused ?? GC.GetTotalPauseDuration());
    }

    /// <summary>The records from <paramref name="start"/> on, in slices of <paramref name="width"/>; empty slices included.</summary>
    public IReadOnlyList<StormTimelineSlice> Slices(DateTimeOffset start, TimeSpan width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(width, TimeSpan.Zero);
        Record? first = null;
        var last = start;
        foreach (var record in Records())
        {
            if (record.At >= start)
            {
                first ??= record;
                last = record.At > last ? record.At : last;
            }
        }

        if (first is not { } firstRecord)
        {
            return [];
        }

        var count = (int)((last - start) / width) + 1;
        var slices = new (int Offers, int Launched, int Placed, TimeSpan Paused)[count];
        foreach (var (at, offers, launched, placed, paused) in Records())
        {
            if (at < start)
            {
                continue;
            }

            var i = (int)((at - start) / width);
            slices[i] = (slices[i].Offers + offers, slices[i].Launched + launched, slices[i].Placed + placed, paused > slices[i].Paused ? paused : slices[i].Paused);
        }

        // Pause totals are cumulative: a slice's pause is its total less the last total before it.
        var result = new List<StormTimelineSlice>(count);
        var before = firstRecord.Paused;
        for (var i = 0; i < count; i++)
        {
            var total = slices[i].Paused > before ? slices[i].Paused : before;
            result.Add(new StormTimelineSlice(i * width.TotalMilliseconds, slices[i].Offers, slices[i].Launched, slices[i].Placed, (total - before).TotalMilliseconds));
            before = total;
        }

        return result;
    }

    /// <summary>Every record, in the order added.</summary>
    private IEnumerable<Record> Records()
    {
        for (var c = 0; c < _chunks.Count; c++)
        {
            var inChunk = c == _chunks.Count - 1 ? _inLastChunk : ChunkSize;
            for (var i = 0; i < inChunk; i++)
            {
                yield return _chunks[c][i];
            }
        }
    }

    private readonly record struct Record(DateTimeOffset At, int Offers, int Launched, int Placed, TimeSpan Paused);
}
