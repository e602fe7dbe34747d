using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>A task on a local agent: its info, its process, and the status updates still to deliver.</summary>
internal sealed class LocalTask
{
    public required TaskInfo Info { get; init; }

    public required string FrameworkId { get; init; }

    public required string ExecutorId { get; init; }

    public required string Sandbox { get; init; }

    public TaskState State { get; set; } = TaskState.TaskStaging;

    public int? Pid { get; set; }

    public long? StartTime { get; set; }

    public bool KillRequested { get; set; }

    public DateTime? KillDeadline { get; set; }

    /// <summary>Updates not yet acknowledged; only the head is in flight.</summary>
    public List<TaskStatus> Pending { get; } = new();

    public DateTime NextRetry { get; set; }

    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    public string Id => Info.TaskId.Value;

    public bool IsTerminal => TaskStates.IsTerminal(State);

    /// <summary>Done with: terminal and its last update acknowledged.</summary>
    public bool Forgotten => IsTerminal && Pending.Count == 0;
}
