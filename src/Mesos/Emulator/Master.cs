// FrameworkInfo.role is deprecated but is the wire format of frameworks without MULTI_ROLE.
#pragma warning disable CS0612
using System.Globalization;
using System.Threading.Channels;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Google.Protobuf;
using Capability = ActorScheduler.Messages.MesosV1.FrameworkInfo.Types.Capability.Types.Type;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// The master's state machine and its local agents. Every change happens under one lock, so events reach each
/// framework in the order a single real master would produce them. Transport (HTTP, RecordIO) lives elsewhere.
/// </summary>
internal sealed class Master
{
    private static readonly TimeSpan DefaultKillGrace = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(10);

    private readonly object _gate = new();
    private readonly MesosEmulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly List<LocalAgent> _agents;
    private readonly Dictionary<string, FrameworkState> _frameworks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removedFrameworks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OfferState> _offers = new(StringComparer.Ordinal);
    private int _frameworkCounter;
    private long _offerCounter;

    public Master(MesosEmulatorOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        MasterId = Guid.NewGuid().ToString();
        _agents = LoadAgents();
    }

    public string MasterId { get; }

    public int Port { get; set; }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    // ---------------------------------------------------------------- subscription

    /// <summary>Opens a subscription: the reader yields SUBSCRIBED (or a single ERROR) and everything after it.</summary>
    public (ChannelReader<Event> Events, string StreamId, string? FrameworkId) Subscribe(Call call)
    {
        lock (_gate)
        {
            var channel = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
            var streamId = Guid.NewGuid().ToString();
            var info = call.Subscribe.FrameworkInfo;
            if (Refusal(info) is { } refusal)
            {
                channel.Writer.TryWrite(Error(refusal));
                channel.Writer.TryComplete();
                return (channel.Reader, streamId, null);
            }

            var id = info.Id?.Value ?? $"{MasterId}-{_frameworkCounter++:D4}";
            if (!_frameworks.TryGetValue(id, out var framework))
            {
                framework = new FrameworkState(id);
                _frameworks[id] = framework;
            }
            else if (framework.Stream is { } old)
            {
                old.Writer.TryWrite(Error("Framework failed over"));
                old.Writer.TryComplete();
            }

            foreach (var offer in _offers.Values.Where(o => o.FrameworkId == id).ToList())
            {
                _offers.Remove(offer.Id);
            }

            info = info.Clone();
            info.Id = new FrameworkID { Value = id };
            framework.Info = info;
            framework.Stream = channel;
            framework.StreamId = streamId;
            framework.DisconnectedAt = null;
            framework.NextHeartbeat = Now + _options.HeartbeatInterval;

            channel.Writer.TryWrite(new Event
            {
                Type = Event.Types.Type.Subscribed,
                Subscribed = new Event.Types.Subscribed
                {
                    FrameworkId = new FrameworkID { Value = id },
                    HeartbeatIntervalSeconds = _options.HeartbeatInterval.TotalSeconds,
                    MasterInfo = new MasterInfo { Id = MasterId, Ip = 0x0100007F, Port = (uint)Port, Hostname = _options.Host },
                },
            });
            channel.Writer.TryWrite(new Event { Type = Event.Types.Type.Heartbeat });

            // Agents resend every unacknowledged update to a re-subscribed framework at once.
            foreach (var task in Tasks().Where(t => t.Task.FrameworkId == id && t.Task.Pending.Count > 0))
            {
                SendHead(task.Task);
            }

            return (channel.Reader, streamId, id);
        }
    }

    /// <summary>The subscription stream closed (the scheduler went away).</summary>
    public void Disconnected(string frameworkId, string streamId)
    {
        lock (_gate)
        {
            if (_frameworks.TryGetValue(frameworkId, out var framework) && framework.StreamId == streamId)
            {
                framework.Stream?.Writer.TryComplete();
                framework.Stream = null;
                framework.StreamId = null;
                framework.DisconnectedAt = Now;
                foreach (var offer in _offers.Values.Where(o => o.FrameworkId == frameworkId).ToList())
                {
                    _offers.Remove(offer.Id);
                }
            }
        }
    }

    private string? Refusal(FrameworkInfo info)
    {
        if (info.Id is { } id && _removedFrameworks.Contains(id.Value))
        {
            return "Framework has been removed";
        }

        var multiRole = ResourceMath.Has(info, Capability.MultiRole);
        if (multiRole && info.HasRole)
        {
            return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
        }

        if (!multiRole && info.Roles.Count > 0)
        {
            return "'FrameworkInfo.roles' must be empty when the framework is not MULTI_ROLE capable";
        }

        if (info.Id is { } known && _frameworks.TryGetValue(known.Value, out var existing) && existing.Info is { } previous
            && previous.HasPrincipal && info.Principal != previous.Principal)
        {
            return "Changing framework's principal is not allowed.";
        }

        return null;
    }

    // ---------------------------------------------------------------- calls

    /// <summary>Checks a non-SUBSCRIBE call against the subscription; null when it may proceed, else (status, body).</summary>
    public (int Status, string Body)? Authorize(Call call, string? streamId)
    {
        lock (_gate)
        {
            if (!_frameworks.TryGetValue(call.FrameworkId.Value, out var framework))
            {
                return (400, "Framework cannot be found");
            }

            if (framework.Stream is null)
            {
                return (403, "Framework is not subscribed");
            }

            if (streamId is null)
            {
                return (400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
            }

            return streamId != framework.StreamId
                ? (400, $"The stream ID '{streamId}' included in this request didn't match the stream ID currently associated with framework ID {framework.Id}")
                : null;
        }
    }

    public void Handle(Call call)
    {
        lock (_gate)
        {
            var framework = _frameworks[call.FrameworkId.Value];
            switch (call.Type)
            {
                case Call.Types.Type.Accept:
                    Accept(framework, call.Accept);
                    break;
                case Call.Types.Type.Decline:
                    foreach (var id in call.Decline.OfferIds)
                    {
                        Release(framework, id.Value, RefuseSeconds(call.Decline.Filters));
                    }

                    break;
                case Call.Types.Type.Revive:
                    framework.FilteredUntil.Clear();
                    framework.Suppressed = false;
                    break;
                case Call.Types.Type.Suppress:
                    framework.Suppressed = true;
                    break;
                case Call.Types.Type.Kill:
                    Kill(framework, call.Kill.TaskId.Value);
                    break;
                case Call.Types.Type.Acknowledge:
                    Acknowledge(call.Acknowledge);
                    break;
                case Call.Types.Type.Reconcile:
                    Reconcile(framework, call.Reconcile);
                    break;
                case Call.Types.Type.Teardown:
                    Teardown(framework);
                    break;
            }
        }
    }

    private static double RefuseSeconds(Filters? filters) =>
        Math.Min(filters is { HasRefuseSeconds: true } ? filters.RefuseSeconds : 5.0, 31536000);

    private void Release(FrameworkState framework, string offerId, double refuseSeconds)
    {
        if (_offers.Remove(offerId, out var offer) && offer.FrameworkId == framework.Id && refuseSeconds > 0)
        {
            framework.FilteredUntil[offer.AgentId] = Now + TimeSpan.FromSeconds(refuseSeconds);
        }
    }

    // ---------------------------------------------------------------- offers

    /// <summary>One allocation cycle: one offer per agent per role for every subscribed, unsuppressed framework.</summary>
    public void Allocate()
    {
        lock (_gate)
        {
            foreach (var framework in _frameworks.Values.Where(f => f.Stream is not null && !f.Suppressed && f.Info is not null))
            {
                var offers = new List<Offer>();
                foreach (var agent in _agents)
                {
                    if (framework.FilteredUntil.TryGetValue(agent.Id, out var until) && until > Now)
                    {
                        continue;
                    }

                    foreach (var role in Roles(framework.Info!))
                    {
                        if (MakeOffer(framework, agent, role) is { } offer)
                        {
                            offers.Add(offer);
                        }
                    }
                }

                if (offers.Count > 0)
                {
                    Deliver(framework, new Event { Type = Event.Types.Type.Offers, Offers = new Event.Types.Offers { Offers_ = { offers } } });
                }
            }
        }
    }

    private Offer? MakeOffer(FrameworkState framework, LocalAgent agent, string role)
    {
        var (unreserved, reserved) = Available(agent, role);
        var ports = AvailablePorts(agent);
        var resources = new List<Resource>();
        if (ports.Count > 0)
        {
            resources.Add(PortsResource(ports));
        }

        foreach (var (name, amount) in unreserved.Where(u => u.Value > ResourceMath.Epsilon))
        {
            resources.Add(ResourceMath.Scalar(name, amount));
        }

        resources.AddRange(reserved);
        if (resources.Count == 0)
        {
            return null;
        }

        var id = $"{MasterId}-O{_offerCounter++}";
        _offers[id] = new OfferState(id, framework.Id, agent.Id, role, unreserved, reserved.Select(ResourceMath.Key).ToHashSet(StringComparer.Ordinal), ports);
        var offer = new Offer
        {
            Id = new OfferID { Value = id },
            FrameworkId = new FrameworkID { Value = framework.Id },
            AgentId = new AgentID { Value = agent.Id },
            Hostname = agent.Hostname,
            Resources = { resources.Select(r => ResourceMath.ForFramework(r, framework.Info!, role)) },
        };
        offer.ExecutorIds.AddRange(agent.Executors.Where(e => e.Value.FrameworkId == framework.Id).Select(e => new ExecutorID { Value = e.Key }));
        if (ResourceMath.Has(framework.Info!, Capability.MultiRole))
        {
            offer.AllocationInfo = new Resource.Types.AllocationInfo { Role = role };
        }

        return offer;
    }

    /// <summary>What an agent can offer to <paramref name="role"/>: unreserved amounts, and that role's idle reservations.</summary>
    private (Dictionary<string, double> Unreserved, List<Resource> Reserved) Available(LocalAgent agent, string role)
    {
        var unreserved = new Dictionary<string, double>(agent.Total, StringComparer.Ordinal);
        foreach (var r in agent.Reserved)
        {
            unreserved[r.Name] = unreserved.GetValueOrDefault(r.Name) - ResourceMath.Scalar(r);
        }

        var busy = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in InUse(agent))
        {
            if (ResourceMath.IsReserved(resource))
            {
                busy.Add(ResourceMath.Key(resource));
            }
            else
            {
                unreserved[resource.Name] = unreserved.GetValueOrDefault(resource.Name) - ResourceMath.Scalar(resource);
            }
        }

        foreach (var offer in _offers.Values.Where(o => o.AgentId == agent.Id))
        {
            busy.UnionWith(offer.ReservedKeys);
            foreach (var (name, amount) in offer.Unreserved)
            {
                unreserved[name] = unreserved.GetValueOrDefault(name) - amount;
            }
        }

        var reserved = agent.Reserved.Where(r => ResourceMath.Role(r) == role && !busy.Contains(ResourceMath.Key(r))).ToList();
        return (unreserved.ToDictionary(u => u.Key, u => Math.Max(0, u.Value), StringComparer.Ordinal), reserved);
    }

    /// <summary>The agent's ports not used by live tasks nor held by an outstanding offer.</summary>
    private List<(ulong Begin, ulong End)> AvailablePorts(LocalAgent agent) =>
        PortRanges.Subtract(
            [_options.AgentPorts],
            InUse(agent).SelectMany(PortsOf).Concat(_offers.Values.Where(o => o.AgentId == agent.Id).SelectMany(o => o.Ports)));

    private static IEnumerable<(ulong Begin, ulong End)> PortsOf(Resource resource) =>
        resource.Name == "ports" && resource.Ranges is { } ranges ? ranges.Range.Select(r => (r.Begin, r.End)) : [];

    private static Resource PortsResource(IEnumerable<(ulong Begin, ulong End)> ranges) => new()
    {
        Name = "ports",
        Type = Value.Types.Type.Ranges,
        Ranges = new Value.Types.Ranges { Range = { ranges.Select(r => new Value.Types.Range { Begin = r.Begin, End = r.End }) } },
    };

    /// <summary>Resources held by live tasks and their executors.</summary>
    private static IEnumerable<Resource> InUse(LocalAgent agent) =>
        agent.Tasks.Values.Where(t => !t.IsTerminal).SelectMany(t => t.Info.Resources)
            .Concat(agent.Executors.Values.SelectMany(e => e.Info.Resources));

    private static IEnumerable<string> Roles(FrameworkInfo info) =>
        ResourceMath.Has(info, Capability.MultiRole) ? info.Roles : [info.HasRole ? info.Role : "*"];

    // ---------------------------------------------------------------- accept

    private void Accept(FrameworkState framework, Call.Types.Accept accept)
    {
        var offers = new List<OfferState>();
        string? invalid = null;
        foreach (var id in accept.OfferIds)
        {
            if (!_offers.TryGetValue(id.Value, out var offer) || offer.FrameworkId != framework.Id || offers.Any(o => o.Id == offer.Id))
            {
                invalid = $"Offer {id.Value} is no longer valid";
                break;
            }

            if (offers.Count > 0 && (offer.AgentId != offers[0].AgentId || offer.Role != offers[0].Role))
            {
                invalid = $"Aggregated offers must belong to the same agent and role; offer {id.Value} does not";
                break;
            }

            offers.Add(offer);
        }

        if (offers.Count == 0 && invalid is null)
        {
            invalid = "No offers specified";
        }

        foreach (var id in accept.OfferIds)
        {
            _offers.Remove(id.Value);
        }

        if (invalid is not null)
        {
            var state = ResourceMath.Has(framework.Info!, Capability.PartitionAware) ? TaskState.TaskDropped : TaskState.TaskLost;
            foreach (var task in accept.Operations.SelectMany(LaunchedTasks))
            {
                Deliver(framework, Update(MasterStatus(task.TaskId, task.AgentId, state, TaskStatus.Types.Reason.InvalidOffers, $"Task launched with invalid offers: {invalid}")));
            }

            return;
        }

        var agent = _agents.First(a => a.Id == offers[0].AgentId);
        var role = offers[0].Role;
        var pool = new Pool(
            offers.SelectMany(o => o.Unreserved).GroupBy(u => u.Key).ToDictionary(g => g.Key, g => g.Sum(u => u.Value), StringComparer.Ordinal),
            offers.SelectMany(o => o.ReservedKeys).ToHashSet(StringComparer.Ordinal))
        {
            Ports = offers.SelectMany(o => o.Ports).ToList(),
        };

        foreach (var operation in accept.Operations)
        {
            switch (operation.Type)
            {
                case OperationType.Reserve:
                    Reserve(agent, role, pool, operation.Reserve.Resources.Select(ResourceMath.ToRefined).ToList());
                    break;
                case OperationType.Unreserve:
                    Unreserve(agent, pool, operation.Unreserve.Resources.Select(ResourceMath.ToRefined).ToList());
                    break;
                case OperationType.Create:
                    CreateVolumes(agent, pool, operation.Create.Volumes.Select(ResourceMath.ToRefined).ToList());
                    break;
                case OperationType.Destroy:
                    DestroyVolumes(agent, pool, operation.Destroy.Volumes.Select(ResourceMath.ToRefined).ToList());
                    break;
                case OperationType.LaunchGroup:
                    Launch(framework, agent, pool, operation.LaunchGroup.Executor, operation.LaunchGroup.TaskGroup.Tasks.ToList(), TaskStatus.Types.Reason.TaskGroupInvalid);
                    break;
                case OperationType.Launch:
                    foreach (var task in operation.Launch.TaskInfos)
                    {
                        Launch(framework, agent, pool, task.Executor, [task], TaskStatus.Types.Reason.TaskInvalid);
                    }

                    break;
            }
        }

        agent.Checkpoint();
        var refuse = RefuseSeconds(accept.Filters);
        if (refuse > 0)
        {
            framework.FilteredUntil[agent.Id] = Now + TimeSpan.FromSeconds(refuse);
        }
    }

    private static IEnumerable<TaskInfo> LaunchedTasks(Offer.Types.Operation operation) => operation.Type switch
    {
        OperationType.Launch => operation.Launch.TaskInfos,
        OperationType.LaunchGroup => operation.LaunchGroup.TaskGroup.Tasks,
        _ => [],
    };

    private static void Reserve(LocalAgent agent, string role, Pool pool, List<Resource> resources)
    {
        var need = resources.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Sum(ResourceMath.Scalar));
        if (resources.Any(r => ResourceMath.Role(r) != role || role == "*" || r.Disk?.Persistence is not null)
            || need.Any(n => pool.Unreserved.GetValueOrDefault(n.Key) + ResourceMath.Epsilon < n.Value))
        {
            return;
        }

        foreach (var resource in resources)
        {
            resource.AllocationInfo = null;
            agent.Reserved.Add(resource);
            pool.Unreserved[resource.Name] -= ResourceMath.Scalar(resource);
            pool.Reserved.Add(ResourceMath.Key(resource));
        }
    }

    private static void Unreserve(LocalAgent agent, Pool pool, List<Resource> resources)
    {
        var entries = new List<Resource>();
        foreach (var resource in resources)
        {
            var key = ResourceMath.Key(resource);
            var entry = agent.Reserved.FirstOrDefault(r => ResourceMath.Key(r) == key && r.Disk?.Persistence is null && !entries.Contains(r));
            if (entry is null || !pool.Reserved.Contains(key))
            {
                return;
            }

            entries.Add(entry);
        }

        foreach (var entry in entries)
        {
            agent.Reserved.Remove(entry);
            pool.Reserved.Remove(ResourceMath.Key(entry));
            pool.Unreserved[entry.Name] = pool.Unreserved.GetValueOrDefault(entry.Name) + ResourceMath.Scalar(entry);
        }
    }

    private static void CreateVolumes(LocalAgent agent, Pool pool, List<Resource> volumes)
    {
        var matches = new List<(Resource Entry, Resource Volume)>();
        foreach (var volume in volumes)
        {
            var plain = volume.Clone();
            plain.Disk = null;
            var key = ResourceMath.Key(plain);
            var entry = agent.Reserved.FirstOrDefault(r => ResourceMath.Key(r) == key && r.Name == "disk" && Math.Abs(ResourceMath.Scalar(r) - ResourceMath.Scalar(volume)) < ResourceMath.Epsilon && matches.All(m => m.Entry != r));
            if (entry is null || !pool.Reserved.Contains(key) || volume.Disk?.Persistence is null || volume.Disk.Volume is null
                || agent.Reserved.Any(r => r.Disk?.Persistence?.Id == volume.Disk.Persistence.Id))
            {
                return;
            }

            matches.Add((entry, volume));
        }

        foreach (var (entry, volume) in matches)
        {
            volume.AllocationInfo = null;
            agent.Reserved[agent.Reserved.IndexOf(entry)] = volume;
            pool.Reserved.Remove(ResourceMath.Key(entry));
            pool.Reserved.Add(ResourceMath.Key(volume));
            Directory.CreateDirectory(agent.VolumePath(volume));
        }
    }

    private static void DestroyVolumes(LocalAgent agent, Pool pool, List<Resource> volumes)
    {
        var entries = new List<Resource>();
        foreach (var volume in volumes)
        {
            var key = ResourceMath.Key(volume);
            var entry = agent.Reserved.FirstOrDefault(r => ResourceMath.Key(r) == key && r.Disk?.Persistence is not null);
            if (entry is null || !pool.Reserved.Contains(key))
            {
                return;
            }

            entries.Add(entry);
        }

        foreach (var entry in entries)
        {
            var path = agent.VolumePath(entry);
            var plain = entry.Clone();
            plain.Disk = null;
            agent.Reserved[agent.Reserved.IndexOf(entry)] = plain;
            pool.Reserved.Remove(ResourceMath.Key(entry));
            pool.Reserved.Add(ResourceMath.Key(plain));
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    private void Launch(FrameworkState framework, LocalAgent agent, Pool pool, ExecutorInfo? executor, List<TaskInfo> tasks, TaskStatus.Types.Reason reason)
    {
        string? error = null;
        var needed = tasks.SelectMany(t => t.Resources).Select(ResourceMath.ToRefined).ToList();
        var newExecutor = executor is not null && !agent.Executors.ContainsKey(executor.ExecutorId.Value);
        if (newExecutor)
        {
            needed.AddRange(executor!.Resources.Select(ResourceMath.ToRefined));
        }

        if (tasks.Any(t => t.Command is null && executor is null))
        {
            error = "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
        }
        else if (tasks.Any(t => Tasks().Any(k => k.Task.Id == t.TaskId.Value)) || tasks.Select(t => t.TaskId.Value).Distinct().Count() != tasks.Count)
        {
            error = "Task has duplicate ID";
        }
        else if (tasks.Any(t => t.Resources.Count == 0))
        {
            error = "Task uses no resources";
        }
        else
        {
            var unreserved = needed.Where(r => !ResourceMath.IsReserved(r) && r.Scalar is not null).GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Sum(ResourceMath.Scalar));
            var reservedKeys = needed.Where(ResourceMath.IsReserved).Select(ResourceMath.Key).ToList();
            var ports = needed.Where(r => !ResourceMath.IsReserved(r)).SelectMany(PortsOf).ToList();
            if (unreserved.Any(u => pool.Unreserved.GetValueOrDefault(u.Key) + ResourceMath.Epsilon < u.Value)
                || reservedKeys.Any(k => !pool.Reserved.Contains(k)) || reservedKeys.Distinct().Count() != reservedKeys.Count
                || !PortRanges.Covers(pool.Ports, ports))
            {
                error = "Total resources required by task and its executor is more than available";
            }
            else
            {
                foreach (var (name, amount) in unreserved)
                {
                    pool.Unreserved[name] -= amount;
                }

                pool.Reserved.ExceptWith(reservedKeys);
                pool.Ports = PortRanges.Subtract(pool.Ports, ports);
            }
        }

        if (error is not null)
        {
            foreach (var task in tasks)
            {
                Deliver(framework, Update(MasterStatus(task.TaskId, task.AgentId, TaskState.TaskError, reason, error)));
            }

            return;
        }

        var executorId = executor?.ExecutorId.Value ?? tasks[0].TaskId.Value;
        if (newExecutor)
        {
            var info = executor!.Clone();
            info.Resources.Clear();
            info.Resources.AddRange(executor.Resources.Select(ResourceMath.ToRefined));
            agent.Executors[executorId] = (info, framework.Id);
        }

        var launched = new List<LocalTask>();
        foreach (var info in tasks)
        {
            var stored = info.Clone();
            stored.Resources.Clear();
            stored.Resources.AddRange(info.Resources.Select(ResourceMath.ToRefined));
            var task = new LocalTask { Info = stored, FrameworkId = framework.Id, ExecutorId = executorId, Sandbox = agent.SandboxFor(info.TaskId.Value) };
            agent.Tasks[task.Id] = task;
            launched.Add(task);
        }

        // Checkpoint before any process starts: a crash from here on finds the tasks and adopts or fails them.
        agent.Checkpoint();
        foreach (var task in launched)
        {
            StartProcess(agent, task);
        }
    }

    private void StartProcess(LocalAgent agent, LocalTask task)
    {
        try
        {
            Directory.CreateDirectory(task.Sandbox);
            foreach (var volume in task.Info.Resources.Where(r => r.Disk?.Volume is not null && r.Disk.Persistence is not null))
            {
                var link = Path.Combine(task.Sandbox, volume.Disk.Volume.ContainerPath);
                if (!Path.Exists(link))
                {
                    Directory.CreateSymbolicLink(link, agent.VolumePath(volume));
                }
            }

            var command = task.Info.Command?.Value ?? string.Empty;
            var env = (task.Info.Command?.Environment?.Variables ?? [])
                .Select(v => new KeyValuePair<string, string>(v.Name, v.Value))
                .Concat(
                [
                    new("MESOS_SANDBOX", task.Sandbox),
                    new("MESOS_TASK_ID", task.Id),
                    new("MESOS_AGENT_ID", agent.Id),
                    new("MESOS_FRAMEWORK_ID", task.FrameworkId),
                    new("MESOS_EXECUTOR_ID", task.ExecutorId),
                ])
                .ToList();
            var (pid, startTime) = TaskProcess.Start(task.Sandbox, command, env);
            task.Pid = pid;
            task.StartTime = startTime;
            Transition(agent, task, TaskState.TaskStarting, null, null);
            Transition(agent, task, TaskState.TaskRunning, null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Transition(agent, task, TaskState.TaskFailed, TaskStatus.Types.Reason.ContainerLaunchFailed, $"Failed to launch container: {e.Message}");
        }

        agent.Checkpoint();
    }

    // ---------------------------------------------------------------- task lifecycle

    private void Kill(FrameworkState framework, string taskId)
    {
        var found = Tasks().FirstOrDefault(t => t.Task.Id == taskId && t.Task.FrameworkId == framework.Id);
        if (found.Task is null || found.Task.IsTerminal)
        {
            Deliver(framework, Update(UnknownTaskStatus(framework, new TaskID { Value = taskId }, null)));
            return;
        }

        var (agent, task) = found;
        if (task.Pid is null)
        {
            Transition(agent, task, TaskState.TaskKilled, TaskStatus.Types.Reason.TaskKilledDuringLaunch, "Task killed before it was launched");
            agent.Checkpoint();
            return;
        }

        if (!task.KillRequested)
        {
            task.KillRequested = true;
            var grace = task.Info.KillPolicy?.GracePeriod is { } period ? TimeSpan.FromTicks(period.Nanoseconds / 100) : DefaultKillGrace;
            task.KillDeadline = Now + grace;
            agent.Checkpoint();
            TaskProcess.Signal(task.Pid.Value, kill: false);
        }
    }

    private void Acknowledge(Call.Types.Acknowledge ack)
    {
        var agent = _agents.FirstOrDefault(a => a.Id == ack.AgentId.Value);
        if (agent is null || !agent.Tasks.TryGetValue(ack.TaskId.Value, out var task) || task.Pending.Count == 0 || task.Pending[0].Uuid != ack.Uuid)
        {
            return;
        }

        task.Pending.RemoveAt(0);
        task.RetryInterval = TimeSpan.FromSeconds(10);
        if (task.Forgotten)
        {
            agent.Tasks.Remove(task.Id);
        }
        else if (task.Pending.Count > 0)
        {
            SendHead(task);
        }

        agent.Checkpoint();
    }

    private void Reconcile(FrameworkState framework, Call.Types.Reconcile reconcile)
    {
        if (reconcile.Tasks.Count == 0)
        {
            foreach (var (agent, task) in Tasks().Where(t => t.Task.FrameworkId == framework.Id))
            {
                Deliver(framework, Update(Reconciled(agent, task)));
            }

            return;
        }

        foreach (var wanted in reconcile.Tasks)
        {
            var found = Tasks().FirstOrDefault(t => t.Task.Id == wanted.TaskId.Value && t.Task.FrameworkId == framework.Id);
            Deliver(framework, Update(found.Task is not null ? Reconciled(found.Agent, found.Task) : UnknownTaskStatus(framework, wanted.TaskId, wanted.AgentId)));
        }
    }

    private static TaskStatus Reconciled(LocalAgent agent, LocalTask task)
    {
        var status = MasterStatus(task.Info.TaskId, new AgentID { Value = agent.Id }, task.State, TaskStatus.Types.Reason.Reconciliation, "Reconciliation: Latest task state");
        status.ExecutorId = new ExecutorID { Value = task.ExecutorId };
        return status;
    }

    private TaskStatus UnknownTaskStatus(FrameworkState framework, TaskID taskId, AgentID? agentId)
    {
        var partitionAware = ResourceMath.Has(framework.Info!, Capability.PartitionAware);
        var agentKnown = agentId is null || _agents.Any(a => a.Id == agentId.Value);
        var state = !partitionAware ? TaskState.TaskLost : agentKnown ? TaskState.TaskGone : TaskState.TaskUnknown;
        return MasterStatus(taskId, agentId, state, TaskStatus.Types.Reason.Reconciliation, "Reconciliation: Task is unknown");
    }

    private void Teardown(FrameworkState framework)
    {
        foreach (var (agent, task) in Tasks().Where(t => t.Task.FrameworkId == framework.Id && !t.Task.IsTerminal).ToList())
        {
            if (task.Pid is { } pid)
            {
                TaskProcess.Signal(pid, kill: true);
            }

            task.State = TaskState.TaskKilled;
            task.Pending.Clear();
            agent.Tasks.Remove(task.Id);
            agent.Checkpoint();
        }

        foreach (var agent in _agents)
        {
            foreach (var executor in agent.Executors.Where(e => e.Value.FrameworkId == framework.Id).Select(e => e.Key).ToList())
            {
                agent.Executors.Remove(executor);
            }

            agent.Checkpoint();
        }

        framework.Stream?.Writer.TryComplete();
        _frameworks.Remove(framework.Id);
        _removedFrameworks.Add(framework.Id);
    }

    /// <summary>Every 100–250 ms: notices ended processes, escalates kills, retries updates, sends heartbeats.</summary>
    public void Tick()
    {
        lock (_gate)
        {
            foreach (var agent in _agents)
            {
                var changed = false;
                foreach (var task in agent.Tasks.Values.Where(t => !t.IsTerminal && t.Pid is not null).ToList())
                {
                    if (TaskProcess.IsAlive(task.Pid!.Value, task.StartTime ?? 0))
                    {
                        if (task.KillRequested && task.KillDeadline is { } deadline && Now > deadline)
                        {
                            TaskProcess.Signal(task.Pid.Value, kill: true);
                            task.KillDeadline = null;
                        }

                        continue;
                    }

                    Ended(agent, task);
                    changed = true;
                }

                foreach (var task in agent.Tasks.Values.Where(t => t.Pending.Count > 0 && Now >= t.NextRetry))
                {
                    SendHead(task);
                    task.RetryInterval = TimeSpan.FromTicks(Math.Min(task.RetryInterval.Ticks * 2, MaxRetry.Ticks));
                }

                if (changed)
                {
                    agent.Checkpoint();
                }
            }

            foreach (var framework in _frameworks.Values.ToList())
            {
                if (framework.Stream is not null && Now >= framework.NextHeartbeat)
                {
                    framework.NextHeartbeat = Now + _options.HeartbeatInterval;
                    Deliver(framework, new Event { Type = Event.Types.Type.Heartbeat });
                }

                if (framework.Stream is null && framework.DisconnectedAt is { } since && framework.Info is { } info
                    && Now - since > TimeSpan.FromSeconds(info.FailoverTimeout))
                {
                    Teardown(framework);
                }
            }
        }
    }

    private void Ended(LocalAgent agent, LocalTask task)
    {
        var code = TaskProcess.ExitCode(task.Sandbox);
        if (code == 0)
        {
            Transition(agent, task, TaskState.TaskFinished, null, "Command exited with status 0");
        }
        else if (task.KillRequested)
        {
            Transition(agent, task, TaskState.TaskKilled, null, "Command terminated with signal Terminated");
        }
        else
        {
            Transition(agent, task, TaskState.TaskFailed, null, code is null ? "Command terminated by a signal" : $"Command exited with status {code}");
        }

        // The default executor kills the whole group when one of its tasks fails or is killed.
        if (code != 0)
        {
            foreach (var sibling in agent.Tasks.Values.Where(t => t.ExecutorId == task.ExecutorId && !t.IsTerminal && t.Pid is not null && !t.KillRequested))
            {
                sibling.KillRequested = true;
                sibling.KillDeadline = Now + DefaultKillGrace;
                TaskProcess.Signal(sibling.Pid!.Value, kill: false);
            }
        }
    }

    /// <summary>A state change reported by the agent's executor: queued with a uuid, delivered reliably.</summary>
    private void Transition(LocalAgent agent, LocalTask task, TaskState state, TaskStatus.Types.Reason? reason, string? message)
    {
        task.State = state;
        var status = new TaskStatus
        {
            TaskId = task.Info.TaskId,
            State = state,
            Source = TaskStatus.Types.Source.Executor,
            AgentId = new AgentID { Value = agent.Id },
            ExecutorId = new ExecutorID { Value = task.ExecutorId },
            Timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0,
            Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
        };
        if (reason is { } r)
        {
            status.Reason = r;
        }

        if (message is not null)
        {
            status.Message = message;
        }

        task.Pending.Add(status);
        if (task.Pending.Count == 1)
        {
            SendHead(task);
        }

        if (task.IsTerminal && !agent.Tasks.Values.Any(t => t.ExecutorId == task.ExecutorId && !t.IsTerminal))
        {
            agent.Executors.Remove(task.ExecutorId);
        }
    }

    private void SendHead(LocalTask task)
    {
        task.NextRetry = Now + task.RetryInterval;
        if (_frameworks.TryGetValue(task.FrameworkId, out var framework))
        {
            Deliver(framework, Update(task.Pending[0]));
        }
    }

    private static void Deliver(FrameworkState framework, Event e) => framework.Stream?.Writer.TryWrite(e);

    private static Event Update(TaskStatus status) => new() { Type = Event.Types.Type.Update, Update = new Event.Types.Update { Status = status } };

    private static Event Error(string message) => new() { Type = Event.Types.Type.Error, Error = new Event.Types.Error { Message = message } };

    private static TaskStatus MasterStatus(TaskID taskId, AgentID? agentId, TaskState state, TaskStatus.Types.Reason reason, string message)
    {
        var status = new TaskStatus { TaskId = taskId, State = state, Source = TaskStatus.Types.Source.Master, Reason = reason, Message = message };
        if (agentId is not null)
        {
            status.AgentId = agentId;
        }

        status.Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        return status;
    }

    private IEnumerable<(LocalAgent Agent, LocalTask Task)> Tasks() =>
        _agents.SelectMany(a => a.Tasks.Values.Select(t => (a, t)));

    // ---------------------------------------------------------------- agents

    private List<LocalAgent> LoadAgents()
    {
        var agents = new List<LocalAgent>();
        var root = Path.Combine(_options.DataDir, "agents");
        Directory.CreateDirectory(root);
        var recovered = Directory.EnumerateDirectories(root)
            .OrderBy(d => int.TryParse(Path.GetFileName(d).Split('-').Last(), CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue)
            .Select(LocalAgent.Recover)
            .OfType<LocalAgent>()
            .ToList();
        foreach (var agent in recovered)
        {
            RecoverTasks(agent);
            agents.Add(agent);
        }

        for (var n = agents.Count; n < _options.Agents; n++)
        {
            var total = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["cpus"] = _options.AgentCpus,
                ["mem"] = _options.AgentMemMb,
                ["disk"] = _options.AgentDiskMb,
            };
            agents.Add(LocalAgent.Create(Path.Combine(root, $"agent-{n}"), $"{MasterId}-S{n}", $"agent-{n}.local", total));
        }

        return agents;
    }

    /// <summary>After a restart: adopt task processes that are still alive; report the ones that ended meanwhile.</summary>
    private void RecoverTasks(LocalAgent agent)
    {
        foreach (var task in agent.Tasks.Values.Where(t => !t.IsTerminal).ToList())
        {
            if (task.Pid is { } pid && TaskProcess.IsAlive(pid, task.StartTime ?? 0))
            {
                continue;
            }

            if (task.Pid is null)
            {
                Transition(agent, task, TaskState.TaskFailed, TaskStatus.Types.Reason.AgentRestarted, "Agent restarted before the task started");
            }
            else
            {
                Ended(agent, task);
            }
        }

        agent.Checkpoint();
    }

    public EmulatorSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new EmulatorSnapshot(
                MasterId,
                _agents.Select(a =>
                {
                    var used = InUse(a).GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Sum(ResourceMath.Scalar));
                    var reserved = a.Reserved.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Sum(ResourceMath.Scalar));
                    return new AgentSnapshot(a.Id, a.Hostname, a.Total, reserved, used, a.Reserved.Count(r => r.Disk?.Persistence is not null));
                }).ToList(),
                _frameworks.Values.Select(f => new FrameworkSnapshot(f.Id, f.Info?.Name ?? string.Empty, f.Stream is not null)).ToList(),
                Tasks().Select(t => new TaskSnapshot(t.Task.Id, t.Task.Info.Name, TaskStates.WireName(t.Task.State), t.Agent.Id, t.Task.Pid)).ToList(),
                _offers.Count);
        }
    }


    public void KillAllTasks()
    {
        lock (_gate)
        {
            foreach (var (_, task) in Tasks().Where(t => !t.Task.IsTerminal && t.Task.Pid is not null))
            {
                TaskProcess.Signal(task.Pid!.Value, kill: true);
            }
        }
    }

    private sealed class FrameworkState(string id)
    {
        public string Id { get; } = id;

        public FrameworkInfo? Info { get; set; }

        public Channel<Event>? Stream { get; set; }

        public string? StreamId { get; set; }

        public DateTime? DisconnectedAt { get; set; }

        public DateTime NextHeartbeat { get; set; }

        public bool Suppressed { get; set; }

        public Dictionary<string, DateTime> FilteredUntil { get; } = new(StringComparer.Ordinal);
    }

    private sealed record OfferState(string Id, string FrameworkId, string AgentId, string Role, Dictionary<string, double> Unreserved, HashSet<string> ReservedKeys, List<(ulong Begin, ulong End)> Ports);

    /// <summary>What the accepted offers still hold while operations are applied in order.</summary>
    private sealed record Pool(Dictionary<string, double> Unreserved, HashSet<string> Reserved)
    {
        public List<(ulong Begin, ulong End)> Ports { get; set; } = new();
    }
}

public sealed record EmulatorSnapshot(string MasterId, IReadOnlyList<AgentSnapshot> Agents, IReadOnlyList<FrameworkSnapshot> Frameworks, IReadOnlyList<TaskSnapshot> Tasks, int OutstandingOffers);

public sealed record AgentSnapshot(string Id, string Hostname, IReadOnlyDictionary<string, double> Total, IReadOnlyDictionary<string, double> Reserved, IReadOnlyDictionary<string, double> Used, int Volumes);

public sealed record FrameworkSnapshot(string Id, string Name, bool Connected);

public sealed record TaskSnapshot(string Id, string Name, string State, string AgentId, int? Pid);
