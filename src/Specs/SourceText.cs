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

/// <summary>
/// A value of the file quoted in an error line: on one line (line breaks and other control characters escaped) and
/// short (a long one cut, with its length), so a spec of megabytes of garbage is one readable line, not the garbage.
/// </summary>
internal static class SourceQuote
{
    /// <summary>Characters of a value shown before it is cut.</summary>
    public const int MaxShown = 60;

    public static string Of(string value)
    {
        var shown = value.Length > MaxShown ? value[..MaxShown] : value;
        var text = new System.Text.StringBuilder(shown.Length + 2).Append('\'');
        foreach (var c in shown)
        {
            text.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        text.Append('\'');
        return value.Length > MaxShown ? $"{text.Insert(text.Length - 1, '…')} ({value.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} characters)" : text.ToString();
    }
}

/// <summary>The text of a spec or defaults file: UTF-8 (a byte-order mark of UTF-8, UTF-16 or UTF-32 is honoured, as YAML allows).</summary>
internal static class SourceFile
{
    /// <summary>
    /// Decodes <paramref name="bytes"/>; null, with <paramref name="invalidAt"/> the line and column of the first byte that
    /// is no UTF-8 and <paramref name="invalidByte"/> that byte, when the file is no UTF-8 text (a Latin-1 file, a binary).
    /// A lenient decoder would turn such bytes into U+FFFD and the spec would load with values the operator never wrote.
    /// </summary>
    public static string? Decode(byte[] bytes, out SourcePosition invalidAt, out byte invalidByte)
    {
        invalidAt = SourcePosition.Start;
        invalidByte = 0;
        ReadOnlySpan<byte> utf8Bom = [0xEF, 0xBB, 0xBF];
        if (bytes.Length >= 2 && (bytes[0], bytes[1]) is (0xFF, 0xFE) or (0xFE, 0xFF) || bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        var text = bytes.AsSpan(bytes.AsSpan().StartsWith(utf8Bom) ? utf8Bom.Length : 0);
        if (System.Text.Unicode.Utf8.IsValid(text))
        {
            return System.Text.Encoding.UTF8.GetString(text);
        }

        var at = 0;
        while (System.Text.Rune.DecodeFromUtf8(text[at..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            at += consumed;
        }

        var lineStart = text[..at].LastIndexOf((byte)'\n') + 1;
        invalidAt = new SourcePosition(text[..at].Count((byte)'\n') + 1, System.Text.Encoding.UTF8.GetCharCount(text[lineStart..at]) + 1);
        invalidByte = text[at];
        return null;
    }
}
