using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Plans;

namespace ActorScheduler.Specs.Tests.Plans;

/// <summary>Which plans run: the update plan replaces deploy once a deployment has completed (DC/OS selectDeployPlan).</summary>
public sealed class PlansToRunTests
{
    private static readonly ServiceSpec _spec = ServiceSpecLoader.LoadRendered("""
        name: svc
        pods:
          web:
            count: 2
            tasks:
              server: {goal: RUNNING, cmd: sleep 1, cpus: 0.1, memory: 32}
        plans:
          deploy:
            strategy: serial
            phases:
              web: {pod: web, strategy: serial}
          update:
            strategy: parallel
            phases:
              web: {pod: web, strategy: parallel}
          backup:
            phases:
              web: {pod: web}
        """, "svc.yml").Spec!;

    [Fact]
    public void Before_the_first_completed_deployment_deploy_runs_and_update_is_not_listed()
    {
        var plans = PlanGenerator.PlansToRun(_spec, deploymentCompleted: false);

        Assert.Equal(["deploy", "backup"], plans.Select(p => p.Name));
        Assert.Equal(StrategyKind.Serial, plans[0].Phases[0].Strategy);
    }

    [Fact]
    public void After_a_completed_deployment_the_update_plan_runs_as_deploy()
    {
        var plans = PlanGenerator.PlansToRun(_spec, deploymentCompleted: true);

        Assert.Equal(["deploy", "backup"], plans.Select(p => p.Name));
        Assert.Equal((StrategyKind.Parallel, StrategyKind.Parallel), (plans[0].Strategy, plans[0].Phases[0].Strategy));
    }

    [Fact]
    public void Without_an_update_plan_deploy_stays_deploy()
    {
        var spec = _spec with { Plans = [.. _spec.Plans.Where(p => p.Name != "update")] };

        Assert.Equal(spec.Plans.AsEnumerable(), PlanGenerator.PlansToRun(spec, deploymentCompleted: true).AsEnumerable());
    }
}
