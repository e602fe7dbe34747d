using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Tests.Support;

/// <summary>
/// A scheduler connection over a plain <see cref="HttpClient"/>, not our client: JSON calls with explicit headers,
/// the SUBSCRIBE response read as RecordIO. Conformance tests use it to see exactly what goes over the wire.
/// </summary>
internal sealed class RawSchedulerConnection : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _stream;
    private readonly RecordIoReader _reader;

    private RawSchedulerConnection(Uri endpoint, HttpClient http, HttpResponseMessage stream, RecordIoReader reader)
    {
        Endpoint = endpoint;
        _http = http;
        _stream = stream;
        _reader = reader;
        StreamId = stream.Headers.GetValues("Mesos-Stream-Id").Single();
    }

    public Uri Endpoint { get; }

    public string StreamId { get; }

    /// <summary>POSTs SUBSCRIBE as JSON and opens the event stream (JSON events).</summary>
    public static async Task<RawSchedulerConnection> SubscribeAsync(Uri master, Call subscribe)
    {
        var endpoint = new Uri(master, "api/v1/scheduler");
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var response = await http.SendAsync(Request(endpoint, subscribe, streamId: null), HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            response.Dispose();
            http.Dispose();
            throw new InvalidOperationException($"SUBSCRIBE answered {(int)response.StatusCode}: {body}");
        }

        return new RawSchedulerConnection(endpoint, http, response, new RecordIoReader(await response.Content.ReadAsStreamAsync()));
    }

    public async IAsyncEnumerable<Event> ReadEventsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        while (await _reader.ReadAsync(ct) is { } record)
        {
            yield return MesosCodec.Decode<Event>(record, MesosContentType.Json);
        }
    }

    /// <summary>POSTs a call as JSON with this stream's id; the caller reads and disposes the response.</summary>
    public async Task<HttpResponseMessage> PostAsync(Call call)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _http.SendAsync(Request(Endpoint, call, StreamId), timeout.Token);
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private static HttpRequestMessage Request(Uri endpoint, Call call, string? streamId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(MesosCodec.Encode(call, MesosContentType.Json)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(MesosCodec.JsonMediaType);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MesosCodec.JsonMediaType));
        if (streamId is not null)
        {
            request.Headers.Add("Mesos-Stream-Id", streamId);
        }

        return request;
    }
}
