using System.Runtime.CompilerServices;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Client;

/// <summary>
/// One open SUBSCRIBE stream. Dispose it to close the connection (the master then treats the framework as
/// disconnected and starts its failover timeout).
/// </summary>
public sealed class MesosSubscription : IMesosEventStream
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _stream;
    private readonly MesosContentType _contentType;
    private readonly Action<FrameworkID> _onSubscribed;
    private readonly TimeSpan _firstEventTimeout;
    private int _reading;

    /// <param name="firstEventTimeout">How long the first event may take: a master sends SUBSCRIBED at once, and the
    /// heartbeat watchdog only starts with it, so a server that answers 200 and then nothing would be waited for ever.</param>
    internal MesosSubscription(
        HttpResponseMessage response, Stream stream, string streamId, MesosContentType contentType, Action<FrameworkID> onSubscribed,
        TimeSpan firstEventTimeout)
    {
        _response = response;
        _stream = stream;
        StreamId = streamId;
        _contentType = contentType;
        _onSubscribed = onSubscribed;
        _firstEventTimeout = firstEventTimeout;
    }

    /// <summary>The <c>Mesos-Stream-Id</c> the master assigned to this subscription.</summary>
    public string StreamId { get; }

    /// <summary>The encoding of the events on this stream.</summary>
    public MesosContentType ContentType => _contentType;

    /// <summary>
    /// Reads the events in order. The sequence ends when the master closes the stream cleanly between
    /// records (e.g. after an ERROR event); a broken connection or a malformed record throws
    /// <see cref="MesosConnectionException"/>. Only one enumeration may run at a time.
    /// </summary>
    public async IAsyncEnumerable<Event> ReadEventsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("The event stream is already being read");
        }

        try
        {
            var reader = new RecordIoReader(_stream);
            using var firstEvent = CancellationTokenSource.CreateLinkedTokenSource(ct);
            firstEvent.CancelAfter(_firstEventTimeout);
            var first = true;
            while (true)
            {
                byte[]? record;
                try
                {
                    record = await reader.ReadAsync(first ? firstEvent.Token : ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException e) when (first && firstEvent.IsCancellationRequested)
                {
                    throw new MesosConnectionException(
                        $"Event stream {StreamId} sent no event within {_firstEventTimeout.TotalSeconds:0.###} s of SUBSCRIBE (a Mesos master sends SUBSCRIBED at once): is that the address of a Mesos master?",
                        e);
                }
                catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException or OperationCanceledException)
                {
                    throw new MesosConnectionException($"Event stream {StreamId} broke: {e.Message}", e);
                }

                if (record is null)
                {
                    yield break;
                }

                first = false;

                Event evt;
                try
                {
                    evt = MesosCodec.Decode<Event>(record, _contentType);
                }
                catch (MesosDecodeException e)
                {
                    throw new MesosConnectionException($"Event stream {StreamId} carried an undecodable event: {e.Message}", e);
                }

                if (evt.Type == Event.Types.Type.Subscribed && evt.Subscribed?.FrameworkId is { } id)
                {
                    _onSubscribed(id);
                }

                yield return evt;
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
    }
}
