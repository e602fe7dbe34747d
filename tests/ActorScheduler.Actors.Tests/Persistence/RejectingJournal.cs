using System.Collections.Immutable;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace ActorScheduler.Actors.Tests.Persistence;

/// <summary>
/// A journal that rejects every write (a plugin that cannot serialize an event, a row too large): the write is answered,
/// but nothing was stored. It holds nothing to replay.
/// </summary>
public sealed class RejectingJournal : AsyncWriteJournal
{
    /// <summary>HOCON making this the default journal of an ActorSystem.</summary>
    public const string Config = """
        akka.persistence.journal.plugin = "akka.persistence.journal.rejecting"
        akka.persistence.journal.rejecting.class = "ActorScheduler.Actors.Tests.Persistence.RejectingJournal, ActorScheduler.Actors.Tests"
        akka.persistence.journal.rejecting.plugin-dispatcher = "akka.actor.default-dispatcher"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;

    public override Task ReplayMessagesAsync(Akka.Actor.IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback) =>
        Task.CompletedTask;

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) =>
        Task.FromResult(0L);

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken) =>
        Task.FromResult<IImmutableList<Exception?>>(messages.Select(_ => (Exception?)new NotSupportedException("the journal cannot store this row")).ToImmutableList());

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) => Task.CompletedTask;
}
