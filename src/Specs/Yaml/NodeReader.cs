using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace ActorScheduler.Specs.Yaml;

/// <summary>Typed, located reads of YAML nodes; every problem becomes a <see cref="SpecError"/>, none throws.</summary>
internal sealed class NodeReader(string file)
{
    public List<SpecError> Errors { get; } = new();

    public void Error(YamlNode node, string path, string message) =>
        Errors.Add(new SpecError(file, (int)node.Start.Line, (int)node.Start.Column, path, message));

    public YamlMappingNode? Mapping(YamlNode node, string path)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }

        Error(node, path, $"expected a mapping, found {Describe(node)}");
        return null;
    }

    /// <summary>The mapping's entries by key; reports unknown keys (with the allowed ones) and missing required keys.</summary>
    public Dictionary<string, YamlNode> Entries(YamlMappingNode mapping, string path, string[] allowed, string[] required)
    {
        var entries = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (!allowed.Contains(key))
            {
                Error(keyNode, Join(path, key), $"unknown key '{key}'; expected one of: {string.Join(", ", allowed)}");
                continue;
            }

            entries[key] = value;
        }

        foreach (var key in required.Where(k => !entries.ContainsKey(k)))
        {
            Error(mapping, path.Length == 0 ? key : path, $"missing required key '{key}'");
        }

        return entries;
    }

    public string? String(YamlNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } value })
        {
            return value;
        }

        Error(node, path, $"expected a string, found {Describe(node)}");
        return null;
    }

    public string? NonEmptyString(YamlNode? node, string path)
    {
        var value = String(node, path);
        if (value is not null && value.Trim().Length == 0)
        {
            Error(node!, path, "expected a non-empty string, found an empty one");
            return null;
        }

        return value;
    }

    public int? Int(YamlNode? node, string path, int min)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            Error(node!, path, $"expected an integer, found '{text}'");
            return null;
        }

        if (value < min)
        {
            Error(node!, path, $"expected an integer >= {min}, found {value}");
            return null;
        }

        return value;
    }

    public double? PositiveDouble(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || double.IsInfinity(value))
        {
            Error(node!, path, $"expected a number, found '{text}'");
            return null;
        }

        if (value <= 0)
        {
            Error(node!, path, $"expected a number > 0, found {text}");
            return null;
        }

        return value;
    }

    public bool? Bool(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Error(node!, path, $"expected true or false, found '{text}'");
        return null;
    }

    /// <summary>One of <paramref name="choices"/> (case-insensitive), mapped to its value.</summary>
    public T? Choice<T>(YamlNode? node, string path, IReadOnlyDictionary<string, T> choices)
        where T : struct
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        Error(node!, path, $"expected one of {string.Join(", ", choices.Keys)}, found '{text}'");
        return null;
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" } => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an unsupported node",
    };
}
