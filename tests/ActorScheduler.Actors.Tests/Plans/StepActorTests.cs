using System.Collections.Immutable;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Actors.Tests.Offers;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class StepActorTests : ActorTestKit
{
    private static readonly PodSpec Pod = TestOffers.HelloPod();
    private static readonly TargetConfig Target = new("config-1", new ServiceSpec("hello-world", null, [Pod], []));
    private static readonly StepSpec Step = new("hello-0:[server]", 0, ["server"]);

    [Fact]
    public void A_step_tells_its_phase_only_what_changed_of_its_status_and_message()
    {
        var (phase, pods) = (CreateTestProbe(), CreateTestProbe());
        var journal = Sys.ActorOf(EntityJournalActor.Props("hello-world"));
        var step = phase.ChildActorOf(StepActor.Props("hello-world/plan/deploy", "deploy", 0, "hello", Step, Target, pods, journal));
        Assert.IsType<GetTaskProgress>(pods.ExpectMsg<ForPod>().Message);

        step.Tell(new TaskProgressReport("hello-0", [], Prepared: false, "waiting for offers"));
        Assert.Equal((Status.Pending, "waiting for offers"), Shown(phase.ExpectMsg<StepReport>()));

        // The pod reports again with nothing new for the phase (each launch is reported several times over): nothing sent.
        step.Tell(new TaskProgressReport("hello-0", [], Prepared: false, "waiting for offers"));
        // A new message is sent, and so is a new status.
        step.Tell(new TaskProgressReport("hello-0", [], Prepared: false, "no offer fits"));
        Assert.Equal((Status.Pending, "no offer fits"), Shown(phase.ExpectMsg<StepReport>()));
        step.Tell(new TaskProgressReport("hello-0", [], Prepared: true, "no offer fits"));
        Assert.Equal((Status.Prepared, "no offer fits"), Shown(phase.ExpectMsg<StepReport>()));
    }

    private static (Status, string) Shown(StepReport report) => (report.Info.Status, report.Info.Message);
}
