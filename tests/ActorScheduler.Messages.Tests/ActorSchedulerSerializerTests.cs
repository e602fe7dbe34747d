using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Messages.Tests;

public sealed class ActorSchedulerSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-tests", ConfigurationFactory.ParseString(ActorSchedulerSerializer.Hocon));

    public void Dispose() => _system.Dispose();

    public static TheoryData<string> EventTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in ActorSchedulerSerializer.BoundTypes)
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Every_event_type_is_bound_to_our_serializer_and_round_trips(string typeName)
    {
        var type = ActorSchedulerSerializer.BoundTypes.Single(t => t.FullName == typeName);
        var message = (IMessage)Activator.CreateInstance(type)!;

        var serializer = _system.Serialization.FindSerializerFor(message);

        var withManifest = Assert.IsType<ActorSchedulerSerializer>(serializer);
        Assert.Equal(ActorSchedulerSerializer.SerializerId, serializer.Identifier);
        var manifest = withManifest.Manifest(message);
        Assert.Equal(message.Descriptor.FullName, manifest);
        Assert.Equal(message, withManifest.FromBinary(withManifest.ToBinary(message), manifest));
    }

    [Fact]
    public void An_entity_event_carries_its_packed_event_through_the_serializer()
    {
        var inner = new TaskFailureSeen { TaskName = "hello-0-server", At = Timestamp.FromDateTime(new DateTime(2026, 12, 4, 0, 0, 0, DateTimeKind.Utc)) };
        var envelope = new EntityEvent { Entity = "svc/pod/hello-0", Event = Any.Pack(inner) };
        var serializer = (ActorSchedulerSerializer)_system.Serialization.FindSerializerFor(envelope);

        var back = (EntityEvent)serializer.FromBinary(serializer.ToBinary(envelope), serializer.Manifest(envelope));

        Assert.Equal("svc/pod/hello-0", back.Entity);
        Assert.Equal(inner, back.Event.Unpack<TaskFailureSeen>());
    }

    [Fact]
    public void An_encoded_message_goes_out_as_its_bytes_and_reads_back_as_its_message()
    {
        var batch = new EntityEventBatch { Events = { new EntityEvent { Entity = "svc/pod/hello-0", Event = Any.Pack(new TaskFailureSeen { TaskName = "t" }) } } };
        var encoded = new EncodedMessage(EntityEventBatch.Descriptor, batch.ToByteArray());

        var serializer = Assert.IsType<ActorSchedulerSerializer>(_system.Serialization.FindSerializerFor(encoded));

        Assert.Equal(EntityEventBatch.Descriptor.FullName, serializer.Manifest(encoded));
        Assert.Same(encoded.Bytes, serializer.ToBinary(encoded));
        Assert.Equal(batch, serializer.FromBinary(serializer.ToBinary(encoded), serializer.Manifest(encoded)));
        Assert.Equal(batch, encoded.Decode());
    }

    [Fact]
    public void An_unknown_manifest_is_refused_with_its_name()
    {
        var serializer = (ActorSchedulerSerializer)_system.Serialization.FindSerializerFor(new EntityEvent());
        var error = Assert.ThrowsAny<Exception>(() => serializer.FromBinary([], "actorscheduler.v1.NoSuchEvent"));
        Assert.Contains("actorscheduler.v1.NoSuchEvent", error.Message);
    }
}
