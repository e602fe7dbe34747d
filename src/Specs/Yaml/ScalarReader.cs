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

    /// <summary>An integer in [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public static int? Integer(SpecNode node, string path, MappingContext context, int minimum, int maximum)
    {
        if (node is ScalarNode { IsNull: false } scalar &&
            int.TryParse(scalar.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) &&
            value >= minimum && value <= maximum)
        {
            return value;
        }

        context.Error(node, path, $"expected an integer from {minimum} to {maximum}, found {node.Describe()}");
        return null;
    }

    public static long? Long(SpecNode node, string path, MappingContext context, long minimum)
    {
        if (node is ScalarNode { IsNull: false } scalar &&
            long.TryParse(scalar.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) &&
            value >= minimum)
        {
            return value;
        }

        context.Error(node, path, $"expected an integer >= {minimum}, found {node.Describe()}");
        return null;
    }

    /// <summary>
    /// A number of GPUs: a whole number >= 0 (written <c>1</c>, or <c>1.0</c>). Mesos refuses a task or reservation with
    /// a fractional <c>gpus</c> ("The 'gpus' resource must be an unsigned integer"), so the spec does too.
    /// </summary>
    public static double? Gpus(SpecNode node, string path, MappingContext context)
    {
        if (node is ScalarNode { IsNull: false } scalar && TryNumber(scalar.Value, out var value) && value >= 0 && value == Math.Floor(value))
        {
            return value;
        }

        context.Error(node, path, $"expected a whole number of GPUs >= 0 (Mesos does not share a GPU between tasks), found {node.Describe()}");
        return null;
    }

    /// <summary>A string without line breaks or surrounding blanks that is not empty, e.g. an id or a path.</summary>
    public static string? Token(SpecNode node, string path, MappingContext context, string expected)
    {
        var value = String(node, path, context, expected);
        if (value is not null && (value.Trim() != value || value.Contains('\n')))
        {
            context.Error(node, path, $"expected {expected} without surrounding blanks or line breaks, found {SourceQuote.Of(value)}");
            return null;
        }

        return value;
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

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

    /// <summary>
    /// A number of cpus, counted as Mesos counts scalar resources: in thousandths, rounded half away from zero (0.0125 is
    /// 0.013). The evaluator then sees what the master will reserve, so pods that sum to exactly an agent's cpus before
    /// rounding are not accepted by one and refused by the other. Rounding rather than refusing keeps stored configs that
    /// carry more decimals loadable. A value that rounds to nothing is refused.
    /// </summary>
    public static double? Cpus(SpecNode node, string path, MappingContext context)
    {
        if (PositiveNumber(node, path, context) is not { } value)
        {
            return null;
        }

        var counted = Math.Round(value, 3, MidpointRounding.AwayFromZero);
        if (counted <= 0)
        {
            context.Error(node, path, $"expected a number >= 0.001 (Mesos counts cpus in thousandths), found {node.Describe()}");
            return null;
        }

        return counted;
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

    /// <summary>One of <paramref name="words"/>, matched exactly.</summary>
    public static string? OneOf(SpecNode node, string path, MappingContext context, ImmutableArray<string> words)
    {
        if (node is ScalarNode { IsNull: false } scalar && words.Contains(scalar.Value.Trim()))
        {
            return scalar.Value.Trim();
        }

        context.Error(node, path, $"expected one of {string.Join(", ", words)}, found {node.Describe()}");
        return null;
    }

    /// <summary>One of <paramref name="names"/>, matched exactly (the first name of each value is the one shown).</summary>
    public static T? Choice<T>(SpecNode node, string path, MappingContext context, ImmutableArray<(string Name, T Value)> names, bool ignoreCase = false)
        where T : struct
    {
        if (node is ScalarNode { IsNull: false } scalar)
        {
            foreach (var (name, value) in names)
            {
                if (string.Equals(name, scalar.Value.Trim(), ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
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
