using System.Globalization;
using System.Text.RegularExpressions;
using ActorScheduler.Messages.MesosV1;
using Attribute = ActorScheduler.Messages.MesosV1.Attribute;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Agent attributes in the Mesos agent's <c>--attributes</c> text: <c>name:value</c> pairs separated by <c>;</c>, each
/// value a scalar (<c>cores:8</c>), ranges (<c>slots:[1-4,8-9]</c>) or text (<c>rack:r1</c>, characters
/// <c>a-z A-Z 0-9 _ / . -</c>). Set values (<c>{a,b}</c>) are refused, as a Mesos agent refuses them for attributes.
/// Before parsing, a template may vary per agent: <c>{index}</c> (the agent's 0-based index), <c>{index%N}</c>,
/// <c>{zone}</c> and <c>{region}</c> (with zones).
/// </summary>
public static partial class AgentAttributes
{
    /// <summary>
    /// Checks an attribute template as agent 0 sees it (placeholders and every value); null when valid, else one line.
    /// </summary>
    /// <param name="zones">The emulator's zone count (0: agents have no fault domain, so <c>{zone}</c> is an error).</param>
    public static string? Validate(string template, int zones, string region)
    {
        ArgumentNullException.ThrowIfNull(template);
        var zone = AgentSlots.ZoneOf(0, zones);
        return TryParseTemplate(template, 0, zone, zone is null ? null : region, out var error) is null ? error : null;
    }

    /// <summary>Renders the placeholders of <paramref name="template"/> for one agent, then parses it.</summary>
    /// <param name="zone">The agent's zone name, or null when agents have no fault domain.</param>
    /// <returns>The attributes, or null with a one-line <paramref name="error"/>.</returns>
    public static List<Attribute>? TryParseTemplate(string template, int index, string? zone, string? region, out string? error)
    {
        var rendered = Render(template, index, zone, region, out error);
        return rendered is null ? null : TryParse(rendered, out error);
    }

    /// <summary>Replaces <c>{index}</c>, <c>{index%N}</c>, <c>{zone}</c> and <c>{region}</c>; other braces are left to the parser.</summary>
    public static string? Render(string template, int index, string? zone, string? region, out string? error)
    {
        string? failure = null;
        var rendered = Placeholder().Replace(template, match =>
        {
            var name = match.Groups["name"].Value;
            if (name == "index")
            {
                if (!match.Groups["mod"].Success)
                {
                    return index.ToString(CultureInfo.InvariantCulture);
                }

                if (!int.TryParse(match.Groups["mod"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var modulus) || modulus < 1)
                {
                    failure ??= $"{match.Value}: the modulus must be a whole number of at least 1";
                    return match.Value;
                }

                return (index % modulus).ToString(CultureInfo.InvariantCulture);
            }

            var value = name == "zone" ? zone : region;
            if (value is null)
            {
                failure ??= $"{match.Value} needs agents with fault domains (--zones N)";
                return match.Value;
            }

            return value;
        });
        error = failure;
        return failure is null ? rendered : null;
    }

    /// <summary>Parses Mesos attribute text; null with a one-line <paramref name="error"/> when it is not valid.</summary>
    public static List<Attribute>? TryParse(string text, out string? error)
    {
        var attributes = new List<Attribute>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in text.Split(';'))
        {
            var pair = raw.Trim();
            if (pair.Length == 0)
            {
                continue;
            }

            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                error = $"'{pair}' is not name:value";
                return null;
            }

            var name = pair[..colon].Trim();
            var value = pair[(colon + 1)..].Trim();
            if (!IsText(name))
            {
                error = $"attribute name '{name}' must be non-empty and use only a-z A-Z 0-9 _ / . -";
                return null;
            }

            if (!names.Add(name))
            {
                error = $"attribute '{name}' is given twice";
                return null;
            }

            var attribute = ParseValue(name, value, out error);
            if (attribute is null)
            {
                return null;
            }

            attributes.Add(attribute);
        }

        error = null;
        return attributes;
    }

    private static Attribute? ParseValue(string name, string value, out string? error)
    {
        error = null;
        if (value.Length == 0)
        {
            error = $"attribute '{name}' has no value";
            return null;
        }

        if (value.StartsWith('['))
        {
            var ranges = ParseRanges(value);
            if (ranges is null)
            {
                error = $"attribute '{name}': '{value}' is not ranges such as [1-4,8-9] (whole numbers, begin <= end)";
                return null;
            }

            return new Attribute { Name = name, Type = Value.Types.Type.Ranges, Ranges = ranges };
        }

        if (value.StartsWith('{') && value.EndsWith('}'))
        {
            error = $"attribute '{name}': set values such as {value} are not allowed for agent attributes (Mesos takes scalars, ranges and text)";
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return new Attribute { Name = name, Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = number } };
        }

        if (!IsText(value))
        {
            error = value.Contains('{', StringComparison.Ordinal)
                ? $"attribute '{name}': '{value}' has an unknown placeholder; use {{index}}, {{index%N}}, {{zone}} or {{region}}"
                : $"attribute '{name}': text value '{value}' may use only a-z A-Z 0-9 _ / . -";
            return null;
        }

        return new Attribute { Name = name, Type = Value.Types.Type.Text, Text = new Value.Types.Text { Value = value } };
    }

    private static Value.Types.Ranges? ParseRanges(string value)
    {
        if (!value.EndsWith(']') || value.Length < 3)
        {
            return null;
        }

        var ranges = new Value.Types.Ranges();
        foreach (var part in value[1..^1].Split(','))
        {
            var bounds = part.Trim().Split('-');
            if (bounds.Length != 2
                || !ulong.TryParse(bounds[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var begin)
                || !ulong.TryParse(bounds[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var end)
                || begin > end)
            {
                return null;
            }

            ranges.Range.Add(new Value.Types.Range { Begin = begin, End = end });
        }

        return ranges;
    }

    private static bool IsText(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '/' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"\{(?:(?<name>index)(?:%(?<mod>[^}]*))?|(?<name>zone|region))\}")]
    private static partial Regex Placeholder();
}
