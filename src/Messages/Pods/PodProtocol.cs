using System.Collections.Immutable;

namespace ActorScheduler.Messages.Pods;

/// <summary>Queries about pod instances, answered by the pods guardian.</summary>
public static class PodProtocol
{
    /// <summary>Names of all pod instances → <see cref="PodNames"/>.</summary>
    public sealed record GetPodNames
    {
        public static GetPodNames Instance { get; } = new();

        private GetPodNames()
        {
        }
    }

    public sealed record PodNames(ImmutableArray<string> Names);

    /// <summary>Status of every pod instance (grouped by pod type) → <see cref="ServicePodStatus"/>.</summary>
    public sealed record GetPodStatus
    {
        public static GetPodStatus Instance { get; } = new();

        private GetPodStatus()
        {
        }
    }

    /// <summary>One pod instance's status → <see cref="PodInstanceStatus"/> or <see cref="PodNotFound"/>.</summary>
    public sealed record GetPodInstanceStatus(string Name);

    /// <summary>One pod instance's task infos and latest statuses → <see cref="PodInstanceInfo"/> or <see cref="PodNotFound"/>.</summary>
    public sealed record GetPodInstanceInfo(string Name);

    public sealed record PodNotFound(string Name);

    /// <summary>Every pod instance's <see cref="PodInstanceInfo"/> → <see cref="AllPodInfo"/>.</summary>
    public sealed record GetAllPodInfo
    {
        public static GetAllPodInfo Instance { get; } = new();

        private GetAllPodInfo()
        {
        }
    }

    public sealed record AllPodInfo(ImmutableArray<PodInstanceInfo> Pods);

    /// <summary>
    /// <c>pod restart</c>: kill the pod's tasks; they relaunch in place (same reservations and volumes) →
    /// <see cref="PodCommandDone"/> or <see cref="PodNotFound"/>.
    /// </summary>
    public sealed record RestartPod(string Name);

    /// <summary>
    /// <c>pod replace</c>: give up the pod's reservations and volumes and kill its tasks; they relaunch on a new
    /// footprint wherever placement allows, and the old reservations are garbage-collected →
    /// <see cref="PodCommandDone"/> or <see cref="PodNotFound"/>.
    /// </summary>
    public sealed record ReplacePod(string Name);

    /// <summary>
    /// <c>pod pause</c>: relaunch the named tasks (all of the pod's when empty; names within the pod or full task names)
    /// with their command replaced by a sleep, on the same reservations and volumes; recorded, so it survives a restart →
    /// <see cref="PodCommandDone"/>, <see cref="PodCommandRefused"/> (unknown task) or <see cref="PodNotFound"/>.
    /// </summary>
    public sealed record PausePod(string Name, ImmutableArray<string> Tasks);

    /// <summary><c>pod resume</c>: relaunch paused tasks with their real command; answers as <see cref="PausePod"/>.</summary>
    public sealed record ResumePod(string Name, ImmutableArray<string> Tasks);

    /// <summary>The command names something the pod does not have (a bad request).</summary>
    public sealed record PodCommandRefused(string Pod, string Message);

    /// <summary>The pod and the (full) names of the tasks the command acted on.</summary>
    public sealed record PodCommandDone(string Pod, ImmutableArray<string> Tasks);
}

/// <summary>What a pod instance launched, with what Mesos last said of each task (null before any status).</summary>
/// <param name="Hostname">The agent the pod's footprint is on, or null before its first launch.</param>
/// <param name="Zone">The fault-domain zone of the agent holding the pod's footprint, when it has one.</param>
/// <param name="Region">The fault-domain region of that agent, when it has one.</param>
public sealed record PodInstanceInfo(string Name, ImmutableArray<PodTaskInfo> Tasks, string? Hostname = null, string? Zone = null, string? Region = null);

public sealed record PodTaskInfo(MesosV1.TaskInfo Info, MesosV1.TaskStatus? Status);

public sealed record ServicePodStatus(string Service, ImmutableArray<PodTypeStatus> Pods);

public sealed record PodTypeStatus(string Name, ImmutableArray<PodInstanceStatus> Instances);

public sealed record PodInstanceStatus(string Name, ImmutableArray<PodTaskStatus> Tasks);

/// <param name="Status">Mesos state name (TASK_RUNNING…), or an override such as PAUSED.</param>
/// <param name="Health">For a task with a health check: HEALTHY, UNHEALTHY, or UNKNOWN before the first result.</param>
/// <param name="Readiness">For a task with a readiness check: READY (exit code 0), NOT_READY, or UNKNOWN before the first result.</param>
public sealed record PodTaskStatus(string Id, string Name, string Status, string? Health = null, string? Readiness = null);
