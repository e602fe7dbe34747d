using System.Collections.Immutable;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// One resource set of a pod instance as the runtime reserves it (DC/OS reserves per resource set, not per task):
/// a new footprint reserves it once, and every launch of any task naming it (an init task, then the server) runs on
/// those same reservations. A task with inline resources has a set of its own (<c>&lt;task&gt;-resource-set</c>).
/// </summary>
/// <param name="Id">The set id (<see cref="TaskSpec.ResourceSetId"/>).</param>
/// <param name="PodInstance">The pod instance, e.g. <c>db-0</c>.</param>
/// <param name="Spec">The first task of the set: its cpus, memory, volumes and ports are the set's.</param>
/// <param name="TaskNames">Full names of the tasks that run on the set, in spec order.</param>
public sealed record PodResourceSet(string Id, string PodInstance, TaskSpec Spec, ImmutableArray<string> TaskNames)
{
    /// <summary>The <see cref="Resources.OwnerLabel"/> of its reservations: <c>&lt;pod&gt;-&lt;index&gt;-&lt;id&gt;</c>.</summary>
    public string Owner { get; } = $"{PodInstance}-{Id}";

    /// <summary>The pod's resource sets that some task uses, in the order of their first task.</summary>
    public static ImmutableArray<PodResourceSet> Of(PodSpec pod, int index) =>
        pod.Tasks
            .GroupBy(t => t.ResourceSetId, StringComparer.Ordinal)
            .Select(g => new PodResourceSet(
                g.Key,
                PodNames.Instance(pod.Type, index),
                g.First(),
                g.Select(t => PodNames.Task(pod.Type, index, t.Name)).ToImmutableArray()))
            .ToImmutableArray();

    /// <summary>"hello-0-server" for a task's own set, "resource set 'db' of db-0 (db-0-init, db-0-server)" for a shared one.</summary>
    public string Description => Spec.ResourceSet is null
        ? TaskNames[0]
        : $"resource set '{Id}' of {PodInstance} ({string.Join(", ", TaskNames)})";

    /// <summary>
    /// The reservation is this set's: its owner label names the set, or, in footprints recorded before reservations
    /// were keyed by resource set, the one task of an inline set.
    /// </summary>
    public bool Owns(Resource resource) =>
        Resources.Owner(resource) is { } owner && (owner == Owner || (Spec.ResourceSet is null && owner == TaskNames[0]));
}
