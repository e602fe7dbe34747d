namespace ActorScheduler.Simulation;

/// <summary>
/// Virtual time for a simulated cluster: it stands still until the scenario advances it. <see cref="GetUtcNow"/> is
/// virtual (the master and the agents read nothing else), and so are the timers <see cref="CreateTimer"/> makes (the
/// scheduler's backoff delays and permanent-failure timeouts): they fire during <see cref="Advance"/>.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<VirtualTimer> _timers = new();
    // UTC ticks of the virtual now: read without the lock (the scheduler's actors and the master read the clock on every
    // message), written under it.
    private long _ticks;

    /// <summary>A clock starting at <paramref name="start"/> (default 2020-01-01T00:00Z, so runs are reproducible).</summary>
    public ManualClock(DateTimeOffset? start = null)
    {
        Current = start ?? new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => Current;

    private DateTimeOffset Current
    {
        get => new(Volatile.Read(ref _ticks), TimeSpan.Zero);
        set => Volatile.Write(ref _ticks, value.UtcTicks);
    }

    /// <summary>A timer on virtual time: due when <see cref="Advance"/> reaches its due time (a zero delay fires at once).</summary>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward by <paramref name="delta"/> (not negative), firing the timers that fall due, in order.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset end;
        lock (_gate)
        {
            end = Current + delta;
        }

        while (true)
        {
            VirtualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due <= end).MinBy(t => t.Due);
                if (next is null)
                {
                    Current = end;
                    return;
                }

                if (next.Due > Current)
                {
                    Current = next.Due!.Value;
                }

                next.Due = next.Period is { } period ? Current + period : null;
                if (next.Due is null)
                {
                    _timers.Remove(next);
                }
            }

            next.Fire();
        }
    }

    private sealed class VirtualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan? Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool fireNow;
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                Period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? null : period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock.Current + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
                fireNow = dueTime == TimeSpan.Zero && Period is null;
                if (Due is not null && !fireNow)
                {
                    clock._timers.Add(this);
                }
            }

            if (fireNow)
            {
                callback(state);
            }

            return true;
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
