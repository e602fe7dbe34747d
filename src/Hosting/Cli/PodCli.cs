using System.Text.Json;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// <c>actorscheduler pod list|status|info</c> against a running scheduler's HTTP API. Exit codes as
/// <see cref="PlanCli"/>: 0 done, 1 refused (unknown pod), 2 unreachable or bad <c>--api</c>.
/// </summary>
public static class PodCli
{

    public static async Task<int> ListAsync(string api, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (exit, body) = await ApiClient.GetOkAsync(api, "v1/pod", error, ct);
        if (exit is { } failed)
        {
            return failed;
        }

        await output.WriteLineAsync(json
            ? JsonSerializer.Serialize(body, CliJson.Indented)
            : string.Join('\n', body.EnumerateArray().Select(e => e.GetString())));
        return 0;
    }

    /// <summary>Every pod (or one) as a tree: service → pod type → instance → task (state, health, readiness).</summary>
    public static async Task<int> StatusAsync(string api, string? pod, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var path = pod is null ? "v1/pod/status" : $"v1/pod/{Uri.EscapeDataString(pod)}/status";
        var (exit, body) = await ApiClient.GetOkAsync(api, path, error, ct);
        if (exit is { } failed)
        {
            return failed;
        }

        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(body, CliJson.Indented));
            return 0;
        }

        var tree = pod is null
            ? new TreeNode(
                body.GetProperty("service").GetString()!,
                body.GetProperty("pods").EnumerateArray()
                    .Select(type => new TreeNode(type.GetProperty("name").GetString()!, type.GetProperty("instances").EnumerateArray().Select(Instance).ToList()))
                    .ToList())
            : Instance(body);
        await output.WriteAsync(TreeText.Render(tree).ToString());
        return 0;
    }

    /// <summary>The launched task infos and their latest statuses, as the API's JSON.</summary>
    public static async Task<int> InfoAsync(string api, string pod, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (exit, body) = await ApiClient.GetOkAsync(api, $"v1/pod/{Uri.EscapeDataString(pod)}/info", error, ct);
        if (exit is { } failed)
        {
            return failed;
        }

        await output.WriteLineAsync(JsonSerializer.Serialize(body, CliJson.Indented));
        return 0;
    }

    /// <summary>
    /// <c>pod restart</c> (relaunch in place), <c>pod replace</c> (new footprint, volumes lost), <c>pod pause</c> (relaunch
    /// running a sleep) or <c>pod resume</c>; pause and resume act on <paramref name="tasks"/> only when any are named.
    /// </summary>
    public static async Task<int> CommandAsync(string api, string command, string pod, TextWriter output, TextWriter error, CancellationToken ct, IReadOnlyList<string>? tasks = null)
    {
        using var client = await ApiClient.CreateAsync(api, error);
        var body = command is "pause" or "resume" && tasks is { Count: > 0 } ? tasks : null;
        var answer = client is null ? null : await client.PostAsync($"v1/pod/{Uri.EscapeDataString(pod)}/{command}", body, error, ct);
        if (answer is null)
        {
            return ApiClient.Unreachable;
        }

        if (answer.StatusCode != 200)
        {
            await error.WriteLineAsync($"error: {answer.Failure}");
            return 1;
        }

        var acted = answer.Body.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()).ToList();
        var verb = command switch { "replace" => "Replacing", "pause" => "Pausing", "resume" => "Resuming", _ => "Restarting" };
        await output.WriteLineAsync($"{verb} {pod}: {(acted.Count == 0 ? "no tasks launched yet" : string.Join(", ", acted))}");
        return 0;
    }

    private static TreeNode Instance(JsonElement instance) => new(
        instance.GetProperty("name").GetString()!,
        instance.GetProperty("tasks").EnumerateArray().Select(task =>
        {
            var details = new List<string> { task.GetProperty("status").GetString()! };
            foreach (var extra in new[] { "health", "readiness" })
            {
                if (task.TryGetProperty(extra, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    details.Add(value.GetString()!);
                }
            }

            return new TreeNode($"{task.GetProperty("name").GetString()} ({string.Join(", ", details)})");
        }).ToList());
}
