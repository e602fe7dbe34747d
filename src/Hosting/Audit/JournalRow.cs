using System.Data.Common;

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
    byte[] Payload)
{
    /// <summary>
    /// The row <paramref name="reader"/> is on, from a query selecting <c>ordering, created, persistence_id,
    /// sequence_number, tags, identifier, manifest, message</c> in that order (SQLite and PostgreSQL alike).
    /// </summary>
    internal static JournalRow Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        JournalTime.FromStored(reader.GetInt64(1)),
        reader.GetString(2),
        reader.GetInt64(3),
        reader.IsDBNull(4) ? [] : reader.GetString(4).Split(';', StringSplitOptions.RemoveEmptyEntries),
        reader.IsDBNull(5) ? 0 : reader.GetInt32(5),
        reader.IsDBNull(6) ? string.Empty : reader.GetString(6),
        reader.IsDBNull(7) ? [] : reader.GetFieldValue<byte[]>(7));
}
