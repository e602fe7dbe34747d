using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Client;

/// <summary>
/// The scheduler's transport to a Mesos master: one subscription (an event stream) plus calls. The HTTP
/// implementation is <see cref="MesosSchedulerClient"/>; the simulation kit has an in-process one.
/// </summary>
public interface IMesosConnection : IDisposable
{
    /// <summary>
    /// Sends SUBSCRIBE with <paramref name="framework"/> (its <c>id</c> set when re-subscribing) and returns the open
    /// event stream. A refused FrameworkInfo arrives as an ERROR event on the stream.
    /// </summary>
    /// <exception cref="MesosCallException">The master refused the call.</exception>
    /// <exception cref="MesosConnectionException">The master could not be reached.</exception>
    Task<IMesosEventStream> SubscribeAsync(FrameworkInfo framework, CancellationToken ct);

    /// <summary>
    /// Sends one non-SUBSCRIBE call on the current subscription. The call, and every message it holds, must not change
    /// once sent: the HTTP connection has written it by then, and the simulation kit's master keeps it as it is (as
    /// the scheduler keeps the events it reads, which the master no longer changes).
    /// </summary>
    /// <exception cref="MesosCallException">The master refused the call.</exception>
    /// <exception cref="MesosConnectionException">The master could not be reached.</exception>
    Task SendAsync(Call call, CancellationToken ct);
}

/// <summary>One open subscription: the master's events in order. Dispose it to disconnect.</summary>
public interface IMesosEventStream : IAsyncDisposable
{
    /// <summary>The stream id the master assigned to this subscription.</summary>
    string StreamId { get; }

    /// <summary>
    /// Reads the events in order; the sequence ends when the master closes the stream, and a broken stream throws
    /// <see cref="MesosConnectionException"/>. Only one enumeration may run at a time.
    /// </summary>
    IAsyncEnumerable<Event> ReadEventsAsync(CancellationToken ct);
}
