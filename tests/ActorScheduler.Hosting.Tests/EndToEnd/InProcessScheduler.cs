using ActorScheduler.Actors;
using ActorScheduler.Hosting;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Messages.Pods;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Specs;
using Akka.Actor;
using Akka.Configuration;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// The real scheduler (every actor, in-memory journal) against an in-process emulator with real task processes and
/// test timings, so a test can inject faults through <see cref="MesosEmulator.Faults"/> and read the emulator's
/// <see cref="MesosEmulator.History"/>.
/// </summary>
internal sealed class InProcessScheduler : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _root;

    private InProcessScheduler(MesosEmulator emulator, ActorSystem system, IActorRef root, SchedulerMetrics metrics)
    {
        Emulator = emulator;
        _system = system;
        _root = root;
        Metrics = metrics;
    }

    public MesosEmulator Emulator { get; }

    /// <summary>The scheduler's root actor, which the HTTP API asks (<c>MapSchedulerApi(() => Root)</c>).</summary>
    public IActorRef Root => _root;

    /// <summary>The scheduler's counters and timers (<c>/v1/metrics</c>).</summary>
    public SchedulerMetrics Metrics { get; }

    /// <summary>Starts hello-world (tasks sleep 300 s) on a 3-agent emulator in <paramref name="dataDir"/>.</summary>
    /// <param name="adjust">Changes the scheduler's settings (shorter patience, say).</param>
    public static async Task<InProcessScheduler> StartAsync(string dataDir, Action<MesosEmulatorOptions>? configure = null, Func<SchedulerSettings, SchedulerSettings>? adjust = null)
    {
        var options = new MesosEmulatorOptions
        {
            DataDir = Path.Combine(dataDir, "mesos"),
            Port = 0,
            Agents = 3,
            AllocationInterval = TimeSpan.FromMilliseconds(100),
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            PollInterval = TimeSpan.FromMilliseconds(50),
            StatusUpdateRetryInterval = TimeSpan.FromSeconds(1),
            KillGracePeriod = TimeSpan.FromSeconds(1),
            KillTasksOnStop = true,
        };
        configure?.Invoke(options);
        var emulator = await MesosEmulator.StartAsync(options);

        var spec = ServiceSpecLoader.LoadFile(
            Path.Combine(SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"),
            new Dictionary<string, string> { ["SLEEP_DURATION"] = "300" });
        var settings = ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = spec.Spec!.Name,
            RenderedSpec = spec.RenderedText!,
            SchedulerEnvironment = spec.SchedulerEnvironment,
            MasterUrl = emulator.Url,
            ReconcileDelayFactor = 0.1,
            ImplicitReconcileInterval = TimeSpan.FromSeconds(5),
        });
        settings = settings with { Gateway = settings.Gateway with { MaxBackoff = TimeSpan.FromSeconds(2) } };
        settings = adjust?.Invoke(settings) ?? settings;
        var config = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            """).WithFallback(ConfigurationFactory.ParseString(SchedulerHocon.Text));
        var system = ActorSystem.Create("convergence", config);
        return new InProcessScheduler(emulator, system, system.ActorOf(SchedulerRootActor.SupervisedProps(settings), "scheduler"), settings.Metrics);
    }

    public async Task<PlanInfo?> DeployPlanAsync() =>
        await _root.Ask<object>(new PlanProtocol.GetPlan("deploy"), TimeSpan.FromSeconds(10)) as PlanInfo;

    public async Task<bool> DeployCompleteAsync() => (await DeployPlanAsync())?.Status == ActorScheduler.Messages.Plans.Status.Complete;

    /// <summary>Task name → (task id, last state) as the scheduler knows them.</summary>
    public async Task<IReadOnlyDictionary<string, PodTaskStatus>> TasksAsync()
    {
        var status = await _root.Ask<ServicePodStatus>(PodProtocol.GetPodStatus.Instance, TimeSpan.FromSeconds(10));
        return status.Pods.SelectMany(p => p.Instances).SelectMany(i => i.Tasks).ToDictionary(t => t.Name);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with the plan and the emulator's view after the timeout.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var plan = await DeployPlanAsync();
                var snapshot = Emulator.Snapshot();
                throw new Xunit.Sdk.XunitException(
                    $"timed out waiting until {what}\nplan: {plan?.Status} {string.Join(", ", plan?.Phases.SelectMany(p => p.Steps).Select(s => $"{s.Name}={s.Status}") ?? [])}\n" +
                    $"tasks: {string.Join(", ", snapshot.Tasks.Select(t => $"{t.Name}/{t.Id}@{t.AgentId}={t.State}"))}\n" +
                    $"agents: {string.Join(", ", snapshot.Agents.Select(a => $"{a.Id}={a.State} reserved {a.Reserved} used {a.Used}"))}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _system.Terminate();
        await Emulator.DisposeAsync();
    }
}
