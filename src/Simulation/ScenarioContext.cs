using System.Collections.Immutable;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Simulation;

/// <summary>A tick could not do what it was asked; the scenario reports <see cref="Exception.Message"/> as the reason.</summary>
internal sealed class TickFailedException(string reason) : Exception(reason);

/// <summary>The scheduler's plans at one moment (<see cref="ScenarioContext.GetPlansAsync"/>).</summary>
/// <param name="Reported">The trees of the listed plans that have reported.</param>
/// <param name="NotReported">Listed plans that have not reported their tree yet.</param>
/// <param name="Settled">Every plan there is has reported (<see cref="PlanProtocol.PlanNames.Settled"/>).</param>
internal sealed record PlansNow(ImmutableArray<PlanInfo> Reported, ImmutableArray<string> NotReported, bool Settled);

/// <summary>The running state of a scenario that ticks read and change: the cluster, the scheduler, the last offers.</summary>
internal sealed class ScenarioContext
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(50);

    public ScenarioContext(SimulatedCluster cluster, ActorSystem system, ServiceSpec spec, SchedulerSettings settings, ScenarioOptions options)
    {
        Cluster = cluster;
        System = system;
        Spec = spec;
        Settings = settings;
        Options = options;
    }

    public SimulatedCluster Cluster { get; }

    public ActorSystem System { get; }

    public ServiceSpec Spec { get; }

    public SchedulerSettings Settings { get; }

    public ScenarioOptions Options { get; }

    private int _starts;

    public IActorRef? Root { get; private set; }

    /// <summary>The ids of the offers the latest offer tick made.</summary>
    public ImmutableArray<string> LastOffers { get; set; } = [];

    /// <summary>
    /// Loads the scenario's spec with other template values (for <see cref="Send.UpdateSpec"/>): the rendered text with
    /// the scheduler environment and config templates that go with it.
    /// </summary>
    public Func<IReadOnlyDictionary<string, string>, Specs.SpecLoadResult> RenderUpdate { get; init; } =
        _ => new Specs.SpecLoadResult(null, [], null);

    /// <summary>What the last <see cref="Send.UpdateSpec"/> got back.</summary>
    public ActorScheduler.Messages.Configs.ConfigProtocol.UpdateResult? LastUpdate { get; set; }

    public IActorRef RequireRoot() =>
        Root ?? throw new TickFailedException("The scheduler is not running: start the scenario with Send.Register()");

    /// <summary>Starts the scheduler under its backoff supervisor (as <c>WithActorScheduler</c> and <c>run</c> do) and waits until it has reconciled.</summary>
    public async Task StartSchedulerAsync()
    {
        if (Root is not null)
        {
            throw new TickFailedException("The scheduler is already running (use Send.RestartScheduler() to restart it)");
        }

        var mark = Cluster.HistoryCount;
        // A new name per start: the old root's name may stay reserved a moment after it terminated.
        Root = System.ActorOf(SchedulerRootActor.SupervisedProps(Settings), $"scheduler-{++_starts}");
        await WaitUntilAsync(async () =>
        {
            var subscribed = Cluster.History.Skip((int)mark).Any(r => r.Event?.Type == Event.Types.Type.Subscribed);
            if (!subscribed)
            {
                return "the scheduler has not subscribed to the master";
            }

            return await Root.Ask<bool>(IsReconciled.Instance, AskTimeout).ConfigureAwait(false)
                ? null
                : "the scheduler subscribed but has not finished reconciling its tasks";
        }, Options.StartTimeout).ConfigureAwait(false);
    }

    /// <summary>Stops the scheduler root and waits until all its actors are gone (their journals stay).</summary>
    public async Task StopSchedulerAsync()
    {
        var root = RequireRoot();
        if (!await root.GracefulStop(AskTimeout).ConfigureAwait(false))
        {
            throw new TickFailedException($"The scheduler did not stop within {AskTimeout.TotalSeconds:0} s");
        }

        Root = null;
    }

    /// <summary>The role holds as the framework actor has journaled them: what a restarted scheduler resumes from.</summary>
    public async Task<ImmutableArray<RoleHold>> GetJournaledRoleHoldsAsync()
    {
        var framework = System.ActorSelection(SchedulerSupervisorActor.SchedulerPath(RequireRoot().Path) / "framework");
        var identity = await framework.Ask<Actors.Framework.FrameworkIdentity>(Actors.Framework.GetFrameworkId.Instance, AskTimeout).ConfigureAwait(false);
        return identity.RoleHolds;
    }

    /// <summary>Waits until the scheduler recorded (acknowledged) every status update the agents sent.</summary>
    public Task SettleUpdatesAsync() => WaitUntilAsync(async () =>
    {
        var pending = await Cluster.UnacknowledgedTasksAsync().ConfigureAwait(false);
        return pending.Count == 0 ? null : $"status updates of {string.Join(", ", pending)} are not acknowledged by the scheduler";
    });

    /// <summary>Pod instances whose requirement waits at the offer router now.</summary>
    public async Task<ImmutableArray<string>> GetPendingRequirementsAsync() =>
        await RequireRoot().Ask<ImmutableArray<string>>(GetPendingRequirements.Instance, AskTimeout).ConfigureAwait(false);

    /// <summary>
    /// Waits until the scheduler is ready for offers for <paramref name="podType"/>: one of its instances
    /// (<paramref name="instance"/> only, when given) waits at the offer router, or — without an instance — the plans show
    /// steps of the pod and none is PENDING or PREPARED (so the offer is one the scheduler should decline).
    /// </summary>
    public Task AwaitReadyForOffersAsync(string podType, int? instance) => WaitUntilAsync(async () =>
    {
        var pending = await GetPendingRequirementsAsync().ConfigureAwait(false);
        bool OfPod(string name) => instance is { } i ? name == $"{podType}-{i}" : Actors.Offers.PodNames.IsOf(name, podType);
        if (pending.Any(OfPod))
        {
            return null;
        }

        if (instance is not null)
        {
            return $"pod instance {podType}-{instance} does not wait for offers (waiting: [{string.Join(", ", pending)}])";
        }

        // Plans and steps start asynchronously: until a step of the pod shows, nothing is known yet.
        var steps = (await GetPlansAsync().ConfigureAwait(false)).Reported
            .SelectMany(p => p.Phases.SelectMany(ph => ph.Steps.Select(s => (Plan: p.Name, Step: s))))
            .Where(x => OfPod(x.Step.Name))
            .ToList();
        if (steps.Count == 0)
        {
            return $"no plan has a step for pod {podType} (yet)";
        }

        var open = steps.Where(x => x.Step.Status is Status.Pending or Status.Prepared).Select(x => $"{x.Plan}/{x.Step.Name} {x.Step.Status}").ToList();
        return open.Count == 0 ? null : $"no instance of {podType} waits for offers yet, though [{string.Join(", ", open)}]";
    });

    /// <summary>The plan as the scheduler shows it now.</summary>
    public async Task<PlanInfo?> GetPlanAsync(string plan) =>
        await RequireRoot().Ask<object>(new PlanProtocol.GetPlan(plan), AskTimeout).ConfigureAwait(false) as PlanInfo;

    /// <summary>
    /// Every plan the scheduler lists: the trees of those that reported, the names of those that have not yet (a plan
    /// started a moment ago, as after an update), and whether the list is the whole picture
    /// (<see cref="PlanProtocol.PlanNames.Settled"/>).
    /// </summary>
    public async Task<PlansNow> GetPlansAsync()
    {
        var names = await RequireRoot().Ask<PlanProtocol.PlanNames>(PlanProtocol.GetPlans.Instance, AskTimeout).ConfigureAwait(false);
        var reported = ImmutableArray.CreateBuilder<PlanInfo>();
        var notReported = ImmutableArray.CreateBuilder<string>();
        foreach (var name in names.Names)
        {
            if (await GetPlanAsync(name).ConfigureAwait(false) is { } plan)
            {
                reported.Add(plan);
            }
            else
            {
                notReported.Add(name);
            }
        }

        return new PlansNow(reported.ToImmutable(), notReported.ToImmutable(), names.Settled);
    }

    /// <summary>
    /// Runs <paramref name="check"/> until it returns null; re-checks whenever the cluster's history changes (and every
    /// 50 ms, for state only the actors know), and fails with its last reason after <paramref name="timeout"/>.
    /// </summary>
    /// <param name="check">Null once what is waited for holds; else why not yet.</param>
    /// <param name="timeout">How long at most; null: <see cref="ScenarioOptions.ExpectTimeout"/>.</param>
    public async Task WaitUntilAsync(Func<Task<string?>> check, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Options.ExpectTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var seen = Cluster.HistoryCount;
            string? reason;
            try
            {
                reason = await check().ConfigureAwait(false);
            }
            catch (AskTimeoutException e)
            {
                reason = $"the scheduler did not answer: {e.Message}";
            }

            if (reason is null)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TickFailedException($"{reason} (after {limit.TotalSeconds:0.#} s)");
            }

            await Task.WhenAny(Cluster.ChangedSince(seen), Task.Delay(RecheckInterval)).ConfigureAwait(false);
        }
    }

    /// <summary>The pod type, or an error naming the known ones.</summary>
    public PodSpec RequirePod(string podType) =>
        Spec.FindPod(podType)
        ?? throw new TickFailedException($"Unknown pod type '{podType}'; the spec has: {string.Join(", ", Spec.Pods.Select(p => p.Type))}");
}
