using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ActorScheduler.Messages.Serialization;

/// <summary>
/// A protobuf message already written out: <see cref="ActorSchedulerSerializer"/> stores <see cref="Bytes"/> as they are,
/// under the proto full name of <see cref="Descriptor"/>, so a journal hands it back as that message. The entity journal
/// writes its rows this way: each event is written once, into its row's array, and the journal keeps slices of that
/// array as the entities' histories, where building the row as a message would copy every event's bytes a second time.
/// </summary>
/// <param name="descriptor">The message type the bytes encode.</param>
/// <param name="bytes">The encoded message, whole: the array is not copied, so it must not change after.</param>
public sealed class EncodedMessage(MessageDescriptor descriptor, byte[] bytes)
{
    public MessageDescriptor Descriptor { get; } = descriptor;

    public byte[] Bytes { get; } = bytes;

    /// <summary>The message the bytes encode.</summary>
    public IMessage Decode() => Descriptor.Parser.ParseFrom(Bytes);
}
