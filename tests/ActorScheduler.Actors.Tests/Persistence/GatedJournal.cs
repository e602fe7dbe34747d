using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace ActorScheduler.Actors.Tests.Persistence;

/// <summary>
/// An in-memory journal whose writes a test can hold back (a slow commit): while its system's <see cref="Gate"/> is
/// closed, every write waits, and completes once the gate opens. Reads are never held.
/// </summary>
public sealed class GatedJournal : MemoryJournal
{
    /// <summary>HOCON making this the default journal of an ActorSystem.</summary>
    public const string Config = """
        akka.persistence.journal.plugin = "akka.persistence.journal.gated"
        akka.persistence.journal.gated.class = "ActorScheduler.Actors.Tests.Persistence.GatedJournal, ActorScheduler.Actors.Tests"
        akka.persistence.journal.gated.plugin-dispatcher = "akka.actor.default-dispatcher"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.test.single-expect-default = 15s
        """;

    private static readonly ConditionalWeakTable<ActorSystem, WriteGate> Gates = new();

    private readonly WriteGate _gate = Gate(Context.System);

    /// <summary>The gate of <paramref name="system"/>'s gated journal (open until a test closes it).</summary>
    public static WriteGate Gate(ActorSystem system) => Gates.GetValue(system, _ => new WriteGate());

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        await _gate.Passage.ConfigureAwait(false);
        return (await base.WriteMessagesAsync(messages, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Holds writes back while closed.</summary>
    public sealed class WriteGate
    {
        private TaskCompletionSource _open = Opened();

        internal Task Passage => Volatile.Read(ref _open).Task;

        /// <summary>Writes from now on wait (those already past the gate complete).</summary>
        public void Close() => Volatile.Write(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        /// <summary>Every waiting write goes on, and later ones pass.</summary>
        public void Open() => Volatile.Read(ref _open).TrySetResult();

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }
}
