using Akka.Event;
using Akka.Persistence;

namespace ActorScheduler.Actors.Persistence;

/// <summary>
/// A persistent actor of the scheduler. One whose stream cannot be replayed (an unreadable row, an event of a type this
/// version does not know) stops, as Akka's do, and says so to the scheduler root (<see cref="JournalUnreadable"/>), which
/// stops the whole scheduler: without its framework id, its config, a plan or the pods' records it would act on a
/// wrong picture, and a restart would read the same stream again. One whose write failed stops too, and says so
/// (<see cref="JournalWriteFailed"/>): the root restarts the whole scheduler under its backoff supervisor, which recovers
/// from what the journal holds, instead of carrying on without that actor. A write the journal rejects (it could not
/// serialize the event, the row is too large) is not stored either, and is handled the same way rather than Akka's way
/// (log, skip the event's handler, go on): the actor would otherwise go on without the event, its sender waiting for an
/// answer that never comes, and a restart would find the journal without it. Should every restart be rejected again,
/// the supervisor gives up with the stream and the journal's reason. A write or a replay that failed because the
/// journal's server could not be reached says so (<see cref="JournalFailures.IsServerUnreachable"/>): the root then stops
/// the scheduler for good — a restart could not replay — rather than call the stream unreadable. A write that the
/// clustered journal's fence refused (this node no longer holds the scheduler lease) says so too
/// (<see cref="JournalFailures.IsRefusedByLeaseFence"/>): the root then stands the scheduler down on this node.
/// </summary>
internal abstract class SchedulerPersistentActor : ReceivePersistentActor
{
    protected SchedulerPersistentActor()
    {
        // Commands wait while the stream replays: this one is answered once it has.
        Command<AwaitReplayed>(_ => Sender.Tell(new StreamReplayed(PersistenceId), Self));
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        Context.System.EventStream.Publish(new JournalUnreadable(PersistenceId, JournalFailures.Describe(reason, message), JournalFailures.IsServerUnreachable(reason)));

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        var failed = JournalWriteFailed.Of(PersistenceId, cause);
        Context.System.EventStream.Publish(failed);
        if (!failed.Fenced)
        {
            // Akka's error with the stack trace; a write the fence refused is said by the root, on one line.
            base.OnPersistFailure(cause, @event, sequenceNr);
        }
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        Context.GetLogger().Error(cause, "The journal rejected event type [{0}] with sequence number [{1}] for persistenceId [{2}]; the actor stops", @event.GetType().Name, sequenceNr, PersistenceId);
        Context.System.EventStream.Publish(new JournalWriteFailed(PersistenceId, $"rejected: {JournalFailures.Describe(cause, null)}"));
        Context.Stop(Self);
    }
}

/// <summary>
/// Asks a <see cref="SchedulerPersistentActor"/> to answer <see cref="StreamReplayed"/> once its stream has replayed (one
/// that cannot be replayed never answers: it stops and publishes <see cref="JournalUnreadable"/>).
/// </summary>
internal sealed record AwaitReplayed
{
    public static AwaitReplayed Instance { get; } = new();
}

/// <summary>The answer to <see cref="AwaitReplayed"/>.</summary>
internal sealed record StreamReplayed(string PersistenceId);
