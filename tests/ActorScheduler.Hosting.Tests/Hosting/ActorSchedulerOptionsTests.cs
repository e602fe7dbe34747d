namespace ActorScheduler.Hosting.Tests.Hosting;

/// <summary>What an embedding application sets on <see cref="ActorSchedulerOptions"/> reaches the scheduler's settings.</summary>
public sealed class ActorSchedulerOptionsTests
{
    private static readonly Uri Master = new("http://127.0.0.1:5050");

    [Fact]
    public void The_offer_settings_reach_the_scheduler()
    {
        var settings = ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world",
            RenderedSpec = "name: hello-world",
            MasterUrl = Master,
            MaxClaimsPerCycle = 64,
            ReservationSweepInterval = TimeSpan.FromMinutes(10),
        });

        Assert.Equal((64, TimeSpan.FromMinutes(10)), (settings.MaxClaimsPerCycle, settings.ReservationSweepInterval));
    }

    [Fact]
    public void A_negative_sweep_interval_or_fewer_than_one_claim_a_cycle_is_refused_when_configured()
    {
        var sweep = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master, ReservationSweepInterval = TimeSpan.FromSeconds(-1),
        }));
        var claims = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master, MaxClaimsPerCycle = 0,
        }));

        Assert.Equal(("ReservationSweepInterval", "MaxClaimsPerCycle"), (sweep.ParamName, claims.ParamName));
    }

    [Fact]
    public void Reservations_are_swept_hourly_unless_told_otherwise()
    {
        var options = new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master };

        Assert.Equal(TimeSpan.FromHours(1), ActorSchedulerHostingExtensions.ToSettings(options).ReservationSweepInterval);
    }
}
