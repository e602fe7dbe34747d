using System.Collections.Immutable;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Offers;

namespace ActorScheduler.Actors;

/// <summary>Everything the scheduler needs to start for one service.</summary>
/// <param name="ServiceName">The service (and framework) name; prefix of every persistence id.</param>
/// <param name="RenderedSpec">The spec after mustache rendering, offered to the config store as the target.</param>
/// <param name="SpecSource">Where the spec came from (for errors and audit).</param>
/// <param name="TaskEnv">Environment given to every task besides the DC/OS set (scheduler API address, …).</param>
public sealed record SchedulerSettings(
    string ServiceName,
    string RenderedSpec,
    string SpecSource,
    GatewaySettings Gateway,
    ExecutorResources Executor,
    ImmutableArray<KeyValuePair<string, string>> TaskEnv)
{
    /// <summary>Scheduler variables captured with the spec (<c>TASKCFG_*</c>, <c>SERVICE_REGION</c>), stored with it.</summary>
    public IReadOnlyDictionary<string, string> SchedulerEnvironment { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// Where tasks reach the scheduler API; the Mesos fetcher downloads config templates from it. Null: unknown, tasks
    /// get no template URIs.
    /// </summary>
    public Uri? SchedulerApi { get; init; }

    /// <summary>The text of the spec's task config templates, by the file name the spec gives; stored with it.</summary>
    public IReadOnlyDictionary<string, string> ConfigTemplates { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Where the scheduler counts offers, operations, status updates and launches (<c>/v1/metrics</c>).</summary>
    public SchedulerMetrics Metrics { get; init; } = new();

    /// <summary>Opt-in recovery behaviour: backoff, permanent-failure timeout.</summary>
    public Pods.RecoverySettings Recovery { get; init; } = Pods.RecoverySettings.Default;

    /// <summary>The clock of backoff delays and permanent-failure timeouts (a virtual one in simulations).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// Events after which the entity journal (pods, steps) saves a snapshot of every entity's history, so a restart reads
    /// that and the events after it; each pod also compacts its own history into a snapshot of its state.
    /// </summary>
    public int EntityJournalSnapshotEvery { get; init; } = DefaultEntityJournalSnapshotEvery;

    /// <summary>History length at which a pod instance replaces its history by a snapshot of its state.</summary>
    public int PodSnapshotAfterEvents { get; init; } = DefaultPodSnapshotAfterEvents;

    /// <summary>
    /// Pod instances one offer cycle places at most; the others wait for the next offers. An offer is answered once every
    /// pod it was given to recorded its launch, so more claims per cycle place faster and hold offers longer (measured
    /// trade-off in BENCHMARKS.md).
    /// </summary>
    public int MaxClaimsPerCycle { get; init; } = DefaultMaxClaimsPerCycle;

    /// <summary>
    /// What a capped offer cycle does with the offers it leaves: keeps what the pods still waiting need (the default, a
    /// faster deploy) or declines them, so that every offer is answered by the cycle it came in (measured trade-off in
    /// BENCHMARKS.md).
    /// </summary>
    public Offers.OfferHoldMode OfferHold { get; init; } = Offers.OfferHoldMode.Backlog;

    /// <summary>
    /// How often a scheduler with nothing to place revives offers once to see every agent's reservations, and collects
    /// those labelled by it that no pod owns (an agent back from a long partition, a leftover of a refused cleanup); zero:
    /// never, as in the DC/OS SDK, which sees them only when new work revives offers.
    /// </summary>
    public TimeSpan ReservationSweepInterval { get; init; } = DefaultReservationSweepInterval;

    /// <summary>
    /// How long offers keep coming, with nothing else to do, for the agent holding reservations a pod gave up (a replace,
    /// an abandoned launch, a decommission's release) to show them gone; then the router stops waiting (a later sweep
    /// collects them if the agent comes back).
    /// </summary>
    public TimeSpan GivenUpPatience { get; init; } = DefaultGivenUpPatience;

    /// <summary>
    /// How a new footprint chooses among the offers it fits: bin packing (default), spread or the first that passes,
    /// comparing up to <see cref="PlacementFitness.Candidates"/> of them.
    /// </summary>
    public PlacementFitness Fitness { get; init; } = PlacementFitness.Default;

    /// <summary>
    /// Pod instances a scale-in decommissions at once (at least 1). One (the default) is the DC/OS SDK's serial plan: an
    /// interrupt of a mistaken scale-in leaves every pod after the one under way untouched, and replicas of a stateful
    /// service go one by one (a pod whose agent is partitioned holds the ones after it up until the agent returns or is
    /// marked gone, or an operator force-completes its phase).
    /// More run the pods' phases in parallel: each waits for offers of its agent, so one at a time hundreds of pods take
    /// minutes (measured in BENCHMARKS.md).
    /// </summary>
    public int DecommissionParallelism { get; init; } = Plans.DecommissionPlan.DefaultParallelism;

    /// <summary>
    /// The offer router's decision records (<c>OfferCycleRecorded</c>, tag <c>offer-decision</c>) the journal keeps: the
    /// latest, older ones deleted in batches as new ones are written; 0: every one, for ever.
    /// </summary>
    public long OfferDecisionRecordsKept { get; init; } = DefaultOfferDecisionRecordsKept;

    /// <summary>A hundred thousand records: weeks of a service placing now and then, a few 10,000-pod deploys.</summary>
    public const long DefaultOfferDecisionRecordsKept = 100_000;

    /// <summary>
    /// How long an update or rollback waits for the config store to validate and store the spec. When it does not
    /// answer in time the caller hears so, and the scheduler then reads the store's target (the store may still have
    /// taken the spec) instead of assuming either outcome.
    /// </summary>
    public TimeSpan ConfigUpdateTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The operator's CA that signs the certificates of tasks with <c>transport-encryption</c>; null: the scheduler
    /// generates one on first need and keeps it in its journal.
    /// </summary>
    public Tls.CertificateAuthority? TlsAuthority { get; init; }

    public const int DefaultMaxClaimsPerCycle = 512;

    /// <summary>An hour: as long as the decline filter of an agent that had nothing for us.</summary>
    public static readonly TimeSpan DefaultReservationSweepInterval = Offers.OfferRouterActor.DefaultSweepInterval;

    /// <summary>An hour: as long as a long decline filter lasts.</summary>
    public static readonly TimeSpan DefaultGivenUpPatience = Offers.OfferRouterActor.DefaultAbandonedPatience;

    /// <summary>A pod's launch and status events of a dozen relaunches.</summary>
    public const int DefaultPodSnapshotAfterEvents = 64;

    /// <summary>About 20 events per pod of a 10,000-pod service: a deploy, a rollout and their status updates.</summary>
    public const int DefaultEntityJournalSnapshotEvery = 200_000;
}
