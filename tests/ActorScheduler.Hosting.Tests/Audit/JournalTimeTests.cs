using ActorScheduler.Hosting.Audit;

namespace ActorScheduler.Hosting.Tests.Audit;

public sealed class JournalTimeTests
{
    [Fact]
    public void A_stored_time_reads_back_as_the_utc_time_written()
    {
        var written = new DateTime(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);

        Assert.Equal(written, JournalTime.FromStored(JournalTime.ToStored(written)));
    }

    // Found by AuditMutationTests (seed 3631, mutation 9): a damaged row's created of -1 (or past year 9999) threw
    // ArgumentOutOfRangeException out of audit, a stack trace instead of the timeline.
    [Theory]
    [InlineData(-1L, "0001-01-01T00:00:00.000Z")]
    [InlineData(long.MinValue, "0001-01-01T00:00:00.000Z")]
    [InlineData(long.MaxValue, "9999-12-31T23:59:59.999Z")]
    public void A_stored_time_outside_what_a_date_holds_reads_as_the_nearest_date(long stored, string shown)
    {
        Assert.Equal(shown, JournalTime.Format(JournalTime.FromStored(stored)));
    }
}
