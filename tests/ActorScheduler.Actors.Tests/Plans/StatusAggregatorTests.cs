using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Plans;
using static ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class StatusAggregatorTests
{
    private static Status Aggregate(Status[] children, Status[] candidates, bool errors = false, bool interrupted = false) =>
        StatusAggregator.Aggregate(children, candidates, errors, interrupted);

    [Fact]
    public void Errors_of_the_parent_or_any_child_make_it_ERROR()
    {
        Assert.Equal(Error, Aggregate([Complete, Complete], [], errors: true));
        Assert.Equal(Error, Aggregate([Complete, Error], []));
    }

    [Fact]
    public void All_children_complete_make_it_COMPLETE_even_when_interrupted()
    {
        Assert.Equal(Complete, Aggregate([Complete, Complete], [], interrupted: true));
    }

    [Fact]
    public void An_interrupted_parent_is_WAITING()
    {
        Assert.Equal(Waiting, Aggregate([Complete, Pending], [Pending], interrupted: true));
    }

    [Fact]
    public void Only_delayed_candidates_make_it_DELAYED()
    {
        Assert.Equal(Delayed, Aggregate([Complete, Delayed], [Delayed]));
    }

    [Fact]
    public void A_prepared_child_makes_it_IN_PROGRESS()
    {
        Assert.Equal(InProgress, Aggregate([Prepared, Pending], [Prepared]));
    }

    [Fact]
    public void A_waiting_candidate_beats_an_in_progress_one()
    {
        Assert.Equal(Waiting, Aggregate([Waiting, InProgress], [Waiting, InProgress]));
    }

    [Fact]
    public void Some_progress_and_pending_candidates_make_it_IN_PROGRESS()
    {
        Assert.Equal(InProgress, Aggregate([Complete, Pending], [Pending]));
        Assert.Equal(InProgress, Aggregate([Complete, Starting], [Starting]));
    }

    [Fact]
    public void Nothing_started_is_PENDING()
    {
        Assert.Equal(Pending, Aggregate([Pending, Pending], [Pending]));
    }

    [Fact]
    public void A_waiting_child_that_is_no_candidate_makes_it_WAITING()
    {
        Assert.Equal(Waiting, Aggregate([Waiting, Pending], []));
    }

    [Fact]
    public void Starting_and_started_candidates_show_through()
    {
        Assert.Equal(Starting, Aggregate([Starting, Pending], [Starting]));
        Assert.Equal(Started, Aggregate([Started, Pending], [Started]));
    }

    [Fact]
    public void No_rule_matching_is_ERROR()
    {
        Assert.Equal(Error, Aggregate([Pending], []));
    }

    [Fact]
    public void A_phase_of_10000_steps_is_evaluated_without_a_list_of_their_statuses()
    {
        // 100 steps left to run, each of its own pod instance: what is allocated is the list of those 100 candidates.
        var children = Enumerable.Range(0, 10_000)
            .Select(i => new StrategyChild("s", i < 9_900 ? Complete : Pending, false, i))
            .ToArray();
        var groups = new HashSet<int>(children.Length);
        Assert.Equal((100, InProgress), Evaluate());

        var before = GC.GetAllocatedBytesForCurrentThread();
        Evaluate();
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 1, 4_000);

        (int, Status) Evaluate()
        {
            var (candidates, status) = ParentElement.Evaluate(ActorScheduler.Specs.Model.StrategyKind.Parallel, children, false, false, blockedGroups: groups);
            return (candidates.Count, status);
        }
    }

    [Fact]
    public void The_rules_read_which_statuses_occur_and_all_of_none_holds()
    {
        var mix = StatusMix.Of([Complete, Delayed, Complete]);
        Assert.True(mix.Has(Delayed) && !mix.Has(Pending) && mix.OnlyOf(Delayed, Complete) && !mix.OnlyOf(Complete));
        Assert.True(default(StatusMix).IsEmpty && default(StatusMix).OnlyOf(Complete));
        Assert.Equal(Complete, Aggregate([], []));
    }
}
