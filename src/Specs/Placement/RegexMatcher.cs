using System.Text.RegularExpressions;

namespace ActorScheduler.Specs.Placement;

/// <summary>
/// The whole value matches <see cref="Pattern"/> (anchored at both ends, like Marathon's LIKE). A pattern that is not
/// a valid regular expression, or a match that takes over a second, matches nothing.
/// </summary>
public sealed record RegexMatcher(string Pattern) : StringMatcher
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(1);

    public override bool Matches(string? value)
    {
        if (value is null)
        {
            return false;
        }

        try
        {
            return Regex.IsMatch(value, Anchored(Pattern), RegexOptions.CultureInvariant, _timeout);
        }
        catch (Exception e) when (e is ArgumentException or RegexMatchTimeoutException)
        {
            return false;
        }
    }

    public override string Describe() => $"LIKE:{Pattern}";

    /// <summary>Null when <paramref name="pattern"/> is a valid regular expression, else why not.</summary>
    internal static string? Check(string pattern)
    {
        try
        {
            _ = new Regex(Anchored(pattern), RegexOptions.CultureInvariant, _timeout);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private static string Anchored(string pattern) => $@"\A(?:{pattern})\z";
}
