using Akka.Persistence;

namespace ActorScheduler.Actors.Persistence;

/// <summary>
/// A persistent actor of the scheduler. One whose stream cannot be replayed (an unreadable row, an event of a type this
/// version does not know) stops, as Akka's do, and says so to the scheduler root (<see cref="JournalUnreadable"/>), which
/// stops the whole scheduler: without its framework id, its config, a plan or the pods' records it would act on a
/// wrong picture, and a restart would read the same stream again.
/// </summary>
internal abstract class SchedulerPersistentActor : ReceivePersistentActor
{
    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        Context.System.EventStream.Publish(new JournalUnreadable(PersistenceId, JournalFailures.Describe(reason, message)));
}
