using System.Collections.Immutable;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class DecommissionPlanActorTests : ActorTestKit
{
    private const string Spec = """
        name: svc
        pods:
          world:
            count: 1
            allow-decommission: true
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
        """;

    private static readonly TargetConfig Target = new("config-2", ServiceSpecLoader.LoadRendered(Spec, "svc.yml").Spec!);

    [Fact]
    public void An_interrupted_decommission_stays_interrupted_after_a_restart()
    {
        var (parent, pods) = (CreateTestProbe(), CreateTestProbe());
        var plan = Start(parent, pods);

        plan.Tell(new PlanOperation(PlanCommandKind.Interrupt, [], null, null, "Received cmd: interrupt"), TestActor);
        Assert.Equal(PlanCommandOutcome.Accepted, ExpectMsg<PlanProtocol.CommandResult>().Outcome);
        AwaitAssert(() => Assert.True(parent.ExpectMsg<PlanReport>().Info.Interrupted));

        Watch(plan);
        Sys.Stop(plan);
        ExpectTerminated(plan);
        Start(parent, pods);

        var report = parent.FishForMessage<PlanReport>(_ => true).Info;
        Assert.True(report.Interrupted);
        Assert.Equal(Status.Waiting, report.Status);
    }

    [Fact]
    public void Only_interrupt_and_continue_of_the_whole_plan_are_taken()
    {
        var (parent, pods) = (CreateTestProbe(), CreateTestProbe());
        var plan = Start(parent, pods);

        plan.Tell(new PlanOperation(PlanCommandKind.ForceComplete, [], null, null, "Received cmd: forceComplete"), TestActor);
        var refused = ExpectMsg<PlanProtocol.CommandResult>();
        Assert.Equal(PlanCommandOutcome.BadRequest, refused.Outcome);
        Assert.Contains("only interrupt and continue", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Starts the plan under <paramref name="parent"/>; the pods answer that world-1 is left over.</summary>
    private IActorRef Start(Akka.TestKit.TestProbe parent, Akka.TestKit.TestProbe pods)
    {
        var plan = parent.ChildActorOf(DecommissionPlanActor.Props(Target, pods.Ref));
        pods.ExpectMsg<GetLeftoverPods>();
        pods.Reply(new LeftoverPods([new PodInstanceRef("world", 1)]));
        pods.ExpectMsg<ForPod>();
        return plan;
    }
}
