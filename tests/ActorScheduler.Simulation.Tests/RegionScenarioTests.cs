using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// Region awareness against the simulated master: with a master in a fault domain, pods without an <c>@region</c> rule go
/// to its region, or to the one <c>SERVICE_REGION</c> pins the service to; offers from other regions are declined.
/// </summary>
public sealed class RegionScenarioTests
{
    private static readonly FaultDomain East = new("east", "east-a");
    private static readonly FaultDomain West = new("west", "west-a");

    private static ScenarioOptions Options(string? serviceRegion = null) => new()
    {
        Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" },
        Environment = serviceRegion is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["SERVICE_REGION"] = serviceRegion },
        MasterDomain = East,
    };

    // The master is in east: a pod goes there, unless SERVICE_REGION pins the service to west.
    [Theory]
    [InlineData(null, "east")]
    [InlineData("west", "west")]
    public async Task Pods_go_to_the_services_region_and_offers_from_another_are_declined(string? serviceRegion, string expected)
    {
        var (elsewhere, there) = expected == "east" ? (West, East) : (East, West);
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(serviceRegion));

        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Send.OffersFor("hello", domain: elsewhere),
            Expect.DeclinedLastOffer(),
            Send.OffersFor("hello", domain: there),
            Expect.Launched("hello-0-server"));

        Assert.Equal(expected, Region(scenario, "hello-0-server"));
    }

    // SERVICE_REGION is captured with the spec at start; an update must carry it too, or the scheduler sees the region change.
    [Fact]
    public async Task An_update_keeps_the_service_region_the_scenario_started_with()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(serviceRegion: "west"));

        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello", domain: West),
            Expect.Launched("hello-0-server"),
            Send.UpdateSpec(new Dictionary<string, string> { ["WORLD_COUNT"] = "2" }),
            Expect.UpdateAccepted());
    }

    // The region of the agent the task was launched on, as its offers said.
    private static string Region(ServiceScenario scenario, string task)
    {
        var agent = scenario.Cluster!.AgentOfLaunch(task);
        return scenario.Cluster.History.Where(r => r.Event is { Type: Event.Types.Type.Offers })
            .SelectMany(r => r.Event!.Offers.Offers_)
            .First(o => o.AgentId.Value == agent).Domain.FaultDomain.Region.Name;
    }
}
