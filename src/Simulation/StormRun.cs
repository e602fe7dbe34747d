using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.Configs;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Messages.Pods;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Akka.Configuration;
using Status = ActorScheduler.Messages.Plans.Status;
using DecommissionPlan = ActorScheduler.Actors.Plans.DecommissionPlan;
using PlanGenerator = ActorScheduler.Specs.Plans.PlanGenerator;

namespace ActorScheduler.Simulation;

/// <summary>An ActorSystem a <see cref="StormRun"/> runs the scheduler in, and how to stop it (e.g. its host).</summary>
/// <param name="System">The ActorSystem, with the journal the run should use.</param>
/// <param name="StopAsync">Stops it and whatever owns it.</param>
public sealed record StormActorSystem(ActorSystem System, Func<Task> StopAsync);

/// <summary>How big a <see cref="StormRun"/> is and what it uses.</summary>
public sealed record StormRunOptions
{
    /// <summary>Simulated agents (default 100), in the <see cref="OfferStormOptions"/> default shapes and zones.</summary>
    public int Agents { get; init; } = 100;

    /// <summary>Instances of the one pod type (one task each: 0.1 cpus, 32 MB) the deploy places (default 100).</summary>
    public int Pods { get; init; } = 100;

    /// <summary>Seed of the cluster and the storm.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Offers per second the storm makes (default 2000), with <see cref="StormAllocation.Random"/>.</summary>
    public double OffersPerSecond { get; init; } = 2000;

    /// <summary>
    /// How the storm offers (<see cref="OfferStormOptions.Allocation"/>): random agents at <see cref="OffersPerSecond"/>
    /// (the default), or every agent each <see cref="AllocationInterval"/> as a Mesos master allocates.
    /// </summary>
    public StormAllocation Allocation { get; init; } = StormAllocation.Random;

    /// <summary>With <see cref="StormAllocation.Master"/>, how often the master allocates (default 1 s).</summary>
    public TimeSpan AllocationInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often the storm's time follows the wall clock (default 100 ms): each step makes the offers due since the last,
    /// in one OFFERS event, so this is also the spacing of the scheduler's offer cycles.
    /// </summary>
    public TimeSpan OfferInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the deploy (and, separately, the restart) may take before the run gives up on it (default 10 min).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether to restart the scheduler in a new ActorSystem after the deploy and time its recovery (default true).</summary>
    public bool Restart { get; init; } = true;

    /// <summary>
    /// Starts the ActorSystem for each scheduler start (the first and the restart). Default: one ActorSystem with the
    /// in-memory journal, kept across the restart (a new one would start with an empty journal).
    /// </summary>
    public Func<Task<StormActorSystem>>? StartActorSystem { get; init; }

    /// <summary>
    /// Counts the events in the journal, if the run should report the events written during the deploy. Called at the first
    /// offer and after the deploy's CPU time is taken, never in between: reading the journal's rows costs the process
    /// whose CPU is measured.
    /// </summary>
    public Func<long>? CountJournalEvents { get; init; }

    /// <summary>Called about every <see cref="ProgressInterval"/> while the run waits.</summary>
    public Action<StormProgress>? Progress { get; init; }

    /// <summary>How often <see cref="Progress"/> is called (default 2 s).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Chance that the storm rescinds an outstanding offer, per offer made (default 0).</summary>
    public double RescindProbability { get; init; }

    /// <summary>Chance that the storm loses an agent, per offer made (default 0).</summary>
    public double AgentLossProbability { get; init; }

    /// <summary>Chance that the storm marks an agent gone, per offer made (default 0): its tasks fail permanently.</summary>
    public double AgentGoneProbability { get; init; }

    /// <summary>
    /// When set, a lost agent returns after this long (with its tasks, reservations and volumes), and a gone agent
    /// restarts under a new id (with its reservations and volumes).
    /// </summary>
    public TimeSpan? AgentReturnAfter { get; init; }

    /// <summary>
    /// Called at the end, with the cluster, before it stops: property checks over the whole run. Setting it keeps the
    /// cluster's full history (a bench drops what it has read, to measure the scheduler's memory and not the record's).
    /// </summary>
    public Func<SimulatedCluster, Task>? Inspect { get; init; }

    /// <summary>Events after which the scheduler's entity journal saves a snapshot (<c>SchedulerSettings.EntityJournalSnapshotEvery</c>).</summary>
    public int EntityJournalSnapshotEvery { get; init; } = SchedulerSettings.DefaultEntityJournalSnapshotEvery;

    /// <summary>History length at which a pod writes a snapshot of its state (<c>SchedulerSettings.PodSnapshotAfterEvents</c>).</summary>
    public int PodSnapshotAfterEvents { get; init; } = SchedulerSettings.DefaultPodSnapshotAfterEvents;

    /// <summary>Pod instances one offer cycle places at most (<c>SchedulerSettings.MaxClaimsPerCycle</c>).</summary>
    public int MaxClaimsPerCycle { get; init; } = SchedulerSettings.DefaultMaxClaimsPerCycle;

    /// <summary>What a capped offer cycle does with the offers it leaves (<c>SchedulerSettings.OfferHold</c>).</summary>
    public OfferHoldMode OfferHold { get; init; } = OfferHoldMode.Backlog;

    /// <summary>How a new footprint chooses among the offers it fits (<c>SchedulerSettings.Fitness</c>).</summary>
    public PlacementFitness Fitness { get; init; } = PlacementFitness.Default;

    /// <summary>
    /// The storm pod's placement rule as the spec writes it (e.g. <c>[["hostname", "MAX_PER", "2"]]</c>); null: none.
    /// </summary>
    public string? Placement { get; init; }

    /// <summary>
    /// After the deploy, the service is updated to this many pods (fewer than <see cref="Pods"/>: a scale-in, which the
    /// storm pod allows) and the run waits for the decommission plan to complete, the storm and its faults going on.
    /// With <see cref="Restart"/>, the scheduler restarts as soon as the first kill of a removed pod went out, in the
    /// middle of the decommission. Null: no update.
    /// </summary>
    public int? ScaleInTo { get; init; }

    /// <summary>Pod instances the scale-in decommissions at once (<c>SchedulerSettings.DecommissionParallelism</c>).</summary>
    public int DecommissionParallelism { get; init; } = DecommissionPlan.DefaultParallelism;

    /// <summary>
    /// Faults the storm makes once on purpose, whatever its dice say (<see cref="OfferStorm.Force(StormActionKind[])"/>):
    /// once half the pods run (or once the deploy is complete, when that came between two looks), at its next step, it rescinds an offer (<see cref="StormActionKind.Rescind"/>), loses an
    /// agent where a storm task runs (<see cref="StormActionKind.AgentLost"/>) and marks another gone
    /// (<see cref="StormActionKind.AgentGone"/>) — with <see cref="ScaleInTo"/>, a task of a pod the scale-in keeps. The
    /// run restarts the scheduler only once it read them, and with <see cref="AgentReturnAfter"/> waits, before
    /// <see cref="Inspect"/>, until those agents are back; it keeps the cluster's whole history. The random faults come on
    /// top: a run short enough that its dice hit no agent with a pod still has these. Default: none.
    /// </summary>
    public IReadOnlyList<StormActionKind> ForcedFaults { get; init; } = [];
}

/// <summary>Where a <see cref="StormRun"/> is.</summary>
/// <param name="Stage"><c>deploy</c>, <c>restart</c> or <c>scale-in</c>.</param>
/// <param name="Elapsed">Since the stage began.</param>
/// <param name="Placed">Tasks reported TASK_RUNNING so far.</param>
/// <param name="PlacementsPerSecond">Placed / seconds since the first offer.</param>
/// <param name="Offers">Offers the scheduler received so far.</param>
/// <param name="Scheduler">What the scheduler last said: reconciled, the deploy plan's status and its steps by status.</param>
/// <param name="Launched">Tasks the scheduler's ACCEPT calls launched so far (as the master read them).</param>
public sealed record StormProgress(string Stage, TimeSpan Elapsed, int Placed, double PlacementsPerSecond, long Offers, string Scheduler, long Launched = 0);

/// <summary>What a <see cref="StormRun"/> measured.</summary>
/// <param name="Pods">Pod instances the deploy asked for.</param>
/// <param name="Placed">Tasks running on the agents at the end of the deploy (as the agents see them).</param>
/// <param name="DeployComplete">Whether the deploy plan reached COMPLETE before the timeout.</param>
/// <param name="DeploySeconds">From the first offer to the last placement (or to the timeout).</param>
/// <param name="FirstPlacementSeconds">From the first offer to the first placement (reconciliation and the first placing cycle); null if none.</param>
/// <param name="PlacementsPerSecond">Placed / deploy seconds.</param>
/// <param name="OfferCycles">Offer cycles measured (OFFERS events fully answered).</param>
/// <param name="P50CycleMs">Median offer-cycle latency.</param>
/// <param name="P99CycleMs">99th percentile offer-cycle latency.</param>
/// <param name="OffersReceived">Offers the scheduler received during the deploy.</param>
/// <param name="OfferBatches">OFFERS events the scheduler received during the deploy.</param>
/// <param name="UnansweredOffers">Offers open when the deploy ended and still neither answered nor rescinded 5 s later.</param>
/// <param name="JournalEventsDuringDeploy">Journal events written from the first offer to the end of the deploy, when counted.</param>
/// <param name="RestartToReadySeconds">
/// From the second scheduler's start to re-subscribed, reconciled and deploy COMPLETE; null when not restarted (also when
/// the deploy did not complete) or not ready in time.
/// </param>
/// <param name="PeakRssMb">The process's peak working set.</param>
/// <param name="DeployCpuSeconds">
/// CPU time the whole process used from the scheduler's start to the end of the deploy (scheduler, simulated cluster
/// and storm alike): on a saturated machine, what a placement costs is the figure that decides the rate.
/// </param>
public sealed record StormResult(
    int Pods,
    int Placed,
    bool DeployComplete,
    double DeploySeconds,
    double? FirstPlacementSeconds,
    double PlacementsPerSecond,
    int OfferCycles,
    double P50CycleMs,
    double P99CycleMs,
    long OffersReceived,
    long OfferBatches,
    int UnansweredOffers,
    long? JournalEventsDuringDeploy,
    double? RestartToReadySeconds,
    double PeakRssMb,
    double DeployCpuSeconds)
{
    /// <summary>
    /// From the scheduler's start to the first offer it read: it builds its plans and recovers its pods and steps before
    /// it subscribes, and that time is not in <see cref="DeploySeconds"/>. Null when no offer came.
    /// </summary>
    public double? StartToFirstOfferSeconds { get; init; }

    /// <summary>
    /// The deploy by <see cref="StormRun.TimelineSlice"/> from the first offer: offers, launches, placements and the GC
    /// pause in each slice — where its seconds went (a cold start, a collection that stopped everything).
    /// </summary>
    public IReadOnlyList<StormTimelineSlice> Timeline { get; init; } = [];

    /// <summary>
    /// The deploy's offer cycles in the order they ended, each with how its offers were answered: whether the long ones
    /// waited for their ACCEPTs (the launches of the pods placed on them) or for declines.
    /// </summary>
    public IReadOnlyList<StormOfferCycle> Cycles { get; init; } = [];

    /// <summary>
    /// From the first offer to the first ACCEPT that launched a task, as the master recorded it: reconciliation and the
    /// first placing cycle (its launches recorded). With <see cref="FirstPlacementSeconds"/>, the deploy's start-up.
    /// </summary>
    public double? FirstLaunchSeconds { get; init; }

    /// <summary>
    /// Median offer-cycle latency to when the scheduler sent its last answer, before the call waited in the simulated
    /// master's queue (the master-side figures, <see cref="P50CycleMs"/>, include that wait).
    /// </summary>
    public double P50SchedulerCycleMs { get; init; }

    /// <summary>99th percentile of the same (see <see cref="P50SchedulerCycleMs"/>).</summary>
    public double P99SchedulerCycleMs { get; init; }

    /// <summary>
    /// The scheduler's own offer cycles (its <c>offers.process</c> timer, as DC/OS times them) during the deploy: each
    /// from the cycle's start to its last offer answered, the claimed pods' launch records included. Unlike
    /// <see cref="P50CycleMs"/> (one per OFFERS event, from the master's send), it leaves out the time offers wait for a
    /// cycle: behind a cycle in progress, or kept by a capped cycle for the next.
    /// </summary>
    public double P50ProcessMs { get; init; }

    /// <summary>99th percentile of the same (see <see cref="P50ProcessMs"/>).</summary>
    public double P99ProcessMs { get; init; }

    /// <summary>Offer cycles the scheduler timed during the deploy (see <see cref="P50ProcessMs"/>).</summary>
    public long ProcessCycles { get; init; }

    /// <summary>
    /// The router's own part of the scheduler's offer cycles during the deploy (its <c>offers.evaluate</c> timer): the
    /// evaluation, the claims and the declines, without the wait for the launch records in <see cref="P50ProcessMs"/>.
    /// </summary>
    public double P50EvaluateMs { get; init; }

    /// <summary>99th percentile of the same (see <see cref="P50EvaluateMs"/>).</summary>
    public double P99EvaluateMs { get; init; }

    /// <summary>
    /// Bytes the whole process allocated over the same span as <see cref="DeployCpuSeconds"/> (the scheduler's start to
    /// the end of the deploy). Steadier from run to run than the rate (within 2 %), so it shows allocation changes the
    /// rate's spread hides.
    /// </summary>
    public long DeployAllocatedBytes { get; init; }

    /// <summary>
    /// Time the whole process spent paused by garbage collections over the same span as <see cref="DeployCpuSeconds"/>
    /// (<see cref="GC.GetTotalPauseDuration"/>): an offer cycle a pause lands in is at least that long.
    /// </summary>
    public double DeployGcPauseSeconds { get; init; }

    /// <summary>Garbage collections of generations 0, 1 and 2 over the same span (a gen2 collection counts in all three).</summary>
    public GcCounts DeployCollections { get; init; }

    /// <summary>
    /// With <see cref="StormRunOptions.ScaleInTo"/>: from the update's acceptance to the decommission plan COMPLETE (the
    /// restart, when there is one, included); null when there was no scale-in or it did not complete in time.
    /// </summary>
    public double? ScaleInSeconds { get; init; }

    /// <summary>
    /// With <see cref="StormRunOptions.ScaleInTo"/> and <see cref="StormRunOptions.Restart"/>: whether a removed pod's
    /// kill reached the master and the decommission plan was not COMPLETE then, just before the scheduler was stopped.
    /// </summary>
    public bool RestartedDuringScaleIn { get; init; }

    /// <summary>
    /// The offers the scheduler declined from its start to the end of the deploy, by reason (<see cref="DeclineReasons"/>:
    /// each reason's counter name, e.g. <c>declines.not_kept</c>); reasons with none left out.
    /// </summary>
    public IReadOnlyDictionary<string, long> DeployDeclines { get; init; } = new Dictionary<string, long>();
}

/// <summary>
/// The storm benchmark's core: deploys <see cref="StormRunOptions.Pods"/> single-task pod instances (one pod type,
/// parallel phase) through the real scheduler actors onto an <see cref="OfferStorm"/>'s agents, in real time (the
/// cluster's virtual clock follows the wall clock, so the master heartbeats and the gateway's watchdog is content),
/// measures placements and offer cycles, then optionally restarts the scheduler and times its recovery.
/// </summary>
public sealed class StormRun
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(100);

    // How long offers open at the end of the deploy may take to be answered before they count as unanswered.
    private static readonly TimeSpan UnansweredGrace = TimeSpan.FromSeconds(5);

    /// <summary>The width of a <see cref="StormResult.Timeline"/> slice.</summary>
    public static readonly TimeSpan TimelineSlice = TimeSpan.FromMilliseconds(100);

    // How long a scale-in waits for the first kill of a removed pod before it restarts the scheduler anyway.
    private static readonly TimeSpan FirstKillPatience = TimeSpan.FromSeconds(10);

    private readonly StormRunOptions _options;
    private long _peakRss;
    private OfferStorm? _storm;

    /// <summary>A run; nothing starts until <see cref="RunAsync"/>.</summary>
    /// <exception cref="ArgumentException">
    /// Agents, pods, the rate, the claims per cycle or the offer interval are not positive, the offer hold mode is not an
    /// <see cref="OfferHoldMode"/>, or the storm's options are not valid (<see cref="OfferStormOptions.Validate"/>).
    /// </exception>
    public StormRun(StormRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Agents < 1 || options.Pods < 1 || !(options.OffersPerSecond > 0) || options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A storm run needs at least one agent and one pod, a positive rate and timeout (got agents {options.Agents}, pods {options.Pods}, rate {options.OffersPerSecond}, timeout {options.Timeout})"));
        }

        if (options.MaxClaimsPerCycle < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A storm run needs at least one claim per offer cycle (got {options.MaxClaimsPerCycle})"));
        }

        if (!Enum.IsDefined(options.OfferHold))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A storm run holds offers as backlog or none (got {(int)options.OfferHold})"));
        }

        if (options.ScaleInTo is { } scaleTo && (scaleTo < 1 || scaleTo >= options.Pods))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A storm run scales in to at least one pod and fewer than it deploys (got {scaleTo} of {options.Pods})"));
        }

        if (options.DecommissionParallelism < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A storm run decommissions at least one pod at a time (got {options.DecommissionParallelism})"));
        }

        if (options.OfferInterval < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A storm run needs an offer interval of at least 1 ms (got {options.OfferInterval.TotalMilliseconds} ms)"));
        }

        if (options.ForcedFaults.Where(f => !OfferStorm.Forceable.Contains(f)).ToList() is [var fault, ..])
        {
            throw new ArgumentException($"A storm run forces only a rescind, an agent lost and an agent gone (got {fault})");
        }

        _options = options;
        StormOptions().Validate();
    }

    /// <summary>What this run was made with.</summary>
    public StormRunOptions Options => _options;

    /// <summary>
    /// The faults the storm made on purpose so far (<see cref="StormRunOptions.ForcedFaults"/>), as its log has them:
    /// which offer it rescinded, which agents it lost and marked gone, and when. Read it in
    /// <see cref="StormRunOptions.Inspect"/> or after the run.
    /// </summary>
    public IReadOnlyList<StormAction> ForcedFaults => _storm?.Actions.Where(a => a.Forced).ToList() ?? [];

    /// <summary>Whether the run keeps the cluster's whole history: for <see cref="StormRunOptions.Inspect"/>, and to see forced faults reach the scheduler.</summary>
    private bool KeepHistory => _options.Inspect is not null || _options.ForcedFaults.Count > 0;

    /// <summary>The storm's options, from the run's (checked when the run is made).</summary>
    private OfferStormOptions StormOptions() => new()
    {
        Agents = _options.Agents,
        Seed = _options.Seed,
        Allocation = _options.Allocation,
        OffersPerSecond = _options.OffersPerSecond,
        AllocationInterval = _options.AllocationInterval,
        RescindProbability = _options.RescindProbability,
        AgentLossProbability = _options.AgentLossProbability,
        AgentGoneProbability = _options.AgentGoneProbability,
        AgentReturnAfter = _options.AgentReturnAfter,
    };

    /// <summary>
    /// The service spec the run deploys: <paramref name="pods"/> instances of one tiny task, parallel; a scale-in
    /// decommissions the instances it removes.
    /// </summary>
    public static string SpecYaml(int pods, string? placement = null) => string.Create(CultureInfo.InvariantCulture, $"""
        name: storm
        pods:
          storm:
            count: {pods}
            allow-decommission: true{(placement is null ? string.Empty : $"\n    placement: '{placement.Replace("'", "''", StringComparison.Ordinal)}'")}
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000000
                cpus: 0.1
                memory: 32
        plans:
          deploy:
            strategy: serial
            phases:
              storm:
                pod: storm
                strategy: parallel
        """);

    /// <summary>Runs it: agents, scheduler, deploy, restart; the figures.</summary>
    public async Task<StormResult> RunAsync(CancellationToken ct = default)
    {
        var (spec, rendered) = LoadSpec(_options.Pods, _options.Placement);
        await using var cluster = new SimulatedCluster(_options.Seed, timedAllocation: false);
        var storm = _storm = new OfferStorm(cluster, StormOptions());
        await storm.CreateAgentsAsync().ConfigureAwait(false);
        var settings = Settings(spec, rendered, cluster);

        using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pump = PumpAsync(storm, _options.OfferInterval, stopPump.Token);
        var startSystem = _options.StartActorSystem ?? InMemoryActorSystem();
        var host = await startSystem().ConfigureAwait(false);
        try
        {
            var tracker = new OfferCycleTracker(expectedTasks: _options.Pods);
            var cpuAtStart = ProcessCpu();
            var allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
            var (pauseAtStart, collectionsAtStart) = (GC.GetTotalPauseDuration(), GcCounts.Now());
            var startedAt = DateTimeOffset.UtcNow;
            var root = await StartSchedulerAsync(host.System, settings, cluster, "scheduler-1", ct).ConfigureAwait(false);
            long? eventsAtFirstOffer = null;
            var forced = false;
            var deployWatch = Stopwatch.StartNew();
            var complete = await WaitAsync("deploy", cluster, tracker, root, () =>
            {
                if (tracker.FirstOffer is not null && eventsAtFirstOffer is null)
                {
                    eventsAtFirstOffer = _options.CountJournalEvents?.Invoke();
                }

                if (tracker.Placed * 2 >= _options.Pods)
                {
                    Force();
                }
            }, ct).ConfigureAwait(false);

            // A deploy can also end between two polls (the readiness check's asks take a while, and a capped cycle can
            // place every pod at once): the faults are then made on the pods that run, so no run goes without them.
            if (complete)
            {
                Force();
            }

            void Force()
            {
                if (!forced && _options.ForcedFaults.Count > 0)
                {
                    // On agents where a pod a scale-in keeps runs: the checks that it was replaced have a pod to look at.
                    storm.Force(task => _options.ScaleInTo is not { } kept || StormPodIndex(task) < kept, [.. _options.ForcedFaults]);
                    forced = true;
                }
            }

            var deployCpu = ProcessCpu() - cpuAtStart;
            var deployAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedAtStart;
            var (deployPause, deployCollections) = (GC.GetTotalPauseDuration() - pauseAtStart, GcCounts.Since(collectionsAtStart));
            var offerCycles = settings.Metrics.Timers().GetValueOrDefault(SchedulerMetrics.OffersProcess);
            var evaluations = settings.Metrics.Timers().GetValueOrDefault(SchedulerMetrics.OffersEvaluate);
            var counters = settings.Metrics.Counters();
            var deployDeclines = DeclineReasons.All
                .Where(r => counters.GetValueOrDefault(r.Metric) > 0)
                .ToDictionary(r => r.Metric, r => counters[r.Metric]);
            tracker.Update(cluster, discard: !KeepHistory);
            var eventsAtEnd = _options.CountJournalEvents?.Invoke();
            var placed = await cluster.CountRunningTasksAsync().ConfigureAwait(false);
            var end = complete && tracker.LastPlacement is { } last ? last : DateTimeOffset.UtcNow;
            var deploySeconds = tracker.FirstOffer is { } first ? Math.Max((end - first).TotalSeconds, 1e-3) : deployWatch.Elapsed.TotalSeconds;
            var cycleAnswers = tracker.Cycles.ToList();
            var cycles = cycleAnswers.Select(c => c.Ms).Order().ToList();
            var schedulerCycles = tracker.SchedulerCycleMs.Order().ToList();
            var (offersReceived, batches) = (tracker.Offers, tracker.Batches);

            // Offers the storm made just before the deploy ended may still be on their way to an answer: unanswered are
            // those still open a while later (the storm goes on offering meanwhile; only these are waited for).
            var openAtEnd = tracker.OpenOfferIds.ToHashSet(StringComparer.Ordinal);
            var settleWatch = Stopwatch.StartNew();
            while (openAtEnd.Overlaps(tracker.OpenOfferIds) && settleWatch.Elapsed < UnansweredGrace)
            {
                await Task.WhenAny(cluster.ChangedSince(cluster.HistoryCount), Task.Delay(PumpInterval, ct)).ConfigureAwait(false);
                tracker.Update(cluster, discard: !KeepHistory);
            }

            var unanswered = openAtEnd.Count(tracker.OpenOfferIds.Contains);
            var timeline = tracker.FirstOffer is { } timelineStart
                ? tracker.Timeline.Slices(timelineStart, TimelineSlice).Where(s => s.FromMs < deploySeconds * 1000).ToList()
                : [];

            if (forced)
            {
                await ForcedFaultsSeenAsync(storm, cluster, ct).ConfigureAwait(false);
            }

            Stopwatch? scaleInWatch = null;
            var restartedDuringScaleIn = false;
            if (_options.ScaleInTo is { } scaleTo && complete)
            {
                var mark = cluster.HistoryCount;
                await ScaleInAsync(root, scaleTo).ConfigureAwait(false);
                scaleInWatch = Stopwatch.StartNew();
                if (_options.Restart)
                {
                    restartedDuringScaleIn = await FirstKillAsync(cluster, mark, scaleTo, ct).ConfigureAwait(false)
                        && await DecommissionUnderWayAsync(root).ConfigureAwait(false);
                }
            }

            double? restartSeconds = null;
            // Ready after a restart means deploy COMPLETE too: without a complete deploy there is nothing to time.
            if (_options.Restart && complete)
            {
                if (!await root.GracefulStop(AskTimeout).ConfigureAwait(false))
                {
                    throw new InvalidOperationException("The scheduler did not stop within 30 s");
                }

                await host.StopAsync().ConfigureAwait(false);
                var restartWatch = Stopwatch.StartNew();
                host = await startSystem().ConfigureAwait(false);
                root = await StartSchedulerAsync(host.System, settings, cluster, "scheduler-2", ct).ConfigureAwait(false);
                if (await WaitAsync("restart", cluster, tracker, root, () => { }, ct).ConfigureAwait(false))
                {
                    restartSeconds = restartWatch.Elapsed.TotalSeconds;
                }
            }

            double? scaleInSeconds = null;
            if (scaleInWatch is not null
                && await WaitAsync("scale-in", cluster, tracker, root, () => { }, ct, DecommissionPlan.Name).ConfigureAwait(false))
            {
                scaleInSeconds = scaleInWatch.Elapsed.TotalSeconds;
            }

            using (var process = Process.GetCurrentProcess())
            {
                _peakRss = Math.Max(_peakRss, process.PeakWorkingSet64);
            }

            if (forced)
            {
                await ForcedAgentsBackAsync(storm, ct).ConfigureAwait(false);
            }

            if (_options.Inspect is { } inspect)
            {
                // The storm goes on meanwhile: checks that wait for the cluster to settle see offers come and go.
                await inspect(cluster).ConfigureAwait(false);
            }

            return new StormResult(
                _options.Pods,
                placed,
                complete,
                deploySeconds,
                tracker is { FirstOffer: { } firstOffer, FirstPlacement: { } firstPlacement } ? (firstPlacement - firstOffer).TotalSeconds : null,
                placed / deploySeconds,
                cycles.Count,
                MetricTimer.Percentile(cycles, 0.50),
                MetricTimer.Percentile(cycles, 0.99),
                offersReceived,
                batches,
                unanswered,
                eventsAtFirstOffer is { } before && eventsAtEnd is { } after ? after - before : null,
                restartSeconds,
                _peakRss / (1024.0 * 1024.0),
                deployCpu.TotalSeconds)
            {
                StartToFirstOfferSeconds = tracker.FirstOffer is { } firstOfferAt ? (firstOfferAt - startedAt).TotalSeconds : null,
                FirstLaunchSeconds = tracker is { FirstOffer: { } offered, FirstLaunch: { } launched } ? (launched - offered).TotalSeconds : null,
                P50SchedulerCycleMs = MetricTimer.Percentile(schedulerCycles, 0.50),
                P99SchedulerCycleMs = MetricTimer.Percentile(schedulerCycles, 0.99),
                P50ProcessMs = 1000 * (offerCycles?.Percentile(0.50) ?? 0),
                P99ProcessMs = 1000 * (offerCycles?.Percentile(0.99) ?? 0),
                ProcessCycles = offerCycles?.Count ?? 0,
                P50EvaluateMs = 1000 * (evaluations?.Percentile(0.50) ?? 0),
                P99EvaluateMs = 1000 * (evaluations?.Percentile(0.99) ?? 0),
                DeployAllocatedBytes = deployAllocated,
                DeployGcPauseSeconds = deployPause.TotalSeconds,
                DeployCollections = deployCollections,
                Timeline = timeline,
                Cycles = cycleAnswers,
                ScaleInSeconds = scaleInSeconds,
                RestartedDuringScaleIn = restartedDuringScaleIn,
                DeployDeclines = deployDeclines,
            };
        }
        finally
        {
            await stopPump.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
            await host.StopAsync().ConfigureAwait(false);
            if (!host.System.WhenTerminated.IsCompleted)
            {
                await host.System.Terminate().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Submits the storm spec with <paramref name="pods"/> instances as the new target.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scheduler refused it.</exception>
    private async Task ScaleInAsync(IActorRef root, int pods)
    {
        var (_, rendered) = LoadSpec(pods, _options.Placement);
        var result = await root.Ask<ConfigProtocol.UpdateResult>(
            new ConfigProtocol.SubmitConfiguration(rendered, "(storm run scale-in)", ImmutableDictionary<string, string>.Empty), AskTimeout).ConfigureAwait(false);
        if (result.Outcome != UpdateOutcome.NewTarget)
        {
            throw new InvalidOperationException($"The scheduler did not take the scale-in to {pods} pods: {result.Outcome} {string.Join("; ", result.Errors)}");
        }
    }

    /// <summary>
    /// Waits until the master got the KILL of a task of a pod the scale-in to <paramref name="pods"/> removes, after
    /// history record <paramref name="mark"/>; false if none came within 10 s (none of them had a live task, say).
    /// </summary>
    private static async Task<bool> FirstKillAsync(SimulatedCluster cluster, long mark, int pods, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var cursor = mark;
        while (watch.Elapsed < FirstKillPatience)
        {
            var records = cluster.HistorySince(cursor);
            if (records.Any(r => r.Call is { Type: Call.Types.Type.Kill } kill && StormPodIndex(kill.Kill.TaskId.Value) >= pods))
            {
                return true;
            }

            cursor = records.Count > 0 ? records[^1].Sequence : cursor;
            await Task.WhenAny(cluster.ChangedSince(cursor), Task.Delay(PumpInterval, ct)).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>
    /// Waits (up to the run's timeout) until the storm made every fault it was forced to and the scheduler read each — the
    /// RESCIND of the offer, the FAILURE of the agent lost or marked gone — so that none comes while the run restarts the
    /// scheduler, when it would reach no one.
    /// </summary>
    private Task ForcedFaultsSeenAsync(OfferStorm storm, SimulatedCluster cluster, CancellationToken ct) => UntilAsync(() =>
    {
        var made = storm.Actions.Where(a => a.Forced).ToList();
        if (!_options.ForcedFaults.All(kind => made.Any(a => a.Kind == kind)))
        {
            return false;
        }

        var events = cluster.History.Select(r => r.Event).OfType<Event>().ToList();
        return made.All(fault => events.Any(e => fault.Kind == StormActionKind.Rescind
            ? e.Type == Event.Types.Type.Rescind && e.Rescind.OfferId.Value == fault.Detail
            : e.Type == Event.Types.Type.Failure && e.Failure.ExecutorId is null && e.Failure.AgentId?.Value == fault.AgentId));
    }, ct);

    /// <summary>
    /// With <see cref="StormRunOptions.AgentReturnAfter"/>, waits (up to the run's timeout) until the agent the storm was
    /// forced to lose returned and the one it was forced to mark gone restarted.
    /// </summary>
    private Task ForcedAgentsBackAsync(OfferStorm storm, CancellationToken ct) => UntilAsync(() =>
    {
        var actions = storm.Actions;
        return _options.AgentReturnAfter is null || actions.Where(a => a.Forced).All(fault => fault.Kind switch
        {
            StormActionKind.AgentLost => actions.Any(a => a.Kind == StormActionKind.AgentReturned && a.AgentId == fault.AgentId && a.Index > fault.Index),
            StormActionKind.AgentGone => actions.Any(a => a.Kind == StormActionKind.AgentRestarted && a.Detail == fault.AgentId),
            _ => true,
        });
    }, ct);

    /// <summary>Polls <paramref name="done"/> every 100 ms until it holds or the run's timeout passed.</summary>
    private async Task UntilAsync(Func<bool> done, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (!done() && watch.Elapsed < _options.Timeout)
        {
            await Task.Delay(PumpInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the decommission plan is there and not COMPLETE (false if the scheduler does not answer).</summary>
    private static async Task<bool> DecommissionUnderWayAsync(IActorRef root)
    {
        try
        {
            return await root.Ask<object>(new PlanProtocol.GetPlan(DecommissionPlan.Name), AskTimeout).ConfigureAwait(false) is PlanInfo { Status: not Status.Complete };
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }

    /// <summary>The instance index in a storm pod, task or task id name (<c>storm-12</c>, <c>storm-12-server__…</c> → 12), or -1.</summary>
    internal static int StormPodIndex(string name) =>
        name.Split('-') is [_, var index, ..] && int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1;

    /// <summary>
    /// Waits (polling every 100 ms) until offers are used and <paramref name="plan"/> is COMPLETE (and the deploy plan,
    /// when it is another), or the timeout; reports progress.
    /// </summary>
    private async Task<bool> WaitAsync(string stage, SimulatedCluster cluster, OfferCycleTracker tracker, IActorRef root, Action onPoll, CancellationToken ct,
        string plan = PlanGenerator.DeployPlanName)
    {
        var watch = Stopwatch.StartNew();
        var nextProgress = _options.ProgressInterval;
        var nextPlanCheck = TimeSpan.Zero;
        var summary = "not asked yet";
        using var process = Process.GetCurrentProcess();
        while (watch.Elapsed < _options.Timeout)
        {
            ct.ThrowIfCancellationRequested();
            tracker.Update(cluster, discard: !KeepHistory);
            onPoll();

            // A report due is made before the check that may end the wait: the check's asks can take seconds on a loaded
            // machine, long enough for a short stage to end meanwhile, and a stage then went unreported even with a zero
            // interval (the summary is the previous check's).
            if (watch.Elapsed >= nextProgress && _options.Progress is { } progress)
            {
                nextProgress = watch.Elapsed + _options.ProgressInterval;
                var rate = tracker.FirstOffer is { } first ? tracker.Placed / Math.Max((DateTimeOffset.UtcNow - first).TotalSeconds, 1e-3) : 0;
                progress(new StormProgress(stage, watch.Elapsed, tracker.Placed, rate, tracker.Offers, summary, tracker.Launched));
            }

            if (watch.Elapsed >= nextPlanCheck)
            {
                nextPlanCheck = watch.Elapsed + TimeSpan.FromMilliseconds(500);
                process.Refresh();
                _peakRss = Math.Max(_peakRss, process.WorkingSet64);
                (var ready, summary) = await IsReadyAsync(root, plan).ConfigureAwait(false);
                if (ready)
                {
                    return true;
                }
            }

            await Task.Delay(PumpInterval, ct).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>
    /// Reconciled (offers are used), the deploy plan and <paramref name="planName"/> COMPLETE; and a one-line summary of
    /// where the scheduler is.
    /// </summary>
    private async Task<(bool Ready, string Summary)> IsReadyAsync(IActorRef root, string planName)
    {
        try
        {
            var reconciled = await root.Ask<bool>(IsReconciled.Instance, AskTimeout).ConfigureAwait(false);
            var ready = reconciled;
            var summary = $"reconciled={reconciled}";
            foreach (var name in planName == PlanGenerator.DeployPlanName ? [planName] : new[] { PlanGenerator.DeployPlanName, planName })
            {
                if (await root.Ask<object>(new PlanProtocol.GetPlan(name), AskTimeout).ConfigureAwait(false) is not PlanInfo plan)
                {
                    // A scheduler shows no decommission plan once nothing is left to decommission (a restart after the
                    // last removed pod was erased), and before its plan first reported: the pods it knows tell which.
                    if (name == DecommissionPlan.Name && _options.ScaleInTo is { } kept
                        && (await root.Ask<PodProtocol.PodNames>(PodProtocol.GetPodNames.Instance, AskTimeout).ConfigureAwait(false)).Names.All(n => StormPodIndex(n) < kept))
                    {
                        summary += $" {name}=none (nothing left)";
                        continue;
                    }

                    return (false, $"{summary} {name}=none");
                }

                // Counted in place: this runs every 100 ms of the measured deploy, and a list and groups of its 10,000
                // steps were arrays of the large-object heap each time.
                var counts = new SortedDictionary<Status, int>();
                foreach (var phase in plan.Phases)
                {
                    foreach (var step in phase.Steps)
                    {
                        counts[step.Status] = counts.GetValueOrDefault(step.Status) + 1;
                    }
                }

                var byStatus = string.Join(",", counts.Select(c => $"{c.Key}:{c.Value}"));
                summary += $" {name}={plan.Status} steps={byStatus}";
                if (name != PlanGenerator.DeployPlanName)
                {
                    // A few of the steps under way and what they wait for: a slow decommission shows its cause.
                    summary += string.Concat(plan.Phases.SelectMany(p => p.Steps.Where(s => s.Status == Status.Starting).Select(s => $" [{p.Name}/{s.Name}: {s.Message}]")).Take(3));
                }
                ready &= plan.Status == Status.Complete;
            }

            return (ready, summary);
        }
        catch (AskTimeoutException)
        {
            return (false, "the scheduler did not answer within 30 s");
        }
    }

    /// <summary>Starts a scheduler under its backoff supervisor, as <c>run</c> does, and waits until it subscribed (a new SUBSCRIBED event in the history).</summary>
    private async Task<IActorRef> StartSchedulerAsync(ActorSystem system, SchedulerSettings settings, SimulatedCluster cluster, string name, CancellationToken ct)
    {
        var mark = cluster.HistoryCount;
        var root = system.ActorOf(SchedulerRootActor.SupervisedProps(settings), name);
        var watch = Stopwatch.StartNew();
        while (!cluster.HistorySince(mark).Any(r => r.Event?.Type == Event.Types.Type.Subscribed))
        {
            if (watch.Elapsed > _options.Timeout)
            {
                throw new TimeoutException($"The scheduler did not subscribe within {_options.Timeout}");
            }

            await Task.WhenAny(cluster.ChangedSince(cluster.HistoryCount), Task.Delay(PumpInterval, ct)).ConfigureAwait(false);
        }

        return root;
    }

    /// <summary>Lets the storm's time follow the wall clock: every <paramref name="interval"/>, the real time that passed.</summary>
    private static async Task PumpAsync(OfferStorm storm, TimeSpan interval, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(interval, ct).ConfigureAwait(false);
                var now = watch.Elapsed;
                await storm.AdvanceAsync(now - last).ConfigureAwait(false);
                last = now;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private SchedulerSettings Settings(ServiceSpec spec, string rendered, SimulatedCluster cluster)
    {
        var gateway = cluster.GatewayFor(spec.Name);
        return new SchedulerSettings(spec.Name, rendered, "(storm run)", gateway, new ExecutorResources(), ImmutableArray<KeyValuePair<string, string>>.Empty)
        {
            Clock = cluster.Clock,
            EntityJournalSnapshotEvery = _options.EntityJournalSnapshotEvery,
            PodSnapshotAfterEvents = _options.PodSnapshotAfterEvents,
            MaxClaimsPerCycle = _options.MaxClaimsPerCycle,
            OfferHold = _options.OfferHold,
            Fitness = _options.Fitness,
            DecommissionParallelism = _options.DecommissionParallelism,
        };
    }

    private static (ServiceSpec Spec, string Rendered) LoadSpec(int pods, string? placement)
    {
        var path = Path.Combine(Path.GetTempPath(), $"actorscheduler-storm-{Guid.NewGuid():N}.yml");
        try
        {
            File.WriteAllText(path, SpecYaml(pods, placement));
            var loaded = ServiceSpecLoader.LoadFile(path);
            if (loaded.Spec is null || loaded.RenderedText is null || !loaded.Errors.IsEmpty)
            {
                throw new InvalidOperationException($"The storm spec does not load: {string.Join("; ", loaded.Errors)}");
            }

            return (loaded.Spec, loaded.RenderedText);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>One ActorSystem with the in-memory journal, kept across the restart (its journal lives in it).</summary>
    private static Func<Task<StormActorSystem>> InMemoryActorSystem()
    {
        ActorSystem? system = null;
        return () =>
        {
            system ??= ActorSystem.Create("storm", ConfigurationFactory.ParseString("""
                akka.loglevel = WARNING
                akka.stdout-loglevel = WARNING
                akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
                """).WithFallback(ConfigurationFactory.ParseString(SchedulerHocon.Text)));
            return Task.FromResult(new StormActorSystem(system, () => Task.CompletedTask));
        };
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

}

/// <summary>Garbage collections by generation (<see cref="GC.CollectionCount"/>); a gen2 collection counts in all three.</summary>
public readonly record struct GcCounts(int Gen0, int Gen1, int Gen2)
{
    /// <summary>
    /// The collections of the process so far, to count from (<see cref="Since"/>): read youngest generation first, so a
    /// collection that lands between two reads is counted in the older generation's span only if also in the younger's.
    /// </summary>
    public static GcCounts Now()
    {
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        return new(gen0, gen1, GC.CollectionCount(2));
    }

    /// <summary>
    /// The collections since <paramref name="start"/> (a <see cref="Now"/>). Read oldest generation first: every
    /// generation's span holds the older ones', so a collection of another thread between the reads never makes an older
    /// generation count more than a younger one (gen0 ≥ gen1 ≥ gen2, as a gen2 collection counts in all three).
    /// </summary>
    public static GcCounts Since(GcCounts start)
    {
        var gen2 = GC.CollectionCount(2);
        var gen1 = GC.CollectionCount(1);
        var gen0 = GC.CollectionCount(0);
        return new(gen0 - start.Gen0, gen1 - start.Gen1, gen2 - start.Gen2);
    }

    /// <summary>The counts as <c>gen0/gen1/gen2</c>, e.g. <c>12/3/1</c>.</summary>
    public override string ToString() => $"{Gen0}/{Gen1}/{Gen2}";
}
