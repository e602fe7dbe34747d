using System.Collections.Immutable;
using System.Text;

namespace ActorScheduler.Specs.Templating;

/// <summary>
/// Renders a parsed template with string values. Values are inserted raw (the output is YAML, not HTML). A section
/// renders when its value is "true" (any case); an inverted section renders otherwise, including when the value is
/// missing. A missing plain value is an error (strict mode; <c>missing</c> words its message, or lets it render empty
/// by answering null); all of them are reported, each where it is used.
/// </summary>
internal static class MustacheRenderer
{
    public static RenderedTemplate Render(
        MustacheTemplate template,
        IReadOnlyDictionary<string, string> values,
        string file,
        SpecErrorList errors,
        Func<string, string?>? missing = null)
    {
        var output = new StringBuilder(template.Text.Length);
        var map = new TemplateSourceMap(template.Text);
        var lines = new LineIndex(template.Text);
        RenderNodes(template.Nodes);
        return new RenderedTemplate(output.ToString(), map);

        void RenderNodes(ImmutableArray<TemplateNode> nodes)
        {
            foreach (var node in nodes)
            {
                switch (node)
                {
                    case TextNode text:
                        map.AddLiteral(output.Length, text.Offset);
                        output.Append(template.Text, text.Offset, text.Length);
                        break;
                    case VariableNode variable:
                        map.AddValue(output.Length, variable.Offset);
                        if (values.TryGetValue(variable.Name, out var value))
                        {
                            output.Append(value);
                        }
                        else if (missing is null)
                        {
                            errors.Add(file, lines.Locate(variable.Offset), "(template)",
                                $"no value for '{variable.Name}'; set it in the defaults file, the environment, " +
                                $"or with -o {variable.Name}=VALUE");
                        }
                        else if (missing(variable.Name) is { } message)
                        {
                            errors.Add(file, lines.Locate(variable.Offset), "(template)", message);
                        }

                        break;
                    case SectionNode section:
                        if (IsTrue(values, section.Name) != section.Inverted)
                        {
                            RenderNodes(section.Children);
                        }

                        break;
                }
            }
        }
    }

    // As DC/OS renders: "true" / "false" (any case) are booleans, every other value a string, and mustache shows a
    // section for true and for a non-empty string — so {{#VOLUME_PROFILE}} holds its lines when a profile is given.
    private static bool IsTrue(IReadOnlyDictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value) && value.Length > 0 && !string.Equals(value.Trim(), "false", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The rendered text and how to map its offsets back to the template.</summary>
internal sealed record RenderedTemplate(string Text, ISourceLocator Locator);

/// <summary>
/// Records, for each run of rendered output, where it came from: literal runs map character by character to the
/// template; an inserted value maps to the start of its tag.
/// </summary>
internal sealed class TemplateSourceMap(string template) : ISourceLocator
{
    private readonly LineIndex _templateLines = new(template);
    private readonly List<Chunk> _chunks = [];

    public void AddLiteral(int renderedOffset, int templateOffset) => _chunks.Add(new Chunk(renderedOffset, templateOffset, true));

    public void AddValue(int renderedOffset, int tagOffset) => _chunks.Add(new Chunk(renderedOffset, tagOffset, false));

    public SourcePosition Locate(long offset)
    {
        // Last chunk starting at or before the offset; among equal starts the last one (an empty value is followed by text).
        int lo = 0, hi = _chunks.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (_chunks[mid].RenderedOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (found < 0)
        {
            return _templateLines.Locate(0);
        }

        var chunk = _chunks[found];
        var templateOffset = chunk.IsLiteral ? chunk.TemplateOffset + (offset - chunk.RenderedOffset) : chunk.TemplateOffset;
        return _templateLines.Locate(templateOffset);
    }

    private readonly record struct Chunk(int RenderedOffset, int TemplateOffset, bool IsLiteral);
}
