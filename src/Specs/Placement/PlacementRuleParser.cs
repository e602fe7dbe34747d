using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ActorScheduler.Specs.Placement;

/// <summary>
/// Parses Marathon-style placement constraints into a <see cref="PlacementRule"/>, in any of their three forms:
/// <c>[["hostname","UNIQUE"],["@zone","GROUP_BY","3"]]</c>, a single row <c>["hostname","UNIQUE"]</c>, or
/// <c>hostname:UNIQUE,@zone:GROUP_BY:3</c> (a backslash escapes the next character). Rows are ANDed. Fields:
/// <c>hostname</c> / <c>@hostname</c>, <c>@zone</c>, <c>@region</c>, anything else an agent attribute. Operators
/// (any case): UNIQUE, CLUSTER p, GROUP_BY [n], LIKE re, UNLIKE re, MAX_PER n, IS p, IS_NOT p. Never throws.
/// </summary>
public static class PlacementRuleParser
{
    private const string Operators = "UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS, IS_NOT";

    private sealed record Row(int Number, string Display, ImmutableArray<string> Tokens);

    /// <param name="constraints">The constraint text; null, blank or <c>[]</c> means no rule.</param>
    /// <param name="podType">The pod type the rule is for: counting rules (UNIQUE, MAX_PER, GROUP_BY) count its
    /// instances only. Null counts every pod instance of the service.</param>
    public static PlacementParseResult Parse(string? constraints, string? podType = null)
    {
        var text = constraints?.Trim() ?? "";
        if (text.Length == 0)
        {
            return new PlacementParseResult(null, []);
        }

        var errors = ImmutableArray.CreateBuilder<string>();
        var rows = text[0] is '[' or '{' ? ReadJsonRows(text, errors) : ReadColonRows(text, errors);
        var rules = ImmutableArray.CreateBuilder<PlacementRule>();
        foreach (var row in rows)
        {
            if (ToRule(row, podType, errors) is { } rowRule)
            {
                rules.Add(rowRule);
            }
        }

        if (errors.Count > 0)
        {
            return new PlacementParseResult(null, errors.ToImmutable());
        }

        var rule = rules.Count switch
        {
            0 => null,
            1 => rules[0],
            _ => new AndRule(rules.ToImmutable()),
        };
        return new PlacementParseResult(rule, []);
    }

    private static List<Row> ReadJsonRows(string text, ImmutableArray<string>.Builder errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            var at = e.BytePositionInLine is { } position ? $" at character {position + 1}" : "";
            errors.Add($"expected a JSON list of rows such as [[\"hostname\", \"UNIQUE\"]], but the JSON is invalid{at}: {FirstSentence(e.Message)}");
            return [];
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"expected a JSON list of rows such as [[\"hostname\", \"UNIQUE\"]], found {Kind(root)}");
                return [];
            }

            var items = root.EnumerateArray().ToList();
            if (items.Count == 0)
            {
                return [];
            }

            if (items[0].ValueKind != JsonValueKind.Array)
            {
                var single = ReadJsonRow(root, 1, errors);
                return single is null ? [] : [single];
            }

            var rows = new List<Row>();
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i].ValueKind != JsonValueKind.Array)
                {
                    errors.Add($"row {i + 1}: expected a list such as [\"hostname\", \"UNIQUE\"], found {Kind(items[i])}");
                    continue;
                }

                var row = ReadJsonRow(items[i], i + 1, errors);
                if (row is not null)
                {
                    rows.Add(row);
                }
            }

            return rows;
        }
    }

    private static Row? ReadJsonRow(JsonElement row, int number, ImmutableArray<string>.Builder errors)
    {
        var display = row.GetRawText();
        var tokens = ImmutableArray.CreateBuilder<string>();
        var index = 0;
        foreach (var item in row.EnumerateArray())
        {
            index++;
            switch (item.ValueKind)
            {
                case JsonValueKind.String:
                    tokens.Add(item.GetString()!.Trim());
                    break;
                case JsonValueKind.Number:
                    tokens.Add(item.GetRawText());
                    break;
                default:
                    errors.Add($"row {number} ({display}): item {index} should be a string, found {Kind(item)}");
                    return null;
            }
        }

        return new Row(number, display, tokens.ToImmutable());
    }

    private static List<Row> ReadColonRows(string text, ImmutableArray<string>.Builder errors)
    {
        var rows = new List<Row>();
        var tokens = ImmutableArray.CreateBuilder<string>();
        var token = new StringBuilder();
        var rowStart = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ',')
            {
                tokens.Add(token.ToString().Trim());
                token.Clear();
                var display = text[rowStart..i].Trim();
                if (display.Length == 0)
                {
                    errors.Add($"row {rows.Count + 1} is empty; expected field:OPERATOR[:parameter] between commas");
                }

                rows.Add(new Row(rows.Count + 1, display, tokens.ToImmutable()));
                tokens.Clear();
                rowStart = i + 1;
            }
            else if (text[i] == ':')
            {
                tokens.Add(token.ToString().Trim());
                token.Clear();
            }
            else if (text[i] == '\\')
            {
                // As Marathon's parser: a backslash escapes a separator (',' or ':'); before anything else, and at the
                // end, it stays with what follows, so 'rack:LIKE:rack-\d+' keeps its regular expression.
                if (i + 1 < text.Length && text[i + 1] is ',' or ':')
                {
                    token.Append(text[++i]);
                }
                else
                {
                    token.Append('\\');
                    if (i + 1 < text.Length)
                    {
                        token.Append(text[++i]);
                    }
                }
            }
            else
            {
                token.Append(text[i]);
            }
        }

        return rows.Where(r => r.Display.Length > 0).ToList();
    }

    private static PlacementRule? ToRule(Row row, string? podType, ImmutableArray<string>.Builder errors)
    {
        var prefix = $"row {row.Number} ({row.Display})";
        if (row.Tokens.Length < 2)
        {
            errors.Add($"{prefix}: expected a field and an operator, found only '{row.Tokens.FirstOrDefault()}'");
            return null;
        }

        if (row.Tokens.Length > 3)
        {
            errors.Add($"{prefix}: expected a field, an operator and at most one parameter, found {row.Tokens.Length} parts");
            return null;
        }

        var fieldName = row.Tokens[0];
        if (fieldName.Length == 0)
        {
            errors.Add($"{prefix}: the field is empty; expected hostname, @zone, @region or an agent attribute name");
            return null;
        }

        var field = fieldName switch
        {
            "hostname" or "@hostname" => PlacementField.Hostname,
            "@zone" => PlacementField.Zone,
            "@region" => PlacementField.Region,
            _ => PlacementField.Attribute(fieldName),
        };
        var op = row.Tokens[1].ToUpperInvariant();
        var parameter = row.Tokens.Length == 3 ? row.Tokens[2] : null;

        switch (op)
        {
            case "UNIQUE":
                return NoParameter(op, parameter, prefix, errors) ? MaxPer(field, 1, podType) : null;
            case "CLUSTER" or "IS":
                return RequiredParameter(op, parameter, "a value", prefix, errors) is { } exact
                    ? new FieldMatchRule(field, new ExactMatcher(exact))
                    : null;
            case "IS_NOT":
                return RequiredParameter(op, parameter, "a value", prefix, errors) is { } other
                    ? new FieldMatchRule(field, new InvertedExactMatcher(other))
                    : null;
            case "LIKE" or "UNLIKE":
                var pattern = RequiredParameter(op, parameter, "a regular expression", prefix, errors);
                if (pattern is null)
                {
                    return null;
                }

                if (RegexMatcher.Check(pattern) is { } problem)
                {
                    errors.Add($"{prefix}: {op} expects a regular expression, '{pattern}' is not one: {problem}");
                    return null;
                }

                var like = new FieldMatchRule(field, new RegexMatcher(pattern));
                return op == "LIKE" ? like : new NotRule(like);
            case "MAX_PER":
                var max = RequiredParameter(op, parameter, "a number >= 1", prefix, errors);
                return max is null ? null : Count(op, max, prefix, errors) is { } limit ? MaxPer(field, limit, podType) : null;
            case "GROUP_BY":
                if (parameter is null)
                {
                    return new RoundRobinRule(field, null, podType);
                }

                return Count(op, parameter, prefix, errors) is { } values ? new RoundRobinRule(field, values, podType) : null;
            default:
                errors.Add($"{prefix}: unknown operator '{row.Tokens[1]}'; expected one of {Operators}");
                return null;
        }
    }

    /// <summary>
    /// UNIQUE and MAX_PER: every agent has a hostname, and zone and region rules are about agents that have them; an
    /// attribute must also be present (as DC/OS builds it), so agents without it do not take unlimited instances.
    /// </summary>
    private static PlacementRule MaxPer(PlacementField field, int max, string? podType)
    {
        var rule = new MaxPerRule(field, max, podType);
        return field.IsAttribute ? new AndRule([new FieldMatchRule(field, AnyMatcher.Instance), rule]) : rule;
    }

    private static bool NoParameter(string op, string? parameter, string prefix, ImmutableArray<string>.Builder errors)
    {
        if (parameter is null)
        {
            return true;
        }

        errors.Add($"{prefix}: {op} takes no parameter, found {SourceQuote.Of(parameter)}");
        return false;
    }

    private static string? RequiredParameter(string op, string? parameter, string expected, string prefix, ImmutableArray<string>.Builder errors)
    {
        if (!string.IsNullOrEmpty(parameter))
        {
            return parameter;
        }

        errors.Add($"{prefix}: {op} expects a parameter ({expected}) after the operator");
        return null;
    }

    private static int? Count(string op, string parameter, string prefix, ImmutableArray<string>.Builder errors)
    {
        if (int.TryParse(parameter, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1)
        {
            return value;
        }

        errors.Add($"{prefix}: {op} expects a number >= 1, found {SourceQuote.Of(parameter)}");
        return null;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => $"the string \"{element.GetString()}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.Null => "null",
        _ => element.GetRawText(),
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
