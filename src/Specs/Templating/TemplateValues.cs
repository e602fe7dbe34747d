using System.Collections.Immutable;

namespace ActorScheduler.Specs.Templating;

/// <summary>
/// Merges template values, lowest precedence first: the defaults file, then environment variables (only those the
/// template references), then explicit <c>-o KEY=VALUE</c> overrides.
/// </summary>
internal static class TemplateValues
{
    public static ImmutableDictionary<string, string> Merge(
        IReadOnlyDictionary<string, string> defaults,
        IEnumerable<string> referencedNames,
        IReadOnlyDictionary<string, string>? environment,
        IReadOnlyDictionary<string, string>? overrides)
    {
        var merged = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in defaults)
        {
            merged[key] = value;
        }

        foreach (var name in referencedNames)
        {
            var value = environment is null ? Environment.GetEnvironmentVariable(name) : environment.GetValueOrDefault(name);
            if (value is not null)
            {
                merged[name] = value;
            }
        }

        foreach (var (key, value) in overrides ?? ImmutableDictionary<string, string>.Empty)
        {
            merged[key] = value;
        }

        return merged.ToImmutable();
    }
}
