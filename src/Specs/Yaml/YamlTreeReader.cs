using System.Collections.Immutable;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// Reads YAML text into <see cref="SpecNode"/>s from YamlDotNet's parser events, keeping every node's position and
/// declaration order. Duplicate keys, non-scalar keys, unknown aliases and extra documents are reported and reading
/// goes on; a syntax error ends reading and is reported where the parser stopped.
/// </summary>
internal sealed partial class YamlTreeReader
{
    private readonly IParser _parser;
    private readonly string _text;
    private readonly ISourceLocator _locator;
    private readonly string _file;
    private readonly SpecErrorList _errors;
    private readonly Dictionary<string, SpecNode> _anchors = new(StringComparer.Ordinal);
    private string _path = KeyPath.Root;

    private YamlTreeReader(string text, ISourceLocator locator, string file, SpecErrorList errors)
    {
        _parser = new Parser(new StringReader(text));
        _text = text;
        _locator = locator;
        _file = file;
        _errors = errors;
    }

    /// <summary>The root node, or null when the text is empty or has a syntax error (then reported).</summary>
    public static SpecNode? Read(string text, ISourceLocator locator, string file, SpecErrorList errors) =>
        new YamlTreeReader(text, locator, file, errors).ReadStream();

    private SpecNode? ReadStream()
    {
        try
        {
            Expect<StreamStart>();
            if (_parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            Expect<DocumentStart>();
            var root = ReadNode(KeyPath.Root);
            Expect<DocumentEnd>();
            if (_parser.Current is DocumentStart extra)
            {
                Error(extra.Start, KeyPath.Root, "found a second YAML document ('---'); a spec is exactly one document");
            }

            return root;
        }
        catch (YamlException e)
        {
            Error(WhereFailed(e), _path, "YAML syntax error: " + StripMarks(e.Message));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner gives up on some malformed input without a YamlException (found by the mutation
            // property test): report it at the last event the parser reached.
            Error(_parser.Current?.Start ?? Mark.Empty, _path, "YAML syntax error: the text here cannot be read as YAML");
            return null;
        }
        catch (EndOfStreamException)
        {
            Error(Mark.Empty, _path, "YAML syntax error: unexpected end of the text");
            return null;
        }
    }

    private SpecNode ReadNode(string path)
    {
        var outer = _path;
        _path = path;
        var current = _parser.Current ?? throw new YamlException("unexpected end of the document");
        SpecNode node;
        switch (current)
        {
            case AnchorAlias alias:
                _parser.MoveNext();
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    Error(alias.Start, path, $"alias '*{alias.Value.Value}' refers to no anchor defined before it");
                    target = new ScalarNode(Locate(alias.Start), "", true);
                }

                _path = outer;
                return target;
            case Scalar scalar:
                if (scalar.IsKey)
                {
                    // Reading past a key scans its value: a syntax error there belongs to the key's path.
                    _path = KeyPath.Child(path, scalar.Value);
                }

                _parser.MoveNext();
                node = new ScalarNode(Locate(scalar.Start), scalar.Value, IsNull(scalar));
                break;
            case SequenceStart:
                node = ReadSequence(path);
                break;
            case MappingStart:
                node = ReadMapping(path);
                break;
            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
        }

        if (current is NodeEvent { Anchor.IsEmpty: false } withAnchor)
        {
            _anchors[withAnchor.Anchor.Value] = node;
        }

        _path = outer;
        return node;
    }

    private SequenceNode ReadSequence(string path)
    {
        var start = Expect<SequenceStart>();
        var items = ImmutableArray.CreateBuilder<SpecNode>();
        while (!_parser.TryConsume<SequenceEnd>(out _))
        {
            items.Add(ReadNode(KeyPath.Item(path, items.Count)));
        }

        return new SequenceNode(Locate(start.Start), items.ToImmutable());
    }

    private MappingNode ReadMapping(string path)
    {
        var start = Expect<MappingStart>();
        var entries = ImmutableArray.CreateBuilder<MappingEntry>();
        var seen = new Dictionary<string, ScalarNode>(StringComparer.Ordinal);
        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            var keyEvent = _parser.Current;
            var keyNode = ReadNode(path);
            if (keyNode is not ScalarNode { IsNull: false } key)
            {
                Error(keyEvent?.Start ?? start.Start, path, $"expected a plain key, found {keyNode.Describe()}");
                ReadNode(path);
                continue;
            }

            var value = ReadNode(KeyPath.Child(path, key.Value));
            if (seen.TryGetValue(key.Value, out var first))
            {
                _errors.Add(_file, key.Position, KeyPath.Child(path, key.Value),
                    $"duplicate key '{key.Value}'; it is already defined at line {first.Position.Line}");
                continue;
            }

            seen.Add(key.Value, key);
            entries.Add(new MappingEntry(key, value));
        }

        return new MappingNode(Locate(start.Start), entries.ToImmutable());
    }

    private T Expect<T>()
        where T : ParsingEvent
    {
        if (_parser.Current is null && !_parser.MoveNext())
        {
            throw new YamlException("unexpected end of the document");
        }

        return _parser.Consume<T>();
    }

    private static bool IsNull(Scalar scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";

    private SourcePosition Locate(Mark mark) => _locator.Locate(mark.Index);

    /// <summary>
    /// Where a syntax error is: YamlDotNet gives some errors no position (a tab in an indentation among them); those
    /// are placed at the first tab in an indentation when it is about tabs, else at the last event the parser read.
    /// </summary>
    private Mark WhereFailed(YamlException e)
    {
        if (!e.Start.Equals(Mark.Empty))
        {
            return e.Start;
        }

        if (e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            var lineStart = 0;
            foreach (var line in _text.Split('\n'))
            {
                var indentation = line.Length - line.TrimStart(' ', '\t').Length;
                if (line.IndexOf('\t', 0, indentation) is var tab and >= 0)
                {
                    return new Mark(lineStart + tab, 1, 1);
                }

                lineStart += line.Length + 1;
            }
        }

        return _parser.Current?.Start ?? e.Start;
    }

    private void Error(Mark mark, string path, string message) => _errors.Add(_file, Locate(mark), path, message);

    /// <summary>YamlDotNet prefixes messages with "(Line: 1, Col: 2, Idx: 3) - (Line: …): "; we give the position ourselves.</summary>
    private static string StripMarks(string message) => MarkPrefix().Replace(message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarkPrefix();
}
