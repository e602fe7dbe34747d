namespace ActorScheduler.Simulation.Tests;

/// <summary>An <see cref="OfferStorm"/> over a scenario's cluster deploys the scenario's own spec.</summary>
public sealed class ScenarioStormTests
{
    [Fact]
    public async Task A_storm_over_a_scenario_without_timed_allocation_makes_every_offer_and_deploys_the_spec()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), new ScenarioOptions
        {
            Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "2" },
            TimedAllocation = false,
        });
        await scenario.Run(Send.Register());
        var cluster = scenario.Cluster!;
        var storm = new OfferStorm(cluster, new OfferStormOptions { Agents = 12, OffersPerSecond = 20, RescindProbability = 0.1, Seed = 5 });
        await storm.CreateAgentsAsync();

        // A storm step, then the scheduler answers what it was offered, until every pod runs (a minute of virtual time at
        // most): not until each was launched — a launch on an offer the storm rescinded meanwhile is dropped, and is made
        // again only on a later step's offers.
        string[] pods = ["hello-0-server", "world-0-server", "world-1-server"];
        for (var step = 0; step < 600 && await cluster.CountRunningTasksAsync() < pods.Length; step++)
        {
            await storm.AdvanceAsync(TimeSpan.FromMilliseconds(100));
            await AnsweredAsync(cluster).WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.All(pods, pod => Assert.NotNull(cluster.AgentOfLaunch(pod)));

        await scenario.Run(Expect.AllPlansComplete());

        // Each OFFERS event the scheduler got carries the storm's offers only: the master made none of its own.
        var stormOffers = storm.Actions.Where(a => a.Kind == StormActionKind.Offer).Select(a => a.Detail).ToHashSet(StringComparer.Ordinal);
        var received = cluster.History.Where(r => r.Event is { Type: Messages.MesosV1.Scheduler.Event.Types.Type.Offers })
            .SelectMany(r => r.Event!.Offers.Offers_).Select(o => o.Id.Value).ToList();
        Assert.NotEmpty(received);
        Assert.All(received, id => Assert.Contains(id, stormOffers));
    }

    /// <summary>Waits until the scheduler answered (or the storm rescinded) every outstanding offer.</summary>
    private static async Task AnsweredAsync(SimulatedCluster cluster)
    {
        while (true)
        {
            var seen = cluster.HistoryCount;
            if ((await cluster.OutstandingOffersAsync()).Count == 0)
            {
                return;
            }

            await cluster.ChangedSince(seen);
        }
    }
}
