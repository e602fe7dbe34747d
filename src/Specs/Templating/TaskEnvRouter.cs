using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Templating;

/// <summary>
/// Routes scheduler environment variables into task environments, as DC/OS does: <c>TASKCFG_ALL_&lt;KEY&gt;=V</c> reaches
/// every task as <c>KEY=V</c>, <c>TASKCFG_&lt;POD&gt;_&lt;KEY&gt;=V</c> the tasks of pod type POD (upper case, '-' as '_').
/// Routed values override the spec's own <c>env</c>; a pod-specific value overrides an ALL value.
/// </summary>
public static class TaskEnvRouter
{
    public const string Prefix = "TASKCFG_";
    private const string AllPods = "ALL";

    /// <summary>The variables of <paramref name="environment"/> that shape a spec: <c>TASKCFG_*</c> and <see cref="ServiceSpecLoader.RegionVariable"/>.</summary>
    public static ImmutableSortedDictionary<string, string> Capture(IEnumerable<KeyValuePair<string, string>> environment) =>
        environment.Where(e => e.Key.StartsWith(Prefix, StringComparison.Ordinal) || e.Key == ServiceSpecLoader.RegionVariable)
            .ToImmutableSortedDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    /// <summary>Applies captured scheduler variables: routes TASKCFG values into tasks and sets the region.</summary>
    public static ServiceSpec ApplyCaptured(ServiceSpec spec, IReadOnlyDictionary<string, string> captured)
    {
        var routed = Apply(spec, captured);
        return captured.TryGetValue(ServiceSpecLoader.RegionVariable, out var region) && region.Trim().Length > 0 ? routed with { Region = region.Trim() } : routed;
    }

    private static ServiceSpec Apply(ServiceSpec spec, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var all = new List<KeyValuePair<string, string>>();
        var byPod = new Dictionary<string, List<KeyValuePair<string, string>>>(StringComparer.Ordinal);
        foreach (var (name, value) in environment.Where(e => e.Key.StartsWith(Prefix, StringComparison.Ordinal)).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var rest = name[Prefix.Length..];
            if (rest.StartsWith(AllPods + "_", StringComparison.Ordinal) && rest.Length > AllPods.Length + 1)
            {
                all.Add(new(rest[(AllPods.Length + 1)..], value));
                continue;
            }

            foreach (var pod in spec.Pods)
            {
                var podPrefix = EnvName(pod.Type) + "_";
                if (rest.StartsWith(podPrefix, StringComparison.Ordinal) && rest.Length > podPrefix.Length)
                {
                    if (!byPod.TryGetValue(pod.Type, out var list))
                    {
                        byPod[pod.Type] = list = [];
                    }

                    list.Add(new(rest[podPrefix.Length..], value));
                }
            }
        }

        if (all.Count == 0 && byPod.Count == 0)
        {
            return spec;
        }

        var pods = spec.Pods.Select(pod =>
        {
            var routed = all.Concat(byPod.GetValueOrDefault(pod.Type) ?? []).ToList();
            return routed.Count == 0 ? pod : pod with { Tasks = [.. pod.Tasks.Select(task => task with { Env = Merge(task.Env, routed) })] };
        });
        return spec with { Pods = [.. pods] };
    }

    /// <summary>The pod type as it appears in a TASKCFG name: <c>data-node</c> → <c>DATA_NODE</c>.</summary>
    public static string EnvName(string podType) => podType.ToUpperInvariant().Replace('-', '_');

    private static ImmutableArray<KeyValuePair<string, string>> Merge(
        ImmutableArray<KeyValuePair<string, string>> env,
        List<KeyValuePair<string, string>> routed)
    {
        var merged = env.ToList();
        foreach (var (key, value) in routed)
        {
            var index = merged.FindIndex(e => e.Key == key);
            if (index >= 0)
            {
                merged[index] = new(key, value);
            }
            else
            {
                merged.Add(new(key, value));
            }
        }

        return [.. merged];
    }
}
