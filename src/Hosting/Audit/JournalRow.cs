namespace ActorScheduler.Hosting.Audit;

/// <summary>
/// One row of the journal plugin's <c>journal</c> table as it is stored: the stream and position, when it was written,
/// its tags (CSV mode: <c>;tag;tag;</c>) and the serialized event with the serializer and manifest that wrote it.
/// </summary>
internal sealed record JournalRow(
    long Ordering,
    DateTime Written,
    string PersistenceId,
    long SequenceNr,
    IReadOnlyList<string> Tags,
    int SerializerId,
    string Manifest,
    byte[] Payload);
