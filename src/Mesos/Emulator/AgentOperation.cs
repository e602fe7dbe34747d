using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// An operation with feedback (<c>Offer.Operation.id</c> set) an agent applied to its default resources: the status the
/// framework was last sent, for RECONCILE_OPERATIONS, and the reliable update still waiting for its acknowledgement.
/// </summary>
internal sealed class AgentOperation
{
    public required string FrameworkId { get; init; }

    public required OperationID OperationId { get; init; }

    /// <summary>The latest status (what reconciliation repeats, without its uuid).</summary>
    public required OperationStatus Latest { get; set; }

    /// <summary>The update in flight until acknowledged; null once it is.</summary>
    public OperationStatus? Pending { get; set; }

    public bool HeadSent { get; set; }

    public TimeSpan RetryInterval { get; set; }

    public DateTimeOffset NextRetry { get; set; }
}
