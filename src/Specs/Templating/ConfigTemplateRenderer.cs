using System.Collections.Immutable;

namespace ActorScheduler.Specs.Templating;

/// <summary>
/// Renders a task's config template with the task's environment (the <c>bootstrap</c> command), with the renderer of
/// service specs: the same mustache subset, values inserted as they are (no HTML escaping).
/// </summary>
public static class ConfigTemplateRenderer
{
    /// <summary>
    /// The rendered text, or null with every error (file:line:column). A plain value the environment lacks is an
    /// error, as the DC/OS SDK's test runner renders templates, unless <paramref name="allowMissing"/> (then it renders
    /// empty, as DC/OS's bootstrap does); sections of missing values are simply false.
    /// </summary>
    public static (string? Text, ImmutableArray<SpecError> Errors) Render(string text, string file, IReadOnlyDictionary<string, string> environment, bool allowMissing = false)
    {
        var errors = new SpecErrorList();
        var template = MustacheParser.Parse(text, file, errors);
        if (errors.HasErrors)
        {
            return (null, errors.ToImmutable());
        }

        var rendered = MustacheRenderer.Render(template, environment, file, errors,
            name => allowMissing ? null : $"no value for '{name}': the task's environment has no such variable");
        return errors.HasErrors ? (null, errors.ToImmutable()) : (rendered.Text, []);
    }
}
