using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// Persistent volumes are reserved on their agent once: no volume of a pod, or of a task that stays, may be added,
/// removed, moved to another path, or change type or size. New pods and new tasks may declare any volumes.
/// </summary>
public sealed class TaskVolumesCannotChange : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (previous is null)
        {
            return [];
        }

        var errors = new List<SpecValidationError>();
        foreach (var old in previous.Pods)
        {
            if (next.FindPod(old.Type) is not { } current)
            {
                continue;
            }

            Compare($"pods.{old.Type}.volumes", old.Volumes, current.Volumes, errors);
            foreach (var oldTask in old.Tasks)
            {
                if (current.FindTask(oldTask.Name) is { } task)
                {
                    Compare($"pods.{old.Type}.tasks.{oldTask.Name}.volumes", oldTask.Volumes, task.Volumes, errors);
                }
            }
        }

        return errors;
    }

    private static void Compare(string field, IEnumerable<VolumeSpec> before, IEnumerable<VolumeSpec> after, List<SpecValidationError> errors)
    {
        var oldByPath = ByPath(before);
        var newByPath = ByPath(after);
        foreach (var path in oldByPath.Keys.Union(newByPath.Keys).Order(StringComparer.Ordinal))
        {
            var old = oldByPath.GetValueOrDefault(path);
            var current = newByPath.GetValueOrDefault(path);
            if (old is not null && current is not null && old.Type == current.Type && old.SizeMb == current.SizeMb &&
                SameProfiles(old, current))
            {
                continue;
            }

            var what = (old, current) switch
            {
                (null, _) => "added",
                (_, null) => "removed",
                _ => "changed",
            };
            errors.Add(SpecValidationError.Change(field, Shown(old), Shown(current),
                $"Volume '{path}' cannot be {what}: persistent volumes cannot change once reserved"));
        }
    }

    private static Dictionary<string, VolumeSpec> ByPath(IEnumerable<VolumeSpec> volumes) =>
        volumes.GroupBy(v => v.Path.TrimEnd('/'), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>The same disk profiles, in any order (DC/OS compares a volume's profiles too).</summary>
    private static bool SameProfiles(VolumeSpec old, VolumeSpec current) =>
        old.Profiles.ToHashSet(StringComparer.Ordinal).SetEquals(current.Profiles);

    private static string? Shown(VolumeSpec? volume) =>
        volume is null ? null
            : $"{volume.Path} ({volume.Type.ToString().ToUpperInvariant()}, {volume.SizeMb} MB{(volume.Profiles.IsEmpty ? "" : $", profiles {string.Join(", ", volume.Profiles)}")})";
}
