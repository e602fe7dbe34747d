namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// <c>examples/pre-reserved</c> against the simulated master: the edge pod takes only what an agent reserves statically
/// for slave_public, the trainer only an agent with a GPU.
/// </summary>
public sealed class PreReservedScenarioTests
{
    [Fact]
    public async Task The_edge_pod_needs_slave_public_resources_and_the_trainer_a_gpu()
    {
        var options = new ScenarioOptions { Values = new Dictionary<string, string> { ["EDGE_COUNT"] = "1", ["TRAINER_COUNT"] = "1" } };
        await using var scenario = new ServiceScenario(Examples.Spec("pre-reserved"), options);

        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Send.OffersFor("edge"),
            Expect.DeclinedLastOffer(),
            Send.OffersFor("edge", resources: AgentResources.Default with { Reserved = "cpus(slave_public):1;mem(slave_public):512;disk(slave_public):512" }),
            Expect.Launched("edge-0-proxy"),
            Send.OffersFor("trainer"),
            Expect.DeclinedLastOffer(),
            Send.OffersFor("trainer", resources: AgentResources.Default with { Gpus = 1 }),
            Expect.Launched("trainer-0-train"),
            Expect.AllPlansComplete());
    }
}
