using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// One deployment step (<c>hello-0:[server]</c>): asks its pod instance to bring the step's tasks to their goal on
/// the target config, maps the pod's progress to a status (pure <see cref="StepStatusCalculator"/>), records each
/// change and reports it to its phase. Operator force-complete and restart are recorded too, so they survive a
/// scheduler restart.
/// </summary>
internal sealed class StepActor : JournaledEntityActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly int _index;
    private readonly StepSpec _step;
    private readonly TargetConfig _target;
    private readonly IActorRef _pods;
    private readonly string _podInstance;

    private readonly string _id;
    private readonly string _planName;
    private readonly int _planPriority;
    private Status _status = Status.Pending;
    private bool _interrupted;
    private bool _initialized;
    private bool _proceeding;
    private bool _forceCompleted;
    private DateTime? _relaunchBefore;
    private ImmutableDictionary<string, string> _parameters = ImmutableDictionary<string, string>.Empty;
    private string _message = string.Empty;

    // What the phase was told last (it is this step's parent: a phase started anew starts its steps anew too).
    private StepReport? _reported;

    public StepActor(string planPersistenceId, string planName, int index, string podType, StepSpec step, TargetConfig target, IActorRef pods, IActorRef journal, int planPriority = 0)
        : base(journal, $"{planPersistenceId}/step/{step.Name}")
    {
        _planPriority = planPriority;
        _index = index;
        _step = step;
        _target = target;
        _pods = pods;
        _planName = planName;
        _podInstance = PodNames.Instance(podType, step.PodIndex);
        // Every event of this step carries the same tags.
        JournalTags = [$"plan:{_planName}", $"pod:{_podInstance}"];
        _id = ElementIds.For(Entity);
    }

    protected override bool OnRecover(object @event)
    {
        switch (@event is Tagged tagged ? tagged.Payload : @event)
        {
            case StepStatusChanged e:
                Apply(e);
                return true;
            case StepForceCompleted e:
                Apply(e);
                return true;
            case StepRestarted e:
                Apply(e);
                return true;
            case InterruptChanged e:
                _interrupted = e.Interrupted;
                return true;
            case RecoveryCompleted:
                _pods.Tell(new ForPod(_podInstance, new GetTaskProgress(_step, _target, _relaunchBefore, _planPriority) { StepId = Entity }));
                return true;
            default:
                // A tagged event of another kind is not the step's: skipped quietly.
                return @event is Tagged;
        }
    }

    protected override bool OnCommand(object message)
    {
        switch (message)
        {
            case TaskProgressReport m:
                OnProgress(m);
                return true;
            case Proceed:
                _proceeding = true;
                if (_initialized && _status != Status.Complete)
                {
                    RequireTasks();
                }

                return true;
            case Hold m:
                // No candidate any more (plan or phase interrupted): a step that asked for its tasks asks the pod to
                // launch nothing more for it; one already launched still hears how its tasks do.
                _proceeding = false;
                if (_initialized && _status != Status.Complete)
                {
                    _pods.Tell(new ForPod(_podInstance, new HoldTasks(Entity, m.PlanInterrupted)));
                }

                return true;
            case PlanParameters m:
                _parameters = m.Values;
                return true;
            case StepOperation m:
                OnOperation(m);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A step's identity (its entity, <c>svc/plan/deploy/phase/hello/step/hello-0:[server]</c>) as an operator reads it:
    /// <c>step hello-0:[server] of plan deploy (phase hello)</c>; a driver that is no plan step's (recovery) by its name.
    /// </summary>
    internal static string Describe(string stepId)
    {
        var plan = stepId.IndexOf("/plan/", StringComparison.Ordinal);
        var phase = plan < 0 ? -1 : stepId.IndexOf("/phase/", plan + 6, StringComparison.Ordinal);
        var step = phase < 0 ? -1 : stepId.IndexOf("/step/", phase + 7, StringComparison.Ordinal);
        return step < 0
            ? $"step {stepId}"
            : $"step {stepId[(step + 6)..]} of plan {stepId[(plan + 6)..phase]} (phase {stepId[(phase + 7)..step]})";
    }

    public static Props Props(string planPersistenceId, string planName, int index, string podType, StepSpec step, TargetConfig target, IActorRef pods, IActorRef journal, int planPriority = 0) =>
        FactoryProps.Create(() => new StepActor(planPersistenceId, planName, index, podType, step, target, pods, journal, planPriority));

    private void OnProgress(TaskProgressReport report)
    {
        var first = !_initialized;
        _initialized = true;

        // A complete step ignores later task updates: failures after completion belong to recovery. A force-completed
        // step stays complete whatever its tasks do.
        var status = _forceCompleted || (!first && _status == Status.Complete)
            ? Status.Complete
            : StepStatusCalculator.Compute(report.Tasks, report.Prepared);
        _message = _forceCompleted ? "force-completed by an operator" : report.Message;
        if (status != _status && (status == Status.Complete || _status == Status.Complete || status == Status.Error))
        {
            // Recorded: reaching or leaving COMPLETE, and ERROR. The steps in between are derived again from the pod's
            // progress after a restart, so journaling them would only cost a commit each (four per step deployed).
            var changed = new StepStatusChanged { Status = status.ToWireName(), Message = _message, At = Now() };
            Persist(changed, _ =>
            {
                _log.Info("Step {0} is {1}", _step.Name, status.ToWireName());
                Apply(changed);
                ReportToPhase();
            });
        }
        else
        {
            if (status != _status)
            {
                _log.Info("Step {0} is {1}", _step.Name, status.ToWireName());
                _status = status;
            }

            ReportToPhase();
        }

        if (first && _proceeding && status != Status.Complete)
        {
            RequireTasks();
        }
    }

    private void OnOperation(StepOperation operation)
    {
        var replyTo = Sender;
        switch (operation.Kind)
        {
            case PlanCommandKind.ForceComplete:
                var forced = new StepForceCompleted { ConfigId = _target.ConfigId, At = Now() };
                Persist(forced, _ =>
                {
                    _log.Info("Step {0} force-completed by an operator", _step.Name);
                    Apply(forced);
                    _pods.Tell(new ForPod(_podInstance, new ReleaseTasks(Entity)));
                    ReportToPhase();
                    replyTo.Tell(OperationApplied.Instance);
                });
                break;
            case PlanCommandKind.Restart:
                var restarted = new StepRestarted { At = Now() };
                Persist(restarted, _ =>
                {
                    _log.Info("Step {0} restarted by an operator", _step.Name);
                    Apply(restarted);

                    // Back to PENDING: the phase's strategy decides when it runs again.
                    _proceeding = false;
                    _pods.Tell(new ForPod(_podInstance, new ReleaseTasks(Entity)));
                    _pods.Tell(new ForPod(_podInstance, new ClearBackoff(_step.Tasks)));
                    _pods.Tell(new ForPod(_podInstance, new GetTaskProgress(_step, _target, _relaunchBefore, _planPriority) { StepId = Entity }));
                    ReportToPhase();
                    replyTo.Tell(OperationApplied.Instance);
                });
                break;
            default:
                replyTo.Tell(OperationApplied.Instance);
                break;
        }
    }

    private void RequireTasks() =>
        _pods.Tell(new ForPod(_podInstance, new RequireTasks(_step, _target, _relaunchBefore, _parameters, _planPriority) { StepId = Entity }));

    private void Apply(StepStatusChanged changed)
    {
        if (StatusExtensions.TryParseWireName(changed.Status, out var status))
        {
            _status = status;
        }

        _message = changed.Message;
    }

    private void Apply(StepForceCompleted forced)
    {
        // A force-complete holds for the config it was given on; a new rollout runs the step again.
        if (forced.ConfigId != _target.ConfigId)
        {
            return;
        }

        _forceCompleted = true;
        _status = Status.Complete;
        _message = "force-completed by an operator";
    }

    private void Apply(StepRestarted restarted)
    {
        _forceCompleted = false;
        _status = Status.Pending;
        _message = string.Empty;
        _relaunchBefore = restarted.At.ToDateTime();
    }

    private void ReportToPhase()
    {
        var display = _interrupted && _status is Status.Pending or Status.Prepared ? Status.Waiting : _status;
        // Only what changed: a pod reports each launch several times over (its claim, its launch record, each task
        // update), mostly with the step's status and message as they were.
        if (_reported is { } last && last.Info.Status == display && last.Info.Message == _message && last.Interrupted == _interrupted)
        {
            return;
        }

        _reported = new StepReport(_index, new StepInfo(_id, _step.Name, display, _message), _interrupted);
        Context.Parent.Tell(_reported);
    }

    private static Timestamp Now() => Timestamp.FromDateTime(DateTime.UtcNow);
}
