namespace ActorScheduler.Specs;

/// <summary>A 1-based line and column in a source file.</summary>
internal readonly record struct SourcePosition(int Line, int Column)
{
    public static SourcePosition Start { get; } = new(1, 1);
}

/// <summary>Turns character offsets of a text into 1-based line/column positions.</summary>
internal sealed class LineIndex
{
    private readonly int[] _lineStarts;
    private readonly int _length;

    public LineIndex(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = [.. starts];
        _length = text.Length;
    }

    public SourcePosition Locate(long offset)
    {
        var clamped = (int)Math.Clamp(offset, 0, _length);
        var line = Array.BinarySearch(_lineStarts, clamped);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return new SourcePosition(line + 1, clamped - _lineStarts[line] + 1);
    }
}

/// <summary>Maps a character offset in text handed to the YAML parser back to a position in the file the user edited.</summary>
internal interface ISourceLocator
{
    SourcePosition Locate(long offset);
}

/// <summary>The parsed text is the file itself (already-rendered YAML).</summary>
internal sealed class IdentityLocator(string text) : ISourceLocator
{
    private readonly LineIndex _lines = new(text);

    public SourcePosition Locate(long offset) => _lines.Locate(offset);
}
