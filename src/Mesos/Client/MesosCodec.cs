using System.Text;
using Google.Protobuf;

namespace ActorScheduler.Mesos.Client;

/// <summary>
/// Encodes and decodes Mesos v1 messages the way a Mesos master does: protobuf, or JSON with proto field
/// names (snake_case; Google's default camelCase is silently ignored by Mesos, and dropped on input here too), enums
/// as names (a number is refused), 64-bit integers as numbers, compact, and unknown fields ignored on input
/// (<see cref="MesosJson"/>).
/// </summary>
public static class MesosCodec
{
    public const string ProtobufMediaType = "application/x-protobuf";
    public const string JsonMediaType = "application/json";

    /// <summary>JSON writer with snake_case proto field names.</summary>
    public static JsonFormatter JsonFormatter { get; } =
        new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    /// <summary>JSON reader that ignores fields it does not know (newer Mesos versions add fields).</summary>
    public static JsonParser JsonParser { get; } =
        new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static string MediaType(MesosContentType contentType) =>
        contentType == MesosContentType.Json ? JsonMediaType : ProtobufMediaType;

    /// <summary>
    /// Maps a Content-Type header value to an encoding by exact string comparison, as the master does
    /// (<c>application/json; charset=utf-8</c> is not accepted).
    /// </summary>
    public static bool TryParseMediaType(string? mediaType, out MesosContentType contentType)
    {
        switch (mediaType)
        {
            case ProtobufMediaType:
                contentType = MesosContentType.Protobuf;
                return true;
            case JsonMediaType:
                contentType = MesosContentType.Json;
                return true;
            default:
                contentType = default;
                return false;
        }
    }

    public static byte[] Encode(IMessage message, MesosContentType contentType)
    {
        ArgumentNullException.ThrowIfNull(message);
        return contentType == MesosContentType.Json
            ? Encoding.UTF8.GetBytes(MesosJson.Format(message))
            : message.ToByteArray();
    }

    /// <exception cref="MesosDecodeException">The bytes are not a valid message in that encoding.</exception>
    public static T Decode<T>(ReadOnlySpan<byte> data, MesosContentType contentType)
        where T : IMessage<T>, new()
    {
        if (contentType == MesosContentType.Json)
        {
            try
            {
                var text = new UTF8Encoding(false, true).GetString(data);
                return JsonParser.Parse<T>(MesosJson.ForParser(text, new T().Descriptor));
            }
            catch (Exception e) when (e is DecoderFallbackException or InvalidJsonException or InvalidProtocolBufferException or FormatException)
            {
                throw new MesosDecodeException($"Failed to parse JSON into {typeof(T).Name}: {e.Message}", e);
            }
        }

        try
        {
            var parser = new MessageParser<T>(() => new T());
            return parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new MesosDecodeException($"Failed to parse protobuf into {typeof(T).Name}: {e.Message}", e);
        }
    }
}
