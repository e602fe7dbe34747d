using ActorScheduler.Actors.Offers;

namespace ActorScheduler.Simulation.Tests;

/// <summary>The scheduler's offer settings, set on a scenario, reach its offer router.</summary>
public sealed class OfferSettingsScenarioTests
{
    private const string ThreeWebPods = """
        name: capped
        pods:
          web:
            count: 3
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 3600
                cpus: 0.1
                memory: 32
        plans:
          deploy:
            strategy: parallel
            phases:
              web:
                pod: web
                strategy: parallel
        """;

    [Fact]
    public async Task Capped_cycles_place_the_pods_left_on_the_offers_they_hold()
    {
        // One claim a cycle: two offers take two pods, one cycle after the other, the second on the offer the first kept
        // (uncapped, one cycle would place all three on the two; holding nothing, one).
        await using var scenario = new ServiceScenario(ThreeWebPods, new ScenarioOptions { MaxClaimsPerCycle = 1 });

        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Expect.WaitingForOffers("web-0", "web-1", "web-2"),
            Send.OffersFor("web", count: 2),
            Expect.LaunchedCount(2),
            Send.OffersFor("web", count: 1),
            Expect.LaunchedCount(1),
            Expect.AllPlansComplete());
    }

    [Fact]
    public async Task Capped_cycles_holding_no_offers_decline_what_they_leave_and_the_pods_left_take_the_next_offers()
    {
        await using var scenario = new ServiceScenario(ThreeWebPods, new ScenarioOptions { MaxClaimsPerCycle = 1, OfferHold = OfferHoldMode.None });

        // Whichever pod the first cycle takes, the other two offers are declined at once, and two pods wait for more.
        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Expect.WaitingForOffers("web-0", "web-1", "web-2"),
            Send.OffersFor("web", count: 3),
            Expect.LaunchedCount(1),
            Send.OffersFor("web", count: 2),
            Expect.LaunchedCount(1),
            Send.OffersFor("web", count: 1),
            Expect.LaunchedCount(1),
            Expect.AllPlansComplete());
    }

    [Fact]
    public void Offer_settings_out_of_range_are_refused_when_the_scenario_is_made()
    {
        Assert.Equal("MaxClaimsPerCycle", Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceScenario(ThreeWebPods, new ScenarioOptions { MaxClaimsPerCycle = 0 })).ParamName);
        Assert.Equal("DecommissionParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceScenario(ThreeWebPods, new ScenarioOptions { DecommissionParallelism = 0 })).ParamName);
        Assert.Equal("Fitness", Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceScenario(ThreeWebPods, new ScenarioOptions { Fitness = new PlacementFitness(FitnessKind.Spread, 0) })).ParamName);
        Assert.Equal("Fitness", Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceScenario(ThreeWebPods, new ScenarioOptions { Fitness = new PlacementFitness((FitnessKind)9, 4) })).ParamName);
        Assert.Equal("OfferHold", Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceScenario(ThreeWebPods, new ScenarioOptions { OfferHold = (OfferHoldMode)9 })).ParamName);
        Assert.Equal("Fitness", Assert.Throws<ArgumentNullException>(() => new ServiceScenario(ThreeWebPods, new ScenarioOptions { Fitness = null! })).ParamName);
    }
}
