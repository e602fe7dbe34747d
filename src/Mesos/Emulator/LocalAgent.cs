using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;
using MesosEnvironment = ActorScheduler.Messages.MesosV1.Environment;
using Attribute = ActorScheduler.Messages.MesosV1.Attribute;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// A local agent: owns its resources (reservations and persistent volumes included), runs tasks as real
/// processes in sandboxes under its work dir, keeps a reliable status-update queue per task, and
/// checkpoints all of it before acting so it can recover after a crash. Not thread-safe: the master
/// loop calls it.
/// </summary>
internal sealed class LocalAgent
{
    private readonly AgentSettings _settings;
    private readonly AgentCheckpointStore _store;
    private readonly Dictionary<string, AgentTask> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FrameworkInfo> _frameworks = new(StringComparer.Ordinal);
    private readonly List<ExecutorEnded> _endedExecutors = [];

    private LocalAgent(AgentID id, string hostname, string workDir, ResourcePool total, AgentSettings settings)
    {
        Id = id;
        Hostname = hostname;
        WorkDir = workDir;
        Total = total;
        _settings = settings;
        _store = new AgentCheckpointStore(workDir);
        Operations = new AgentOperations(settings);
    }

    public AgentID Id { get; }

    public string Hostname { get; }

    public string WorkDir { get; }

    /// <summary>All resources of the agent in internal form (reserved and volumes included).</summary>
    public ResourcePool Total { get; }

    /// <summary>The agent has GPUs: a master offers its resources only to frameworks with GPU_RESOURCES.</summary>
    public bool HasGpus => _hasGpus ??= Total.Resources.Any(r => r.Name == "gpus" && r.Scalar is { Value: > 0 });

    private bool? _hasGpus;

    public IReadOnlyCollection<AgentTask> Tasks => _tasks.Values;

    /// <summary>Operations with feedback applied on this agent, and their updates in flight.</summary>
    public AgentOperations Operations { get; }

    /// <summary>The agent's attributes, sent in each of its offers.</summary>
    public IReadOnlyList<Attribute> Attributes { get; set; } = [];

    /// <summary>The agent's fault domain (a Mesos agent's <c>--domain</c>), sent in each of its offers; null: none.</summary>
    public DomainInfo? Domain { get; set; }

    /// <summary>Whether there may be status updates or ended executors to take (cheap; the master asks every agent often).</summary>
    public bool HasPendingEvents => _pendingUpdates > 0 || _endedExecutors.Count > 0 || Operations.HasPending;

    // Status updates queued on this agent's tasks, in all: lets the master skip idle agents without looking at their tasks.
    private int _pendingUpdates;

    // Whether an update may be waiting to go out for the first time (queued, acknowledged with more behind it, or marked
    // for resending): after a call the master looks only at such agents; retries wait for its periodic tick.
    private bool _unsent;

    /// <summary>An update or an ended executor may be ready to send now (not counting retries).</summary>
    public bool HasUnsentEvents => _unsent || _endedExecutors.Count > 0 || Operations.HasUnsent;

    /// <summary>
    /// A new agent. Nothing is written yet: its work dir and first checkpoint appear with its first state change
    /// (reservation, volume, task), so thousands of idle agents cost no files.
    /// </summary>
    public static LocalAgent Create(AgentID id, string hostname, string workDir, IEnumerable<Resource> resources, AgentSettings settings) =>
        new(id, hostname, workDir, new ResourcePool(resources), settings);

    /// <summary>
    /// Recovers an agent from its checkpoint: re-adopts task processes that are still alive (pid and start
    /// time verified), turns ended ones into terminal updates, and keeps unacknowledged updates for resending.
    /// </summary>
    public static LocalAgent Recover(string workDir, AgentSettings settings)
    {
        var checkpoint = new AgentCheckpointStore(workDir).Load();
        var resources = checkpoint.Resources.Select(ProtoJson.FromNode<Resource>);
        var agent = new LocalAgent(
            new AgentID { Value = checkpoint.AgentId }, checkpoint.Hostname, workDir, new ResourcePool(resources), settings);
        foreach (var (frameworkId, info) in checkpoint.Frameworks)
        {
            agent._frameworks[frameworkId] = ProtoJson.FromNode<FrameworkInfo>(info);
        }

        var now = settings.Time.GetUtcNow();
        foreach (var saved in checkpoint.Tasks)
        {
            var task = new AgentTask(
                new FrameworkID { Value = saved.FrameworkId },
                ProtoJson.FromNode<TaskInfo>(saved.TaskInfo),
                saved.Executor is null ? null : ProtoJson.FromNode<ExecutorInfo>(saved.Executor),
                saved.Sandbox)
            {
                State = Enum.TryParse<TaskState>(saved.State, out var state) ? state : TaskState.TaskStaging,
                Process = saved.Pid is { } pid ? new ProcessIdentity(pid, saved.StartTime) : null,
                KillRequested = saved.KillRequested,
                Unhealthy = saved.Unhealthy,
                Orphaned = saved.Orphaned,
                FetchInterrupted = saved.Fetching,
                RetryInterval = settings.StatusUpdateRetryInterval,
                NextRetry = now,
            };
            task.Pending.AddRange(saved.PendingUpdates.Select(ProtoJson.FromNode<TaskStatus>));
            agent._pendingUpdates += task.Pending.Count;
            agent._unsent |= task.Pending.Count > 0;
            if (task.KillRequested)
            {
                task.KillDeadline = now;
            }

            agent._tasks[task.Id] = task;
        }

        foreach (var saved in checkpoint.Operations)
        {
            agent.Operations.Restore(saved.FrameworkId, ProtoJson.FromNode<OperationStatus>(saved.Status));
        }

        foreach (var task in agent._tasks.Values.Where(t => !t.IsTerminal).ToList())
        {
            agent.RecoverTask(task);
        }

        agent.Checkpoint();
        return agent;
    }

    public FrameworkInfo? FrameworkInfo(string frameworkId) => _frameworks.GetValueOrDefault(frameworkId);

    /// <summary>Keeps the checkpointed FrameworkInfo current (failover timeout may change on re-subscription).</summary>
    public void UpdateFrameworkInfo(FrameworkInfo info)
    {
        _frameworks[info.Id.Value] = info;
        Checkpoint();
    }

    /// <summary>A live task of a running executor (its <see cref="AgentTask.Executor"/> as first launched), or null.</summary>
    public AgentTask? RunningExecutor(string frameworkId, string executorId) =>
        _tasks.Values.FirstOrDefault(t => !t.IsTerminal && t.FrameworkId.Value == frameworkId
            && t.Executor?.ExecutorId.Value == executorId);

    public IEnumerable<string> FrameworkIds => _tasks.Values.Select(t => t.FrameworkId.Value).Distinct();

    public AgentTask? FindTask(string taskId) => _tasks.GetValueOrDefault(taskId);

    /// <summary>Resources held by non-terminal tasks and by executors that still have a live task.</summary>
    public ResourcePool Used()
    {
        var used = new ResourcePool();
        foreach (var resources in UsedResources())
        {
            used.AddAll(resources);
        }

        return used;
    }

    /// <summary>Total minus used.</summary>
    public ResourcePool Free() => Total.MinusSaturating(UsedResources());

    // Bumped whenever a task is added, removed or changes state: with Total.Version, whether Free() may have changed.
    private long _tasksVersion;

    // The last Available answer and what it was computed from (null: none, or it was offered since).
    private (long Total, long Tasks, int Offers, ResourcePool Pool)? _available;

    /// <summary>
    /// What is free and not in <paramref name="offered"/> (this agent's outstanding offers): <see cref="Free"/> less
    /// them. Remembered until the agent's resources, its tasks or the number of its offers change — offers only come
    /// from an allocation, which calls <see cref="Offered"/> — so a master allocating every agent each second computes
    /// it again only for agents where something happened. The pool is the caller's to offer, not to change otherwise.
    /// </summary>
    public ResourcePool Available(IEnumerable<OutstandingOffer> offered)
    {
        var offers = offered.TryGetNonEnumeratedCount(out var count) ? count : offered.Count();
        if (_available is { } memo && memo.Total == Total.Version && memo.Tasks == _tasksVersion && memo.Offers == offers)
        {
            return memo.Pool;
        }

        var free = Free();
        foreach (var offer in offered)
        {
            free.SubtractSaturating(offer.Resources.Resources);
        }

        _available = (Total.Version, _tasksVersion, offers, free);
        return free;
    }

    /// <summary>An offer of (part of) <see cref="Available"/> was made: the next answer is computed afresh.</summary>
    public void Offered() => _available = null;

    /// <summary>The resources of each non-terminal task, and of each executor that still has one, once.</summary>
    private IEnumerable<IReadOnlyList<Resource>> UsedResources()
    {
        HashSet<string>? executors = null;
        foreach (var task in _tasks.Values)
        {
            if (task.IsTerminal)
            {
                continue;
            }

            yield return task.Resources;
            if (task.Executor is not null && (executors ??= new HashSet<string>(StringComparer.Ordinal)).Add(ExecutorKey(task.FrameworkId.Value, task.Executor.ExecutorId.Value)))
            {
                yield return task.ExecutorResources;
            }
        }
    }

    public IEnumerable<ExecutorID> RunningExecutors(string frameworkId) =>
        _tasks.Values
            .Where(t => !t.IsTerminal && t.FrameworkId.Value == frameworkId && t.Executor is not null)
            .Select(t => t.Executor!.ExecutorId)
            .DistinctBy(e => e.Value);

    public bool HasVolume(string role, string persistenceId) =>
        Total.Resources.Any(r => ResourceFormat.IsPersistentVolume(r) && r.Disk.Persistence.Id == persistenceId
            && ResourceFormat.ReservationRole(r) == role);

    /// <summary>
    /// Applies a RESERVE/UNRESERVE/CREATE/DESTROY conversion to the agent's resources and checkpoints it
    /// before returning (so it is durable before the ACCEPT is acknowledged).
    /// </summary>
    /// <param name="add">Resources made for this conversion: the agent's pool keeps them (no copy).</param>
    public void Convert(IReadOnlyList<Resource> remove, IReadOnlyList<Resource> add)
    {
        Total.SubtractSaturating(remove);
        Total.AddAllOwned(add);
        Checkpoint();
        if (!_settings.Runner.UsesHost)
        {
            return;
        }

        foreach (var volume in add.Where(ResourceFormat.IsPersistentVolume))
        {
            Directory.CreateDirectory(VolumeDir(volume));
        }

        foreach (var volume in remove.Where(ResourceFormat.IsPersistentVolume))
        {
            if (!add.Any(a => ResourceFormat.IsPersistentVolume(a) && a.Disk.Persistence.Id == volume.Disk.Persistence.Id))
            {
                TryDeleteDirectory(VolumeDir(volume), keepRoot: ResourceFormat.MountRoot(volume) is not null);
            }
        }
    }

    /// <summary>
    /// Where a persistent volume lives: on a MOUNT disk, the disk's root (the volume is the whole disk); otherwise
    /// <c>volumes/roles/&lt;role&gt;/&lt;persistence id&gt;</c> under the work dir.
    /// </summary>
    public string VolumeDir(Resource volume) =>
        ResourceFormat.MountRoot(volume)
        ?? Path.Combine(WorkDir, "volumes", "roles", SafeName(ResourceFormat.ReservationRole(volume)), SafeName(volume.Disk.Persistence.Id));

    /// <summary>
    /// Launches command tasks (executor null) or a task group on a DEFAULT executor. Tasks are checkpointed
    /// before their processes start; STARTING and RUNNING updates are queued per task. The agent keeps the task infos
    /// and the executor info it is given as the ACCEPT carried them (nobody changes them after), the executor's resources
    /// in internal form beside them.
    /// </summary>
    /// <param name="executorResources"><paramref name="executor"/>'s resources in internal form (null: made here).</param>
    public void Launch(FrameworkInfo framework, IReadOnlyList<TaskInfo> tasks, ExecutorInfo? executor, IReadOnlyList<Resource>? executorResources = null)
    {
        // The master's own FrameworkInfo, kept as it is: the master never changes one it holds (a re-subscription or an
        // UPDATE_FRAMEWORK replaces it), so no copy per agent is needed.
        if (!_frameworks.TryGetValue(framework.Id.Value, out var known) || !ReferenceEquals(known, framework))
        {
            _frameworks[framework.Id.Value] = framework;
        }

        var launched = new List<AgentTask>();
        var now = _settings.Time.GetUtcNow();
        foreach (var info in tasks)
        {
            var task = new AgentTask(framework.Id, info, executor, Path.Combine(WorkDir, "sandboxes", SafeName(info.TaskId.Value)), executorResources)
            {
                RetryInterval = _settings.StatusUpdateRetryInterval,
                NextRetry = now,
            };
            _tasks[task.Id] = task;
            _tasksVersion++;
            launched.Add(task);
        }

        // Tasks with URIs stay STAGING while the fetcher downloads them (off the master loop); Poll starts them after.
        // The checkpoint says so first: an agent that restarts mid-fetch fails them instead of waiting for it.
        var fetch = _settings.Runner.UsesHost ? FetchOf(launched) : null;
        Checkpoint();
        if (fetch is not null)
        {
            fetch.Start();
            return;
        }

        foreach (var task in launched)
        {
            StartProcess(task);
        }

        Checkpoint();
    }

    /// <summary>
    /// The fetch of the tasks' URIs, each task's into its own sandbox, assigned to the tasks and not started; null when
    /// there is nothing to fetch. The tasks launched together (a task group, or one LAUNCH's command tasks) are fetched
    /// together and start together. (A DEFAULT executor has no command, so no URIs of its own: the master refuses one.)
    /// </summary>
    private SandboxFetch? FetchOf(List<AgentTask> tasks)
    {
        if (tasks.All(t => t.Info.Command is null || t.Info.Command.Uris.Count == 0))
        {
            return null;
        }

        var work = tasks.Where(t => t.Info.Command is { Uris.Count: > 0 }).Select(t => (t.Sandbox, Uris: t.Info.Command.Uris.ToList())).ToList();
        var fetch = new SandboxFetch(async cancel =>
        {
            foreach (var (sandbox, uris) in work)
            {
                Directory.CreateDirectory(sandbox);
                await UriFetcher.FetchAllAsync(sandbox, uris, cancel).ConfigureAwait(false);
            }
        });
        foreach (var task in tasks)
        {
            task.Fetch = fetch;
        }

        _settings.Log($"agent {Id.Value} fetching the URIs of {string.Join(", ", tasks.Select(t => t.Id))}");
        return fetch;
    }

    /// <summary>
    /// A fetch ended: its tasks start, or fail as Mesos fails a container whose fetch failed (TASK_FAILED,
    /// REASON_CONTAINER_LAUNCH_FAILED, <c>Failed to fetch all URIs for container '…'</c>). Tasks killed meanwhile ended already.
    /// </summary>
    private void FetchEnded(SandboxFetch fetch)
    {
        var tasks = new List<AgentTask>();
        foreach (var task in _tasks.Values)
        {
            if (ReferenceEquals(task.Fetch, fetch))
            {
                task.Fetch = null;
                if (!task.IsTerminal)
                {
                    tasks.Add(task);
                }
            }
        }

        if (fetch.Completion.IsCompletedSuccessfully)
        {
            foreach (var task in tasks)
            {
                StartProcess(task);
            }

            return;
        }

        var error = fetch.Completion.Exception?.InnerException;
        foreach (var task in tasks)
        {
            var message = $"Failed to fetch all URIs for container '{task.ExecutorId.Value}': {error?.Message ?? "the fetch was cancelled"}";
            _settings.Log($"agent {Id.Value} failed task {task.Id}: {message}");
            Enqueue(task, TaskState.TaskFailed, TaskStatus.Types.Reason.ContainerLaunchFailed, message);
        }

        foreach (var task in tasks)
        {
            EndExecutorIfDone(task);
        }
    }

    /// <summary>
    /// Kills a task: SIGTERM to its process group now, SIGKILL after the grace period. Tasks of a task group
    /// are killed together. Returns false when the task is unknown.
    /// </summary>
    public bool Kill(string taskId, TimeSpan? gracePeriod)
    {
        if (!_tasks.TryGetValue(taskId, out var task))
        {
            return false;
        }

        foreach (var member in GroupOf(task))
        {
            KillOne(member, gracePeriod);
        }

        Checkpoint();
        return true;
    }

    /// <summary>The framework was removed: kill its tasks and drop its pending updates.</summary>
    public void RemoveFramework(string frameworkId)
    {
        Operations.RemoveFramework(frameworkId);
        foreach (var task in _tasks.Values.Where(t => t.FrameworkId.Value == frameworkId).ToList())
        {
            task.Orphaned = true;
            _pendingUpdates -= task.Pending.Count;
            task.Pending.Clear();
            if (task.IsTerminal)
            {
                _tasks.Remove(task.Id);
                _tasksVersion++;
            }
            else
            {
                KillOne(task, null);
            }
        }

        Checkpoint();
    }

    /// <summary>Kills every task now (emulator stop with KillTasksOnStop).</summary>
    public void KillAll(TimeSpan gracePeriod)
    {
        foreach (var task in _tasks.Values.Where(t => !t.IsTerminal))
        {
            KillOne(task, gracePeriod);
        }

        Checkpoint();
    }

    /// <summary>
    /// The emulator stops: check runs in flight are killed (tasks keep running; checks restart on recovery), and so are
    /// fetches (their tasks fail on recovery, as the checkpoint says they were fetching).
    /// </summary>
    public void StopChecks()
    {
        foreach (var task in _tasks.Values)
        {
            task.Checks?.Stop();
            task.Checks = null;
            task.Fetch?.Cancel();
        }
    }

    /// <summary>Processes the agent must still wait for (stop with KillTasksOnStop).</summary>
    public IEnumerable<ProcessIdentity> LiveProcesses() =>
        _tasks.Values.Where(t => t.Process is not null && _settings.Runner.IsAlive(t.Process)).Select(t => t.Process!);

    /// <summary>
    /// ACKNOWLEDGE: removes the in-flight update if the uuid matches; a task whose terminal update is
    /// acknowledged is forgotten. Returns true when the queue moved.
    /// </summary>
    public bool Acknowledge(string taskId, ByteString uuid)
    {
        if (!_tasks.TryGetValue(taskId, out var task) || task.Pending.Count == 0 || task.Pending[0].Uuid != uuid)
        {
            return false;
        }

        task.Pending.RemoveAt(0);
        _pendingUpdates--;
        _unsent |= task.Pending.Count > 0;
        task.HeadSent = false;
        task.RetryInterval = _settings.StatusUpdateRetryInterval;
        if (task.Pending.Count == 0 && task.IsTerminal)
        {
            _tasks.Remove(taskId);
            _tasksVersion++;
        }

        Checkpoint();
        return true;
    }

    /// <summary>
    /// A speculative operation with feedback was applied here: OPERATION_FINISHED goes out reliably, checkpointed first
    /// (after the resources it converted).
    /// </summary>
    public void OperationFinished(string frameworkId, OperationID operationId)
    {
        Operations.Finished(frameworkId, operationId, Id);
        Checkpoint();
    }

    /// <summary>ACKNOWLEDGE_OPERATION_STATUS: clears the update if the uuid matches (then checkpoints).</summary>
    public void AcknowledgeOperation(string frameworkId, string operationId, ByteString uuid)
    {
        if (Operations.Acknowledge(frameworkId, operationId, uuid))
        {
            Checkpoint();
        }
    }

    /// <summary>Marks every in-flight update of the framework as unsent, so it goes out at once.</summary>
    public void ResendAll(string frameworkId)
    {
        Operations.ResendAll(frameworkId);
        foreach (var task in _tasks.Values.Where(t => t.FrameworkId.Value == frameworkId))
        {
            task.HeadSent = false;
            _unsent |= task.Pending.Count > 0;
        }
    }

    /// <summary>
    /// The in-flight updates due now: never sent, or past their retry time (10 s doubling to 10 min).
    /// Only for frameworks the caller says are connected.
    /// </summary>
    public List<(FrameworkID Framework, TaskStatus Status)> TakeDueUpdates(Func<string, bool> connected)
    {
        var due = new List<(FrameworkID, TaskStatus)>();
        if (_pendingUpdates == 0)
        {
            _unsent = false;
            return due;
        }

        var now = _settings.Time.GetUtcNow();
        var held = false;
        foreach (var task in _tasks.Values)
        {
            if (task.Pending.Count == 0 || task.Orphaned)
            {
                continue;
            }

            if (!connected(task.FrameworkId.Value))
            {
                held |= !task.HeadSent;
                continue;
            }

            if (!task.HeadSent)
            {
                task.HeadSent = true;
                task.RetryInterval = _settings.StatusUpdateRetryInterval;
                task.NextRetry = now + task.RetryInterval;
                due.Add((task.FrameworkId, task.Pending[0]));
            }
            else if (now >= task.NextRetry)
            {
                task.RetryInterval = TimeSpan.FromTicks(Math.Min(task.RetryInterval.Ticks * 2, _settings.MaxStatusUpdateRetryInterval.Ticks));
                task.NextRetry = now + task.RetryInterval;
                due.Add((task.FrameworkId, task.Pending[0]));
            }
        }

        _unsent = held;
        return due;
    }

    /// <summary>Executors (task groups) whose tasks all ended since the last call.</summary>
    public List<ExecutorEnded> TakeEndedExecutors()
    {
        var ended = _endedExecutors.ToList();
        _endedExecutors.Clear();
        return ended;
    }

    // The tasks one Poll goes through (reused: Poll runs for every agent on every tick).
    private List<AgentTask>? _pollScratch;

    // Fetches that ended since the last Poll looked (rarely any).
    private List<SandboxFetch>? _fetchesEnded;

    /// <summary>Checks task processes: ended ones produce terminal updates; overdue kills escalate to SIGKILL.</summary>
    public void Poll()
    {
        if (_tasks.Count == 0)
        {
            return;
        }

        // Polled for every agent on every tick: no LINQ, and one list reused (a storm spread over 10,000 agents polled
        // them into tens of MB a second of iterators and lists).
        var running = _pollScratch ??= [];
        running.Clear();
        var checking = false;
        foreach (var task in _tasks.Values)
        {
            if (task.IsTerminal)
            {
                continue;
            }

            if (task.Process is not null)
            {
                running.Add(task);
            }
            else if (task.Fetch is { Completion.IsCompleted: true } fetch && !(_fetchesEnded ??= []).Contains(fetch))
            {
                _fetchesEnded.Add(fetch);
            }

            checking |= task.Checks is not null;
        }

        var changed = false;
        if (_fetchesEnded is { Count: > 0 })
        {
            foreach (var fetch in _fetchesEnded)
            {
                FetchEnded(fetch);
            }

            _fetchesEnded.Clear();
            changed = true;
        }

        if (running.Count == 0 && !checking)
        {
            if (changed)
            {
                Checkpoint();
            }

            return;
        }

        var now = _settings.Time.GetUtcNow();
        foreach (var task in running)
        {
            if (!_settings.Runner.IsAlive(task.Process!))
            {
                Finish(task, _settings.Runner.ReadExitStatus(task.Sandbox));
                changed = true;
            }
            else if (task.KillRequested && !task.SigKillSent && task.KillDeadline <= now)
            {
                _settings.Runner.Signal(task.Process!, ProcFs.SigKill);
                task.SigKillSent = true;
            }
        }

        if (_settings.EnforceMemory && _settings.Runner.UsesHost && now >= _nextMemoryCheck)
        {
            _nextMemoryCheck = now + _settings.MemoryCheckInterval;
            EnforceMemory(running);
        }

        if (checking)
        {
            running.Clear();
            foreach (var task in _tasks.Values)
            {
                if (task is { IsTerminal: false, KillRequested: false, Checks: not null })
                {
                    running.Add(task);
                }
            }

            foreach (var task in running)
            {
                changed |= RunChecks(task, now);
            }
        }

        running.Clear();

        if (changed)
        {
            Checkpoint();
        }
    }

    // When an agent enforcing memory next measures its tasks, and the sizes of the host's process groups it read.
    private DateTimeOffset _nextMemoryCheck;
    private Dictionary<int, long>? _rssByGroup;

    /// <summary>
    /// Kills each running task whose processes use more memory than it may (<see cref="MemoryLimit"/>), as the kernel's
    /// OOM killer does in a Mesos agent's memory cgroup; the next poll sees it ended and reports why
    /// (<see cref="Finish"/>). Measured by polling, so a task that grows fast can pass its limit for up to an interval.
    /// </summary>
    private void EnforceMemory(List<AgentTask> running)
    {
        var rss = _rssByGroup ??= [];
        var read = false;
        foreach (var task in running)
        {
            if (task.IsTerminal || task.MemoryExceeded is not null || task.SigKillSent || MemoryLimit.BytesOf(task.Info) is not { } limit)
            {
                continue;
            }

            if (!read)
            {
                ProcFs.ReadRssByGroup(rss);
                read = true;
            }

            if (rss.GetValueOrDefault(task.Process!.Pid) is var used && used > limit)
            {
                task.MemoryExceeded = (limit, used);
                _settings.Log($"agent {Id.Value}: task {task.Id} uses {used / (1024 * 1024)} MB, over its {limit / (1024 * 1024)} MB: killed");
                _settings.Runner.Signal(task.Process!, ProcFs.SigKill);
                task.SigKillSent = true;
            }
        }
    }

    public void Checkpoint()
    {
        if (!_settings.Runner.UsesHost)
        {
            return;
        }

        var checkpoint = new AgentCheckpoint
        {
            AgentId = Id.Value,
            Hostname = Hostname,
            Resources = Total.Resources.Select(r => ProtoJson.ToNode(r)).ToList(),
            Frameworks = _frameworks
                .Where(f => _tasks.Values.Any(t => t.FrameworkId.Value == f.Key))
                .ToDictionary(f => f.Key, f => ProtoJson.ToNode(f.Value)),
            Tasks = _tasks.Values.Select(t => new TaskCheckpoint
            {
                FrameworkId = t.FrameworkId.Value,
                TaskInfo = ProtoJson.ToNode(t.Info),
                Executor = t.Executor is null ? null : ProtoJson.ToNode(t.Executor),
                Sandbox = t.Sandbox,
                State = t.State.ToString(),
                Pid = t.Process?.Pid,
                StartTime = t.Process?.StartTime ?? 0,
                KillRequested = t.KillRequested,
                Unhealthy = t.Unhealthy,
                Orphaned = t.Orphaned,
                Fetching = t.Fetch is not null || (t.FetchInterrupted && !t.IsTerminal),
                PendingUpdates = t.Pending.Select(s => ProtoJson.ToNode(s)).ToList(),
            }).ToList(),
            Operations = Operations.InFlight
                .Select(o => new OperationCheckpoint { FrameworkId = o.FrameworkId, Status = ProtoJson.ToNode(o.Status) })
                .ToList(),
        };
        _store.Save(checkpoint);
    }

    private void RecoverTask(AgentTask task)
    {
        // As a Mesos agent destroys a container it was still fetching for when it restarted: the task never started.
        if (task.FetchInterrupted && task.Process is null)
        {
            Enqueue(task, TaskState.TaskFailed, TaskStatus.Types.Reason.AgentRestarted,
                "The agent restarted while fetching the task's URIs: its container was destroyed");
            EndExecutorIfDone(task);
            return;
        }

        var process = task.Process is not null && ProcFs.IsAlive(task.Process)
            ? task.Process
            : task.Process is null ? TaskProcessRunner.FindBySandbox(task.Sandbox) : null;
        if (process is not null)
        {
            task.Process = process;
            _settings.Log($"agent {Id.Value} re-adopted task {task.Id} (pid {process.Pid})");
            if (task.State == TaskState.TaskStaging)
            {
                Enqueue(task, TaskState.TaskStarting, null, null);
                Enqueue(task, TaskState.TaskRunning, null, null);
            }

            if (!task.KillRequested)
            {
                StartChecks(task, null);
            }

            return;
        }

        var exit = TaskProcessRunner.ReadExitStatus(task.Sandbox);
        if (exit is null && !task.KillRequested)
        {
            Enqueue(task, TaskState.TaskFailed, TaskStatus.Types.Reason.AgentRestarted,
                "Task was not running when the agent recovered and its exit status is unknown");
            EndExecutorIfDone(task);
            return;
        }

        Finish(task, exit);
    }

    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    private void StartProcess(AgentTask task)
    {
        try
        {
            if (_settings.Runner.UsesHost)
            {
                LinkVolumes(task);
            }

            // A simulated agent runs no process: it needs neither argv nor environment (the environment, built per task,
            // was ~6 % of what a storm's ACCEPTs allocated in the emulator), nor a container.
            var onHost = _settings.Runner.UsesHost;
            (ContainerLaunch? Launch, string? Error)? container = onHost && ContainerLaunch.Needed(task.Info, task.Executor) ? PrepareContainer(task) : null;
            if (container is { Error: { } error })
            {
                _settings.Log($"agent {Id.Value} failed task {task.Id}: {error}");
                Enqueue(task, TaskState.TaskFailed, TaskStatus.Types.Reason.ContainerLaunchFailed, "Failed to launch container: " + error);
                EndExecutorIfDone(task);
                return;
            }

            IReadOnlyList<string> command = onHost ? BuildCommand(task.Info.Command) : [];
            var environment = onHost ? BuildEnvironment(task, container?.Launch?.SecretVariables) : NoEnvironment;
            task.Process = _settings.Runner.Start(
                task.Sandbox,
                container?.Launch?.LimitOptions is { } limits ? ProcessLimits.Wrap(limits, command) : command,
                environment);
            _settings.Log($"agent {Id.Value} started task {task.Id} (pid {task.Process.Pid})");
            Enqueue(task, TaskState.TaskStarting, null, null);
            Enqueue(task, TaskState.TaskRunning, null, container?.Launch?.RunningMessage);
            StartChecks(task, environment);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException or ArgumentException)
        {
            Enqueue(task, TaskState.TaskFailed, TaskStatus.Types.Reason.ContainerLaunchFailed, $"Failed to launch the task: {e.Message}");
            EndExecutorIfDone(task);
        }
    }

    /// <summary>argv of a command: <c>/bin/sh -c value</c> for a shell command, else the value and its arguments.</summary>
    internal static List<string> BuildCommand(CommandInfo command)
    {
        if (command.Shell)
        {
            return ["/bin/sh", "-c", command.Value];
        }

        var argv = new List<string> { command.Value };
        // Mesos passes arguments[0] as argv[0]; exec of the value ignores it, the rest are the arguments.
        argv.AddRange(command.Arguments.Skip(1));
        return argv;
    }

    /// <summary>The task's environment; its SECRET variables hold the values resolved at launch (<see cref="ContainerLaunch.SecretVariables"/>).</summary>
    private Dictionary<string, string> BuildEnvironment(AgentTask task, IReadOnlyDictionary<MesosEnvironment.Types.Variable, string>? secrets)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in task.Executor?.Command?.Environment?.Variables ?? Enumerable.Empty<MesosEnvironment.Types.Variable>())
        {
            AddVariable(env, variable, secrets);
        }

        foreach (var variable in task.Info.Command?.Environment?.Variables ?? Enumerable.Empty<MesosEnvironment.Types.Variable>())
        {
            AddVariable(env, variable, secrets);
        }

        // The local bootstrap first on the PATH (DC/OS tasks unpack bootstrap.zip into their sandbox and call it).
        if (_settings.BootstrapCommand is { } bootstrap && _settings.Runner.UsesHost)
        {
            _shimDir ??= BootstrapShim.Ensure(WorkDir, bootstrap);
            var path = env.TryGetValue("PATH", out var own) ? own : System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
            env["PATH"] = _shimDir + Path.PathSeparator + path;
        }

        env["MESOS_TASK_ID"] = task.Id;
        env["MESOS_AGENT_ID"] = Id.Value;
        env["MESOS_FRAMEWORK_ID"] = task.FrameworkId.Value;
        env["MESOS_EXECUTOR_ID"] = task.ExecutorId.Value;
        env["MESOS_CONTAINER_IP"] = Hostname;
        return env;
    }

    // Where this agent's bootstrap script is, once written.
    private string? _shimDir;

    private static void AddVariable(
        Dictionary<string, string> env, MesosEnvironment.Types.Variable variable, IReadOnlyDictionary<MesosEnvironment.Types.Variable, string>? secrets)
    {
        if (variable.Type == MesosEnvironment.Types.Variable.Types.Type.Value && variable.HasName)
        {
            env[variable.Name] = variable.Value;
        }
        else if (variable.Type == MesosEnvironment.Types.Variable.Types.Type.Secret && secrets is not null && secrets.TryGetValue(variable, out var value))
        {
            env[variable.Name] = value;
        }
    }

    /// <summary>The Docker volumes of a task's container and of its executor's (for <c>GET /</c>).</summary>
    public IReadOnlyList<DockerVolumeSnapshot> DockerVolumesOf(AgentTask task)
    {
        if (_settings.DockerVolumeRoot is not { } root || (task.Info.Container is null && task.Executor?.Container is null))
        {
            return [];
        }

        return (task.Executor?.Container?.Volumes ?? Enumerable.Empty<Volume>()).Concat(task.Info.Container?.Volumes ?? Enumerable.Empty<Volume>())
            .Where(v => v.Source?.DockerVolume is not null)
            .Select(v => (v.ContainerPath, Docker: v.Source.DockerVolume))
            .Select(v => new DockerVolumeSnapshot(v.Docker.Driver, v.Docker.Name, v.ContainerPath, ContainerVolumes.DockerVolumeDir(root, v.Docker.Driver, v.Docker.Name),
                (v.Docker.DriverOptions?.Parameter ?? Enumerable.Empty<Parameter>()).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)))
            .ToList();
    }

    /// <summary>
    /// Prepares the task's container (<see cref="ContainerLaunch"/>): its executor's volumes go into the executor's sandbox
    /// (<c>executors/&lt;executor id&gt;</c> under the work dir), whose SANDBOX_PATH PARENT paths the tasks link to (an
    /// executor persistent volume at such a path is that volume's directory). Notes go to the log.
    /// </summary>
    private (ContainerLaunch? Launch, string? Error) PrepareContainer(AgentTask task)
    {
        var executorSandbox = task.Executor is null ? null : Path.Combine(WorkDir, "executors", SafeName(task.Executor.ExecutorId.Value));
        Func<string, string>? parentSource = executorSandbox is null ? null : path =>
        {
            foreach (var volume in task.ExecutorResources)
            {
                if (ResourceFormat.IsPersistentVolume(volume) && volume.Disk.Volume is { } v
                    && Path.GetRelativePath(v.ContainerPath, path) is var rest && rest != ".." && !rest.StartsWith("../", StringComparison.Ordinal))
                {
                    return Path.GetFullPath(Path.Combine(VolumeDir(volume), rest));
                }
            }

            return Path.Combine(executorSandbox, path);
        };
        var target = new ContainerVolumes.Target(task.Sandbox, task.Id, task.Executor is not null, parentSource, _settings.Secrets, _settings.DockerVolumeRoot);
        var launch = ContainerLaunch.Prepare(task.Info, task.Executor, target, executorSandbox, ProcessLimits.Host, ProcessLimits.PrlimitAvailable, out var error);
        if (launch is { Notes.Count: > 0 })
        {
            _settings.Log($"agent {Id.Value} task {task.Id}: {string.Join("; ", launch.Notes)}");
        }

        return (launch, error);
    }

    private void LinkVolumes(AgentTask task)
    {
        var volumes = task.Resources.Concat(task.ExecutorResources)
            .Where(r => ResourceFormat.IsPersistentVolume(r) && r.Disk.Volume is not null);
        foreach (var volume in volumes)
        {
            var target = VolumeDir(volume);
            Directory.CreateDirectory(target);
            ContainerVolumes.Link(Path.Combine(task.Sandbox, volume.Disk.Volume.ContainerPath), target);
        }
    }

    private void KillOne(AgentTask task, TimeSpan? gracePeriod)
    {
        if (task.IsTerminal)
        {
            return;
        }

        var now = _settings.Time.GetUtcNow();
        var again = task.KillRequested;
        task.KillRequested = true;
        task.Checks?.Stop();
        task.Checks = null;
        if (task.Process is null)
        {
            // Killed while its URIs are fetched: the fetch stops (shared by a group, whose tasks are all killed).
            task.Fetch?.Cancel();
            task.Fetch = null;
            Enqueue(task, TaskState.TaskKilled, TaskStatus.Types.Reason.TaskKilledDuringLaunch, "Task was killed before it started");
            EndExecutorIfDone(task);
            return;
        }

        // Frameworks that can handle it hear TASK_KILLING first (once: a repeated kill changes nothing).
        if (!again && _frameworks.TryGetValue(task.FrameworkId.Value, out var framework)
            && FrameworkCapabilities.Has(framework, Messages.MesosV1.FrameworkInfo.Types.Capability.Types.Type.TaskKillingState))
        {
            Enqueue(task, TaskState.TaskKilling, null, null);
        }

        var grace = gracePeriod
            ?? (task.Info.KillPolicy?.GracePeriod is { } d ? TimeSpan.FromTicks(d.Nanoseconds / 100) : _settings.DefaultKillGracePeriod);
        task.KillDeadline = now + grace;
        _settings.Runner.Signal(task.Process, ProcFs.SigTerm);
        if (grace <= TimeSpan.Zero)
        {
            _settings.Runner.Signal(task.Process, ProcFs.SigKill);
            task.SigKillSent = true;
        }
    }

    /// <summary>Starts the checks of a running task, in the environment its command got (rebuilt for a re-adopted task).</summary>
    private void StartChecks(AgentTask task, IReadOnlyDictionary<string, string>? environment)
    {
        if (!_settings.Runner.UsesHost || (task.Info.HealthCheck is null && task.Info.Check is null))
        {
            task.Checks = null;
            return;
        }

        environment ??= BuildEnvironment(task, ContainerLaunch.ResolveSecrets(task.Info, task.Executor, _settings.Secrets, out _));
        task.Checks = TaskCheckRunner.For(task.Info, task.Sandbox, environment, _settings.Time.GetUtcNow());
    }

    /// <summary>
    /// A check result from outside (simulated agents, whose checks do not run): a running task with a check reports
    /// the exit code as TASK_RUNNING with <c>check_status</c>, as <see cref="RunChecks"/> does. False when the task is
    /// unknown, not running, or has no check.
    /// </summary>
    public bool ReportCheckResult(string taskId, int? exitCode)
    {
        if (!_tasks.TryGetValue(taskId, out var task) || task.IsTerminal || task.KillRequested || task.Info.Check is not { } check)
        {
            return false;
        }

        var status = CheckTracker.Empty(check);
        if (exitCode is { } code && status.Command is not null)
        {
            status.Command.ExitCode = code;
        }

        task.CheckStatus = status;
        Enqueue(task, TaskState.TaskRunning, TaskStatus.Types.Reason.TaskCheckStatusUpdated, null,
            task.LastStatus is { HasHealthy: true } last ? last.Healthy : null);
        return true;
    }

    /// <summary>
    /// One poll of a running task's checks: a health result becomes a TASK_RUNNING update with <c>healthy</c>
    /// (REASON_TASK_HEALTH_CHECK_STATUS_UPDATED), and the failure that reaches the limit kills the task (on the
    /// DEFAULT executor its group follows once it has ended, see <see cref="Finish"/>); a changed check result
    /// becomes a TASK_RUNNING update with the new <c>check_status</c> (REASON_TASK_CHECK_STATUS_UPDATED). Returns
    /// true when something was queued.
    /// </summary>
    private bool RunChecks(AgentTask task, DateTimeOffset now)
    {
        var (health, check) = task.Checks!.Poll(now);
        if (check is not null)
        {
            task.CheckStatus = check;
            Enqueue(task, TaskState.TaskRunning, TaskStatus.Types.Reason.TaskCheckStatusUpdated, null,
                task.LastStatus is { HasHealthy: true } last ? last.Healthy : null);
        }

        if (health is null)
        {
            return check is not null;
        }

        Enqueue(task, TaskState.TaskRunning, TaskStatus.Types.Reason.TaskHealthCheckStatusUpdated, health.Message, health.Verdict.Healthy);
        if (health.Verdict.KillTask)
        {
            _settings.Log($"agent {Id.Value} kills task {task.Id}: its health check failed {health.Verdict.ConsecutiveFailures} times in a row");
            task.Unhealthy = true;
            KillOne(task, null);
        }

        return true;
    }

    private void Finish(AgentTask task, int? exitStatus)
    {
        task.Checks?.Stop();
        task.Checks = null;
        if (task.MemoryExceeded is { } memory)
        {
            Enqueue(task, TaskState.TaskFailed, TaskStatus.Types.Reason.ContainerLimitationMemory, MemoryLimit.Message(memory.Limit, memory.Used));
            task.LastStatus!.Source = TaskStatus.Types.Source.Agent;
            task.LastStatus.Limitation = MemoryLimit.Limitation(memory.Limit);
        }
        else if (task.KillRequested)
        {
            Enqueue(task, TaskState.TaskKilled, null,
                task.Unhealthy ? "Command terminated after its health check failed" : "Command terminated after a kill request");
        }
        else if (exitStatus == 0)
        {
            Enqueue(task, TaskState.TaskFinished, null, "Command exited with status 0");
        }
        else if (exitStatus is { } code)
        {
            Enqueue(task, TaskState.TaskFailed, null,
                code > 128 ? $"Command terminated with signal {code - 128}" : $"Command exited with status {code}");
        }
        else
        {
            Enqueue(task, TaskState.TaskFailed, null, "Command ended without recording an exit status");
        }

        // The DEFAULT executor kills the whole group when one task fails or is killed.
        if (task.Executor is not null && task.State != TaskState.TaskFinished)
        {
            foreach (var member in GroupOf(task).Where(m => !m.IsTerminal))
            {
                KillOne(member, null);
            }
        }

        EndExecutorIfDone(task);
    }

    private void EndExecutorIfDone(AgentTask task)
    {
        if (task.Executor is null || GroupOf(task).Any(m => !m.IsTerminal))
        {
            return;
        }

        var failed = GroupOf(task).Any(m => m.State is not TaskState.TaskFinished);
        _endedExecutors.Add(new ExecutorEnded(task.FrameworkId, task.Executor.ExecutorId, failed ? 1 : 0));
    }

    private IEnumerable<AgentTask> GroupOf(AgentTask task) =>
        task.Executor is null
            ? [task]
            : _tasks.Values.Where(t => t.FrameworkId.Value == task.FrameworkId.Value
                && t.Executor?.ExecutorId.Value == task.Executor.ExecutorId.Value);

    private void Enqueue(AgentTask task, TaskState state, TaskStatus.Types.Reason? reason, string? message, bool? healthy = null)
    {
        task.State = state;
        _tasksVersion++;
        if (task.Orphaned)
        {
            if (task.IsTerminal)
            {
                _tasks.Remove(task.Id);
            }

            return;
        }

        var status = new TaskStatus
        {
            TaskId = task.Info.TaskId.Clone(),
            State = state,
            Source = TaskStatus.Types.Source.Executor,
            AgentId = Id.Clone(),
            ExecutorId = task.ExecutorId.Clone(),
            Timestamp = _settings.Time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0,
            Uuid = ByteString.CopyFrom(Uuids.New().ToByteArray()),
        };
        if (reason is { } r)
        {
            status.Reason = r;
        }

        if (message is not null)
        {
            status.Message = message;
        }

        // As the executors do: every update of a task with a check carries its latest check status (empty before
        // the first result), and a task killed for failing its health check ends with healthy=false.
        if (task.Info.Check is { } check)
        {
            status.CheckStatus = (task.CheckStatus ?? CheckTracker.Empty(check)).Clone();
        }

        if (healthy is { } h)
        {
            status.Healthy = h;
        }
        else if (TaskStates.IsTerminal(state) && task.Unhealthy)
        {
            status.Healthy = false;
        }

        task.LastStatus = status;
        task.Pending.Add(status);
        _pendingUpdates++;
        _unsent = true;
    }

    /// <summary>
    /// The agent goes down for good (marked gone, or about to restart with a new id): every task process is killed
    /// at once (SIGKILL to its process group) and its tasks and their pending updates are forgotten. Reservations and
    /// volumes stay in the checkpoint.
    /// </summary>
    public void Shutdown()
    {
        foreach (var task in _tasks.Values)
        {
            task.Fetch?.Cancel();
        }

        foreach (var task in _tasks.Values.Where(t => t.Process is not null && !t.IsTerminal))
        {
            ProcFs.SignalGroup(task.Process!, ProcFs.SigKill);
        }

        _tasks.Clear();
        _tasksVersion++;
        _endedExecutors.Clear();
        Checkpoint();
    }

    /// <summary>
    /// The agent restarts on the same work dir and registers with a new id (reference §5.8): its tasks die, its
    /// dynamic reservations and persistent volumes stay. Returns the new agent; this one must not be used any more.
    /// </summary>
    public LocalAgent RestartWithNewId(AgentID id)
    {
        Shutdown();
        var restarted = Create(id, Hostname, WorkDir, Total.Resources, _settings);
        restarted.Attributes = Attributes;
        restarted.Domain = Domain;
        return restarted;
    }

    private static string ExecutorKey(string frameworkId, string executorId) => frameworkId + "\n" + executorId;

    private static string SafeName(string name) =>
        name is "." or ".." ? "_" + name : name.Replace('/', '_').Replace('\0', '_');

    /// <param name="keepRoot">Empty the directory but keep it (a MOUNT disk's root outlives its volumes).</param>
    private static void TryDeleteDirectory(string path, bool keepRoot = false)
    {
        try
        {
            if (!Directory.Exists(path))
            {
                return;
            }

            if (!keepRoot)
            {
                Directory.Delete(path, recursive: true);
                return;
            }

            foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo dir && dir.LinkTarget is null)
                {
                    dir.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover directory does no harm; DESTROY already removed the volume from the checkpoint.
        }
    }
}

/// <summary>A task group's DEFAULT executor ended (all its tasks are terminal).</summary>
internal sealed record ExecutorEnded(FrameworkID FrameworkId, ExecutorID ExecutorId, int Status);
