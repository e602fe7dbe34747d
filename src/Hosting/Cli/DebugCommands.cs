using System.Text.Json;

namespace ActorScheduler.Hosting.Cli;

/// <summary><c>actorscheduler debug offers</c>: why offers were (not) used, from a running scheduler's API.</summary>
public static class DebugCommands
{
    public static async Task<int> OffersAsync(string api, string? pod, int limit, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        using var client = await ApiClient.CreateAsync(api, error);
        if (client is null)
        {
            return ApiClient.Unreachable;
        }

        var query = $"v2/debug/offers?limit={limit}" + (pod is null ? string.Empty : $"&pod={Uri.EscapeDataString(pod)}");
        var answer = await client.GetAsync(query, error, ct);
        if (answer is null)
        {
            return ApiClient.Unreachable;
        }

        if (answer.StatusCode != 200)
        {
            await error.WriteLineAsync($"error: {answer.Message}");
            return 1;
        }

        var body = answer.Body;
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(body, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        var summaries = body.GetProperty("summaries").EnumerateArray().ToList();
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
            await output.WriteLineAsync($"latest {outcomes.Count} evaluations (newest first):");
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
}
