using ActorScheduler.Actors.Persistence;
using System.Collections.Immutable;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// One plan manager: runs its phases under the plan strategy, aggregates their statuses and reports the whole
/// plan tree to the coordinator. Applies operator commands (start, stop, continue, interrupt, force-complete,
/// restart) and records them, so they survive a scheduler restart.
/// </summary>
internal sealed class PlanActor : SchedulerPersistentActor
{
    private readonly PlanSpec _plan;
    private readonly PhaseInfo?[] _phases;
    private readonly bool[] _phaseInterrupted;
    private readonly ImmutableArray<int>[] _prerequisites;
    private readonly IActorRef[] _children;
    private readonly HashSet<int> _proceeded = new();
    private readonly ImmutableArray<string> _errors;
    private bool _interrupted;
    private int _restarting;
    private Status _status = Status.Pending;
    private ImmutableDictionary<string, string> _parameters = ImmutableDictionary<string, string>.Empty;

    /// <param name="planPriority">The plan's place in the coordinator's order (0: deploy first); its steps' pods claim offers in that order.</param>
    public PlanActor(string service, PlanSpec plan, TargetConfig target, IActorRef pods, IActorRef journal, bool startInterrupted, ImmutableArray<string> errors, int planPriority = 0)
    {
        _plan = plan;
        _errors = errors;
        _interrupted = startInterrupted;
        PersistenceId = $"{service}/plan/{plan.Name}";
        _phases = new PhaseInfo?[plan.Phases.Length];
        _phaseInterrupted = new bool[plan.Phases.Length];
        var indexOf = plan.Phases.Select((p, i) => (p.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        _prerequisites = plan.Phases.Select(p => p.DependsOn.Select(d => indexOf[d]).ToImmutableArray()).ToArray();
        _children = plan.Phases
            .Select((phase, i) => Context.ActorOf(PhaseActor.Props(PersistenceId, plan.Name, i, phase, target, pods, journal, planPriority), $"phase-{i}"))
            .ToArray();

        Recover<InterruptChanged>(e => _interrupted = e.Interrupted);
        Recover<PlanStarted>(e => _parameters = e.Parameters.ToImmutableDictionary());
        Recover<RecoveryCompleted>(_ => TellPhases(new PlanParameters(_parameters)));

        Command<PhaseReport>(m =>
        {
            _phases[m.Index] = m.Info;
            _phaseInterrupted[m.Index] = m.Interrupted;
            Update();
        });
        Command<PlanOperation>(OnOperation);
        Command<RestartApplied>(m =>
        {
            // At 0 at least: an answer to an incarnation of this actor before a restart may still come.
            _restarting = Math.Max(0, _restarting - 1);
            Update();
            // The plan's reset tree went to the coordinator (Update) before the operator's answer: a read right after
            // the answer sees it.
            if (m.Failure is null)
            {
                m.Reported.TrySetResult();
            }
            else
            {
                m.Reported.TrySetException(m.Failure);
            }
        });
        Command<SetInterrupt>(m =>
        {
            var replyTo = Sender;
            if (m.Interrupted == _interrupted)
            {
                replyTo.Tell(OperationApplied.Instance);
                return;
            }

            Persist(new InterruptChanged { Interrupted = m.Interrupted, At = Now() }, e =>
            {
                _interrupted = e.Interrupted;
                // Report first: the reply may complete the operator's command on another thread at once, and the
                // coordinator must hold the new state before it decides the operator's next command.
                Update();
                if (_interrupted)
                {
                    // Phases it was not proceeding (one interrupted on its own before) hear it too: their held steps are
                    // now of an interrupted plan, whose steps keep no pod from another plan's (see HoldTasks).
                    TellPhases(Hold.OfInterruptedPlan);
                }
                replyTo.Tell(OperationApplied.Instance);
            });
        });
    }

    public override string PersistenceId { get; }

    public static Props Props(string service, PlanSpec plan, TargetConfig target, IActorRef pods, IActorRef journal, bool startInterrupted, ImmutableArray<string> errors, int planPriority = 0) =>
        Akka.Actor.Props.Create(() => new PlanActor(service, plan, target, pods, journal, startInterrupted, errors, planPriority));

    private void OnOperation(PlanOperation operation)
    {
        var replyTo = Sender;
        var result = new PlanProtocol.CommandResult(PlanCommandOutcome.Accepted, operation.Message);
        if (!operation.Phases.IsEmpty)
        {
            var applied = operation.Kind == PlanCommandKind.Restart
                ? Restart(operation.Phases, new PhaseOperation(operation.Kind, operation.Step))
                : AskAll(operation.Phases, new PhaseOperation(operation.Kind, operation.Step));
            Reply(applied, replyTo, result);
            return;
        }

        switch (operation.Kind)
        {
            case PlanCommandKind.Start:
                // Parameters, then (when the plan already completed) a restart of everything, and proceed.
                var started = new PlanStarted { At = Now() };
                started.Parameters.Add(operation.Parameters ?? ImmutableDictionary<string, string>.Empty);
                var restart = _status == Status.Complete;
                Persist(started, e =>
                {
                    _parameters = e.Parameters.ToImmutableDictionary();
                    TellPhases(new PlanParameters(_parameters));
                    // Reported now: on a running plan nothing else changes (no restart, no interrupt), so no later report
                    // would carry the new parameters before the operator's next question.
                    Update();
                    Reply(Task.WhenAll(restart ? RestartAll() : Task.CompletedTask, SetInterrupted(false)), replyTo, result);
                });
                break;
            case PlanCommandKind.Stop:
                Reply(Task.WhenAll(SetInterrupted(true), RestartAll()), replyTo, result);
                break;
            case PlanCommandKind.Continue:
                // A paused plan resumes. A running one resumes the paused phases its strategy has reached, or lets the
                // canary of the phase it is at go one step further.
                var targets = _interrupted || _phases.Any(p => p is null) ? [] : PlanCommands.ContinueTargets(_plan.Strategy, StrategyChildren());
                var continued = targets.Count > 0
                    ? AskAll(targets, new PhaseOperation(PlanCommandKind.Continue, null))
                    : SetInterrupted(false);
                Reply(continued, replyTo, result);
                break;
            case PlanCommandKind.Interrupt:
                Reply(SetInterrupted(true), replyTo, result);
                break;
            case PlanCommandKind.ForceComplete:
                Reply(AskAll(Enumerable.Range(0, _children.Length), new PhaseOperation(PlanCommandKind.ForceComplete, null)), replyTo, result);
                break;
            case PlanCommandKind.Restart:
                Reply(Task.WhenAll(RestartAll(), SetInterrupted(false)), replyTo, result);
                break;
        }
    }

    /// <summary>Resets every phase (and step) to PENDING; call on the actor's thread.</summary>
    private Task RestartAll() =>
        Restart(Enumerable.Range(0, _children.Length), new PhaseOperation(PlanCommandKind.Restart, null, PlanWide: true));

    /// <summary>
    /// Resets phases; call on the actor's thread. A restarted phase stops proceeding, and the plan grants no phase
    /// until every restarted one answered: each has then reported its reset state, so the strategy does not start a
    /// phase whose prerequisites still look COMPLETE from before the reset.
    /// </summary>
    private Task Restart(IEnumerable<int> phases, PhaseOperation operation)
    {
        var restarted = phases.ToList();
        _proceeded.ExceptWith(restarted);
        _restarting++;
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AskAll(restarted, operation)
            .ContinueWith(t => new RestartApplied(reported, t.IsCompletedSuccessfully ? null : t.Exception?.GetBaseException()), TaskScheduler.Default)
            .PipeTo(Self);
        return reported.Task;
    }

    /// <summary>Records the interrupt flag through this actor's own mailbox, so it composes with other asks.</summary>
    private Task SetInterrupted(bool interrupted) =>
        Self.Ask<OperationApplied>(new SetInterrupt(interrupted), TimeSpan.FromSeconds(30));

    private Task AskAll(IEnumerable<int> phases, PhaseOperation operation) =>
        Task.WhenAll(phases.Select(i => _children[i].Ask<OperationApplied>(operation, TimeSpan.FromSeconds(30))));

    private static void Reply(Task done, IActorRef replyTo, PlanProtocol.CommandResult result) =>
        done.ContinueWith(
            t => t.IsCompletedSuccessfully ? result : new PlanProtocol.CommandResult(PlanCommandOutcome.BadRequest, $"not applied: {t.Exception?.GetBaseException().Message}"),
            TaskScheduler.Default).PipeTo(replyTo);

    private void TellPhases(object message)
    {
        foreach (var child in _children)
        {
            child.Tell(message);
        }
    }

    private void Update()
    {
        if (_phases.Any(p => p is null))
        {
            return;
        }

        var phases = _phases.Select(p => p!).ToImmutableArray();
        var (candidates, status) = ParentElement.Evaluate(_plan.Strategy, StrategyChildren(), _interrupted, hasErrors: !_errors.IsEmpty);
        _status = status;

        // A phase proceeds while it is a candidate of the plan's strategy: an interrupted (or stopped) plan has none, so
        // its phases start nothing new; a phase the strategy moved past is held too.
        foreach (var held in _proceeded.Where(i => !candidates.Contains(i)).ToList())
        {
            _proceeded.Remove(held);
            _children[held].Tell(_interrupted ? Hold.OfInterruptedPlan : Hold.Instance);
        }

        if (_restarting == 0)
        {
            foreach (var candidate in candidates.Where(_proceeded.Add))
            {
                _children[candidate].Tell(Proceed.Instance);
            }
        }

        Context.Parent.Tell(new PlanReport(new PlanInfo(_plan.Name, status, Strategy.DisplayName(_plan.Strategy), phases, _errors, _interrupted, _parameters)));
    }

    /// <summary>The phases as the plan's strategy sees them; every phase has reported.</summary>
    private List<StrategyChild> StrategyChildren() =>
        _phases.Select((p, i) => new StrategyChild(p!.Name, p.Status, _phaseInterrupted[i], Prerequisites: _prerequisites[i])).ToList();

    private static Timestamp Now() => Timestamp.FromDateTime(DateTime.UtcNow);

    private sealed record SetInterrupt(bool Interrupted);

    /// <summary>
    /// A restart of phases was answered (or <paramref name="Failure"/>): the plan may grant phases again, and completes
    /// <paramref name="Reported"/> once it reported its reset tree.
    /// </summary>
    private sealed record RestartApplied(TaskCompletionSource Reported, Exception? Failure);
}
