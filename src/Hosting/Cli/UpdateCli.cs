using System.Text.Json;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// <c>actorscheduler update …</c>: submit a new spec version to a running scheduler (rendered and checked here, so
/// template errors point at the local file), watch or steer its rollout (the deploy plan), and roll back.
/// Exit codes as <see cref="PlanCli"/>: 0 done, 1 refused, 2 unreachable or bad arguments.
/// </summary>
public static class UpdateCli
{
    public static async Task<int> StartAsync(string api, string specPath, IReadOnlyList<string> overrides, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (loaded, exit) = await SpecCommands.LoadAsync(specPath, overrides, error);
        if (loaded is null)
        {
            return exit;
        }

        using var client = await ApiClient.CreateAsync(api, error);
        var body = new { spec = loaded.RenderedText, source = Path.GetFullPath(specPath), env = loaded.SchedulerEnvironment, templates = loaded.ConfigTemplates };
        var answer = client is null ? null : await client.PostAsync("v1/update/start", body, error, ct);
        return await ReportAsync(answer, output, error);
    }

    public static async Task<int> RollbackAsync(string api, string? to, TextWriter output, TextWriter error, CancellationToken ct)
    {
        using var client = await ApiClient.CreateAsync(api, error);
        var path = "v1/update/rollback" + (to is null ? string.Empty : $"?to={Uri.EscapeDataString(to)}");
        var answer = client is null ? null : await client.PostAsync(path, null, error, ct);
        return await ReportAsync(answer, output, error);
    }

    public static Task<int> StatusAsync(string api, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        PlanCli.StatusAsync(api, "deploy", json, output, error, ct);

    public static Task<int> PauseAsync(string api, TextWriter output, TextWriter error, CancellationToken ct) =>
        PlanCli.CommandAsync(api, PlanCommandKind.Interrupt, "deploy", null, null, [], output, error, ct);

    public static Task<int> ResumeAsync(string api, TextWriter output, TextWriter error, CancellationToken ct) =>
        PlanCli.CommandAsync(api, PlanCommandKind.Continue, "deploy", null, null, [], output, error, ct);

    /// <summary><c>update force-complete &lt;phase&gt; &lt;step&gt;</c>: <c>plan force-complete deploy &lt;phase&gt; &lt;step&gt;</c>.</summary>
    public static Task<int> ForceCompleteAsync(string api, string phase, string step, TextWriter output, TextWriter error, CancellationToken ct) =>
        PlanCli.CommandAsync(api, PlanCommandKind.ForceComplete, "deploy", phase, step, [], output, error, ct);

    /// <summary><c>update force-restart [phase [step]]</c>: <c>plan force-restart deploy [phase [step]]</c>.</summary>
    public static Task<int> ForceRestartAsync(string api, string? phase, string? step, TextWriter output, TextWriter error, CancellationToken ct) =>
        PlanCli.CommandAsync(api, PlanCommandKind.Restart, "deploy", phase, step, [], output, error, ct);

    private static async Task<int> ReportAsync(ApiAnswer? answer, TextWriter output, TextWriter error)
    {
        if (answer is null)
        {
            return ApiClient.Unreachable;
        }

        if (answer.StatusCode == 200)
        {
            await output.WriteLineAsync(answer.Message);
            return 0;
        }

        await error.WriteLineAsync($"error: {answer.Failure}");
        if (answer.Body.ValueKind == JsonValueKind.Object && answer.Body.TryGetProperty("errors", out var errors))
        {
            foreach (var e in errors.EnumerateArray())
            {
                await error.WriteLineAsync($"  {e.GetString()}");
            }
        }

        return 1;
    }
}
