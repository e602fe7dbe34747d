using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ActorScheduler.Mesos.Emulator.Faults;

/// <summary>
/// Fault injection over HTTP on the emulator's own port, JSON in and out:
/// <c>GET /faults</c>, <c>POST /faults/status-updates</c>, <c>POST /faults/agents/{id}/{lose|return|disconnect|reconnect|gone|restart}</c>,
/// <c>POST /faults/frameworks/{id}/{sever|stall}</c>, <c>POST /faults/master/failover</c>. Refusals are
/// <c>{"message": "..."}</c> with 400 (bad input), 404 (unknown agent, framework or path), 405 or 409 (wrong state).
/// </summary>
internal sealed class FaultHttpHandler
{
    public const string Prefix = "/faults";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly string[] StatusUpdateFields =
        ["drop_probability", "duplicate_probability", "delay_probability", "delay_ms", "drop_next", "duplicate_next", "delay_next", "seed"];

    private readonly EmulatorFaults _faults;

    public FaultHttpHandler(EmulatorFaults faults)
    {
        _faults = faults;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var path = (context.Request.Path.Value ?? string.Empty).TrimEnd('/');
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var isGet = HttpMethods.IsGet(context.Request.Method);
        try
        {
            switch (segments)
            {
                case ["faults"] when isGet:
                    await WriteAsync(context, 200, StateJson(await _faults.StateAsync().ConfigureAwait(false))).ConfigureAwait(false);
                    return;
                case ["faults"]:
                    await MethodNotAllowedAsync(context, "GET").ConfigureAwait(false);
                    return;
                case ["faults", ..] when !HttpMethods.IsPost(context.Request.Method):
                    await MethodNotAllowedAsync(context, "POST").ConfigureAwait(false);
                    return;
                case ["faults", "status-updates"]:
                    await StatusUpdatesAsync(context).ConfigureAwait(false);
                    return;
                case ["faults", "agents", var agent, var action]:
                    await AgentAsync(context, agent, action).ConfigureAwait(false);
                    return;
                case ["faults", "frameworks", var framework, var action]:
                    await FrameworkAsync(context, framework, action).ConfigureAwait(false);
                    return;
                case ["faults", "master", "failover"]:
                    var masterId = await _faults.FailOverMasterAsync().ConfigureAwait(false);
                    await WriteAsync(context, 200, new { master_id = masterId }).ConfigureAwait(false);
                    return;
                default:
                    await ErrorAsync(context, 404, $"No fault endpoint at {path}; see GET {Prefix} and the README's \"Fault injection\" section").ConfigureAwait(false);
                    return;
            }
        }
        catch (FaultRejectedException e)
        {
            var code = e.Rejection switch
            {
                FaultRejection.NotFound => 404,
                FaultRejection.Conflict => 409,
                _ => 400,
            };
            await ErrorAsync(context, code, e.Message).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            await ErrorAsync(context, 503, "The emulator is shutting down").ConfigureAwait(false);
        }
    }

    private async Task AgentAsync(HttpContext context, string agentId, string action)
    {
        switch (action)
        {
            case "lose":
                await _faults.LoseAgentAsync(agentId).ConfigureAwait(false);
                break;
            case "return":
                await _faults.ReturnAgentAsync(agentId).ConfigureAwait(false);
                break;
            case "gone":
                await _faults.MarkAgentGoneAsync(agentId).ConfigureAwait(false);
                break;
            case "disconnect":
                await _faults.DisconnectAgentAsync(agentId).ConfigureAwait(false);
                break;
            case "reconnect":
                await _faults.ReconnectAgentAsync(agentId).ConfigureAwait(false);
                break;
            case "restart":
                var newId = await _faults.RestartAgentAsync(agentId).ConfigureAwait(false);
                await WriteAsync(context, 200, new { agent_id = newId, previous_agent_id = agentId }).ConfigureAwait(false);
                return;
            default:
                await ErrorAsync(context, 404, $"Unknown agent fault '{action}'; expected lose, return, disconnect, reconnect, gone or restart").ConfigureAwait(false);
                return;
        }

        await WriteAsync(context, 200, new { agent_id = agentId, fault = action }).ConfigureAwait(false);
    }

    private async Task FrameworkAsync(HttpContext context, string frameworkId, string action)
    {
        switch (action)
        {
            case "sever":
                await _faults.SeverStreamAsync(frameworkId).ConfigureAwait(false);
                break;
            case "stall":
                await _faults.StallStreamAsync(frameworkId).ConfigureAwait(false);
                break;
            default:
                await ErrorAsync(context, 404, $"Unknown framework fault '{action}'; expected sever or stall").ConfigureAwait(false);
                return;
        }

        await WriteAsync(context, 200, new { framework_id = frameworkId, fault = action }).ConfigureAwait(false);
    }

    /// <summary>Fields present in the body replace the current settings; absent ones stay.</summary>
    private async Task StatusUpdatesAsync(HttpContext context)
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new FaultRejectedException(FaultRejection.Invalid, $"the body is not JSON: {e.Message}");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new FaultRejectedException(FaultRejection.Invalid, $"expected a JSON object with any of {string.Join(", ", StatusUpdateFields)}");
        }

        var faults = (await _faults.StateAsync().ConfigureAwait(false)).StatusUpdates;
        int? seed = null;
        foreach (var field in body.EnumerateObject())
        {
            faults = field.Name switch
            {
                "drop_probability" => faults with { DropProbability = Number(field) },
                "duplicate_probability" => faults with { DuplicateProbability = Number(field) },
                "delay_probability" => faults with { DelayProbability = Number(field) },
                "delay_ms" => faults with { Delay = TimeSpan.FromMilliseconds(Number(field)) },
                "drop_next" => faults with { DropNext = Count(field) },
                "duplicate_next" => faults with { DuplicateNext = Count(field) },
                "delay_next" => faults with { DelayNext = Count(field) },
                "seed" => faults,
                _ => throw new FaultRejectedException(FaultRejection.Invalid,
                    $"unknown field '{field.Name}'; expected any of {string.Join(", ", StatusUpdateFields)}"),
            };
            if (field.Name == "seed")
            {
                seed = Count(field);
            }
        }

        await WriteAsync(context, 200, StateJson(await _faults.SetStatusUpdateFaultsAsync(faults, seed).ConfigureAwait(false))).ConfigureAwait(false);
    }

    private static double Number(JsonProperty field)
    {
        if (field.Value.ValueKind != JsonValueKind.Number || !field.Value.TryGetDouble(out var value)
            || double.IsNaN(value) || double.IsInfinity(value) || field.Name == "delay_ms" && value > StatusUpdateFaults.MaxDelay.TotalMilliseconds)
        {
            throw new FaultRejectedException(FaultRejection.Invalid, $"'{field.Name}' must be a number{(field.Name == "delay_ms" ? " of milliseconds up to " + StatusUpdateFaults.MaxDelay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) : string.Empty)}, got {field.Value.GetRawText()}");
        }

        return value;
    }

    private static int Count(JsonProperty field)
    {
        if (field.Value.ValueKind != JsonValueKind.Number || !field.Value.TryGetInt32(out var value) || (value < 0 && field.Name != "seed"))
        {
            throw new FaultRejectedException(FaultRejection.Invalid, $"'{field.Name}' must be a whole number{(field.Name == "seed" ? string.Empty : " of 0 or more")}, got {field.Value.GetRawText()}");
        }

        return value;
    }

    private static object StateJson(FaultState state) => new
    {
        seed = state.Seed,
        status_updates = new
        {
            drop_probability = state.StatusUpdates.DropProbability,
            duplicate_probability = state.StatusUpdates.DuplicateProbability,
            delay_probability = state.StatusUpdates.DelayProbability,
            delay_ms = state.StatusUpdates.Delay.TotalMilliseconds,
            drop_next = state.StatusUpdates.DropNext,
            duplicate_next = state.StatusUpdates.DuplicateNext,
            delay_next = state.StatusUpdates.DelayNext,
            dropped = state.Dropped,
            duplicated = state.Duplicated,
            delayed = state.Delayed,
            held_back = state.HeldBack,
        },
        stalled_frameworks = state.StalledFrameworks,
        unreachable_agents = state.UnreachableAgents,
        gone_agents = state.GoneAgents,
        disconnected_agents = state.DisconnectedAgents,
    };

    private static Task MethodNotAllowedAsync(HttpContext context, string allowed)
    {
        context.Response.Headers.Allow = allowed;
        return ErrorAsync(context, 405, $"Expecting {allowed}, but received '{context.Request.Method}'");
    }

    private static Task ErrorAsync(HttpContext context, int code, string message) => WriteAsync(context, code, new { message });

    private static async Task WriteAsync(HttpContext context, int code, object body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, body.GetType(), Json, context.RequestAborted).ConfigureAwait(false);
    }
}
