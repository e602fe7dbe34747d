using System.Collections.Immutable;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Specs.Model;

/// <summary>A rendered, validated service specification: pods of tasks and the plans that deploy them.</summary>
/// <param name="Name">Service name; also the Mesos framework name.</param>
/// <param name="User">OS user tasks run as (scheduler.user); null means the agent's default.</param>
/// <param name="Pods">Pod types in declaration order.</param>
/// <param name="Plans">Plans in declaration order; always contains "deploy" (generated when the YAML has none).</param>
public sealed record ServiceSpec(string Name, string? User, ImmutableArray<PodSpec> Pods, ImmutableArray<PlanSpec> Plans)
{
    /// <summary>Link to the service's own UI (<c>web-url</c>; FrameworkInfo.webui_url).</summary>
    public string? WebUrl { get; init; }

    /// <summary>Mesos principal (<c>scheduler.principal</c>); null uses <see cref="PrincipalOf"/> of the name.</summary>
    public string? Principal { get; init; }

    /// <summary><c>scheduler.zookeeper</c> as written; accepted for DC/OS compatibility, unused (the journal replaces ZooKeeper).</summary>
    public string? Zookeeper { get; init; }

    /// <summary>Region the service is pinned to (scheduler environment <c>SERVICE_REGION</c>); null means the local region.</summary>
    public string? Region { get; init; }

    public PodSpec? FindPod(string type)
    {
        // A loop, not LINQ: pods and steps look their spec up on every message (a closure and an enumerator each).
        foreach (var pod in Pods)
        {
            if (pod.Type == type)
            {
                return pod;
            }
        }

        return null;
    }

    public PlanSpec? FindPlan(string name) => Plans.FirstOrDefault(p => p.Name == name);

    /// <summary>Mesos role the service reserves resources for: "&lt;name&gt;-role", slashes folded as DC/OS does.</summary>
    public string Role => RoleOf(Name);

    /// <summary>The role of a service named <paramref name="name"/> (<c>/data/kafka</c> → <c>data__kafka-role</c>).</summary>
    public static string RoleOf(string name) => EscapeSlashes(name) + "-role";

    /// <summary>The principal of a service named <paramref name="name"/> (<c>/data/kafka</c> → <c>data__kafka-principal</c>).</summary>
    public static string PrincipalOf(string name) => EscapeSlashes(name) + "-principal";

    /// <summary>
    /// The DNS label of a service named <paramref name="name"/>: the name with its folder slashes removed, as in
    /// <c>&lt;label&gt;.autoip.dcos.thisdcos.directory</c> (<c>/data/kafka</c> → <c>datakafka</c>).
    /// </summary>
    public static string DnsLabelOf(string name) => name.Replace("/", string.Empty, StringComparison.Ordinal);

    /// <summary>
    /// The DNS domain of the service's VIPs (<c>FRAMEWORK_VIP_HOST</c>): <c>&lt;label&gt;.l4lb.thisdcos.directory</c>, the
    /// label as <see cref="DnsLabelOf"/> makes it.
    /// </summary>
    public static string VipDomainOf(string name) => $"{DnsLabelOf(name)}.l4lb.thisdcos.directory";

    /// <summary>
    /// A name with its folder slashes escaped as DC/OS escapes them (<c>SchedulerUtils.withEscapedSlashes</c>) for roles,
    /// principals and external volume names: a leading slash dropped, the others written <c>__</c>
    /// (<c>/data/kafka</c> → <c>data__kafka</c>).
    /// </summary>
    public static string EscapeSlashes(string name) => name.TrimStart('/').Replace("/", "__", StringComparison.Ordinal);
}

/// <summary>One pod type: <see cref="Count"/> instances, each running <see cref="Tasks"/> on one agent.</summary>
/// <param name="Placement">Where instances may go (from <c>placement</c>); null places them anywhere.</param>
/// <param name="PlacementText">The <c>placement</c> constraint as written, for display and change detection.</param>
public sealed record PodSpec(
    string Type,
    int Count,
    bool AllowDecommission,
    ImmutableArray<TaskSpec> Tasks,
    ImmutableArray<VolumeSpec> Volumes,
    PlacementRule? Placement = null,
    string? PlacementText = null)
{
    /// <summary>
    /// The most instances a pod type may have: each instance is a step, a persistent actor and a journal stream, so a
    /// count in the millions would exhaust the scheduler's memory while the plans are built (ten times the storm
    /// benchmark's 10,000).
    /// </summary>
    public const int MaxCount = 100_000;

    public TaskSpec? FindTask(string name)
    {
        foreach (var task in Tasks)
        {
            if (task.Name == name)
            {
                return task;
            }
        }

        return null;
    }

    /// <summary>Container image (<c>image</c>); null runs tasks on the agent's filesystem.</summary>
    public string? Image { get; init; }

    /// <summary>Artifacts fetched into every task sandbox before launch (<c>uris</c>).</summary>
    public ImmutableArray<string> Uris { get; init; } = [];

    /// <summary>Networks joined (<c>networks</c>); empty means the host network.</summary>
    public ImmutableArray<NetworkSpec> Networks { get; init; } = [];

    public ImmutableArray<RlimitSpec> Rlimits { get; init; } = [];

    public bool SharePidNamespace { get; init; }

    /// <summary>Named resource sets declared by the pod (<c>resource-sets</c>); tasks refer to them by id.</summary>
    public ImmutableArray<ResourceSetSpec> ResourceSets { get; init; } = [];

    public ImmutableArray<HostVolumeSpec> HostVolumes { get; init; } = [];

    public ImmutableArray<ExternalVolumeSpec> ExternalVolumes { get; init; } = [];

    /// <summary>Role whose pre-reserved resources the pod uses (<c>pre-reserved-role</c>); <c>*</c> means unreserved.</summary>
    public string PreReservedRole { get; init; } = "*";

    public ImmutableArray<SecretSpec> Secrets { get; init; } = [];

    public bool SeccompUnconfined { get; init; }

    public string? SeccompProfileName { get; init; }

    public IpcMode? IpcMode { get; init; }

    /// <summary>Size of /dev/shm in MB (<c>shm-size</c>), for a private IPC namespace.</summary>
    public int? ShmSizeMb { get; init; }

    /// <summary>True when the pod joins a virtual network: its ports are then not reserved on the host.</summary>
    public bool UsesVirtualNetwork => !Networks.IsDefaultOrEmpty;

    public ResourceSetSpec? FindResourceSet(string id) => ResourceSets.FirstOrDefault(r => r.Id == id);
}

/// <summary>What a task must reach for its step to be complete.</summary>
public enum GoalState
{
    /// <summary>Keep running; an exit is a failure that recovery relaunches.</summary>
    Running,

    /// <summary>Run to exit code 0; run again when its configuration changes.</summary>
    Finish,

    /// <summary>Run to exit code 0 once; never again, even on configuration change.</summary>
    Once,
}

/// <summary>One task of a pod.</summary>
/// <param name="Env">Environment in declaration order.</param>
/// <param name="Volumes">Persistent volumes of this task (from <c>volume</c> or <c>volumes</c>).</param>
public sealed record TaskSpec(
    string Name,
    GoalState Goal,
    string Command,
    double Cpus,
    int MemoryMb,
    ImmutableArray<KeyValuePair<string, string>> Env,
    ImmutableArray<VolumeSpec> Volumes,
    bool Essential = true)
{
    /// <summary>Mesos task labels in declaration order (from <c>labels: "k:v,k2:v2"</c>).</summary>
    public ImmutableArray<KeyValuePair<string, string>> Labels { get; init; } = [];

    /// <summary>Seconds between SIGTERM and SIGKILL when the task is killed (<c>kill-grace-period</c>); null uses the agent's default.</summary>
    public int? KillGracePeriodSeconds { get; init; }

    /// <summary>
    /// Id of the pod's named resource set the task runs on (<c>resource-set</c>); null when its resources are inline.
    /// Either way <see cref="Cpus"/>, <see cref="MemoryMb"/>, <see cref="Gpus"/>, <see cref="Ports"/> and
    /// <see cref="Volumes"/> are the resources the task runs with.
    /// </summary>
    public string? ResourceSet { get; init; }

    /// <summary>Id of the resource set the task's resources are reserved under: the named one, or <c>&lt;task&gt;-resource-set</c>.</summary>
    public string ResourceSetId => ResourceSet ?? Name + "-resource-set";

    public double Gpus { get; init; }

    public ResourceLimits? Limits { get; init; }

    public ImmutableArray<PortSpec> Ports { get; init; } = [];

    public HealthCheckSpec? HealthCheck { get; init; }

    public ReadinessCheckSpec? ReadinessCheck { get; init; }

    public DiscoverySpec? Discovery { get; init; }

    public ImmutableArray<TransportEncryptionSpec> TransportEncryption { get; init; } = [];

    public ImmutableArray<ConfigTemplateSpec> Configs { get; init; } = [];

    public IpcMode? IpcMode { get; init; }

    public int? ShmSizeMb { get; init; }
}

public enum VolumeType
{
    Root,
    Mount,
}

/// <summary>A persistent volume: <see cref="Path"/> is relative to the task sandbox.</summary>
public sealed record VolumeSpec(string Path, VolumeType Type, int SizeMb)
{
    /// <summary>Disk profiles a MOUNT volume's disk must have (<c>profiles</c>); empty accepts any disk.</summary>
    public ImmutableArray<string> Profiles { get; init; } = [];
}

public enum StrategyKind
{
    Serial,
    Parallel,
    SerialCanary,
    ParallelCanary,

    /// <summary>Plans only: a phase runs once every phase it names in <see cref="PhaseSpec.DependsOn"/> is complete.</summary>
    Dependency,
}

/// <summary>A plan: phases run under <see cref="Strategy"/>.</summary>
public sealed record PlanSpec(string Name, StrategyKind Strategy, ImmutableArray<PhaseSpec> Phases);

/// <summary>A phase deploys instances of one pod type, step by step.</summary>
public sealed record PhaseSpec(string Name, string Pod, StrategyKind Strategy, ImmutableArray<StepSpec> Steps)
{
    /// <summary>Under a plan of <see cref="StrategyKind.Dependency"/>: the phases of the plan that must be complete first.</summary>
    public ImmutableArray<string> DependsOn { get; init; } = ImmutableArray<string>.Empty;
}

/// <summary>One step: launch <see cref="Tasks"/> together in pod instance <see cref="PodIndex"/>.</summary>
/// <param name="Name">DC/OS step name, e.g. <c>hello-0:[server]</c>.</param>
public sealed record StepSpec(string Name, int PodIndex, ImmutableArray<string> Tasks);
