using System.Globalization;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// A command-line duration as HOCON writes one: a whole number and a unit, <c>500ms</c>, <c>7s</c>, <c>1m</c>, <c>1h</c>,
/// so that an option reads as the <c>hocon/*.conf</c> key it sets. A bare number is refused rather than guessed (HOCON
/// would read it as milliseconds, an operator thinking of seconds would not).
/// </summary>
internal static class DurationText
{
    /// <summary>The longest duration accepted: longer is a typo, and would overflow <see cref="TimeSpan"/> soon enough.</summary>
    internal static readonly TimeSpan Max = TimeSpan.FromHours(24);

    /// <summary>
    /// Reads <paramref name="text"/> as a duration above zero and at most <see cref="Max"/>; null with why in
    /// <paramref name="error"/> (one line naming <paramref name="option"/>) when it is none.
    /// </summary>
    internal static TimeSpan? Parse(string text, string option, out string? error)
    {
        error = null;
        var trimmed = text.Trim();
        var unitAt = trimmed.Length;
        while (unitAt > 0 && char.IsAsciiLetter(trimmed[unitAt - 1]))
        {
            unitAt--;
        }

        long? perUnit = trimmed[unitAt..] switch
        {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => null,
        };
        if (perUnit is null || unitAt == 0
            || !long.TryParse(trimmed.AsSpan(0, unitAt), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount))
        {
            error = $"{option} expects a duration such as 500ms, 7s or 1m, got '{text}'";
            return null;
        }

        if (amount <= 0 || amount > (long)Max.TotalMilliseconds / perUnit.Value)
        {
            error = $"{option} expects a duration above zero and at most {Format(Max)}, got '{text}'";
            return null;
        }

        return TimeSpan.FromMilliseconds(amount * perUnit.Value);
    }

    /// <summary>
    /// <paramref name="value"/> in the largest unit that writes it whole (<c>7s</c>, <c>2500ms</c>, <c>1m</c>), as
    /// <see cref="Parse"/> reads it back: the defaults in <c>--help</c> and the values in error lines.
    /// </summary>
    internal static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        return ms % 3_600_000 == 0 && ms != 0 ? $"{ms / 3_600_000}h"
            : ms % 60_000 == 0 && ms != 0 ? $"{ms / 60_000}m"
            : ms % 1_000 == 0 && ms != 0 ? $"{ms / 1_000}s"
            : $"{ms}ms";
    }
}
