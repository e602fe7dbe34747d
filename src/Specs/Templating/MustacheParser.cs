using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace ActorScheduler.Specs.Templating;

/// <summary>
/// Parses the mustache subset used by service specs: <c>{{X}}</c>, <c>{{{X}}}</c>, <c>{{&amp;X}}</c>, sections
/// <c>{{#X}}</c>/<c>{{^X}}</c> … <c>{{/X}}</c> and comments <c>{{! … }}</c>. Section and comment tags alone on a line
/// remove that whole line, as the mustache spec's "standalone" rule says, so they leave no blank lines in the YAML.
/// </summary>
internal static partial class MustacheParser
{
    public static MustacheTemplate Parse(string text, string file, SpecErrorList errors)
    {
        var parser = new State(text, file, errors);
        return new MustacheTemplate(text, parser.Run());
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();

    private sealed class State(string text, string file, SpecErrorList errors)
    {
        private readonly LineIndex _lines = new(text);
        private readonly Stack<OpenSection> _open = new();
        private ImmutableArray<TemplateNode>.Builder _current = ImmutableArray.CreateBuilder<TemplateNode>();
        private int _textStart;

        public ImmutableArray<TemplateNode> Run()
        {
            var pos = 0;
            while (true)
            {
                var open = text.IndexOf("{{", pos, StringComparison.Ordinal);
                if (open < 0)
                {
                    break;
                }

                pos = ReadTag(open);
            }

            EmitText(text.Length);
            while (_open.Count > 0)
            {
                var section = _open.Pop();
                var sigil = section.Inverted ? '^' : '#';
                Error(section.Offset, $"section {{{{{sigil}{section.Name}}}}} is never closed; expected {{{{/{section.Name}}}}}");
                CloseSection(section);
            }

            return _current.ToImmutable();
        }

        /// <summary>Handles the tag starting at <paramref name="open"/>; returns where scanning resumes.</summary>
        private int ReadTag(int open)
        {
            var triple = open + 2 < text.Length && text[open + 2] == '{';
            var closer = triple ? "}}}" : "}}";
            var innerStart = open + (triple ? 3 : 2);
            var close = text.IndexOf(closer, innerStart, StringComparison.Ordinal);
            var lineEnd = text.IndexOf('\n', innerStart);
            var nextOpen = text.IndexOf("{{", innerStart, StringComparison.Ordinal);
            if (close < 0 || (lineEnd >= 0 && lineEnd < close) || (nextOpen >= 0 && nextOpen < close))
            {
                Error(open, $"tag is not closed on its line; expected '{closer}'");
                return innerStart;
            }

            var inner = text[innerStart..close];
            var after = close + closer.Length;
            var sigil = triple || inner.Length == 0 ? '\0' : inner[0];
            var name = (sigil is '#' or '^' or '/' or '!' or '&' or '>' or '=' ? inner[1..] : inner).Trim();

            switch (sigil)
            {
                case '!':
                    EndTagText(open, after, standaloneAllowed: true);
                    return _textStart;
                case '>':
                    Error(open, "partials ({{>name}}) are not supported");
                    EndTagText(open, after, standaloneAllowed: false);
                    return after;
                case '=':
                    Error(open, "changing delimiters ({{=…=}}) is not supported");
                    EndTagText(open, after, standaloneAllowed: false);
                    return after;
            }

            if (!IsValidName(open, name))
            {
                EndTagText(open, after, standaloneAllowed: false);
                return after;
            }

            switch (sigil)
            {
                case '#':
                case '^':
                    EndTagText(open, after, standaloneAllowed: true);
                    _open.Push(new OpenSection(name, sigil == '^', open, _current));
                    _current = ImmutableArray.CreateBuilder<TemplateNode>();
                    return _textStart;
                case '/':
                    EndTagText(open, after, standaloneAllowed: true);
                    CloseTag(open, name);
                    return _textStart;
                default:
                    EndTagText(open, after, standaloneAllowed: false);
                    _current.Add(new VariableNode(open, name));
                    return after;
            }
        }

        private bool IsValidName(int open, string name)
        {
            if (name.Length == 0)
            {
                Error(open, "empty tag; expected a value name such as {{HELLO_COUNT}}");
                return false;
            }

            if (!NamePattern().IsMatch(name))
            {
                Error(open, $"invalid value name '{name}'; expected letters, digits, '_', '.' or '-'");
                return false;
            }

            return true;
        }

        private void CloseTag(int offset, string name)
        {
            if (_open.Count == 0)
            {
                Error(offset, $"{{{{/{name}}}}} closes no open section");
                return;
            }

            var section = _open.Pop();
            if (section.Name != name)
            {
                var position = _lines.Locate(section.Offset);
                Error(offset, $"found {{{{/{name}}}}} but the open section is {{{{{(section.Inverted ? '^' : '#')}{section.Name}}}}} " +
                              $"from line {position.Line}; expected {{{{/{section.Name}}}}}");
            }

            CloseSection(section);
        }

        private void CloseSection(OpenSection section)
        {
            var node = new SectionNode(section.Offset, section.Name, section.Inverted, _current.ToImmutable());
            _current = section.Parent;
            _current.Add(node);
        }

        /// <summary>
        /// Emits the literal text before a tag. A standalone tag (only whitespace around it on its line, and no other
        /// tag earlier on that line) swallows its whole line including the line break.
        /// </summary>
        private void EndTagText(int open, int after, bool standaloneAllowed)
        {
            if (standaloneAllowed && TryStandalone(open, after, out var lineStart, out var nextLine))
            {
                EmitText(lineStart);
                _textStart = nextLine;
                return;
            }

            EmitText(open);
            _textStart = after;
        }

        private bool TryStandalone(int open, int after, out int lineStart, out int nextLine)
        {
            lineStart = open == 0 ? 0 : text.LastIndexOf('\n', open - 1) + 1;
            nextLine = after;
            if (lineStart < _textStart || !IsBlank(lineStart, open))
            {
                return false;
            }

            var end = after;
            while (end < text.Length && text[end] is ' ' or '\t')
            {
                end++;
            }

            if (end < text.Length && text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n')
            {
                end++;
            }

            if (end < text.Length && text[end] != '\n')
            {
                return false;
            }

            nextLine = Math.Min(end + 1, text.Length);
            return true;
        }

        private bool IsBlank(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                if (text[i] is not (' ' or '\t'))
                {
                    return false;
                }
            }

            return true;
        }

        private void EmitText(int end)
        {
            if (end > _textStart)
            {
                _current.Add(new TextNode(_textStart, end - _textStart));
            }
        }

        private void Error(int offset, string message) => errors.Add(file, _lines.Locate(offset), "(template)", message);
    }

    private sealed record OpenSection(string Name, bool Inverted, int Offset, ImmutableArray<TemplateNode>.Builder Parent);
}
