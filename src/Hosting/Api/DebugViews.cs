using System.Diagnostics;
using System.Globalization;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Pods;

namespace ActorScheduler.Hosting.Api;

/// <summary>
/// The debug views of the pods (DC/OS <c>/v1/debug/reservations</c>, <c>/v1/debug/taskStatuses</c>): plain data for
/// JSON, built from what the pod instances report. Pure.
/// </summary>
public static class DebugViews
{
    /// <summary>Every reservation the pods' tasks and executors hold, by pod instance, with its resource id and owner.</summary>
    public static IReadOnlyList<PodReservations> Reservations(IEnumerable<PodInstanceInfo> pods) =>
        pods.OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(pod =>
            {
                var resources = pod.Tasks
                    .SelectMany(t => t.Info.Resources.Concat(t.Info.Executor?.Resources ?? []))
                    .Where(r => Resources.ResourceId(r) is not null)
                    .GroupBy(r => Resources.ResourceId(r)!, StringComparer.Ordinal)
                    .Select(g => g.First())
                    .Select(r => new ReservedResource(
                        Resources.ResourceId(r)!,
                        r.Name,
                        ValueOf(r),
                        r.Reservations.LastOrDefault()?.Role ?? r.Role,
                        Resources.Owner(r),
                        Resources.PersistenceId(r)))
                    .OrderBy(r => r.Owner, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)
                    .ToList();
                return new PodReservations(pod.Name, pod.Tasks.Select(t => t.Info.AgentId?.Value).FirstOrDefault(a => a is not null), pod.Hostname, resources);
            })
            .ToList();

    /// <summary>The latest status of every task the pods launched, by pod instance and task name.</summary>
    public static IReadOnlyList<TaskStatusView> TaskStatuses(IEnumerable<PodInstanceInfo> pods) =>
        pods.OrderBy(p => p.Name, StringComparer.Ordinal)
            .SelectMany(pod => pod.Tasks.OrderBy(t => t.Info.Name, StringComparer.Ordinal).Select(t => new TaskStatusView(
                pod.Name,
                t.Info.Name,
                t.Info.TaskId.Value,
                t.Status is { } s ? TaskStates.WireName(s.State) : "TASK_STAGING",
                t.Status is { HasHealthy: true } h ? h.Healthy : null,
                t.Status is { HasReason: true } r ? r.Reason.ToString() : null,
                t.Status is { HasMessage: true } m ? m.Message : null,
                t.Status?.AgentId?.Value ?? t.Info.AgentId?.Value)))
            .ToList();

    /// <summary>
    /// The pod instances a plan's phase (by name or id) and step (by name or id) work on, for filtering offer outcomes
    /// (DC/OS <c>/v2/debug/offers?plan=&amp;phase=&amp;step=</c>): a step named <c>hello-0:[server]</c> works on
    /// <c>hello-0</c>. Null with the reason when the phase or step asked for is not in the plan; an element with nothing
    /// under it (a healthy recovery plan has no phases, a phase of a pod with count 0 no steps) works on no pods.
    /// </summary>
    public static (IReadOnlySet<string>? Pods, string? NotFound) PodsOf(Messages.Plans.PlanInfo plan, string? phase, string? step)
    {
        var phases = plan.Phases.Where(p => phase is null || p.Name == phase || p.Id == phase).ToList();
        if (phase is not null && phases.Count == 0)
        {
            return (null, $"Phase {phase} not found in plan {plan.Name}");
        }

        var steps = phases.SelectMany(p => p.Steps).Where(s => step is null || s.Name == step || s.Id == step).ToList();
        if (step is not null && steps.Count == 0)
        {
            return (null, $"Step {step} not found in plan {plan.Name}");
        }

        return (steps.Select(s => s.Name.IndexOf(":[", StringComparison.Ordinal) is var end and > 0 ? s.Name[..end] : s.Name)
            .ToHashSet(StringComparer.Ordinal), null);
    }

    /// <summary>
    /// The zone of each launched task's agent (DC/OS <c>/v1/state/zone/tasks</c>), by task name; tasks on agents without
    /// a fault domain are left out.
    /// </summary>
    public static IReadOnlyDictionary<string, string> TaskZones(IEnumerable<PodInstanceInfo> pods) =>
        pods.Where(p => p.Zone is not null)
            .SelectMany(p => p.Tasks.Select(t => (t.Info.Name, Zone: p.Zone!)))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToDictionary(t => t.Name, t => t.Zone, StringComparer.Ordinal);

    /// <summary>
    /// The zone of a pod's tasks on the agent with this IP address or hostname (DC/OS <c>/v1/state/zone/{pod}/{ip}</c>):
    /// <paramref name="pod"/> is a pod type (<c>world</c>) or a pod instance (<c>world-1</c>); the IP is the agent's
    /// hostname or an address a task status reported. Null when no launched task of the pod matches or its agent has no zone.
    /// </summary>
    public static string? ZoneOf(IEnumerable<PodInstanceInfo> pods, string pod, string ip) =>
        pods.Where(p => p.Zone is not null && !p.Tasks.IsEmpty && (p.Name == pod || PodNames.TypeOf(p.Name) == pod))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .FirstOrDefault(p => p.Hostname == ip || p.Tasks.Any(t => AddressesOf(t.Status).Contains(ip)))?.Zone;

    /// <summary>The plain-text <c>/v1/debug/threads</c>: the process's threads and thread pool, then the actor system.</summary>
    internal static string Threads(SchedulerRuntime runtime, ProcessRuntime process)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"process {process.Pid}: up {Duration(process.Uptime)}, {process.Threads.Count} OS threads, managed heap {process.HeapBytes / (1024.0 * 1024):0.0} MiB, GC gen0/1/2 {process.Collections[0]}/{process.Collections[1]}/{process.Collections[2]}\n");
        text.Append(CultureInfo.InvariantCulture, $"thread pool: {process.PoolThreads} threads (min {process.PoolMin}, max {process.PoolMax}), {process.PendingWorkItems} work items queued, {process.CompletedWorkItems} completed\n");
        text.Append(CultureInfo.InvariantCulture, $"actor system {runtime.System}: up {Duration(runtime.Uptime)}\n");
        foreach (var dispatcher in runtime.Dispatchers)
        {
            text.Append(CultureInfo.InvariantCulture, $"  dispatcher {dispatcher.Name}: {dispatcher.Executor}, throughput {dispatcher.Throughput}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"  scheduler root children ({runtime.RootChildren.Length}): {string.Join(", ", runtime.RootChildren)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  pod instance actors: {runtime.PodInstances}\n");
        text.Append("OS threads (id, state, cpu time):\n");
        foreach (var thread in process.Threads)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {thread.Id} {thread.State} {thread.CpuTime.TotalMilliseconds:0} ms\n");
        }

        return text.ToString();
    }

    private static string Duration(TimeSpan span) => span.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture);

    private static IEnumerable<string> AddressesOf(Messages.MesosV1.TaskStatus? status) =>
        status?.ContainerStatus?.NetworkInfos.SelectMany(n => n.IpAddresses).Select(a => a.IpAddress) ?? [];

    /// <summary>A resource's value as text: a scalar to three decimals, ranges as <c>31000-31002,31005</c>, a set comma-separated.</summary>
    internal static string ValueOf(Resource resource) => resource.Type switch
    {
        Value.Types.Type.Scalar => resource.Scalar.Value.ToString("0.###", CultureInfo.InvariantCulture),
        Value.Types.Type.Ranges => string.Join(",", resource.Ranges.Range.Select(r => r.Begin == r.End ? $"{r.Begin}" : $"{r.Begin}-{r.End}")),
        Value.Types.Type.Set => string.Join(",", resource.Set.Item),
        _ => string.Empty,
    };
}

/// <param name="Agent">The agent id the pod's tasks were launched on.</param>
public sealed record PodReservations(string Pod, string? Agent, string? Hostname, IReadOnlyList<ReservedResource> Resources);

/// <param name="Owner">The resource set (or the executor) the reservation belongs to.</param>
/// <param name="PersistenceId">For a persistent volume, its persistence id.</param>
public sealed record ReservedResource(string ResourceId, string Name, string Value, string? Role, string? Owner, string? PersistenceId);

public sealed record TaskStatusView(string Pod, string Task, string TaskId, string State, bool? Healthy, string? Reason, string? Message, string? Agent);

/// <summary>What <c>/v1/debug/threads</c> shows of this process, read once.</summary>
internal sealed record ProcessRuntime(
    int Pid,
    TimeSpan Uptime,
    IReadOnlyList<OsThread> Threads,
    long HeapBytes,
    IReadOnlyList<int> Collections,
    int PoolThreads,
    int PoolMin,
    int PoolMax,
    long PendingWorkItems,
    long CompletedWorkItems)
{
    public static ProcessRuntime Now()
    {
        using var process = Process.GetCurrentProcess();
        ThreadPool.GetMinThreads(out var min, out _);
        ThreadPool.GetMaxThreads(out var max, out _);
        var threads = new List<OsThread>();
        foreach (ProcessThread thread in process.Threads)
        {
            try
            {
                threads.Add(new OsThread(thread.Id, thread.ThreadState.ToString(), thread.TotalProcessorTime));
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // The thread ended while we were listing.
            }
        }

        return new ProcessRuntime(
            process.Id,
            DateTime.Now - process.StartTime,
            threads.OrderBy(t => t.Id).ToList(),
            GC.GetTotalMemory(forceFullCollection: false),
            [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)],
            ThreadPool.ThreadCount,
            min,
            max,
            ThreadPool.PendingWorkItemCount,
            ThreadPool.CompletedWorkItemCount);
    }
}

internal sealed record OsThread(int Id, string State, TimeSpan CpuTime);
