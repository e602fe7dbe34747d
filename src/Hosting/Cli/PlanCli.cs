using System.Collections.Immutable;
using System.Text.Json;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// <c>actorscheduler plan …</c>: list plans, show one as a tree, and the operator commands (start, stop, pause,
/// resume, force-restart, force-complete), against a running scheduler's HTTP API. Exit codes: 0 done (also when
/// the command was already applied), 1 refused (unknown plan/phase/step, bad request), 2 bad <c>--api</c> or
/// scheduler unreachable or bad arguments.
/// </summary>
public static class PlanCli
{

    public static async Task<int> ListAsync(string api, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (exit, body) = await ApiClient.GetOkAsync(api, "v1/plans", error, ct);
        if (exit is { } failed)
        {
            return failed;
        }

        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(body, CliJson.Indented));
            return 0;
        }

        foreach (var name in body.EnumerateArray())
        {
            await output.WriteLineAsync(name.GetString());
        }

        return 0;
    }

    public static async Task<int> StatusAsync(string api, string plan, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        using var client = await ApiClient.CreateAsync(api, error);
        var answer = client is null ? null : await client.GetAsync($"v1/plans/{Uri.EscapeDataString(plan)}", error, ct);
        if (answer is null)
        {
            return ApiClient.Unreachable;
        }

        // 200 complete, 202 in progress, 417 with errors: all carry the plan.
        if (answer.StatusCode is not (200 or 202 or 417))
        {
            await error.WriteLineAsync($"error: {answer.Failure}");
            return 1;
        }

        await output.WriteAsync(json ? JsonSerializer.Serialize(answer.Body, CliJson.Indented) + "\n" : PlanTree.Render(ParsePlan(plan, answer.Body)));
        return 0;
    }

    /// <summary>
    /// One operator command. <paramref name="parameters"/> (<c>KEY=VALUE</c>) only for <c>start</c>; a step needs its
    /// phase.
    /// </summary>
    public static async Task<int> CommandAsync(
        string api,
        PlanCommandKind kind,
        string plan,
        string? phase,
        string? step,
        IReadOnlyList<string> parameters,
        TextWriter output,
        TextWriter error,
        CancellationToken ct)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            var separator = parameter.IndexOf('=');
            if (separator <= 0)
            {
                await error.WriteLineAsync($"error: -p expects KEY=VALUE, got '{parameter}'");
                return 2;
            }

            values[parameter[..separator]] = parameter[(separator + 1)..];
        }

        if (PlanCommands.ValidateParameters(values) is { } problem)
        {
            await error.WriteLineAsync($"error: -p {problem}");
            return 2;
        }

        using var client = await ApiClient.CreateAsync(api, error);
        if (client is null)
        {
            return ApiClient.Unreachable;
        }

        var query = new List<string>();
        if (phase is not null)
        {
            query.Add($"phase={Uri.EscapeDataString(phase)}");
        }

        if (step is not null)
        {
            query.Add($"step={Uri.EscapeDataString(step)}");
        }

        var path = $"v1/plans/{Uri.EscapeDataString(plan)}/{PlanCommands.WireName(kind)}" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty);
        var answer = await client.PostAsync(path, kind == PlanCommandKind.Start ? values : null, error, ct);
        if (answer is null)
        {
            return ApiClient.Unreachable;
        }

        if (answer.StatusCode is 200 or 208)
        {
            await output.WriteLineAsync(answer.Message);
            return 0;
        }

        await error.WriteLineAsync($"error: {answer.Failure}");
        return 1;
    }

    /// <summary>The API's plan JSON back into a <see cref="PlanInfo"/> (for the tree).</summary>
    internal static PlanInfo ParsePlan(string name, JsonElement json) => new(
        name,
        ParseStatus(json.GetProperty("status")),
        json.GetProperty("strategy").GetString() ?? string.Empty,
        json.GetProperty("phases").EnumerateArray().Select(phase => new PhaseInfo(
            phase.GetProperty("id").GetString() ?? string.Empty,
            phase.GetProperty("name").GetString() ?? string.Empty,
            ParseStatus(phase.GetProperty("status")),
            phase.GetProperty("strategy").GetString() ?? string.Empty,
            phase.GetProperty("steps").EnumerateArray().Select(step => new StepInfo(
                step.GetProperty("id").GetString() ?? string.Empty,
                step.GetProperty("name").GetString() ?? string.Empty,
                ParseStatus(step.GetProperty("status")),
                step.TryGetProperty("message", out var message) ? message.GetString() ?? string.Empty : string.Empty)).ToImmutableArray())).ToImmutableArray(),
        json.GetProperty("errors").EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToImmutableArray());

    private static Status ParseStatus(JsonElement status) =>
        StatusExtensions.TryParseWireName(status.GetString() ?? string.Empty, out var parsed) ? parsed : Status.Error;
}
