using System.Text.Json.Nodes;
using ActorScheduler.Mesos.Client;
using Google.Protobuf;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>Embeds protobuf messages as readable JSON nodes in checkpoint documents.</summary>
internal static class ProtoJson
{
    public static JsonNode ToNode(IMessage message) =>
        JsonNode.Parse(MesosCodec.JsonFormatter.Format(message))!;

    public static T FromNode<T>(JsonNode node)
        where T : IMessage<T>, new() =>
        MesosCodec.JsonParser.Parse<T>(node.ToJsonString());
}
