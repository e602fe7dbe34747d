using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Actors.Mesos;

/// <summary>
/// Keeps SUPPRESS and REVIVE in order. Each is its own HTTP request, and two requests in flight may reach the master in
/// either order: a SUPPRESS landing after the REVIVE that followed it would leave pending work without offers. So one
/// goes out at a time; what is asked meanwhile waits, and only the latest wish counts.
/// </summary>
internal sealed class OfferFlowSequencer
{
    private bool _inFlight;
    private Call.Types.Type? _next;

    /// <summary>Asks for SUPPRESS or REVIVE; returns the call to send now, or null when it must wait.</summary>
    public Call.Types.Type? Request(Call.Types.Type type)
    {
        if (_inFlight)
        {
            _next = type;
            return null;
        }

        _inFlight = true;
        return type;
    }

    /// <summary>The call in flight was answered (or failed); returns the call to send next, if one waits.</summary>
    public Call.Types.Type? Completed()
    {
        _inFlight = false;
        if (_next is not { } next)
        {
            return null;
        }

        _next = null;
        _inFlight = true;
        return next;
    }

    /// <summary>The subscription is gone: nothing is in flight any more, and nothing waits.</summary>
    public void Reset()
    {
        _inFlight = false;
        _next = null;
    }
}
