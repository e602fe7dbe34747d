using Akka.Persistence;

namespace ActorScheduler.Actors.Persistence;

/// <summary>
/// A persistent actor of the scheduler. One whose stream cannot be replayed (an unreadable row, an event of a type this
/// version does not know) stops, as Akka's do, and says so to the scheduler root (<see cref="JournalUnreadable"/>), which
/// stops the whole scheduler: without its framework id, its config, a plan or the pods' records it would act on a
/// wrong picture, and a restart would read the same stream again. One whose write failed stops too, and says so
/// (<see cref="JournalWriteFailed"/>): the root restarts the whole scheduler under its backoff supervisor, which recovers
/// from what the journal holds, instead of carrying on without that actor.
/// </summary>
internal abstract class SchedulerPersistentActor : ReceivePersistentActor
{
    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        Context.System.EventStream.Publish(new JournalUnreadable(PersistenceId, JournalFailures.Describe(reason, message)));

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.System.EventStream.Publish(new JournalWriteFailed(PersistenceId, JournalFailures.Describe(cause, null)));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
