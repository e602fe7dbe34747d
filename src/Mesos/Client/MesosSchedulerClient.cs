using System.Net;
using System.Net.Http.Headers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Client;

/// <summary>
/// HTTP client of the Mesos v1 scheduler API: one streaming SUBSCRIBE connection plus one request per call.
/// Follows 307 redirects to the leading master and remembers it for later calls. Heartbeat watchdog and
/// re-subscription policy are the caller's job. Thread-safe for concurrent <see cref="SendAsync"/>.
/// </summary>
public sealed class MesosSchedulerClient : IMesosConnection
{
    /// <summary>Header carrying the subscription's stream id.</summary>
    public const string StreamIdHeader = "Mesos-Stream-Id";

    private const string SchedulerPath = "api/v1/scheduler";

    private readonly HttpClient _http;
    private readonly MesosClientOptions _options;
    private readonly object _gate = new();
    private Uri _masterUrl;
    private string? _streamId;
    private FrameworkID? _frameworkId;

    public MesosSchedulerClient(Uri masterUrl, MesosClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(masterUrl);
        if (!masterUrl.IsAbsoluteUri || (masterUrl.Scheme != Uri.UriSchemeHttp && masterUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Mesos master URL '{masterUrl}' must be an absolute http(s) URL", nameof(masterUrl));
        }

        _options = options ?? new MesosClientOptions();
        _masterUrl = NormalizeBase(masterUrl);
        var handler = _options.HttpMessageHandler
            ?? new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(10) };
        _http = new HttpClient(handler, disposeHandler: _options.HttpMessageHandler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The master in use: the configured one, or the leader a 307 redirect pointed at.</summary>
    public Uri MasterUrl
    {
        get
        {
            lock (_gate)
            {
                return _masterUrl;
            }
        }
    }

    /// <summary>The stream id of the latest successful SUBSCRIBE, sent with every later call.</summary>
    public string? StreamId
    {
        get
        {
            lock (_gate)
            {
                return _streamId;
            }
        }
    }

    /// <summary>The framework id from the latest SUBSCRIBED event read through a subscription, if any.</summary>
    public FrameworkID? FrameworkId
    {
        get
        {
            lock (_gate)
            {
                return _frameworkId;
            }
        }
    }

    /// <summary>
    /// Sends SUBSCRIBE and returns once the master answered <c>200</c> with its headers; events are read from
    /// the returned subscription. <c>Call.framework_id</c> is set from <c>framework.id</c> when present
    /// (re-subscription). A refused FrameworkInfo arrives as an ERROR event on the stream.
    /// </summary>
    /// <exception cref="MesosCallException">The master answered with another status.</exception>
    /// <exception cref="MesosConnectionException">Transport failure or timeout.</exception>
    public async Task<MesosSubscription> SubscribeAsync(FrameworkInfo framework, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(framework);
        var call = new Call
        {
            Type = Call.Types.Type.Subscribe,
            Subscribe = new Call.Types.Subscribe { FrameworkInfo = framework.Clone() },
        };
        if (framework.Id is not null)
        {
            call.FrameworkId = framework.Id.Clone();
        }

        var body = MesosCodec.Encode(call, _options.ContentType);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.RequestTimeout);
        var response = await SendWithRedirectsAsync(body, streamId: null, subscribe: true, timeout.Token, ct).ConfigureAwait(false);
        try
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var text = await ReadBodyAsync(response, timeout.Token).ConfigureAwait(false);
                throw new MesosCallException((int)response.StatusCode, text);
            }

            if (!response.Headers.TryGetValues(StreamIdHeader, out var values) || values.FirstOrDefault() is not { Length: > 0 } streamId)
            {
                throw new MesosConnectionException($"SUBSCRIBE response from {MasterUrl} has no {StreamIdHeader} header");
            }

            var contentType = _options.ContentType;
            if (MesosCodec.TryParseMediaType(response.Content.Headers.ContentType?.MediaType, out var answered))
            {
                contentType = answered;
            }

            Stream stream;
            try
            {
                stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new MesosConnectionException($"Reading the event stream of {MasterUrl} failed: {e.Message}", e);
            }

            lock (_gate)
            {
                _streamId = streamId;
            }

            return new MesosSubscription(response, stream, streamId, contentType, OnSubscribed, _options.RequestTimeout);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends one non-SUBSCRIBE call with the current <c>Mesos-Stream-Id</c>. When <c>framework_id</c> is unset
    /// and a SUBSCRIBED event was seen, a copy of the call with that id is sent.
    /// </summary>
    /// <exception cref="MesosCallException">The master answered with a non-2xx status.</exception>
    /// <exception cref="MesosConnectionException">Transport failure or timeout.</exception>
    public async Task SendAsync(Call call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Type == Call.Types.Type.Subscribe)
        {
            throw new ArgumentException("SUBSCRIBE must be sent with SubscribeAsync", nameof(call));
        }

        var known = FrameworkId;
        if (call.FrameworkId is null && known is not null)
        {
            call = call.Clone();
            call.FrameworkId = known.Clone();
        }

        var body = MesosCodec.Encode(call, _options.ContentType);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.RequestTimeout);
        using var response = await SendWithRedirectsAsync(body, StreamId, subscribe: false, timeout.Token, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await ReadBodyAsync(response, timeout.Token).ConfigureAwait(false);
            throw new MesosCallException((int)response.StatusCode, text);
        }
    }

    async Task<IMesosEventStream> IMesosConnection.SubscribeAsync(FrameworkInfo framework, CancellationToken ct) =>
        await SubscribeAsync(framework, ct).ConfigureAwait(false);

    public void Dispose()
    {
        _http.Dispose();
    }

    private static Uri NormalizeBase(Uri url)
    {
        var builder = new UriBuilder(url) { Query = string.Empty, Fragment = string.Empty };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        return builder.Uri;
    }

    private void OnSubscribed(FrameworkID frameworkId)
    {
        lock (_gate)
        {
            _frameworkId = frameworkId;
        }
    }

    private async Task<HttpResponseMessage> SendWithRedirectsAsync(
        byte[] body, string? streamId, bool subscribe, CancellationToken token, CancellationToken callerToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var endpoint = new Uri(MasterUrl, SchedulerPath);
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(MesosCodec.MediaType(_options.ContentType));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MesosCodec.MediaType(_options.ContentType)));
            if (streamId is not null)
            {
                request.Headers.TryAddWithoutValidation(StreamIdHeader, streamId);
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(
                    request,
                    subscribe ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead,
                    token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!callerToken.IsCancellationRequested)
            {
                throw new MesosConnectionException($"Request to {endpoint} timed out after {_options.RequestTimeout}", e);
            }
            catch (HttpRequestException e)
            {
                throw new MesosConnectionException($"Request to {endpoint} failed: {e.Message}", e);
            }

            if (response.StatusCode != HttpStatusCode.TemporaryRedirect)
            {
                return response;
            }

            using (response)
            {
                if (attempt >= _options.MaxRedirects)
                {
                    throw new MesosConnectionException($"Too many redirects from {endpoint} (limit {_options.MaxRedirects})");
                }

                var location = response.Headers.TryGetValues("Location", out var values) ? values.FirstOrDefault() : null;
                if (string.IsNullOrEmpty(location))
                {
                    throw new MesosConnectionException($"307 from {endpoint} has no Location header");
                }

                FollowRedirect(endpoint, location);
            }
        }
    }

    private void FollowRedirect(Uri endpoint, string location)
    {
        Uri target;
        if (location.StartsWith("//", StringComparison.Ordinal))
        {
            // Protocol-relative: keep our scheme.
            target = new Uri(endpoint.Scheme + ":" + location);
        }
        else if (!Uri.TryCreate(location, UriKind.Absolute, out target!))
        {
            target = new Uri(endpoint, location);
        }

        lock (_gate)
        {
            // Keep scheme and path, swap host and port (like mesos-go).
            _masterUrl = new UriBuilder(_masterUrl) { Host = target.Host, Port = target.Port }.Uri;
        }
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return string.Empty;
        }
    }
}
