namespace ActorScheduler.Mesos.Emulator;

/// <summary>A point-in-time view of the emulated cluster (also served as JSON by <c>GET /</c>).</summary>
public sealed record EmulatorSnapshot(
    string MasterId,
    Uri Url,
    IReadOnlyList<AgentSnapshot> Agents,
    IReadOnlyList<FrameworkSnapshot> Frameworks,
    IReadOnlyList<TaskSnapshot> Tasks);

/// <summary>An agent and its resources: total, reserved (any role) and used by tasks/executors.</summary>
/// <param name="State"><see cref="Registered"/>, <see cref="Unreachable"/> or <see cref="Gone"/>.</param>
public sealed record AgentSnapshot(string Id, string Hostname, string WorkDir, ResourceSummary Total, ResourceSummary Reserved, ResourceSummary Used,
    string State = AgentSnapshot.Registered)
{
    /// <summary>The agent is registered with the master: its resources are offered.</summary>
    public const string Registered = "REGISTERED";

    /// <summary>The master cannot reach the agent: its tasks are TASK_UNREACHABLE, its resources are not offered.</summary>
    public const string Unreachable = "UNREACHABLE";

    /// <summary>The operator marked the agent gone; it never comes back under this id.</summary>
    public const string Gone = "GONE";
}

/// <summary>Scalar totals in Mesos units (cores, MB) and the number of ports.</summary>
public sealed record ResourceSummary(double Cpus, double MemMb, double DiskMb, long Ports);

public sealed record FrameworkSnapshot(string Id, string Name, IReadOnlyList<string> Roles, bool Connected, int OutstandingOffers);

/// <summary>A task an agent knows (until its terminal update is acknowledged); Pid is null before it started.</summary>
public sealed record TaskSnapshot(string Id, string Name, string FrameworkId, string AgentId, string State, int? Pid, string Sandbox, int PendingUpdates);
