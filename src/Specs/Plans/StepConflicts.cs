using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Plans;

/// <summary>
/// Why tasks cannot launch together in one step (DC/OS <c>DefaultStepFactory</c> puts such a step in ERROR; we reject
/// the spec instead): two of them use one resource set, which serves a single task at a time, or share a discovery
/// prefix, which names a single task.
/// </summary>
internal static class StepConflicts
{
    /// <summary>A sentence describing the first conflict among <paramref name="tasks"/> of <paramref name="pod"/>, or null.</summary>
    public static string? Find(PodSpec pod, IReadOnlyList<string> tasks)
    {
        var specs = tasks.Select(pod.FindTask).OfType<TaskSpec>().ToList();
        foreach (var group in specs.GroupBy(t => t.ResourceSetId, StringComparer.Ordinal))
        {
            var names = group.Select(t => t.Name).ToList();
            if (names.Count > 1)
            {
                return $"tasks {Quote(names)} both use resource set '{group.Key}', which serves one task at a time";
            }
        }

        foreach (var group in specs.Where(t => t.Discovery?.Prefix is not null).GroupBy(t => t.Discovery!.Prefix!, StringComparer.Ordinal))
        {
            var names = group.Select(t => t.Name).ToList();
            if (names.Count > 1)
            {
                return $"tasks {Quote(names)} both use discovery prefix '{group.Key}', which names one task";
            }
        }

        return null;
    }

    private static string Quote(IEnumerable<string> names) => string.Join(" and ", names.Select(n => $"'{n}'"));
}
