using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace ActorScheduler.Actors.Tests.Persistence;

/// <summary>
/// An in-memory journal that fails every write to the streams named in <see cref="Streams"/> (a full disk, as the writer
/// of those streams sees it), in <see cref="Unreachable"/> (the database server lost) and in <see cref="Fenced"/> (the
/// clustered journal's fence: this node does not hold the scheduler lease), and rejects every write to those named in <see cref="Rejected"/>
/// (an event it cannot serialize, a row too large: answered, but not stored); the rest it stores and replays as usual.
/// </summary>
public sealed class UnwritableJournal : MemoryJournal
{
    /// <summary>HOCON making this the default journal of an ActorSystem.</summary>
    public const string Config = """
        akka.persistence.journal.plugin = "akka.persistence.journal.unwritable"
        akka.persistence.journal.unwritable.class = "ActorScheduler.Actors.Tests.Persistence.UnwritableJournal, ActorScheduler.Actors.Tests"
        akka.persistence.journal.unwritable.plugin-dispatcher = "akka.actor.default-dispatcher"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;

    /// <summary>The persistence ids whose writes fail (tests use service names of their own).</summary>
    public static ConcurrentDictionary<string, bool> Streams { get; } = new(StringComparer.Ordinal);

    /// <summary>The persistence ids whose writes fail because the journal's server cannot be reached.</summary>
    public static ConcurrentDictionary<string, bool> Unreachable { get; } = new(StringComparer.Ordinal);

    /// <summary>The persistence ids whose writes the clustered journal's fence refuses.</summary>
    public static ConcurrentDictionary<string, bool> Fenced { get; } = new(StringComparer.Ordinal);

    /// <summary>The persistence ids whose writes are rejected.</summary>
    public static ConcurrentDictionary<string, bool> Rejected { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Each call carries the writes of one persistent actor: failed whole, as a lost database fails it; a rejected write
    /// is answered as such, the others of the call are stored.
    /// </summary>
    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        if (writes.Any(w => Streams.ContainsKey(w.PersistenceId)))
        {
            throw new IOException("the journal's disk is full");
        }

        if (writes.Any(w => Unreachable.ContainsKey(w.PersistenceId)))
        {
            // As the journal plugin passes on what the driver threw.
            throw new InvalidOperationException("the write failed", UnreachableServerException.Refused());
        }

        if (writes.Any(w => Fenced.ContainsKey(w.PersistenceId)))
        {
            // As the journal plugin passes on what the server said (PostgresException, a DbException with its SQLSTATE).
            throw new InvalidOperationException("the write failed", new UnreachableServerException(
                "INSERT refused: this node [actorscheduler@10.0.0.11:25520#5f0c2a9e] does not hold the scheduler lease (held by [actorscheduler@10.0.0.12:25520#c41e07b3] for 11500 ms more)",
                sqlState: JournalFailures.LeaseFenceSqlState));
        }

        if (!writes.Any(w => Rejected.ContainsKey(w.PersistenceId)))
        {
            return await base.WriteMessagesAsync(writes, cancellationToken);
        }

        await base.WriteMessagesAsync(writes.Where(w => !Rejected.ContainsKey(w.PersistenceId)), cancellationToken);
        return writes
            .Select(w => Rejected.ContainsKey(w.PersistenceId) ? new NotSupportedException("the journal cannot store this row") : (Exception?)null)
            .ToImmutableList();
    }
}
