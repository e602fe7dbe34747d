using System.Collections.Concurrent;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace ActorScheduler.Actors.Tests.Persistence;

/// <summary>
/// An in-memory journal that cannot replay the streams named in <see cref="Streams"/> (an unreadable row, an event of
/// a type the reader does not know) nor, its server lost, those in <see cref="Unreachable"/>; those named in <see cref="Held"/> replay once their task completes; the rest it
/// stores and replays as usual.
/// </summary>
public sealed class UnreadableJournal : MemoryJournal
{
    /// <summary>HOCON making this the default journal of an ActorSystem.</summary>
    public const string Config = """
        akka.persistence.journal.plugin = "akka.persistence.journal.unreadable"
        akka.persistence.journal.unreadable.class = "ActorScheduler.Actors.Tests.Persistence.UnreadableJournal, ActorScheduler.Actors.Tests"
        akka.persistence.journal.unreadable.plugin-dispatcher = "akka.actor.default-dispatcher"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;

    /// <summary>The persistence ids whose replay fails (tests use service names of their own).</summary>
    public static ConcurrentDictionary<string, string> Streams { get; } = new(StringComparer.Ordinal);

    /// <summary>The persistence ids whose replay fails because the journal's server cannot be reached.</summary>
    public static ConcurrentDictionary<string, bool> Unreachable { get; } = new(StringComparer.Ordinal);

    /// <summary>The persistence ids whose replay waits for the task given (then fails or goes on as above).</summary>
    public static ConcurrentDictionary<string, Task> Held { get; } = new(StringComparer.Ordinal);

    public override async Task ReplayMessagesAsync(Akka.Actor.IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        if (Held.TryGetValue(persistenceId, out var hold))
        {
            await hold;
        }

        if (Streams.TryGetValue(persistenceId, out var why))
        {
            throw new InvalidOperationException("replay failed", new System.Runtime.Serialization.SerializationException(why));
        }

        if (Unreachable.ContainsKey(persistenceId))
        {
            throw UnreachableServerException.Refused();
        }

        await base.ReplayMessagesAsync(context, persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
    }

    /// <summary>An unreadable stream has a row (the journal replays only streams that have one).</summary>
    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        var highest = await base.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);
        return Streams.ContainsKey(persistenceId) || Held.ContainsKey(persistenceId) || Unreachable.ContainsKey(persistenceId) ? Math.Max(highest, 1) : highest;
    }
}
