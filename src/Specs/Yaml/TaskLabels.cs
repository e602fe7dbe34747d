using System.Collections.Immutable;

namespace ActorScheduler.Specs.Yaml;

/// <summary>Reads task <c>labels</c>: a string <c>key:value,key2:value2</c> (a value may contain ':'; keys are unique).</summary>
internal static class TaskLabels
{
    private const string Expected = "labels as 'key:value,key2:value2'";

    public static ImmutableArray<KeyValuePair<string, string>> Read(SpecNode node, string path, MappingContext context)
    {
        if (node is ScalarNode { IsNull: true } || (node is ScalarNode blank && blank.Value.Trim().Length == 0))
        {
            return [];
        }

        if (node is not ScalarNode scalar)
        {
            context.Error(node, path, $"expected {Expected}, found {node.Describe()}");
            return [];
        }

        var labels = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        var entries = scalar.Value.Split(',');
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i].Trim();
            var colon = entry.IndexOf(':');
            var key = colon < 0 ? entry : entry[..colon].Trim();
            string? problem = null;
            if (colon < 0)
            {
                problem = entry.Length == 0 ? "is empty" : $"'{entry}' has no ':' between key and value";
            }
            else if (key.Length == 0)
            {
                problem = $"'{entry}' has an empty key";
            }
            else if (labels.Any(l => l.Key == key))
            {
                problem = $"repeats the key '{key}'";
            }

            if (problem is not null)
            {
                context.Error(node, path, $"expected {Expected}; label {i + 1} {problem}");
                continue;
            }

            labels.Add(new KeyValuePair<string, string>(key, entry[(colon + 1)..].Trim()));
        }

        return labels.ToImmutable();
    }
}
