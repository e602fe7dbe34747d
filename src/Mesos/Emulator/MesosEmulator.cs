using System.Net;
using System.Text.Json;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// A Mesos master emulator serving the v1 scheduler API on Kestrel, with local agents that run tasks as real
/// processes. The transport follows the master's rules: exact content types, Accept negotiation, the order of
/// its checks and status codes, <c>Mesos-Stream-Id</c>, chunked RecordIO event streams.
/// </summary>
public sealed class MesosEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Master _master;
    private readonly MesosEmulatorOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loops = Task.CompletedTask;

    private MesosEmulator(WebApplication app, Master master, MesosEmulatorOptions options)
    {
        _app = app;
        _master = master;
        _options = options;
    }

    public Uri Url { get; private set; } = null!;

    public static async Task<MesosEmulator> StartAsync(MesosEmulatorOptions options, CancellationToken ct = default)
    {
        try
        {
            Directory.CreateDirectory(options.DataDir);
            var probe = Path.Combine(options.DataDir, $".write-probe-{Environment.ProcessId}");
            await File.WriteAllTextAsync(probe, string.Empty, ct);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MesosEmulatorException($"data dir '{options.DataDir}' is not writable: {e.Message}", e);
        }

        Master master;
        try
        {
            master = new Master(options, TimeProvider.System);
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or InvalidProtocolBufferException)
        {
            throw new MesosEmulatorException($"cannot recover the agents in '{options.DataDir}': {e.Message}", e);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        var app = builder.Build();
        var emulator = new MesosEmulator(app, master, options);
        app.MapPost("/api/v1/scheduler", emulator.SchedulerAsync);
        app.MapMethods("/api/v1/scheduler", ["GET", "PUT", "DELETE", "PATCH"], () => Results.StatusCode(StatusCodes.Status405MethodNotAllowed));
        app.MapGet("/", () => Results.Json(master.Snapshot()));
        app.MapGet("/state", () => Results.Json(master.Snapshot()));

        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new MesosEmulatorException(
                e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
                    ? $"port {options.Port} on {options.Host} is already in use"
                    : $"cannot serve on {options.Host}:{options.Port}: {e.Message}",
                e);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Url = new Uri(address.EndsWith('/') ? address : address + "/");
        master.Port = emulator.Url.Port;
        emulator._loops = Task.WhenAll(emulator.LoopAsync(options.AllocationInterval, master.Allocate), emulator.LoopAsync(TimeSpan.FromMilliseconds(100), master.Tick));
        return emulator;
    }

    public EmulatorSnapshot Snapshot() => _master.Snapshot();

    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _loops;
        if (_options.KillTasksOnStop)
        {
            _master.KillAllTasks();
        }

        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task LoopAsync(TimeSpan interval, Action step)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                step();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>POST /api/v1/scheduler, checks in the master's order.</summary>
    private async Task SchedulerAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var contentType = request.Headers.ContentType.ToString();
        if (contentType.Length == 0)
        {
            await Text(response, 400, "Expecting 'Content-Type' to be present");
            return;
        }

        MesosContentType requestType;
        if (contentType == MesosCodec.ProtobufMediaType)
        {
            requestType = MesosContentType.Protobuf;
        }
        else if (contentType == MesosCodec.JsonMediaType)
        {
            requestType = MesosContentType.Json;
        }
        else
        {
            await Text(response, 415, $"Expecting 'Content-Type' of {MesosCodec.JsonMediaType} or {MesosCodec.ProtobufMediaType}");
            return;
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        Call call;
        try
        {
            call = MesosCodec.Decode<Call>(body.ToArray(), requestType);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException or JsonException)
        {
            await Text(response, 400, requestType == MesosContentType.Json ? $"Failed to convert JSON into Call protobuf: {e.Message}" : "Failed to parse body into Call protobuf");
            return;
        }

        if (CallValidation.Validate(call) is { } invalid)
        {
            await Text(response, 400, $"Failed to validate scheduler::Call: {invalid}");
            return;
        }

        var streamId = request.Headers.TryGetValue("Mesos-Stream-Id", out var ids) ? ids.ToString() : null;
        if (call.Type == Call.Types.Type.Subscribe)
        {
            await SubscribeAsync(context, call, streamId);
            return;
        }

        if (_master.Authorize(call, streamId) is { } refusal)
        {
            await Text(response, refusal.Status, refusal.Body);
            return;
        }

        _master.Handle(call);
        response.StatusCode = StatusCodes.Status202Accepted;
    }

    private async Task SubscribeAsync(HttpContext context, Call call, string? streamIdHeader)
    {
        var response = context.Response;
        var accept = Negotiate(context.Request.Headers.Accept.ToString());
        if (accept is null)
        {
            await Text(response, 406, $"Expecting 'Accept' to allow '{MesosCodec.ProtobufMediaType}' or '{MesosCodec.JsonMediaType}'");
            return;
        }

        if (streamIdHeader is not null)
        {
            await Text(response, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
            return;
        }

        var (events, streamId, frameworkId) = _master.Subscribe(call);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MesosCodec.MediaType(accept.Value);
        response.Headers["Mesos-Stream-Id"] = streamId;
        await response.StartAsync(context.RequestAborted);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await foreach (var e in events.ReadAllAsync(linked.Token))
            {
                await response.Body.WriteAsync(RecordIoWriter.Frame(MesosCodec.Encode(e, accept.Value)), linked.Token);
                await response.Body.FlushAsync(linked.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
        finally
        {
            if (frameworkId is not null)
            {
                _master.Disconnected(frameworkId, streamId);
            }
        }
    }

    /// <summary>JSON when Accept allows it (absent or */* does), else protobuf when it allows that, else none (406).</summary>
    internal static MesosContentType? Negotiate(string accept)
    {
        if (accept.Length == 0)
        {
            return MesosContentType.Json;
        }

        var types = accept.Split(',').Select(t => t.Split(';')[0].Trim()).ToList();
        if (types.Contains(MesosCodec.JsonMediaType) || types.Contains("*/*") || types.Contains("application/*"))
        {
            return MesosContentType.Json;
        }

        return types.Contains(MesosCodec.ProtobufMediaType) ? MesosContentType.Protobuf : null;
    }

    private static async Task Text(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(message);
    }
}

/// <summary>The master's structural checks of a <see cref="Call"/> (answered with 400).</summary>
internal static class CallValidation
{
    public static string? Validate(Call call)
    {
        if (!call.HasType || call.Type == Call.Types.Type.Unknown)
        {
            return "Expecting 'type' to be present";
        }

        if (call.Type == Call.Types.Type.Subscribe)
        {
            if (call.Subscribe is null)
            {
                return "Expecting 'subscribe' to be present";
            }

            var infoId = call.Subscribe.FrameworkInfo?.Id?.Value;
            return infoId != call.FrameworkId?.Value
                ? "'framework_id' differs from 'subscribe.framework_info.id'"
                : null;
        }

        if (call.FrameworkId is null)
        {
            return "Expecting 'framework_id' to be present";
        }

        return call.Type switch
        {
            Call.Types.Type.Accept when call.Accept is null => "Expecting 'accept' to be present",
            Call.Types.Type.Decline when call.Decline is null => "Expecting 'decline' to be present",
            Call.Types.Type.Kill when call.Kill is null => "Expecting 'kill' to be present",
            Call.Types.Type.Reconcile when call.Reconcile is null => "Expecting 'reconcile' to be present",
            Call.Types.Type.Acknowledge when call.Acknowledge is null => "Expecting 'acknowledge' to be present",
            Call.Types.Type.Acknowledge when call.Acknowledge.Uuid.Length != 16 => "'uuid' must be 16 bytes",
            Call.Types.Type.Shutdown when call.Shutdown is null => "Expecting 'shutdown' to be present",
            Call.Types.Type.Message when call.Message is null => "Expecting 'message' to be present",
            _ => null,
        };
    }
}

/// <summary><c>actorscheduler mesos-local</c>: the emulator alone, for any framework.</summary>
public static class MesosLocalCommand
{
    public static async Task<int> RunAsync(MesosEmulatorOptions options, TextWriter output, CancellationToken ct)
    {
        MesosEmulator emulator;
        try
        {
            emulator = await MesosEmulator.StartAsync(options, ct);
        }
        catch (MesosEmulatorException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        await using (emulator)
        {
            await output.WriteLineAsync($"mesos master emulator: {emulator.Url}api/v1/scheduler");
            foreach (var agent in emulator.Snapshot().Agents)
            {
                await output.WriteLineAsync($"  agent {agent.Id} ({agent.Hostname}): cpus {agent.Total["cpus"]}, mem {agent.Total["mem"]} MB, disk {agent.Total["disk"]} MB");
            }

            await output.FlushAsync(ct);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }

            await output.WriteLineAsync("stopping…");
        }

        return 0;
    }
}
