namespace ActorScheduler.Mesos.Emulator.Faults;

/// <summary>The emulator's fault settings, what they did so far, and which agents and streams are faulty now.</summary>
/// <param name="Seed">Seed of the random draws of the status-update faults (the same seed repeats the same fates).</param>
/// <param name="StatusUpdates">The status-update fault settings, next-N counts as they stand.</param>
/// <param name="Dropped">Updates dropped so far.</param>
/// <param name="Duplicated">Updates duplicated so far.</param>
/// <param name="Delayed">Updates delayed so far.</param>
/// <param name="HeldBack">Delayed updates (and duplicate copies) not delivered yet.</param>
/// <param name="StalledFrameworks">Frameworks whose stream is stalled.</param>
/// <param name="UnreachableAgents">Agents the master cannot reach.</param>
/// <param name="GoneAgents">Agents marked gone.</param>
/// <param name="DisconnectedAgents">Agents whose connection to the master broke, not (yet) unreachable.</param>
public sealed record FaultState(
    int Seed,
    StatusUpdateFaults StatusUpdates,
    long Dropped,
    long Duplicated,
    long Delayed,
    int HeldBack,
    IReadOnlyList<string> StalledFrameworks,
    IReadOnlyList<string> UnreachableAgents,
    IReadOnlyList<string> GoneAgents,
    IReadOnlyList<string> DisconnectedAgents);
