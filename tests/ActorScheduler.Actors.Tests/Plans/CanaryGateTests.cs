using ActorScheduler.Actors.Plans;
using ActorScheduler.Specs.Model;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class CanaryGateTests
{
    private static List<StrategyChild> Steps(params Status[] statuses) =>
        statuses.Select((s, i) => new StrategyChild($"api-{i}:[server]", s, false)).ToList();

    [Fact]
    public void The_first_two_incomplete_steps_are_the_canaries()
    {
        var gate = CanaryGate.Start(Steps(Status.Complete, Status.Pending, Status.Pending, Status.Pending));

        Assert.Equal<int>([1, 2], gate.Steps);
        Assert.True(gate.InCanary);
        Assert.False(CanaryGate.Start(Steps(Status.Complete, Status.Complete)).InCanary);
    }

    [Theory]
    [InlineData(StrategyKind.SerialCanary)]
    [InlineData(StrategyKind.ParallelCanary)]
    public void Nothing_runs_before_the_first_continue_one_step_after_it_and_everything_after_the_second(StrategyKind kind)
    {
        var steps = Steps(Status.Pending, Status.Pending, Status.Pending, Status.Pending);
        var gate = CanaryGate.Start(steps);

        var (none, waiting) = ParentElement.Evaluate(kind, steps, interrupted: false, hasErrors: false, gate);
        Assert.Empty(none);
        Assert.Equal(Status.Waiting, waiting);

        gate = gate.Proceed();
        var (first, _) = ParentElement.Evaluate(kind, steps, false, false, gate);
        Assert.Equal([0], first);

        // The first canary completed: the second still waits for its continue, and so does the rest.
        steps[0] = steps[0] with { Status = Status.Complete };
        var (held, heldStatus) = ParentElement.Evaluate(kind, steps, false, false, gate);
        Assert.Empty(held);
        Assert.Equal(Status.Waiting, heldStatus);

        gate = gate.Proceed();
        var (rest, _) = ParentElement.Evaluate(kind, steps, false, false, gate);
        Assert.Equal(kind == StrategyKind.SerialCanary ? [1] : [1, 2, 3], rest);
        Assert.False(gate.InCanary);
        Assert.Same(gate, gate.Proceed());
    }

    [Fact]
    public void Held_canary_steps_show_as_waiting_and_others_keep_their_status()
    {
        var gate = CanaryGate.Start(Steps(Status.Pending, Status.Pending, Status.Pending));

        var shown = gate.Apply(Steps(Status.Pending, Status.Prepared, Status.Pending));

        Assert.Equal([Status.Waiting, Status.Waiting, Status.Pending], shown.Select(c => c.Status));
        Assert.Equal([true, true, false], shown.Select(c => c.Interrupted));
    }
}
