using System.Collections.Immutable;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Templating;
using ActorScheduler.Specs.Yaml;

namespace ActorScheduler.Specs;

/// <summary>
/// Loads service specs: reads the file and its defaults file, merges values, renders the mustache template, parses the
/// YAML and validates it into a <see cref="ServiceSpec"/>. Bad input never throws: every problem found comes back in
/// <see cref="SpecLoadResult.Errors"/>, located in the file the operator edits.
/// </summary>
public static class ServiceSpecLoader
{
    /// <summary>
    /// Scheduler environment variable naming the region the service is pinned to (DC/OS <c>SERVICE_REGION</c>); unset or
    /// blank leaves <see cref="ServiceSpec.Region"/> null, the local region.
    /// </summary>
    public const string RegionVariable = "SERVICE_REGION";

    /// <summary>
    /// Loads <paramref name="path"/>. Template values, lowest precedence first: the defaults file beside the spec
    /// (<c>dir/svc.yml</c> → <c>dir/svc.env</c>; optional), environment variables the template references, then
    /// <paramref name="overrides"/> (<c>-o KEY=VALUE</c>). <c>TASKCFG_*</c> environment variables are then routed into
    /// task environments (<see cref="TaskEnvRouter"/>).
    /// </summary>
    /// <param name="environment">Environment variables to use; null reads the process environment.</param>
    public static SpecLoadResult LoadFile(
        string path,
        IReadOnlyDictionary<string, string>? overrides = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var errors = new SpecErrorList();
        var text = TryRead(path, errors, required: true);
        var defaultsPath = DefaultsFile.PathFor(path);
        var defaultsText = TryRead(defaultsPath, errors, required: false);
        if (text is null)
        {
            return Failed(errors, null);
        }

        ImmutableDictionary<string, string> defaults = defaultsText is null ? [] : DefaultsFile.Parse(defaultsText, defaultsPath, errors);
        var template = MustacheParser.Parse(text, path, errors);
        if (errors.HasErrors)
        {
            return Failed(errors, null);
        }

        var values = TemplateValues.Merge(defaults, template.ReferencedNames, environment, overrides);
        var rendered = MustacheRenderer.Render(template, values, path, errors);
        if (errors.HasErrors)
        {
            return Failed(errors, null);
        }

        var captured = TaskEnvRouter.Capture(environment ?? ProcessEnvironment());
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var result = Parse(rendered.Text, rendered.Locator, path, errors, baseDirectory);
        return result.Spec is null
            ? result
            : result with
            {
                Spec = TaskEnvRouter.ApplyCaptured(result.Spec, captured),
                SchedulerEnvironment = captured,
                ConfigTemplates = ReadConfigTemplates(result.Spec, baseDirectory),
            };
    }

    /// <summary>The text of each task config template of <paramref name="spec"/> (the mapper checked that the files exist).</summary>
    private static ImmutableSortedDictionary<string, string> ReadConfigTemplates(ServiceSpec spec, string baseDirectory)
    {
        var templates = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var template in spec.Pods.SelectMany(p => p.Tasks).SelectMany(t => t.Configs).Select(c => c.Template).Distinct(StringComparer.Ordinal))
        {
            try
            {
                templates[template] = File.ReadAllText(Path.Combine(baseDirectory, template));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone since the mapper looked: served as not stored.
            }
        }

        return templates.ToImmutable();
    }

    private static IEnumerable<KeyValuePair<string, string>> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Select(key => new KeyValuePair<string, string>(key, Environment.GetEnvironmentVariable(key) ?? ""));

    /// <summary>Loads already-rendered YAML (e.g. a stored config being replayed); no mustache, no values.</summary>
    /// <param name="sourceName">Shown as the file in errors, e.g. <c>config 3f2a…</c>.</param>
    /// <param name="schedulerEnvironment">The captured <see cref="SpecLoadResult.SchedulerEnvironment"/> stored with the text.</param>
    public static SpecLoadResult LoadRendered(string renderedYaml, string sourceName, IReadOnlyDictionary<string, string>? schedulerEnvironment = null)
    {
        var result = Parse(renderedYaml, new IdentityLocator(renderedYaml), sourceName, new SpecErrorList());
        if (result.Spec is null || schedulerEnvironment is null || schedulerEnvironment.Count == 0)
        {
            return result;
        }

        var captured = TaskEnvRouter.Capture(schedulerEnvironment);
        return result with { Spec = TaskEnvRouter.ApplyCaptured(result.Spec, captured), SchedulerEnvironment = captured };
    }

    private static SpecLoadResult Parse(string renderedText, ISourceLocator locator, string file, SpecErrorList errors, string? baseDirectory = null)
    {
        var root = YamlTreeReader.Read(renderedText, locator, file, errors);
        if (errors.HasErrors)
        {
            return Failed(errors, renderedText);
        }

        var spec = ServiceSpecMapper.Map(root, new MappingContext(file, errors, baseDirectory));
        return errors.HasErrors || spec is null
            ? Failed(errors, renderedText)
            : new SpecLoadResult(spec, [], renderedText) { Source = (file, root!) };
    }

    private static SpecLoadResult Failed(SpecErrorList errors, string? renderedText) =>
        new(null, errors.ToImmutable(), renderedText);

    private static string? TryRead(string path, SpecErrorList errors, bool required)
    {
        try
        {
            if (!File.Exists(path))
            {
                if (required)
                {
                    var what = Directory.Exists(path) ? "is a directory, not a spec file" : "does not exist";
                    errors.Add(path, SourcePosition.Start, "(file)", $"cannot read the spec: the file {what}");
                }

                return null;
            }

            var text = SourceFile.Decode(File.ReadAllBytes(path), out var invalidAt, out var invalidByte);
            if (text is null)
            {
                errors.Add(path, invalidAt, "(file)", $"the file is not UTF-8 text (byte 0x{invalidByte:X2} here); save it as UTF-8");
            }

            return text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors.Add(path, SourcePosition.Start, "(file)", $"cannot read the file: {e.Message}");
            return null;
        }
    }
}
