using ActorScheduler.Mesos.Emulator;

namespace ActorScheduler.Mesos.Tests.Emulator;

public sealed class PortRangesTests
{
    [Fact]
    public void Subtracting_splits_ranges_and_drops_what_is_covered()
    {
        var left = PortRanges.Subtract([(31000, 32000)], [(31000, 31000), (31500, 31600), (31990, 32010)]);

        Assert.Equal([(31001UL, 31499UL), (31601UL, 31989UL)], left);
    }

    [Fact]
    public void Covers_means_every_wanted_port_is_available()
    {
        Assert.True(PortRanges.Covers([(10, 20), (30, 40)], [(12, 15), (40, 40)]));
        Assert.False(PortRanges.Covers([(10, 20), (30, 40)], [(19, 31)]));
    }
}
