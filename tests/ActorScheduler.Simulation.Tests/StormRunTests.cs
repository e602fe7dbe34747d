using ActorScheduler.Actors.Offers;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Simulation.Tests;

public sealed class StormRunTests
{
    [Fact]
    public async Task StormRun_should_place_every_pod_through_the_scheduler_and_recover_after_a_restart()
    {
        var progress = new List<StormProgress>();
        var run = new StormRun(new StormRunOptions
        {
            Agents = 20,
            Pods = 20,
            OffersPerSecond = 200,
            Timeout = TimeSpan.FromSeconds(60),
            Progress = progress.Add,
            ProgressInterval = TimeSpan.FromMilliseconds(200),
        });

        var result = await run.RunAsync();

        Assert.True(result.DeployComplete, $"deploy not complete: {result}");
        Assert.Equal(20, result.Placed);
        Assert.True(result.OfferCycles > 0, $"no offer cycle measured: {result}");
        Assert.Equal(0, result.UnansweredOffers);
        Assert.True(result.P99CycleMs >= result.P50CycleMs);
        // Each cycle says how its offers were answered: nothing answered twice, the pods' launches among the ACCEPTs.
        Assert.Equal(result.OfferCycles, result.Cycles.Count);
        Assert.All(result.Cycles, c => Assert.InRange(c.Accepted + c.Declined, 1, c.Offers));
        Assert.True(result.Cycles.Sum(c => c.Accepted) > 0, $"no cycle accepted an offer: {string.Join(", ", result.Cycles)}");
        // The scheduler-side figures end when the scheduler sent its answers, before the master's queue: never later.
        Assert.InRange(result.P50SchedulerCycleMs, 0, result.P50CycleMs);
        Assert.InRange(result.P99SchedulerCycleMs, result.P50SchedulerCycleMs, result.P99CycleMs);
        // The start-up of the deploy: the first launch comes after the first offer and before the first placement.
        Assert.InRange(result.FirstLaunchSeconds!.Value, 0, result.FirstPlacementSeconds!.Value);
        // The scheduler timed its own offer cycles (offers.process) while it placed them.
        Assert.True(result.ProcessCycles > 0, $"no offer cycle timed: {result}");
        Assert.InRange(result.P50ProcessMs, 0, result.P99ProcessMs);
        Assert.True(result.P99ProcessMs > 0, $"offer cycles timed at 0 ms: {result}");
        // The router's own part of the cycles (offers.evaluate) is timed too.
        Assert.InRange(result.P50EvaluateMs, 0, result.P99EvaluateMs);
        Assert.True(result.P99EvaluateMs > 0, $"offer evaluations timed at 0 ms: {result}");
        // Placing pods allocates: the deploy's allocation is counted (more than a kilobyte per pod).
        Assert.True(result.DeployAllocatedBytes > 20 * 1024, $"deploy allocation not counted: {result}");
        Assert.NotNull(result.RestartToReadySeconds);
        Assert.Null(result.JournalEventsDuringDeploy); // nothing counted them
        // The timeline starts at the first offer and accounts for every placement and launch of the deploy.
        Assert.True(result.Timeline[0].Offers > 0, "the first slice starts with the first offer");
        Assert.Equal(result.Placed, result.Timeline.Sum(s => s.Placed));
        Assert.InRange(result.Timeline.Sum(s => s.Launched), result.Placed, int.MaxValue);
        Assert.Equal(Enumerable.Range(0, result.Timeline.Count).Select(i => i * 100.0), result.Timeline.Select(s => s.FromMs));
    }

    [Fact]
    public async Task The_deploys_garbage_collections_and_their_pauses_are_counted_in_its_span()
    {
        // Every progress report, during the deploy, forces a full collection: they are all in the figures.
        var forced = 0;
        var run = new StormRun(new StormRunOptions
        {
            Agents = 10,
            Pods = 10,
            OffersPerSecond = 100,
            Timeout = TimeSpan.FromSeconds(60),
            Restart = false,
            ProgressInterval = TimeSpan.Zero,
            Progress = _ =>
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true);
                forced++;
            },
        });

        var result = await run.RunAsync();

        Assert.True(result.DeployComplete, $"deploy not complete: {result}");
        Assert.True(forced > 0, "no progress reported during the deploy");
        Assert.InRange(result.DeployCollections.Gen2, forced, int.MaxValue);
        Assert.InRange(result.DeployCollections.Gen1, result.DeployCollections.Gen2, int.MaxValue);
        Assert.InRange(result.DeployCollections.Gen0, result.DeployCollections.Gen1, int.MaxValue);
        Assert.True(result.DeployGcPauseSeconds > 0, $"no pause counted: {result}");
    }

    [Fact]
    public async Task Every_stage_is_reported_with_a_zero_interval_even_one_that_is_over_at_its_first_check()
    {
        // The restarted scheduler's deploy is complete before the restart stage first asks: that stage is reported all
        // the same (a report due comes before the check that may end the wait).
        var stages = new List<string>();
        var run = new StormRun(new StormRunOptions
        {
            Agents = 4,
            Pods = 4,
            OffersPerSecond = 100,
            Timeout = TimeSpan.FromSeconds(60),
            ProgressInterval = TimeSpan.Zero,
            Progress = p => stages.Add(p.Stage),
        });

        var result = await run.RunAsync();

        Assert.True(result.DeployComplete, $"deploy not complete: {result}");
        Assert.NotNull(result.RestartToReadySeconds);
        Assert.Equal(["deploy", "restart"], stages.Distinct());
    }

    [Fact]
    public async Task A_storm_with_the_master_allocating_places_every_pod_on_the_offers_it_keeps()
    {
        // 40 pods on 20 agents, the master allocating every 3 s: the scheduler places them on the first allocation's
        // offers, keeping what it needs across its capped cycles of two claims (on a slow machine the next allocations,
        // which re-offer the agents in use, may come before the last pod runs). Declining all but twice the offers a
        // cycle used, as it once did, took seven allocations.
        var run = new StormRun(new StormRunOptions
        {
            Agents = 20,
            Pods = 40,
            Allocation = StormAllocation.Master,
            AllocationInterval = TimeSpan.FromSeconds(3),
            MaxClaimsPerCycle = 2,
            Timeout = TimeSpan.FromSeconds(30),
            Restart = false,
        });

        var result = await run.RunAsync();

        Assert.True(result.DeployComplete, $"deploy not complete: {result}");
        Assert.Equal(40, result.Placed);
        Assert.InRange(result.OfferBatches, 1, 3);
        Assert.Equal(0, result.UnansweredOffers);
        Assert.False(result.DeployDeclines.ContainsKey(DeclineReasons.CycleFull.Metric));
    }

    [Fact]
    public async Task A_storm_with_the_master_allocating_and_no_offer_holding_places_two_pods_an_allocation()
    {
        // The same capped cycles of two claims holding no offers (run --offer-holding none): each allocation's cycle
        // declines what it leaves, so the 20 pods take ten allocations at least, where holding took one to three.
        var run = new StormRun(new StormRunOptions
        {
            Agents = 20,
            Pods = 20,
            Allocation = StormAllocation.Master,
            AllocationInterval = TimeSpan.FromMilliseconds(250),
            MaxClaimsPerCycle = 2,
            OfferHold = OfferHoldMode.None,
            Timeout = TimeSpan.FromSeconds(60),
            Restart = false,
        });

        var result = await run.RunAsync();

        Assert.True(result.DeployComplete, $"deploy not complete: {result}");
        Assert.Equal(20, result.Placed);
        Assert.InRange(result.OfferBatches, 10, int.MaxValue);
        Assert.Equal(0, result.UnansweredOffers);
        // Declined as capped cycles that hold nothing, never as not kept (that is holding's word).
        Assert.InRange(result.DeployDeclines.GetValueOrDefault(DeclineReasons.CycleFull.Metric), 1, long.MaxValue);
        Assert.False(result.DeployDeclines.ContainsKey(DeclineReasons.NotNeeded.Metric));
    }

    [Fact]
    public async Task A_spreading_fitness_keeps_a_real_masters_whole_batch_for_its_capped_cycles()
    {
        // One small pod type on agents where dozens fit: binpack (the default) spreads the pods, one or two an offer, so a
        // capped cycle of 8 claims accepts ~8 offers. Counting room as what fits (up to a cycle's claims an offer), the
        // router kept a few offers of the batch and declined the rest (filtered for 5 s): pods waited for the master's
        // next allocation. Counted as what a cycle put on an offer, the first allocation's offers place every pod.
        var run = new StormRun(new StormRunOptions
        {
            Agents = 60,
            Pods = 60,
            Allocation = StormAllocation.Master,
            AllocationInterval = TimeSpan.FromSeconds(20),
            MaxClaimsPerCycle = 8,
            Timeout = TimeSpan.FromSeconds(60),
            Restart = false,
        });

        var result = await run.RunAsync();

        Assert.True(result.DeployComplete, $"deploy not complete: {result}");
        Assert.Equal(60, result.Placed);
        Assert.Equal(1, result.OfferBatches);
    }

    [Fact]
    public async Task A_storm_pods_placement_rule_holds_on_every_agent()
    {
        var perAgent = await LaunchesPerAgentAsync(new StormRunOptions
        {
            Agents = 20,
            Pods = 30,
            OffersPerSecond = 300,
            Placement = "[[\"hostname\", \"MAX_PER\", \"2\"]]",
        });

        Assert.Equal(30, perAgent.Sum());
        Assert.All(perAgent, count => Assert.InRange(count, 1, 2));
    }

    [Fact]
    public async Task A_unique_pod_gets_an_agent_of_its_own_with_the_master_allocating()
    {
        // Each allocation re-offers the agents already used (what their pods left): the rule refuses them, so the router
        // keeps the offers of unused agents for its capped cycles, not the newest.
        var perAgent = await LaunchesPerAgentAsync(new StormRunOptions
        {
            Agents = 20,
            Pods = 16,
            Allocation = StormAllocation.Master,
            MaxClaimsPerCycle = 2,
            Placement = "[[\"hostname\", \"UNIQUE\"]]",
        });

        Assert.Equal(16, perAgent.Count);
        Assert.All(perAgent, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task A_storm_run_forces_its_faults_where_pods_run_and_waits_for_the_agents_to_come_back()
    {
        // Dice that never fault: the faults are the forced ones, made once half the pods ran.
        EmulatorSnapshot? end = null;
        IReadOnlyList<ClusterRecord> history = [];
        var run = new StormRun(new StormRunOptions
        {
            Agents = 10,
            Pods = 10,
            OffersPerSecond = 100,
            AgentReturnAfter = TimeSpan.FromSeconds(1),
            ForcedFaults = [StormActionKind.AgentGone, StormActionKind.Rescind, StormActionKind.AgentLost],
            Timeout = TimeSpan.FromSeconds(60),
            Restart = false,
            Inspect = async cluster =>
            {
                end = await cluster.SnapshotAsync();
                history = cluster.History;
            },
        });

        var result = await run.RunAsync();

        Assert.True(result.DeployComplete, $"deploy not complete: {result}");
        var faults = run.ForcedFaults;
        Assert.Equal([StormActionKind.Rescind, StormActionKind.AgentLost, StormActionKind.AgentGone], faults.Select(f => f.Kind));
        Assert.Contains(history, r => r.Event is { Type: Event.Types.Type.Rescind } e && e.Rescind.OfferId.Value == faults[0].Detail);
        // The agents lost and marked gone ran pods: the scheduler heard their tasks were unreachable, and gone.
        Assert.Contains(history, r => r.Event is { Type: Event.Types.Type.Update } e
            && e.Update.Status.State == TaskState.TaskUnreachable && e.Update.Status.AgentId.Value == faults[1].AgentId);
        Assert.Contains(history, r => r.Event is { Type: Event.Types.Type.Update } e
            && e.Update.Status.State == TaskState.TaskGoneByOperator && e.Update.Status.AgentId.Value == faults[2].AgentId);
        // Both were back before the run's checks: the lost agent registered again, the gone one under a new id.
        Assert.Equal(AgentSnapshot.Registered, end!.Agents.Single(a => a.Id == faults[1].AgentId).State);
        Assert.DoesNotContain(end.Agents, a => a.Id == faults[2].AgentId);
        Assert.DoesNotContain(end.Agents, a => a.State != AgentSnapshot.Registered);
    }

    [Fact]
    public async Task A_storm_run_restarts_the_scheduler_only_once_it_read_the_forced_faults()
    {
        // Storm steps two seconds apart: the deploy, one cycle on the first step's offers, ends long before the next step,
        // which makes the faults. Restarted at once, the scheduler would be away when they came.
        IReadOnlyList<ClusterRecord> history = [];
        var run = new StormRun(new StormRunOptions
        {
            Agents = 10,
            Pods = 10,
            OffersPerSecond = 100,
            OfferInterval = TimeSpan.FromSeconds(2),
            AgentReturnAfter = TimeSpan.FromSeconds(1),
            ForcedFaults = [StormActionKind.Rescind, StormActionKind.AgentLost],
            Timeout = TimeSpan.FromSeconds(60),
            Inspect = cluster =>
            {
                history = cluster.History;
                return Task.CompletedTask;
            },
        });

        var result = await run.RunAsync();

        Assert.NotNull(result.RestartToReadySeconds);
        var restarted = history.Where(r => r.Event?.Type == Event.Types.Type.Subscribed).Skip(1).First().Sequence;
        var faults = run.ForcedFaults;
        Assert.Contains(history, r => r.Sequence < restarted && r.Event is { Type: Event.Types.Type.Rescind } e && e.Rescind.OfferId.Value == faults[0].Detail);
        Assert.Contains(history, r => r.Sequence < restarted && r.Event is { Type: Event.Types.Type.Failure } e && e.Failure.AgentId.Value == faults[1].AgentId);
    }

    /// <summary>Runs a deploy (no restart, 60 s at most) that must place every pod; the tasks launched on each agent used.</summary>
    private static async Task<List<int>> LaunchesPerAgentAsync(StormRunOptions options)
    {
        IReadOnlyList<ClusterRecord> history = [];
        var result = await new StormRun(options with
        {
            Timeout = TimeSpan.FromSeconds(60),
            Restart = false,
            Inspect = cluster =>
            {
                history = cluster.History;
                return Task.CompletedTask;
            },
        }).RunAsync();

        Assert.True(result.DeployComplete, $"deploy not complete: {result}");
        Assert.Equal(options.Pods, result.Placed);
        return history.SelectMany(r => r.LaunchedTasks).GroupBy(t => t.AgentId.Value).Select(g => g.Count()).ToList();
    }

    [Fact]
    public void StormRun_should_reject_an_empty_run()
    {
        var error = Assert.Throws<ArgumentException>(() => new StormRun(new StormRunOptions { Pods = 0 }));
        Assert.Contains("pods 0", error.Message);
        var claims = Assert.Throws<ArgumentException>(() => new StormRun(new StormRunOptions { MaxClaimsPerCycle = 0 }));
        Assert.Contains("at least one claim per offer cycle (got 0)", claims.Message);
        var interval = Assert.Throws<ArgumentException>(() => new StormRun(new StormRunOptions { OfferInterval = TimeSpan.Zero }));
        Assert.Contains("offer interval of at least 1 ms (got 0 ms)", interval.Message);
        var allocation = Assert.Throws<ArgumentException>(() => new StormRun(new StormRunOptions { Allocation = StormAllocation.Master, AllocationInterval = TimeSpan.Zero }));
        Assert.Contains("AllocationInterval must be positive", allocation.Message);
        var scaleIn = Assert.Throws<ArgumentException>(() => new StormRun(new StormRunOptions { Pods = 10, ScaleInTo = 10 }));
        Assert.Contains("fewer than it deploys (got 10 of 10)", scaleIn.Message);
        Assert.Throws<ArgumentException>(() => new StormRun(new StormRunOptions { Pods = 10, ScaleInTo = 0 }));
        var hold = Assert.Throws<ArgumentException>(() => new StormRun(new StormRunOptions { OfferHold = (OfferHoldMode)5 }));
        Assert.Contains("backlog or none (got 5)", hold.Message);
        var forced = Assert.Throws<ArgumentException>(() => new StormRun(new StormRunOptions { ForcedFaults = [StormActionKind.AgentLost, StormActionKind.Offer] }));
        Assert.Contains("an agent lost and an agent gone (got Offer)", forced.Message);
    }
}
