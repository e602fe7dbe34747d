using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace ActorScheduler.Specs.Templating;

/// <summary>
/// Reads the defaults file beside a spec (<c>svc.yml</c> → <c>svc.env</c>): <c>KEY=VALUE</c> per line, <c>#</c> comment
/// lines and blank lines allowed, the value optionally wrapped in single or double quotes (kept verbatim otherwise, so a
/// <c>#</c> after the value is part of it). Bad lines and repeated keys are located errors.
/// </summary>
internal static partial class DefaultsFile
{
    /// <summary>The defaults file that belongs to a spec file.</summary>
    public static string PathFor(string specPath) => Path.ChangeExtension(specPath, ".env");

    public static ImmutableDictionary<string, string> Parse(string text, string file, SpecErrorList errors)
    {
        var values = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].TrimEnd('\r');
            var indent = line.Length - line.TrimStart().Length;
            var content = line.Trim();
            if (content.Length == 0 || content[0] == '#')
            {
                continue;
            }

            var equals = content.IndexOf('=');
            if (equals < 0)
            {
                errors.Add(file, new SourcePosition(lineNumber, indent + 1), "(line)",
                    $"expected KEY=VALUE, found {SourceQuote.Of(content)}");
                continue;
            }

            var key = content[..equals].Trim();
            if (!KeyPattern().IsMatch(key))
            {
                errors.Add(file, new SourcePosition(lineNumber, indent + 1), key.Length == 0 ? "(line)" : key,
                    $"expected a key of letters, digits and '_' not starting with a digit, found {SourceQuote.Of(key)}");
                continue;
            }

            var rawValue = content[(equals + 1)..];
            var valueColumn = indent + equals + 2 + (rawValue.Length - rawValue.TrimStart().Length);
            if (!TryUnquote(rawValue.Trim(), out var value))
            {
                errors.Add(file, new SourcePosition(lineNumber, valueColumn), key,
                    $"value starts with a quote but does not end with the same quote: {rawValue.Trim()}");
                continue;
            }

            if (firstLine.TryGetValue(key, out var earlier))
            {
                errors.Add(file, new SourcePosition(lineNumber, indent + 1), key,
                    $"duplicate key '{key}'; it is already set on line {earlier}");
                continue;
            }

            firstLine[key] = lineNumber;
            values[key] = value;
        }

        return values.ToImmutable();
    }

    private static bool TryUnquote(string value, out string result)
    {
        result = value;
        if (value.Length == 0 || value[0] is not ('"' or '\''))
        {
            return true;
        }

        if (value.Length < 2 || value[^1] != value[0])
        {
            return false;
        }

        result = value[1..^1];
        return true;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex KeyPattern();
}
