using ActorScheduler.Actors.Offers;
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
/// change and reports it to its phase.
/// </summary>
internal sealed class StepActor : ReceivePersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly int _index;
    private readonly StepSpec _step;
    private readonly TargetConfig _target;
    private readonly IActorRef _pods;
    private readonly string _podInstance;
    private readonly string _id;
    private readonly string _planName;
    private Status _status = Status.Pending;
    private bool _interrupted;
    private bool _initialized;
    private bool _proceeding;
    private string _message = string.Empty;

    public StepActor(string planPersistenceId, string planName, int index, string podType, StepSpec step, TargetConfig target, IActorRef pods)
    {
        _index = index;
        _step = step;
        _target = target;
        _pods = pods;
        _planName = planName;
        _podInstance = PodNames.Instance(podType, step.PodIndex);
        PersistenceId = $"{planPersistenceId}/step/{step.Name}";
        _id = ElementIds.For(PersistenceId);

        Recover<StepStatusChanged>(Apply);
        Recover<InterruptChanged>(e => _interrupted = e.Interrupted);
        Recover<Tagged>(t =>
        {
            if (t.Payload is StepStatusChanged e)
            {
                Apply(e);
            }
        });
        Recover<RecoveryCompleted>(_ => _pods.Tell(new ForPod(_podInstance, new GetTaskProgress(_step, _target))));

        Command<TaskProgressReport>(OnProgress);
        Command<Proceed>(_ =>
        {
            _proceeding = true;
            if (_initialized && _status != Status.Complete)
            {
                _pods.Tell(new ForPod(_podInstance, new RequireTasks(_step, _target)));
            }
        });
    }

    public override string PersistenceId { get; }

    public static Props Props(string planPersistenceId, string planName, int index, string podType, StepSpec step, TargetConfig target, IActorRef pods) =>
        Akka.Actor.Props.Create(() => new StepActor(planPersistenceId, planName, index, podType, step, target, pods));

    private void OnProgress(TaskProgressReport report)
    {
        var first = !_initialized;
        _initialized = true;

        // A complete step ignores later task updates: failures after completion belong to recovery.
        var status = !first && _status == Status.Complete ? Status.Complete : StepStatusCalculator.Compute(report.Tasks, report.OfferClaimed);
        _message = report.Message;
        if (status != _status)
        {
            var changed = new StepStatusChanged { Status = status.ToWireName(), Message = report.Message, At = Timestamp.FromDateTime(DateTime.UtcNow) };
            Persist(new Tagged(changed, new[] { $"plan:{_planName}", $"pod:{_podInstance}" }), _ =>
            {
                _log.Info("Step {0} is {1}", _step.Name, status.ToWireName());
                Apply(changed);
                ReportToPhase();
            });
        }
        else
        {
            ReportToPhase();
        }

        if (first && _proceeding && status != Status.Complete)
        {
            _pods.Tell(new ForPod(_podInstance, new RequireTasks(_step, _target)));
        }
    }

    private void Apply(StepStatusChanged changed)
    {
        if (StatusExtensions.TryParseWireName(changed.Status, out var status))
        {
            _status = status;
        }

        _message = changed.Message;
    }

    private void ReportToPhase()
    {
        var display = _interrupted && _status is Status.Pending or Status.Prepared ? Status.Waiting : _status;
        Context.Parent.Tell(new StepReport(_index, new StepInfo(_id, _step.Name, display, _message), _interrupted));
    }
}
