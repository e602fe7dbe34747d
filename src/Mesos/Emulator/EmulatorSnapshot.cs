namespace ActorScheduler.Mesos.Emulator;

/// <summary>A point-in-time view of the emulated cluster (also served as JSON by <c>GET /</c>).</summary>
public sealed record EmulatorSnapshot(
    string MasterId,
    Uri Url,
    IReadOnlyList<AgentSnapshot> Agents,
    IReadOnlyList<FrameworkSnapshot> Frameworks,
    IReadOnlyList<TaskSnapshot> Tasks);

/// <summary>An agent and its resources: total, reserved (any role) and used by tasks/executors.</summary>
/// <param name="State"><see cref="Registered"/>, <see cref="Disconnected"/>, <see cref="Unreachable"/> or <see cref="Gone"/>.</param>
public sealed record AgentSnapshot(string Id, string Hostname, string WorkDir, ResourceSummary Total, ResourceSummary Reserved, ResourceSummary Used,
    string State = AgentSnapshot.Registered)
{
    /// <summary>The agent is registered with the master: its resources are offered.</summary>
    public const string Registered = "REGISTERED";

    /// <summary>The agent's connection to the master broke: its resources are not offered, its tasks go on.</summary>
    public const string Disconnected = "DISCONNECTED";

    /// <summary>The master cannot reach the agent: its tasks are TASK_UNREACHABLE, its resources are not offered.</summary>
    public const string Unreachable = "UNREACHABLE";

    /// <summary>The operator marked the agent gone; it never comes back under this id.</summary>
    public const string Gone = "GONE";

    /// <summary>The agent's attributes, name to value in Mesos text form (<c>rack</c> → <c>r1</c>, <c>slots</c> → <c>[1-4]</c>).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary>Fault-domain zone, when agents have domains.</summary>
    public string? Zone { get; init; }

    /// <summary>Fault-domain region, when agents have domains.</summary>
    public string? Region { get; init; }

    /// <summary>The agent's MOUNT disks (their sizes are also counted in the disk totals).</summary>
    public IReadOnlyList<MountDiskSnapshot> MountDisks { get; init; } = [];
}

/// <summary>A MOUNT disk of an agent: where it is, how big, its profile, and whether it is reserved, a volume, in use.</summary>
/// <param name="ReservedRole">The role it is reserved for, or null when unreserved.</param>
/// <param name="VolumeId">The persistence id of the volume on it, or null.</param>
public sealed record MountDiskSnapshot(string Root, double SizeMb, string? Profile, string? ReservedRole, string? VolumeId, bool InUse);

/// <summary>Scalar totals in Mesos units (cores, MB) and the number of ports.</summary>
public sealed record ResourceSummary(double Cpus, double MemMb, double DiskMb, long Ports);

public sealed record FrameworkSnapshot(string Id, string Name, IReadOnlyList<string> Roles, bool Connected, int OutstandingOffers)
{
    /// <summary>The capabilities the framework subscribed with (<c>MultiRole</c>, <c>GpuResources</c>, …).</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>The framework's roles the master sends no offers for (SUPPRESS, or the suppressed roles of SUBSCRIBE / UPDATE_FRAMEWORK), in role order.</summary>
    public IReadOnlyList<string> SuppressedRoles { get; init; } = [];
}

/// <summary>A task an agent knows (until its terminal update is acknowledged); Pid is null before it started.</summary>
public sealed record TaskSnapshot(string Id, string Name, string FrameworkId, string AgentId, string State, int? Pid, string Sandbox, int PendingUpdates)
{
    /// <summary>The Docker volumes of the task's container (and of its executor's), as the emulator's volume driver keeps them.</summary>
    public IReadOnlyList<DockerVolumeSnapshot> DockerVolumes { get; init; } = [];

    /// <summary>
    /// The task's resource limits as the master took them (<c>TaskInfo.limits</c>): <c>cpus</c>, <c>mem</c> (MB), each a
    /// number or <c>unlimited</c>; empty without limits. Recorded; only <c>mem</c> is enforced, and only by agents enforcing
    /// memory (<see cref="MesosEmulatorOptions.EnforceMemory"/>): tasks run as plain processes.
    /// </summary>
    public IReadOnlyDictionary<string, string> Limits { get; init; } = new Dictionary<string, string>();

    /// <summary>The task's container has cgroups of its own (<c>LinuxInfo.share_cgroups</c> false).</summary>
    public bool OwnCgroups { get; init; }
}

/// <summary>
/// A Docker volume a task uses: the driver and name that select its directory (shared by every agent), where it is in
/// the task's container, and the driver options as given (recorded, not interpreted).
/// </summary>
public sealed record DockerVolumeSnapshot(string Driver, string Name, string ContainerPath, string Directory, IReadOnlyDictionary<string, string> DriverOptions);
