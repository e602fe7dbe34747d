using ActorScheduler.Specs.Model;
using static ActorScheduler.Specs.Validation.SpecValues;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// A <c>resource-limits</c> value for cpus or memory, when set and not <c>unlimited</c>, must be at least what the task
/// or resource set requests (equal is fine): a task could never burst, and Mesos refuses a limit below the request.
/// Checked on resource sets and on tasks with inline resources (a task on a resource set has that set's limits).
/// </summary>
public sealed class ResourceLimitsMustExceedRequestedResources : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        var errors = new List<SpecValidationError>();
        foreach (var pod in next.Pods)
        {
            var old = previous?.FindPod(pod.Type);
            foreach (var set in pod.ResourceSets)
            {
                Check($"pods.{pod.Type}.resource-sets.{set.Id}", $"Resource set '{set.Id}' of pod '{pod.Type}'", set.Cpus, set.MemoryMb, set.Limits,
                    old?.FindResourceSet(set.Id)?.Limits, errors);
            }

            foreach (var task in pod.Tasks.Where(t => t.ResourceSet is null))
            {
                Check($"pods.{pod.Type}.tasks.{task.Name}", $"Task '{task.Name}' of pod '{pod.Type}'", task.Cpus, task.MemoryMb, task.Limits,
                    old?.FindTask(task.Name) is { ResourceSet: null } oldTask ? oldTask.Limits : null, errors);
            }
        }

        return errors;
    }

    private static void Check(string path, string owner, double cpus, int memoryMb, ResourceLimits? limits, ResourceLimits? oldLimits, List<SpecValidationError> errors)
    {
        if (limits is { Cpus: { } cpuLimit, CpusUnlimited: false } && cpuLimit < cpus)
        {
            errors.Add(SpecValidationError.Change($"{path}.resource-limits.cpus", oldLimits?.Cpus is { } oldCpus ? Number(oldCpus) : null, Number(cpuLimit),
                $"{owner} limits cpus to {Number(cpuLimit)} but requests {Number(cpus)}: a limit must be at least the request; " +
                $"raise resource-limits.cpus to {Number(cpus)} or more, set it to 'unlimited', or lower cpus"));
        }

        if (limits is { MemoryMb: { } memoryLimit, MemoryUnlimited: false } && memoryLimit < memoryMb)
        {
            errors.Add(SpecValidationError.Change($"{path}.resource-limits.memory", oldLimits?.MemoryMb is { } oldMemory ? Number(oldMemory) : null,
                Number(memoryLimit),
                $"{owner} limits memory to {Number(memoryLimit)} MB but requests {Number(memoryMb)} MB: a limit must be at least the " +
                $"request; raise resource-limits.memory to {Number(memoryMb)} or more, set it to 'unlimited', or lower memory"));
        }
    }
}
