using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActorScheduler.Specs.Yaml;
using Json.Schema;

namespace ActorScheduler.Specs.Tests.Schema;

/// <summary>
/// The schema and the loader cannot drift: each kind of mapping declares in the schema exactly the keys the loader
/// accepts (<see cref="SpecKeys"/>), and the schema itself is a well-formed, documented draft-07 schema.
/// </summary>
public sealed class SchemaKeysTests
{
    /// <summary>SpecKeys field → where the schema declares that mapping ("" is the top level, else a definition).</summary>
    private static readonly ImmutableDictionary<string, string> _schemaLocations = new Dictionary<string, string>
    {
        [nameof(SpecKeys.Top)] = "",
        [nameof(SpecKeys.Scheduler)] = "scheduler",
        [nameof(SpecKeys.Pod)] = "pod",
        [nameof(SpecKeys.Task)] = "task",
        [nameof(SpecKeys.ResourceSet)] = "resourceSet",
        [nameof(SpecKeys.ResourceLimits)] = "resourceLimits",
        [nameof(SpecKeys.Port)] = "port",
        [nameof(SpecKeys.Vip)] = "vip",
        [nameof(SpecKeys.Range)] = "portRange",
        [nameof(SpecKeys.Volume)] = "volume",
        [nameof(SpecKeys.HealthCheck)] = "healthCheck",
        [nameof(SpecKeys.ReadinessCheck)] = "readinessCheck",
        [nameof(SpecKeys.Discovery)] = "discovery",
        [nameof(SpecKeys.Network)] = "network",
        [nameof(SpecKeys.Rlimit)] = "rlimit",
        [nameof(SpecKeys.HostVolume)] = "hostVolume",
        [nameof(SpecKeys.ExternalVolume)] = "externalVolume",
        [nameof(SpecKeys.Secret)] = "secret",
        [nameof(SpecKeys.TransportEncryption)] = "transportEncryption",
        [nameof(SpecKeys.Config)] = "config",
        [nameof(SpecKeys.Plan)] = "plan",
        [nameof(SpecKeys.Phase)] = "phase",
    }.ToImmutableDictionary();

    /// <summary>Key lists that are parts of another kind (the task's), checked by their own test.</summary>
    private static readonly ImmutableHashSet<string> _parts = [nameof(SpecKeys.TaskOwn), nameof(SpecKeys.Resource)];

    public static TheoryData<string> Kinds() => [.. _schemaLocations.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Schema_properties_should_equal_the_loader_keys(string kind)
    {
        var loaderKeys = KeysOf(kind);
        var schemaKeys = PropertyNames(Mapping(_schemaLocations[kind]));

        Assert.True(loaderKeys.SetEquals(schemaKeys),
            $"{kind}: only in the loader: [{string.Join(", ", loaderKeys.Except(schemaKeys))}]; " +
            $"only in the schema: [{string.Join(", ", schemaKeys.Except(loaderKeys))}]");
    }

    [Fact]
    public void Every_key_list_of_the_loader_should_be_compared_with_the_schema()
    {
        var fields = typeof(SpecKeys).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ImmutableArray<string>))
            .Select(f => f.Name)
            .ToHashSet();

        Assert.Equal(fields.Order(StringComparer.Ordinal), _schemaLocations.Keys.Concat(_parts).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_closed_mapping_of_the_schema_should_be_compared_with_the_loader()
    {
        var closed = SpecSchema.Document["definitions"]!.AsObject()
            .Where(d => d.Value is JsonObject o && o["properties"] is not null && o["additionalProperties"]?.GetValueKind() == JsonValueKind.False)
            .Select(d => d.Key);

        Assert.Equal(closed.Order(StringComparer.Ordinal), _schemaLocations.Values.Where(v => v.Length > 0).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.False, SpecSchema.Document["additionalProperties"]!.GetValueKind());
    }

    [Fact]
    public void Task_keys_should_be_its_own_keys_then_the_resource_keys()
    {
        Assert.Equal(SpecKeys.TaskOwn.Concat(SpecKeys.Resource).ToArray(), SpecKeys.Task.ToArray());
        Assert.Equal(SpecKeys.Resource.ToArray(), SpecKeys.ResourceSet.ToArray());
    }

    [Fact]
    public void Schema_should_forbid_exactly_the_resource_keys_on_a_task_with_a_resource_set()
    {
        var rule = Mapping("task")["allOf"]!.AsArray()
            .Select(r => r!.AsObject())
            .Single(r => r["if"]?["required"]?.AsArray().Select(n => (string)n!).SequenceEqual(["resource-set"]) == true);
        var forbidden = rule["then"]!["properties"]!.AsObject();

        Assert.All(forbidden, p => Assert.Equal(JsonValueKind.False, p.Value!.GetValueKind()));
        Assert.Equal(SpecKeys.Resource.Order(StringComparer.Ordinal), forbidden.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["cpus", "memory"], rule["else"]!["required"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void Schema_should_be_a_valid_draft_07_schema_with_id_and_title()
    {
        var document = SpecSchema.Document;
        var result = MetaSchemas.Draft7.Evaluate(JsonSerializer.SerializeToElement(document), new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join(Environment.NewLine, (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        Assert.Equal("http://json-schema.org/draft-07/schema#", (string?)document["$schema"]);
        Assert.Equal("https://actorscheduler.dev/schema/svc.schema.json", (string?)document["$id"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)document["title"]));
        Assert.Contains("RENDERED", (string?)document["description"], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_property_and_definition_should_have_a_description()
    {
        var missing = new List<string>();
        foreach (var (location, property) in Properties(SpecSchema.Document, "#"))
        {
            if (property is not JsonObject schema || string.IsNullOrWhiteSpace((string?)schema["description"]))
            {
                missing.Add(location);
            }
        }

        foreach (var (name, definition) in SpecSchema.Document["definitions"]!.AsObject())
        {
            if (string.IsNullOrWhiteSpace((string?)definition!["description"]))
            {
                missing.Add("#/definitions/" + name);
            }
        }

        Assert.Empty(missing);
    }

    private static ImmutableHashSet<string> KeysOf(string kind) =>
        [.. (ImmutableArray<string>)typeof(SpecKeys).GetField(kind, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!];

    private static JsonObject Mapping(string definition) =>
        definition.Length == 0 ? SpecSchema.Document : SpecSchema.Document["definitions"]![definition]!.AsObject();

    private static ImmutableHashSet<string> PropertyNames(JsonObject mapping) =>
        [.. mapping["properties"]!.AsObject().Select(p => p.Key)];

    /// <summary>The declared keys of the top level and of each definition (not the helper schemas inside rules).</summary>
    private static IEnumerable<(string Location, JsonNode? Schema)> Properties(JsonObject document, string location)
    {
        var mappings = new[] { (location, document) }
            .Concat(document["definitions"]!.AsObject().Select(d => ($"{location}/definitions/{d.Key}", d.Value!.AsObject())));
        foreach (var (at, mapping) in mappings)
        {
            foreach (var (name, schema) in mapping["properties"]?.AsObject() ?? [])
            {
                yield return ($"{at}/properties/{name}", schema);
            }
        }
    }
}
