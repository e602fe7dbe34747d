using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// <c>plan pause</c> / <c>plan resume</c> (and a phase's interrupt / continue) reach a step that already waits for an
/// offer: an interrupted step is no candidate (DC/OS: an interrupted strategy has none), so nothing is placed for it.
/// </summary>
public sealed class PlanInterruptScenarioTests
{
    private static ScenarioOptions Options() => new()
    {
        Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" },
        ExpectTimeout = TimeSpan.FromSeconds(20),
    };

    [Fact]
    public async Task A_plan_paused_while_its_step_waits_for_an_offer_places_nothing_until_resumed()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options());
        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Expect.WaitingForOffers("hello-0"),
            Send.PlanCommand("deploy", PlanCommandKind.Interrupt),
            Expect.NotWaitingForOffers("hello-0"),
            Send.OffersOfNewAgents(),
            Expect.DeclinedLastOffer(),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending),
            Expect.PlanStatus("deploy", Status.Waiting),
            Send.PlanCommand("deploy", PlanCommandKind.Continue),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Send.TaskStatus("hello-0-server", TaskState.TaskRunning),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete));

        Assert.Equal(["hello-0-server"], scenario.Cluster!.History.SelectMany(r => r.LaunchedTasks).Select(t => t.Name));
    }

    [Fact]
    public async Task A_phase_interrupted_while_its_step_waits_for_an_offer_places_nothing_until_continued()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options());
        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Expect.WaitingForOffers("hello-0"),
            Send.PlanCommand("deploy", PlanCommandKind.Interrupt, "hello"),
            Expect.NotWaitingForOffers("hello-0"),
            Send.OffersOfNewAgents(),
            Expect.DeclinedLastOffer(),
            Send.PlanCommand("deploy", PlanCommandKind.Continue, "hello"),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"));
    }
}
