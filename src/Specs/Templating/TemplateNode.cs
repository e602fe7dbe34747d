using System.Collections.Immutable;

namespace ActorScheduler.Specs.Templating;

/// <summary>A piece of a parsed mustache template. Offsets point into the template text.</summary>
internal abstract record TemplateNode(int Offset);

/// <summary>Literal text copied as is.</summary>
internal sealed record TextNode(int Offset, int Length) : TemplateNode(Offset);

/// <summary><c>{{X}}</c>, <c>{{{X}}}</c> or <c>{{&amp;X}}</c>: replaced by the value, never escaped (we render YAML, not HTML).</summary>
internal sealed record VariableNode(int Offset, string Name) : TemplateNode(Offset);

/// <summary><c>{{#X}}…{{/X}}</c> (rendered when X is "true") or, inverted, <c>{{^X}}…{{/X}}</c> (rendered otherwise).</summary>
internal sealed record SectionNode(int Offset, string Name, bool Inverted, ImmutableArray<TemplateNode> Children)
    : TemplateNode(Offset);

/// <summary>A parsed template: its nodes and the names it references.</summary>
internal sealed record MustacheTemplate(string Text, ImmutableArray<TemplateNode> Nodes)
{
    /// <summary>Every variable and section name used, in order of first use.</summary>
    public ImmutableArray<string> ReferencedNames { get; } = CollectNames(Nodes);

    private static ImmutableArray<string> CollectNames(ImmutableArray<TemplateNode> nodes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = ImmutableArray.CreateBuilder<string>();
        Visit(nodes);
        return names.ToImmutable();

        void Visit(ImmutableArray<TemplateNode> level)
        {
            foreach (var node in level)
            {
                switch (node)
                {
                    case VariableNode variable when seen.Add(variable.Name):
                        names.Add(variable.Name);
                        break;
                    case SectionNode section:
                        if (seen.Add(section.Name))
                        {
                            names.Add(section.Name);
                        }

                        Visit(section.Children);
                        break;
                }
            }
        }
    }
}
