using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorScheduler.Hosting.Audit;

/// <summary>
/// Which events of a journal the timeline shows: those of one pod instance, plan or step, only offer decisions, in a
/// time window (filters combine), and at most the latest <see cref="Limit"/> of them (0: all).
/// </summary>
internal sealed partial record AuditQuery(
    string? Pod = null,
    string? Plan = null,
    string? Step = null,
    bool OffersOnly = false,
    DateTime? Since = null,
    DateTime? Until = null,
    int Limit = AuditQuery.DefaultLimit)
{
    /// <summary>The latest events shown when no <c>--limit</c> is given.</summary>
    public const int DefaultLimit = 200;

    /// <summary>
    /// Whether <paramref name="entry"/> passes every filter but the time window (which the journal read applies); the
    /// pod is checked here whatever the store left out for it.
    /// </summary>
    public bool Matches(AuditEntry entry) =>
        (!OffersOnly || entry.Stream.Router)
        && (Pod is null || entry.Stream.Pod == Pod)
        && (Plan is null || entry.Stream.Plan == Plan)
        && (Step is null || entry.Stream.Step == Step);

    /// <summary>
    /// The latest <see cref="Limit"/> matching entries of <paramref name="journal"/>, oldest first, and how many earlier
    /// ones matched and were left out. The journal is read as a stream, only the kept entries held.
    /// </summary>
    public (IReadOnlyList<AuditEntry> Entries, long LeftOut) Run(IJournalRows journal)
    {
        var kept = new Queue<AuditEntry>();
        var decoded = new List<AuditEntry>();
        long leftOut = 0;
        foreach (var row in journal.Rows(Since, Until, Pod))
        {
            decoded.Clear();
            AuditDecoder.Decode(row, decoded);
            foreach (var entry in decoded)
            {
                if (!Matches(entry))
                {
                    continue;
                }

                kept.Enqueue(entry);
                if (Limit > 0 && kept.Count > Limit)
                {
                    kept.Dequeue();
                    leftOut++;
                }
            }
        }

        return (kept.ToList(), leftOut);
    }

    /// <summary>
    /// The longest time ago <c>--since</c> / <c>--until</c> take: a century, far beyond any journal, and far from the
    /// first year a <see cref="DateTime"/> holds, which a longer one would reach.
    /// </summary>
    internal static readonly TimeSpan MaxAgo = TimeSpan.FromDays(36_500);

    private static readonly Cli.DurationText.Bounds Ago = new(MaxAgo);

    /// <summary>
    /// A time of <c>--since</c> / <c>--until</c>: ISO-8601 (<c>2026-12-07T10:00:00Z</c>; a time without an offset is
    /// UTC, a date alone its midnight UTC), <c>now</c>, or a time ago relative to <paramref name="now"/>: <c>-</c> and a
    /// duration as <see cref="Cli.DurationText"/> reads one (<c>-90s</c>, <c>-1.5m</c>, <c>-2h</c>, <c>-7d</c>), up to
    /// <see cref="MaxAgo"/>. Null with a one-line reason when it is none of these.
    /// </summary>
    public static DateTime? ParseTime(string text, DateTime now, string option, out string? problem)
    {
        problem = null;
        var trimmed = text.Trim();
        if (trimmed.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            return now;
        }

        if (trimmed.StartsWith('-'))
        {
            var ago = Cli.DurationText.Read(trimmed[1..], Ago, out var span);
            if (ago == Cli.DurationText.Problem.None)
            {
                return now - span;
            }

            // A duration out of range is refused as one; what is no duration at all gets the line listing every form.
            if (ago != Cli.DurationText.Problem.NotADuration)
            {
                problem = Cli.DurationText.Refusal(ago, option, "a time ago", text, Ago);
                return null;
            }
        }

        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var at)
            && IsoDate().IsMatch(trimmed))
        {
            return at.UtcDateTime;
        }

        problem = $"{option} expects an ISO-8601 time (2026-12-07T10:00:00Z, a date, a time without offset is UTC), now, or a time ago, - and a duration (-90s, -1.5m, -2h, -7d), got '{text}'";
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoDate();
}
