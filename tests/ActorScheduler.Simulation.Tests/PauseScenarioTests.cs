using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary><c>pod pause</c> / <c>pod resume</c> (DC/OS goal-state override PAUSED), also across a restart.</summary>
public sealed class PauseScenarioTests
{
    [Fact]
    public async Task Pause_relaunches_with_a_sleep_in_place_and_resume_relaunches_the_real_command()
    {
        var options = new ScenarioOptions { Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" }, ExpectTimeout = TimeSpan.FromSeconds(20) };
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), options);
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete());
        var agent = scenario.Cluster!.AgentOfLaunch("hello-0-server");

        await scenario.Run(
            Send.PausePod("hello-0"),
            Expect.Killed("hello-0-server"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "PAUSED"),
            Expect.PlanStatus("deploy", Status.Complete),
            // Survives a restart: the paused launch stays as it is.
            Send.RestartScheduler(),
            Expect.TaskShown("hello-0", "hello-0-server", "PAUSED"));

        var paused = scenario.Cluster.History.Last(r => r.LaunchedTasks.Any()).LaunchedTasks.Single();
        Assert.Equal(PauseOverride.SleepCommand, paused.Command.Value);
        Assert.Equal(agent, scenario.Cluster.AgentOfLaunch("hello-0-server"));
        Assert.Empty(scenario.Cluster.History.Last(r => r.LaunchedTasks.Any()).Operations(Offer.Types.Operation.Types.Type.Reserve));

        await scenario.Run(
            Send.ResumePod("hello-0"),
            Expect.Killed("hello-0-server", times: 2),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_RUNNING"));

        var resumed = scenario.Cluster.History.Last(r => r.LaunchedTasks.Any()).LaunchedTasks.Single();
        Assert.Contains("hello from", resumed.Command.Value);
    }
}
