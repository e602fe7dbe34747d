using System.Collections.Immutable;
using System.Globalization;

namespace ActorScheduler.Specs.Yaml;

/// <summary>Converts scalar nodes to typed values, reporting "expected …, found …" errors; null means "reported".</summary>
internal static class ScalarReader
{
    public static string? String(SpecNode node, string path, MappingContext context, string expected = "a string")
    {
        if (node is ScalarNode { IsNull: false } scalar && scalar.Value.Trim().Length > 0)
        {
            return scalar.Value;
        }

        context.Error(node, path, $"expected {expected}, found {node.Describe()}");
        return null;
    }

    public static int? Integer(SpecNode node, string path, MappingContext context, int minimum)
    {
        var expected = minimum == 0 ? "an integer >= 0" : $"an integer >= {minimum}";
        if (node is ScalarNode { IsNull: false } scalar &&
            int.TryParse(scalar.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) &&
            value >= minimum)
        {
            return value;
        }

        context.Error(node, path, $"expected {expected}, found {node.Describe()}");
        return null;
    }

    public static double? PositiveNumber(SpecNode node, string path, MappingContext context)
    {
        if (node is ScalarNode { IsNull: false } scalar &&
            double.TryParse(scalar.Value.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var value) &&
            double.IsFinite(value) && value > 0)
        {
            return value;
        }

        context.Error(node, path, $"expected a number > 0, found {node.Describe()}");
        return null;
    }

    public static bool? Boolean(SpecNode node, string path, MappingContext context)
    {
        if (node is ScalarNode { IsNull: false } scalar)
        {
            var text = scalar.Value.Trim();
            if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        context.Error(node, path, $"expected true or false, found {node.Describe()}");
        return null;
    }

    /// <summary>One of <paramref name="names"/>, matched exactly (the first name of each value is the one shown).</summary>
    public static T? Choice<T>(SpecNode node, string path, MappingContext context, ImmutableArray<(string Name, T Value)> names)
        where T : struct
    {
        if (node is ScalarNode { IsNull: false } scalar)
        {
            foreach (var (name, value) in names)
            {
                if (name == scalar.Value.Trim())
                {
                    return value;
                }
            }
        }

        var shown = names.DistinctBy(n => n.Value).Select(n => n.Name);
        context.Error(node, path, $"expected one of {string.Join(", ", shown)}, found {node.Describe()}");
        return null;
    }
}
