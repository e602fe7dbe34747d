using System.Collections.Immutable;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Offers;

/// <summary>What one pod instance asks of an offer (DC/OS <c>PodInstanceRequirement</c>).</summary>
/// <param name="TasksToLaunch">Task names within the pod (e.g. "server") to launch together.</param>
/// <param name="ConfigId">The target config the launched tasks are labelled with.</param>
/// <param name="Existing">The reservations the pod already holds; null for a new footprint.</param>
/// <param name="RunningExecutor">The executor other tasks of the pod still run in; launches go into it.</param>
public sealed record PodRequirement(
    string ServiceName,
    string? User,
    PodSpec Pod,
    int Index,
    ImmutableArray<string> TasksToLaunch,
    string ConfigId,
    Footprint? Existing,
    ExecutorInfo? RunningExecutor = null)
{
    public string PodInstanceName => PodNames.Instance(Pod.Type, Index);

    /// <summary>The plan's start parameters: environment of the launched tasks, over the spec's own.</summary>
    public ImmutableDictionary<string, string> Parameters { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// The place of the plan that asks in the plans' order (deploy 0, recovery 1, then the custom plans): when offers
    /// are short, requirements of earlier plans claim first, then each plan's in the order they came (DC/OS
    /// PlanCoordinator: earlier plans' candidates take the offers first).
    /// </summary>
    public int PlanPriority { get; init; }

    /// <summary>The tasks paused when the pod registered (<see cref="Pod"/> runs a sleep in their place).</summary>
    public ImmutableHashSet<string> Paused { get; init; } = ImmutableHashSet<string>.Empty;

    /// <summary>
    /// The TLS artifacts of the launched tasks' <c>transport-encryption</c>, issued by the service CA before the pod
    /// registered; empty for pods without.
    /// </summary>
    public ImmutableArray<Tls.IssuedTls> Tls { get; init; } = [];

    /// <summary>Why the launched tasks have no TLS artifacts, when they need some (the TLS stage fails with it).</summary>
    public string? TlsRefusal { get; init; }
}

/// <summary>The reserved resources (incl. persistent volumes) a pod instance holds on one agent.</summary>
/// <param name="Agent">What placement rules see of that agent (hostname, attributes, zone, region).</param>
public sealed record Footprint(string AgentId, string Hostname, ImmutableArray<Resource> Resources, Specs.Placement.PlacementAgent? Agent = null)
{
    public IEnumerable<string> ResourceIds => Resources.Select(Offers.Resources.ResourceId).OfType<string>();
}

/// <summary>Settings the evaluator needs besides the requirement and the offer.</summary>
/// <param name="ExtraEnv">Environment given to every task (scheduler API address, …).</param>
public sealed record EvaluationContext(
    ReservationContext Reservation,
    ExecutorResources Executor,
    ImmutableArray<KeyValuePair<string, string>> ExtraEnv)
{
    /// <summary>The region the service is pinned to (<c>SERVICE_REGION</c>, which cannot change); null: the local one.</summary>
    public string? ServiceRegion { get; init; }

    /// <summary>The master's region, from its fault domain when it subscribed us; null when it has none.</summary>
    public string? LocalRegion { get; init; }

    /// <summary>
    /// Where tasks reach the scheduler API (its scheme, host and port), from which the Mesos fetcher downloads their
    /// config templates; null when unknown: tasks then get no template URIs.
    /// </summary>
    public Uri? SchedulerApi { get; init; }

    /// <summary>The context a pod is evaluated in: this one, or for a pod of a pre-reserved role its refined reservations.</summary>
    public EvaluationContext ForPod(PodSpec pod) =>
        pod.PreReservedRole == Reservation.PreReservedRole ? this : this with { Reservation = Reservation.ForPreReserved(pod.PreReservedRole) };

    /// <summary>
    /// Null when <paramref name="offer"/> is allocated to the role <paramref name="pod"/> reserves with (or carries no
    /// allocation, as offers to a framework without MULTI_ROLE do); otherwise why the pod cannot use it: a reservation's
    /// role must be the offer's allocation role, and a pod only uses resources of its own role.
    /// </summary>
    public string? RoleRefusal(PodSpec pod, Offer offer)
    {
        if (offer.AllocationInfo is not { HasRole: true } allocation
            || Mesos.FrameworkRoles.IsPodRole(allocation.Role, pod.PreReservedRole, Reservation.ServiceRole))
        {
            return null;
        }

        return pod.PreReservedRole == "*"
            ? OtherRoleOffer
            : $"FAIL(RoleEvaluationStage): offer is allocated to role '{allocation.Role}', not to '{Mesos.FrameworkRoles.PodRole(pod.PreReservedRole, Reservation.ServiceRole)}' of pre-reserved role '{pod.PreReservedRole}'";
    }

    /// <summary>Why a pod without a pre-reserved role skips an offer allocated to one of the service's refined roles.</summary>
    public const string OtherRoleOffer = "FAIL(RoleEvaluationStage): offer is allocated to a pre-reserved role's refined role; the pod reserves with the service role";
}

/// <summary>Resources of the default executor that runs a pod's task group (DC/OS EXECUTOR_* defaults).</summary>
public sealed record ExecutorResources(double Cpus = 0.1, double MemoryMb = 32, double DiskMb = 256);

/// <summary>Naming of pod instances and tasks, exactly as the DC/OS SDK names them.</summary>
public static class PodNames
{
    public static string Instance(string podType, int index) => $"{podType}-{index}";

    /// <summary>Full task name <c>&lt;pod&gt;-&lt;index&gt;-&lt;task&gt;</c>.</summary>
    public static string Task(string podType, int index, string task) => $"{podType}-{index}-{task}";

    /// <summary>The pod type of a pod instance name (<c>world-1</c> → <c>world</c>).</summary>
    public static string TypeOf(string podInstance)
    {
        var separator = podInstance.LastIndexOf('-');
        return separator > 0 ? podInstance[..separator] : podInstance;
    }

    /// <summary><paramref name="name"/> is an instance of <paramref name="podType"/>: <c>&lt;podType&gt;-&lt;digits&gt;</c> (pod <c>web</c> does not match <c>web-admin-0</c>).</summary>
    public static bool IsInstanceOf(string name, string podType) => IndexEnd(name, podType) == name.Length;

    /// <summary>
    /// <paramref name="name"/> is an instance of <paramref name="podType"/> or a step of one: <c>&lt;podType&gt;-&lt;digits&gt;</c>
    /// followed by the end or <c>:</c> (<c>web-0:[server]</c>).
    /// </summary>
    public static bool IsOf(string name, string podType) =>
        IndexEnd(name, podType) is var end and > 0 && (end == name.Length || name[end] == ':');

    /// <summary>Where the digits after <c>&lt;podType&gt;-</c> end in <paramref name="name"/>; -1 when it does not start so.</summary>
    private static int IndexEnd(string name, string podType)
    {
        var start = podType.Length + 1;
        if (name.Length <= start || !name.StartsWith(podType, StringComparison.Ordinal) || name[podType.Length] != '-')
        {
            return -1;
        }

        var end = start;
        while (end < name.Length && char.IsAsciiDigit(name[end]))
        {
            end++;
        }

        return end > start ? end : -1;
    }

    /// <summary>A fresh task id <c>&lt;task name&gt;__&lt;uuid&gt;</c>.</summary>
    public static string NewTaskId(string taskName) => $"{taskName}__{Uuids.New()}";

    /// <summary>The task name of a task id, or null when the id is not one of ours.</summary>
    public static string? TaskNameOf(string taskId)
    {
        var separator = taskId.LastIndexOf("__", StringComparison.Ordinal);
        return separator > 0 ? taskId[..separator] : null;
    }
}
