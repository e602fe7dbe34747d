using Google.Protobuf;

namespace ActorScheduler.Hosting.Audit;

/// <summary>
/// One event of the timeline: when its journal row was written, the row (stream and sequence number), for an event of
/// the shared entity journal the entity it belongs to, what it is about (<see cref="AuditStream"/>), its kind (the
/// event's message name) and tags, the decoded event, and its key facts in words. An event that could not be decoded
/// has no <see cref="Event"/> and says why in <see cref="Facts"/>.
/// </summary>
internal sealed record AuditEntry(
    DateTime Time,
    string PersistenceId,
    long SequenceNr,
    string? Entity,
    AuditStream Stream,
    string Kind,
    IReadOnlyList<string> Tags,
    IMessage? Event,
    string Facts)
{
    /// <summary>The kind of an event that could not be decoded (unknown serializer or type, corrupt bytes).</summary>
    public const string Undecodable = "undecodable";
}
