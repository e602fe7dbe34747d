using ActorScheduler.Bench;

namespace ActorScheduler.Bench.Tests;

public class RunSummaryTests
{
    [Fact]
    public void Only_result_lines_are_read()
    {
        Assert.Null(RunSummary.Parse("[storm] deploying 2s placed=10"));
        var values = RunSummary.Parse("RESULT placed=10 placements_per_s=5104.7 restart_to_ready_s=na");

        Assert.NotNull(values);
        Assert.Equal("5104.7", values["placements_per_s"]);
        Assert.Equal("na", values["restart_to_ready_s"]);
    }

    [Fact]
    public void Each_figure_is_the_median_of_the_runs_that_measured_it_with_their_range()
    {
        var runs = new[]
        {
            RunSummary.Parse("RESULT placements_per_s=5000 p99_cycle_ms=400 restart_to_ready_s=1.5")!,
            RunSummary.Parse("RESULT placements_per_s=4000 p99_cycle_ms=600 restart_to_ready_s=na")!,
            RunSummary.Parse("RESULT placements_per_s=6000 p99_cycle_ms=500 restart_to_ready_s=1.7")!,
        };

        var line = RunSummary.Line(runs);

        Assert.StartsWith("SUMMARY runs=3 ", line);
        Assert.Contains("placements_per_s=5000 [4000..6000]", line);
        Assert.Contains("p99_cycle_ms=500 [400..600]", line);
        // Two runs measured it: the median of an even count is the mean of the middle two.
        Assert.Contains("restart_to_ready_s=1.6 [1.5..1.7]", line);
        // Not measured by any run: left out.
        Assert.DoesNotContain("gc_pause_ms", line);
    }
}
