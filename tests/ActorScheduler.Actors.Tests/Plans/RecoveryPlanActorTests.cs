using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Plans;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class RecoveryPlanActorTests : ActorTestKit
{
    [Fact]
    public void The_plan_is_reported_again_only_when_a_pod_s_recovery_changes()
    {
        var (parent, pods) = (CreateTestProbe(), CreateTestProbe());
        var plan = parent.ChildActorOf(RecoveryPlanActor.Props("svc", pods.Ref));
        var watch = Assert.IsType<WatchRecovery>(pods.ExpectMsg<ForAllPods>().Message);
        Assert.Equal(plan, watch.Plan);
        Assert.Empty(parent.ExpectMsg<PlanReport>().Info.Phases);

        // "No phase" from pods the plan knows no phase of (a pod told a plan instance before this one, say): nothing to report.
        plan.Tell(new RecoveryPhaseReport("hello-0", null));
        plan.Tell(new RecoveryPhaseReport("hello-1", null));
        plan.Tell(new RecoveryPhaseReport("hello-0", null));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // A pod entering recovery is reported, and so is its leaving it.
        var phase = new PhaseInfo("phase-1", "hello-0", Status.InProgress, "serial", [new StepInfo("step-1", "hello-0", Status.InProgress, "TRANSIENT recovery: task failed")], false);
        plan.Tell(new RecoveryPhaseReport("hello-0", phase));
        Assert.Equal(["hello-0"], parent.ExpectMsg<PlanReport>().Info.Phases.Select(p => p.Name));
        plan.Tell(new RecoveryPhaseReport("hello-0", null));
        Assert.Empty(parent.ExpectMsg<PlanReport>().Info.Phases);
    }
}
