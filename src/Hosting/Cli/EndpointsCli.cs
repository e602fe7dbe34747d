using System.Text;
using System.Text.Json;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// <c>actorscheduler endpoints [name]</c> (the DC/OS CLI's): the advertised ports of a running scheduler's service.
/// Exit codes as <see cref="PlanCli"/>: 0 done, 1 refused (unknown endpoint), 2 unreachable or bad <c>--api</c>.
/// </summary>
public static class EndpointsCli
{
    /// <summary>
    /// Without <paramref name="name"/>: the endpoint names, one a line. With it: that endpoint's addresses, DNS names
    /// and VIP. <paramref name="json"/>: the API's JSON as it is.
    /// </summary>
    public static async Task<int> ShowAsync(string api, string? name, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var path = name is null ? "v1/endpoints" : $"v1/endpoints/{Uri.EscapeDataString(name)}";
        var (exit, body) = await ApiClient.GetOkAsync(api, path, error, ct);
        if (exit is { } failed)
        {
            return failed;
        }

        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(body, CliJson.Indented));
        }
        else if (name is null)
        {
            foreach (var endpoint in body.EnumerateArray())
            {
                await output.WriteLineAsync(endpoint.GetString());
            }
        }
        else
        {
            await output.WriteAsync(Render(body));
        }

        return 0;
    }

    /// <summary>
    /// One endpoint, a line per value, labels aligned: <c>address: 127.0.0.2:31000</c>, further values under the first,
    /// <c>(none)</c> for an empty list; <c>vip:</c> only when there is one.
    /// </summary>
    internal static string Render(JsonElement endpoint)
    {
        var text = new StringBuilder();
        foreach (var (label, key) in new[] { ("address:", "address"), ("dns:", "dns") })
        {
            var values = endpoint.TryGetProperty(key, out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(v => v.GetString() ?? string.Empty).ToList()
                : [];
            Line(text, label, values.Count == 0 ? "(none)" : values[0]);
            foreach (var value in values.Skip(1))
            {
                Line(text, string.Empty, value);
            }
        }

        if (endpoint.TryGetProperty("vip", out var vip) && vip.ValueKind == JsonValueKind.String)
        {
            Line(text, "vip:", vip.GetString()!);
        }

        return text.ToString();

        static void Line(StringBuilder text, string label, string value) => text.Append(label.PadRight(9)).Append(value).Append('\n');
    }
}
