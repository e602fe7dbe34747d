using ActorScheduler.Actors;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Emulator.Faults;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// One test per fault kind: the real scheduler deploys hello-world on the emulator, the fault hits mid-deploy (once
/// hello-0 runs and the world phase has begun), and the scheduler converges: the deploy completes, no task is launched
/// twice (only tasks the fault killed are launched again), and every reserved resource belongs to a live task.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class FaultConvergenceTests
{
    private const string Hello = "hello-0-server";

    [Fact]
    public async Task Converges_after_its_stream_is_severed()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path);
        await HelloRunsAsync(scheduler);

        await scheduler.Emulator.Faults.SeverStreamAsync(FrameworkId(scheduler));

        await ResubscribedAsync(scheduler);
        await AssertConvergedAsync(scheduler);
    }

    [Fact]
    public async Task Converges_after_its_stream_stalls_and_the_heartbeat_watchdog_fires()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path);
        await HelloRunsAsync(scheduler);

        await scheduler.Emulator.Faults.StallStreamAsync(FrameworkId(scheduler));

        await ResubscribedAsync(scheduler);
        await AssertConvergedAsync(scheduler);
    }

    [Fact]
    public async Task Converges_when_status_updates_are_dropped()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path, o =>
        {
            o.StatusUpdateFaults = new StatusUpdateFaults(DropProbability: 0.3);
            o.Seed = 11;
        });

        await AssertConvergedAsync(scheduler);
        Assert.True((await scheduler.Emulator.Faults.StateAsync()).Dropped > 0);
    }

    [Fact]
    public async Task Converges_when_status_updates_are_duplicated_and_the_copies_arrive_late()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path, o =>
        {
            o.StatusUpdateFaults = new StatusUpdateFaults(DuplicateProbability: 0.5, Delay: TimeSpan.FromMilliseconds(700));
            o.Seed = 12;
        });

        await AssertConvergedAsync(scheduler);
        Assert.True((await scheduler.Emulator.Faults.StateAsync()).Duplicated > 0);
    }

    [Fact]
    public async Task Converges_when_status_updates_are_delayed()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path, o =>
        {
            o.StatusUpdateFaults = new StatusUpdateFaults(DelayProbability: 0.5, Delay: TimeSpan.FromMilliseconds(700));
            o.Seed = 13;
        });

        await AssertConvergedAsync(scheduler);
        Assert.True((await scheduler.Emulator.Faults.StateAsync()).Delayed > 0);
    }

    [Fact]
    public async Task Converges_when_an_agent_is_lost_and_returns_without_relaunching_its_tasks()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path);
        var agent = await HelloRunsAsync(scheduler);
        var helloId = (await scheduler.TasksAsync())[Hello].Id;

        await scheduler.Emulator.Faults.LoseAgentAsync(agent);
        await scheduler.WaitUntilAsync(async () => (await scheduler.TasksAsync())[Hello].Status == "TASK_UNREACHABLE", "the scheduler saw hello unreachable");
        await scheduler.Emulator.Faults.ReturnAgentAsync(agent);

        await AssertConvergedAsync(scheduler);
        Assert.Equal(helloId, (await scheduler.TasksAsync())[Hello].Id);
    }

    [Fact]
    public async Task Converges_when_an_agent_is_marked_gone_and_restarted_replacing_the_pod_on_a_new_footprint()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path);
        var agent = await HelloRunsAsync(scheduler);
        var helloId = (await scheduler.TasksAsync())[Hello].Id;

        await scheduler.Emulator.Faults.MarkAgentGoneAsync(agent);
        // Gone, or already replaced (offers come at once for the new footprint: the gone state may not last a poll).
        await scheduler.WaitUntilAsync(
            async () => (await scheduler.TasksAsync())[Hello] is var hello && (hello.Status == "TASK_GONE_BY_OPERATOR" || hello.Id != helloId),
            "the scheduler saw hello gone");
        await scheduler.Emulator.Faults.RestartAgentAsync(agent);

        // TASK_GONE_BY_OPERATOR is a permanent failure (DC/OS): a new footprint, and the old reservations the restarted
        // agent brings back are collected (AssertConvergedAsync checks that none leaked).
        await AssertConvergedAsync(scheduler);
        Assert.Single(scheduler.Emulator.Snapshot().Tasks, t => t.Name == Hello && t.State == "TASK_RUNNING");
    }

    [Fact]
    public async Task Collects_a_replaced_pods_reservations_when_its_gone_agent_comes_back_after_the_deploy_completed()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path);
        var agent = await HelloRunsAsync(scheduler);

        await scheduler.Emulator.Faults.MarkAgentGoneAsync(agent);
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, "deploy COMPLETE, hello replaced on a new footprint", TimeSpan.FromSeconds(120));

        // With nothing left to deploy, the next offers find the scheduler idle (it would suppress offers then); only
        // after that does the agent come back, under a new id, with the replaced footprint's reservations.
        var declines = scheduler.Emulator.History().CallCount("DECLINE");
        await scheduler.WaitUntilAsync(() => Task.FromResult(scheduler.Emulator.History().CallCount("DECLINE") > declines), "offers declined after the deploy completed");
        await scheduler.Emulator.Faults.RestartAgentAsync(agent);

        await AssertConvergedAsync(scheduler);
        await scheduler.WaitUntilAsync(() => Task.FromResult(scheduler.Emulator.History().CallCount("SUPPRESS") > 0), "offers suppressed once the reservations were collected");
    }

    [Fact]
    public async Task A_sweep_collects_a_replaced_pods_reservations_when_its_gone_agent_comes_back_after_the_router_stopped_waiting()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(
            data.Path, adjust: s => s with { GivenUpPatience = TimeSpan.FromSeconds(1), ReservationSweepInterval = TimeSpan.FromSeconds(3) });
        var agent = await HelloRunsAsync(scheduler);

        await scheduler.Emulator.Faults.MarkAgentGoneAsync(agent);
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, "deploy COMPLETE, hello replaced on a new footprint", TimeSpan.FromSeconds(120));

        // The router waits its patience for the gone agent to show the replaced footprint's reservations gone, then stops
        // waiting and, with nothing to do, suppresses offers; only then does the agent come back, under a new id, with them.
        await scheduler.WaitUntilAsync(() => Task.FromResult(Counter(scheduler, SchedulerMetrics.GivenUpExpired) > 0), "the router stopped waiting for the gone agent");
        await scheduler.Emulator.Faults.RestartAgentAsync(agent);

        // Nothing revives offers but the sweep, which collects them: with sweeps off this wait fails (BENCHMARKS.md). The
        // revive may be a sweep's from just before the restart, still being answered when the agent registers, so the
        // sweeps counter says nothing more here.
        await AssertConvergedAsync(scheduler);
    }

    private static long Counter(InProcessScheduler scheduler, string name) => scheduler.Metrics.Counters().GetValueOrDefault(name);

    [Fact]
    public async Task Converges_when_an_agent_restarts_with_a_new_id()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path);
        var agent = await HelloRunsAsync(scheduler);

        var restarted = await scheduler.Emulator.Faults.RestartAgentAsync(agent);

        await AssertConvergedAsync(scheduler);
        Assert.Equal(restarted, scheduler.Emulator.Snapshot().Tasks.Single(t => t.Name == Hello && t.State == "TASK_RUNNING").AgentId);
        await scheduler.WaitUntilAsync(() => Task.FromResult(HelloOutputLines(data) == 2), "the relaunch wrote its line into hello's volume");
    }

    [Fact]
    public async Task Converges_after_a_master_failover()
    {
        using var data = new TempDataDir();
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path);
        await HelloRunsAsync(scheduler);
        var before = scheduler.Emulator.MasterId;

        await scheduler.Emulator.Faults.FailOverMasterAsync();

        await AssertConvergedAsync(scheduler);
        Assert.NotEqual(before, scheduler.Emulator.MasterId);
        Assert.Equal(scheduler.Emulator.MasterId, scheduler.Emulator.Snapshot().MasterId);
    }

    /// <summary>Mid-deploy: hello-0 runs (it wrote its line), the world phase starts. Returns hello's agent.</summary>
    private static async Task<string> HelloRunsAsync(InProcessScheduler scheduler)
    {
        await scheduler.WaitUntilAsync(
            () => Task.FromResult(scheduler.Emulator.Snapshot().Tasks.Any(t => t.Name == Hello && t.State == "TASK_RUNNING")
                && File.Exists(Path.Combine(scheduler.Emulator.Snapshot().Tasks.Single(t => t.Name == Hello).Sandbox, "hello-container-path", "output"))),
            "hello-0 runs");
        return scheduler.Emulator.Snapshot().Tasks.Single(t => t.Name == Hello).AgentId;
    }

    private static string FrameworkId(InProcessScheduler scheduler) => scheduler.Emulator.Snapshot().Frameworks.Single().Id;

    /// <summary>The scheduler noticed the broken stream and subscribed again.</summary>
    private static Task ResubscribedAsync(InProcessScheduler scheduler) => scheduler.WaitUntilAsync(
        async () => scheduler.Emulator.History().CallCount("SUBSCRIBE") >= 2
            && scheduler.Emulator.Snapshot().Frameworks.Single().Connected
            && (await scheduler.Emulator.Faults.StateAsync()).StalledFrameworks.Count == 0,
        "the scheduler subscribed again");

    /// <summary>
    /// The deploy completes; each task was launched once, plus once for every earlier launch of it a fault killed; one
    /// instance of each runs; and on every registered agent the reserved resources are exactly those live tasks use.
    /// </summary>
    private static async Task AssertConvergedAsync(InProcessScheduler scheduler)
    {
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, "deploy COMPLETE", TimeSpan.FromSeconds(120));
        await scheduler.WaitUntilAsync(() => Task.FromResult(NoLeakedReservations(scheduler.Emulator.Snapshot())), "no reserved resource outside a live task");

        var history = scheduler.Emulator.History();
        var killed = history.Faults.SelectMany(f => f.KilledTaskIds).ToHashSet();
        foreach (var launches in history.Launches.GroupBy(l => l.TaskName))
        {
            var expected = 1 + launches.Count(l => killed.Contains(l.TaskId));
            Assert.True(expected == launches.Count(), $"{launches.Key} was launched {launches.Count()} times, expected {expected}: {string.Join(", ", launches.Select(l => l.TaskId))}");
        }

        Assert.Equal(["hello-0-server", "world-0-server", "world-1-server"], history.Launches.Select(l => l.TaskName).Distinct().Order());

        // A task relaunched by recovery after its step completed may still be starting when deploy shows COMPLETE: the
        // scheduler and the cluster agree once its RUNNING update is recorded.
        await scheduler.WaitUntilAsync(
            async () =>
            {
                var snapshot = scheduler.Emulator.Snapshot();
                var tasks = await scheduler.TasksAsync();
                return snapshot.Tasks.Where(t => t.State == "TASK_RUNNING").Select(t => t.Name).Order().SequenceEqual(["hello-0-server", "world-0-server", "world-1-server"])
                    && tasks.Count == 3
                    && tasks.Values.All(t => t.Status == "TASK_RUNNING" && snapshot.Tasks.Any(s => s.Id == t.Id && s.State == "TASK_RUNNING"));
            },
            "every task RUNNING, as the scheduler records it and on the cluster, with the same task ids");
    }

    private static bool NoLeakedReservations(EmulatorSnapshot snapshot) =>
        snapshot.Agents.Where(a => a.State == AgentSnapshot.Registered).All(a =>
            Math.Abs(a.Reserved.Cpus - a.Used.Cpus) < 1e-6 && Math.Abs(a.Reserved.MemMb - a.Used.MemMb) < 1e-6
            && Math.Abs(a.Reserved.DiskMb - a.Used.DiskMb) < 1e-6 && a.Reserved.Ports == a.Used.Ports);

    private static int HelloOutputLines(TempDataDir data) =>
        data.Files("output").Where(f => f.Contains("/volumes/", StringComparison.Ordinal) && File.ReadAllText(f).Contains("hello from", StringComparison.Ordinal))
            .Sum(f => File.ReadAllLines(f).Length);
}
