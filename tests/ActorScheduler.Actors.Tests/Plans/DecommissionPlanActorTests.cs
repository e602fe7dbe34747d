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
    public void Interrupt_and_continue_of_the_whole_plan_and_forceComplete_of_a_phase_are_taken()
    {
        var (parent, pods) = (CreateTestProbe(), CreateTestProbe());
        var plan = Start(parent, pods, leftovers: 2);

        plan.Tell(new PlanOperation(PlanCommandKind.ForceComplete, [], null, null, "Received cmd: forceComplete"), TestActor);
        var refused = ExpectMsg<PlanProtocol.CommandResult>();
        Assert.Equal(PlanCommandOutcome.BadRequest, refused.Outcome);
        Assert.Contains("forceComplete of a phase (a pod)", refused.Message, StringComparison.Ordinal);
        plan.Tell(new PlanOperation(PlanCommandKind.Restart, [0], null, null, "Received cmd: restart"), TestActor);
        Assert.Equal(PlanCommandOutcome.BadRequest, ExpectMsg<PlanProtocol.CommandResult>().Outcome);

        // One at a time: world-2 is under way, world-1 waits for its turn and cannot be forced yet.
        plan.Tell(new DecommissionProgress("world-2", ActorScheduler.Actors.Pods.DecommissionStage.Killing, false, string.Empty), pods.Ref);
        plan.Tell(new DecommissionProgress("world-1", ActorScheduler.Actors.Pods.DecommissionStage.None, false, string.Empty), pods.Ref);
        plan.Tell(new PlanOperation(PlanCommandKind.ForceComplete, [1], null, null, "Received cmd: forceComplete"), TestActor);
        var waiting = ExpectMsg<PlanProtocol.CommandResult>();
        Assert.Equal((PlanCommandOutcome.BadRequest, "Phase world-1 is not under way: only the decommission of a pod in progress can be force-completed"), (waiting.Outcome, waiting.Message));

        // The pod under way (or a step of it): told to go on without its agent, and to answer the operator once journaled.
        plan.Tell(new PlanOperation(PlanCommandKind.ForceComplete, [0], 0, null, "Received cmd: forceComplete"), TestActor);
        var forced = pods.FishForMessage<ForPod>(m => m.Message is ForceDecommission);
        Assert.Equal("world-2", forced.PodInstance);
        Assert.Equal(TestActor, ((ForceDecommission)forced.Message).ReplyTo);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void The_pod_being_decommissioned_is_asked_its_step_again_so_a_pod_that_restarted_kills_again()
    {
        var (parent, pods) = (CreateTestProbe(), CreateTestProbe());
        var plan = Start(parent, pods, reaskInterval: TimeSpan.FromMilliseconds(300));

        // world-1 reports it is being killed: the plan asks for the kill...
        plan.Tell(new DecommissionProgress("world-1", ActorScheduler.Actors.Pods.DecommissionStage.None, false, string.Empty), pods.Ref);
        Assert.Equal(DecommissionPlan.KillStep, Step(pods.FishForMessage<ForPod>(m => m.Message is AdvanceDecommission)));

        // ...and asks again while no progress comes (a pod actor restarted by its supervisor forgot the kills it sent and
        // whom to report to; asked again, it kills again and reports).
        Assert.Equal(DecommissionPlan.KillStep, Step(pods.FishForMessage<ForPod>(m => m.Message is AdvanceDecommission, TimeSpan.FromSeconds(5))));

        static string? Step(ForPod asked) => ((AdvanceDecommission)asked.Message).Step;
    }

    [Fact]
    public void Left_over_pods_are_decommissioned_as_many_at_once_as_allowed_each_through_its_steps_in_order()
    {
        var (parent, pods) = (CreateTestProbe(), CreateTestProbe());
        var plan = Start(parent, pods, leftovers: 3, parallelism: 3);

        // Each pod reports where it stands: all three are asked to kill, none waiting for another...
        foreach (var index in new[] { 3, 2, 1 })
        {
            plan.Tell(new DecommissionProgress($"world-{index}", ActorScheduler.Actors.Pods.DecommissionStage.None, false, string.Empty), pods.Ref);
        }

        Assert.Equal(
            [("world-3", DecommissionPlan.KillStep), ("world-2", DecommissionPlan.KillStep), ("world-1", DecommissionPlan.KillStep)],
            Enumerable.Range(0, 3).Select(_ => Asked(pods.ExpectMsg<ForPod>())));

        // ...and one whose tasks ended goes on to its next step while the others still wait for their kills.
        plan.Tell(new DecommissionProgress("world-2", ActorScheduler.Actors.Pods.DecommissionStage.Killing, true, string.Empty), pods.Ref);
        Assert.Equal(("world-2", DecommissionPlan.UnreserveStep), Asked(pods.ExpectMsg<ForPod>()));
        var report = parent.FishForMessage<PlanReport>(r => r.Info.Phases[1].Steps[0].Status == Status.Complete).Info;
        Assert.Equal(["world-3", "world-2", "world-1"], report.Phases.Select(p => p.Name));
        Assert.Equal(Status.InProgress, report.Status);

        static (string Pod, string? Step) Asked(ForPod asked) => (asked.PodInstance, ((AdvanceDecommission)asked.Message).Step);
    }

    [Fact]
    public void One_at_a_time_the_next_pod_is_asked_only_once_the_one_before_is_erased()
    {
        var (parent, pods) = (CreateTestProbe(), CreateTestProbe());
        var plan = Start(parent, pods, leftovers: 2);

        plan.Tell(new DecommissionProgress("world-2", ActorScheduler.Actors.Pods.DecommissionStage.None, false, string.Empty), pods.Ref);
        plan.Tell(new DecommissionProgress("world-1", ActorScheduler.Actors.Pods.DecommissionStage.None, false, string.Empty), pods.Ref);
        Assert.Equal("world-2", pods.ExpectMsg<ForPod>().PodInstance);
        pods.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        plan.Tell(new DecommissionProgress("world-2", ActorScheduler.Actors.Pods.DecommissionStage.Erased, true, string.Empty), pods.Ref);
        Assert.Equal(("world-1", DecommissionPlan.KillStep), pods.FishForMessage<ForPod>(m => m.Message is AdvanceDecommission) is var asked
            ? (asked.PodInstance, ((AdvanceDecommission)asked.Message).Step) : default);
    }

    [Fact]
    public void A_pod_that_never_reported_is_asked_where_it_stands_again()
    {
        var (parent, pods) = (CreateTestProbe(), CreateTestProbe());
        Start(parent, pods, reaskInterval: TimeSpan.FromMilliseconds(300));

        // world-1 was asked where it stands at the start and never answered (its actor failed first): asked again.
        var asked = pods.FishForMessage<ForPod>(m => m.Message is AdvanceDecommission, TimeSpan.FromSeconds(5));
        Assert.Equal(("world-1", null), (asked.PodInstance, ((AdvanceDecommission)asked.Message).Step));
    }

    /// <summary>
    /// Starts the plan under <paramref name="parent"/>; the pods answer that world-1 … world-<paramref name="leftovers"/>
    /// are left over (highest first, as the pods guardian orders them).
    /// </summary>
    private IActorRef Start(Akka.TestKit.TestProbe parent, Akka.TestKit.TestProbe pods, TimeSpan? reaskInterval = null, int leftovers = 1, int parallelism = 1)
    {
        var plan = parent.ChildActorOf(DecommissionPlanActor.Props(Target, pods.Ref, reaskInterval, parallelism));
        pods.ExpectMsg<GetLeftoverPods>();
        pods.Reply(new LeftoverPods([.. Enumerable.Range(1, leftovers).Reverse().Select(i => new PodInstanceRef("world", i))]));
        for (var i = 0; i < leftovers; i++)
        {
            pods.ExpectMsg<ForPod>();
        }

        return plan;
    }
}
