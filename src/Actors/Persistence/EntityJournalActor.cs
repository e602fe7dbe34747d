using System.Collections.Concurrent;
using System.Collections.Immutable;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Serialization;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Persistence;

/// <summary>
/// The event stream of the scheduler's many small entities (pod instances, plan steps): <c>&lt;service&gt;/entities</c>.
/// A scheduler of 10,000 pods has 20,000 such entities; one stream each would cost one commit per event and one
/// recovery query per entity (minutes on SQLite). Here every write from every entity goes through one persistent actor
/// that keeps one batch in flight: writes that arrive while a batch is being committed go out together as the next
/// batch, in one journal row (<see cref="EntityEventBatch"/>; a row costs the journal far more than its bytes). A restart
/// replays the stream in one read, then serves each entity its history from memory (<see cref="JournaledEntityActor"/>).
/// A write is answered only once its batch is durable, so an entity still acts only on what is recorded.
/// </summary>
/// <remarks>
/// The journal knows which entities have writes in flight: an entity started anew while its predecessor's write is
/// still being committed (the pods guardian restarted) gets its history once that write is settled, not without it. And
/// it answers a <see cref="EntityJournalProtocol.Barrier"/> once every write it got before is durable (a failed or
/// rejected one stops the journal, and the scheduler restarts on what is durable): how the offer router learns, when a
/// claiming pod actor stopped, whether its launch record is durable (its notice then came first) or never will be.
/// </remarks>
internal sealed class EntityJournalActor : SchedulerPersistentActor
{
    /// <summary>Events per row at most; a larger backlog goes out in several rows of one write.</summary>
    internal const int MaxEventsPerRow = 1000;

    /// <summary>
    /// Bytes of events per row at most (about): a row's payload is one array, and arrays past 85,000 bytes go to the large
    /// object heap, whose collections are full ones (a storm cycle of 512 launches is ~1 MB of events).
    /// </summary>
    internal const int MaxRowBytes = 64 * 1024;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    // Each entity's history in its packed form: one array an event instead of the event's whole message tree (a
    // launch carries task infos of dozens of objects), which the GC would otherwise trace on every collection. An
    // entity's history is unpacked only when the entity (re)starts and asks for it.
    private readonly Dictionary<string, List<PackedEvent>> _history = new(StringComparer.Ordinal);
    private readonly int _snapshotAfterEvents;
    private List<Pending> _waiting = new();
    private bool _committing;

    // The writes and forgets not yet settled, by entity (in _waiting or in the batch being committed).
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);

    // Replays and barriers that wait for the batch being committed, and those that wait for the next one (they came
    // while _waiting held writes): answered once their batch is settled, after its notices. Null when none.
    private List<(IActorRef ReplyTo, object Request)>? _afterCommitting;
    private List<(IActorRef ReplyTo, object Request)>? _afterWaiting;

    // The plugin rejected a row of the batch being committed: it is not durable (OnPersistRejected).
    private bool _rejected;
    private long _sinceSnapshot;
    private bool _snapshotting;

    /// <param name="snapshotAfterEvents">
    /// Events written (or replayed) after which the journal saves a snapshot of every entity's history, so a restart
    /// reads it and the events after it, not the whole stream.
    /// </param>
    public EntityJournalActor(string service, int snapshotAfterEvents = SchedulerSettings.DefaultEntityJournalSnapshotEvery)
    {
        PersistenceId = $"{service}/entities";
        _snapshotAfterEvents = snapshotAfterEvents;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is EntityJournalSnapshot snapshot)
            {
                _history.Clear();
                foreach (var envelope in snapshot.Events)
                {
                    Remember(envelope);
                }

                _sinceSnapshot = 0;
            }
        });

        Recover<EntityEventBatch>(Remember);
        // Journals that keep what was persisted as it was (the in-memory one) hand the written-out row back.
        Recover<EncodedMessage>(row => Remember((EntityEventBatch)row.Decode()));
        // Rows written before batches: one event (or one forget) a row.
        Recover<EntityEvent>(Remember);
        Recover<EntityForgotten>(e => _history.Remove(e.Entity));
        // Journals that keep the tag wrapper hand it back on replay.
        Recover<Tagged>(t =>
        {
            switch (t.Payload)
            {
                case EntityEventBatch b:
                    Remember(b);
                    break;
                case EncodedMessage row:
                    Remember((EntityEventBatch)row.Decode());
                    break;
                case EntityEvent e:
                    Remember(e);
                    break;
                case EntityForgotten f:
                    _history.Remove(f.Entity);
                    break;
            }
        });
        Recover<RecoveryCompleted>(_ => _log.Debug("Entity journal {0} replayed: {1} entities", PersistenceId, _history.Count));
        Command<SaveSnapshotSuccess>(m =>
        {
            _snapshotting = false;
            _log.Info("Entity journal {0}: snapshot saved at sequence number {1}", PersistenceId, m.Metadata.SequenceNr);
            // Older snapshots are superseded (the events stay in the journal, for audit).
            DeleteSnapshots(new SnapshotSelectionCriteria(m.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(m =>
        {
            _snapshotting = false;
            _log.Warning("Entity journal {0}: snapshot not saved ({1}); a restart replays the whole stream", PersistenceId, m.Cause.Message);
        });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(m => _log.Warning("Entity journal {0}: old snapshots not deleted ({1})", PersistenceId, m.Cause.Message));

        Command<EntityJournalProtocol.Replay>(m =>
        {
            if (_inFlight.ContainsKey(m.Entity))
            {
                // Written by the entity's previous actor, not durable yet: its history comes once the write is settled.
                After(Sender, m);
            }
            else
            {
                Sender.Tell(HistoryOf(m.Entity));
            }
        });
        Command<EntityJournalProtocol.Barrier>(m =>
        {
            if (_committing)
            {
                After(Sender, m);
            }
            else
            {
                Sender.Tell(new EntityJournalProtocol.BarrierPassed(m.Token));
            }
        });
        Command<EntityJournalProtocol.Write>(m => Enqueue(new Pending(Sender, m, null)));
        Command<EntityJournalProtocol.Forget>(m => Enqueue(new Pending(Sender, null, m)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string service, int snapshotAfterEvents = SchedulerSettings.DefaultEntityJournalSnapshotEvery) =>
        Akka.Actor.Props.Create(() => new EntityJournalActor(service, snapshotAfterEvents));

    private void Enqueue(Pending pending)
    {
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_inFlight, pending.Entity, out _)++;
        _waiting.Add(pending);
        if (!_committing)
        {
            Commit();
        }
    }

    /// <summary>
    /// Sends every waiting write as one batch (in rows of at most <see cref="MaxEventsPerRow"/> events); once the last row
    /// is durable, applies and answers them all and sends what arrived meanwhile.
    /// </summary>
    private void Commit()
    {
        var batch = _waiting;
        _waiting = new List<Pending>();
        _committing = true;
        _afterCommitting = _afterWaiting;
        _afterWaiting = null;

        PersistAllAsync(Rows(batch, DateTime.UtcNow), _ => { });
        DeferAsync(batch, Committed);
    }

    private void Committed(List<Pending> batch)
    {
        if (_rejected)
        {
            // Not durable: told to no one (the journal is stopping, OnPersistRejected).
            return;
        }

        Dictionary<IActorRef, ImmutableArray<object>.Builder>? notices = null;
        foreach (var pending in batch)
        {
            Settled(pending.Entity);
            if (pending.Forget is { } forget)
            {
                _history.Remove(forget.Entity);
                pending.ReplyTo.Tell(new EntityJournalProtocol.Forgotten(forget.Entity));
                continue;
            }

            var write = pending.Write!;
            if (!_history.TryGetValue(write.Entity, out var events))
            {
                _history[write.Entity] = events = new List<PackedEvent>(write.Events.Length);
            }
            else if (write.ReplacesHistory)
            {
                events.Clear();
            }

            events.AddRange(pending.Packed!);

            pending.ReplyTo.Tell(new EntityJournalProtocol.Written(write.Entity, write.WriteId));
            if (!write.Notices.IsDefaultOrEmpty)
            {
                notices ??= new Dictionary<IActorRef, ImmutableArray<object>.Builder>();
                foreach (var (to, message) in write.Notices)
                {
                    if (!notices.TryGetValue(to, out var forRecipient))
                    {
                        notices[to] = forRecipient = ImmutableArray.CreateBuilder<object>();
                    }

                    forRecipient.Add(message);
                }
            }
        }

        if (notices is not null)
        {
            foreach (var (to, messages) in notices)
            {
                to.Tell(new EntityJournalProtocol.Durable(messages.ToImmutable()));
            }
        }

        // After the notices: a barrier's sender (the router) hears of every launch recorded before it first.
        if (_afterCommitting is { } after)
        {
            _afterCommitting = null;
            foreach (var (replyTo, request) in after)
            {
                replyTo.Tell(request switch
                {
                    EntityJournalProtocol.Replay replay => HistoryOf(replay.Entity),
                    EntityJournalProtocol.Barrier barrier => new EntityJournalProtocol.BarrierPassed(barrier.Token),
                    _ => throw new InvalidOperationException($"not a request that waits: {request}"),
                });
            }
        }

        _committing = false;
        _sinceSnapshot += batch.Sum(p => p.Write?.Events.Length ?? 1);
        if (_sinceSnapshot >= _snapshotAfterEvents && !_snapshotting)
        {
            _sinceSnapshot = 0;
            _snapshotting = true;
            SaveSnapshot(SnapshotOfHistories());
        }

        if (_waiting.Count > 0)
        {
            Commit();
        }
    }

    /// <summary>
    /// <paramref name="request"/> is answered once every write the journal got before it is settled: with the batch being
    /// committed when nothing else waits, else with the next one.
    /// </summary>
    private void After(IActorRef replyTo, object request)
    {
        if (_waiting.Count == 0)
        {
            (_afterCommitting ??= new()).Add((replyTo, request));
        }
        else
        {
            (_afterWaiting ??= new()).Add((replyTo, request));
        }
    }

    private void Settled(string entity)
    {
        ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_inFlight, entity);
        if (--count == 0)
        {
            _inFlight.Remove(entity);
        }
    }

    private EntityJournalProtocol.History HistoryOf(string entity) =>
        new(entity, _history.TryGetValue(entity, out var events) ? Unpack(events) : ImmutableArray<object>.Empty);

    // Type URLs by message type: Any.Pack builds the string anew for every event.
    private static readonly ConcurrentDictionary<MessageDescriptor, string> TypeUrls = new();

    /// <summary>The type URL <see cref="Any.Pack(IMessage)"/> gives <paramref name="message"/>, built once per message type.</summary>
    private static string TypeUrlOf(IMessage message) => TypeUrls.GetOrAdd(message.Descriptor, d => "type.googleapis.com/" + d.FullName);

    /// <summary>
    /// The journal rows of a batch: its events in order, at most <see cref="MaxEventsPerRow"/> a row and a row closed once
    /// it holds <see cref="MaxRowBytes"/> (a bigger event gets a row of its own), each row tagged
    /// with the union of its events' tags (untagged when they have none); a forget is an event packing
    /// <see cref="EntityForgotten"/>. A row is an <see cref="EntityEventBatch"/> written out (<see cref="RowWriter"/>): each
    /// event is written once, into the row's array, and its write remembers the slice (<see cref="Pending.Packed"/>).
    /// </summary>
    internal static List<object> Rows(IReadOnlyList<Pending> batch, DateTime now)
    {
        var rows = new List<object>();
        var row = new RowWriter();
        var tags = new HashSet<string>(StringComparer.Ordinal);
        var start = 0;
        for (var p = 0; p < batch.Count; p++)
        {
            var pending = batch[p];
            if (pending.Forget is { } forget)
            {
                row.Add(forget.Entity, new EntityForgotten { Entity = forget.Entity, At = Timestamp.FromDateTime(now) }, replacesHistory: false);
            }
            else
            {
                var replaces = pending.Write!.ReplacesHistory;
                foreach (var (@event, eventTags) in pending.Write.Events)
                {
                    row.Add(pending.Write.Entity, (IMessage)@event, replaces);
                    replaces = false;
                    if (!eventTags.IsDefaultOrEmpty)
                    {
                        tags.UnionWith(eventTags);
                    }
                }
            }

            // One entity's write stays in one row, so a write is in the journal whole or not at all.
            if (row.Count >= MaxEventsPerRow || row.Bytes >= MaxRowBytes)
            {
                rows.Add(Row(row.Write(batch, start, p + 1), tags));
                row = new RowWriter();
                tags = new HashSet<string>(StringComparer.Ordinal);
                start = p + 1;
            }
        }

        if (row.Count > 0)
        {
            rows.Add(Row(row.Write(batch, start, batch.Count), tags));
        }

        return rows;
    }

    private static object Row(EncodedMessage row, HashSet<string> tags) =>
        tags.Count == 0 ? row : new Tagged(row, tags);

    /// <summary>
    /// Writes one row: the events of <see cref="EntityEventBatch"/>, each an <see cref="EntityEvent"/> whose
    /// <see cref="Any"/> holds the event, byte for byte as the generated code writes them (fields in number order, proto3
    /// defaults left out), so the row reads back as an <see cref="EntityEventBatch"/>. Sizes first, then one array.
    /// </summary>
    private sealed class RowWriter
    {
        private readonly List<(string Entity, IMessage Event, string TypeUrl, int EventSize, int AnySize, int EnvelopeSize, bool Replaces)> _events = new();

        public int Count => _events.Count;

        // The row's size so far.
        private int _size;

        /// <summary>What the row's events take so far, each counted as the message it is (as the bound on a row counts them).</summary>
        public int Bytes { get; private set; }

        public void Add(string entity, IMessage @event, bool replacesHistory)
        {
            var typeUrl = TypeUrlOf(@event);
            var eventSize = @event.CalculateSize();
            var anySize = 1 + CodedOutputStream.ComputeStringSize(typeUrl)
                + (eventSize == 0 ? 0 : 1 + CodedOutputStream.ComputeLengthSize(eventSize) + eventSize);
            var envelopeSize = (entity.Length == 0 ? 0 : 1 + CodedOutputStream.ComputeStringSize(entity))
                + 1 + CodedOutputStream.ComputeLengthSize(anySize) + anySize
                + (replacesHistory ? 2 : 0);
            _events.Add((entity, @event, typeUrl, eventSize, anySize, envelopeSize, replacesHistory));
            Bytes += envelopeSize;
            _size += 1 + CodedOutputStream.ComputeLengthSize(envelopeSize) + envelopeSize;
        }

        /// <summary>The row, its events' slices given to the writes <paramref name="from"/> to <paramref name="to"/> of
        /// <paramref name="batch"/> (whose events it holds, in order).</summary>
        public EncodedMessage Write(IReadOnlyList<Pending> batch, int from, int to)
        {
            var bytes = new byte[_size];
            var output = new CodedOutputStream(bytes);
            var next = 0;
            for (var p = from; p < to; p++)
            {
                var pending = batch[p];
                var count = pending.Write?.Events.Length ?? 1;
                var packed = new PackedEvent[count];
                for (var i = 0; i < count; i++, next++)
                {
                    var (entity, @event, typeUrl, eventSize, anySize, envelopeSize, replaces) = _events[next];
                    output.WriteTag(EntityEventBatch.EventsFieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteLength(envelopeSize);
                    if (entity.Length > 0)
                    {
                        output.WriteTag(EntityEvent.EntityFieldNumber, WireFormat.WireType.LengthDelimited);
                        output.WriteString(entity);
                    }

                    output.WriteTag(EntityEvent.EventFieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteLength(anySize);
                    output.WriteTag(Any.TypeUrlFieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteString(typeUrl);
                    var offset = 0;
                    if (eventSize > 0)
                    {
                        output.WriteTag(Any.ValueFieldNumber, WireFormat.WireType.LengthDelimited);
                        output.WriteLength(eventSize);
                        offset = (int)output.Position;
                        @event.WriteTo(output);
                    }

                    if (replaces)
                    {
                        output.WriteTag(EntityEvent.ReplacesHistoryFieldNumber, WireFormat.WireType.Varint);
                        output.WriteBool(true);
                    }

                    packed[i] = new PackedEvent(typeUrl, bytes, offset, eventSize);
                }

                pending.Packed = packed;
            }

            output.CheckNoSpaceLeft();
            return new EncodedMessage(EntityEventBatch.Descriptor, bytes);
        }
    }

    /// <summary>Every entity's history as it stands (entities compact their own with snapshots of their state).</summary>
    private EntityJournalSnapshot SnapshotOfHistories()
    {
        var snapshot = new EntityJournalSnapshot();
        foreach (var (entity, events) in _history)
        {
            foreach (var @event in events)
            {
                snapshot.Events.Add(new EntityEvent { Entity = entity, Event = @event.ToAny() });
            }
        }

        return snapshot;
    }

    private void Remember(EntityEventBatch batch)
    {
        foreach (var envelope in batch.Events)
        {
            Remember(envelope);
        }
    }

    private void Remember(EntityEvent envelope)
    {
        _sinceSnapshot++;
        var typeName = Any.GetTypeName(envelope.Event.TypeUrl);
        if (typeName == EntityForgotten.Descriptor.FullName)
        {
            _history.Remove(envelope.Entity);
            return;
        }

        if (ActorSchedulerSerializer.ParserOf(typeName) is null)
        {
            // Written by a newer version: keep going without it, loudly.
            _log.Warning("Entity journal {0}: event of unknown type {1} for {2} skipped", PersistenceId, typeName, envelope.Entity);
            return;
        }

        if (!_history.TryGetValue(envelope.Entity, out var events))
        {
            _history[envelope.Entity] = events = new List<PackedEvent>();
        }
        else if (envelope.ReplacesHistory)
        {
            events.Clear();
        }

        events.Add(PackedEvent.Of(envelope.Event));
    }

    /// <summary>An entity's history as messages (types were checked when the events were remembered).</summary>
    private static ImmutableArray<object> Unpack(List<PackedEvent> events)
    {
        var unpacked = ImmutableArray.CreateBuilder<object>(events.Count);
        foreach (var packed in events)
        {
            unpacked.Add(packed.Unpack());
        }

        return unpacked.MoveToImmutable();
    }

    /// <summary>
    /// An event of an entity's history as the journal keeps it: its type URL (one string per type) and where its bytes are —
    /// a slice of the row it was written in, or of the row or snapshot it was read from — so that an event costs no object
    /// of its own, where the <see cref="Any"/> it was written as takes three (itself, a <see cref="ByteString"/>, the
    /// array). The arrays are never written to after.
    /// </summary>
    internal readonly record struct PackedEvent(string TypeUrl, byte[] Bytes, int Offset, int Length)
    {
        private static readonly ConcurrentDictionary<string, string> TypeUrlsRead = new(StringComparer.Ordinal);

        public static PackedEvent Of(Any any)
        {
            // The array under the bytes, not a copy, where there is one.
            var (bytes, offset, length) = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(any.Value.Memory, out var segment) && segment.Array is { } array
                ? (array, segment.Offset, segment.Count)
                : (any.Value.ToByteArray(), 0, any.Value.Length);
            // A replayed event's type URL is a string of its own: one per type is kept.
            return new PackedEvent(TypeUrlsRead.GetOrAdd(any.TypeUrl, any.TypeUrl), bytes, offset, length);
        }

        public IMessage Unpack() => ActorSchedulerSerializer.ParserOf(Any.GetTypeName(TypeUrl))!.ParseFrom(Bytes, Offset, Length);

        public Any ToAny() => new() { TypeUrl = TypeUrl, Value = UnsafeByteOperations.UnsafeWrap(new ReadOnlyMemory<byte>(Bytes, Offset, Length)) };
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The journal stops: the scheduler root restarts the whole scheduler on the journal's durable state — or, for a
        // write the journal's fence refused, stands it down on this node and says so on one line.
        if (!JournalFailures.IsRefusedByLeaseFence(cause))
        {
            _log.Error(cause, "Entity journal {0} could not record an event (seq {1}); it stops and the scheduler restarts", PersistenceId, sequenceNr);
        }

        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>
    /// The plugin rejected a row (it could not serialize it, say): nothing of it was stored, yet Akka goes on and would
    /// run the batch's deferred handler, reporting it durable. Treated like a failed write, as every persistent actor of
    /// the scheduler treats it (<see cref="SchedulerPersistentActor"/>): the batch is reported to no one and the journal
    /// stops; the scheduler root restarts the whole scheduler on the journal's durable state.
    /// </summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _rejected = true;
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <summary>A write or a forget waiting for its batch, and who to answer.</summary>
    internal sealed record Pending(IActorRef ReplyTo, EntityJournalProtocol.Write? Write, EntityJournalProtocol.Forget? Forget)
    {
        /// <summary>The write's events as they went into the row (set by <see cref="Rows"/>), remembered once durable.</summary>
        public PackedEvent[]? Packed { get; set; }

        public string Entity => Write?.Entity ?? Forget!.Entity;
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
    /// <param name="ReplacesHistory">The events are a snapshot of the entity's state: its earlier events are dropped.</param>
    /// <remarks>
    /// <paramref name="Notices"/>: messages for other actors than the writer, sent as soon as the write is durable, in one
    /// <see cref="Durable"/> per recipient and batch (so an actor that waits for many entities' writes hears of them once
    /// a batch, without a hop through each entity).
    /// </remarks>
    public sealed record Write(string Entity, long WriteId, ImmutableArray<(object Event, ImmutableArray<string> Tags)> Events, bool ReplacesHistory = false, ImmutableArray<(IActorRef To, object Message)> Notices = default);

    /// <summary>The notices of writes that became durable in one batch, in the order of the writes.</summary>
    public sealed record Durable(ImmutableArray<object> Notices);

    /// <summary>The write is durable.</summary>
    public sealed record Written(string Entity, long WriteId);

    /// <summary>Drop the entity's history (its state was erased); answered by <see cref="Forgotten"/>.</summary>
    public sealed record Forget(string Entity);

    public sealed record Forgotten(string Entity);

    /// <summary>
    /// Answer <see cref="BarrierPassed"/> once every write and forget the journal got before this one is settled: durable,
    /// its <see cref="Written"/> and <see cref="Durable"/> notices sent before the answer. A write that fails stops the
    /// journal instead (the scheduler restarts on what is durable), so the answer means: not sent before, never durable.
    /// </summary>
    public sealed record Barrier(object Token);

    public sealed record BarrierPassed(object Token);
}
