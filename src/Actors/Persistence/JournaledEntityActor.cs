using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorScheduler.Actors.Persistence;

/// <summary>
/// An event-sourced entity whose events live in the shared <see cref="EntityJournalActor"/> stream rather than in a
/// stream of its own. Same contract as a persistent actor: <see cref="OnRecover"/> rebuilds the state from the
/// entity's history before any command is handled (then gets <see cref="RecoveryCompleted"/>), and a
/// <see cref="Persist{T}"/> handler runs once the event is durable, with every other message stashed until then.
/// All events persisted while handling one message go to the journal as one write.
/// </summary>
/// <remarks>
/// Commands and events are dispatched by a <c>switch</c> in <see cref="OnCommand"/> and <see cref="OnRecover"/>, not
/// by <c>Receive&lt;T&gt;</c> registrations: a service has an entity per pod instance and per step (20,000 for 10,000
/// pods), and a <c>ReceiveActor</c> builds its handler table per instance (about 13 KB for a pod).
/// </remarks>
internal abstract class JournaledEntityActor : ActorBase, IWithUnboundedStash
{
    private readonly List<(object Event, Action<object> Handler)> _unwritten = new();
    private List<(IActorRef To, object Message)>? _unwrittenNotices;
    private List<(object Event, Action<object> Handler)> _inFlight = new();
    private long _writeId;
    private bool _recovering;
    private bool _inFlightReplacesHistory;

    // Events in the entity's history since its last snapshot (or since the start, if none).
    private int _sinceSnapshot;

    protected JournaledEntityActor(IActorRef journal, string entity)
    {
        Journal = journal;
        Entity = entity;
    }

    public IStash Stash { get; set; } = null!;

    /// <summary>The entity's key in the journal (its former persistence id).</summary>
    protected string Entity { get; }

    protected IActorRef Journal { get; }

    /// <summary>
    /// The tags every event of the entity is journaled with (<c>pod:hello-0</c>, …): one array for the entity's life, not
    /// a tag set an event.
    /// </summary>
    protected ImmutableArray<string> JournalTags { get; init; } = ImmutableArray<string>.Empty;

    /// <summary>
    /// History length at which the entity writes <see cref="Snapshot"/> in place of its history (never when
    /// <see cref="Snapshot"/> gives null).
    /// </summary>
    protected virtual int SnapshotAfterEvents => SchedulerSettings.DefaultPodSnapshotAfterEvents;

    /// <summary>
    /// The entity's whole state as one event, which its <see cref="Recover{T}"/> handler turns back into the same state;
    /// null (the default) keeps the whole history.
    /// </summary>
    protected virtual object? Snapshot() => null;

    /// <summary>Applies a replayed event (or <see cref="RecoveryCompleted"/>) to the state; false when it is not the entity's.</summary>
    protected abstract bool OnRecover(object @event);

    /// <summary>Handles a command; false when it is not one of the entity's (it goes to <c>Unhandled</c>).</summary>
    protected abstract bool OnCommand(object message);

    protected sealed override bool Receive(object message) => OnCommand(message);

    /// <summary>Records <paramref name="event"/>; <paramref name="handler"/> runs once it is durable.</summary>
    protected void Persist<T>(T @event, Action<T> handler)
        where T : notnull =>
        _unwritten.Add((@event, e => handler((T)e)));

    /// <summary>
    /// Has the journal tell <paramref name="to"/> <paramref name="message"/> (in a <see cref="EntityJournalProtocol.Durable"/>)
    /// as soon as the events persisted with it — those of the message being handled — are durable: before this entity's
    /// handlers run, without a hop through the entity.
    /// </summary>
    protected void NotifyWhenDurable(IActorRef to, object message)
    {
        if (_unwritten.Count == 0)
        {
            throw new InvalidOperationException("A notice goes with a write: persist the events first.");
        }

        (_unwrittenNotices ??= new List<(IActorRef, object)>()).Add((to, message));
    }

    /// <summary>Records the events atomically, in order; <paramref name="handler"/> runs for each once all are durable.</summary>
    protected void PersistAll<T>(IEnumerable<T> events, Action<T> handler)
        where T : notnull
    {
        foreach (var @event in events)
        {
            Persist(@event, handler);
        }
    }

    protected override void PreStart()
    {
        Journal.Tell(new EntityJournalProtocol.Replay(Entity));
        _recovering = true;
    }

    /// <summary>
    /// While recovering or writing, every message but the awaited answer waits in the stash. Two flags rather than
    /// <c>BecomeStacked</c>: an entity would become "writing" for every write (four times for each pod deployed).
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (_recovering)
        {
            if (message is EntityJournalProtocol.History history && history.Entity == Entity)
            {
                Recovered(history);
            }
            else
            {
                Stash.Stash();
            }

            return true;
        }

        if (_inFlight.Count > 0)
        {
            if (message is EntityJournalProtocol.Written written && written.Entity == Entity && written.WriteId == _writeId)
            {
                WriteDone();
                FlushWrites();
            }
            else
            {
                Stash.Stash();
            }

            return true;
        }

        var handled = base.AroundReceive(receive, message);
        FlushWrites();
        return handled;
    }

    private void Recovered(EntityJournalProtocol.History history)
    {
        _recovering = false;
        foreach (var @event in history.Events)
        {
            ApplyRecovered(@event);
        }

        _sinceSnapshot = history.Events.Length;

        ApplyRecovered(RecoveryCompleted.Instance);
        FlushWrites();
        if (_inFlight.Count == 0)
        {
            Stash.UnstashAll();
        }
    }

    private void WriteDone()
    {
        var done = _inFlight;
        _inFlight = new List<(object, Action<object>)>();
        _sinceSnapshot = _inFlightReplacesHistory ? 1 : _sinceSnapshot + done.Count;
        _inFlightReplacesHistory = false;
        foreach (var (@event, handler) in done)
        {
            handler(@event);
        }

        // A long history is replaced by the state it leads to, once nothing else waits to be written.
        if (_unwritten.Count == 0 && _sinceSnapshot >= SnapshotAfterEvents && Snapshot() is { } snapshot)
        {
            _unwritten.Add((snapshot, _ => { }));
            _inFlightReplacesHistory = true;
        }

        // Handlers may persist again (flushed right after); otherwise the stashed commands go on.
        if (_unwritten.Count == 0)
        {
            Stash.UnstashAll();
        }
    }

    private void FlushWrites()
    {
        if (_unwritten.Count == 0 || _inFlight.Count > 0)
        {
            return;
        }

        _inFlight = new List<(object, Action<object>)>(_unwritten);
        _unwritten.Clear();
        var events = ImmutableArray.CreateBuilder<(object, ImmutableArray<string>)>(_inFlight.Count);
        foreach (var (@event, _) in _inFlight)
        {
            events.Add((@event, JournalTags));
        }

        var notices = _unwrittenNotices is null ? default : _unwrittenNotices.ToImmutableArray();
        _unwrittenNotices = null;
        Journal.Tell(new EntityJournalProtocol.Write(Entity, ++_writeId, events.MoveToImmutable(), _inFlightReplacesHistory, notices));
    }

    private void ApplyRecovered(object @event)
    {
        if (!OnRecover(@event) && @event is not RecoveryCompleted)
        {
            Context.GetLogger().Warning("{0}: no handler for recovered {1}; skipped", Entity, @event.GetType().Name);
        }
    }
}

/// <summary>
/// A persistent actor of the scheduler (the entity journal, the config store, a plan, …) could not record a write and
/// stopped: the scheduler root throws this to be restarted, with every actor, by its backoff supervisor (see
/// <c>SchedulerRootActor</c>), rather than carry on without what that actor knows.
/// </summary>
internal sealed class JournalWriteFailedException(string message) : Exception(message);
