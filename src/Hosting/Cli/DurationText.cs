using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// A duration as an operator types it, the one reading of the command line's durations (<c>run</c>'s cluster timings,
/// the time ago of <c>audit --since</c>/<c>--until</c>) and the one way we write one back (help defaults, error lines,
/// the HOCON of the cluster timings): a number and its unit, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c>
/// (<c>500ms</c>, <c>7s</c>, <c>1.5m</c>, <c>2h</c>, <c>1d</c>), as HOCON writes one, so that an option reads as the
/// <c>hocon/*.conf</c> key it sets. A decimal is taken with every unit as long as it comes to whole milliseconds
/// (<c>1.5s</c>, <c>0.25h</c>; not <c>0.5ms</c>), the finest any of these settings resolves.
/// Refused rather than guessed: a bare number (HOCON would read it as milliseconds, an operator thinking of seconds
/// would not), a unit in capitals or spelled out (<c>1M</c>: minutes or months?), spaces inside, several parts
/// (<c>1m30s</c>), and zero or less.
/// The options that took a bare number before they took this format (<c>run --permanent-failure-timeout</c> and the
/// others in seconds, <c>mesos-local --update-delay-ms</c> in milliseconds) say which unit a bare number is in, so that
/// the command lines written for them keep working; only they take zero where it has a meaning of its own (never sweep,
/// no delay).
/// </summary>
internal static partial class DurationText
{
    /// <summary>What is wrong with a text read as a duration, each its own line in <see cref="Refusal"/>.</summary>
    internal enum Problem
    {
        /// <summary>It is a duration in the range.</summary>
        None,

        /// <summary>Not a number and a unit.</summary>
        NotADuration,

        /// <summary>Zero or less, or longer than the caller's longest.</summary>
        OutOfRange,

        /// <summary>A fraction of a millisecond (<c>0.5ms</c>, <c>1.0001s</c>).</summary>
        FinerThanAMillisecond,
    }

    /// <summary>
    /// Reads <paramref name="text"/> as a duration within <paramref name="bounds"/>; null with why in
    /// <paramref name="error"/> (one line naming <paramref name="option"/> and what it expects) when it is none.
    /// </summary>
    internal static TimeSpan? Parse(string text, string option, Bounds bounds, out string? error)
    {
        var problem = Read(text, bounds, out var value);
        error = problem == Problem.None ? null : Refusal(problem, option, "a duration", text, bounds);
        return error is null ? value : null;
    }

    /// <summary>
    /// Reads <paramref name="text"/> as a duration within <paramref name="bounds"/> into <paramref name="value"/>, or says
    /// what is wrong with it; for a caller that reads a duration inside a wider syntax (<c>audit</c>'s <c>-15m</c>) and
    /// words the refusal of what is no duration at all itself.
    /// </summary>
    internal static Problem Read(string text, Bounds bounds, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var match = Shape().Match(text.Trim());
        var unit = match.Groups["unit"];
        if (!match.Success || (!unit.Success && bounds.Bare is null))
        {
            return Problem.NotADuration;
        }

        var perUnit = !unit.Success ? (decimal)bounds.Bare!.Value.TotalMilliseconds : unit.Value switch
        {
            "ms" => 1m,
            "s" => 1_000m,
            "m" => 60_000m,
            "h" => 3_600_000m,
            _ => 86_400_000m,
        };

        // A number too long for a decimal is far out of range; comparing before multiplying keeps the product in range.
        if (!decimal.TryParse(match.Groups["amount"].ValueSpan, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            || amount < 0 || (amount == 0 && bounds.Min is null) || amount > (decimal)bounds.Max.TotalMilliseconds / perUnit)
        {
            return Problem.OutOfRange;
        }

        var milliseconds = amount * perUnit;
        if (milliseconds != decimal.Truncate(milliseconds))
        {
            return Problem.FinerThanAMillisecond;
        }

        if (bounds.Min is { } min && milliseconds < (decimal)min.TotalMilliseconds)
        {
            return Problem.OutOfRange;
        }

        value = TimeSpan.FromMilliseconds((long)milliseconds);
        return Problem.None;
    }

    /// <summary>
    /// The one line refusing <paramref name="text"/>, given to <paramref name="option"/> as <paramref name="what"/>
    /// (<c>a duration</c>, <c>a time ago</c>) within <paramref name="bounds"/>, for <paramref name="problem"/>; the bounds' note, when they have one, says what
    /// the option's special value does.
    /// </summary>
    internal static string Refusal(Problem problem, string option, string what, string text, Bounds bounds)
    {
        var note = bounds.Note is null ? string.Empty : $" ({bounds.Note})";
        return problem switch
        {
            Problem.OutOfRange => bounds.Min switch
            {
                null => $"{option} expects {what} above zero and at most {Format(bounds.Max)}{note}, got '{text}'",
                { } min when min == TimeSpan.Zero => $"{option} expects {what} from 0 to {Format(bounds.Max)}{note}, got '{text}'",
                { } min => $"{option} expects {what} of at least {Format(min)} and at most {Format(bounds.Max)}{note}, got '{text}'",
            },
            Problem.FinerThanAMillisecond => $"{option} expects {what} of whole milliseconds (1.5s, not 0.5ms){note}, got '{text}'",
            _ => $"{option} expects {what}: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d)"
                 + (bounds.Bare is { } bare ? $", or a number of {(bare == TimeSpan.FromMilliseconds(1) ? "milliseconds" : "seconds")}" : string.Empty)
                 + $"{note}, got '{text}'"
                 + (bounds.Bare is null && BareNumber().IsMatch(text.Trim()) ? ", a number without its unit" : string.Empty),
        };
    }

    /// <summary>
    /// <paramref name="value"/> in the largest unit that writes it whole (<c>7s</c>, <c>2500ms</c>, <c>1m</c>,
    /// <c>3d</c>), as <see cref="Parse"/> reads it back: the defaults in <c>--help</c>, the values in error lines, the
    /// cluster timings' HOCON. Days only from two: a day is written <c>24h</c>, as <c>hocon/*.conf</c> would have it.
    /// </summary>
    internal static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        return ms % 86_400_000 == 0 && Math.Abs(ms) > 86_400_000 ? $"{ms / 86_400_000}d"
            : ms % 3_600_000 == 0 && ms != 0 ? $"{ms / 3_600_000}h"
            : ms % 60_000 == 0 && ms != 0 ? $"{ms / 60_000}m"
            : ms % 1_000 == 0 && ms != 0 ? $"{ms / 1_000}s"
            : $"{ms}ms";
    }

    // ASCII digits only (\d would take other scripts' digits, which no decimal parse reads), a sign so that "-1s" is
    // refused as below zero rather than as no duration.
    [GeneratedRegex("^(?<amount>-?[0-9]+(\\.[0-9]+)?)(?<unit>ms|s|m|h|d)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    [GeneratedRegex("^-?[0-9]+(\\.[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex BareNumber();

    /// <summary>
    /// What an option takes as a duration: at most <paramref name="Max"/>; above zero, or from <see cref="Min"/> when it
    /// has one (zero included when that is zero); a number without its unit only when <see cref="Bare"/> says in which.
    /// </summary>
    /// <param name="Max">The longest it takes.</param>
    internal readonly record struct Bounds(TimeSpan Max)
    {
        /// <summary>The shortest it takes, zero included when it is zero; null: anything above zero.</summary>
        public TimeSpan? Min { get; init; }

        /// <summary>
        /// The unit of a number given without one (a second, or a millisecond for an option whose name ends in
        /// <c>-ms</c>): that of the bare number the option took before it took this format; null: refused.
        /// </summary>
        public TimeSpan? Bare { get; init; }

        /// <summary>What the option's special value or absence means (<c>0: never sweep</c>), in its refusals.</summary>
        public string? Note { get; init; }
    }
}
