using System.Text.Json;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// <c>actorscheduler debug offers | reservations | tasks</c>: why offers were (not) used, which reservations the pods hold,
/// and every task's latest status, from a running scheduler's API.
/// </summary>
public static class DebugCommands
{
    /// <param name="unplaced">
    /// Only the pod instances no evaluated offer has placed since they last started waiting, and how many of those
    /// evaluated they are — with thousands of pods, the ones an operator asks about. Refused with <paramref name="pod"/>.
    /// </param>
    public static async Task<int> OffersAsync(string api, string? pod, int limit, bool json, TextWriter output, TextWriter error, CancellationToken ct, bool unplaced = false)
    {
        if (unplaced && pod is not null)
        {
            await error.WriteLineAsync("error: --unplaced lists every pod instance not placed and cannot be combined with --pod");
            return 2;
        }

        if (limit < 0)
        {
            await error.WriteLineAsync($"error: --limit expects a number of evaluations >= 0, got '{limit}'");
            return 2;
        }

        if (pod is { Length: 0 })
        {
            await error.WriteLineAsync("error: --pod expects a pod instance name (e.g. hello-0), got ''");
            return 2;
        }

        var query = $"v2/debug/offers?limit={limit}" + (pod is null ? string.Empty : $"&pod={Uri.EscapeDataString(pod)}");
        var (exit, body) = await ApiClient.GetOkAsync(api, query, error, ct);
        if (exit is { } failed)
        {
            return failed;
        }

        if (unplaced)
        {
            return await UnplacedAsync(body, json, output);
        }

        var summaries = body.GetProperty("summaries").EnumerateArray().ToList();
        if (summaries.Count == 0 && pod is not null)
        {
            // Nothing evaluated for a pod the service does not have is a typo, not a wait (with --json too).
            var (listExit, pods) = await ApiClient.GetOkAsync(api, "v1/pod", error, ct);
            if (listExit is { } listFailed)
            {
                return listFailed;
            }

            var known = pods.EnumerateArray().Select(e => e.GetString()).ToList();
            if (!known.Contains(pod))
            {
                await error.WriteLineAsync($"error: no pod instance {pod} (pods: {string.Join(", ", known)})");
                return 1;
            }
        }

        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(body, CliJson.Indented));
            return 0;
        }

        // Service-wide: why offers were declined (the API leaves them out of an answer about one pod).
        var declines = body.TryGetProperty("declines", out var declined) ? declined.EnumerateArray().Select(d => d.GetProperty("summary").GetString()).ToList() : [];
        if (declines.Count > 0)
        {
            await output.WriteLineAsync($"offers declined: {string.Join("; ", declines)}");
        }

        if (summaries.Count == 0)
        {
            await output.WriteLineAsync(pod is null ? "no offer evaluated yet" : $"{pod}: no offer evaluated yet");
            return 0;
        }

        foreach (var summary in summaries)
        {
            await output.WriteLineAsync(summary.GetProperty("summary").GetString());
        }

        var outcomes = body.GetProperty("outcomes").EnumerateArray().ToList();
        if (outcomes.Count > 0)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync($"latest {outcomes.Count} {(outcomes.Count == 1 ? "evaluation" : "evaluations")} (newest first):");
            foreach (var outcome in outcomes)
            {
                await output.WriteLineAsync($"{outcome.GetProperty("timestamp").GetString()} {outcome.GetProperty("pod").GetString()} offer {outcome.GetProperty("offer").GetString()} on {outcome.GetProperty("hostname").GetString()}: {outcome.GetProperty("outcome").GetString()!.ToUpperInvariant()}");
                foreach (var line in outcome.GetProperty("explanation").EnumerateArray())
                {
                    await output.WriteLineAsync($"  {line.GetString()}");
                }
            }
        }

        return 0;
    }

    /// <summary><c>debug offers --unplaced</c>: the summaries of pods with no passed evaluation, then how many of all.</summary>
    private static async Task<int> UnplacedAsync(JsonElement body, bool json, TextWriter output)
    {
        var summaries = body.GetProperty("summaries").EnumerateArray().ToList();
        var unplaced = summaries.Where(s => s.GetProperty("passed").GetInt64() == 0).ToList();
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new { evaluated = summaries.Count, unplaced }, CliJson.Indented));
            return 0;
        }

        foreach (var summary in unplaced)
        {
            await output.WriteLineAsync(summary.GetProperty("summary").GetString());
        }

        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        await output.WriteLineAsync(unplaced.Count == 0
            ? string.Create(invariant, $"every pod instance evaluated ({summaries.Count:N0}) was placed")
            : string.Create(invariant, $"{unplaced.Count:N0} of {summaries.Count:N0} pod instances evaluated not placed yet"));
        return 0;
    }

    /// <summary><c>debug reservations [--pod P]</c>: a tree per pod instance of the reservations its tasks hold.</summary>
    public static Task<int> ReservationsAsync(string api, string? pod, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        ShowAsync(api, "v1/debug/reservations", pod, json, output, error, ct, items => items.Select(item => new TreeNode(
            $"{Text(item, "pod")} ({Text(item, "hostname") ?? Text(item, "agent") ?? "no agent"})",
            item.GetProperty("resources").EnumerateArray().Select(r => new TreeNode(
                $"{Text(r, "name")} {Text(r, "value")} ({Text(r, "owner")}, resource_id {Text(r, "resource_id")}"
                + (Text(r, "persistence_id") is { } volume ? $", volume {volume}" : string.Empty) + ")")).ToList())));

    /// <summary><c>debug tasks [--pod P]</c>: every task's latest status, a line each under its pod.</summary>
    public static Task<int> TasksAsync(string api, string? pod, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        ShowAsync(api, "v1/debug/taskStatuses", pod, json, output, error, ct, items => items
            .GroupBy(item => Text(item, "pod") ?? "?")
            .Select(g => new TreeNode(g.Key, g.Select(item => new TreeNode(
                $"{Text(item, "task")} {Text(item, "state")}"
                + (item.TryGetProperty("healthy", out var healthy) ? (healthy.GetBoolean() ? " healthy" : " unhealthy") : string.Empty)
                + (Text(item, "message") is { } message ? $": {message}" : string.Empty)
                + $" ({Text(item, "task_id")})")).ToList())));

    /// <summary>Gets a list view, keeps the items of <paramref name="pod"/> if given, prints them (JSON or one tree).</summary>
    private static async Task<int> ShowAsync(
        string api, string path, string? pod, bool json, TextWriter output, TextWriter error, CancellationToken ct, Func<List<JsonElement>, IEnumerable<TreeNode>> trees)
    {
        var (exit, body) = await ApiClient.GetOkAsync(api, path, error, ct);
        if (exit is { } failed)
        {
            return failed;
        }

        var items = body.EnumerateArray().Where(i => pod is null || Text(i, "pod") == pod).ToList();
        if (pod is not null && items.Count == 0)
        {
            await error.WriteLineAsync($"error: no pod instance {pod} (or it holds nothing)");
            return 1;
        }

        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(items, CliJson.Indented));
            return 0;
        }

        foreach (var node in trees(items))
        {
            await output.WriteAsync(TreeText.Render(node).ToString());
        }

        return 0;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
