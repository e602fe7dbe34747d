using System.Text.Json;

namespace ActorScheduler.Hosting.Api;

/// <summary>
/// A request body parsed as JSON with every string in it readable. System.Text.Json parses <c>"\ud800"</c> (a high
/// surrogate without its low one) without complaint and throws <see cref="InvalidOperationException"/> only when the
/// string is read — in the middle of an endpoint, past its <see cref="JsonException"/> handling, as a 500. Here it is a
/// <see cref="JsonException"/> at once, which each endpoint already answers with a 400 saying what it expected.
/// </summary>
internal static class JsonBody
{
    /// <exception cref="JsonException">The text is not JSON, or holds a string that cannot be read.</exception>
    public static JsonDocument Parse(string text) => Readable(JsonDocument.Parse(text));

    /// <exception cref="JsonException">The body is not JSON, or holds a string that cannot be read.</exception>
    public static async Task<JsonDocument> ParseAsync(Stream body) => Readable(await JsonDocument.ParseAsync(body).ConfigureAwait(false));

    private static JsonDocument Readable(JsonDocument document)
    {
        try
        {
            ReadStrings(document.RootElement);
            return document;
        }
        catch (InvalidOperationException e)
        {
            document.Dispose();
            throw new JsonException(e.Message, e);
        }
    }

    private static void ReadStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    ReadStrings(item);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    ReadStrings(property.Value);
                }

                break;
        }
    }
}
