using ActorScheduler.Actors;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Xunit.Abstractions;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// Reliability under offer storms with faults (issue #5): across seeds, with offers rescinded, agents lost and returning
/// (and in some runs marked gone and restarted under new ids: their pods are replaced) while the scheduler deploys and
/// restarts, no offer is accepted twice, no task id is launched twice, a task is launched again only after its agent was
/// lost, every pod is placed, and no reservation outlives its task. The storm's faults are random (seeded), and how many
/// it makes depends on how long the run takes in real time; so each run also forces one of each — an offer rescinded, an
/// agent running a pod lost and (agentsGone) another marked gone, once half the pods run — and checks that the scheduler
/// saw them: no run passes for want of faults.
/// </summary>
public sealed class StormReliabilityTests(ITestOutputHelper output)
{
    // Seed 4 runs with snapshots all the time: every pod replaces its history by a snapshot after two events, and the
    // entity journal saves a snapshot every 50 events, so the restart recovers from snapshots.
    [Theory]
    [InlineData(1, false, SchedulerSettings.DefaultMaxClaimsPerCycle)]
    [InlineData(2, false, SchedulerSettings.DefaultMaxClaimsPerCycle)]
    [InlineData(3, false, SchedulerSettings.DefaultMaxClaimsPerCycle)]
    [InlineData(4, true, SchedulerSettings.DefaultMaxClaimsPerCycle)]
    // Capped cycles: the router holds offers for the next cycle while rescinds, losses and the restart happen.
    [InlineData(5, false, 3)]
    [InlineData(6, true, 2)]
    // The master allocating every agent once a second, honouring decline filters: the router keeps what the work left
    // needs across capped cycles while its offers are rescinded and their agents lost.
    [InlineData(7, false, SchedulerSettings.DefaultMaxClaimsPerCycle, StormAllocation.Master)]
    [InlineData(8, true, 2, StormAllocation.Master)]
    // Agents also marked gone: their pods are replaced on new footprints, and the old reservations, which the agents bring
    // back when they restart under new ids, are collected. Two pods an agent at most, so that faults hit pods.
    [InlineData(9, false, SchedulerSettings.DefaultMaxClaimsPerCycle, StormAllocation.Random, true)]
    [InlineData(10, true, 3, StormAllocation.Random, true)]
    [InlineData(11, false, SchedulerSettings.DefaultMaxClaimsPerCycle, StormAllocation.Master, true)]
    [InlineData(12, true, 2, StormAllocation.Random, true)]
    // The other fitnesses (the rows above bin-pack, the default): the DC/OS SDK's first fit, and spread across agents and
    // the storm's zones.
    [InlineData(13, false, SchedulerSettings.DefaultMaxClaimsPerCycle, StormAllocation.Random, false, FitnessKind.FirstFit)]
    [InlineData(14, true, 3, StormAllocation.Master, false, FitnessKind.Spread)]
    // Capped cycles that hold no offers (run --offer-holding none): what a cycle leaves is declined, and the pods left
    // wait for the next offers, the master's filters on the declined agents included.
    [InlineData(19, true, 2, StormAllocation.Random, true, FitnessKind.BinPack, OfferHoldMode.None)]
    [InlineData(20, false, 3, StormAllocation.Master, false, FitnessKind.BinPack, OfferHoldMode.None)]
    public Task A_deploy_under_rescinds_agent_losses_and_a_restart_places_every_pod_once_and_leaks_nothing(
        int seed, bool snapshots, int claimsPerCycle, StormAllocation allocation = StormAllocation.Random, bool agentsGone = false,
        FitnessKind fitness = FitnessKind.BinPack, OfferHoldMode hold = OfferHoldMode.Backlog) =>
        RunAsync(seed, snapshots, claimsPerCycle, allocation, agentsGone, fitness, scaleInTo: null, parallelism: 1, hold);

    // After the deploy, a scale-in from 40 to 25 pods under the same faults, the scheduler restarting as soon as the first
    // removed pod's kill went out (the decommission carries on in the new scheduler): every removed pod's task ends and
    // its reservations are collected, no kept pod runs two tasks, and nothing is launched twice.
    [Theory]
    // One pod at a time (the default), a few, and all fifteen at once.
    [InlineData(15, false, SchedulerSettings.DefaultMaxClaimsPerCycle, 1)]
    [InlineData(16, true, 2, 4, StormAllocation.Master)]
    [InlineData(17, false, SchedulerSettings.DefaultMaxClaimsPerCycle, 15, StormAllocation.Random, true)]
    [InlineData(18, true, 3, 8, StormAllocation.Master, true)]
    public Task A_scale_in_under_rescinds_agent_losses_and_a_restart_ends_the_removed_pods_and_leaks_nothing(
        int seed, bool snapshots, int claimsPerCycle, int parallelism, StormAllocation allocation = StormAllocation.Random, bool agentsGone = false) =>
        RunAsync(seed, snapshots, claimsPerCycle, allocation, agentsGone, FitnessKind.BinPack, scaleInTo: 25, parallelism, OfferHoldMode.Backlog);

    private async Task RunAsync(
        int seed, bool snapshots, int claimsPerCycle, StormAllocation allocation, bool agentsGone, FitnessKind fitness, int? scaleInTo, int parallelism,
        OfferHoldMode hold)
    {
        EmulatorSnapshot? settled = null;
        IReadOnlyList<ClusterRecord> history = [];
        // The master offers each agent about once a second — a few dozen offers a run, where the random storm makes
        // hundreds — so its faults come oftener per offer.
        var perOffer = allocation == StormAllocation.Master ? 4 : 1;
        StormActionKind[] forced = agentsGone
            ? [StormActionKind.Rescind, StormActionKind.AgentLost, StormActionKind.AgentGone]
            : [StormActionKind.Rescind, StormActionKind.AgentLost];
        StormRun? run = null;
        run = new StormRun(new StormRunOptions
        {
            Agents = 30,
            Pods = 40,
            Seed = seed,
            OffersPerSecond = 300,
            Allocation = allocation,
            RescindProbability = 0.05 * perOffer,
            AgentLossProbability = 0.01 * perOffer,
            AgentGoneProbability = agentsGone ? 0.02 : 0,
            Placement = agentsGone ? "[[\"hostname\", \"MAX_PER\", \"2\"]]" : null,
            AgentReturnAfter = TimeSpan.FromSeconds(1),
            Timeout = TimeSpan.FromSeconds(90),
            Restart = true,
            MaxClaimsPerCycle = claimsPerCycle,
            OfferHold = hold,
            Fitness = new PlacementFitness(fitness, PlacementFitness.DefaultCandidates),
            PodSnapshotAfterEvents = snapshots ? 2 : SchedulerSettings.DefaultPodSnapshotAfterEvents,
            EntityJournalSnapshotEvery = snapshots ? 50 : SchedulerSettings.DefaultEntityJournalSnapshotEvery,
            ScaleInTo = scaleInTo,
            DecommissionParallelism = parallelism,
            ForcedFaults = forced,
            Inspect = async cluster =>
            {
                settled = await SettledAsync(cluster, scaleInTo, run!.ForcedFaults.Where(f => f.Kind == StormActionKind.AgentGone).Select(f => f.AgentId).ToList());
                history = cluster.History;
            },
        });

        var result = await run.RunAsync();

        Assert.True(result.DeployComplete, $"the deploy did not complete: {result}");
        var rescinds = history.Count(r => r.Event is { Type: Event.Types.Type.Rescind });
        var losses = history.Count(r => r.Event is { Type: Event.Types.Type.Failure } f && f.Failure.ExecutorId is null);
        var replaced = history.Count(r => r.Event is { Type: Event.Types.Type.Update } u && u.Update.Status.State == Messages.MesosV1.TaskState.TaskGoneByOperator);
        output.WriteLine($"seed {seed}: {rescinds} rescinds, {losses} agent losses, {replaced} tasks gone by operator, {history.Count(r => r.LaunchedTasks.Any())} launching ACCEPTs; forced: {string.Join("; ", run.ForcedFaults)}");

        // The faults the run is about happened, whatever the random ones: the storm made the forced ones, and the scheduler
        // saw them hit what runs — the rescind of an offer it held, the loss of an agent where a pod ran (its task
        // unreachable) and an agent marked gone where a pod ran (its task gone by the operator).
        Assert.Equal(forced.Order(), run.ForcedFaults.Select(f => f.Kind).Order());
        foreach (var fault in run.ForcedFaults)
        {
            Assert.True(fault.Kind switch
            {
                StormActionKind.Rescind => history.Any(r => r.Event is { Type: Event.Types.Type.Rescind } e && e.Rescind.OfferId.Value == fault.Detail),
                StormActionKind.AgentLost => StatusesOn(history, fault.AgentId, Messages.MesosV1.TaskState.TaskUnreachable).Any(),
                _ => StatusesOn(history, fault.AgentId, Messages.MesosV1.TaskState.TaskGoneByOperator).Any(),
            }, $"the scheduler did not see the forced fault {fault} hit an offer or a task");
        }

        Assert.NotNull(result.RestartToReadySeconds);

        var accepted = history.Where(r => r.Call is { Type: Call.Types.Type.Accept }).SelectMany(r => r.AnsweredOffers).ToList();
        Assert.Equal(accepted.Count, accepted.Distinct().Count());

        var launches = history.SelectMany(r => r.LaunchedTasks).ToList();
        Assert.Equal(launches.Count, launches.Select(t => t.TaskId.Value).Distinct().Count());
        // Lost: the master said so with a FAILURE event, or — when that happened while the scheduler was restarting and
        // not subscribed, so the event went nowhere — with the status of a task there (the reconciliation after the
        // restart answers TASK_GONE_BY_OPERATOR for an agent marked gone meanwhile, TASK_UNREACHABLE for a lost one).
        var lostAgentIds = history.Where(r => r.Event is { Type: Event.Types.Type.Failure } f && f.Failure.AgentId is not null && f.Failure.ExecutorId is null)
            .Select(r => r.Event!.Failure.AgentId.Value)
            .Concat(history.Where(r => r.Event is { Type: Event.Types.Type.Update } u && u.Update.Status.AgentId is not null
                    && u.Update.Status.State is Messages.MesosV1.TaskState.TaskGoneByOperator or Messages.MesosV1.TaskState.TaskUnreachable)
                .Select(r => r.Event!.Update.Status.AgentId.Value))
            .ToHashSet(StringComparer.Ordinal);
        // A launch on an offer the storm rescinded before the ACCEPT reached the master is refused (TASK_DROPPED,
        // REASON_INVALID_OFFERS): it never ran, and the pod launches again.
        var refused = history.Where(r => r.Event is { Type: Event.Types.Type.Update } u
                && u.Update.Status.Reason == Messages.MesosV1.TaskStatus.Types.Reason.InvalidOffers)
            .Select(r => r.Event!.Update.Status.TaskId.Value).ToHashSet(StringComparer.Ordinal);
        var rescindedOffers = history.Where(r => r.Event is { Type: Event.Types.Type.Rescind })
            .Select(r => r.Event!.Rescind.OfferId.Value).ToHashSet(StringComparer.Ordinal);
        Assert.All(history.Where(r => r.LaunchedTasks.Any(t => refused.Contains(t.TaskId.Value))),
            r => Assert.Contains(r.AnsweredOffers, rescindedOffers.Contains));
        foreach (var relaunched in launches.GroupBy(t => t.Name).Where(g => g.Count() > 1))
        {
            Assert.True(
                relaunched.SkipLast(1).All(t => lostAgentIds.Contains(t.AgentId.Value) || refused.Contains(t.TaskId.Value)),
                $"{relaunched.Key} was launched {relaunched.Count()} times, but not every earlier launch was on an agent that was lost or refused by the master:\n" +
                string.Join("\n", relaunched.Select(t => $"  {t.TaskId.Value} on {t.AgentId.Value} (ACCEPT #{history.First(r => r.LaunchedTasks.Any(x => x.TaskId.Value == t.TaskId.Value)).Sequence}): " + string.Join(", ", history
                    .Where(r => (r.Event is { Type: Event.Types.Type.Update } u && u.Update.Status.TaskId.Value == t.TaskId.Value)
                        || (r.Call is { Type: Call.Types.Type.Kill } k && k.Kill.TaskId.Value == t.TaskId.Value)
                        || (r.Call is { Type: Call.Types.Type.Reconcile } c && c.Reconcile.Tasks.Any(x => x.TaskId.Value == t.TaskId.Value)))
                    .Select(r => r.Event is { } e
                        ? $"#{r.Sequence} {e.Update.Status.State}/{e.Update.Status.Reason}/{e.Update.Status.Source}"
                        : $"#{r.Sequence} {r.Call!.Type}")))));
        }

        Assert.Equal(40, launches.Select(t => t.Name).Distinct().Count());
        Assert.NotNull(settled);
        Assert.All(settled!.Agents.Where(a => a.State == AgentSnapshot.Registered), a =>
        {
            Assert.Equal(a.Used.Cpus, a.Reserved.Cpus, 6);
            Assert.Equal(a.Used.MemMb, a.Reserved.MemMb, 6);
            Assert.Equal(a.Used.DiskMb, a.Reserved.DiskMb, 6);
        });

        if (scaleInTo is { } kept)
        {
            Assert.True(result.ScaleInSeconds is not null, $"the decommission did not complete: {result}");
            Assert.True(result.RestartedDuringScaleIn, "the scheduler did not restart in the middle of the decommission");
            // The removed pods' tasks ended (on agents that may come back too); no kept pod runs two tasks. A kept pod may
            // be between tasks: the storm goes on losing agents and marking them gone.
            var live = settled!.Tasks.Where(t => LiveStates.Contains(t.State)
                && settled.Agents.Any(a => a.Id == t.AgentId && a.State != AgentSnapshot.Gone)).ToList();
            Assert.DoesNotContain(live, t => StormRun.StormPodIndex(t.Name) >= kept);
            Assert.All(live.GroupBy(t => t.Name), g => Assert.Single(g));
            output.WriteLine($"seed {seed}: scaled in to {kept} in {result.ScaleInSeconds:F1} s");
        }

        // Each pod whose task the forced agent gone took (and which a scale-in keeps: the storm picked an agent where one
        // ran) was launched again afterwards.
        var gone = run.ForcedFaults.Where(f => f.Kind == StormActionKind.AgentGone).Select(f => f.AgentId).ToList();
        Assert.True(!agentsGone || GoneTasks(history, gone, scaleInTo).Any(), "the forced agent gone ran no pod that is kept");
        Assert.Empty(NotReplaced(history, gone, scaleInTo));
    }

    private static readonly HashSet<string> LiveStates = ["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING"];

    /// <summary>The status update records of tasks on <paramref name="agentId"/> in <paramref name="state"/>.</summary>
    private static IEnumerable<ClusterRecord> StatusesOn(IReadOnlyList<ClusterRecord> history, string agentId, Messages.MesosV1.TaskState state) =>
        history.Where(r => r.Event is { Type: Event.Types.Type.Update } u && u.Update.Status.State == state && u.Update.Status.AgentId?.Value == agentId);

    /// <summary>
    /// Tasks gone by the operator on the <paramref name="goneAgents"/>, of pods below <paramref name="scaleInTo"/>, whose
    /// name was not launched again after the first report of it.
    /// </summary>
    private static List<string> NotReplaced(IReadOnlyList<ClusterRecord> history, IReadOnlyCollection<string> goneAgents, int? scaleInTo) =>
        GoneTasks(history, goneAgents, scaleInTo)
            .Select(t => (t.TaskId, t.Reported, Name: history.SelectMany(r => r.LaunchedTasks).FirstOrDefault(l => l.TaskId.Value == t.TaskId)?.Name))
            .Where(t => !history.Any(r => r.Sequence > t.Reported && r.LaunchedTasks.Any(l => l.Name == t.Name)))
            .Select(t => $"{t.Name ?? t.TaskId} (gone at #{t.Reported})")
            .ToList();

    /// <summary>
    /// Tasks gone by the operator on the <paramref name="goneAgents"/>, of pods below <paramref name="scaleInTo"/>, with
    /// the sequence of the first report of each.
    /// </summary>
    private static IEnumerable<(string TaskId, long Reported)> GoneTasks(IReadOnlyList<ClusterRecord> history, IReadOnlyCollection<string> goneAgents, int? scaleInTo) =>
        goneAgents.SelectMany(agent => StatusesOn(history, agent, Messages.MesosV1.TaskState.TaskGoneByOperator))
            .GroupBy(r => r.Event!.Update.Status.TaskId.Value)
            .Select(g => (TaskId: g.Key, Reported: g.First().Sequence))
            .Where(t => scaleInTo is not { } kept || StormRun.StormPodIndex(t.TaskId) < kept);

    /// <summary>
    /// The cluster once every registered agent's reservations are in use by live tasks (reservations of relaunched
    /// tasks come back in use; leftovers are collected when offered), no pod at or above <paramref name="scaleInTo"/>
    /// runs a task on an agent that is not gone, and the pods the <paramref name="goneAgents"/> ran were launched again
    /// (<see cref="NotReplaced"/>), or as it stands after 30 s.
    /// </summary>
    private static async Task<EmulatorSnapshot> SettledAsync(SimulatedCluster cluster, int? scaleInTo, IReadOnlyCollection<string> goneAgents)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var snapshot = await cluster.SnapshotAsync();
            var leaks = snapshot.Agents.Where(a => a.State == AgentSnapshot.Registered)
                .Any(a => Math.Abs(a.Reserved.Cpus - a.Used.Cpus) > 1e-6 || Math.Abs(a.Reserved.MemMb - a.Used.MemMb) > 1e-6);
            var removedLive = scaleInTo is { } kept && snapshot.Tasks.Any(t => LiveStates.Contains(t.State) && StormRun.StormPodIndex(t.Name) >= kept
                && snapshot.Agents.Any(a => a.Id == t.AgentId && a.State != AgentSnapshot.Gone));
            var waiting = goneAgents.Count > 0 && NotReplaced(cluster.History, goneAgents, scaleInTo).Count > 0;
            if ((!leaks && !removedLive && !waiting) || DateTime.UtcNow > deadline)
            {
                return snapshot;
            }

            await cluster.ChangedSince(cluster.HistoryCount);
        }
    }
}
