using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Actors.Tests.Offers;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;

namespace ActorScheduler.Actors.Tests.Pods;

/// <summary>A launch event writes each footprint resource once and reads back the footprint it was given, in order.</summary>
public sealed class LaunchFootprintTests
{
    [Fact]
    public void A_new_footprint_held_by_the_executor_and_task_is_not_written_again_and_reads_back_in_order()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context);
        var launch = Launch(evaluation);

        LaunchFootprint.Write(launch, evaluation.Footprint);
        var parsed = TaskLaunchRecorded.Parser.ParseFrom(launch.ToByteArray());

        Assert.Empty(launch.Footprint);
        Assert.Equal(evaluation.Footprint.Length, launch.FootprintOrder.Count);
        Assert.Equal(evaluation.Footprint.ToArray(), LaunchFootprint.Read(parsed).ToArray());
    }

    [Fact]
    public void Entries_no_task_holds_and_entries_that_differ_from_the_task_copy_are_written_out()
    {
        var pod = TestOffers.HelloPod();
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), TestOffers.Context);
        var relaunch = OfferEvaluator.Evaluate(
            TestOffers.Requirement(pod, new Footprint("agent-1", "agent-1.local", first.Footprint)),
            TestOffers.WithReserved("agent-1", first.Footprint),
            TestOffers.Context);
        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        var spare = Resources.Reserved("disk", 100, TestOffers.Context.Reservation, "hello-0-spare");
        var footprint = relaunch.Footprint.Add(spare);
        var launch = Launch(relaunch);

        LaunchFootprint.Write(launch, footprint);
        var parsed = TaskLaunchRecorded.Parser.ParseFrom(launch.ToByteArray());

        Assert.Contains(spare, launch.Footprint);
        Assert.Equal(footprint.ToArray(), LaunchFootprint.Read(parsed).ToArray());
    }

    [Fact]
    public void A_footprint_with_an_entry_that_has_no_resource_id_is_written_whole()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context);
        var unlabelled = new Resource { Name = "cpus", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 1 } };
        var footprint = evaluation.Footprint.Add(unlabelled);
        var launch = Launch(evaluation);

        LaunchFootprint.Write(launch, footprint);

        Assert.Empty(launch.FootprintOrder);
        Assert.Equal(footprint.ToArray(), launch.Footprint.ToArray());
        Assert.Equal(footprint.ToArray(), LaunchFootprint.Read(launch).ToArray());
    }

    [Fact]
    public void An_event_written_before_the_order_existed_reads_its_footprint_as_written()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context);
        var launch = Launch(evaluation);
        launch.Footprint.AddRange(evaluation.Footprint);

        Assert.Equal(evaluation.Footprint.ToArray(), LaunchFootprint.Read(launch).ToArray());
    }

    [Fact]
    public void An_order_naming_a_resource_the_event_does_not_hold_is_refused()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context);
        var launch = Launch(evaluation);
        LaunchFootprint.Write(launch, evaluation.Footprint);
        launch.FootprintOrder.Add("no-such-id");

        var error = Assert.Throws<InvalidOperationException>(() => LaunchFootprint.Read(launch));
        Assert.Contains("no-such-id", error.Message);
    }

    private static TaskLaunchRecorded Launch(OfferEvaluation evaluation)
    {
        var launch = new TaskLaunchRecorded { OfferId = "offer-1", AgentId = "agent-1", Hostname = "agent-1.local", Executor = evaluation.Executor };
        launch.Tasks.AddRange(evaluation.Tasks.Select(t => new LaunchedTask { TaskName = t.TaskName, ConfigId = "config-1", TaskInfo = t.Info }));
        return launch;
    }
}
