namespace ActorScheduler.Simulation;

/// <summary>
/// Virtual time for a simulated cluster: it stands still until the scenario advances it. Only
/// <see cref="GetUtcNow"/> is virtual; the master and the agents read nothing else.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private readonly object _gate = new();
    private DateTimeOffset _now;

    /// <summary>A clock starting at <paramref name="start"/> (default 2020-01-01T00:00Z, so runs are reproducible).</summary>
    public ManualClock(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <summary>Moves time forward by <paramref name="delta"/> (not negative).</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_gate)
        {
            _now += delta;
        }
    }
}
