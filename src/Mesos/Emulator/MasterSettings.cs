namespace ActorScheduler.Mesos.Emulator;

/// <summary>What the master state machine needs from the options.</summary>
/// <param name="TimedAllocation">
/// Whether the master allocates on its own (every <paramref name="AllocationInterval"/>, and at once after REVIVE or an
/// agent's return); false leaves every offer to explicit <c>Allocate</c> calls (the simulation kit's offer storm).
/// </param>
/// <param name="Domain">The master's own fault domain (in <c>MasterInfo</c>: a scheduler's local region); null for none.</param>
internal sealed record MasterSettings(
    string MasterId,
    string Host,
    int Port,
    TimeSpan AllocationInterval,
    TimeSpan HeartbeatInterval,
    TimeProvider Time,
    Action<string> Log,
    bool TimedAllocation = true,
    Messages.MesosV1.DomainInfo? Domain = null);
