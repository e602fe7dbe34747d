using System.Collections.Immutable;

namespace ActorScheduler.Specs.Yaml;

/// <summary>Reads a mapping of names to entries (<c>ports</c>, <c>networks</c>, <c>secrets</c>, …) in declaration order.</summary>
internal static class NamedMapping
{
    /// <summary>
    /// Entries of <paramref name="node"/> read by <paramref name="readEntry"/> (which reports its own errors and returns
    /// null for a bad entry). Absent or empty means none; anything but a mapping is reported.
    /// </summary>
    /// <param name="what">What the mapping holds, e.g. "port names to ports".</param>
    public static ImmutableArray<T> Read<T>(
        SpecNode? node,
        string path,
        MappingContext context,
        string what,
        Func<ScalarNode, SpecNode, string, T?> readEntry)
        where T : class
    {
        if (node is null or ScalarNode { IsNull: true })
        {
            return [];
        }

        if (node is not MappingNode mapping)
        {
            context.Error(node, path, $"expected a mapping of {what}, found {node.Describe()}");
            return [];
        }

        var items = ImmutableArray.CreateBuilder<T>();
        foreach (var entry in mapping.Entries)
        {
            var item = readEntry(entry.Key, entry.Value, KeyPath.Child(path, entry.Key.Value));
            if (item is not null)
            {
                items.Add(item);
            }
        }

        return items.ToImmutable();
    }

    /// <summary>Items of a list read by <paramref name="readItem"/>; absent or empty means none.</summary>
    public static ImmutableArray<T> ReadList<T>(
        SpecNode? node,
        string path,
        MappingContext context,
        string what,
        Func<SpecNode, string, T?> readItem)
        where T : class
    {
        if (node is null or ScalarNode { IsNull: true })
        {
            return [];
        }

        if (node is not SequenceNode list)
        {
            context.Error(node, path, $"expected a list of {what}, found {node.Describe()}");
            return [];
        }

        var items = ImmutableArray.CreateBuilder<T>();
        for (var i = 0; i < list.Items.Length; i++)
        {
            var item = readItem(list.Items[i], KeyPath.Item(path, i));
            if (item is not null)
            {
                items.Add(item);
            }
        }

        return items.ToImmutable();
    }
}
