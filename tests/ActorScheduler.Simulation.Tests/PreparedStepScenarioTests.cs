using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// A step whose offers were evaluated and none fitted shows PREPARED with why, and its plan IN_PROGRESS (DC/OS
/// <c>DeploymentStep.updateOfferStatus</c> with no recommendation), until an offer fits.
/// </summary>
public sealed class PreparedStepScenarioTests
{
    [Fact]
    public async Task A_step_no_offer_fits_is_prepared_with_why_until_an_offer_fits()
    {
        var options = new ScenarioOptions { Values = new Dictionary<string, string> { ["HELLO_CPUS"] = "3" } };
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), options);
        await scenario.Run(
            Send.Register(),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending),
            Expect.PlanStatus("deploy", Status.Pending),
            // Two agents of 2 cpus: hello needs 3 (and the executor's).
            Send.OffersFor("hello", count: 2, new AgentResources(Cpus: 2)),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Prepared),
            Expect.StepMessage("deploy", "hello", "hello-0:[server]", "offers do not fit: FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus'"),
            Expect.PlanStatus("deploy", Status.InProgress),
            // An agent with room: launched, the reason gone.
            Send.OffersFor("hello", count: 1, new AgentResources(Cpus: 8)),
            Expect.Launched("hello-0-server"),
            Send.TaskStatus("hello-0-server", Messages.MesosV1.TaskState.TaskRunning),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            Expect.StepStatus("deploy", "world", "world-0:[server]", Status.Pending));
    }
}
