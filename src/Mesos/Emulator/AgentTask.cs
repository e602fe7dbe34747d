using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>One task on a local agent, with its process and its reliable status-update queue.</summary>
internal sealed class AgentTask
{
    /// <param name="executorResources">
    /// <paramref name="executor"/>'s resources in internal form, shared by the tasks of one executor; null: made here.
    /// </param>
    public AgentTask(FrameworkID frameworkId, TaskInfo info, ExecutorInfo? executor, string sandbox, IReadOnlyList<Resource>? executorResources = null)
    {
        FrameworkId = frameworkId;
        Info = info;
        Resources = info.Resources.Select(ResourceFormat.AsInternal).ToArray();
        Executor = executor;
        ExecutorResources = executor is null ? [] : executorResources ?? executor.Resources.Select(ResourceFormat.AsInternal).ToArray();
        Sandbox = sandbox;
    }

    public FrameworkID FrameworkId { get; }

    /// <summary>The task as the framework launched it (shared with the ACCEPT that carried it: never changed).</summary>
    public TaskInfo Info { get; }

    /// <summary>The task's resources in internal form (<see cref="ResourceFormat.AsInternal"/>: never changed).</summary>
    public IReadOnlyList<Resource> Resources { get; }

    /// <summary>
    /// The DEFAULT executor of a task group as the framework launched it (shared with the ACCEPT that carried it: never
    /// changed), or null for a command task.
    /// </summary>
    public ExecutorInfo? Executor { get; }

    /// <summary>The executor's resources in internal form (empty without one).</summary>
    public IReadOnlyList<Resource> ExecutorResources { get; }

    public string Sandbox { get; }

    public string Id => Info.TaskId.Value;

    public TaskState State { get; set; } = TaskState.TaskStaging;

    public ProcessIdentity? Process { get; set; }

    /// <summary>The fetch of the task's URIs while it runs (the task stays STAGING); shared by a task group's tasks.</summary>
    public SandboxFetch? Fetch { get; set; }

    /// <summary>Recovered from a checkpoint taken while its URIs were being fetched: the agent restarted mid-fetch.</summary>
    public bool FetchInterrupted { get; set; }

    public bool KillRequested { get; set; }

    /// <summary>
    /// The task was killed for using more memory than it may (<see cref="MemoryLimit"/>): its limit and what its processes
    /// used, in bytes. It ends TASK_FAILED with <c>REASON_CONTAINER_LIMITATION_MEMORY</c>.
    /// </summary>
    public (long Limit, long Used)? MemoryExceeded { get; set; }

    public DateTimeOffset? KillDeadline { get; set; }

    public bool SigKillSent { get; set; }

    /// <summary>The framework was removed: forget the task once it is terminal, send nothing.</summary>
    public bool Orphaned { get; set; }

    /// <summary>Unacknowledged updates; the head is the one in flight.</summary>
    public List<TaskStatus> Pending { get; } = [];

    public bool HeadSent { get; set; }

    public DateTimeOffset NextRetry { get; set; }

    public TimeSpan RetryInterval { get; set; }

    /// <summary>The task's health check and check while it runs (not checkpointed: they restart with the agent).</summary>
    public TaskCheckRunner? Checks { get; set; }

    /// <summary>Killed because its health check failed: the terminal update says healthy=false.</summary>
    public bool Unhealthy { get; set; }

    /// <summary>The latest check result, carried by every later update of a task with a check.</summary>
    public CheckStatusInfo? CheckStatus { get; set; }

    /// <summary>The latest update generated for the task (reconciliation answers repeat its health and check status).</summary>
    public TaskStatus? LastStatus { get; set; }

    public bool IsTerminal => TaskStates.IsTerminal(State);

    public ExecutorID ExecutorId => Executor?.ExecutorId ?? new ExecutorID { Value = Info.TaskId.Value };
}
