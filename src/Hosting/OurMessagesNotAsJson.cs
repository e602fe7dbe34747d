using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorScheduler.Hosting;

/// <summary>
/// The clustered mode's guard of the rule that our wire messages and persisted events are protobuf, never the default
/// JSON serializer: bound to <c>System.Object</c> in place of Akka's JSON serializer, it refuses a type of ours (an
/// ActorScheduler assembly's) with a message that says so, and leaves every other type to the JSON serializer as before.
/// Persisted events keep their protobuf binding (a binding to a more specific type wins), and a standby node redirects its
/// API rather than sending queries to the active node, so nothing of ours reaches it.
/// </summary>
internal sealed class OurMessagesNotAsJson(ExtendedActorSystem system) : Serializer(system)
{
    /// <summary>Its name in <c>akka.actor.serializers</c>.</summary>
    internal const string Name = "actorscheduler-no-json";

    private const int SerializerId = 1_740_312;

    private readonly NewtonSoftJsonSerializer _json = new(system);

    /// <summary>HOCON that puts the guard in the JSON serializer's place.</summary>
    internal static string Hocon { get; } = $$"""
        akka.actor {
          serializers { {{Name}} = "{{typeof(OurMessagesNotAsJson).FullName}}, {{typeof(OurMessagesNotAsJson).Assembly.GetName().Name}}" }
          serialization-identifiers { "{{typeof(OurMessagesNotAsJson).FullName}}, {{typeof(OurMessagesNotAsJson).Assembly.GetName().Name}}" = {{SerializerId}} }
          serialization-bindings { "System.Object" = {{Name}} }
        }
        """;

    public override int Identifier => SerializerId;

    public override bool IncludeManifest => _json.IncludeManifest;

    public override byte[] ToBinary(object obj)
    {
        Refuse(obj.GetType());
        return _json.ToBinary(obj);
    }

    public override object FromBinary(byte[] bytes, Type type)
    {
        var value = _json.FromBinary(bytes, type);
        Refuse(value.GetType());
        return value;
    }

    /// <summary>Whether <paramref name="type"/> is one of ours: declared in an ActorScheduler assembly.</summary>
    internal static bool IsOurs(Type type) => type.Assembly.GetName().Name?.StartsWith("ActorScheduler.", StringComparison.Ordinal) == true;

    private static void Refuse(Type type)
    {
        if (IsOurs(type))
        {
            throw new SerializationException(
                $"{type.FullName} would cross the cluster as JSON: ActorScheduler's wire messages and persisted events are protobuf only. "
                + "Bind it to the protobuf serializer, or keep it on its node (a standby node redirects its API to the active one).");
        }
    }
}
