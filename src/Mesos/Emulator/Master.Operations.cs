using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Operation feedback (Mesos 1.6+, as master.cpp at HEAD answers it): an operation with <c>Offer.Operation.id</c> gets
/// UPDATE_OPERATION_STATUS events, acknowledged with ACKNOWLEDGE_OPERATION_STATUS and asked for with RECONCILE_OPERATIONS.
/// The local agents have the AGENT_OPERATION_FEEDBACK and RESOURCE_PROVIDER capabilities, so operations on their default
/// resources are answered; they have no resource providers.
/// </summary>
internal sealed partial class Master
{
    /// <summary>
    /// An operation the master refused (invalid offers, resources it does not find, a type the emulator lacks): with an
    /// id, OPERATION_ERROR with the reason, sent once, without uuid or agent id (master <c>drop</c>).
    /// </summary>
    private void OperationError(FrameworkState framework, Offer.Types.Operation operation, string message)
    {
        if (operation.Id is null)
        {
            return;
        }

        SendOperationUpdate(framework, new OperationStatus
        {
            OperationId = operation.Id.Clone(),
            State = OperationState.OperationError,
            Message = message,
        });
    }

    /// <summary>
    /// The agent became unreachable or was marked gone: each connected framework hears, once and unreliably, of every
    /// operation the master still holds there (master <c>sendBulkOperationFeedback</c>). The agent keeps its updates in
    /// flight; reconciliation answers from the agent's state from now on.
    /// </summary>
    private void SendBulkOperationFeedback(LocalAgent agent, OperationState state, string message)
    {
        foreach (var framework in _frameworks.Values.Where(f => f.IsConnected))
        {
            foreach (var operation in agent.Operations.Of(framework.Id))
            {
                SendOperationUpdate(framework, new OperationStatus
                {
                    OperationId = operation.OperationId.Clone(),
                    State = state,
                    Message = message,
                    AgentId = agent.Id.Clone(),
                });
            }
        }
    }

    private static void SendOperationUpdate(FrameworkState framework, OperationStatus status) =>
        framework.Connection?.Send(new Event
        {
            Type = Event.Types.Type.UpdateOperationStatus,
            UpdateOperationStatus = new Event.Types.UpdateOperationStatus { Status = status },
        });

    /// <summary>
    /// ACKNOWLEDGE_OPERATION_STATUS: goes to the named agent, lost (as a Mesos master logs and drops it) when the agent is
    /// unknown, unreachable or disconnected, or the operation or uuid unknown.
    /// </summary>
    private CallResult AcknowledgeOperationStatus(FrameworkState framework, Call.Types.AcknowledgeOperationStatus ack)
    {
        var agent = AgentById(ack.AgentId.Value);
        if (agent is null || _cluster.IsCutOff(agent) || ack.ResourceProviderId is not null)
        {
            Log($"framework {framework.Id}: ignored the acknowledgement of operation '{ack.OperationId.Value}' on agent {ack.AgentId.Value}");
            return CallResult.Accepted;
        }

        agent.AcknowledgeOperation(framework.Id, ack.OperationId.Value, ack.Uuid);
        return CallResult.Accepted;
    }

    /// <summary>
    /// RECONCILE_OPERATIONS (master <c>reconcileOperations</c>): none named — the latest status of each operation the
    /// master knows for the framework; else per operation its latest status, or a state from what is known of the agent.
    /// Never reliable (no uuid).
    /// </summary>
    private CallResult ReconcileOperations(FrameworkState framework, Call.Types.ReconcileOperations reconcile)
    {
        if (reconcile.Operations.Count == 0)
        {
            foreach (var agent in _agents.Where(a => !_cluster.Unreachable.ContainsKey(a.Id.Value)))
            {
                foreach (var operation in agent.Operations.Of(framework.Id))
                {
                    SendOperationUpdate(framework, Latest(operation));
                }
            }

            return CallResult.Accepted;
        }

        foreach (var item in reconcile.Operations)
        {
            var known = item.AgentId is { } id
                ? (AgentById(id.Value) is { } named && !_cluster.Unreachable.ContainsKey(id.Value) ? named.Operations.Find(framework.Id, item.OperationId.Value) : null)
                : _agents.Where(a => !_cluster.Unreachable.ContainsKey(a.Id.Value))
                    .Select(a => a.Operations.Find(framework.Id, item.OperationId.Value))
                    .FirstOrDefault(o => o is not null);
            SendOperationUpdate(framework, known is not null ? Latest(known) : ReconcileUnknownOperation(item));
        }

        return CallResult.Accepted;
    }

    private static OperationStatus Latest(AgentOperation operation)
    {
        var status = operation.Latest.Clone();
        status.Uuid = null;
        return status;
    }

    private OperationStatus ReconcileUnknownOperation(Call.Types.ReconcileOperations.Types.Operation item)
    {
        var agentId = item.AgentId?.Value;
        var (state, message) = agentId switch
        {
            null => (OperationState.OperationUnknown, "Reconciliation: Operation is unknown and no 'agent_id' was provided"),
            _ when _cluster.Unreachable.ContainsKey(agentId) => (OperationState.OperationUnreachable, "Reconciliation: Agent is unreachable"),
            _ when _cluster.GoneIds.Contains(agentId) => (OperationState.OperationGoneByOperator, "Reconciliation: Agent marked gone by operator"),
            _ when AgentById(agentId) is not null => (OperationState.OperationUnknown, "Reconciliation: Operation is unknown"),
            _ => (OperationState.OperationUnknown, "Reconciliation: Both operation and agent are unknown"),
        };

        var status = new OperationStatus { OperationId = item.OperationId.Clone(), State = state, Message = message };
        if (item.AgentId is not null)
        {
            status.AgentId = item.AgentId.Clone();
        }

        if (item.ResourceProviderId is not null)
        {
            status.ResourceProviderId = item.ResourceProviderId.Clone();
        }

        return status;
    }
}
