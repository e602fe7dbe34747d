using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace ActorScheduler.Specs.Tests.Schema;

/// <summary>The repository's <c>schema/svc.schema.json</c>, loaded once, and a helper that validates YAML against it.</summary>
internal static class SpecSchema
{
    public const string RelativePath = "schema/svc.schema.json";

    private static readonly Lazy<string> _text = new(() => File.ReadAllText(RepositoryFiles.Find(RelativePath)));
    private static readonly Lazy<JsonSchema> _schema = new(() => JsonSchema.FromText(_text.Value));

    /// <summary>The schema document as a JSON tree, for tests that inspect it.</summary>
    public static JsonObject Document => JsonNode.Parse(_text.Value)!.AsObject();

    public static JsonSchema Schema => _schema.Value;

    /// <summary>Validates <paramref name="yaml"/> (converted with the YAML 1.2 core schema); returns the errors, none when valid.</summary>
    public static IReadOnlyList<SchemaError> Validate(string yaml)
    {
        var instance = JsonSerializer.SerializeToElement(YamlJson.Convert(yaml));
        var results = Schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        var errors = new List<SchemaError>();
        Collect(results, errors);
        return errors;
    }

    /// <summary>
    /// Errors of the failed branches only: a valid node's children may hold failures that do not count (the subschema
    /// of a 'not', an 'if' that chose 'else', the other branches of an 'anyOf').
    /// </summary>
    private static void Collect(EvaluationResults node, List<SchemaError> errors)
    {
        if (node.IsValid)
        {
            return;
        }

        foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
        {
            errors.Add(new SchemaError(node.InstanceLocation.ToString(), node.EvaluationPath.ToString(), keyword, message));
        }

        foreach (var child in node.Details ?? [])
        {
            Collect(child, errors);
        }

        // JsonSchema.Net gives a failed 'not' no message of its own: report the node that failed it.
        if (node.Errors is not { Count: > 0 } && (node.Details ?? []).All(d => d.IsValid))
        {
            errors.Add(new SchemaError(node.InstanceLocation.ToString(), node.EvaluationPath.ToString(), "not", "matches a combination the schema forbids"));
        }
    }
}

/// <summary>One failed schema keyword: where in the instance, where in the schema, and why.</summary>
internal sealed record SchemaError(string InstanceLocation, string EvaluationPath, string Keyword, string Message)
{
    public override string ToString() => $"{InstanceLocation} ({EvaluationPath}) {Keyword}: {Message}";
}
