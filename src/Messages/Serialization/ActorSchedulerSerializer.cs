using System.Collections.Frozen;
using System.Runtime.Serialization;
using ActorScheduler.Messages.Events;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;

namespace ActorScheduler.Messages.Serialization;

/// <summary>
/// Serializes every persisted event (the messages of <c>events.proto</c>) as protobuf. The manifest is the proto
/// full name, so CLR renames never break a journal. An <see cref="EncodedMessage"/> goes out as the bytes it holds,
/// under its message's name, and is read back as that message.
/// </summary>
public sealed class ActorSchedulerSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer's name in HOCON. Not "proto": Akka.Remote already owns that name.</summary>
    public const string Name = "actor-scheduler";

    /// <summary>Fixed forever: journals store it.</summary>
    public const int SerializerId = 4100;

    private static readonly FrozenDictionary<string, MessageParser> Parsers =
        EventsReflection.Descriptor.MessageTypes.ToFrozenDictionary(d => d.FullName, d => d.Parser);

    public ActorSchedulerSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>Every CLR type this serializer is bound to.</summary>
    public static IReadOnlyList<Type> BoundTypes { get; } =
        EventsReflection.Descriptor.MessageTypes.Select(d => d.ClrType).ToArray();

    public override int Identifier => SerializerId;

    /// <summary>HOCON registering the serializer and binding every event type to it.</summary>
    public static string Hocon
    {
        get
        {
            var bindings = string.Join(
                "\n",
                BoundTypes.Append(typeof(EncodedMessage)).Select(t => $"      \"{t.FullName}, {t.Assembly.GetName().Name}\" = {Name}"));
            return $$"""
                akka.actor {
                  serializers { {{Name}} = "{{typeof(ActorSchedulerSerializer).FullName}}, {{typeof(ActorSchedulerSerializer).Assembly.GetName().Name}}" }
                  serialization-identifiers { "{{typeof(ActorSchedulerSerializer).FullName}}, {{typeof(ActorSchedulerSerializer).Assembly.GetName().Name}}" = {{SerializerId}} }
                  serialization-bindings {
                {{bindings}}
                  }
                }
                """;
        }
    }

    public override string Manifest(object o) => o switch
    {
        IMessage message => message.Descriptor.FullName,
        EncodedMessage encoded => encoded.Descriptor.FullName,
        _ => throw new ArgumentException($"Cannot serialize object of type [{o.GetType()}]: not a protobuf message"),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        IMessage message => message.ToByteArray(),
        EncodedMessage encoded => encoded.Bytes,
        _ => throw new ArgumentException($"Cannot serialize object of type [{obj.GetType()}]: not a protobuf message"),
    };

    /// <summary>The parser of the event whose proto full name is <paramref name="manifest"/>, or null if there is none.</summary>
    public static MessageParser? ParserOf(string manifest) => Parsers.GetValueOrDefault(manifest);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Parsers.TryGetValue(manifest, out var parser)
            ? parser.ParseFrom(bytes)
            : throw new SerializationException($"unknown event type {manifest} (written by a newer version of actorscheduler?)");
}
