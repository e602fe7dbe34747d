using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Offers;

namespace ActorScheduler.Hosting;

/// <summary>What an embedding application tells <see cref="ActorSchedulerHostingExtensions.WithActorScheduler"/>.</summary>
public sealed class ActorSchedulerOptions
{
    /// <summary>The rendered spec (see <c>ServiceSpecLoader.LoadFile</c>'s <c>RenderedText</c>).</summary>
    public required string RenderedSpec { get; init; }

    /// <summary>
    /// Scheduler variables that shape the spec beyond its text (<c>ServiceSpecLoader.LoadFile</c>'s
    /// <c>SchedulerEnvironment</c>: <c>TASKCFG_*</c> routed into task env, <c>SERVICE_REGION</c>); stored with the spec.
    /// </summary>
    public IReadOnlyDictionary<string, string> SchedulerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The text of the spec's task config templates (<c>ServiceSpecLoader.LoadFile</c>'s <c>ConfigTemplates</c>); stored with the spec.</summary>
    public IReadOnlyDictionary<string, string> ConfigTemplates { get; init; } = new Dictionary<string, string>();

    /// <summary>The service name (the spec's <c>name</c>).</summary>
    public required string ServiceName { get; init; }

    /// <summary>Where the spec came from, for errors and audit.</summary>
    public string SpecSource { get; init; } = "(embedded)";

    /// <summary>The Mesos master, e.g. http://127.0.0.1:5050/.</summary>
    public required Uri MasterUrl { get; init; }

    /// <summary>OS user the framework registers as; null means the current user.</summary>
    public string? User { get; init; }

    /// <summary>How long the master keeps our tasks while we are away (DC/OS: two weeks).</summary>
    public TimeSpan FailoverTimeout { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Resources of the default executor of each pod.</summary>
    public ExecutorResources Executor { get; init; } = new();

    /// <summary>Where tasks reach the scheduler API (SCHEDULER_API_HOSTNAME / SCHEDULER_API_PORT).</summary>
    public Uri? ApiUrl { get; init; }

    /// <summary>Scales the explicit reconciliation retry delays (8 s, 16 s, 30 s); tests shorten them.</summary>
    public double ReconcileDelayFactor { get; init; } = 1.0;

    /// <summary>How often all tasks are reconciled implicitly while subscribed (DC/OS: one hour).</summary>
    public TimeSpan ImplicitReconcileInterval { get; init; } = GatewaySettings.DefaultImplicitReconcileInterval;

    /// <summary>
    /// The Mesos master's <c>--registry_max_agent_age</c> (its default: two weeks): how long the framework keeps
    /// subscribing with a role the spec no longer names for reservations given up under it on an agent that is
    /// unreachable, in case it comes back with them (see <see cref="GatewaySettings.RegistryMaxAgentAge"/>). More than zero.
    /// </summary>
    public TimeSpan RegistryMaxAgentAge { get; init; } = GatewaySettings.DefaultRegistryMaxAgentAge;

    /// <summary>
    /// Delay each relaunch of a task that failed (TASK_FAILED / TASK_ERROR): 60 s, then x1.15 per further failure, at
    /// most 300 s; cleared when the task runs, by pod restart / replace and by a step restart (DC/OS
    /// <c>ENABLE_BACKOFF</c>). Persisted, so a restart keeps it. Off: a crash-looping task waits 1 s doubling to 60 s, in memory.
    /// </summary>
    public bool EnableBackoff { get; init; }

    /// <summary>
    /// A RUNNING-goal task failed this long without running again makes its pod's recovery PERMANENT: new footprint,
    /// placement re-applied, old reservations collected (DC/OS <c>permanent-failure-timeout-secs</c>). The clock starts
    /// when the failure is first seen and survives scheduler restarts. Null (default): never.
    /// </summary>
    public TimeSpan? PermanentFailureTimeout { get; init; }

    /// <summary>
    /// Pod instances one offer cycle places at most (more: faster deploys, offers held longer; see
    /// <see cref="ActorScheduler.Actors.SchedulerSettings.MaxClaimsPerCycle"/>). At least 1.
    /// </summary>
    public int MaxClaimsPerCycle { get; init; } = ActorScheduler.Actors.SchedulerSettings.DefaultMaxClaimsPerCycle;

    /// <summary>
    /// What a capped offer cycle does with the offers it leaves (see
    /// <see cref="ActorScheduler.Actors.SchedulerSettings.OfferHold"/>): by default keeps what the pods still waiting need;
    /// <see cref="ActorScheduler.Actors.Offers.OfferHoldMode.None"/> declines them, so every offer is answered by the
    /// cycle it came in.
    /// </summary>
    public ActorScheduler.Actors.Offers.OfferHoldMode OfferHold { get; init; } = ActorScheduler.Actors.Offers.OfferHoldMode.Backlog;

    /// <summary>
    /// How often the scheduler, with nothing to place, revives offers once to collect reservations labelled by it that no
    /// pod owns (see <see cref="ActorScheduler.Actors.SchedulerSettings.ReservationSweepInterval"/>); default one hour,
    /// zero: never.
    /// </summary>
    public TimeSpan ReservationSweepInterval { get; init; } = ActorScheduler.Actors.SchedulerSettings.DefaultReservationSweepInterval;

    /// <summary>
    /// The offer router's decision records the journal keeps, the latest (see
    /// <see cref="ActorScheduler.Actors.SchedulerSettings.OfferDecisionRecordsKept"/>); 0: every one, for ever.
    /// </summary>
    public long OfferDecisionRecordsKept { get; init; } = ActorScheduler.Actors.SchedulerSettings.DefaultOfferDecisionRecordsKept;

    /// <summary>
    /// How a new footprint chooses among the offers it fits (see <see cref="ActorScheduler.Actors.Offers.FitnessKind"/>):
    /// bin packing by default.
    /// </summary>
    public ActorScheduler.Actors.Offers.FitnessKind Fitness { get; init; } = ActorScheduler.Actors.Offers.PlacementFitness.Default.Kind;

    /// <summary>Offers that fit compared for one pod (not for first-fit); at least 1.</summary>
    public int FitnessCandidates { get; init; } = ActorScheduler.Actors.Offers.PlacementFitness.DefaultCandidates;

    /// <summary>
    /// Pod instances a scale-in decommissions at once (see
    /// <see cref="ActorScheduler.Actors.SchedulerSettings.DecommissionParallelism"/>); default 1, as the DC/OS SDK. At
    /// least 1.
    /// </summary>
    public int DecommissionParallelism { get; init; } = ActorScheduler.Actors.Plans.DecommissionPlan.DefaultParallelism;

    /// <summary>
    /// The PEM certificate of the CA that signs the certificates of tasks with <c>transport-encryption</c>, with
    /// <see cref="TlsCaKeyFile"/> (both or neither). Null: the scheduler generates a CA on first need and keeps it,
    /// private key included, in its journal.
    /// </summary>
    public string? TlsCaCertificateFile { get; init; }

    /// <summary>The unencrypted PEM private key (RSA or EC) of <see cref="TlsCaCertificateFile"/>.</summary>
    public string? TlsCaKeyFile { get; init; }

    /// <summary>
    /// The PostgreSQL database that holds the journal and the snapshots, as Npgsql's keywords
    /// (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>) or a <c>postgres://user:password@host:port/database</c> URL.
    /// The scheduler checks it and creates its tables (<see cref="Persistence.PostgresJournal"/>) when it is configured.
    /// Null (default): persistence is the application's choice, such as <see cref="Persistence.SqliteJournal.WithSqliteJournal"/>.
    /// </summary>
    public string? JournalConnection { get; init; }

    /// <summary>
    /// How the errors about <see cref="JournalConnection"/> name it: the property's name embedded, <c>run</c>'s option
    /// (<c>--journal-connection</c>) when it is <c>run</c> that passes the string on, so that its line says what to fix.
    /// </summary>
    internal string JournalConnectionSetting { get; init; } = nameof(JournalConnection);

    /// <summary>
    /// Run clustered (HA): this node joins the cluster of scheduler nodes, the scheduler root runs as a cluster singleton
    /// on one of them and <see cref="SchedulerRegistryKeys.Scheduler"/> is its proxy on every node. Needs
    /// <see cref="JournalConnection"/>: the shared journal is what lets the node taking over lose no decision. Null
    /// (default): the scheduler is a plain local actor.
    /// </summary>
    public SchedulerClusterOptions? Cluster { get; init; }
}

/// <summary>Keys under which the scheduler's actors are registered in the <c>ActorRegistry</c>.</summary>
public static class SchedulerRegistryKeys
{
    /// <summary>
    /// The scheduler root: send it <c>PlanProtocol</c> and <c>PodProtocol</c> queries. Clustered, the singleton proxy,
    /// which forwards to the root wherever it runs and buffers while it moves.
    /// </summary>
    public sealed class Scheduler
    {
    }
}
