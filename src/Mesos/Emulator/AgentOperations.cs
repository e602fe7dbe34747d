using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// One agent's operation feedback — a Mesos agent's operation status update manager and the master's record of the
/// framework's operations in one, as the local agents live in the master's process. Updates are sent reliably and
/// retried as task updates are (10 s doubling to 10 min) until the framework acknowledges them; an operation whose
/// terminal update is acknowledged is forgotten. The agent checkpoints the updates in flight (<see cref="InFlight"/>).
/// </summary>
internal sealed class AgentOperations
{
    private readonly AgentSettings _settings;
    private readonly List<AgentOperation> _operations = [];
    private int _pending;
    private bool _unsent;

    public AgentOperations(AgentSettings settings) => _settings = settings;

    /// <summary>Some update waits for its acknowledgement (a retry may be due).</summary>
    public bool HasPending => _pending > 0;

    /// <summary>Some update has not gone out yet.</summary>
    public bool HasUnsent => _unsent && _pending > 0;

    public AgentOperation? Find(string frameworkId, string operationId) =>
        _operations.Find(o => o.FrameworkId == frameworkId && o.OperationId.Value == operationId);

    public IEnumerable<AgentOperation> Of(string frameworkId) => _operations.Where(o => o.FrameworkId == frameworkId);

    /// <summary>The updates waiting for their acknowledgement, by framework id, oldest first.</summary>
    public IEnumerable<(string FrameworkId, OperationStatus Status)> InFlight =>
        _operations.Where(o => o.Pending is not null).Select(o => (o.FrameworkId, o.Pending!));

    /// <summary>An update in flight read back from the agent's checkpoint: it goes out again at once.</summary>
    public void Restore(string frameworkId, OperationStatus status)
    {
        _operations.Add(new AgentOperation { FrameworkId = frameworkId, OperationId = status.OperationId.Clone(), Latest = status, Pending = status });
        _pending++;
        _unsent = true;
    }

    /// <summary>
    /// The agent applied a speculative operation (RESERVE, UNRESERVE, CREATE, DESTROY): OPERATION_FINISHED with a
    /// fresh uuid and the agent's id, as the agent's update manager sends it.
    /// </summary>
    public void Finished(string frameworkId, OperationID operationId, AgentID agentId)
    {
        var status = new OperationStatus
        {
            OperationId = operationId.Clone(),
            State = OperationState.OperationFinished,
            Uuid = new UUID { Value = ByteString.CopyFrom(Uuids.New().ToByteArray()) },
            AgentId = agentId.Clone(),
        };

        // A framework reusing an id it has not yet seen acknowledged replaces the old record, as the master's map does.
        _operations.RemoveAll(o => o.FrameworkId == frameworkId && o.OperationId.Value == operationId.Value && Forget(o));
        _operations.Add(new AgentOperation { FrameworkId = frameworkId, OperationId = operationId.Clone(), Latest = status, Pending = status });
        _pending++;
        _unsent = true;
    }

    /// <summary>ACKNOWLEDGE_OPERATION_STATUS: clears the update in flight if the uuid matches; false when nothing matched.</summary>
    public bool Acknowledge(string frameworkId, string operationId, ByteString uuid)
    {
        var operation = Find(frameworkId, operationId);
        if (operation?.Pending is not { } pending || pending.Uuid.Value != uuid)
        {
            return false;
        }

        // Every status the local agents send is terminal: once acknowledged, the master forgets the operation.
        _operations.Remove(operation);
        Forget(operation);
        return true;
    }

    /// <summary>The framework was removed: its operations and their updates go with it.</summary>
    public void RemoveFramework(string frameworkId) => _operations.RemoveAll(o => o.FrameworkId == frameworkId && Forget(o));

    /// <summary>Marks the framework's updates in flight as unsent, so they go out at once (it subscribed again).</summary>
    public void ResendAll(string frameworkId) => Resend(Of(frameworkId));

    /// <summary>Marks every update in flight as unsent, so it goes out at once (the agent is back).</summary>
    public void ResendAll() => Resend(_operations);

    private void Resend(IEnumerable<AgentOperation> operations)
    {
        foreach (var operation in operations.Where(o => o.Pending is not null))
        {
            operation.HeadSent = false;
            _unsent = true;
        }
    }

    /// <summary>The updates due now — never sent, or past their retry time — for the frameworks the caller says are connected.</summary>
    public List<(string FrameworkId, OperationStatus Status)> TakeDue(Func<string, bool> connected)
    {
        var due = new List<(string, OperationStatus)>();
        var now = _settings.Time.GetUtcNow();
        var held = false;
        foreach (var operation in _operations)
        {
            if (operation.Pending is not { } pending)
            {
                continue;
            }

            if (!connected(operation.FrameworkId))
            {
                held |= !operation.HeadSent;
                continue;
            }

            if (!operation.HeadSent)
            {
                operation.HeadSent = true;
                operation.RetryInterval = _settings.StatusUpdateRetryInterval;
            }
            else if (now >= operation.NextRetry)
            {
                operation.RetryInterval = TimeSpan.FromTicks(Math.Min(operation.RetryInterval.Ticks * 2, _settings.MaxStatusUpdateRetryInterval.Ticks));
            }
            else
            {
                continue;
            }

            operation.NextRetry = now + operation.RetryInterval;
            due.Add((operation.FrameworkId, pending));
        }

        _unsent = held;
        return due;
    }

    private bool Forget(AgentOperation operation)
    {
        if (operation.Pending is not null)
        {
            operation.Pending = null;
            _pending--;
        }

        return true;
    }
}
