namespace ActorScheduler.Simulation;

/// <summary>How a <see cref="ServiceScenario"/> loads its spec and runs.</summary>
public sealed class ScenarioOptions
{
    /// <summary>Template values (<c>-o KEY=VALUE</c>), beating the spec's defaults file.</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Environment variables the template and <c>TASKCFG_*</c> routing see. Empty by default: the process environment
    /// is never read, so a run does not depend on the machine.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Seed of the simulated cluster (names, generators): same seed, same run.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// The master's fault domain: its region is the scheduler's local region, where pods without an <c>@region</c> rule
    /// go (unless <c>SERVICE_REGION</c> names another); null (default): none.
    /// </summary>
    public FaultDomain? MasterDomain { get; init; }

    /// <summary>
    /// Whether the master offers on its own as virtual time advances (<see cref="Send.AdvanceTime"/>: allocation cycles,
    /// offers after a REVIVE); true by default. False: only the ticks' offers and those of an <see cref="OfferStorm"/>
    /// over <see cref="ServiceScenario.Cluster"/> are made, so a storm's offers are the only ones.
    /// </summary>
    public bool TimedAllocation { get; init; } = true;

    /// <summary>Resources of the fresh agents <see cref="Send.OffersFor"/> adds, unless a tick says otherwise.</summary>
    public AgentResources AgentResources { get; init; } = AgentResources.Default;

    /// <summary>
    /// The scheduler's opt-in recovery behaviour (backoff, permanent-failure timeout); its delays run on the cluster's
    /// virtual clock (<see cref="Send.AdvanceTime"/>).
    /// </summary>
    public Actors.Pods.RecoverySettings Recovery { get; init; } = Actors.Pods.RecoverySettings.Default;

    /// <summary>How long (real time) an expectation waits for the actors before it fails.</summary>
    public TimeSpan ExpectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long (real time) <see cref="Send.Register"/> and <see cref="Send.RestartScheduler"/> wait for the scheduler to
    /// subscribe and reconcile. A cold start on a busy machine takes seconds; an <see cref="ExpectTimeout"/> short enough
    /// to fail a wrong expectation fast must not fail the start.
    /// </summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Pod instances one offer cycle places at most (<c>run --claims-per-cycle</c>); at least 1.</summary>
    public int MaxClaimsPerCycle { get; init; } = Actors.SchedulerSettings.DefaultMaxClaimsPerCycle;

    /// <summary>What a capped offer cycle does with the offers it leaves (<c>run --offer-holding</c>).</summary>
    public Actors.Offers.OfferHoldMode OfferHold { get; init; } = Actors.Offers.OfferHoldMode.Backlog;

    /// <summary>How a new footprint chooses among the offers it fits (<c>run --fitness</c>, <c>--fitness-candidates</c>).</summary>
    public Actors.Offers.PlacementFitness Fitness { get; init; } = Actors.Offers.PlacementFitness.Default;

    /// <summary>Pod instances a scale-in decommissions at once (<c>run --decommission-parallelism</c>); at least 1.</summary>
    public int DecommissionParallelism { get; init; } = Actors.Plans.DecommissionPlan.DefaultParallelism;

    /// <summary>
    /// How long the router waits for an agent to offer reservations a pod gave up (<c>SchedulerSettings.GivenUpPatience</c>,
    /// an hour); a scenario shortens it to see the wait given up on. It runs on the actor system's clock, not the cluster's.
    /// </summary>
    public TimeSpan GivenUpPatience { get; init; } = Actors.SchedulerSettings.DefaultGivenUpPatience;

    /// <summary>
    /// The master's <c>--registry_max_agent_age</c> as the scheduler takes it (<c>GatewaySettings.RegistryMaxAgentAge</c>,
    /// two weeks): how long a role is kept for reservations given up on an unreachable agent. On the cluster's clock.
    /// </summary>
    public TimeSpan RegistryMaxAgentAge { get; init; } = Actors.Mesos.GatewaySettings.DefaultRegistryMaxAgentAge;
}
