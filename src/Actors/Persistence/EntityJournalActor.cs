using System.Collections.Immutable;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Serialization;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Persistence;

/// <summary>
/// The event stream of the scheduler's many small entities (pod instances, plan steps): <c>&lt;service&gt;/entities</c>.
/// A scheduler of 10,000 pods has 20,000 such entities; one stream each would cost one commit per event and one
/// recovery query per entity (minutes on SQLite). Here every write from every entity goes through one persistent actor,
/// so writes that arrive while a batch is being committed go out together in the next (group commit), and a restart
/// replays one stream in one read, then serves each entity its history from memory (<see cref="JournaledEntityActor"/>).
/// A write is answered only once it is durable, so an entity still acts only on what is recorded.
/// </summary>
internal sealed class EntityJournalActor : ReceivePersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, List<object>> _history = new(StringComparer.Ordinal);

    public EntityJournalActor(string service)
    {
        PersistenceId = $"{service}/entities";

        Recover<EntityEvent>(Remember);
        Recover<EntityForgotten>(e => _history.Remove(e.Entity));
        // Journals that keep the tag wrapper hand it back on replay.
        Recover<Tagged>(t =>
        {
            switch (t.Payload)
            {
                case EntityEvent e:
                    Remember(e);
                    break;
                case EntityForgotten f:
                    _history.Remove(f.Entity);
                    break;
            }
        });
        Recover<RecoveryCompleted>(_ => _log.Debug("Entity journal {0} replayed: {1} entities", PersistenceId, _history.Count));

        Command<EntityJournalProtocol.Replay>(m => Sender.Tell(new EntityJournalProtocol.History(
            m.Entity,
            _history.TryGetValue(m.Entity, out var events) ? events.ToImmutableArray() : ImmutableArray<object>.Empty)));
        Command<EntityJournalProtocol.Write>(OnWrite);
        Command<EntityJournalProtocol.Forget>(m =>
        {
            var replyTo = Sender;
            PersistAsync(new EntityForgotten { Entity = m.Entity, At = Timestamp.FromDateTime(DateTime.UtcNow) }, e =>
            {
                _history.Remove(e.Entity);
                replyTo.Tell(new EntityJournalProtocol.Forgotten(e.Entity));
            });
        });
    }

    public override string PersistenceId { get; }

    public static Props Props(string service) => Akka.Actor.Props.Create(() => new EntityJournalActor(service));

    /// <summary>
    /// Pipelined: nothing waits for this write but its entity; the next entities' writes join the batch the journal
    /// sends once the write in progress is committed.
    /// </summary>
    private void OnWrite(EntityJournalProtocol.Write write)
    {
        var replyTo = Sender;
        var envelopes = new List<object>(write.Events.Length);
        foreach (var (@event, tags) in write.Events)
        {
            var envelope = new EntityEvent { Entity = write.Entity, Event = Any.Pack((IMessage)@event) };
            envelopes.Add(tags.IsDefaultOrEmpty ? envelope : new Tagged(envelope, tags));
        }

        PersistAllAsync(envelopes, _ => { });
        DeferAsync(write, w =>
        {
            if (!_history.TryGetValue(w.Entity, out var events))
            {
                _history[w.Entity] = events = new List<object>();
            }

            events.AddRange(w.Events.Select(e => e.Event));
            replyTo.Tell(new EntityJournalProtocol.Written(w.Entity, w.WriteId));
        });
    }

    private void Remember(EntityEvent envelope)
    {
        var typeName = Any.GetTypeName(envelope.Event.TypeUrl);
        if (ActorSchedulerSerializer.ParserOf(typeName) is not { } parser)
        {
            // Written by a newer version: keep going without it, loudly.
            _log.Warning("Entity journal {0}: event of unknown type {1} for {2} skipped", PersistenceId, typeName, envelope.Entity);
            return;
        }

        if (!_history.TryGetValue(envelope.Entity, out var events))
        {
            _history[envelope.Entity] = events = new List<object>();
        }

        events.Add(parser.ParseFrom(envelope.Event.Value));
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The journal stops: the scheduler root restarts the whole scheduler on the journal's durable state.
        _log.Error(cause, "Entity journal {0} could not record an event (seq {1}); it stops and the scheduler restarts", PersistenceId, sequenceNr);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}

/// <summary>What entities and the <see cref="EntityJournalActor"/> say to each other.</summary>
internal static class EntityJournalProtocol
{
    /// <summary>An entity starts: send it its history.</summary>
    public sealed record Replay(string Entity);

    /// <summary>The entity's events, oldest first (unwrapped: no tags).</summary>
    public sealed record History(string Entity, ImmutableArray<object> Events);

    /// <summary>Record these events of the entity, in order, atomically with respect to its later writes.</summary>
    public sealed record Write(string Entity, long WriteId, ImmutableArray<(object Event, ImmutableArray<string> Tags)> Events);

    /// <summary>The write is durable.</summary>
    public sealed record Written(string Entity, long WriteId);

    /// <summary>Drop the entity's history (its state was erased); answered by <see cref="Forgotten"/>.</summary>
    public sealed record Forget(string Entity);

    public sealed record Forgotten(string Entity);
}
