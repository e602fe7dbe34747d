using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Xunit.Abstractions;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// Reliability under offer storms with faults (issue #5): across seeds, with offers rescinded and agents lost and
/// returning while the scheduler deploys and restarts, no offer is accepted twice, no task id is launched twice, a
/// task is launched again only after its agent was lost, every pod is placed, and no reservation outlives its task.
/// </summary>
public sealed class StormReliabilityTests(ITestOutputHelper output)
{
    // Seed 4 runs with snapshots all the time: every pod replaces its history by a snapshot after two events, and the
    // entity journal saves a snapshot every 50 events, so the restart recovers from snapshots.
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public async Task A_deploy_under_rescinds_agent_losses_and_a_restart_places_every_pod_once_and_leaks_nothing(int seed, bool snapshots)
    {
        EmulatorSnapshot? settled = null;
        IReadOnlyList<ClusterRecord> history = [];
        var run = new StormRun(new StormRunOptions
        {
            Agents = 30,
            Pods = 40,
            Seed = seed,
            OffersPerSecond = 300,
            RescindProbability = 0.05,
            AgentLossProbability = 0.01,
            AgentReturnAfter = TimeSpan.FromSeconds(1),
            Timeout = TimeSpan.FromSeconds(90),
            Restart = true,
            PodSnapshotAfterEvents = snapshots ? 2 : ActorScheduler.Actors.SchedulerSettings.DefaultPodSnapshotAfterEvents,
            EntityJournalSnapshotEvery = snapshots ? 50 : ActorScheduler.Actors.SchedulerSettings.DefaultEntityJournalSnapshotEvery,
            Inspect = async cluster =>
            {
                history = cluster.History;
                settled = await SettledAsync(cluster);
            },
        });

        var result = await run.RunAsync();

        Assert.True(result.DeployComplete, $"the deploy did not complete: {result}");
        var rescinds = history.Count(r => r.Event is { Type: Event.Types.Type.Rescind });
        var losses = history.Count(r => r.Event is { Type: Event.Types.Type.Failure } f && f.Failure.ExecutorId is null);
        Assert.True(rescinds > 0, "the storm rescinded no offer the scheduler saw: the run tested nothing");
        output.WriteLine($"seed {seed}: {rescinds} rescinds, {losses} agent losses, {history.Count(r => r.LaunchedTasks.Any())} launching ACCEPTs");
        Assert.NotNull(result.RestartToReadySeconds);

        var accepted = history.Where(r => r.Call is { Type: Call.Types.Type.Accept }).SelectMany(r => r.AnsweredOffers).ToList();
        Assert.Equal(accepted.Count, accepted.Distinct().Count());

        var launches = history.SelectMany(r => r.LaunchedTasks).ToList();
        Assert.Equal(launches.Count, launches.Select(t => t.TaskId.Value).Distinct().Count());
        var lostAgentIds = history.Where(r => r.Event is { Type: Event.Types.Type.Failure } f && f.Failure.AgentId is not null && f.Failure.ExecutorId is null)
            .Select(r => r.Event!.Failure.AgentId.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var relaunched in launches.GroupBy(t => t.Name).Where(g => g.Count() > 1))
        {
            Assert.True(
                relaunched.SkipLast(1).All(t => lostAgentIds.Contains(t.AgentId.Value)),
                $"{relaunched.Key} was launched {relaunched.Count()} times, but not every earlier launch was on an agent that was lost");
        }

        Assert.Equal(40, launches.Select(t => t.Name).Distinct().Count());
        Assert.NotNull(settled);
        Assert.All(settled!.Agents.Where(a => a.State == AgentSnapshot.Registered), a =>
        {
            Assert.Equal(a.Used.Cpus, a.Reserved.Cpus, 6);
            Assert.Equal(a.Used.MemMb, a.Reserved.MemMb, 6);
            Assert.Equal(a.Used.DiskMb, a.Reserved.DiskMb, 6);
        });
    }

    /// <summary>
    /// The cluster once every registered agent's reservations are in use by live tasks (reservations of relaunched
    /// tasks come back in use; leftovers are collected when offered), or as it stands after 30 s.
    /// </summary>
    private static async Task<EmulatorSnapshot> SettledAsync(SimulatedCluster cluster)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var snapshot = await cluster.SnapshotAsync();
            var leaks = snapshot.Agents.Where(a => a.State == AgentSnapshot.Registered)
                .Any(a => Math.Abs(a.Reserved.Cpus - a.Used.Cpus) > 1e-6 || Math.Abs(a.Reserved.MemMb - a.Used.MemMb) > 1e-6);
            if (!leaks || DateTime.UtcNow > deadline)
            {
                return snapshot;
            }

            await cluster.ChangedSince(cluster.HistoryCount);
        }
    }
}
