using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// Opt-in (not in <see cref="SpecValidators.Default"/>): environment variable <c>envKey</c> of task <c>taskName</c> in
/// pod <c>podType</c> keeps its value across updates — for settings baked into data on disk, such as a cluster name.
/// Setting or unsetting it is a change too. Applies while the task exists in both specs; adding or removing the task is
/// left to the other rules.
/// </summary>
public sealed class TaskEnvCannotChange(string podType, string taskName, string envKey) : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (previous?.FindPod(podType)?.FindTask(taskName) is not { } old || next.FindPod(podType)?.FindTask(taskName) is not { } current)
        {
            yield break;
        }

        var before = ValueOf(old);
        var after = ValueOf(current);
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            yield return SpecValidationError.Change($"pods.{podType}.tasks.{taskName}.env.{envKey}", before, after,
                $"Environment variable {envKey} of task '{taskName}' in pod '{podType}' cannot change: this service fixes it once " +
                $"deployed; {(before is null ? "remove it again" : $"set it back to '{before}'")}, or deploy a new service for the new value");
        }
    }

    private string? ValueOf(TaskSpec task) =>
        task.Env.Where(pair => pair.Key == envKey).Select(pair => (string?)pair.Value).LastOrDefault();
}
