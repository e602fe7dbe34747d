using System.Collections.Immutable;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// Reads one YAML mapping that has a fixed set of keys. Opening it reports every key that is not allowed, with a
/// suggestion when it looks like a typo; <see cref="Required"/> reports missing keys.
/// </summary>
internal sealed class MappingReader
{
    private readonly MappingNode _node;
    private readonly MappingContext _context;

    private MappingReader(MappingNode node, string path, MappingContext context)
    {
        _node = node;
        Path = path;
        _context = context;
    }

    public string Path { get; }

    /// <summary>
    /// Opens <paramref name="node"/> as a mapping with the given keys, or reports what was found instead and returns null.
    /// </summary>
    /// <param name="what">What the mapping is, for the error message: "a pod", "a task", …</param>
    public static MappingReader? Open(
        SpecNode node,
        string path,
        MappingContext context,
        string what,
        ImmutableArray<string> allowedKeys)
    {
        if (node is not MappingNode mapping)
        {
            context.Error(node, path, $"expected {what} (a mapping of {string.Join(", ", allowedKeys)}), found {node.Describe()}");
            return null;
        }

        foreach (var entry in mapping.Entries)
        {
            var key = entry.Key.Value;
            if (allowedKeys.Contains(key))
            {
                continue;
            }

            context.Error(entry.Key, KeyPath.Child(path, key), $"unknown key '{key}'{Suggest(key, allowedKeys)}; " +
                                                               $"expected one of: {string.Join(", ", allowedKeys)}");
        }

        return new MappingReader(mapping, path, context);
    }

    public string PathOf(string key) => KeyPath.Child(Path, key);

    public SpecNode? Optional(string key)
    {
        foreach (var entry in _node.Entries)
        {
            if (entry.Key.Value == key)
            {
                return entry.Value;
            }
        }

        return null;
    }

    /// <summary>The value of <paramref name="key"/>, or null after reporting it missing (at the mapping's position).</summary>
    /// <param name="expected">What the value should be, e.g. "an integer >= 0".</param>
    public SpecNode? Required(string key, string expected)
    {
        var value = Optional(key);
        if (value is null)
        {
            _context.Error(_node.Position, PathOf(key), $"required key '{key}' is missing; expected {expected}");
        }

        return value;
    }

    public ScalarNode? KeyNode(string key)
    {
        foreach (var entry in _node.Entries)
        {
            if (entry.Key.Value == key)
            {
                return entry.Key;
            }
        }

        return null;
    }

    /// <summary>" (did you mean 'cpus'?)" when a key is one edit or a case change away from an allowed one.</summary>
    private static string Suggest(string key, ImmutableArray<string> allowedKeys)
    {
        foreach (var allowed in allowedKeys)
        {
            if (string.Equals(allowed, key, StringComparison.OrdinalIgnoreCase) || EditDistance(allowed, key) <= 1 ||
                (allowed.Length > 3 && EditDistance(allowed, key) <= 2))
            {
                return $" (did you mean '{allowed}'?)";
            }
        }

        return "";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
