using System.Collections;
using System.Collections.Immutable;
using ActorScheduler.Specs.Templating;
using ActorScheduler.Specs.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ActorScheduler.Specs;

/// <summary>
/// Loads a service spec: reads the file, gathers template values (the defaults file beside it, then the
/// environment, then <c>-o</c> overrides), renders the mustache template, parses and validates the YAML. Every
/// problem is returned as a located <see cref="SpecError"/>; nothing throws for bad input.
/// </summary>
public static class ServiceSpecLoader
{
    public static SpecLoadResult LoadFile(
        string path,
        IReadOnlyDictionary<string, string>? overrides = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        string template;
        try
        {
            template = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message;
            return Failed(new SpecError(path, 1, 1, string.Empty, $"cannot read the spec: {reason}"));
        }

        var errors = new List<SpecError>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var defaults = ValuesFile.PathFor(path);
        if (File.Exists(defaults))
        {
            var (fileValues, fileErrors) = ValuesFile.Read(defaults);
            errors.AddRange(fileErrors);
            foreach (var (k, v) in fileValues)
            {
                values[k] = v;
            }
        }

        var env = environment ?? ProcessEnvironment();
        foreach (var (k, v) in env)
        {
            if (template.Contains(k, StringComparison.Ordinal))
            {
                values[k] = v;
            }
        }

        foreach (var (k, v) in overrides ?? new Dictionary<string, string>())
        {
            values[k] = v;
        }

        var (rendered, problems) = MustacheRenderer.Render(template, values);
        errors.AddRange(problems.Select(p => new SpecError(path, p.Line, p.Column, string.Empty, p.Message)));
        if (errors.Count > 0)
        {
            return new SpecLoadResult(null, errors.ToImmutableArray(), rendered);
        }

        return LoadRendered(rendered, path);
    }

    public static SpecLoadResult LoadRendered(string renderedYaml, string sourceName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(renderedYaml));
        }
        catch (YamlException e)
        {
            var message = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
            return Failed(new SpecError(sourceName, (int)e.Start.Line, (int)e.Start.Column, string.Empty, $"invalid YAML: {Clean(message)}"), renderedYaml);
        }

        if (stream.Documents.Count != 1)
        {
            return Failed(new SpecError(sourceName, 1, 1, string.Empty, $"expected exactly one YAML document, found {stream.Documents.Count}"), renderedYaml);
        }

        var reader = new SpecReader(sourceName);
        var spec = reader.Read(stream.Documents[0].RootNode);
        return new SpecLoadResult(reader.Errors.Count == 0 ? spec : null, reader.Errors.ToImmutableArray(), renderedYaml);
    }

    private static SpecLoadResult Failed(SpecError error, string? rendered = null) =>
        new(null, ImmutableArray.Create(error), rendered);

    private static string Clean(string message)
    {
        // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (Line: …): "; our location says it already.
        var marker = message.LastIndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && marker > 0 ? message[(marker + 3)..] : message;
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        return result;
    }
}
