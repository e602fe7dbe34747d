using System.Globalization;
using System.Text;

namespace ActorScheduler.Mesos.Client;

/// <summary>Writes RecordIO framing: the decimal size, one LF, then exactly the record bytes.</summary>
public sealed class RecordIoWriter
{
    private readonly Stream _stream;

    public RecordIoWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>Frames one record into a new array (<c>"&lt;size&gt;\n" + record</c>).</summary>
    public static byte[] Frame(ReadOnlySpan<byte> record)
    {
        if (record.IsEmpty)
        {
            throw new ArgumentException("A RecordIO record must not be empty", nameof(record));
        }

        var header = Encoding.ASCII.GetBytes(record.Length.ToString(CultureInfo.InvariantCulture) + "\n");
        var framed = new byte[header.Length + record.Length];
        header.CopyTo(framed, 0);
        record.CopyTo(framed.AsSpan(header.Length));
        return framed;
    }

    /// <summary>Writes one framed record (does not flush).</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> record, CancellationToken ct = default)
    {
        return _stream.WriteAsync(Frame(record.Span), ct);
    }
}
