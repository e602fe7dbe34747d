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
            Fitness = ActorScheduler.Actors.Offers.FitnessKind.Spread,
            FitnessCandidates = 40,
            OfferHold = ActorScheduler.Actors.Offers.OfferHoldMode.None,
            OfferDecisionRecordsKept = 500,
        });

        Assert.Equal((64, TimeSpan.FromMinutes(10)), (settings.MaxClaimsPerCycle, settings.ReservationSweepInterval));
        Assert.Equal(ActorScheduler.Actors.Offers.OfferHoldMode.None, settings.OfferHold);
        Assert.Equal(500, settings.OfferDecisionRecordsKept);
        Assert.Equal(new ActorScheduler.Actors.Offers.PlacementFitness(ActorScheduler.Actors.Offers.FitnessKind.Spread, 40), settings.Fitness);
    }

    [Fact]
    public void Fewer_than_one_fitness_candidate_or_an_unknown_fitness_is_refused_when_configured()
    {
        var candidates = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master, FitnessCandidates = 0,
        }));
        var kind = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master, Fitness = (ActorScheduler.Actors.Offers.FitnessKind)7,
        }));

        Assert.Equal(("FitnessCandidates", "Fitness"), (candidates.ParamName, kind.ParamName));
    }

    [Fact]
    public void An_unknown_offer_hold_mode_is_refused_when_configured()
    {
        var hold = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master, OfferHold = (ActorScheduler.Actors.Offers.OfferHoldMode)5,
        }));

        Assert.Equal("OfferHold", hold.ParamName);
    }

    [Fact]
    public void Capped_cycles_keep_offers_for_the_work_left_unless_told_otherwise()
    {
        var options = new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master };

        Assert.Equal(ActorScheduler.Actors.Offers.OfferHoldMode.Backlog, ActorSchedulerHostingExtensions.ToSettings(options).OfferHold);
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

        var decommission = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master, DecommissionParallelism = 0,
        }));
        var kept = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master, OfferDecisionRecordsKept = -1,
        }));

        var permanent = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master, PermanentFailureTimeout = TimeSpan.FromSeconds(-5),
        }));

        Assert.Equal(("ReservationSweepInterval", "MaxClaimsPerCycle", "DecommissionParallelism", "OfferDecisionRecordsKept", "PermanentFailureTimeout"),
            (sweep.ParamName, claims.ParamName, decommission.ParamName, kept.ParamName, permanent.ParamName));
    }

    [Fact]
    public void A_scale_in_decommissions_one_pod_at_a_time_unless_told_otherwise()
    {
        var options = new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master };

        Assert.Equal(1, ActorSchedulerHostingExtensions.ToSettings(options).DecommissionParallelism);
        Assert.Equal(8, ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master, DecommissionParallelism = 8,
        }).DecommissionParallelism);
    }

    [Fact]
    public void Reservations_are_swept_hourly_unless_told_otherwise()
    {
        var options = new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master };

        Assert.Equal(TimeSpan.FromHours(1), ActorSchedulerHostingExtensions.ToSettings(options).ReservationSweepInterval);
    }

    [Fact]
    public void Pods_are_bin_packed_over_sixteen_offers_unless_told_otherwise()
    {
        var options = new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = "name: hello-world", MasterUrl = Master };

        Assert.Equal(new ActorScheduler.Actors.Offers.PlacementFitness(ActorScheduler.Actors.Offers.FitnessKind.BinPack, 16), ActorSchedulerHostingExtensions.ToSettings(options).Fitness);
    }
}
