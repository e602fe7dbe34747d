using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Mesos.Client;
using Akka.Actor;
using Akka.TestKit;

namespace ActorScheduler.Actors.Tests.Mesos;

/// <summary>
/// A master that says SUBSCRIBED on each subscription and answers each call with <see cref="Answer"/>; every call is
/// also told to the probe given, as it is sent.
/// </summary>
internal sealed class FakeMesosConnection(TestProbe calls) : IMesosConnection
{
    /// <summary>Told every call as it is sent.</summary>
    public TestProbe Calls { get; } = calls;

    private Channel<Event>? _stream;

    public Func<Call, Task> Answer { get; set; } = _ => Task.CompletedTask;

    /// <summary>When set, what the next SUBSCRIBE returns instead of a fresh stream.</summary>
    public Task<IMesosEventStream>? NextSubscription { get; set; }

    public System.Collections.Concurrent.ConcurrentQueue<Call> Sent { get; } = new();

    public Task<IMesosEventStream> SubscribeAsync(FrameworkInfo framework, CancellationToken ct)
    {
        if (NextSubscription is { } next)
        {
            return next;
        }

        _stream = Channel.CreateUnbounded<Event>();
        _stream.Writer.TryWrite(new Event
        {
            Type = Event.Types.Type.Subscribed,
            Subscribed = new Event.Types.Subscribed { FrameworkId = new FrameworkID { Value = "fw-1" }, HeartbeatIntervalSeconds = 15 },
        });
        return Task.FromResult<IMesosEventStream>(new Stream(_stream.Reader));
    }

    public Task SendAsync(Call call, CancellationToken ct)
    {
        Sent.Enqueue(call);
        Calls.Ref.Tell(call);
        return Answer(call);
    }

    /// <summary>The master sends <paramref name="e"/> on the current subscription's stream (offers, a rescind, an update).</summary>
    public void Push(Event e) => _stream!.Writer.TryWrite(e);

    /// <summary>The master closes the current subscription's stream.</summary>
    public void EndStream() => _stream!.Writer.TryComplete();

    public void Dispose()
    {
    }

    private sealed class Stream(ChannelReader<Event> events) : IMesosEventStream
    {
        public string StreamId => "stream-1";

        public async IAsyncEnumerable<Event> ReadEventsAsync([EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var e in events.ReadAllAsync(ct))
            {
                yield return e;
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
