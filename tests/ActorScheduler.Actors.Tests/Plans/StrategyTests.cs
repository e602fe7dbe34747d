using ActorScheduler.Actors.Plans;
using ActorScheduler.Specs.Model;
using static ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class StrategyTests
{
    private static StrategyChild Child(ActorScheduler.Messages.Plans.Status status, bool interrupted = false) => new("c", status, interrupted);

    [Fact]
    public void Serial_offers_only_the_first_incomplete_child()
    {
        var children = new[] { Child(Complete), Child(Starting), Child(Pending) };
        Assert.Equal([1], Strategy.Candidates(StrategyKind.Serial, children, parentInterrupted: false));
    }

    [Fact]
    public void Serial_waits_behind_an_interrupted_or_failed_child()
    {
        Assert.Empty(Strategy.Candidates(StrategyKind.Serial, [Child(Pending, interrupted: true), Child(Pending)], false));
        Assert.Empty(Strategy.Candidates(StrategyKind.Serial, [Child(Error), Child(Pending)], false));
    }

    [Fact]
    public void Dependency_offers_the_eligible_children_whose_prerequisites_are_all_complete()
    {
        StrategyChild Phase(ActorScheduler.Messages.Plans.Status status, params int[] after) => new("p", status, false, Prerequisites: [.. after]);
        var children = new[]
        {
            Phase(Complete), Phase(InProgress), Phase(Pending, 0), Phase(Pending, 0, 1), Phase(Pending), Phase(Pending, 4),
        };

        Assert.Equal([1, 2, 4], Strategy.Candidates(StrategyKind.Dependency, children, false));
        Assert.Empty(Strategy.Candidates(StrategyKind.Dependency, children, parentInterrupted: true));
    }

    [Fact]
    public void Parallel_offers_every_eligible_child()
    {
        var children = new[] { Child(Complete), Child(Pending), Child(Error), Child(Pending, interrupted: true), Child(Starting) };
        Assert.Equal([1, 4], Strategy.Candidates(StrategyKind.Parallel, children, false));
    }

    [Fact]
    public void Parallel_runs_the_steps_of_one_pod_instance_in_order()
    {
        // Two instances with custom steps [[init], [server]]: both inits run at once; a server waits for its own init.
        StrategyChild Step(ActorScheduler.Messages.Plans.Status status, int instance) => new("s", status, false, instance);
        var children = new[] { Step(Complete, 0), Step(Pending, 0), Step(Starting, 1), Step(Pending, 1) };
        Assert.Equal([1, 2], Strategy.Candidates(StrategyKind.Parallel, children, false));
    }

    [Fact]
    public void A_parallel_evaluation_with_the_parents_own_set_allocates_no_large_object_whatever_thread_runs_it()
    {
        // A phase of 10,000 pod instances of one step each, every other one complete. Actors run on whichever pool thread
        // is free: a set kept per thread grew again on each (arrays of ~100 and ~200 KB: large objects).
        var children = Enumerable.Range(0, 10_000)
            .Select(i => new StrategyChild("s", i % 2 == 0 ? Complete : Pending, false, i))
            .ToArray();
        var groups = new HashSet<int>(children.Length);
        Assert.Equal(5_000, Strategy.Candidates(StrategyKind.Parallel, children, false, groups).Count);

        long allocated = 0;
        var thread = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Strategy.Candidates(StrategyKind.Parallel, children, false, groups);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        thread.Start();
        thread.Join();

        // The list of the 5,000 candidates alone (its arrays as it grows: ~64 KB in all).
        Assert.InRange(allocated, 1, 85_000);
    }

    [Fact]
    public void An_interrupted_parent_offers_nothing()
    {
        Assert.Empty(Strategy.Candidates(StrategyKind.Parallel, [Child(Pending)], parentInterrupted: true));
    }

    [Fact]
    public void Display_names_match_the_dcos_cli()
    {
        Assert.Equal("serial", Strategy.DisplayName(StrategyKind.Serial));
        Assert.Equal("parallel-canary", Strategy.DisplayName(StrategyKind.ParallelCanary));
    }
}
