using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// The roles the framework subscribes with outlive an update and a restart while reservations of a removed pod type may
/// still be held under them, and are dropped once none is.
/// </summary>
public sealed class FrameworkRolesScenarioTests
{
    private const string Spec = """
        name: roles-svc
        pods:
          app:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
        {{#WITH_EDGE}}
          edge:
            count: 1
            allow-decommission: true
            pre-reserved-role: slave_public
            tasks:
              proxy:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.2
                memory: 64
        {{/WITH_EDGE}}
        """;

    private static readonly string Role = ServiceSpec.RoleOf("roles-svc");

    private static readonly string Refined = $"slave_public/{Role}";

    [Fact]
    public async Task A_restarted_scheduler_keeps_the_role_of_a_removed_pod_type_until_its_reservations_are_collected()
    {
        var options = new ScenarioOptions { Values = new Dictionary<string, string> { ["WITH_EDGE"] = "true" }, ExpectTimeout = TimeSpan.FromSeconds(20) };
        await using var scenario = new ServiceScenario(Spec, options);
        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Send.OffersFor("app"),
            Expect.Launched("app-0-server"),
            Send.TaskStatus("app-0-server", TaskState.TaskRunning),
            Send.OffersFor("edge", resources: AgentResources.Default with { Reserved = "cpus(slave_public):1;mem(slave_public):512;disk(slave_public):512" }),
            Expect.Launched("edge-0-proxy"),
            Send.TaskStatus("edge-0-proxy", TaskState.TaskRunning),
            Expect.AllPlansComplete(),
            Expect.FrameworkRoles(Role, Refined));

        await scenario.Run(
            Send.UpdateSpec(new Dictionary<string, string> { ["WITH_EDGE"] = "false" }),
            Expect.UpdateAccepted(),
            Expect.StepStatus("decommission", "edge-0", "unreserve-resources", Status.Starting),
            // The edge pod's reservations are refined for slave_public/<role>: only a framework with that role is offered
            // them, so the restarted scheduler subscribes with it though its spec no longer names it.
            Send.RestartScheduler(),
            Expect.FrameworkRoles(Role, Refined),
            Expect.StepStatus("decommission", "edge-0", "unreserve-resources", Status.Starting),
            Send.ReofferAgentOf("edge-0-proxy"),
            Expect.UnreservedResources(),
            Send.ReofferAgentOf("edge-0-proxy"),
            Expect.PlanStatus("decommission", Status.Complete),
            Expect.PodGone("edge-0"),
            // Nothing of ours is held under it any more: the role is dropped, and stays dropped after a restart.
            Expect.FrameworkRoles(Role),
            Send.RestartScheduler(),
            Expect.ReconciledExplicitly("app-0-server"),
            Expect.FrameworkRoles(Role));
    }
}
