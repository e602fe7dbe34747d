using System.Globalization;
using ActorScheduler.Mesos.Emulator.Faults;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Reason = ActorScheduler.Messages.MesosV1.TaskStatus.Types.Reason;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Agent loss and return, operator "mark gone", agent restart with a new id, severed and stalled streams, and the
/// status-update faults (reference §5.8): each as the master would see it, in its event order.
/// </summary>
internal sealed partial class Master
{
    // Status updates held back by the delay fault (or the second copy of a duplicate), in due order.
    private readonly List<(string FrameworkId, Event Event, DateTimeOffset Due)> _heldBack = [];
    private long _nextAgentNumber;

    // ------------------------------------------------------------------------------------------------
    // Agents.

    /// <summary>
    /// The master stops hearing from the agent (its ping timeout expired): each of its live tasks becomes
    /// TASK_UNREACHABLE (TASK_LOST without PARTITION_AWARE) with REASON_AGENT_REMOVED and the unreachable time, its
    /// offers are rescinded, every framework gets a FAILURE with only the agent id, and its resources leave the pool.
    /// The agent itself keeps running its tasks and queueing their updates.
    /// </summary>
    public void LoseAgent(string agentId)
    {
        var agent = RegisteredAgent(agentId);
        _cluster.Disconnected.Remove(agentId);
        var now = Now;
        _cluster.Unreachable[agentId] = now;
        RescindOffersOf(agent);
        SendBulkOperationFeedback(agent, OperationState.OperationUnreachable, "Agent was marked unreachable");
        foreach (var task in LiveTasks(agent))
        {
            if (_frameworks.TryGetValue(task.FrameworkId.Value, out var framework))
            {
                var status = MasterStatus(task.Info.TaskId, PartitionAware(framework, TaskState.TaskUnreachable), Reason.AgentRemoved,
                    $"Agent {agent.Hostname} is unreachable: it missed its health checks", agent.Id);
                status.UnreachableTime = TimeInfoOf(now);
                status.ExecutorId = task.ExecutorId.Clone();
                SendMasterUpdate(framework, status);
            }
        }

        SendAgentFailure(agent);
        RecordFault("agent-lost", agentId);
        Log($"agent {agentId} ({agent.Hostname}) is unreachable");
    }

    /// <summary>
    /// An unreachable agent re-registers: each of its tasks is reported in its current state with
    /// REASON_AGENT_REREGISTERED (tasks are not killed), then the agent resends its unacknowledged updates.
    /// </summary>
    public void ReturnAgent(string agentId)
    {
        var agent = KnownAgent(agentId);
        if (!_cluster.Unreachable.Remove(agentId))
        {
            throw new FaultRejectedException(FaultRejection.Conflict, $"agent {agentId} is not unreachable");
        }

        foreach (var task in agent.Tasks.Where(t => !t.Orphaned))
        {
            if (_frameworks.TryGetValue(task.FrameworkId.Value, out var framework))
            {
                var status = MasterStatus(task.Info.TaskId, task.State, Reason.AgentReregistered, "Agent reregistered", agent.Id);
                status.ExecutorId = task.ExecutorId.Clone();
                SendMasterUpdate(framework, status);
            }
        }

        foreach (var frameworkId in agent.FrameworkIds)
        {
            agent.ResendAll(frameworkId);
        }

        agent.Operations.ResendAll();

        _nextAllocation = Now;
        FlushAgentEvents();
        RecordFault("agent-returned", agentId);
        Log($"agent {agentId} ({agent.Hostname}) re-registered");
    }

    /// <summary>
    /// The agent's connection to the master breaks (its process died, the network dropped): the master deactivates it
    /// (its offers are rescinded and its resources not offered) and removes the tasks of frameworks that do not
    /// checkpoint (TASK_LOST, REASON_AGENT_DISCONNECTED, SOURCE_MASTER; their executors end without the agent, so their
    /// processes are killed); a checkpointing framework's tasks go on and their updates wait. The master's pings go
    /// unanswered: after <see cref="MaxAgentPingTimeouts"/> of <see cref="AgentPingTimeout"/> the agent is unreachable
    /// (<see cref="LoseAgent"/>), unless it reconnects first.
    /// </summary>
    public void DisconnectAgent(string agentId)
    {
        var agent = RegisteredAgent(agentId);
        if (!_cluster.Disconnected.TryAdd(agentId, Now))
        {
            throw new FaultRejectedException(FaultRejection.Conflict, $"agent {agentId} is already disconnected");
        }

        RescindOffersOf(agent);
        var removed = new List<AgentTask>();
        foreach (var frameworkId in agent.FrameworkIds.ToList())
        {
            if (!_frameworks.TryGetValue(frameworkId, out var framework) || framework.Info.Checkpoint)
            {
                continue;
            }

            foreach (var task in LiveTasks(agent).Where(t => t.FrameworkId.Value == frameworkId))
            {
                var status = MasterStatus(task.Info.TaskId, TaskState.TaskLost, Reason.AgentDisconnected, $"Agent {agent.Hostname} disconnected", agent.Id);
                status.ExecutorId = task.ExecutorId.Clone();
                SendMasterUpdate(framework, status);
                removed.Add(task);
            }

            agent.RemoveFramework(frameworkId);
        }

        RecordFault("agent-disconnected", agentId, removed);
        Log($"agent {agentId} ({agent.Hostname}) disconnected");
    }

    /// <summary>
    /// A disconnected agent reconnects before its pings ran out: it is offered again and resends the updates it holds
    /// (acknowledgements sent meanwhile were lost). Its tasks are not reported again: the master never stopped
    /// knowing them.
    /// </summary>
    public void ReconnectAgent(string agentId)
    {
        var agent = KnownAgent(agentId);
        if (!_cluster.Disconnected.Remove(agentId))
        {
            throw new FaultRejectedException(FaultRejection.Conflict, $"agent {agentId} is not disconnected");
        }

        foreach (var frameworkId in agent.FrameworkIds)
        {
            agent.ResendAll(frameworkId);
        }

        agent.Operations.ResendAll();

        _nextAllocation = Now;
        FlushAgentEvents();
        RecordFault("agent-reconnected", agentId);
        Log($"agent {agentId} ({agent.Hostname}) reconnected");
    }

    /// <summary>How long the master waits for an agent's answer to a ping (Mesos' <c>--agent_ping_timeout</c> default).</summary>
    public static TimeSpan AgentPingTimeout { get; } = TimeSpan.FromSeconds(15);

    /// <summary>Pings an agent may leave unanswered before it is unreachable (Mesos' <c>--max_agent_ping_timeouts</c> default).</summary>
    public const int MaxAgentPingTimeouts = 5;

    /// <summary>Disconnected agents that missed their last ping become unreachable.</summary>
    private void ExpireAgentPings(DateTimeOffset now)
    {
        if (_cluster.Disconnected.Count == 0)
        {
            return;
        }

        foreach (var (agentId, since) in _cluster.Disconnected.ToList())
        {
            if (now >= since + (AgentPingTimeout * MaxAgentPingTimeouts))
            {
                Log($"agent {agentId} missed {MaxAgentPingTimeouts} pings");
                LoseAgent(agentId);
            }
        }
    }

    /// <summary>
    /// The operator marks the agent gone: its live tasks become TASK_GONE_BY_OPERATOR (TASK_LOST without
    /// PARTITION_AWARE) with REASON_AGENT_REMOVED_BY_OPERATOR, its task processes are killed, and it never comes back
    /// under this id (<see cref="RestartAgent"/> brings its work dir back with a new one).
    /// </summary>
    public void MarkAgentGone(string agentId)
    {
        var agent = KnownAgent(agentId);
        var wasReachable = !_cluster.Unreachable.Remove(agentId);
        _cluster.Disconnected.Remove(agentId);
        RescindOffersOf(agent);
        if (wasReachable)
        {
            SendBulkOperationFeedback(agent, OperationState.OperationGoneByOperator, "Agent has been marked gone");
        }

        var killed = LiveTasks(agent).ToList();
        foreach (var task in killed)
        {
            if (_frameworks.TryGetValue(task.FrameworkId.Value, out var framework))
            {
                var status = MasterStatus(task.Info.TaskId, PartitionAware(framework, TaskState.TaskGoneByOperator), Reason.AgentRemovedByOperator,
                    $"Agent {agent.Hostname} was marked as gone by the operator", agent.Id);
                status.ExecutorId = task.ExecutorId.Clone();
                SendMasterUpdate(framework, status);
            }
        }

        if (wasReachable)
        {
            SendAgentFailure(agent);
        }

        agent.Shutdown();
        _agents.Remove(agent);
        _taskIndexAgents = -1;
        _cluster.GoneIds.Add(agentId);
        _cluster.GoneAgents[agentId] = agent;
        RecordFault("agent-gone", agentId, killed);
        Log($"agent {agentId} ({agent.Hostname}) was marked gone");
    }

    /// <summary>
    /// The agent restarts on the same work dir and registers with a new id (its old id was removed, or it rebooted):
    /// its task processes are killed, each live task becomes TASK_GONE (TASK_LOST without PARTITION_AWARE) with
    /// REASON_AGENT_REMOVED, and the new agent keeps the dynamic reservations and persistent volumes.
    /// </summary>
    /// <returns>The new agent id.</returns>
    public string RestartAgent(string agentId)
    {
        LocalAgent old;
        var killed = new List<AgentTask>();
        if (_cluster.GoneAgents.Remove(agentId, out var gone))
        {
            old = gone;
        }
        else
        {
            old = KnownAgent(agentId);
            var wasReachable = !_cluster.Unreachable.Remove(agentId);
            _cluster.Disconnected.Remove(agentId);
            RescindOffersOf(old);
            killed.AddRange(LiveTasks(old));
            foreach (var task in killed)
            {
                if (_frameworks.TryGetValue(task.FrameworkId.Value, out var framework))
                {
                    var status = MasterStatus(task.Info.TaskId, PartitionAware(framework, TaskState.TaskGone), Reason.AgentRemoved,
                        $"Agent {old.Hostname} removed: it restarted and registered with a new agent id", old.Id);
                    status.ExecutorId = task.ExecutorId.Clone();
                    SendMasterUpdate(framework, status);
                }
            }

            if (wasReachable)
            {
                SendAgentFailure(old);
            }
        }

        var id = NewAgentId();
        var restarted = old.RestartWithNewId(id);
        var index = _agents.IndexOf(old);
        if (index >= 0)
        {
            _agents[index] = restarted;
            _taskIndexAgents = -1;
        }
        else
        {
            _agents.Add(restarted);
            _taskIndexAgents = -1;
        }

        _nextAllocation = Now;
        RecordFault("agent-restarted", agentId, killed);
        Log($"agent {agentId} ({old.Hostname}) restarted as {id.Value}, keeping its reservations and volumes");
        return id.Value;
    }

    private AgentID NewAgentId()
    {
        while (true)
        {
            var id = $"{MasterId}-S{_nextAgentNumber++.ToString(CultureInfo.InvariantCulture)}";
            if (!_agents.Any(a => a.Id.Value == id) && !_cluster.GoneIds.Contains(id))
            {
                return new AgentID { Value = id };
            }
        }
    }

    /// <summary>A registered (not unreachable) agent, or a refusal saying why not.</summary>
    private LocalAgent RegisteredAgent(string agentId)
    {
        var agent = KnownAgent(agentId);
        if (_cluster.IsUnreachable(agent))
        {
            throw new FaultRejectedException(FaultRejection.Conflict, $"agent {agentId} is already unreachable");
        }

        return agent;
    }

    /// <summary>A registered or unreachable agent, or a refusal saying why not.</summary>
    private LocalAgent KnownAgent(string agentId)
    {
        if (_agents.FirstOrDefault(a => a.Id.Value == agentId) is { } agent)
        {
            return agent;
        }

        throw _cluster.GoneIds.Contains(agentId)
            ? new FaultRejectedException(FaultRejection.Conflict, $"agent {agentId} is gone")
            : new FaultRejectedException(FaultRejection.NotFound, $"no agent {agentId}");
    }

    private void RecordFault(string kind, string target, IEnumerable<AgentTask>? killed = null) =>
        _cluster.History.Fault(new FaultRecord(Now, kind, target, killed?.Select(t => t.Id).ToList() ?? []));

    private static IEnumerable<AgentTask> LiveTasks(LocalAgent agent) => agent.Tasks.Where(t => !t.Orphaned && !t.IsTerminal).ToList();

    /// <summary>
    /// The master takes back an outstanding offer (as its allocator may at any time): the framework gets a RESCIND and
    /// an ACCEPT of it is refused from now on. False when the offer is not outstanding (answered, rescinded, unknown).
    /// </summary>
    public bool RescindOffer(string offerId)
    {
        if (!_offers.Remove(offerId, out var offer))
        {
            return false;
        }

        if (_frameworks.TryGetValue(offer.FrameworkId, out var framework))
        {
            framework.Connection?.Send(new Event { Type = Event.Types.Type.Rescind, Rescind = new Event.Types.Rescind { OfferId = offer.Id.Clone() } });
        }

        RecordFault("offer-rescinded", offerId);
        return true;
    }

    private void RescindOffersOf(LocalAgent agent)
    {
        foreach (var offer in _offers.Values.Where(o => o.Agent == agent).ToList())
        {
            _offers.Remove(offer.Id.Value);
            if (_frameworks.TryGetValue(offer.FrameworkId, out var framework))
            {
                framework.Connection?.Send(new Event { Type = Event.Types.Type.Rescind, Rescind = new Event.Types.Rescind { OfferId = offer.Id.Clone() } });
            }
        }
    }

    /// <summary>The agent is lost to every framework: a FAILURE event with only its id.</summary>
    private void SendAgentFailure(LocalAgent agent)
    {
        foreach (var framework in _frameworks.Values)
        {
            framework.Connection?.Send(new Event { Type = Event.Types.Type.Failure, Failure = new Event.Types.Failure { AgentId = agent.Id.Clone() } });
        }
    }

    private static TaskState PartitionAware(FrameworkState framework, TaskState state) =>
        framework.Has(FrameworkInfo.Types.Capability.Types.Type.PartitionAware) ? state : TaskState.TaskLost;

    private static TimeInfo TimeInfoOf(DateTimeOffset time) => new() { Nanoseconds = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100 };

    // ------------------------------------------------------------------------------------------------
    // Streams.

    /// <summary>Closes the framework's subscription stream from the master's side: the framework is disconnected.</summary>
    public void SeverStream(string frameworkId)
    {
        var stream = ConnectedStream(frameworkId);
        Log($"fault: severing the stream of framework {frameworkId}");
        RecordFault("stream-severed", frameworkId);
        Disconnected(stream);
    }

    /// <summary>
    /// The stream stays open but carries nothing more (no events, no heartbeats), like a hung connection, until the
    /// framework gives up on it and subscribes again.
    /// </summary>
    public void StallStream(string frameworkId)
    {
        var stream = ConnectedStream(frameworkId);
        Log($"fault: stalling the stream of framework {frameworkId}");
        RecordFault("stream-stalled", frameworkId);
        stream.Stall();
    }

    private SchedulerStream ConnectedStream(string frameworkId)
    {
        if (!_frameworks.TryGetValue(frameworkId, out var framework))
        {
            throw new FaultRejectedException(FaultRejection.NotFound, $"no framework {frameworkId}");
        }

        return framework.Connection
            ?? throw new FaultRejectedException(FaultRejection.Conflict, $"framework {frameworkId} is not subscribed");
    }

    // ------------------------------------------------------------------------------------------------
    // Status-update faults.

    private void ForwardAgentUpdate(FrameworkState framework, TaskStatus status)
    {
        var evt = new Event { Type = Event.Types.Type.Update, Update = new Event.Types.Update { Status = status.Clone() } };
        var policy = _cluster.UpdateFaults;
        switch (policy.Decide())
        {
            case StatusUpdateFate.Drop:
                Log($"fault: dropped {TaskStates.WireName(status.State)} of task {status.TaskId.Value}");
                break;
            case StatusUpdateFate.Duplicate:
                framework.Connection!.Send(evt);
                HoldBack(framework.Id, evt.Clone(), policy.Faults.Delay);
                break;
            case StatusUpdateFate.Delay:
                HoldBack(framework.Id, evt, policy.Faults.Delay);
                break;
            default:
                framework.Connection!.Send(evt);
                break;
        }
    }

    private void HoldBack(string frameworkId, Event evt, TimeSpan delay)
    {
        _heldBack.Add((frameworkId, evt, Now + delay));
        if (delay <= TimeSpan.Zero)
        {
            DeliverDelayedUpdates();
        }
    }

    /// <summary>
    /// Held-back updates whose time has come go to the framework's current stream (dropped if it has none). An update of
    /// an agent that became unreachable meanwhile is dropped too, as a master ignores what an agent it removed sent
    /// before: the agent resends its unacknowledged updates when it comes back (a held-back duplicate of an update
    /// already acknowledged must not follow the master's TASK_UNREACHABLE and undo it).
    /// </summary>
    private void DeliverDelayedUpdates()
    {
        var now = Now;
        foreach (var held in _heldBack.Where(h => h.Due <= now).ToList())
        {
            _heldBack.Remove(held);
            if (held.Event.Update?.Status?.AgentId is { } agentId && _cluster.Unreachable.ContainsKey(agentId.Value))
            {
                Log($"held-back {TaskStates.WireName(held.Event.Update.Status.State)} of task {held.Event.Update.Status.TaskId.Value} dropped: agent {agentId.Value} is unreachable");
                continue;
            }

            if (_frameworks.TryGetValue(held.FrameworkId, out var framework))
            {
                framework.Connection?.Send(held.Event);
            }
        }
    }

    public FaultState SetStatusUpdateFaults(StatusUpdateFaults faults, int? seed)
    {
        var policy = _cluster.UpdateFaults;
        policy.Faults = faults;
        if (seed is { } s)
        {
            policy.Reseed(s);
        }

        Log($"fault: status updates now {MesosEmulator.Describe(faults)}, next {faults.DropNext} dropped / {faults.DuplicateNext} duplicated / {faults.DelayNext} delayed, seed {policy.Seed.ToString(CultureInfo.InvariantCulture)}");
        return FaultState();
    }

    /// <summary>The fault settings and what they did, and which agents and streams are faulty now.</summary>
    public FaultState FaultState()
    {
        var policy = _cluster.UpdateFaults;
        return new FaultState(
            policy.Seed,
            policy.Faults,
            policy.Dropped,
            policy.Duplicated,
            policy.Delayed,
            _heldBack.Count,
            _frameworks.Values.Where(f => f.Connection is { IsStalled: true }).Select(f => f.Id).Order(StringComparer.Ordinal).ToList(),
            _cluster.Unreachable.Keys.Order(StringComparer.Ordinal).ToList(),
            _cluster.GoneIds.Order(StringComparer.Ordinal).ToList(),
            _cluster.Disconnected.Keys.Order(StringComparer.Ordinal).ToList());
    }
}
