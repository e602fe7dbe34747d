using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>The master's <c>scheduler::Call</c> validation (answered with 400 before any state is touched).</summary>
internal static class CallValidator
{
    public static string? Validate(Call call)
    {
        // A type number no Mesos version defines: a master's proto2 parser keeps it among the unknown fields, so the
        // call has no type (C#'s protobuf keeps the number in the field instead).
        if (!call.HasType || !Enum.IsDefined(call.Type))
        {
            return "Expecting 'type' to be present";
        }

        if (call.Type == Call.Types.Type.Subscribe)
        {
            if (call.Subscribe is null)
            {
                return "Expecting 'subscribe' to be present";
            }

            var infoId = call.Subscribe.FrameworkInfo?.Id;
            if (!Equals(call.FrameworkId, infoId))
            {
                return "'framework_id' differs from 'subscribe.framework_info.id'";
            }

            return null;
        }

        // Every call but SUBSCRIBE names its framework, UNKNOWN too (only then is it 501 Not Implemented).
        if (call.FrameworkId is null)
        {
            return "Expecting 'framework_id' to be present";
        }

        if (call.Type == Call.Types.Type.Unknown)
        {
            return null;
        }

        return call.Type switch
        {
            Call.Types.Type.Accept => Require(call.Accept, "accept"),
            Call.Types.Type.Decline => Require(call.Decline, "decline"),
            Call.Types.Type.AcceptInverseOffers => Require(call.AcceptInverseOffers, "accept_inverse_offers"),
            Call.Types.Type.DeclineInverseOffers => Require(call.DeclineInverseOffers, "decline_inverse_offers"),
            Call.Types.Type.Kill => Require(call.Kill, "kill"),
            Call.Types.Type.Shutdown => Require(call.Shutdown, "shutdown"),
            Call.Types.Type.Acknowledge => Require(call.Acknowledge, "acknowledge")
                ?? (call.Acknowledge.Uuid.Length != 16 ? "'acknowledge.uuid' is not a valid UUID" : null),
            Call.Types.Type.AcknowledgeOperationStatus => Require(call.AcknowledgeOperationStatus, "acknowledge_operation_status")
                ?? (call.AcknowledgeOperationStatus.Uuid.Length != 16 ? "'acknowledge_operation_status.uuid' is not a valid UUID" : null)
                ?? (call.AcknowledgeOperationStatus.AgentId is null ? "Expecting 'agent_id' to be present" : null),
            Call.Types.Type.Reconcile => Require(call.Reconcile, "reconcile"),
            Call.Types.Type.ReconcileOperations => Require(call.ReconcileOperations, "reconcile_operations"),
            Call.Types.Type.Message => Require(call.Message, "message"),
            Call.Types.Type.Request => Require(call.Request, "request"),
            Call.Types.Type.UpdateFramework => Require(call.UpdateFramework, "update_framework")
                ?? (!Equals(call.FrameworkId, call.UpdateFramework.FrameworkInfo?.Id)
                    ? "'framework_id' differs from 'update_framework.framework_info.id'"
                    : null),
            _ => null,
        };
    }

    private static string? Require(object? subMessage, string name) =>
        subMessage is null ? $"Expecting '{name}' to be present" : null;
}
