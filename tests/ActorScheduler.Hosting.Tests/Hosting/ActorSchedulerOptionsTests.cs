namespace ActorScheduler.Hosting.Tests.Hosting;

/// <summary>What an embedding application sets on <see cref="ActorSchedulerOptions"/> reaches the scheduler's settings.</summary>
public sealed class ActorSchedulerOptionsTests
{
    [Fact]
    public void The_offer_settings_reach_the_scheduler()
    {
        var settings = ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world",
            RenderedSpec = "name: hello-world",
            MasterUrl = new Uri("http://127.0.0.1:5050"),
            MaxClaimsPerCycle = 64,
            ReservationSweepInterval = TimeSpan.FromMinutes(10),
        });

        Assert.Equal((64, TimeSpan.FromMinutes(10)), (settings.MaxClaimsPerCycle, settings.ReservationSweepInterval));
    }

    [Fact]
    public void Reservations_are_swept_hourly_unless_told_otherwise()
    {
        var settings = ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world",
            RenderedSpec = "name: hello-world",
            MasterUrl = new Uri("http://127.0.0.1:5050"),
        });

        Assert.Equal(TimeSpan.FromHours(1), settings.ReservationSweepInterval);
    }
}
