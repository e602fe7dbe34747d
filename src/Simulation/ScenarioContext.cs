using System.Collections.Immutable;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Akka.Actor;

namespace ActorScheduler.Simulation;

/// <summary>A tick could not do what it was asked; the scenario reports <see cref="Exception.Message"/> as the reason.</summary>
internal sealed class TickFailedException(string reason) : Exception(reason);

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

    public IActorRef RequireRoot() =>
        Root ?? throw new TickFailedException("The scheduler is not running: start the scenario with Send.Register()");

    /// <summary>Starts the scheduler root (the same wiring as <c>WithActorScheduler</c>) and waits until it has reconciled.</summary>
    public async Task StartSchedulerAsync()
    {
        if (Root is not null)
        {
            throw new TickFailedException("The scheduler is already running (use Send.RestartScheduler() to restart it)");
        }

        var mark = Cluster.HistoryCount;
        // A new name per start: the old root's name may stay reserved a moment after it terminated.
        Root = System.ActorOf(SchedulerRootActor.Props(Settings), $"scheduler-{++_starts}");
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
        }).ConfigureAwait(false);
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

    /// <summary>Waits until the scheduler recorded (acknowledged) every status update the agents sent.</summary>
    public Task SettleUpdatesAsync() => WaitUntilAsync(async () =>
    {
        var pending = await Cluster.UnacknowledgedTasksAsync().ConfigureAwait(false);
        return pending.Count == 0 ? null : $"status updates of {string.Join(", ", pending)} are not acknowledged by the scheduler";
    });

    /// <summary>The plan as the scheduler shows it now.</summary>
    public async Task<PlanInfo?> GetPlanAsync(string plan) =>
        await RequireRoot().Ask<object>(new PlanProtocol.GetPlan(plan), AskTimeout).ConfigureAwait(false) as PlanInfo;

    /// <summary>Every plan the scheduler has.</summary>
    public async Task<ImmutableArray<PlanInfo>> GetPlansAsync()
    {
        var names = await RequireRoot().Ask<PlanProtocol.PlanNames>(PlanProtocol.GetPlans.Instance, AskTimeout).ConfigureAwait(false);
        var plans = ImmutableArray.CreateBuilder<PlanInfo>();
        foreach (var name in names.Names)
        {
            if (await GetPlanAsync(name).ConfigureAwait(false) is { } plan)
            {
                plans.Add(plan);
            }
        }

        return plans.ToImmutable();
    }

    /// <summary>
    /// Runs <paramref name="check"/> until it returns null; re-checks whenever the cluster's history changes (and every
    /// 50 ms, for state only the actors know), and fails with its last reason after <see cref="ScenarioOptions.ExpectTimeout"/>.
    /// </summary>
    public async Task WaitUntilAsync(Func<Task<string?>> check)
    {
        var deadline = DateTime.UtcNow + Options.ExpectTimeout;
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
                throw new TickFailedException($"{reason} (after {Options.ExpectTimeout.TotalSeconds:0.#} s)");
            }

            await Task.WhenAny(Cluster.ChangedSince(seen), Task.Delay(RecheckInterval)).ConfigureAwait(false);
        }
    }

    /// <summary>The pod type, or an error naming the known ones.</summary>
    public PodSpec RequirePod(string podType) =>
        Spec.FindPod(podType)
        ?? throw new TickFailedException($"Unknown pod type '{podType}'; the spec has: {string.Join(", ", Spec.Pods.Select(p => p.Type))}");
}
