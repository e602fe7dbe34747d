using System.Collections.Immutable;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace ActorScheduler.Actors.Tests.Persistence;

/// <summary>A journal whose every write fails (a full disk, a lost database); it holds nothing to replay.</summary>
public sealed class FailingJournal : AsyncWriteJournal
{
    /// <summary>HOCON making this the default journal of an ActorSystem.</summary>
    public const string Config = """
        akka.persistence.journal.plugin = "akka.persistence.journal.failing"
        akka.persistence.journal.failing.class = "ActorScheduler.Actors.Tests.Persistence.FailingJournal, ActorScheduler.Actors.Tests"
        akka.persistence.journal.failing.plugin-dispatcher = "akka.actor.default-dispatcher"
        """;

    public override Task ReplayMessagesAsync(Akka.Actor.IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback) =>
        Task.CompletedTask;

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) =>
        Task.FromResult(0L);

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken) =>
        Task.FromException<IImmutableList<Exception?>>(new IOException("the journal's disk is gone"));

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) => Task.CompletedTask;
}
