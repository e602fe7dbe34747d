using ActorScheduler.Actors.Persistence;
using System.Collections.Immutable;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Messages.Events;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// The <c>decommission</c> plan: takes the pod instances the target no longer names (scale-in with
/// <c>allow-decommission</c>) through kill, release of reservations and erase of state, one pod at a time or as many
/// at once as the scheduler allows (each through its steps in order; <see cref="DecommissionPlan"/>). Its progress lives in the pods' journals, so after a restart it carries on;
/// a raised count cancels it (the pod is wanted again, and the new plan no longer names it). Reports a plan only while
/// there is something to decommission. An operator's interrupt is journaled (<c>&lt;service&gt;/plan/decommission</c>),
/// so it holds across a restart.
/// </summary>
internal sealed class DecommissionPlanActor : SchedulerPersistentActor, IWithTimers
{
    /// <summary>
    /// How often the pods being decommissioned are asked their step again: a pod actor restarted by its supervisor forgot who
    /// asked and the kills it sent; asked again (every step is idempotent) it kills again and reports again.
    /// </summary>
    internal static readonly TimeSpan DefaultReaskInterval = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _reaskInterval;
    private readonly int _parallelism;

    private readonly string _service;
    private readonly IActorRef _pods;
    // Each pod's view and its phase (made again only when that pod reports), in decommission order; a pod's index.
    private readonly List<PodDecommissionView> _views = new();
    private readonly List<PhaseInfo> _phases = new();
    private readonly Dictionary<string, int> _indexOf = new(StringComparer.Ordinal);
    private readonly HashSet<(string Pod, string Step)> _asked = new();
    private bool _interrupted;

    // An evaluation is queued behind the messages already in the mailbox, and evaluations are spaced by 10 µs a phase,
    // 100 ms at most: the progress of thousands of pods is evaluated a few times a second, not once a pod (each
    // evaluation reads every phase), while a plan of a few pods, whose steps follow each other, does not wait.
    private bool _updateQueued;
    private long? _lastUpdateAt;

    /// <summary>The most time between two evaluations of the plan (of 10,000 pods or more).</summary>
    internal static readonly TimeSpan MaxUpdateSpacing = TimeSpan.FromMilliseconds(100);

    public DecommissionPlanActor(TargetConfig target, IActorRef pods, TimeSpan reaskInterval, int parallelism)
    {
        _reaskInterval = reaskInterval;
        _parallelism = parallelism;
        _service = target.Spec.Name;
        _pods = pods;
        PersistenceId = $"{_service}/plan/{DecommissionPlan.Name}";

        Recover<InterruptChanged>(e => _interrupted = e.Interrupted);
        Recover<RecoveryCompleted>(_ => _pods.Tell(new GetLeftoverPods(target)));

        Command<LeftoverPods>(m =>
        {
            foreach (var pod in m.Pods)
            {
                _indexOf[pod.Name] = _views.Count;
                var view = new PodDecommissionView(pod.Name, null, false, string.Empty);
                _views.Add(view);
                _phases.Add(DecommissionPlan.Phase(_service, view));
                _pods.Tell(new ForPod(pod.Name, new AdvanceDecommission(null)));
            }

            Context.Parent.Tell(new DecommissionPodsKnown(!m.Pods.IsEmpty));
            QueueUpdate();
        });
        Command<DecommissionProgress>(m =>
        {
            if (_indexOf.TryGetValue(m.PodInstance, out var at))
            {
                _views[at] = new PodDecommissionView(m.PodInstance, m.Stage, m.TasksKilled, m.Message);
                _phases[at] = DecommissionPlan.Phase(_service, _views[at]);
                QueueUpdate();
            }
        });
        Command<UpdateNow>(_ =>
        {
            _updateQueued = false;
            _lastUpdateAt = Environment.TickCount64;
            Update();
        });
        Command<PlanOperation>(OnOperation);
        Command<Reask>(_ =>
        {
            // A pod that never reported (its actor failed before answering) is asked where it stands again too.
            foreach (var silent in _views.Where(v => v.Stage is null))
            {
                _pods.Tell(new ForPod(silent.Pod, new AdvanceDecommission(null)));
            }

            if (_views.Count > 0)
            {
                foreach (var (pod, step) in NextSteps(DecommissionPlan.Evaluate(_phases, _interrupted, _parallelism).Active))
                {
                    _pods.Tell(new ForPod(pod, new AdvanceDecommission(step)));
                }
            }
        });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        base.PreStart();
        Timers.StartPeriodicTimer(nameof(Reask), Reask.Instance, _reaskInterval);
    }

    /// <param name="parallelism">Pods decommissioned at once (<see cref="SchedulerSettings.DecommissionParallelism"/>).</param>
    public static Props Props(TargetConfig target, IActorRef pods, TimeSpan? reaskInterval = null, int parallelism = DecommissionPlan.DefaultParallelism) =>
        Akka.Actor.Props.Create(() => new DecommissionPlanActor(target, pods, reaskInterval ?? DefaultReaskInterval, parallelism));

    private void OnOperation(PlanOperation operation)
    {
        switch (operation.Kind)
        {
            case PlanCommandKind.Interrupt or PlanCommandKind.Continue when operation.Phases.IsEmpty:
                var replyTo = Sender;
                Persist(new InterruptChanged { Interrupted = operation.Kind == PlanCommandKind.Interrupt, At = Timestamp.FromDateTime(DateTime.UtcNow) }, e =>
                {
                    _interrupted = e.Interrupted;
                    replyTo.Tell(new PlanProtocol.CommandResult(PlanCommandOutcome.Accepted, operation.Message));
                    Update();
                });
                break;
            case PlanCommandKind.ForceComplete when operation.Phases.Length == 1:
                // A pod whose agent is partitioned holds a serial decommission up until the agent returns: the operator
                // lets it go on without the agent (a step of the phase stands for the whole pod). Only a pod under way: one
                // waiting for its turn (or for a continue) would sit with its reservations given up and its tasks maybe
                // alive, where a raised count could take it back. The pod answers once it journaled the force.
                var index = operation.Phases[0];
                var active = DecommissionPlan.Evaluate(_phases, _interrupted, _parallelism).Active;
                if (index >= _views.Count || !active.Contains(index))
                {
                    var name = index < _views.Count ? _views[index].Pod : $"#{index}";
                    Sender.Tell(new PlanProtocol.CommandResult(PlanCommandOutcome.BadRequest,
                        $"Phase {name} is not under way: only the decommission of a pod in progress can be force-completed{(_interrupted ? " (the plan is interrupted: continue it first)" : "")}"));
                    break;
                }

                _pods.Tell(new ForPod(_views[index].Pod, new ForceDecommission(Sender, operation.Message)));
                break;
            default:
                Sender.Tell(new PlanProtocol.CommandResult(PlanCommandOutcome.BadRequest,
                    "The decommission plan takes interrupt and continue of the whole plan, and forceComplete of a phase (a pod) or of a step of one"));
                break;
        }
    }

    /// <summary>The step each pod being decommissioned (the <paramref name="active"/> indexes; none while interrupted) is to take next.</summary>
    private IEnumerable<(string Pod, string Step)> NextSteps(ImmutableArray<int> active) =>
        active.Select(i => _views[i])
            .Where(v => v.Stage is not null)
            .Select(v => (v.Pod, Step: DecommissionPlan.NextStep(v.Stage!.Value, v.TasksKilled)))
            .Where(next => next.Step is not null)
            .Select(next => (next.Pod, next.Step!));

    private void QueueUpdate()
    {
        if (_updateQueued)
        {
            return;
        }

        _updateQueued = true;
        var spacing = TimeSpan.FromTicks(Math.Min(MaxUpdateSpacing.Ticks, _phases.Count * TimeSpan.TicksPerMicrosecond * 10));
        var wait = _lastUpdateAt is { } last ? spacing - TimeSpan.FromMilliseconds(Environment.TickCount64 - last) : TimeSpan.Zero;
        if (wait <= TimeSpan.Zero)
        {
            Self.Tell(UpdateNow.Instance);
        }
        else
        {
            Timers.StartSingleTimer(nameof(UpdateNow), UpdateNow.Instance, wait);
        }
    }

    private void Update()
    {
        if (_views.Count == 0)
        {
            return;
        }

        var (info, active) = DecommissionPlan.Evaluate(_phases, _interrupted, _parallelism);
        foreach (var next in NextSteps(active).Where(_asked.Add))
        {
            _pods.Tell(new ForPod(next.Pod, new AdvanceDecommission(next.Step)));
        }

        foreach (var erased in _views.Where(v => v.Stage == DecommissionStage.Erased && _asked.Add((v.Pod, "forget"))))
        {
            _pods.Tell(new ForgetPod(erased.Pod));
        }

        Context.Parent.Tell(new PlanReport(info));
    }

    private sealed record UpdateNow : IDeadLetterSuppression
    {
        public static UpdateNow Instance { get; } = new();
    }

    private sealed record Reask : IDeadLetterSuppression
    {
        public static Reask Instance { get; } = new();
    }
}
