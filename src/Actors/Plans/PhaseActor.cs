using System.Collections.Immutable;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// One phase: runs its steps under the phase strategy (pure <see cref="Strategy"/>, and <see cref="CanaryGate"/> for
/// canary strategies), aggregates their statuses (pure <see cref="StatusAggregator"/>) and reports to its plan.
/// Operator interrupts and canary continues are recorded, so they survive a scheduler restart.
/// </summary>
internal sealed class PhaseActor : SchedulerPersistentActor, IWithTimers
{
    /// <summary>Phases with more steps than this re-evaluate at most once per <see cref="BigPhaseUpdateInterval"/>.</summary>
    internal const int BigPhaseSteps = 100;

    /// <summary>How long a big phase gathers step reports before it re-evaluates (an evaluation is O(steps)).</summary>
    internal static readonly TimeSpan BigPhaseUpdateInterval = TimeSpan.FromMilliseconds(50);

    private readonly int _index;
    private readonly PhaseSpec _phase;
    private readonly TargetConfig _target;
    private readonly string _id;
    private readonly StepInfo?[] _steps;
    private readonly bool[] _stepInterrupted;
    private readonly IActorRef[] _children;

    // Rewritten in place by every evaluation: a phase of 10,000 steps would otherwise allocate ~400 KB on the large object
    // heap 20 times a second, and large-object allocations are what trigger full (gen2) collections.
    private readonly StrategyChild[] _strategyChildren;
    // The strategy's scratch set of step groups (Strategy.Candidates), the phase's own for the same reason.
    private readonly HashSet<int> _blockedGroups;
    private readonly HashSet<int> _proceeded = new();
    private readonly bool _canary;
    private CanaryGate? _gate;
    private bool _interrupted;
    private bool _proceeding;

    // The plan no longer proceeds the phase (Hold: the plan interrupted or stopped, or past the phase), as opposed to a
    // restart, which stops proceeding only until the plan grants the phase again.
    private bool _heldByPlan;

    // Of a hold by the plan: the plan itself is interrupted (its steps keep no pod from other plans' steps).
    private bool _planInterrupted;

    // Steps held (by the phase's interrupt or the plan's) and not proceeded since: told again when the plan itself is
    // interrupted after the phase was.
    private readonly HashSet<int> _held = new();
    private int _unreported;
    private bool _updateQueued;

    public PhaseActor(string planPersistenceId, string planName, int index, PhaseSpec phase, TargetConfig target, IActorRef pods, IActorRef journal, int planPriority = 0)
    {
        _index = index;
        _phase = phase;
        _target = target;
        _canary = phase.Strategy is StrategyKind.SerialCanary or StrategyKind.ParallelCanary;
        PersistenceId = $"{planPersistenceId}/phase/{phase.Name}";
        _id = ElementIds.For(PersistenceId);
        _steps = new StepInfo?[phase.Steps.Length];
        _unreported = phase.Steps.Length;
        _stepInterrupted = new bool[phase.Steps.Length];
        _strategyChildren = new StrategyChild[phase.Steps.Length];
        _blockedGroups = new HashSet<int>(phase.Strategy is StrategyKind.Parallel or StrategyKind.ParallelCanary ? phase.Steps.Length : 0);
        _children = phase.Steps
            .Select((step, i) => Context.ActorOf(EntityMailbox.For(StepActor.Props(PersistenceId, planName, i, phase.Pod, step, target, pods, journal, planPriority), Context.System), $"step-{i}"))
            .ToArray();

        Recover<InterruptChanged>(e => _interrupted = e.Interrupted);
        Recover<CanaryProceeded>(Apply);
        // A phase without steps (a pod of count 0) hears from none: it reports once recovered, or its plan, which waits
        // for every phase's report before it proceeds or reports itself, would never report (and the scheduler would
        // subscribe only at its deadline).
        Recover<RecoveryCompleted>(_ =>
        {
            if (_phase.Steps.Length == 0)
            {
                QueueUpdate();
            }
        });

        Command<StepReport>(m =>
        {
            if (_steps[m.Index] is null)
            {
                _unreported--;
            }

            _steps[m.Index] = m.Info;
            _stepInterrupted[m.Index] = m.Interrupted;
            QueueUpdate();
        });
        Command<UpdateQueued>(_ =>
        {
            _updateQueued = false;
            Update();
        });
        Command<Proceed>(_ =>
        {
            _proceeding = true;
            _heldByPlan = false;
            _planInterrupted = false;
            Update();
        });
        Command<Hold>(m =>
        {
            _proceeding = false;
            _heldByPlan = true;
            if (m.PlanInterrupted && !_planInterrupted)
            {
                // Steps held by the phase's own interrupt before: now of an interrupted plan.
                foreach (var held in _held)
                {
                    _children[held].Tell(Hold.OfInterruptedPlan);
                }
            }

            _planInterrupted = m.PlanInterrupted;
            Update();
        });
        Command<RestartApplied>(m =>
        {
            // Every step's report from its reset came in before this: the plan gets the phase as it is now.
            Update();
            m.ReplyTo.Tell(m.Failure is null ? OperationApplied.Instance : new Akka.Actor.Status.Failure(m.Failure));
        });
        Command<PlanParameters>(m =>
        {
            foreach (var child in _children)
            {
                child.Tell(m);
            }
        });
        Command<PhaseOperation>(OnOperation);
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string planPersistenceId, string planName, int index, PhaseSpec phase, TargetConfig target, IActorRef pods, IActorRef journal, int planPriority = 0) =>
        Akka.Actor.Props.Create(() => new PhaseActor(planPersistenceId, planName, index, phase, target, pods, journal, planPriority));

    private void OnOperation(PhaseOperation operation)
    {
        var replyTo = Sender;
        switch (operation.Kind)
        {
            case PlanCommandKind.Continue when _interrupted:
                PersistInterrupt(false, replyTo);
                break;
            case PlanCommandKind.Continue when _gate is { InCanary: true } gate:
                var proceeded = new CanaryProceeded { ConfigId = _target.ConfigId, Proceeds = gate.Proceeds + 1, At = Now() };
                proceeded.CanarySteps.AddRange(gate.Steps.Select(i => _phase.Steps[i].Name));
                Persist(proceeded, e =>
                {
                    Apply(e);
                    Update();
                    replyTo.Tell(OperationApplied.Instance);
                });
                break;
            case PlanCommandKind.Interrupt when !_interrupted:
                PersistInterrupt(true, replyTo);
                break;
            case PlanCommandKind.ForceComplete:
                AskAll(Steps(operation).Select(i => _children[i]), new StepOperation(operation.Kind), replyTo);
                break;
            case PlanCommandKind.Restart when _interrupted && operation is { Step: null, PlanWide: false }:
                // DC/OS restart = proceed + reset of the element named: a restarted phase resumes. A plan's restart
                // proceeds the plan, and a step's the step; the phase's own pause stays.
                Persist(new InterruptChanged { Interrupted = false, At = Now() }, e =>
                {
                    _interrupted = e.Interrupted;
                    Restart(Steps(operation), replyTo);
                });
                break;
            case PlanCommandKind.Restart:
                Restart(Steps(operation), replyTo);
                break;
            default:
                replyTo.Tell(OperationApplied.Instance);
                break;
        }
    }

    private int[] Steps(PhaseOperation operation) =>
        operation.Step is { } step ? [step] : Enumerable.Range(0, _children.Length).ToArray();

    /// <summary>
    /// Resets the steps to PENDING. The phase starts nothing until its plan grants it again (<see cref="Proceed"/>),
    /// which the plan does once this reset is answered: until every step has reported its reset, the phase's view of
    /// its steps may be the one from before (a later step seen PENDING while an earlier one still shows COMPLETE).
    /// The restarted steps then run when the strategy makes them candidates.
    /// </summary>
    private void Restart(int[] steps, IActorRef replyTo)
    {
        _proceeding = false;
        _proceeded.ExceptWith(steps);
        _held.ExceptWith(steps);
        Gather.All<OperationApplied>(Context, steps.Select(i => _children[i]), new StepOperation(PlanCommandKind.Restart), TimeSpan.FromSeconds(30)).ContinueWith(
            t => new RestartApplied(replyTo, t.IsCompletedSuccessfully ? null : t.Exception),
            TaskScheduler.Default).PipeTo(Self);
    }

    private void PersistInterrupt(bool interrupted, IActorRef replyTo) =>
        Persist(new InterruptChanged { Interrupted = interrupted, At = Now() }, e =>
        {
            _interrupted = e.Interrupted;
            Update();
            replyTo.Tell(OperationApplied.Instance);
        });

    private void Apply(CanaryProceeded proceeded)
    {
        // Canary progress belongs to the rollout of one config; a new target canaries again.
        if (proceeded.ConfigId != _target.ConfigId)
        {
            return;
        }

        var steps = proceeded.CanarySteps
            .Select(name => Array.FindIndex(_phase.Steps.ToArray(), s => s.Name == name))
            .Where(i => i >= 0)
            .ToImmutableArray();
        _gate = new CanaryGate(steps, proceeded.Proceeds);
    }

    /// <summary>
    /// Step reports come in bursts (thousands of steps in a parallel phase): the phase re-evaluates once after the reports
    /// already in its mailbox, not once per report, which would cost O(steps²); a big phase gathers reports for up to
    /// <see cref="BigPhaseUpdateInterval"/> first, since its reports trickle in as thousands of pods progress.
    /// </summary>
    private void QueueUpdate()
    {
        if (_updateQueued)
        {
            return;
        }

        _updateQueued = true;
        if (_phase.Steps.Length > BigPhaseSteps)
        {
            Timers.StartSingleTimer(UpdateQueued.Instance, UpdateQueued.Instance, BigPhaseUpdateInterval);
        }
        else
        {
            Self.Tell(UpdateQueued.Instance);
        }
    }

    private void Update()
    {
        if (_unreported > 0)
        {
            return;
        }

        var steps = _steps.Select(s => s!).ToImmutableArray();
        var children = _strategyChildren;
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = new StrategyChild(steps[i].Name, steps[i].Status, _stepInterrupted[i], _phase.Steps[i].PodIndex);
        }

        // The canary steps are the first incomplete ones until the first continue fixes them.
        if (_canary && _gate is not { Proceeds: > 0 })
        {
            _gate = CanaryGate.Start(children);
        }

        var (candidates, status) = ParentElement.Evaluate(_phase.Strategy, children, _interrupted, hasErrors: false, _gate, _blockedGroups);

        // An interrupted phase has no candidates, and one its plan holds (the plan interrupted or stopped) proceeds with
        // none: its steps are held, so one whose pod already waits for an offer launches nothing more (DC/OS: an
        // interrupted strategy offers its steps nothing) until the next Proceed resumes it. (A step the strategy merely
        // moved past is complete: it needs no word. A restart resets the steps it names itself; the others go on.)
        if ((_heldByPlan || _interrupted) && _proceeded.Count > 0)
        {
            foreach (var held in _proceeded)
            {
                _children[held].Tell(_heldByPlan && _planInterrupted ? Hold.OfInterruptedPlan : Hold.Instance);
            }

            _held.UnionWith(_proceeded);
            _proceeded.Clear();
        }

        if (_proceeding)
        {
            foreach (var candidate in candidates.Where(_proceeded.Add))
            {
                _held.Remove(candidate);
                _children[candidate].Tell(Proceed.Instance);
            }
        }

        var shown = _gate is null ? steps : steps.Select((s, i) => _gate.Holds(i) && s.Status is Status.Pending or Status.Prepared ? s with { Status = Status.Waiting } : s).ToImmutableArray();
        Context.Parent.Tell(new PhaseReport(
            _index,
            new PhaseInfo(_id, _phase.Name, status, Strategy.DisplayName(_phase.Strategy), shown, _interrupted),
            _interrupted));
    }

    /// <summary>Asks every child and answers <paramref name="replyTo"/> once all of them applied the operation.</summary>
    private static void AskAll(IEnumerable<IActorRef> children, object operation, IActorRef replyTo)
    {
        Gather.All<OperationApplied>(Context, children, operation, TimeSpan.FromSeconds(30)).ContinueWith(
            t => t.IsCompletedSuccessfully ? OperationApplied.Instance : (object)new Akka.Actor.Status.Failure(t.Exception!),
            TaskScheduler.Default).PipeTo(replyTo);
    }

    private static Timestamp Now() => Timestamp.FromDateTime(DateTime.UtcNow);

    /// <summary>Every step of a restart answered (or <paramref name="Failure"/>); the operator's command waits for this.</summary>
    private sealed record RestartApplied(IActorRef ReplyTo, Exception? Failure);

    private sealed record UpdateQueued
    {
        public static UpdateQueued Instance { get; } = new();
    }
}
