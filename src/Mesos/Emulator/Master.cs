using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using ActorScheduler.Mesos.Emulator.Faults;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>The answer to a non-SUBSCRIBE call: HTTP status and body.</summary>
internal sealed record CallResult(int StatusCode, string Body = "")
{
    public static CallResult Accepted { get; } = new(202);
}

/// <summary>
/// The master state machine: frameworks, offers, filters and the local agents. Every method must be called
/// from the one master loop (<see cref="SerialQueue"/>), which gives the event order of a single real master.
/// No HTTP in here: the transport hands in decoded calls and drains <see cref="SchedulerStream"/>s. What outlives
/// a master failover (agents, the unreachable / gone registry, fault settings) lives in <see cref="ClusterState"/>.
/// </summary>
internal sealed partial class Master
{
    private readonly MasterSettings _settings;
    private readonly ClusterState _cluster;
    private readonly List<LocalAgent> _agents;
    private readonly Dictionary<string, FrameworkState> _frameworks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removedFrameworks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OutstandingOffer> _offers = new(StringComparer.Ordinal);
    private readonly List<OfferFilter> _filters = [];
    private long _nextFrameworkNumber;
    private long _nextOfferNumber;
    private long _subscriptionOrder;
    private DateTimeOffset _nextAllocation;
    private bool _stopped;

    public Master(MasterSettings settings, ClusterState cluster)
    {
        _settings = settings;
        _cluster = cluster;
        _agents = cluster.Agents;
        var now = Now;
        _nextAllocation = now + settings.AllocationInterval;

        // Frameworks known only from recovered agents: disconnected, their failover timeout running.
        foreach (var agent in _agents)
        {
            foreach (var frameworkId in agent.FrameworkIds)
            {
                if (_frameworks.ContainsKey(frameworkId))
                {
                    continue;
                }

                var info = agent.FrameworkInfo(frameworkId)?.Clone()
                    ?? new FrameworkInfo { User = string.Empty, Name = string.Empty, Id = new FrameworkID { Value = frameworkId } };
                _frameworks[frameworkId] = new FrameworkState(info, _subscriptionOrder++) { DisconnectedAt = now };
                Log($"recovered framework {frameworkId} from agent checkpoints; waiting for it to re-subscribe");
            }
        }
    }

    public string MasterId => _settings.MasterId;

    public IReadOnlyList<LocalAgent> Agents => _agents;

    private DateTimeOffset Now => _settings.Time.GetUtcNow();

    // ------------------------------------------------------------------------------------------------
    // SUBSCRIBE and disconnection.

    /// <summary>
    /// Handles a SUBSCRIBE whose transport checks passed: the stream gets SUBSCRIBED + HEARTBEAT, or a single
    /// ERROR and is closed.
    /// </summary>
    public void Subscribe(Call call, SchedulerStream stream)
    {
        if (_stopped)
        {
            stream.Close();
            return;
        }

        var info = call.Subscribe.FrameworkInfo.Clone();
        var error = FrameworkInfoValidator.Validate(info, call.Subscribe.SuppressedRoles);
        FrameworkState? framework = null;
        if (error is null && info.Id is not null)
        {
            if (_removedFrameworks.Contains(info.Id.Value))
            {
                error = "Framework has been removed";
            }
            else if (_frameworks.TryGetValue(info.Id.Value, out framework)
                && framework.Info.HasPrincipal && framework.Info.Principal != info.Principal)
            {
                error = "Changing framework's principal is not allowed.";
            }
        }

        if (error is not null)
        {
            stream.Send(new Event { Type = Event.Types.Type.Error, Error = new Event.Types.Error { Message = error } });
            stream.Close();
            return;
        }

        if (framework is not null)
        {
            // Re-subscription (scheduler failover): the old stream, if any, is told and closed.
            if (framework.Connection is { } old)
            {
                old.Send(new Event { Type = Event.Types.Type.Error, Error = new Event.Types.Error { Message = "Framework failed over" } });
                old.Close();
            }

            // user and checkpoint cannot change on re-subscription.
            info.User = framework.Info.User;
            info.Checkpoint = framework.Info.Checkpoint;
            framework.Info = info;
            DiscardOffers(framework.Id);
            Log($"framework {framework.Id} ({info.Name}) re-subscribed");
        }
        else
        {
            if (info.Id is null)
            {
                info.Id = new FrameworkID { Value = $"{MasterId}-{_nextFrameworkNumber++.ToString("D4", CultureInfo.InvariantCulture)}" };
                Log($"framework {info.Id.Value} ({info.Name}) subscribed");
            }
            else
            {
                Log($"framework {info.Id.Value} ({info.Name}) subscribed with an id this master did not know (master failover)");
            }

            framework = new FrameworkState(info, _subscriptionOrder++);
            _frameworks[framework.Id] = framework;
        }

        _cluster.History.Call(CallTypeName(Call.Types.Type.Subscribe));
        framework.Connection = stream;
        framework.DisconnectedAt = null;
        framework.SuppressedRoles.Clear();
        framework.SuppressedRoles.UnionWith(call.Subscribe.SuppressedRoles);
        stream.FrameworkId = framework.Id;
        stream.Send(new Event
        {
            Type = Event.Types.Type.Subscribed,
            Subscribed = new Event.Types.Subscribed
            {
                FrameworkId = new FrameworkID { Value = framework.Id },
                HeartbeatIntervalSeconds = _settings.HeartbeatInterval.TotalSeconds,
                MasterInfo = BuildMasterInfo(),
            },
        });
        stream.Send(new Event { Type = Event.Types.Type.Heartbeat });
        stream.NextHeartbeat = Now + _settings.HeartbeatInterval;

        foreach (var agent in _agents)
        {
            agent.ResendAll(framework.Id);
            if (agent.FrameworkInfo(framework.Id) is not null)
            {
                agent.UpdateFrameworkInfo(framework.Info);
            }
        }

        FlushAgentEvents();
    }

    /// <summary>The SUBSCRIBE connection ended (client closed it, or the master did).</summary>
    public void Disconnected(SchedulerStream stream)
    {
        stream.Close();
        if (_stopped || stream.FrameworkId is null
            || !_frameworks.TryGetValue(stream.FrameworkId, out var framework) || framework.Connection != stream)
        {
            return;
        }

        framework.Connection = null;
        framework.DisconnectedAt = Now;
        DiscardOffers(framework.Id);
        Log($"framework {framework.Id} disconnected; failover timeout {framework.Info.FailoverTimeout.ToString(CultureInfo.InvariantCulture)} s");
        if (framework.Info.FailoverTimeout <= 0)
        {
            RemoveFramework(framework, "its failover timeout is 0");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Other calls.

    /// <summary>Handles a validated non-SUBSCRIBE call, with the master's framework / stream-id checks first.</summary>
    public CallResult Handle(Call call, string? streamId)
    {
        if (_stopped)
        {
            return new CallResult(503, "Master is shutting down");
        }

        if (!_frameworks.TryGetValue(call.FrameworkId.Value, out var framework))
        {
            return new CallResult(400, "Framework cannot be found");
        }

        if (framework.Connection is null)
        {
            return new CallResult(403, "Framework is not subscribed");
        }

        if (streamId is null)
        {
            return new CallResult(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
        }

        if (streamId != framework.Connection.StreamId)
        {
            return new CallResult(400,
                $"The stream ID '{streamId}' included in this request didn't match the stream ID currently associated with framework ID {framework.Id}");
        }

        _cluster.History.Call(CallTypeName(call.Type));
        var result = call.Type switch
        {
            Call.Types.Type.Teardown => Teardown(framework),
            Call.Types.Type.Accept => Accept(framework, call.Accept),
            Call.Types.Type.Decline => Decline(framework, call.Decline),
            Call.Types.Type.Revive => Revive(framework, call.Revive?.Roles),
            Call.Types.Type.Suppress => Suppress(framework, call.Suppress?.Roles),
            Call.Types.Type.Kill => Kill(framework, call.Kill),
            Call.Types.Type.Shutdown => Shutdown(framework, call.Shutdown),
            Call.Types.Type.Acknowledge => Acknowledge(call.Acknowledge),
            Call.Types.Type.Reconcile => Reconcile(framework, call.Reconcile),
            Call.Types.Type.AcknowledgeOperationStatus => AcknowledgeOperationStatus(framework, call.AcknowledgeOperationStatus),
            Call.Types.Type.ReconcileOperations => ReconcileOperations(framework, call.ReconcileOperations),
            Call.Types.Type.UpdateFramework => UpdateFramework(framework, call.UpdateFramework),
            Call.Types.Type.Unknown => new CallResult(501, "Received an unknown call type"),
            // MESSAGE, REQUEST and inverse offers: accepted and ignored.
            _ => CallResult.Accepted,
        };

        // Retries wait for the tick: after a call only what may be newly sendable goes out, and after the calls that act
        // on known agents (the storm's bulk: ACCEPT, ACKNOWLEDGE, KILL, DECLINE) only from those agents.
        if (call.Type is Call.Types.Type.Accept or Call.Types.Type.Acknowledge or Call.Types.Type.Kill or Call.Types.Type.Decline)
        {
            foreach (var agent in _touched)
            {
                FlushAgent(agent, retries: false);
            }
        }
        else
        {
            FlushAgentEvents(retries: false);
        }

        _touched.Clear();
        return result;
    }

    private CallResult Teardown(FrameworkState framework)
    {
        RemoveFramework(framework, "it sent TEARDOWN");
        return CallResult.Accepted;
    }

    private CallResult Decline(FrameworkState framework, Call.Types.Decline decline)
    {
        foreach (var offerId in decline.OfferIds)
        {
            if (_offers.TryGetValue(offerId.Value, out var offer) && offer.FrameworkId == framework.Id)
            {
                _offers.Remove(offerId.Value);
                AddFilter(offer, offer.Resources, decline.Filters);
            }
        }

        return CallResult.Accepted;
    }

    private CallResult Revive(FrameworkState framework, IEnumerable<string>? roles)
    {
        var selected = SelectRoles(framework, roles);
        _filters.RemoveAll(f => f.FrameworkId == framework.Id && selected.Contains(f.Role));
        framework.SuppressedRoles.ExceptWith(selected);
        _nextAllocation = Now;
        return CallResult.Accepted;
    }

    private CallResult Suppress(FrameworkState framework, IEnumerable<string>? roles)
    {
        framework.SuppressedRoles.UnionWith(SelectRoles(framework, roles));
        return CallResult.Accepted;
    }

    private static HashSet<string> SelectRoles(FrameworkState framework, IEnumerable<string>? roles)
    {
        var list = roles?.ToList() ?? [];
        return new HashSet<string>(list.Count == 0 ? framework.Roles : list.Where(framework.Roles.Contains), StringComparer.Ordinal);
    }

    private CallResult Kill(FrameworkState framework, Call.Types.Kill kill)
    {
        var agent = FindAgentOfTask(framework.Id, kill.TaskId.Value, kill.AgentId?.Value);
        if (agent is null || _cluster.IsCutOff(agent))
        {
            // Unknown task, or one the master cannot reach: answered like an explicit reconciliation.
            SendMasterUpdate(framework, agent is null
                ? ReconcileUnknown(framework, kill.TaskId, kill.AgentId)
                : ReconcileKnown(framework, agent, agent.FindTask(kill.TaskId.Value)!));
            return CallResult.Accepted;
        }

        TimeSpan? grace = kill.KillPolicy?.GracePeriod is { } d ? TimeSpan.FromTicks(d.Nanoseconds / 100) : null;
        agent.Kill(kill.TaskId.Value, grace);
        _touched.Add(agent);
        Log($"killing task {kill.TaskId.Value} on agent {agent.Id.Value}");
        return CallResult.Accepted;
    }

    private CallResult Shutdown(FrameworkState framework, Call.Types.Shutdown shutdown)
    {
        var agent = _agents.FirstOrDefault(a => a.Id.Value == shutdown.AgentId.Value);
        var task = agent?.Tasks.FirstOrDefault(t => t.FrameworkId.Value == framework.Id && !t.IsTerminal
            && t.Executor?.ExecutorId.Value == shutdown.ExecutorId.Value);
        if (agent is not null && task is not null)
        {
            agent.Kill(task.Id, null);
        }

        return CallResult.Accepted;
    }

    private CallResult Acknowledge(Call.Types.Acknowledge ack)
    {
        // An acknowledgement for an unreachable or disconnected agent is lost; the agent resends the update once it is back.
        var agent = AgentById(ack.AgentId.Value);
        if (agent is not null && !_cluster.IsCutOff(agent))
        {
            agent.Acknowledge(ack.TaskId.Value, ack.Uuid);
            _touched.Add(agent);
        }

        return CallResult.Accepted;
    }

    private CallResult UpdateFramework(FrameworkState framework, Call.Types.UpdateFramework update)
    {
        var info = update.FrameworkInfo.Clone();
        var error = FrameworkInfoValidator.Validate(info, update.SuppressedRoles);
        if (error is not null)
        {
            return new CallResult(400, error);
        }

        if (framework.Info.HasPrincipal && framework.Info.Principal != info.Principal)
        {
            return new CallResult(400, "Changing framework's principal is not allowed.");
        }

        info.User = framework.Info.User;
        info.Checkpoint = framework.Info.Checkpoint;
        foreach (var agent in _agents.Where(a => a.FrameworkInfo(framework.Id) is not null))
        {
            agent.UpdateFrameworkInfo(info);
        }

        var removedRoles = framework.Roles.Except(FrameworkCapabilities.Roles(info)).ToHashSet(StringComparer.Ordinal);
        framework.Info = info;
        framework.SuppressedRoles.Clear();
        framework.SuppressedRoles.UnionWith(update.SuppressedRoles);
        foreach (var offer in _offers.Values.Where(o => o.FrameworkId == framework.Id && removedRoles.Contains(o.Role)).ToList())
        {
            _offers.Remove(offer.Id.Value);
            framework.Connection?.Send(new Event
            {
                Type = Event.Types.Type.Rescind,
                Rescind = new Event.Types.Rescind { OfferId = offer.Id.Clone() },
            });
        }

        return new CallResult(200);
    }

    // ------------------------------------------------------------------------------------------------
    // Reconciliation.

    private CallResult Reconcile(FrameworkState framework, Call.Types.Reconcile reconcile)
    {
        if (reconcile.Tasks.Count == 0)
        {
            foreach (var agent in _agents)
            {
                foreach (var task in agent.Tasks.Where(t => t.FrameworkId.Value == framework.Id && !t.Orphaned))
                {
                    SendMasterUpdate(framework, ReconcileKnown(framework, agent, task));
                }
            }

            return CallResult.Accepted;
        }

        foreach (var item in reconcile.Tasks)
        {
            var agent = FindAgentOfTask(framework.Id, item.TaskId.Value, item.AgentId?.Value);
            var task = agent?.FindTask(item.TaskId.Value);
            SendMasterUpdate(framework, agent is not null && task is not null
                ? ReconcileKnown(framework, agent, task)
                : ReconcileUnknown(framework, item.TaskId, item.AgentId));
        }

        return CallResult.Accepted;
    }

    /// <summary>A task the master knows: its latest state, or TASK_UNREACHABLE (with the time) while its agent is.</summary>
    private TaskStatus ReconcileKnown(FrameworkState framework, LocalAgent agent, AgentTask task)
    {
        TaskStatus status;
        if (_cluster.Unreachable.TryGetValue(agent.Id.Value, out var since) && !task.IsTerminal)
        {
            status = MasterStatus(task.Info.TaskId, PartitionAware(framework, TaskState.TaskUnreachable),
                TaskStatus.Types.Reason.Reconciliation, "Reconciliation: Task is unreachable", agent.Id);
            status.UnreachableTime = TimeInfoOf(since);
        }
        else
        {
            status = MasterStatus(task.Info.TaskId, task.State, TaskStatus.Types.Reason.Reconciliation,
                "Reconciliation: Latest task state", agent.Id);
        }

        status.ExecutorId = task.ExecutorId.Clone();
        // The master repeats the health and check status of the latest update.
        if (task.LastStatus is { } last)
        {
            if (last.HasHealthy)
            {
                status.Healthy = last.Healthy;
            }

            if (last.CheckStatus is { } check)
            {
                status.CheckStatus = check.Clone();
            }
        }

        return status;
    }

    private TaskStatus ReconcileUnknown(FrameworkState framework, TaskID taskId, AgentID? agentId)
    {
        var partitionAware = framework.Has(FrameworkInfo.Types.Capability.Types.Type.PartitionAware);
        if (agentId is not null && _cluster.Unreachable.TryGetValue(agentId.Value, out var since))
        {
            var status = MasterStatus(taskId, PartitionAware(framework, TaskState.TaskUnreachable),
                TaskStatus.Types.Reason.Reconciliation, "Reconciliation: Task is unreachable", agentId);
            status.UnreachableTime = TimeInfoOf(since);
            return status;
        }

        if (agentId is not null && _cluster.GoneIds.Contains(agentId.Value))
        {
            return MasterStatus(taskId, PartitionAware(framework, TaskState.TaskGoneByOperator),
                TaskStatus.Types.Reason.Reconciliation, "Reconciliation: Task is gone", agentId);
        }

        if (agentId is not null && _agents.Any(a => a.Id.Value == agentId.Value))
        {
            return MasterStatus(taskId, partitionAware ? TaskState.TaskGone : TaskState.TaskLost,
                TaskStatus.Types.Reason.Reconciliation, "Reconciliation: Task is unknown to the agent", agentId);
        }

        return MasterStatus(taskId, partitionAware ? TaskState.TaskUnknown : TaskState.TaskLost,
            TaskStatus.Types.Reason.Reconciliation, "Reconciliation: Task is unknown", agentId);
    }

    // ------------------------------------------------------------------------------------------------
    // Time-driven work.

    /// <summary>
    /// Periodic work: task processes, failover timeouts, filter expiry, heartbeats, allocation and
    /// status-update (re)sending.
    /// </summary>
    public void Tick()
    {
        if (_stopped)
        {
            return;
        }

        var now = Now;
        foreach (var agent in _agents)
        {
            agent.Poll();
        }

        ExpireAgentPings(now);
        foreach (var framework in _frameworks.Values.ToList())
        {
            if (framework.DisconnectedAt is { } since && now >= since + TimeSpan.FromSeconds(Math.Max(0, framework.Info.FailoverTimeout)))
            {
                RemoveFramework(framework, "its failover timeout expired");
            }
        }

        _filters.RemoveAll(f => f.Expires <= now);
        foreach (var framework in _frameworks.Values)
        {
            if (framework.Connection is { } stream && now >= stream.NextHeartbeat)
            {
                stream.Send(new Event { Type = Event.Types.Type.Heartbeat });
                stream.NextHeartbeat = now + _settings.HeartbeatInterval;
            }
        }

        if (_settings.TimedAllocation && now >= _nextAllocation)
        {
            _nextAllocation = now + _settings.AllocationInterval;
            Allocate();
        }

        FlushAgentEvents();
        DeliverDelayedUpdates();
    }

    /// <summary>
    /// Runs one allocation cycle and sends one OFFERS event per framework. <paramref name="only"/> limits it to some
    /// agents, and <paramref name="ignoreFilters"/> offers them despite suppression and refuse filters (the simulation
    /// kit's scripted offers; the timed cycle uses neither). Returns the offers it made.
    /// </summary>
    public IReadOnlyList<OutstandingOffer> Allocate(IReadOnlyCollection<LocalAgent>? only = null, bool ignoreFilters = false)
    {
        var candidates = _frameworks.Values
            .Where(f => f.IsConnected)
            .OrderBy(f => f.Order)
            .SelectMany(f => f.Roles.Where(r => ignoreFilters || !f.SuppressedRoles.Contains(r)).Select(r => new AllocationCandidate(f.Id, r, f.Has(FrameworkInfo.Types.Capability.Types.Type.GpuResources))))
            .ToList();
        var made = new List<OutstandingOffer>();
        if (candidates.Count == 0)
        {
            return made;
        }

        // Indexed once per cycle, so a cycle stays linear in agents, offers and filters (10,000 agents); a cycle of some
        // agents (the storm's: a few hundred a step) indexes only what concerns them, not every agent and filter.
        var now = Now;
        IReadOnlyCollection<LocalAgent> agents = only ?? _agents;
        var agentsById = new Dictionary<string, LocalAgent>(agents.Count, StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            agentsById.TryAdd(agent.Id.Value, agent);
        }
        var offeredByAgent = (only is null ? _offers.Values : _offers.Values.Where(o => agentsById.ContainsKey(o.Agent.Id.Value))).ToLookup(o => o.Agent);
        var filtersByAgent = (only is null ? _filters : _filters.Where(f => agentsById.ContainsKey(f.AgentId))).ToLookup(f => f.AgentId, StringComparer.Ordinal);
        var availability = agentsById.Values.Where(a => !_cluster.IsCutOff(a))
            .Select(a => new AgentAvailability(a.Id.Value, a.Available(offeredByAgent[a]), a.HasGpus));
        // As a Mesos master: agents outside its region are offered only to region-aware frameworks (scripted offers too).
        var masterRegion = _settings.Domain?.FaultDomain?.Region?.Name;
        var decisions = Allocator.Allocate(availability, candidates, (candidate, agentId, offered) =>
            (masterRegion is not null && !_frameworks[candidate.FrameworkId].Has(FrameworkInfo.Types.Capability.Types.Type.RegionAware)
                && agentsById[agentId].Domain?.FaultDomain?.Region?.Name is { } region && region != masterRegion)
            || (!ignoreFilters && filtersByAgent[agentId].Any(f => f.FrameworkId == candidate.FrameworkId && f.Role == candidate.Role
                && f.Expires > now && f.Resources.ContainsAll(offered))));

        foreach (var group in decisions.GroupBy(d => d.FrameworkId))
        {
            var framework = _frameworks[group.Key];
            var evt = new Event { Type = Event.Types.Type.Offers, Offers = new Event.Types.Offers() };
            foreach (var decision in group)
            {
                var agent = agentsById[decision.AgentId];
                var offerId = new OfferID { Value = $"{MasterId}-O{_nextOfferNumber++.ToString(CultureInfo.InvariantCulture)}" };
                var offer = new OutstandingOffer(offerId, framework.Id, decision.Role, agent, decision.Resources);
                _offers[offerId.Value] = offer;
                agent.Offered();
                made.Add(offer);
                evt.Offers.Offers_.Add(BuildOffer(framework, offerId, agent, decision));
            }

            framework.Connection!.Send(evt);
        }

        return made;
    }

    /// <summary>Offers sent and not yet accepted, declined or rescinded.</summary>
    public IReadOnlyCollection<OutstandingOffer> OutstandingOffers => _offers.Values;

    /// <summary>Whether the agent is unreachable (lost and not returned).</summary>
    public bool IsUnreachable(LocalAgent agent) => _cluster.IsUnreachable(agent);

    /// <summary>Adds an agent to the cluster (the simulation kit's agents join while it runs).</summary>
    public void AddAgent(LocalAgent agent)
    {
        _agents.Add(agent);
        _taskIndexAgents = -1;
    }

    /// <summary>Polls the agents' tasks and sends their due updates, without the rest of <see cref="Tick"/>.</summary>
    public void PollAgents()
    {
        foreach (var agent in _agents)
        {
            agent.Poll();
        }

        FlushAgentEvents();
    }

    /// <summary>
    /// Polls the agent that holds <paramref name="taskId"/> and sends its due updates: after a kill, only that agent can
    /// have a task that ended (polling every agent after each of a scale-in's thousands of kills cost O(agents) a kill).
    /// </summary>
    public void PollAgentOfTask(string taskId)
    {
        EnsureIndexes();
        if (_taskAgents.TryGetValue(taskId, out var agent))
        {
            agent.Poll();
            FlushAgent(agent, retries: true);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Lifecycle and views.

    /// <summary>Stops the master: closes every stream; optionally kills all tasks (SIGTERM now, SIGKILL after grace).</summary>
    public void Stop(bool killTasks, TimeSpan grace)
    {
        _stopped = true;
        foreach (var framework in _frameworks.Values)
        {
            framework.Connection?.Close();
            framework.Connection = null;
        }

        foreach (var agent in _agents)
        {
            agent.StopChecks();
            if (killTasks)
            {
                agent.KillAll(grace);
            }
        }
    }

    public EmulatorSnapshot Snapshot(Uri url)
    {
        var agents = _agents.Select(a => (Agent: a, State: _cluster.IsUnreachable(a) ? AgentSnapshot.Unreachable
                : _cluster.Disconnected.ContainsKey(a.Id.Value) ? AgentSnapshot.Disconnected : AgentSnapshot.Registered))
            .Concat(_cluster.GoneAgents.Values.Select(a => (Agent: a, State: AgentSnapshot.Gone)))
            .Select(x =>
            {
                var a = x.Agent;
                var used = a.Used();
                var domain = DomainOf(a)?.FaultDomain;
                return new AgentSnapshot(a.Id.Value, a.Hostname, a.WorkDir, Summarize(a.Total, null),
                    Summarize(a.Total, ResourceFormat.IsReserved), Summarize(used, null), x.State)
                {
                    Attributes = a.Attributes.ToDictionary(x => x.Name, AttributeText.Value, StringComparer.Ordinal),
                    Zone = domain?.Zone.Name,
                    Region = domain?.Region.Name,
                    MountDisks = a.Total.Resources.Where(ResourceFormat.IsMountDisk).Select(d => new MountDiskSnapshot(
                            ResourceFormat.MountRoot(d) ?? string.Empty,
                            d.Scalar.Value,
                            d.Disk.Source.HasProfile ? d.Disk.Source.Profile : null,
                            ResourceFormat.IsReserved(d) ? ResourceFormat.ReservationRole(d) : null,
                            d.Disk.Persistence?.Id,
                            used.Contains(d)))
                        .OrderBy(d => d.Root, StringComparer.Ordinal)
                        .ToList(),
                };
            }).ToList();
        var frameworks = _frameworks.Values.OrderBy(f => f.Order).Select(f => new FrameworkSnapshot(
            f.Id, f.Info.Name, f.Roles, f.IsConnected, _offers.Values.Count(o => o.FrameworkId == f.Id))
        {
            Capabilities = f.Info.Capabilities.Select(c => c.Type.ToString()).ToList(),
            SuppressedRoles = f.Roles.Where(f.SuppressedRoles.Contains).ToList(),
        }).ToList();
        var tasks = _agents.SelectMany(a => a.Tasks.Select(t => new TaskSnapshot(
            t.Id, t.Info.Name, t.FrameworkId.Value, a.Id.Value, TaskStates.WireName(t.State), t.Process?.Pid, t.Sandbox, t.Pending.Count)
        {
            DockerVolumes = a.DockerVolumesOf(t),
            Limits = t.Info.Limits.ToDictionary(
                l => l.Key,
                l => double.IsPositiveInfinity(l.Value.Value) ? "unlimited" : l.Value.Value.ToString("R", CultureInfo.InvariantCulture),
                StringComparer.Ordinal),
            OwnCgroups = t.Info.Container?.LinuxInfo is { HasShareCgroups: true, ShareCgroups: false },
        })).ToList();
        return new EmulatorSnapshot(MasterId, url, agents, frameworks, tasks);
    }

    /// <summary>The wire name of a call type, e.g. <c>RECONCILE</c>.</summary>
    public static string CallTypeName(Call.Types.Type type) =>
        CallTypeNames.TryGetValue(type, out var name) ? name : type.ToString();

    // The wire name of every call type, looked up once (the master counts every call by it).
    private static readonly FrozenDictionary<Call.Types.Type, string> CallTypeNames = Call.Descriptor.FindFieldByNumber(Call.TypeFieldNumber).EnumType.Values
        .ToFrozenDictionary(v => (Call.Types.Type)v.Number, v => v.Name);

    private static ResourceSummary Summarize(ResourcePool pool, Func<Resource, bool>? predicate) =>
        new(pool.Scalar("cpus", predicate), pool.Scalar("mem", predicate), pool.Scalar("disk", predicate), pool.RangeCount("ports", predicate));

    // ------------------------------------------------------------------------------------------------
    // Helpers.

    /// <summary>
    /// Sends due agent status updates (through the status-update faults) and executor terminations to connected
    /// frameworks. Unreachable agents send nothing: their updates wait on the agent until it is back.
    /// </summary>
    private void FlushAgentEvents(bool retries = true)
    {
        foreach (var agent in _agents)
        {
            FlushAgent(agent, retries);
        }
    }

    /// <summary>Sends the agent's due updates and executor terminations (nothing while it is unreachable or disconnected).</summary>
    private void FlushAgent(LocalAgent agent, bool retries)
    {
        if (!(retries ? agent.HasPendingEvents : agent.HasUnsentEvents) || _cluster.IsCutOff(agent))
        {
            return;
        }

        foreach (var (frameworkId, status) in agent.TakeDueUpdates(id => _frameworks.TryGetValue(id, out var f) && f.IsConnected))
        {
            ForwardAgentUpdate(_frameworks[frameworkId.Value], status);
        }

        if (agent.Operations.HasPending)
        {
            foreach (var (frameworkId, status) in agent.Operations.TakeDue(id => _frameworks.TryGetValue(id, out var f) && f.IsConnected))
            {
                SendOperationUpdate(_frameworks[frameworkId], status.Clone());
            }
        }

        foreach (var ended in agent.TakeEndedExecutors())
        {
            if (_frameworks.TryGetValue(ended.FrameworkId.Value, out var framework) && framework.Connection is { } stream)
            {
                stream.Send(new Event
                {
                    Type = Event.Types.Type.Failure,
                    Failure = new Event.Types.Failure { AgentId = agent.Id.Clone(), ExecutorId = ended.ExecutorId.Clone(), Status = ended.Status },
                });
            }
        }
    }

    private void RemoveFramework(FrameworkState framework, string why)
    {
        Log($"removing framework {framework.Id} because {why}; killing its tasks");
        _frameworks.Remove(framework.Id);
        _removedFrameworks.Add(framework.Id);
        DiscardOffers(framework.Id);
        _filters.RemoveAll(f => f.FrameworkId == framework.Id);
        foreach (var agent in _agents)
        {
            agent.RemoveFramework(framework.Id);
        }

        framework.Connection?.Close();
        framework.Connection = null;
    }

    private void DiscardOffers(string frameworkId)
    {
        foreach (var id in _offers.Values.Where(o => o.FrameworkId == frameworkId).Select(o => o.Id.Value).ToList())
        {
            _offers.Remove(id);
        }
    }

    private void AddFilter(OutstandingOffer offer, ResourcePool resources, Filters? filters)
    {
        var seconds = filters is null ? 5.0 : filters.RefuseSeconds;
        if (double.IsNaN(seconds) || seconds <= 0 || resources.IsEmpty)
        {
            return;
        }

        seconds = Math.Min(seconds, 31536000);
        // The filter keeps the pool: a declined offer's (gone with it) or what an ACCEPT left untouched (its own copy).
        _filters.Add(new OfferFilter(offer.FrameworkId, offer.Role, offer.Agent.Id.Value, resources, Now + TimeSpan.FromSeconds(seconds)));
    }

    /// <summary>The registered or unreachable agent with that id (gone agents are not in the list).</summary>
    private LocalAgent? AgentById(string agentId)
    {
        EnsureIndexes();
        return _agentsById.GetValueOrDefault(agentId);
    }

    /// <summary>
    /// Rebuilds the task and agent indexes after the agent list changed: every change of it here resets
    /// <c>_taskIndexAgents</c>; a different count catches a change made through the cluster's list.
    /// </summary>
    private void EnsureIndexes()
    {
        if (_taskIndexAgents == _agents.Count)
        {
            return;
        }

        _taskAgents.Clear();
        _agentsById.Clear();
        // Sized at once: grown one agent at a time, 10,000 agents passed through arrays of the large-object heap.
        _agentsById.EnsureCapacity(_agents.Count);
        foreach (var agent in _agents)
        {
            _agentsById[agent.Id.Value] = agent;
            foreach (var task in agent.Tasks)
            {
                _taskAgents[task.Id] = agent;
            }
        }

        _taskIndexAgents = _agents.Count;
    }

    /// <summary>
    /// Starts tasks on the agent without an offer (the simulation kit's stray tasks: tasks a scheduler never launched);
    /// the master knows them like any other, so KILL and RECONCILE find them.
    /// </summary>
    internal void LaunchWithoutOffer(LocalAgent agent, FrameworkInfo framework, TaskInfo task)
    {
        agent.Launch(framework, [task.Clone()], executor: null);
        _taskAgents[task.TaskId.Value] = agent;
    }

    private readonly Dictionary<string, LocalAgent> _taskAgents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalAgent> _agentsById = new(StringComparer.Ordinal);
    private int _taskIndexAgents = -1;

    // Agents the call being handled acted on: after ACCEPT, ACKNOWLEDGE, KILL and DECLINE only these are flushed.
    private readonly HashSet<LocalAgent> _touched = new();

    /// <summary>
    /// The agent (<paramref name="agentId"/> only, when given) with a live task of the framework of that id. Looks the id
    /// up in an index of the agent each task was launched on (a scan of every agent per task cost O(agents) per KILL,
    /// RECONCILE entry and launched task); the index is rebuilt whenever the agent list changes, and an entry counts only
    /// while that agent still has the task.
    /// </summary>
    private LocalAgent? FindAgentOfTask(string frameworkId, string taskId, string? agentId)
    {
        EnsureIndexes();
        return _taskAgents.TryGetValue(taskId, out var holder)
            && (agentId is null || holder.Id.Value == agentId)
            && holder.FindTask(taskId) is { } live && live.FrameworkId.Value == frameworkId && !live.Orphaned
                ? holder
                : null;
    }

    private void SendMasterUpdate(FrameworkState framework, TaskStatus status)
    {
        framework.Connection?.Send(new Event { Type = Event.Types.Type.Update, Update = new Event.Types.Update { Status = status } });
    }

    private TaskStatus MasterStatus(TaskID taskId, TaskState state, TaskStatus.Types.Reason reason, string message, AgentID? agentId)
    {
        var status = new TaskStatus
        {
            TaskId = taskId.Clone(),
            State = state,
            Source = TaskStatus.Types.Source.Master,
            Reason = reason,
            Message = message,
            Timestamp = Now.ToUnixTimeMilliseconds() / 1000.0,
        };
        if (agentId is not null)
        {
            status.AgentId = agentId.Clone();
        }

        return status;
    }

    private Offer BuildOffer(FrameworkState framework, OfferID offerId, LocalAgent agent, AllocationDecision decision)
    {
        var multiRole = framework.Has(FrameworkInfo.Types.Capability.Types.Type.MultiRole);
        var refinement = framework.Has(FrameworkInfo.Types.Capability.Types.Type.ReservationRefinement);
        var allocationRole = multiRole ? decision.Role : null;
        var offer = new Offer
        {
            Id = offerId,
            FrameworkId = framework.Info.Id.Clone(),
            AgentId = agent.Id.Clone(),
            Hostname = agent.Hostname,
            Url = new URL
            {
                Scheme = "http",
                Address = new Address { Hostname = agent.Hostname, Ip = agent.Hostname, Port = 5051 },
                Path = "/slave(1)",
            },
        };
        offer.Resources.AddRange(decision.Resources.Resources.Select(r => ResourceFormat.ToFramework(r, refinement, allocationRole)));
        offer.ExecutorIds.AddRange(agent.RunningExecutors(framework.Id).Select(e => e.Clone()));
        offer.Attributes.AddRange(agent.Attributes.Select(a => a.Clone()));
        if (DomainOf(agent) is { } domain)
        {
            offer.Domain = domain;
        }

        if (allocationRole is not null)
        {
            offer.AllocationInfo = new Resource.Types.AllocationInfo { Role = allocationRole };
        }

        return offer;
    }

    /// <summary>The agent's fault domain, if it has one (the emulator gives its agents one with <c>--zones</c>).</summary>
    private static DomainInfo? DomainOf(LocalAgent agent) => agent.Domain?.Clone();

    private MasterInfo BuildMasterInfo()
    {
        var ip = IPAddress.TryParse(_settings.Host, out var address) && address.GetAddressBytes() is { Length: 4 } bytes
            ? BinaryPrimitives.ReadUInt32LittleEndian(bytes)
            : 0u;
        return new MasterInfo
        {
            Id = MasterId,
            Ip = ip,
            Port = (uint)_settings.Port,
            Hostname = _settings.Host,
            Version = "1.11.0",
            Pid = $"master@{_settings.Host}:{_settings.Port.ToString(CultureInfo.InvariantCulture)}",
            Address = new Address { Hostname = _settings.Host, Ip = _settings.Host, Port = _settings.Port },
            Domain = _settings.Domain?.Clone(),
        };
    }

    private void Log(string message) => _settings.Log(message);
}
