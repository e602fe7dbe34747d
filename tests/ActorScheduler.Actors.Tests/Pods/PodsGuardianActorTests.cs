using ActorScheduler.Actors.Persistence;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.Pods;
using ActorScheduler.Specs;
using Akka.Actor;

namespace ActorScheduler.Actors.Tests.Pods;

/// <summary>The pods guardian's journal of which instances exist, as decommission erases them.</summary>
public sealed class PodsGuardianActorTests : ActorTestKit
{
    private IActorRef? _journal;

    private IActorRef Journal => _journal ??= Sys.ActorOf(EntityJournalActor.Props("svc"));

    [Fact]
    public void Pods_erased_together_are_journaled_and_do_not_come_back_after_a_restart()
    {
        var guardian = Start(Target(4));
        AwaitAssert(() => Assert.Equal(["world-0", "world-1", "world-2", "world-3"], Names(guardian)));

        // A scale-in to one: decommission erases the three others, their ForgetPods arriving together.
        var scaledIn = Target(1);
        guardian.Tell(new TargetChanged(scaledIn));
        foreach (var pod in new[] { "world-3", "world-2", "world-1" })
        {
            guardian.Tell(new ForgetPod(pod));
        }

        AwaitAssert(() => Assert.Equal(["world-0"], Names(guardian)));

        // A restart recovers the erasures: the three are not brought back to be decommissioned again.
        Stop(guardian);
        Assert.Equal(["world-0"], Names(Start(scaledIn)));
    }

    [Fact]
    public void A_pod_wanted_again_before_its_erasure_is_journaled_stays()
    {
        var guardian = Start(Target(2));
        AwaitAssert(() => Assert.Equal(["world-0", "world-1"], Names(guardian)));

        // Scaled in, asked to forget world-1, and scaled out again before the erasure went to the journal.
        guardian.Tell(new TargetChanged(Target(1)));
        guardian.Tell(new ForgetPod("world-1"));
        guardian.Tell(new TargetChanged(Target(2)));

        // Asked twice: the second answer comes after the queued erasure was handled (and its write, if any, done).
        Names(guardian);
        Assert.Equal(["world-0", "world-1"], Names(guardian));
        Stop(guardian);
        Assert.Equal(["world-0", "world-1"], Names(Start(Target(1))));
    }

    [Fact]
    public void A_plan_asking_an_erased_pod_where_it_stands_hears_it_is_erased_and_pods_queued_for_erasure_are_not_left_over()
    {
        var guardian = Start(Target(3));
        AwaitAssert(() => Assert.Equal(["world-0", "world-1", "world-2"], Names(guardian)));
        guardian.Tell(new TargetChanged(Target(1)));
        guardian.Tell(new ForgetPod("world-2"));
        // Queued for erasure, not yet written: a plan starting now does not list it.
        guardian.Tell(new GetLeftoverPods(Target(1)), TestActor);
        Assert.Equal(["world-1"], ExpectMsg<LeftoverPods>().Pods.Select(p => p.Name));

        AwaitAssert(() => Assert.Equal(["world-0", "world-1"], Names(guardian)));
        guardian.Tell(new ForPod("world-2", new AdvanceDecommission(null)), TestActor);
        var progress = ExpectMsg<DecommissionProgress>();
        Assert.Equal(("world-2", ActorScheduler.Actors.Pods.DecommissionStage.Erased), (progress.PodInstance, progress.Stage));
    }

    [Fact]
    public void The_router_hears_how_many_pod_instances_there_are_before_any_pod_speaks_and_again_on_a_larger_target()
    {
        // So it sizes what it keeps by pod instance once, instead of growing it pod by pod through large-object arrays.
        var router = CreateTestProbe();
        var guardian = Sys.ActorOf(PodsGuardianActor.Props(Target(3), Journal, router.Ref, CreateTestProbe().Ref));
        Assert.Equal(3, router.ExpectMsg<PodInstancesExpected>().Count);

        guardian.Tell(new TargetChanged(Target(5)));
        Assert.Equal(5, router.FishForMessage<PodInstancesExpected>(_ => true).Count);
    }

    private static TargetConfig Target(int count) => new($"config-{count}", ServiceSpecLoader.LoadRendered($"""
        name: svc
        pods:
          world:
            count: {count}
            allow-decommission: true
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
        """, "svc.yml").Spec!);

    private IActorRef Start(TargetConfig target) =>
        Sys.ActorOf(PodsGuardianActor.Props(target, Journal, CreateTestProbe().Ref, CreateTestProbe().Ref));

    private void Stop(IActorRef guardian)
    {
        Watch(guardian);
        Sys.Stop(guardian);
        ExpectTerminated(guardian);
    }

    private string[] Names(IActorRef guardian)
    {
        guardian.Tell(PodProtocol.GetPodNames.Instance, TestActor);
        return [.. ExpectMsg<PodProtocol.PodNames>().Names];
    }
}
