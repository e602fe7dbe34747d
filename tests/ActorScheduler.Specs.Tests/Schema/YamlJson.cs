using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ActorScheduler.Specs.Tests.Schema;

/// <summary>
/// Converts one YAML document to JSON the way a YAML 1.2 editor sees it (the core schema): a plain scalar that reads as
/// null, a boolean, an integer or a float becomes that JSON type; every other scalar, and every quoted or block scalar,
/// is a string. Mapping keys are always strings.
/// </summary>
internal static partial class YamlJson
{
    public static JsonNode? Convert(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count switch
        {
            0 => null,
            1 => ToJson(stream.Documents[0].RootNode),
            _ => throw new ArgumentException("expected one YAML document", nameof(yaml)),
        };
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode scalar => Scalar(scalar),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlMappingNode mapping => Mapping(mapping),
        _ => throw new ArgumentException($"unexpected YAML node {node.GetType().Name}", nameof(node)),
    };

    private static JsonObject Mapping(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = key is YamlScalarNode scalar ? scalar.Value ?? "" : throw new ArgumentException("expected scalar mapping keys");
            result.Add(name, ToJson(value));
        }

        return result;
    }

    /// <summary>The core schema's resolution of plain scalars (YAML 1.2.2, §10.3.2); .inf and .nan stay strings (JSON has neither).</summary>
    internal static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(text[0] is 't' or 'T');
        }

        if (DecimalInteger().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? JsonValue.Create(value)
                : JsonValue.Create(double.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }

        if (OctalInteger().IsMatch(text))
        {
            return JsonValue.Create(System.Convert.ToInt64(text[2..], 8));
        }

        if (HexInteger().IsMatch(text))
        {
            return JsonValue.Create(System.Convert.ToInt64(text[2..], 16));
        }

        if (Float().IsMatch(text))
        {
            return JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex("^0o[0-7]+$")]
    private static partial Regex OctalInteger();

    [GeneratedRegex("^0x[0-9a-fA-F]+$")]
    private static partial Regex HexInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
