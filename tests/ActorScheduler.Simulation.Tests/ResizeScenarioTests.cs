using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;

namespace ActorScheduler.Simulation.Tests;

/// <summary>A config update that changes a task's cpus, memory or ports relaunches it on its own reservations, changed in place.</summary>
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

    [Fact]
    public async Task Adding_a_static_port_to_a_deployed_pod_reserves_it_in_place_and_keeps_the_other_ports()
    {
        var values = new Dictionary<string, string> { ["WEB_COUNT"] = "1" };
        await using var scenario = new ServiceScenario(Examples.Spec("ports"), new ScenarioOptions { Values = values, AgentResources = new AgentResources(PortsBegin: 31000, PortsEnd: 32000) });
        await scenario.Run(Send.Register(), Send.OffersFor("web"), Expect.Launched("web-0-server"), Expect.AllPlansComplete());
        var cluster = scenario.Cluster!;
        var agent = cluster.AgentOfLaunch("web-0-server");
        var firstPorts = PortsOf(cluster.History.SelectMany(r => r.LaunchedTasks).Single(t => t.Name == "web-0-server"));

        await scenario.Run(
            Send.UpdateSpec(new Dictionary<string, string>(values) { ["ADMIN_ENABLED"] = "true" }),
            Expect.UpdateAccepted(),
            Send.ReofferPod("web", 0),
            Expect.Launched("web-0-server"),
            Expect.AllPlansComplete());

        Assert.Equal(agent, cluster.AgentOfLaunch("web-0-server"));
        var relaunch = cluster.History.Where(r => r.LaunchedTasks.Any(t => t.Name == "web-0-server")).Last();
        var reserved = Assert.Single(relaunch.Operations(OperationType.Reserve)).Reserve.Resources.Single();
        Assert.Equal(31777, ActorScheduler.Actors.Offers.Resources.PortNumber(reserved));
        Assert.Empty(relaunch.Operations(OperationType.Unreserve));
        var ports = PortsOf(relaunch.LaunchedTasks.Single(t => t.Name == "web-0-server"));
        // http and metrics keep their numbers and resource ids; admin joins them.
        Assert.Equal(firstPorts.Append(("admin", 31777, ResourceIdOf(reserved))).OrderBy(p => p.Name, StringComparer.Ordinal), ports);
    }

    private const string SidecarSpec = """
        name: sidecar-svc
        pods:
          app:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.5
                memory: 256
                volume: { path: data, type: ROOT, size: 25 }
        {{#SIDECAR}}
              sidecar:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
                volume: { path: side, type: ROOT, size: 10 }
        {{/SIDECAR}}
        """;

    [Fact]
    public async Task A_task_added_to_a_deployed_pod_is_reserved_beside_its_footprint_and_the_pod_relaunches_on_its_agent()
    {
        await using var scenario = new ServiceScenario(SidecarSpec, new ScenarioOptions { Values = new Dictionary<string, string> { ["SIDECAR"] = "false" } });
        await scenario.Run(Send.Register(), Send.OffersFor("app"), Expect.Launched("app-0-server"), Expect.AllPlansComplete());
        var cluster = scenario.Cluster!;
        var agent = cluster.AgentOfLaunch("app-0-server");
        var firstLaunch = cluster.History.SelectMany(r => r.LaunchedTasks).Single(t => t.Name == "app-0-server");

        await scenario.Run(
            Send.UpdateSpec(new Dictionary<string, string> { ["SIDECAR"] = "true" }),
            Expect.UpdateAccepted(),
            Send.ReofferPod("app", 0),
            Expect.Launched("app-0-server", "app-0-sidecar"),
            Expect.StepStatus("deploy", "app", "app-0:[server, sidecar]", Status.Complete));

        Assert.Equal(agent, cluster.AgentOfLaunch("app-0-sidecar"));
        var relaunch = cluster.History.Where(r => r.LaunchedTasks.Any(t => t.Name == "app-0-sidecar")).Last();
        Assert.Equal(firstLaunch.Resources.Select(ResourceIdOf).Order(), relaunch.LaunchedTasks.Single(t => t.Name == "app-0-server").Resources.Select(ResourceIdOf).Order());
        Assert.Single(relaunch.Operations(OperationType.Create));

        // Reserved equals used on the agent: the sidecar's reservations are its own, nothing leaked.
        var snapshot = await cluster.SnapshotAsync();
        var held = snapshot.Agents.Single(a => a.Id == agent);
        Assert.Equal(held.Used.Cpus, held.Reserved.Cpus, 6);
        Assert.Equal(held.Used.MemMb, held.Reserved.MemMb, 6);
    }

    private static List<(string? Name, int? Number, string? Id)> PortsOf(TaskInfo task) =>
        task.Resources.Where(r => r.Name == "ports")
            .Select(r => (ActorScheduler.Actors.Offers.Resources.PortName(r), ActorScheduler.Actors.Offers.Resources.PortNumber(r), ResourceIdOf(r)))
            .OrderBy(p => p.Item1, StringComparer.Ordinal)
            .ToList();

    private static string? ResourceIdOf(Resource resource) => ActorScheduler.Actors.Offers.Resources.ResourceId(resource);
}
