using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// <c>examples/pre-reserved</c> against the simulated master: the edge pod takes only what an agent reserves statically
/// for slave_public, the trainer only an agent with a GPU.
/// </summary>
public sealed class PreReservedScenarioTests
{
    [Fact]
    public async Task An_edge_pod_short_of_what_its_role_reserves_says_how_much_it_needs_and_the_most_an_offer_reserved()
    {
        var options = new ScenarioOptions { Values = new Dictionary<string, string> { ["EDGE_COUNT"] = "1", ["TRAINER_COUNT"] = "0" } };
        await using var scenario = new ServiceScenario(Examples.Spec("pre-reserved"), options);

        // The proxy's 0.2 cpus and the executor's 0.1: 0.3 reserved for slave_public needed, 0.1 offered.
        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Send.OffersFor("edge", resources: AgentResources.Default with { Reserved = "cpus(slave_public):0.1;mem(slave_public):512;disk(slave_public):512" }),
            Expect.DeclinedLastOffer(),
            Expect.StepStatus("deploy", "edge", "edge-0:[proxy]", Status.Prepared),
            Expect.StepMessage("deploy", "edge", "edge-0:[proxy]",
                "offers do not fit: FAIL(ResourceEvaluationStage): Offer lacks sufficient 'cpus' reserved for role 'slave_public' for new reservation (needs 0.3, offers had at most 0.1)"));
    }

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
