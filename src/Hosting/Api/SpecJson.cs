using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorScheduler.Hosting.Api;

/// <summary>How the spec model is written as JSON (kebab-case keys and enums, like the YAML), for the CLI and the API.</summary>
public static class SpecJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}
