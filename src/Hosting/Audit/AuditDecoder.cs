using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Serialization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Hosting.Audit;

/// <summary>
/// Turns journal rows into timeline entries with the protobuf types alone (no actor system): a row of the shared entity
/// journal (<see cref="EntityEventBatch"/>) into the events of the pods and steps packed in it, each under its own
/// stream; an offer cycle (<see cref="OfferCycleRecorded"/>) into one entry per offer decision and per pod it skipped
/// offers for, then one for what the cycle accepted and declined. A row or packed event it cannot decode (another serializer, a type a newer
/// version wrote, corrupt bytes) becomes an <see cref="AuditEntry.Undecodable"/> entry saying so, never an exception.
/// </summary>
internal static class AuditDecoder
{
    /// <summary>Adds the entries of <paramref name="row"/> to <paramref name="into"/>, in the order they were written.</summary>
    public static void Decode(JournalRow row, List<AuditEntry> into)
    {
        var stream = AuditStream.Of(row.PersistenceId);
        if (row.SerializerId != ActorSchedulerSerializer.SerializerId)
        {
            into.Add(Undecodable(row, null, stream, $"event '{row.Manifest}' written by serializer {row.SerializerId}, not actorscheduler's ({ActorSchedulerSerializer.SerializerId})"));
            return;
        }

        if (Parse(row.Manifest, row.Payload, out var @event) is { } problem)
        {
            into.Add(Undecodable(row, null, stream, problem));
            return;
        }

        switch (@event)
        {
            case EntityEventBatch batch:
                foreach (var packed in batch.Events)
                {
                    AddEntityEvent(row, packed, into);
                }

                break;
            case EntityEvent single:
                // Rows written before batches: one entity event a row.
                AddEntityEvent(row, single, into);
                break;
            case OfferCycleRecorded cycle:
                AddCycle(row, stream, cycle, into);
                break;
            case PodInstanceErased erased:
                // The pods guardian's record of a decommissioned pod: about that pod, for --pod.
                into.Add(new AuditEntry(row.Written, row.PersistenceId, row.SequenceNr, null, stream with { Pod = erased.PodInstance }, PodInstanceErased.Descriptor.Name, row.Tags, erased, AuditFacts.Of(erased)));
                break;
            default:
                into.Add(new AuditEntry(row.Written, row.PersistenceId, row.SequenceNr, null, stream, @event!.Descriptor.Name, row.Tags, @event, AuditFacts.Of(@event)));
                break;
        }
    }

    /// <summary>
    /// An event of one entity: under the entity's stream, with the row's tags that name the entity's pod or plan (a row
    /// carries the union of the tags of every entity in it). An event that replaces the entity's history is a snapshot of
    /// its state written to keep its replay short, not a decision: it is left out.
    /// </summary>
    private static void AddEntityEvent(JournalRow row, EntityEvent packed, List<AuditEntry> into)
    {
        if (packed.ReplacesHistory)
        {
            return;
        }

        var stream = AuditStream.Of(packed.Entity);
        var tags = row.Tags.Where(t => t == $"pod:{stream.Pod}" || t == $"plan:{stream.Plan}").ToList();
        if (packed.Event is null)
        {
            into.Add(Undecodable(row, packed.Entity, stream, "entity event with no event packed in it", tags));
            return;
        }

        var typeName = Any.GetTypeName(packed.Event.TypeUrl);
        if (Parse(typeName, packed.Event.Value.ToByteArray(), out var @event) is { } problem)
        {
            into.Add(Undecodable(row, packed.Entity, stream, problem, tags));
            return;
        }

        into.Add(new AuditEntry(row.Written, row.PersistenceId, row.SequenceNr, packed.Entity, stream, @event!.Descriptor.Name, tags, @event, AuditFacts.Of(@event)));
    }

    /// <summary>
    /// Each decision of the cycle, and each count of offers it did not evaluate in full for a pod (the only trace of a
    /// pod no offer could fit), under the router's stream about that pod; then the cycle's own entry with what it
    /// accepted and declined, if it recorded any.
    /// </summary>
    private static void AddCycle(JournalRow row, AuditStream stream, OfferCycleRecorded cycle, List<AuditEntry> into)
    {
        foreach (var decision in cycle.Decisions)
        {
            into.Add(new AuditEntry(row.Written, row.PersistenceId, row.SequenceNr, null, AuditStream.OfDecision(decision.PodInstance), OfferDecision.Descriptor.Name, row.Tags, decision, AuditFacts.Of(decision)));
        }

        foreach (var skipped in cycle.Skipped)
        {
            into.Add(new AuditEntry(row.Written, row.PersistenceId, row.SequenceNr, null, AuditStream.OfDecision(skipped.PodInstance), SkippedOffers.Descriptor.Name, row.Tags, skipped, AuditFacts.Of(skipped)));
        }

#pragma warning disable CS0612 // Records written before `declined` name their declined offers only in declined_offer_ids.
        if (cycle.AcceptedOfferIds.Count + cycle.Declined.Count + cycle.DeclinedOfferIds.Count == 0 && cycle.Decisions.Count + cycle.Skipped.Count > 0)
#pragma warning restore CS0612
        {
            return;
        }

        // The decisions and skips are entries of their own: the cycle's entry carries the rest.
        var rest = cycle.Clone();
        rest.Decisions.Clear();
        rest.Skipped.Clear();
        into.Add(new AuditEntry(row.Written, row.PersistenceId, row.SequenceNr, null, stream, OfferCycleRecorded.Descriptor.Name, row.Tags, rest, AuditFacts.Of(cycle)));
    }

    /// <summary>The event of type <paramref name="typeName"/> in <paramref name="bytes"/>; null, or why it cannot be read.</summary>
    private static string? Parse(string typeName, byte[] bytes, out IMessage? @event)
    {
        @event = null;
        if (ActorSchedulerSerializer.ParserOf(typeName) is not { } parser)
        {
            return $"event of unknown type '{typeName}' (written by a newer version of actorscheduler?)";
        }

        try
        {
            var parsed = parser.ParseFrom(bytes);
            if (OutOfRange(parsed) is { } field)
            {
                return $"{typeName} that cannot be decoded ({field} is out of range): its bytes are damaged";
            }

            @event = parsed;
            return null;
        }
        catch (InvalidProtocolBufferException e)
        {
            return $"{typeName} that cannot be decoded ({e.Message}): its bytes are damaged";
        }
    }

    /// <summary>
    /// The first Timestamp or Duration in <paramref name="message"/> that protobuf's own conversions refuse (seconds
    /// past year 9999, nanos of a second or more): damaged bytes that still parse, which showing the event as a date or
    /// as JSON would throw on. Null when there is none.
    /// </summary>
    private static string? OutOfRange(IMessage message)
    {
        switch (message)
        {
            case Timestamp t when t.Seconds is < -62_135_596_800 or > 253_402_300_799 || t.Nanos is < 0 or > 999_999_999:
                return Timestamp.Descriptor.Name;
            case Duration d when d.Seconds is < -315_576_000_000 or > 315_576_000_000 || d.Nanos is < -999_999_999 or > 999_999_999
                || (d.Seconds < 0 && d.Nanos > 0) || (d.Seconds > 0 && d.Nanos < 0):
                return Duration.Descriptor.Name;
        }

        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType != Google.Protobuf.Reflection.FieldType.Message)
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            var children = field.IsMap ? ((System.Collections.IDictionary)value).Values.OfType<IMessage>()
                : field.IsRepeated ? ((System.Collections.IEnumerable)value).OfType<IMessage>()
                : value is IMessage single ? [single] : [];
            foreach (var child in children)
            {
                if (OutOfRange(child) is { } inner)
                {
                    return $"{field.Name}: {inner}";
                }
            }
        }

        return null;
    }

    private static AuditEntry Undecodable(JournalRow row, string? entity, AuditStream stream, string why, IReadOnlyList<string>? tags = null) =>
        new(row.Written, row.PersistenceId, row.SequenceNr, entity, stream, AuditEntry.Undecodable, tags ?? row.Tags, null, why);
}
