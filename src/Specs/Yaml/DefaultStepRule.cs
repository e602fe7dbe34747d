using ActorScheduler.Specs.Plans;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// A phase without <c>steps</c> launches all of a pod's tasks in one step per instance; that step is impossible when
/// the tasks share a resource set or discovery prefix, so the operator is told to write the steps out.
/// </summary>
internal static class DefaultStepRule
{
    public static void Check(PodDraft pod, SourcePosition position, string path, MappingContext context)
    {
        var tasks = pod.Spec.Tasks.Select(t => t.Name).ToList();
        if (StepConflicts.Find(pod.Spec, tasks) is { } conflict)
        {
            context.Error(position, path,
                $"without 'steps', each instance of pod '{pod.Spec.Type}' launches all its tasks in one step, but {conflict}; " +
                $"give the phase steps such as '- default: [[{string.Join("], [", tasks)}]]'");
        }
    }
}
