using System.Runtime.Serialization;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Messages.Serialization;
using Akka.Actor;
using Akka.Configuration;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The clustered mode's configuration refuses to serialize a message of ours as JSON (the rule: wire messages and
/// persisted events are protobuf), keeps persisted events on protobuf, and leaves other types to Akka's JSON.
/// </summary>
public sealed class OurMessagesNotAsJsonTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create(
        "no-json",
        ConfigurationFactory.ParseString(SchedulerCluster.Hocon(new SchedulerClusterOptions { Port = 25520 }))
            .WithFallback(ConfigurationFactory.ParseString(ActorSchedulerSerializer.Hocon)));

    [Fact]
    public void A_query_of_ours_is_refused_with_a_message_that_says_why()
    {
        var query = new PlanProtocol.GetPlan("deploy");
        var serializer = _system.Serialization.FindSerializerFor(query);

        var refused = Assert.Throws<SerializationException>(() => serializer.ToBinary(query));

        Assert.Equal(
            "ActorScheduler.Messages.Plans.PlanProtocol+GetPlan would cross the cluster as JSON: ActorScheduler's wire messages and persisted events are protobuf only. "
            + "Bind it to the protobuf serializer, or keep it on its node (a standby node redirects its API to the active one).",
            refused.Message);
    }

    [Fact]
    public void Persisted_events_stay_protobuf_and_other_types_still_go_as_json()
    {
        foreach (var type in ActorSchedulerSerializer.BoundTypes)
        {
            Assert.IsType<ActorSchedulerSerializer>(_system.Serialization.FindSerializerForType(type));
        }

        var other = Tuple.Create("a", 1);
        var serializer = _system.Serialization.FindSerializerFor(other);
        Assert.IsType<OurMessagesNotAsJson>(serializer);
        Assert.Equal(other, serializer.FromBinary(serializer.ToBinary(other), other.GetType()));
    }

    public void Dispose() => _system.Dispose();
}
