using System.Text;

namespace ActorScheduler.Mesos.Client;

/// <summary>
/// Incremental reader of RecordIO framing (<c>record-size LF record-data</c>, see Mesos docs/recordio.md).
/// Reads from any <see cref="Stream"/>; how the bytes are chunked is irrelevant. Not thread-safe.
/// </summary>
public sealed class RecordIoReader
{
    /// <summary>Default upper bound of one record, a guard against garbage length lines.</summary>
    public const int DefaultMaxRecordBytes = 64 * 1024 * 1024;

    // uint64 has at most 20 decimal digits.
    private const int MaxLengthDigits = 20;

    private readonly Stream _stream;
    private readonly int _maxRecordBytes;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _position;
    private int _length;

    public RecordIoReader(Stream stream, int maxRecordBytes = DefaultMaxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordBytes, 1);
        _stream = stream;
        _maxRecordBytes = maxRecordBytes;
    }

    /// <summary>
    /// Reads the next record. Returns <c>null</c> when the stream ends cleanly between records.
    /// </summary>
    /// <exception cref="RecordIoException">The length line is malformed, or the stream ends inside a record.</exception>
    public async ValueTask<byte[]?> ReadAsync(CancellationToken ct = default)
    {
        var size = await ReadSizeAsync(ct).ConfigureAwait(false);
        if (size is null)
        {
            return null;
        }

        var record = new byte[size.Value];
        var filled = 0;
        while (filled < record.Length)
        {
            if (_position == _length && !await FillAsync(ct).ConfigureAwait(false))
            {
                throw new RecordIoException($"RecordIO stream ended inside a record ({filled} of {record.Length} bytes read)");
            }

            var count = Math.Min(_length - _position, record.Length - filled);
            Buffer.BlockCopy(_buffer, _position, record, filled, count);
            _position += count;
            filled += count;
        }

        return record;
    }

    private async ValueTask<int?> ReadSizeAsync(CancellationToken ct)
    {
        ulong size = 0;
        var digits = 0;
        var line = new StringBuilder();
        while (true)
        {
            if (_position == _length && !await FillAsync(ct).ConfigureAwait(false))
            {
                if (digits == 0)
                {
                    return null;
                }

                throw new RecordIoException($"RecordIO stream ended inside the length line '{line}'");
            }

            var b = _buffer[_position++];
            if (b == (byte)'\n')
            {
                if (digits == 0)
                {
                    throw new RecordIoException("RecordIO length line is empty");
                }

                if (size == 0)
                {
                    throw new RecordIoException("RecordIO record size must not be 0");
                }

                if (size > (ulong)_maxRecordBytes)
                {
                    throw new RecordIoException($"RecordIO record size {size} exceeds the limit of {_maxRecordBytes} bytes");
                }

                return (int)size;
            }

            if (line.Length < 32)
            {
                line.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
            }

            if (b is < (byte)'0' or > (byte)'9')
            {
                throw new RecordIoException($"RecordIO length line '{line}' contains a non-digit (byte 0x{b:x2})");
            }

            digits++;
            if (digits > MaxLengthDigits || size > (ulong.MaxValue - (ulong)(b - '0')) / 10)
            {
                throw new RecordIoException($"RecordIO length line '{line}' is too long");
            }

            size = size * 10 + (ulong)(b - '0');
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        _position = 0;
        _length = await _stream.ReadAsync(_buffer, ct).ConfigureAwait(false);
        return _length > 0;
    }
}
