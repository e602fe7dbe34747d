using System.Collections.Immutable;
using System.Globalization;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Emulator.Faults;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Simulation;

/// <summary>
/// An in-process Mesos cluster: the emulator's master state machine, driven directly (no HTTP), with simulated agents
/// whose tasks are not processes and a <see cref="ManualClock"/> that only the test moves. Schedulers reach it through
/// <see cref="Connect"/>. Every call and event is kept in <see cref="History"/>. Agents hold no files, so thousands fit.
/// </summary>
public sealed class SimulatedCluster : IAsyncDisposable
{
    private readonly SerialQueue _queue;
    private readonly Master _master;
    private readonly SimulatedTaskRunner _runner = new();
    private readonly AgentSettings _agentSettings;
    private readonly object _gate = new();
    private readonly List<ClusterRecord> _history = [];
    private long _discarded;
    private readonly List<string> _log = [];
    private readonly Dictionary<string, LocalAgent> _agentsById = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();
    private Exception? _failure;
    private int _nextAgent;

    /// <summary>A cluster with no agents yet.</summary>
    /// <param name="seed">Names the master (<c>sim-&lt;seed&gt;</c>) and seeds <see cref="Random"/>; same seed, same run.</param>
    /// <param name="clock">The virtual clock; a new one at 2020-01-01 when null.</param>
    /// <param name="timedAllocation">
    /// Whether the master offers on its own as time advances (every <see cref="AllocationInterval"/>, and after a REVIVE);
    /// false: only explicit offers (<see cref="OfferAsync"/>, an <see cref="OfferStorm"/>) are made.
    /// </param>
    /// <param name="masterDomain">
    /// The master's own fault domain, which subscribed schedulers read as their local region (pods without an
    /// <c>@region</c> rule go there); null: none, every region is admitted.
    /// </param>
    public SimulatedCluster(int seed = 1, ManualClock? clock = null, bool timedAllocation = true, FaultDomain? masterDomain = null)
    {
        masterDomain?.Validate();
        Seed = seed;
        Random = new Random(seed);
        Clock = clock ?? new ManualClock();
        _queue = new SerialQueue(e =>
        {
            lock (_gate)
            {
                _failure ??= e;
            }

            Pulse();
        });
        Action<string> log = line =>
        {
            lock (_gate)
            {
                _log.Add(line);
            }
        };
        _agentSettings = new AgentSettings(Clock, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(3), log)
        {
            Runner = _runner,
        };
        var masterId = "sim-" + seed.ToString(CultureInfo.InvariantCulture);
        _master = new Master(
            new MasterSettings(masterId, "127.0.0.1", 5050, AllocationInterval, HeartbeatInterval, Clock, log, timedAllocation,
                masterDomain is null ? null : AgentSlots.FaultDomain(masterDomain.Region, masterDomain.Zone)),
            new ClusterState([], new StatusUpdateFaultPolicy(seed, StatusUpdateFaults.None)));
    }

    /// <summary>How often the master allocates when time is advanced (as the emulator: 1 s).</summary>
    public static TimeSpan AllocationInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the master sends HEARTBEAT events (15 s).</summary>
    public static TimeSpan HeartbeatInterval { get; } = TimeSpan.FromSeconds(15);

    /// <summary>The seed this cluster was built with.</summary>
    public int Seed { get; }

    /// <summary>Randomness for scenario generators, seeded with <see cref="Seed"/>.</summary>
    public Random Random { get; }

    /// <summary>The virtual clock of the master and the agents.</summary>
    public ManualClock Clock { get; }

    /// <summary>A snapshot of every call and event so far (since the last <see cref="DiscardHistory"/>), in order.</summary>
    public IReadOnlyList<ClusterRecord> History
    {
        get
        {
            lock (_gate)
            {
                ThrowIfFailed();
                return _history.ToList();
            }
        }
    }

    /// <summary>The records after <paramref name="sequence"/> (a <see cref="ClusterRecord.Sequence"/>; 0 for all), in order.</summary>
    public IReadOnlyList<ClusterRecord> HistorySince(long sequence)
    {
        lock (_gate)
        {
            ThrowIfFailed();
            var start = (int)Math.Clamp(sequence - _discarded, 0, _history.Count);
            return _history.GetRange(start, _history.Count - start);
        }
    }

    /// <summary>
    /// Forgets the records up to and including <paramref name="sequence"/>, so a long run (a storm of millions of offers)
    /// does not keep them all in memory. Sequences stay as they were: read on with <see cref="HistorySince"/>;
    /// <see cref="History"/> and <see cref="AgentOfLaunch"/> only see what is kept.
    /// </summary>
    public void DiscardHistory(long sequence)
    {
        lock (_gate)
        {
            var count = (int)Math.Clamp(sequence - _discarded, 0, _history.Count);
            _history.RemoveRange(0, count);
            _discarded += count;
        }
    }

    /// <summary>The master's and agents' log lines so far.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_gate)
            {
                return _log.ToList();
            }
        }
    }

    /// <summary>A new transport to this cluster for one scheduler (<c>GatewaySettings.Connection</c>).</summary>
    public IMesosConnection Connect() => new SimulatedConnection(this);

    /// <summary>
    /// How a scheduler of <paramref name="serviceName"/> reaches this cluster: through <see cref="Connect"/>, with quick
    /// re-subscription and reconciliation (scenarios and storms wait on them).
    /// </summary>
    internal Actors.Mesos.GatewaySettings GatewayFor(string serviceName) =>
        new(
            new Uri("http://simulated-master/"),
            serviceName,
            Specs.Model.ServiceSpec.RoleOf(serviceName),
            Specs.Model.ServiceSpec.PrincipalOf(serviceName),
            User: "nobody",
            FailoverTimeout: TimeSpan.FromDays(14),
            MaxBackoff: TimeSpan.FromSeconds(1),
            ReconcileDelayFactor: 0.01)
        {
            Connection = Connect,
        };

    /// <summary>Adds <paramref name="count"/> fresh agents; returns their ids (<c>agent-1</c>, <c>agent-2</c>, …).</summary>
    public Task<IReadOnlyList<string>> AddAgentsAsync(int count, AgentResources? resources = null) =>
        AddAgentsAsync(count, resources, domain: null);

    /// <summary>
    /// Adds <paramref name="count"/> fresh agents in a fault domain and with attributes; returns their ids
    /// (<c>agent-1</c>, <c>agent-2</c>, …). Their offers carry the domain and the attributes, so <c>@zone</c>,
    /// <c>@region</c> and attribute placement rules see them.
    /// </summary>
    /// <param name="count">How many agents.</param>
    /// <param name="resources">Their unreserved resources (<see cref="AgentResources.Default"/> when null).</param>
    /// <param name="domain">The agents' region and zone; null for none.</param>
    /// <param name="attributes">
    /// Attributes in the Mesos agent's <c>--attributes</c> text (<c>rack:r1;ssd:true</c>), as for the emulator's
    /// <c>--attributes</c>: <c>{index}</c> (the agent's 0-based index in the cluster), <c>{index%N}</c>, <c>{zone}</c> and
    /// <c>{region}</c> vary them per agent. Null or empty: none.
    /// </param>
    /// <exception cref="ArgumentException">The attributes do not parse, or use <c>{zone}</c> without a domain.</exception>
    public Task<IReadOnlyList<string>> AddAgentsAsync(int count, AgentResources? resources, FaultDomain? domain, string? attributes = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var template = (resources ?? AgentResources.Default).ToResources();
        domain?.Validate();
        if (!string.IsNullOrWhiteSpace(attributes)
            && AgentAttributes.TryParseTemplate(attributes, 0, domain?.Zone, domain?.Region, out var error) is null)
        {
            throw new ArgumentException($"Agent attributes '{attributes}': {error}", nameof(attributes));
        }

        return _queue.InvokeAsync<IReadOnlyList<string>>(() =>
        {
            var ids = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var index = _nextAgent++;
                var n = index + 1;
                var id = new AgentID { Value = "agent-" + n.ToString(CultureInfo.InvariantCulture) };
                var hostname = $"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}";
                var agent = LocalAgent.Create(id, hostname, "sim://" + id.Value, template.Select(r => r.Clone()), _agentSettings);
                agent.Domain = domain is null ? null : AgentSlots.FaultDomain(domain.Region, domain.Zone);
                if (!string.IsNullOrWhiteSpace(attributes))
                {
                    agent.Attributes = AgentAttributes.TryParseTemplate(attributes, index, domain?.Zone, domain?.Region, out var failure)
                        ?? throw new ArgumentException($"Agent attributes '{attributes}' for agent {id.Value}: {failure}", nameof(attributes));
                }

                _master.AddAgent(agent);
                _agentsById[id.Value] = agent;
                ids.Add(id.Value);
            }

            return ids;
        });
    }

    /// <summary>
    /// Offers the free resources of these agents now, as a scripted offer: even to a suppressed framework and despite
    /// refuse filters (like the DC/OS SDK's test runner). Resources already out in an offer are not offered again.
    /// </summary>
    public Task<ScriptedOffer> OfferAsync(IReadOnlyCollection<string> agentIds) => _queue.InvokeAsync(() =>
    {
        var agents = agentIds.Select(AgentById).ToList();
        long mark;
        lock (_gate)
        {
            mark = _discarded + _history.Count;
        }

        var wanted = agents.ToHashSet();
        var held = OutstandingOffersInOrder().Where(o => wanted.Contains(o.Agent)).Select(o => o.Id.Value).ToImmutableArray();
        var made = _master.Allocate(agents, ignoreFilters: true).Select(o => o.Id.Value).ToImmutableArray();
        return new ScriptedOffer(mark, made, held);
    });

    /// <summary>
    /// The agent of the latest launch of a task named <paramref name="taskName"/> (from <see cref="History"/>: the agent
    /// of the offer the launching ACCEPT used), or null if it was never launched.
    /// </summary>
    public string? AgentOfLaunch(string taskName)
    {
        var history = History;
        var launch = history.LastOrDefault(r => r.LaunchedTasks.Any(t => t.Name == taskName));
        if (launch is null)
        {
            return null;
        }

        var offerIds = launch.AnsweredOffers.ToHashSet(StringComparer.Ordinal);
        return history.Where(r => r.Event?.Type == Event.Types.Type.Offers)
            .SelectMany(r => r.Event!.Offers.Offers_)
            .FirstOrDefault(o => offerIds.Contains(o.Id.Value))?.AgentId.Value;
    }

    /// <summary>
    /// The running task named <paramref name="taskName"/> ends with <paramref name="exitCode"/> (0: TASK_FINISHED, else
    /// TASK_FAILED); its updates go out at once.
    /// </summary>
    /// <exception cref="InvalidOperationException">No running task has that name.</exception>
    public Task EndTaskAsync(string taskName, int exitCode) => _queue.InvokeAsync(() =>
    {
        var (_, task) = FindTask(taskName, liveOnly: true) ?? throw NoRunningTask(taskName);
        _runner.End(task.Sandbox, exitCode);
        _master.PollAgents();
    });

    /// <summary>
    /// A task the scheduler never launched starts running under its framework, on the agent of the running task
    /// <paramref name="nextTo"/> (as after a journal restored from an old backup, or a launch whose record was lost): the
    /// agent reports it like any task. Returns its task id, <c>&lt;taskName&gt;__stray-&lt;n&gt;</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No running task is named <paramref name="nextTo"/>.</exception>
    public Task<string> StartStrayTaskAsync(string taskName, string nextTo) => _queue.InvokeAsync(() =>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskName);
        var (agent, neighbour) = FindTask(nextTo, liveOnly: true) ?? throw NoRunningTask(nextTo);
        var framework = agent.FrameworkInfo(neighbour.FrameworkId.Value)
            ?? throw new InvalidOperationException($"Agent {agent.Id.Value} knows no framework {neighbour.FrameworkId.Value}");
        var task = new TaskInfo
        {
            Name = taskName,
            TaskId = new TaskID { Value = $"{taskName}__stray-{++_strays}" },
            AgentId = agent.Id.Clone(),
            Command = new CommandInfo { Value = "sleep 3600", Shell = true },
        };
        _master.LaunchWithoutOffer(agent, framework, task);
        _master.PollAgents();
        return task.TaskId.Value;
    });

    /// <summary>What the master knows now: agents (with their reserved and used resources), frameworks and tasks.</summary>
    public Task<EmulatorSnapshot> SnapshotAsync() => _queue.InvokeAsync(() => _master.Snapshot(new Uri("http://simulated-master/")));

    /// <summary>The agent kills the running task named <paramref name="taskName"/> (TASK_KILLED), as if asked to.</summary>
    public Task KillTaskAsync(string taskName) => _queue.InvokeAsync(() =>
    {
        var (agent, task) = FindTask(taskName, liveOnly: true) ?? throw NoRunningTask(taskName);
        agent.Kill(task.Id, TimeSpan.Zero);
        _master.PollAgents();
    });

    /// <summary>
    /// The check (readiness check) of the running task <paramref name="taskName"/> exits with
    /// <paramref name="exitCode"/>: a TASK_RUNNING update with that check status goes out.
    /// </summary>
    /// <exception cref="InvalidOperationException">No running task has that name, or it has no check.</exception>
    public Task ReportCheckAsync(string taskName, int exitCode) => _queue.InvokeAsync(() =>
    {
        var (agent, task) = FindTask(taskName, liveOnly: true) ?? throw NoRunningTask(taskName);
        if (!agent.ReportCheckResult(task.Id, exitCode))
        {
            throw new InvalidOperationException($"Task {taskName} ({task.Id}) has no readiness check to report a result for");
        }

        _master.PollAgents();
    });

    /// <summary>
    /// The master loses the agent (its health checks failed): its live tasks become unreachable, its resources are
    /// offered no more.
    /// </summary>
    public Task LoseAgentAsync(string agentId) => _queue.InvokeAsync(() => _master.LoseAgent(agentId));

    /// <summary>An unreachable agent (see <see cref="LoseAgentAsync"/>) re-registers; its tasks are reported as they are.</summary>
    public Task ReturnAgentAsync(string agentId) => _queue.InvokeAsync(() => _master.ReturnAgent(agentId));

    /// <summary>
    /// The agent's connection to the master breaks (its process died, the network dropped): its offers are rescinded
    /// and its resources offered no more, tasks of frameworks that do not checkpoint become TASK_LOST
    /// (REASON_AGENT_DISCONNECTED), a checkpointing framework's go on with their updates held; once 5 pings of 15 s went
    /// unanswered on the cluster's clock (<see cref="AdvanceAsync"/>) the agent is unreachable, as after
    /// <see cref="LoseAgentAsync"/>.
    /// </summary>
    /// <exception cref="FaultRejectedException">The agent is unknown, or not registered and connected.</exception>
    public Task DisconnectAgentAsync(string agentId) => _queue.InvokeAsync(() => _master.DisconnectAgent(agentId));

    /// <summary>
    /// A disconnected agent (see <see cref="DisconnectAgentAsync"/>) reconnects before its pings ran out: it is offered
    /// again and resends the updates it holds; the master reports nothing for its tasks.
    /// </summary>
    /// <exception cref="FaultRejectedException">The agent is unknown or not disconnected.</exception>
    public Task ReconnectAgentAsync(string agentId) => _queue.InvokeAsync(() => _master.ReconnectAgent(agentId));

    /// <summary>
    /// The operator marks the agent gone: its live tasks become TASK_GONE_BY_OPERATOR, its offers are rescinded, and it
    /// never comes back under this id (<see cref="RestartAgentAsync"/> brings it back under a new one).
    /// </summary>
    public Task MarkAgentGoneAsync(string agentId) => _queue.InvokeAsync(() => MarkAgentGone(agentId));

    /// <summary>See <see cref="MarkAgentGoneAsync"/> (on the queue).</summary>
    internal void MarkAgentGone(string agentId)
    {
        _master.MarkAgentGone(agentId);
        _agentsById.Remove(agentId);
    }

    /// <summary>
    /// The agent (registered, unreachable or gone) restarts on its work dir and registers under a new id, keeping its
    /// reservations and persistent volumes; its tasks die (TASK_GONE unless already reported). Returns the new id.
    /// </summary>
    public Task<string> RestartAgentAsync(string agentId) => _queue.InvokeAsync(() => RestartAgent(agentId));

    /// <summary>See <see cref="RestartAgentAsync"/> (on the queue).</summary>
    internal string RestartAgent(string agentId)
    {
        var id = _master.RestartAgent(agentId);
        _agentsById.Remove(agentId);
        _agentsById[id] = _master.Agents.Single(a => a.Id.Value == id);
        return id;
    }

    /// <summary>
    /// The master rescinds an outstanding offer: the framework gets a RESCIND, and an ACCEPT naming it is refused
    /// (its tasks come back TASK_DROPPED / TASK_LOST, "Offer … is no longer valid"). False when the offer is not
    /// outstanding any more (accepted, declined, rescinded or unknown).
    /// </summary>
    public Task<bool> RescindOfferAsync(string offerId) => _queue.InvokeAsync(() => _master.RescindOffer(offerId));

    /// <summary>Ids of the offers sent and not yet accepted, declined or rescinded, oldest first.</summary>
    public Task<IReadOnlyList<string>> OutstandingOffersAsync() => _queue.InvokeAsync<IReadOnlyList<string>>(() =>
        OutstandingOffersInOrder().Select(o => o.Id.Value).ToList());

    /// <summary>How many tasks run (TASK_RUNNING, as their agents see them) on all agents.</summary>
    public Task<int> CountRunningTasksAsync() => _queue.InvokeAsync(() =>
        _master.Agents.Sum(a => a.Tasks.Count(t => t.State == TaskState.TaskRunning && !t.Orphaned)));

    /// <summary>Names of tasks whose status updates wait for the scheduler's acknowledgement.</summary>
    public Task<IReadOnlyList<string>> UnacknowledgedTasksAsync() => _queue.InvokeAsync<IReadOnlyList<string>>(() =>
        _master.Agents.SelectMany(a => a.Tasks).Where(t => t.Pending.Count > 0 && !t.Orphaned).Select(t => t.Info.Name).ToList());

    /// <summary>Whether a task named <paramref name="taskName"/> is running (not terminal) on some agent.</summary>
    public Task<bool> IsRunningAsync(string taskName) => _queue.InvokeAsync(() => FindTask(taskName, liveOnly: true) is not null);

    /// <summary>
    /// Moves virtual time forward in steps of at most <see cref="AllocationInterval"/>, running the master's periodic
    /// work after each step: heartbeats, status-update retries, filter expiry, failover timeouts, allocation.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        while (delta > TimeSpan.Zero)
        {
            var step = delta < AllocationInterval ? delta : AllocationInterval;
            delta -= step;
            await _queue.InvokeAsync(() =>
            {
                Clock.Advance(step);
                _master.Tick();
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the master (closes every subscription) and its loop.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Post(() => _master.Stop(killTasks: false, TimeSpan.Zero));
        await _queue.StopAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Completes when <see cref="History"/> next changes (or at once if it changed since <paramref name="seen"/>, a
    /// <see cref="HistoryCount"/>): wait on it instead of sleeping.
    /// </summary>
    public Task ChangedSince(long seen)
    {
        lock (_gate)
        {
            return _discarded + _history.Count > seen || _failure is not null ? Task.CompletedTask : _changed.Task;
        }
    }

    /// <summary>How many records the history has had (discarded ones included).</summary>
    public long HistoryCount
    {
        get
        {
            lock (_gate)
            {
                return _discarded + _history.Count;
            }
        }
    }

    internal SerialQueue Queue => _queue;

    internal Master Master => _master;

    internal void Record(Call? call, Event? evt, int statusCode, DateTimeOffset? sentAt = null)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _history.Add(new ClusterRecord(_discarded + _history.Count + 1, call, evt, statusCode) { RecordedAt = DateTimeOffset.UtcNow, SentAt = sentAt });
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private void Pulse()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException($"The simulated master failed: {_failure.Message}", _failure);
        }
    }

    /// <summary>The agent with this id (on the queue).</summary>
    internal LocalAgent AgentById(string agentId) =>
        _agentsById.GetValueOrDefault(agentId)
        ?? throw new ArgumentException($"No simulated agent {agentId}; known: {string.Join(", ", _master.Agents.Take(20).Select(a => a.Id.Value))}{(_master.Agents.Count > 20 ? ", …" : string.Empty)}");

    /// <summary>Outstanding offers by offer number, oldest first (on the queue).</summary>
    internal IEnumerable<OutstandingOffer> OutstandingOffersInOrder() =>
        _master.OutstandingOffers.OrderBy(o => OfferNumber(o.Id.Value));

    private static long OfferNumber(string offerId)
    {
        var at = offerId.LastIndexOf("-O", StringComparison.Ordinal);
        return at >= 0 && long.TryParse(offerId.AsSpan(at + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;
    }

    private int _strays;

    private (LocalAgent Agent, AgentTask Task)? FindTask(string taskName, bool liveOnly)
    {
        (LocalAgent, AgentTask)? found = null;
        foreach (var agent in _master.Agents)
        {
            foreach (var task in agent.Tasks.Where(t => t.Info.Name == taskName && (!liveOnly || !t.IsTerminal)))
            {
                found = (agent, task);
            }
        }

        return found;
    }

    private static InvalidOperationException NoRunningTask(string taskName) =>
        new($"No running task named {taskName} on any simulated agent");

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
