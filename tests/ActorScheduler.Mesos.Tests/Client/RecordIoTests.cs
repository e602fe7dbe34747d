using System.Text;
using ActorScheduler.Mesos.Client;

namespace ActorScheduler.Mesos.Tests.Client;

public sealed class RecordIoTests
{
    [Fact]
    public async Task Records_are_read_whatever_the_chunk_boundaries()
    {
        var bytes = RecordIoWriter.Frame("hello"u8).Concat(RecordIoWriter.Frame(Encoding.UTF8.GetBytes(new string('x', 100_000)))).ToArray();
        var reader = new RecordIoReader(new TrickleStream(bytes, chunk: 1));

        Assert.Equal("hello", Encoding.UTF8.GetString((await reader.ReadAsync(CancellationToken.None))!));
        Assert.Equal(100_000, (await reader.ReadAsync(CancellationToken.None))!.Length);
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public void Frames_are_decimal_length_newline_bytes()
    {
        Assert.Equal("20\n{\"type\":\"HEARTBEAT\"}", Encoding.ASCII.GetString(RecordIoWriter.Frame("{\"type\":\"HEARTBEAT\"}"u8)));
    }

    [Theory]
    [InlineData("12x\nabc", "contains 'x'")]
    [InlineData("\nabc", "length is empty")]
    [InlineData("10\nabc", "ended after 3 of 10 record bytes")]
    [InlineData("12", "ended inside a record length")]
    [InlineData("999999999999\n", "exceeds")]
    public async Task Malformed_streams_are_refused_with_a_reason(string stream, string reason)
    {
        var reader = new RecordIoReader(new MemoryStream(Encoding.ASCII.GetBytes(stream)));

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadAsync(CancellationToken.None));
        Assert.Contains(reason, error.Message);
    }

    /// <summary>Returns at most <c>chunk</c> bytes per read, like a slow network.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
