using ActorScheduler.Mesos.Emulator.Faults;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// What outlives a master failover: the agents (they re-register with the new master at once), the registry of
/// unreachable and gone agents, the fault settings and the history of launches and calls. Only the master loop
/// touches it.
/// </summary>
internal sealed class ClusterState
{
    public ClusterState(List<LocalAgent> agents, StatusUpdateFaultPolicy updateFaults)
    {
        Agents = agents;
        UpdateFaults = updateFaults;
    }

    /// <summary>Registered and unreachable agents, in allocation order.</summary>
    public List<LocalAgent> Agents { get; }

    /// <summary>Agents marked unreachable (by id), with the time they were.</summary>
    public Dictionary<string, DateTimeOffset> Unreachable { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Registered agents whose connection to the master broke (by id), with the time it did: not offered, their updates
    /// wait, and the master's pings to them go unanswered until they reconnect or are marked unreachable.
    /// </summary>
    public Dictionary<string, DateTimeOffset> Disconnected { get; } = new(StringComparer.Ordinal);

    /// <summary>Every agent id ever marked gone; gone agents never come back under that id.</summary>
    public HashSet<string> GoneIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Gone agents whose work dir may still be restarted (with a new id).</summary>
    public Dictionary<string, LocalAgent> GoneAgents { get; } = new(StringComparer.Ordinal);

    public StatusUpdateFaultPolicy UpdateFaults { get; }

    public EmulatorRecorder History { get; } = new();

    public bool IsUnreachable(LocalAgent agent) => Unreachable.ContainsKey(agent.Id.Value);

    /// <summary>Whether the master cannot talk to the agent now: it is unreachable or disconnected.</summary>
    public bool IsCutOff(LocalAgent agent) => Unreachable.ContainsKey(agent.Id.Value) || Disconnected.ContainsKey(agent.Id.Value);
}
