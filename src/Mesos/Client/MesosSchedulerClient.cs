using System.Net;
using System.Net.Http.Headers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Client;

public sealed class MesosClientOptions
{
    public MesosContentType ContentType { get; init; } = MesosContentType.Protobuf;

    /// <summary>Timeout of every call but SUBSCRIBE (whose stream lives on).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>For tests: a handler to send requests through.</summary>
    public HttpMessageHandler? Handler { get; init; }
}

/// <summary>A call the master refused with a non-2xx status.</summary>
public sealed class MesosCallException(int statusCode, string body)
    : Exception($"Mesos master answered {statusCode}: {body}")
{
    public int StatusCode { get; } = statusCode;

    public string Body { get; } = body;
}

/// <summary>The master could not be reached, or the subscription stream broke.</summary>
public sealed class MesosConnectionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Client of the Mesos v1 scheduler HTTP API: SUBSCRIBE (a RecordIO event stream) and every other call as its own
/// request carrying <c>Mesos-Stream-Id</c>. Follows 307 redirects to the leading master (protocol-relative
/// <c>Location</c>) and remembers it.
/// </summary>
public sealed class MesosSchedulerClient : IDisposable
{
    private const int MaxRedirects = 9;
    private readonly MesosClientOptions _options;
    private readonly HttpClient _calls;
    private readonly HttpClient _stream;

    public MesosSchedulerClient(Uri masterUrl, MesosClientOptions? options = null)
    {
        _options = options ?? new MesosClientOptions();
        MasterUrl = masterUrl;
        _calls = Create(_options.RequestTimeout);
        _stream = Create(Timeout.InfiniteTimeSpan);
    }

    public Uri MasterUrl { get; private set; }

    public string? StreamId { get; private set; }

    public async Task<MesosSubscription> SubscribeAsync(FrameworkInfo framework, CancellationToken ct)
    {
        var call = new Call { Type = Call.Types.Type.Subscribe, Subscribe = new Call.Types.Subscribe { FrameworkInfo = framework } };
        if (framework.Id is not null)
        {
            call.FrameworkId = framework.Id;
        }

        var response = await SendAsync(_stream, call, subscribe: true, ct);
        if (!response.Headers.TryGetValues("Mesos-Stream-Id", out var ids))
        {
            response.Dispose();
            throw new MesosConnectionException("SUBSCRIBE answered without a Mesos-Stream-Id header");
        }

        StreamId = ids.First();
        var contentType = response.Content.Headers.ContentType?.MediaType == MesosCodec.JsonMediaType ? MesosContentType.Json : MesosContentType.Protobuf;
        var body = await response.Content.ReadAsStreamAsync(ct);
        return new MesosSubscription(StreamId, response, body, contentType);
    }

    public async Task SendAsync(Call call, CancellationToken ct)
    {
        using var response = await SendAsync(_calls, call, subscribe: false, ct);
    }

    public void Dispose()
    {
        _calls.Dispose();
        _stream.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, Call call, bool subscribe, CancellationToken ct)
    {
        var body = MesosCodec.Encode(call, _options.ContentType);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(MasterUrl, "api/v1/scheduler"))
            {
                Content = new ByteArrayContent(body),
            };

            // Exactly the media type, no charset: a real master answers 415 to "application/json; charset=utf-8".
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(MesosCodec.MediaType(_options.ContentType));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MesosCodec.MediaType(_options.ContentType)));
            if (!subscribe && StreamId is not null)
            {
                request.Headers.Add("Mesos-Stream-Id", StreamId);
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, subscribe ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, ct);
            }
            catch (HttpRequestException e)
            {
                throw new MesosConnectionException($"cannot reach the Mesos master at {MasterUrl}: {e.Message}", e);
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new MesosConnectionException($"the Mesos master at {MasterUrl} did not answer in time", e);
            }

            if (response.StatusCode == HttpStatusCode.TemporaryRedirect && response.Headers.Location is { } location && attempt < MaxRedirects)
            {
                MasterUrl = Leader(location);
                response.Dispose();
                continue;
            }

            if ((int)response.StatusCode is >= 200 and < 300)
            {
                return response;
            }

            var text = await response.Content.ReadAsStringAsync(ct);
            response.Dispose();
            throw new MesosCallException((int)response.StatusCode, text);
        }
    }

    /// <summary>The master answers with a protocol-relative <c>//host:port/…</c>: keep our scheme, take its host and port.</summary>
    private Uri Leader(Uri location)
    {
        var text = location.OriginalString;
        var authority = text.StartsWith("//", StringComparison.Ordinal) ? text[2..].Split('/')[0] : location.IsAbsoluteUri ? location.Authority : MasterUrl.Authority;
        return new UriBuilder(MasterUrl) { Host = authority.Split(':')[0], Port = authority.Contains(':') ? int.Parse(authority.Split(':')[1]) : MasterUrl.Port }.Uri;
    }

    private HttpClient Create(TimeSpan timeout)
    {
        var handler = _options.Handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        return new HttpClient(handler, disposeHandler: _options.Handler is null) { Timeout = timeout };
    }
}

/// <summary>An open SUBSCRIBE stream.</summary>
public sealed class MesosSubscription : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly MesosContentType _contentType;

    internal MesosSubscription(string streamId, HttpResponseMessage response, Stream body, MesosContentType contentType)
    {
        StreamId = streamId;
        _response = response;
        _body = body;
        _contentType = contentType;
    }

    public string StreamId { get; }

    public async IAsyncEnumerable<Event> ReadEventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var reader = new RecordIoReader(_body);
        while (true)
        {
            byte[]? record;
            try
            {
                record = await reader.ReadAsync(ct);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or HttpRequestException)
            {
                throw new MesosConnectionException($"subscription stream broke: {e.Message}", e);
            }

            if (record is null)
            {
                yield break;
            }

            yield return MesosCodec.Decode<Event>(record, _contentType);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync();
        _response.Dispose();
    }
}
