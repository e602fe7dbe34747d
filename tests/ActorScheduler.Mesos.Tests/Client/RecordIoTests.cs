using System.Text;
using ActorScheduler.Mesos.Client;

namespace ActorScheduler.Mesos.Tests.Client;

public sealed class RecordIoTests
{
    [Fact]
    public async Task Reader_reads_records_split_at_every_byte()
    {
        var bytes = Encoding.ASCII.GetBytes("5\nhello3\nabc");
        var reader = new RecordIoReader(new TrickleStream(bytes, chunk: 1));

        Assert.Equal("hello", Encoding.ASCII.GetString((await reader.ReadAsync())!));
        Assert.Equal("abc", Encoding.ASCII.GetString((await reader.ReadAsync())!));
        Assert.Null(await reader.ReadAsync());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Reader_reads_many_records_whatever_the_chunking(int chunk)
    {
        var records = Enumerable.Range(0, 50).Select(i => new string((char)('a' + (i % 26)), i + 1)).ToList();
        var framed = records.SelectMany(r => RecordIoWriter.Frame(Encoding.ASCII.GetBytes(r))).ToArray();
        var reader = new RecordIoReader(new TrickleStream(framed, chunk));

        var read = new List<string>();
        while (await reader.ReadAsync() is { } record)
        {
            read.Add(Encoding.ASCII.GetString(record));
        }

        Assert.Equal(records, read);
    }

    [Fact]
    public async Task Reader_returns_null_on_an_empty_stream()
    {
        Assert.Null(await new RecordIoReader(new MemoryStream()).ReadAsync());
    }

    [Theory]
    [InlineData("abc\nxyz", "non-digit")]
    [InlineData("\nxyz", "empty")]
    [InlineData("0\n", "must not be 0")]
    [InlineData("1a\nx", "non-digit")]
    [InlineData("5\r\nhello", "non-digit")]
    [InlineData("123456789012345678901\nx", "too long")]
    [InlineData("99999999\nx", "exceeds the limit")]
    [InlineData("5\nabc", "ended inside a record")]
    [InlineData("12", "ended inside the length line")]
    public async Task Reader_rejects_malformed_input_with_a_clear_message(string input, string expected)
    {
        var reader = new RecordIoReader(new MemoryStream(Encoding.ASCII.GetBytes(input)), maxRecordBytes: 1024);

        var e = await Assert.ThrowsAsync<RecordIoException>(async () => await reader.ReadAsync());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reader_does_not_allocate_the_size_a_corrupt_length_line_claims()
    {
        // Found by EventStreamMutationTests (seed 3601, mutation 7): a length line just under the limit followed by a
        // few bytes made the reader allocate the whole 64 MB record before it found the stream ended.
        var reader = new RecordIoReader(new MemoryStream(Encoding.ASCII.GetBytes("67108863\nabc")));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = await Assert.ThrowsAsync<RecordIoException>(async () => await reader.ReadAsync());
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("ended inside a record (3 of 67108863 bytes read)", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes for a record of which 3 arrived");
    }

    [Fact]
    public async Task Reader_reads_a_record_larger_than_its_first_allocation()
    {
        var record = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        var reader = new RecordIoReader(new TrickleStream(RecordIoWriter.Frame(record), chunk: 7_000));

        Assert.Equal(record, await reader.ReadAsync());
        Assert.Null(await reader.ReadAsync());
    }

    [Fact]
    public async Task Writer_frames_size_LF_and_bytes_without_trailing_newline()
    {
        var stream = new MemoryStream();
        var writer = new RecordIoWriter(stream);

        await writer.WriteAsync(Encoding.ASCII.GetBytes("{\"type\":\"HEARTBEAT\"}"));

        Assert.Equal("20\n{\"type\":\"HEARTBEAT\"}", Encoding.ASCII.GetString(stream.ToArray()));
        Assert.Throws<ArgumentException>(() => RecordIoWriter.Frame(ReadOnlySpan<byte>.Empty));
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, like a network stream.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, chunk), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
