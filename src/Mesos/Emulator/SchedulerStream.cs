using System.Threading.Channels;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// One SUBSCRIBE connection: the master loop writes events into it, the HTTP handler drains them onto the
/// wire as RecordIO. Completing the channel closes the HTTP response.
/// </summary>
internal sealed class SchedulerStream
{
    private readonly Channel<Event> _events = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });

    public SchedulerStream(MesosContentType contentType)
    {
        ContentType = contentType;
    }

    public string StreamId { get; } = Guid.NewGuid().ToString();

    public MesosContentType ContentType { get; }

    /// <summary>Set once the master accepted the subscription.</summary>
    public string? FrameworkId { get; set; }

    public DateTimeOffset NextHeartbeat { get; set; }

    public ChannelReader<Event> Events => _events.Reader;

    public bool IsClosed { get; private set; }

    /// <summary>A stalled stream stays open but carries nothing more (a hung connection; fault injection).</summary>
    public bool IsStalled { get; private set; }

    public void Send(Event evt)
    {
        if (!IsClosed && !IsStalled)
        {
            _events.Writer.TryWrite(evt);
        }
    }

    /// <summary>From now on events are swallowed; the connection stays open until either side closes it.</summary>
    public void Stall() => IsStalled = true;

    public void Close()
    {
        IsClosed = true;
        _events.Writer.TryComplete();
    }
}
