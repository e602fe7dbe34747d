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

    // A record's first allocation: larger than a typical event, so only large offer batches grow.
    private const int InitialRecordBytes = 64 * 1024;

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

        // The length line is only a claim: a record grows as its bytes arrive (doubling, from what one chunk of the
        // first 64 KB), so a corrupt line followed by a few bytes costs a few bytes, not the size it names.
        var total = size.Value;
        var record = new byte[Math.Min(total, InitialRecordBytes)];
        var filled = 0;
        while (filled < total)
        {
            if (_position == _length && !await FillAsync(ct).ConfigureAwait(false))
            {
                throw new RecordIoException($"RecordIO stream ended inside a record ({filled} of {total} bytes read)");
            }

            if (filled == record.Length)
            {
                Array.Resize(ref record, (int)Math.Min(total, 2L * record.Length));
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
