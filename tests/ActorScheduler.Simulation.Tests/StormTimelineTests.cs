namespace ActorScheduler.Simulation.Tests;

public sealed class StormTimelineTests
{
    [Fact]
    public void Records_are_cut_into_slices_from_the_start_empty_ones_included_each_with_its_own_share_of_the_pause()
    {
        var timeline = new StormTimeline();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        timeline.Add(start.AddMilliseconds(-5), offers: 7, paused: Ms(4)); // before the start: left out
        timeline.Add(start, offers: 200, paused: Ms(10));
        timeline.Add(start.AddMilliseconds(60), launched: 3, paused: Ms(12));
        timeline.Add(start.AddMilliseconds(250), placed: 1, paused: Ms(40));
        timeline.Add(start.AddMilliseconds(299), placed: 1, paused: Ms(45));

        var slices = timeline.Slices(start, TimeSpan.FromMilliseconds(100));

        // A slice's pause is the pause total it reached less the total before it (the first record's counts as before).
        Assert.Equal(
            [(0.0, 200, 3, 0, 2.0), (100.0, 0, 0, 0, 0.0), (200.0, 0, 0, 2, 33.0)],
            slices.Select(s => (s.FromMs, s.Offers, s.Launched, s.Placed, s.GcPauseMs)));
        Assert.Empty(timeline.Slices(start.AddSeconds(1), TimeSpan.FromMilliseconds(100)));

        static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
    }

    [Fact]
    public void A_deploys_worth_of_records_is_kept_in_chunks_below_the_large_object_threshold_and_sliced_across_them()
    {
        var timeline = new StormTimeline();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        timeline.Add(start, offers: 1, paused: TimeSpan.Zero);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < 10_000; i++)
        {
            timeline.Add(start.AddMilliseconds(i), placed: 1, paused: TimeSpan.Zero);
        }

        // Ten chunks of 40 KB; one list of the records grew through arrays of up to 655 KB (1.3 MB in all).
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 1, 450_000);
        Assert.Equal(
            [(0.0, 1, 2_999), (3_000.0, 0, 3_000), (6_000.0, 0, 3_000), (9_000.0, 0, 1_000)],
            timeline.Slices(start, TimeSpan.FromSeconds(3)).Select(s => (s.FromMs, s.Offers, s.Placed)));
    }
}
