using System.Text.Json;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Emulator.Faults;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// The HTTP transport of the emulator: <c>POST /api/v1/scheduler</c> with the master's checks in the
/// master's order (method, Content-Type, body, Call validation, Accept, stream id), RecordIO streaming of
/// SUBSCRIBE responses, and <c>GET /</c> with a JSON status. State lives in <see cref="Master"/>, reached
/// only through the <see cref="SerialQueue"/>.
/// </summary>
internal sealed class SchedulerHttpHandler
{
    public const string SchedulerPath = "/api/v1/scheduler";

    private static readonly JsonSerializerOptions StatusJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    private readonly SerialQueue _queue;
    private readonly Func<Master?> _master;
    private readonly Func<Uri> _url;
    private readonly FaultHttpHandler _faults;

    public SchedulerHttpHandler(SerialQueue queue, Func<Master?> master, Func<Uri> url, FaultHttpHandler faults)
    {
        _queue = queue;
        _master = master;
        _url = url;
        _faults = faults;
    }

    public Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path == SchedulerPath)
        {
            return SchedulerAsync(context);
        }

        if (path is "/" or "/state" && HttpMethods.IsGet(context.Request.Method))
        {
            return StatusAsync(context);
        }

        if (path == FaultHttpHandler.Prefix || path.StartsWith(FaultHttpHandler.Prefix + "/", StringComparison.Ordinal))
        {
            return _faults.HandleAsync(context);
        }

        return TextAsync(context, StatusCodes.Status404NotFound, $"No endpoint at {path}; the scheduler API is POST {SchedulerPath}");
    }

    private async Task StatusAsync(HttpContext context)
    {
        var master = _master();
        if (master is null)
        {
            await TextAsync(context, StatusCodes.Status503ServiceUnavailable, "Master is recovering").ConfigureAwait(false);
            return;
        }

        EmulatorSnapshot snapshot;
        try
        {
            snapshot = await _queue.InvokeAsync(() => master.Snapshot(_url())).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            await TextAsync(context, StatusCodes.Status503ServiceUnavailable, "Master is shutting down").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = MesosCodec.JsonMediaType;
        await JsonSerializer.SerializeAsync(context.Response.Body, snapshot, StatusJson, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task SchedulerAsync(HttpContext context)
    {
        var request = context.Request;
        var master = _master();
        if (master is null)
        {
            await TextAsync(context, StatusCodes.Status503ServiceUnavailable, "Master is recovering").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await TextAsync(context, StatusCodes.Status405MethodNotAllowed, $"Expecting one of {{ 'POST' }}, but received '{request.Method}'").ConfigureAwait(false);
            return;
        }

        var contentTypeHeader = request.Headers.ContentType.ToString();
        if (string.IsNullOrEmpty(contentTypeHeader))
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, "Expecting 'Content-Type' to be present").ConfigureAwait(false);
            return;
        }

        if (!MesosCodec.TryParseMediaType(contentTypeHeader, out var contentType))
        {
            await TextAsync(context, StatusCodes.Status415UnsupportedMediaType,
                $"Expecting 'Content-Type' of {MesosCodec.JsonMediaType} or {MesosCodec.ProtobufMediaType}").ConfigureAwait(false);
            return;
        }

        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }

        Call call;
        try
        {
            call = MesosCodec.Decode<Call>(body, contentType);
        }
        catch (MesosDecodeException e)
        {
            var what = contentType == MesosContentType.Json ? "JSON" : "Call protobuf";
            await TextAsync(context, StatusCodes.Status400BadRequest, $"Failed to parse body into {what}: {e.InnerException?.Message ?? e.Message}").ConfigureAwait(false);
            return;
        }

        if (!call.IsInitialized())
        {
            var what = contentType == MesosContentType.Json ? "JSON" : "Call protobuf";
            await TextAsync(context, StatusCodes.Status400BadRequest, $"Failed to parse body into {what}: missing required fields").ConfigureAwait(false);
            return;
        }

        if (CallValidator.Validate(call) is { } invalid)
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, $"Failed to validate scheduler::Call: {invalid}").ConfigureAwait(false);
            return;
        }

        var streamId = request.Headers[MesosSchedulerClient.StreamIdHeader].ToString();
        if (call.Type == Call.Types.Type.Subscribe)
        {
            await SubscribeAsync(context, master, call, string.IsNullOrEmpty(streamId) ? null : streamId).ConfigureAwait(false);
            return;
        }

        CallResult result;
        try
        {
            result = await _queue.InvokeAsync(() => master.Handle(call, string.IsNullOrEmpty(streamId) ? null : streamId)).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            result = new CallResult(StatusCodes.Status503ServiceUnavailable, "Master is shutting down");
        }

        await TextAsync(context, result.StatusCode, result.Body).ConfigureAwait(false);
    }

    private async Task SubscribeAsync(HttpContext context, Master master, Call call, string? streamIdHeader)
    {
        var eventType = NegotiateAccept(context.Request);
        if (eventType is null)
        {
            await TextAsync(context, StatusCodes.Status406NotAcceptable,
                $"Expecting 'Accept' to allow '{MesosCodec.JsonMediaType}' or '{MesosCodec.ProtobufMediaType}'").ConfigureAwait(false);
            return;
        }

        if (streamIdHeader is not null)
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, "Subscribe calls should not include the 'Mesos-Stream-Id' header").ConfigureAwait(false);
            return;
        }

        var stream = new SchedulerStream(eventType.Value);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MesosCodec.MediaType(eventType.Value);
        response.Headers[MesosSchedulerClient.StreamIdHeader] = stream.StreamId;
        response.Headers.CacheControl = "no-cache";
        if (!_queue.Post(() => master.Subscribe(call, stream)))
        {
            await TextAsync(context, StatusCodes.Status503ServiceUnavailable, "Master is shutting down").ConfigureAwait(false);
            return;
        }

        try
        {
            await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            var writer = new RecordIoWriter(response.Body);
            await foreach (var evt in stream.Events.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
            {
                await writer.WriteAsync(MesosCodec.Encode(evt, stream.ContentType), context.RequestAborted).ConfigureAwait(false);
                await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The scheduler went away.
        }
        finally
        {
            _queue.Post(() => master.Disconnected(stream));
        }
    }

    /// <summary>JSON if Accept allows it (a missing Accept allows anything), else protobuf if allowed, else null.</summary>
    private static MesosContentType? NegotiateAccept(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0 || string.IsNullOrWhiteSpace(accept.ToString()))
        {
            return MesosContentType.Json;
        }

        if (!MediaTypeHeaderValue.TryParseList(accept, out var ranges))
        {
            return null;
        }

        if (Allows(ranges, MesosCodec.JsonMediaType))
        {
            return MesosContentType.Json;
        }

        return Allows(ranges, MesosCodec.ProtobufMediaType) ? MesosContentType.Protobuf : null;
    }

    private static bool Allows(IList<MediaTypeHeaderValue> ranges, string mediaType)
    {
        var candidate = new MediaTypeHeaderValue(mediaType);
        return ranges.Any(r => (r.Quality ?? 1.0) > 0 && candidate.IsSubsetOf(r));
    }

    private static async Task TextAsync(HttpContext context, int statusCode, string body)
    {
        context.Response.StatusCode = statusCode;
        if (!string.IsNullOrEmpty(body))
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
