using System.Globalization;
using System.Text;

namespace ActorScheduler.Mesos.Client;

/// <summary>
/// Mesos RecordIO framing: <c>&lt;decimal length&gt;\n&lt;length bytes&gt;</c>, repeated. Chunk boundaries of the
/// underlying stream do not matter.
/// </summary>
public sealed class RecordIoReader
{
    /// <summary>Records larger than this are refused (a corrupt length would otherwise allocate gigabytes).</summary>
    public const int MaxRecordBytes = 256 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public RecordIoReader(Stream stream) => _stream = stream;

    /// <summary>The next record, or null at a clean end of stream.</summary>
    /// <exception cref="InvalidDataException">A malformed length line or a stream that ends inside a record.</exception>
    public async ValueTask<byte[]?> ReadAsync(CancellationToken ct)
    {
        var length = 0L;
        var digits = 0;
        while (true)
        {
            if (_start == _end && !await FillAsync(ct))
            {
                if (digits == 0)
                {
                    return null;
                }

                throw new InvalidDataException("RecordIO stream ended inside a record length");
            }

            var b = _buffer[_start++];
            if (b == (byte)'\n')
            {
                if (digits == 0)
                {
                    throw new InvalidDataException("RecordIO record length is empty");
                }

                break;
            }

            if (b is < (byte)'0' or > (byte)'9')
            {
                throw new InvalidDataException($"RecordIO record length contains '{(char)b}' (0x{b:x2}); expected decimal digits then a newline");
            }

            length = (length * 10) + (b - '0');
            digits++;
            if (length > MaxRecordBytes)
            {
                throw new InvalidDataException($"RecordIO record length exceeds {MaxRecordBytes} bytes");
            }
        }

        var record = new byte[length];
        var filled = 0;
        while (filled < length)
        {
            if (_start == _end && !await FillAsync(ct))
            {
                throw new InvalidDataException($"RecordIO stream ended after {filled} of {length} record bytes");
            }

            var take = (int)Math.Min(length - filled, _end - _start);
            Buffer.BlockCopy(_buffer, _start, record, filled, take);
            _start += take;
            filled += take;
        }

        return record;
    }

    private async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        _start = 0;
        _end = await _stream.ReadAsync(_buffer, ct);
        return _end > 0;
    }
}

public static class RecordIoWriter
{
    /// <summary>Frames one record.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> record)
    {
        var prefix = Encoding.ASCII.GetBytes(record.Length.ToString(CultureInfo.InvariantCulture) + "\n");
        var framed = new byte[prefix.Length + record.Length];
        prefix.CopyTo(framed, 0);
        record.CopyTo(framed.AsSpan(prefix.Length));
        return framed;
    }
}
