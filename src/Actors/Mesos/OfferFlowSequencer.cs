using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Actors.Mesos;

/// <summary>
/// Keeps SUPPRESS and REVIVE in order, and REVIVEs within a budget. Each is its own HTTP request, and two requests in
/// flight may reach the master in either order: a SUPPRESS landing after the REVIVE that followed it would leave
/// pending work without offers. So one goes out at a time; what is asked meanwhile waits, and only the latest wish
/// counts. Each REVIVE clears the framework's filters and makes the master allocate again, so a service whose work keeps
/// coming back (pods failing and relaunching, offers declined in between) could send one every few milliseconds — the
/// revive storms that slowed masters with many frameworks. REVIVEs therefore spend tokens of a bucket
/// (<see cref="GatewaySettings.ReviveBurst"/> at most, one back every <see cref="GatewaySettings.ReviveRefill"/>): a
/// REVIVE asked for when the bucket is empty waits for the next token (<see cref="ReviveWait"/>), folded with any
/// asked for meanwhile. SUPPRESS costs nothing. Nor may a REVIVE overtake a DECLINE sent before it: a DECLINE the master
/// applies after the REVIVE installs its filter (up to an hour) after the REVIVE cleared the filters, so a REVIVE taken
/// while DECLINEs are in flight goes out once every one of them is answered (<see cref="DeclineCompleted"/>); DECLINEs
/// sent after it are not waited for. Pure: the gateway passes the time, from a monotonic clock (a wall clock set back
/// would hold the tokens back as long).
/// </summary>
internal sealed class OfferFlowSequencer
{
    private readonly int _burst;
    private readonly TimeSpan _refill;
    private double _tokens;
    private TimeSpan? _refilledAt;
    private bool _inFlight;
    private Call.Types.Type? _next;

    // An UPDATE_FRAMEWORK waits for the call in flight (it goes before any SUPPRESS or REVIVE asked meanwhile).
    private bool _updateWaiting;

    // DECLINEs sent and not answered yet, counted by epoch: those of the current one, and those of the epoch before,
    // sent before the REVIVE that waits for them (_reviveAwaitsDeclines; it counts as in flight meanwhile).
    private int _declineEpoch;
    private int _declinesInFlight;
    private int _declinesBeforeRevive;
    private bool _reviveAwaitsDeclines;

    public OfferFlowSequencer(int reviveBurst, TimeSpan reviveRefill)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(reviveBurst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(reviveRefill, TimeSpan.Zero);
        _burst = reviveBurst;
        _refill = reviveRefill;
        _tokens = reviveBurst;
    }

    /// <summary>Asks for SUPPRESS or REVIVE; returns the call to send now, or null when it must wait.</summary>
    public Call.Types.Type? Request(Call.Types.Type type, TimeSpan now)
    {
        _next = type;
        return _inFlight ? null : TakeNext(now);
    }

    /// <summary>
    /// Asks for UPDATE_FRAMEWORK, which names the roles the framework keeps suppressed: it must neither overtake nor be
    /// overtaken by a SUPPRESS or REVIVE (landing after a REVIVE it would suppress again what the REVIVE woke), so it
    /// takes its turn like them. True: send it now; false: it goes next, returned by <see cref="Completed"/>. It is
    /// never folded away, and costs no revive token.
    /// </summary>
    public bool RequestUpdate()
    {
        if (_inFlight)
        {
            _updateWaiting = true;
            return false;
        }

        _inFlight = true;
        return true;
    }

    /// <summary>The call in flight was answered (or failed); returns the call to send next, if one may go now.</summary>
    public Call.Types.Type? Completed(TimeSpan now)
    {
        _inFlight = false;
        if (_updateWaiting)
        {
            _updateWaiting = false;
            _inFlight = true;
            return Call.Types.Type.UpdateFramework;
        }

        return TakeNext(now);
    }

    /// <summary>A token may be back (<see cref="ReviveWait"/> passed): returns the REVIVE to send, if it may go now.</summary>
    public Call.Types.Type? TokenDue(TimeSpan now) => _inFlight ? null : TakeNext(now);

    /// <summary>How long the REVIVE that waits (for a token, nothing in flight) must still wait; null when none does.</summary>
    public TimeSpan? ReviveWait(TimeSpan now)
    {
        if (_inFlight || _next != Call.Types.Type.Revive)
        {
            return null;
        }

        Refill(now);
        return _tokens >= 1 ? TimeSpan.Zero : _refill * (1 - _tokens);
    }

    /// <summary>A DECLINE goes out; returns the token to give <see cref="DeclineCompleted"/> once it is answered.</summary>
    public int DeclineSent()
    {
        _declinesInFlight++;
        return _declineEpoch;
    }

    /// <summary>
    /// The DECLINE sent with <paramref name="token"/> was answered (or failed); returns the REVIVE to send now, if it
    /// waited for this one last.
    /// </summary>
    public Call.Types.Type? DeclineCompleted(int token)
    {
        if (token == _declineEpoch)
        {
            _declinesInFlight--;
        }
        else if (_reviveAwaitsDeclines && token == _declineEpoch - 1 && --_declinesBeforeRevive == 0)
        {
            _reviveAwaitsDeclines = false;
            return Call.Types.Type.Revive;
        }

        return null;
    }

    /// <summary>
    /// The subscription is gone: nothing is in flight any more, and nothing waits (the budget stays spent); DECLINEs in
    /// flight are forgotten, and so is a waiting UPDATE_FRAMEWORK (the next SUBSCRIBE carries the roles). Returns the
    /// SUPPRESS or REVIVE that waited, dropped unsent, if any.
    /// </summary>
    public Call.Types.Type? Reset()
    {
        var dropped = _next ?? (_reviveAwaitsDeclines ? Call.Types.Type.Revive : null);
        _inFlight = false;
        _updateWaiting = false;
        _next = null;
        _declineEpoch++;
        _declinesInFlight = 0;
        _declinesBeforeRevive = 0;
        _reviveAwaitsDeclines = false;
        return dropped;
    }

    private Call.Types.Type? TakeNext(TimeSpan now)
    {
        if (_next is not { } next)
        {
            return null;
        }

        if (next == Call.Types.Type.Revive)
        {
            Refill(now);
            if (_tokens < 1)
            {
                return null;
            }

            _tokens--;
        }

        _next = null;
        _inFlight = true;
        if (next == Call.Types.Type.Revive && _declinesInFlight > 0)
        {
            // Taken, but sent once the DECLINEs already out are answered.
            _declinesBeforeRevive = _declinesInFlight;
            _declinesInFlight = 0;
            _declineEpoch++;
            _reviveAwaitsDeclines = true;
            return null;
        }

        return next;
    }

    private void Refill(TimeSpan now)
    {
        if (_refilledAt is { } last && now > last)
        {
            _tokens = Math.Min(_burst, _tokens + (now - last) / _refill);
        }

        if (_refilledAt is null || now > _refilledAt)
        {
            _refilledAt = now;
        }
    }
}
