using Google.Protobuf;

namespace ActorScheduler.Mesos.Client;

/// <summary>The two encodings of the scheduler API, with Mesos's JSON rules (snake_case, enum names, unknown fields ignored).</summary>
public enum MesosContentType
{
    Protobuf,
    Json,
}

public static class MesosCodec
{
    public const string ProtobufMediaType = "application/x-protobuf";
    public const string JsonMediaType = "application/json";

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static string MediaType(MesosContentType type) => type == MesosContentType.Json ? JsonMediaType : ProtobufMediaType;

    public static byte[] Encode(IMessage message, MesosContentType type) => type == MesosContentType.Json
        ? Compact(Formatter.Format(message))
        : message.ToByteArray();

    /// <summary>Mesos writes compact JSON; Google.Protobuf's formatter puts spaces after ':' and ','.</summary>
    private static byte[] Compact(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.WriteTo(writer);
        }

        return buffer.ToArray();
    }

    public static T Decode<T>(byte[] bytes, MesosContentType type)
        where T : IMessage<T>, new() => type == MesosContentType.Json
        ? Parser.Parse<T>(System.Text.Encoding.UTF8.GetString(bytes))
        : new MessageParser<T>(() => new T()).ParseFrom(bytes);
}
