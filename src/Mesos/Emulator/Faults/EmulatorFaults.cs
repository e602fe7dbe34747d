namespace ActorScheduler.Mesos.Emulator.Faults;

/// <summary>
/// Fault injection on a running <see cref="MesosEmulator"/> (reference §5.8 and more). Every fault is applied on the
/// master loop, in order with the calls and events around it, exactly as the master would see it. Refusals throw
/// <see cref="FaultRejectedException"/> (unknown agent or framework, wrong state, invalid settings).
/// </summary>
public sealed class EmulatorFaults
{
    private readonly MesosEmulator _emulator;

    internal EmulatorFaults(MesosEmulator emulator)
    {
        _emulator = emulator;
    }

    /// <summary>The fault settings, what they did so far, and the faulty agents and streams.</summary>
    public Task<FaultState> StateAsync() => _emulator.InvokeAsync(m => m.FaultState());

    /// <summary>
    /// Replaces the status-update fault settings (probabilities, delay and next-N counts); with a seed, the random
    /// draws start again from it.
    /// </summary>
    public Task<FaultState> SetStatusUpdateFaultsAsync(StatusUpdateFaults faults, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(faults);
        if (faults.Validate() is { } error)
        {
            return Task.FromException<FaultState>(new FaultRejectedException(FaultRejection.Invalid, error));
        }

        return _emulator.InvokeAsync(m => m.SetStatusUpdateFaults(faults, seed));
    }

    /// <summary>The agent becomes unreachable: TASK_UNREACHABLE for its tasks, offers rescinded, FAILURE, resources gone.</summary>
    public Task LoseAgentAsync(string agentId) => _emulator.InvokeAsync(m => Run(() => m.LoseAgent(agentId)));

    /// <summary>An unreachable agent re-registers: its tasks are reported in their current state (REASON_AGENT_REREGISTERED).</summary>
    public Task ReturnAgentAsync(string agentId) => _emulator.InvokeAsync(m => Run(() => m.ReturnAgent(agentId)));

    /// <summary>
    /// The agent's connection to the master breaks: its offers are rescinded, tasks of non-checkpointing frameworks are
    /// TASK_LOST (REASON_AGENT_DISCONNECTED), and it is unreachable once 5 pings of 15 s went unanswered.
    /// </summary>
    public Task DisconnectAgentAsync(string agentId) => _emulator.InvokeAsync(m => Run(() => m.DisconnectAgent(agentId)));

    /// <summary>A disconnected agent reconnects before it is unreachable: it is offered again and resends its updates.</summary>
    public Task ReconnectAgentAsync(string agentId) => _emulator.InvokeAsync(m => Run(() => m.ReconnectAgent(agentId)));

    /// <summary>The operator marks the agent gone: TASK_GONE_BY_OPERATOR for its tasks, which are killed.</summary>
    public Task MarkAgentGoneAsync(string agentId) => _emulator.InvokeAsync(m => Run(() => m.MarkAgentGone(agentId)));

    /// <summary>
    /// The agent (registered, unreachable or gone) restarts on its work dir with a new agent id: its tasks die
    /// (TASK_GONE unless already reported), its reservations and volumes stay. Returns the new id.
    /// </summary>
    public Task<string> RestartAgentAsync(string agentId) => _emulator.InvokeAsync(m => m.RestartAgent(agentId));

    /// <summary>The master closes the framework's stream; the framework is disconnected (its failover timeout runs).</summary>
    public Task SeverStreamAsync(string frameworkId) => _emulator.InvokeAsync(m => Run(() => m.SeverStream(frameworkId)));

    /// <summary>The framework's stream stays open but carries nothing more, not even heartbeats, until it subscribes again.</summary>
    public Task StallStreamAsync(string frameworkId) => _emulator.InvokeAsync(m => Run(() => m.StallStream(frameworkId)));

    /// <summary>
    /// Master failover: every stream closes and a new master (new id) takes over the same agents; frameworks must
    /// subscribe again. Returns the new master id.
    /// </summary>
    public Task<string> FailOverMasterAsync() => _emulator.InvokeAsync(_ => _emulator.FailOverMaster());

    private static bool Run(Action action)
    {
        action();
        return true;
    }
}
