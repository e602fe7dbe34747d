using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Simulation;

/// <summary>
/// What crossed the simulated master's door, in order: a call the scheduler sent (with the master's answer) or an
/// event the master sent the scheduler.
/// </summary>
/// <param name="Sequence">Position in the cluster's history (from 1).</param>
/// <param name="Call">The scheduler's call, or null for an event.</param>
/// <param name="Event">The master's event, or null for a call.</param>
/// <param name="StatusCode">The master's HTTP-equivalent answer to a call (202, 400, …); 0 for events.</param>
public sealed record ClusterRecord(long Sequence, Call? Call, Event? Event, int StatusCode)
{
    /// <summary>
    /// When it was recorded, in real (wall-clock) time: a call when the master answered it, an event when the
    /// scheduler read it from its stream. For latency measurements; virtual time is the cluster's clock.
    /// </summary>
    public DateTimeOffset RecordedAt { get; init; }

    /// <summary>
    /// A call: when the scheduler sent it, before it waited its turn in the simulated master's one queue (wall-clock);
    /// null for events. <see cref="RecordedAt"/> minus this is the time the call spent reaching the master.
    /// </summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>The task infos this call launches (LAUNCH and LAUNCH_GROUP operations of an ACCEPT).</summary>
    public IEnumerable<TaskInfo> LaunchedTasks => Operations(Offer.Types.Operation.Types.Type.Launch).SelectMany(o => o.Launch?.TaskInfos ?? [])
        .Concat(Operations(Offer.Types.Operation.Types.Type.LaunchGroup).SelectMany(o => o.LaunchGroup?.TaskGroup?.Tasks ?? []));

    /// <summary>The ACCEPT's operations of one type (none for other calls).</summary>
    public IEnumerable<Offer.Types.Operation> Operations(Offer.Types.Operation.Types.Type type) =>
        Call is { Type: Call.Types.Type.Accept } accept ? accept.Accept.Operations.Where(o => o.Type == type) : [];

    /// <summary>The offer ids this call answers (ACCEPT or DECLINE).</summary>
    public IEnumerable<string> AnsweredOffers => Call?.Type switch
    {
        Call.Types.Type.Accept => Call.Accept.OfferIds.Select(o => o.Value),
        Call.Types.Type.Decline => Call.Decline.OfferIds.Select(o => o.Value),
        _ => [],
    };
}
