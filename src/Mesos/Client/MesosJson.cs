using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ActorScheduler.Mesos.Client;

/// <summary>
/// JSON as a Mesos master (stout's codec) reads and writes it, where Google's JSON mapping is more lenient or writes
/// otherwise: on input only proto field names count (a camelCase key such as <c>refuseSeconds</c> is dropped, as the
/// master silently ignores it) and an enum is its name (a number is an error); on output 64-bit integers are JSON
/// numbers, not strings, and the text is compact.
/// </summary>
internal static class MesosJson
{
    // A key written twice is refused while parsing: JsonObject would otherwise throw ArgumentException on it later, when
    // first enumerated, past the decoder's error path.
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };

    /// <summary>The message as the master writes it.</summary>
    public static string Format(IMessage message)
    {
        var node = JsonNode.Parse(MesosCodec.JsonFormatter.Format(message))!;
        NumbersFor64BitFields(node, message.Descriptor);
        return node.ToJsonString();
    }

    /// <summary>The text with what the master would not read dropped (keys that are not proto field names).</summary>
    /// <exception cref="FormatException">An enum is written as a number, or the text is not JSON.</exception>
    public static string ForParser(string text, MessageDescriptor descriptor)
    {
        try
        {
            var node = JsonNode.Parse(text, documentOptions: DocumentOptions);
            if (node is JsonObject obj)
            {
                KeepProtoFields(obj, descriptor, descriptor.Name);
            }

            return node?.ToJsonString() ?? text;
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json's answer to an escape it cannot turn into a string ("\ud800" without its low surrogate),
            // thrown when the key or value is first read, not while parsing.
            throw new FormatException(e.Message, e);
        }
    }

    private static void KeepProtoFields(JsonObject obj, MessageDescriptor descriptor, string path)
    {
        foreach (var (key, value) in obj.ToList())
        {
            var field = descriptor.FindFieldByName(key);
            if (field is null)
            {
                obj.Remove(key);
                continue;
            }

            foreach (var item in Values(field, value))
            {
                if (field.FieldType == FieldType.Enum && item is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
                {
                    throw new FormatException($"'{path}.{key}': expected the name of a {field.EnumType.Name} value, found the number {v.ToJsonString()}");
                }

                if (field.FieldType == FieldType.Message && item is JsonObject child)
                {
                    KeepProtoFields(child, field.MessageType, $"{path}.{key}");
                }
            }
        }
    }

    private static void NumbersFor64BitFields(JsonNode node, MessageDescriptor descriptor)
    {
        if (node is not JsonObject obj)
        {
            return;
        }

        foreach (var (key, value) in obj.ToList())
        {
            if (descriptor.FindFieldByName(key) is not { } field)
            {
                continue;
            }

            if (field.FieldType == FieldType.Message)
            {
                foreach (var item in Values(field, value))
                {
                    NumbersFor64BitFields(item!, field.MessageType);
                }
            }
            else if (Is64Bit(field.FieldType) && !field.IsMap)
            {
                if (value is JsonArray array)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (AsNumber(array[i]) is { } number)
                        {
                            array[i] = number;
                        }
                    }
                }
                else if (AsNumber(value) is { } number)
                {
                    obj[key] = number;
                }
            }
        }
    }

    /// <summary>The values a field holds in JSON: the value, a list's items, or a map's values.</summary>
    private static IEnumerable<JsonNode?> Values(FieldDescriptor field, JsonNode? value)
    {
        if (field.IsMap && value is JsonObject map)
        {
            var valueField = field.MessageType.FindFieldByNumber(2);
            return valueField.FieldType == FieldType.Message ? map.Select(e => e.Value) : Array.Empty<JsonNode?>();
        }

        return value is JsonArray array ? array : new[] { value };
    }

    private static bool Is64Bit(FieldType type) =>
        type is FieldType.Int64 or FieldType.UInt64 or FieldType.SInt64 or FieldType.Fixed64 or FieldType.SFixed64;

    /// <summary>A 64-bit integer Google wrote as a string, as a JSON number; null when <paramref name="value"/> is none.</summary>
    private static JsonNode? AsNumber(JsonNode? value)
    {
        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        var text = v.GetValue<string>();
        return long.TryParse(text, out var signed) ? JsonValue.Create(signed)
            : ulong.TryParse(text, out var unsigned) ? JsonValue.Create(unsigned)
            : null;
    }
}
