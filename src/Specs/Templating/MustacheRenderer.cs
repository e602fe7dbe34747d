using System.Text;

namespace ActorScheduler.Specs.Templating;

/// <summary>
/// Renders the mustache subset service specs use: <c>{{X}}</c>, <c>{{{X}}}</c> (both raw: we render YAML, not
/// HTML), sections <c>{{#X}}…{{/X}}</c> (shown when X is "true") and inverted <c>{{^X}}…{{/X}}</c>. Every missing
/// value and every malformed tag is reported with its line and column; nothing stops at the first problem.
/// </summary>
public static class MustacheRenderer
{
    /// <summary>A problem at a 1-based line and column of the template.</summary>
    public sealed record Problem(int Line, int Column, string Message);

    public static (string Text, IReadOnlyList<Problem> Problems) Render(string template, IReadOnlyDictionary<string, string> values)
    {
        var output = new StringBuilder(template.Length);
        var problems = new List<Problem>();
        var sections = new Stack<(string Name, bool Show, int Offset)>();
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                Emit(template[position..]);
                break;
            }

            Emit(template[position..open]);
            var triple = open + 2 < template.Length && template[open + 2] == '{';
            var closeToken = triple ? "}}}" : "}}";
            var close = template.IndexOf(closeToken, open + (triple ? 3 : 2), StringComparison.Ordinal);
            if (close < 0)
            {
                problems.Add(At(template, open, $"unclosed tag: expected '{closeToken}'"));
                break;
            }

            var tag = template[(open + (triple ? 3 : 2))..close].Trim();
            position = close + closeToken.Length;
            if (tag.Length == 0)
            {
                problems.Add(At(template, open, "empty tag"));
                continue;
            }

            var kind = triple ? ' ' : tag[0];
            var name = kind is '#' or '^' or '/' or '!' ? tag[1..].Trim() : tag;
            switch (kind)
            {
                case '!':
                    break;
                case '#':
                case '^':
                    var truthy = values.TryGetValue(name, out var v) && string.Equals(v.Trim(), "true", StringComparison.OrdinalIgnoreCase);
                    sections.Push((name, kind == '#' ? truthy : !truthy, open));
                    break;
                case '/':
                    if (sections.Count == 0 || sections.Peek().Name != name)
                    {
                        problems.Add(At(template, open, sections.Count == 0
                            ? $"closing tag '{{{{/{name}}}}}' has no open section"
                            : $"closing tag '{{{{/{name}}}}}' does not match open section '{sections.Peek().Name}'"));
                    }
                    else
                    {
                        sections.Pop();
                    }

                    break;
                default:
                    if (values.TryGetValue(name, out var value))
                    {
                        Emit(value);
                    }
                    else if (Visible())
                    {
                        problems.Add(At(template, open, $"missing value for '{name}'"));
                    }

                    break;
            }
        }

        foreach (var section in sections)
        {
            problems.Add(At(template, section.Offset, $"section '{section.Name}' is never closed: expected '{{{{/{section.Name}}}}}'"));
        }

        return (output.ToString(), problems);

        bool Visible() => sections.All(s => s.Show);

        void Emit(string text)
        {
            if (Visible())
            {
                output.Append(text);
            }
        }
    }

    private static Problem At(string text, int offset, string message)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new Problem(line, offset - lineStart + 1, message);
    }
}
