using System.Text.Json;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// The DC/OS CLI's <c>debug config …</c>, <c>debug state …</c> and <c>describe</c> against a running scheduler's HTTP
/// API: stored config versions, scheduler properties, explicit reconciliation. Exit codes as <see cref="PlanCli"/>:
/// 0 done, 1 refused (unknown id or name), 2 unreachable or bad <c>--api</c>.
/// </summary>
public static class StateCli
{

    /// <summary><c>debug config list</c>: the stored config ids, oldest first.</summary>
    public static Task<int> ConfigListAsync(string api, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        ShowAsync(api, "v1/configurations", json, output, error, ct, Lines);

    /// <summary><c>debug config show &lt;id&gt;</c>: one stored config version.</summary>
    public static Task<int> ConfigShowAsync(string api, string id, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        ShowAsync(api, $"v1/configurations/{Uri.EscapeDataString(id)}", json, output, error, ct, Configuration);

    /// <summary><c>debug config target</c> and <c>describe</c>: the config version being deployed.</summary>
    public static Task<int> ConfigTargetAsync(string api, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        ShowAsync(api, "v1/configurations/target", json, output, error, ct, Configuration);

    /// <summary><c>debug config target_id</c>: the id of the config version being deployed.</summary>
    public static Task<int> ConfigTargetIdAsync(string api, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        ShowAsync(api, "v1/configurations/targetId", json, output, error, ct, Text);

    /// <summary><c>debug state framework_id</c>: the framework id the master gave the scheduler.</summary>
    public static Task<int> FrameworkIdAsync(string api, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        ShowAsync(api, "v1/state/frameworkId", json, output, error, ct, Text);

    /// <summary><c>debug state properties</c>: the names of the scheduler's properties.</summary>
    public static Task<int> PropertiesAsync(string api, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        ShowAsync(api, "v1/state/properties", json, output, error, ct, Lines);

    /// <summary><c>debug state property &lt;name&gt;</c>: one property's value.</summary>
    public static Task<int> PropertyAsync(string api, string name, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        ShowAsync(api, $"v1/state/properties/{Uri.EscapeDataString(name)}", json, output, error, ct, Text);

    /// <summary><c>debug state refresh_cache</c>: ask the scheduler to reconcile every known task with the master.</summary>
    public static async Task<int> RefreshAsync(string api, TextWriter output, TextWriter error, CancellationToken ct)
    {
        using var client = await ApiClient.CreateAsync(api, error);
        var answer = client is null ? null : await client.PutAsync("v1/state/refresh", error, ct);
        if (answer is null)
        {
            return ApiClient.Unreachable;
        }

        if (answer.StatusCode != 200)
        {
            await error.WriteLineAsync($"error: {answer.Failure}");
            return 1;
        }

        await output.WriteLineAsync(answer.Message);
        return 0;
    }

    /// <summary>GETs <paramref name="path"/> and prints the answer: the API's JSON with <paramref name="json"/>, else <paramref name="text"/>.</summary>
    private static async Task<int> ShowAsync(
        string api, string path, bool json, TextWriter output, TextWriter error, CancellationToken ct, Func<JsonElement, string> text)
    {
        var (exit, body) = await ApiClient.GetOkAsync(api, path, error, ct);
        if (exit is { } failed)
        {
            return failed;
        }

        await output.WriteLineAsync(json ? JsonSerializer.Serialize(body, CliJson.Indented) : text(body));
        return 0;
    }

    private static string Lines(JsonElement list) => string.Join('\n', list.EnumerateArray().Select(e => e.GetString()));

    private static string Text(JsonElement value) => value.GetString() ?? string.Empty;

    /// <summary>A config version: a header line, then its spec model as JSON.</summary>
    private static string Configuration(JsonElement config) =>
        $"config {config.GetProperty("id").GetString()}{(config.GetProperty("target").GetBoolean() ? " (target)" : string.Empty)}"
        + $" from {config.GetProperty("source").GetString()}, stored {config.GetProperty("stored").GetString()}\n"
        + JsonSerializer.Serialize(config.GetProperty("spec"), CliJson.Indented);
}
