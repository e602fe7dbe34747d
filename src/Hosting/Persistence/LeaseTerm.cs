namespace ActorScheduler.Hosting.Persistence;

/// <summary>
/// What the holder of a lease in the database may believe of it, and when it must act: the decisions of
/// <see cref="PostgresLease"/>, apart from its SQL and its timer, so that tests drive them with a fake clock. Every
/// time is a reading of one monotonic clock (<see cref="System.Diagnostics.Stopwatch"/> in production), never a wall
/// clock: the row's expiry is set by the database server's own clock (<c>now() + ttl</c>), and the holder only reasons
/// about how long ago it <em>sent</em> the statement the server confirmed. The server set the expiry after it received
/// that statement, so the row stays the holder's for at least the TTL from the moment of sending, whatever the nodes'
/// clocks say and however late the answer came back.
/// <para>
/// The holder counts the lease as its own only until a conservative deadline: the send time of its last confirmed
/// take or renewal, plus the TTL, minus one heartbeat interval. That heartbeat is the margin left for the scheduler on
/// this node to stop (the lease-lost callback stops the singleton) before another node may take the expired row. A
/// renewal is sent every heartbeat interval while none is in flight; one that fails (the server unreachable, a
/// timeout) is retried at the next heartbeat, and one the server refuses (the row is another owner's) loses the
/// lease at once. Once lost, a late confirmation does not bring it back: only a new take does.
/// </para>
/// Not thread-safe: its owner serialises the calls.
/// </summary>
internal sealed class LeaseTerm
{
    private readonly TimeSpan _timeToLive;
    private readonly TimeSpan _heartbeatInterval;
    private TimeSpan? _deadline;
    private TimeSpan _lastSent;
    private bool _renewalInFlight;

    /// <param name="timeToLive">How long the server keeps a taken or renewed row for its owner.</param>
    /// <param name="heartbeatInterval">How often the holder renews; shorter than <paramref name="timeToLive"/>.</param>
    public LeaseTerm(TimeSpan timeToLive, TimeSpan heartbeatInterval)
    {
        if (heartbeatInterval <= TimeSpan.Zero || heartbeatInterval >= timeToLive)
        {
            throw new ArgumentOutOfRangeException(nameof(heartbeatInterval), heartbeatInterval, $"the heartbeat interval must be above zero and shorter than the time to live ({timeToLive})");
        }

        _timeToLive = timeToLive;
        _heartbeatInterval = heartbeatInterval;
    }

    /// <summary>What the holder does next.</summary>
    public enum Step
    {
        /// <summary>Nothing held (never taken, released or lost): no renewal, no deadline.</summary>
        Idle,

        /// <summary>Held: wait until <see cref="NextWake"/>.</summary>
        Wait,

        /// <summary>Held and a heartbeat is due: send a renewal now (<see cref="RenewalSent"/>).</summary>
        Renew,

        /// <summary>The deadline passed with no renewal confirmed: the lease is lost, call the lease-lost callback.</summary>
        Lost,
    }

    /// <summary>Whether the lease is held at <paramref name="now"/>: taken, not released, and before its deadline.</summary>
    public bool IsHeld(TimeSpan now) => _deadline is { } deadline && now < deadline;

    /// <summary>The time after which this holder no longer counts the lease as its own; null when it holds none.</summary>
    public TimeSpan? Deadline => _deadline;

    /// <summary>
    /// The server confirmed a take that was sent at <paramref name="sentAt"/>: the lease is held until
    /// <paramref name="sentAt"/> + TTL − heartbeat, and the first renewal is due a heartbeat after it was sent.
    /// </summary>
    public void Taken(TimeSpan sentAt)
    {
        _deadline = sentAt + _timeToLive - _heartbeatInterval;
        _lastSent = sentAt;
        _renewalInFlight = false;
    }

    /// <summary>A renewal went out at <paramref name="now"/> (after <see cref="Next"/> said <see cref="Step.Renew"/>).</summary>
    public void RenewalSent(TimeSpan now)
    {
        _lastSent = now;
        _renewalInFlight = true;
    }

    /// <summary>
    /// The server confirmed the renewal sent at <paramref name="sentAt"/>, answered at <paramref name="now"/>: the deadline
    /// moves to <paramref name="sentAt"/> + TTL − heartbeat, unless the lease was released or lost meanwhile, or the answer
    /// came after the deadline (the holder may already have acted as if lost); false then, and the lease stays lost.
    /// </summary>
    public bool RenewalConfirmed(TimeSpan sentAt, TimeSpan now)
    {
        _renewalInFlight = false;
        if (_deadline is not { } deadline || now >= deadline)
        {
            _deadline = null;
            return false;
        }

        var renewed = sentAt + _timeToLive - _heartbeatInterval;
        _deadline = renewed > deadline ? renewed : deadline;
        return true;
    }

    /// <summary>The renewal could not be confirmed (no answer, an error): retried at the next heartbeat, the deadline kept.</summary>
    public void RenewalFailed() => _renewalInFlight = false;

    /// <summary>The server refused the renewal (the row is no longer this owner's): the lease is lost at once.</summary>
    public void Refused()
    {
        _renewalInFlight = false;
        _deadline = null;
    }

    /// <summary>Released (or given up): nothing held, nothing to renew.</summary>
    public void Released() => Refused();

    /// <summary>
    /// What to do at <paramref name="now"/>: <see cref="Step.Lost"/> once the deadline passed (the lease is then no longer
    /// held), <see cref="Step.Renew"/> a heartbeat after the last renewal was sent when none is in flight,
    /// <see cref="Step.Wait"/> otherwise, <see cref="Step.Idle"/> when nothing is held.
    /// </summary>
    public Step Next(TimeSpan now)
    {
        if (_deadline is not { } deadline)
        {
            return Step.Idle;
        }

        if (now >= deadline)
        {
            _deadline = null;
            return Step.Lost;
        }

        return !_renewalInFlight && now >= _lastSent + _heartbeatInterval ? Step.Renew : Step.Wait;
    }

    /// <summary>
    /// When <see cref="Next"/> next has something to do: the deadline, or the next heartbeat when no renewal is in
    /// flight, whichever comes first; null when nothing is held.
    /// </summary>
    public TimeSpan? NextWake()
    {
        if (_deadline is not { } deadline)
        {
            return null;
        }

        var heartbeat = _lastSent + _heartbeatInterval;
        return !_renewalInFlight && heartbeat < deadline ? heartbeat : deadline;
    }
}
