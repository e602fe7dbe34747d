using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;

namespace ActorScheduler.Simulation.Tests;

/// <summary>A config update that changes a task's cpus and memory relaunches it on its own reservations, resized in place.</summary>
public sealed class ResizeScenarioTests
{
    [Fact]
    public async Task Changing_cpus_and_memory_relaunches_in_place_on_resized_reservations_with_the_same_ids()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), new ScenarioOptions { Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" } });
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete());
        var cluster = scenario.Cluster!;
        var agent = cluster.AgentOfLaunch("hello-0-server");
        var firstLaunch = cluster.History.SelectMany(r => r.LaunchedTasks).Single(t => t.Name == "hello-0-server");

        await scenario.Run(
            Send.UpdateSpec(new Dictionary<string, string> { ["WORLD_COUNT"] = "1", ["HELLO_CPUS"] = "0.3", ["HELLO_MEM"] = "300" }),
            Expect.UpdateAccepted(),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete));

        Assert.Equal(agent, cluster.AgentOfLaunch("hello-0-server"));
        var relaunch = cluster.History.Where(r => r.LaunchedTasks.Any(t => t.Name == "hello-0-server")).Last();
        Assert.Contains(relaunch.Operations(OperationType.Reserve), o => o.Reserve.Resources.Any(r => r.Name == "cpus"));
        var task = relaunch.LaunchedTasks.Single(t => t.Name == "hello-0-server");
        Assert.Equal(0.3, task.Resources.Single(r => r.Name == "cpus").Scalar.Value, 6);
        Assert.Equal(300, task.Resources.Single(r => r.Name == "mem").Scalar.Value, 6);
        Assert.Equal(
            firstLaunch.Resources.Where(r => r.Name is "cpus" or "mem").Select(ResourceIdOf).Order(),
            task.Resources.Where(r => r.Name is "cpus" or "mem").Select(ResourceIdOf).Order());

        // Reserved equals used on the agent: the grown part joined the reservation; nothing leaked.
        var snapshot = await cluster.SnapshotAsync();
        var held = snapshot.Agents.Single(a => a.Id == agent);
        Assert.Equal(held.Used.Cpus, held.Reserved.Cpus, 6);
        Assert.Equal(held.Used.MemMb, held.Reserved.MemMb, 6);
    }

    private static string? ResourceIdOf(Resource resource) => ActorScheduler.Actors.Offers.Resources.ResourceId(resource);
}
