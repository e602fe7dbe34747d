using System.Globalization;

namespace ActorScheduler.Bench;

/// <summary>
/// The figures of several RESULT lines (<c>RESULT key=value ...</c>) as one SUMMARY line: for each figure, the median
/// of the runs that measured it, then their range (<c>median [min..max]</c>). Figures not measured (<c>na</c>) are left out.
/// </summary>
internal static class RunSummary
{
    /// <summary>The figures summarized, in this order.</summary>
    public static readonly string[] Figures =
    [
        "placements_per_s", "p50_cycle_ms", "p99_cycle_ms", "p50_process_ms", "p99_process_ms", "p50_eval_ms", "p99_eval_ms", "restart_to_ready_s",
        "start_to_first_offer_s", "cpu_ms_per_placement", "alloc_kb_per_placement", "gc_pause_ms", "peak_rss_mb",
    ];

    /// <summary>The key=value pairs of a RESULT line; null when the line is not one.</summary>
    public static Dictionary<string, string>? Parse(string line)
    {
        if (!line.StartsWith("RESULT ", StringComparison.Ordinal))
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in line["RESULT ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=');
            if (at > 0)
            {
                values[pair[..at]] = pair[(at + 1)..];
            }
        }

        return values;
    }

    public static string Line(IReadOnlyList<Dictionary<string, string>> runs)
    {
        var parts = new List<string> { $"SUMMARY runs={runs.Count}" };
        foreach (var figure in Figures)
        {
            var values = runs
                .Select(r => r.TryGetValue(figure, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : (double?)null)
                .OfType<double>()
                .Order()
                .ToList();
            if (values.Count > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{figure}={Median(values):0.##} [{values[0]:0.##}..{values[^1]:0.##}]"));
            }
        }

        return string.Join(' ', parts);
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
