using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tls;

/// <summary>
/// The evaluation stage of transport encryption (DC/OS <c>TLSEvaluationStage</c>), in both pipelines: each launched
/// task with <c>transport-encryption</c> gets its artifacts, which the pod brought from the service CA in its
/// requirement, as secret files (<see cref="ContainerInfoBuilder.AddTransportEncryption"/>); without them the offer
/// fails with why. Pods without transport encryption pass without a word and without an allocation.
/// </summary>
public static class TlsEvaluationStage
{
    /// <summary>Whether one of <paramref name="tasks"/> of <paramref name="pod"/> has <c>transport-encryption</c>.</summary>
    public static bool Uses(PodSpec pod, ImmutableArray<string> tasks)
    {
        foreach (var task in pod.Tasks)
        {
            if (!task.TransportEncryption.IsDefaultOrEmpty && tasks.Contains(task.Name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Explains the stage for <paramref name="launching"/>; false when a task lacks its artifacts.</summary>
    public static bool Evaluate(PodRequirement requirement, List<TaskSpec> launching, List<string> explanation)
    {
        foreach (var task in launching)
        {
            if (task.TransportEncryption.IsDefaultOrEmpty)
            {
                continue;
            }

            var instance = PodNames.Task(requirement.Pod.Type, requirement.Index, task.Name);
            var missing = task.TransportEncryption.Where(e => !requirement.Tls.Any(t => t.Task == task.Name && t.Name == e.Name)).ToList();
            if (missing.Count > 0)
            {
                explanation.Add($"FAIL(TLSEvaluationStage): no TLS artifacts for {instance} ({string.Join(", ", missing.Select(Describe))}): "
                    + (requirement.TlsRefusal ?? "the service CA has not issued them"));
                return false;
            }

            var files = task.TransportEncryption.SelectMany(e => requirement.Tls.First(t => t.Task == task.Name && t.Name == e.Name).Artifacts.Files(e.Name, e.Type)).Select(f => f.Path);
            explanation.Add($"PASS(TLSEvaluationStage): {instance} gets {string.Join(", ", files)} (certificate signed by the service CA for its SAN set)");
        }

        return true;
    }

    private static string Describe(TransportEncryptionSpec spec) => $"{spec.Name} {(spec.Type == TransportEncryptionType.Tls ? "TLS" : "KEYSTORE")}";
}
