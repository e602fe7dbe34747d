using System.Text.Json;
using System.Text.Json.Serialization;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Hosting.Api;

/// <summary>How the spec model is written as JSON (kebab-case keys and enums, like the YAML), for the CLI and the API.</summary>
public static class SpecJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower), new PlacementRuleConverter() },
    };

    /// <summary>A placement rule is a tree of record types; it is written as the rule it reads as (<c>hostname:UNIQUE</c>).</summary>
    private sealed class PlacementRuleConverter : JsonConverter<PlacementRule>
    {
        public override bool CanConvert(Type typeToConvert) => typeof(PlacementRule).IsAssignableFrom(typeToConvert);

        public override PlacementRule Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("placement rules are read from the spec's YAML, not from JSON");

        public override void Write(Utf8JsonWriter writer, PlacementRule value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Describe());
    }
}
