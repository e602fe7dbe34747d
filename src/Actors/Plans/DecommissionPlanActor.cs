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
/// <c>allow-decommission</c>) through kill, release of reservations and erase of state, one pod at a time in
/// <see cref="DecommissionPlan"/> order. Its progress lives in the pods' journals, so after a restart it carries on;
/// a raised count cancels it (the pod is wanted again, and the new plan no longer names it). Reports a plan only while
/// there is something to decommission. An operator's interrupt is journaled (<c>&lt;service&gt;/plan/decommission</c>),
/// so it holds across a restart.
/// </summary>
internal sealed class DecommissionPlanActor : ReceivePersistentActor, IWithTimers
{
    /// <summary>
    /// How often the pod being decommissioned is asked its step again: a pod actor restarted by its supervisor forgot who
    /// asked and the kills it sent; asked again (every step is idempotent) it kills again and reports again.
    /// </summary>
    internal static readonly TimeSpan DefaultReaskInterval = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _reaskInterval;

    private readonly string _service;
    private readonly IActorRef _pods;
    private readonly List<PodDecommissionView> _views = new();
    private readonly HashSet<(string Pod, string Step)> _asked = new();
    private bool _interrupted;

    public DecommissionPlanActor(TargetConfig target, IActorRef pods, TimeSpan reaskInterval)
    {
        _reaskInterval = reaskInterval;
        _service = target.Spec.Name;
        _pods = pods;
        PersistenceId = $"{_service}/plan/{DecommissionPlan.Name}";

        Recover<InterruptChanged>(e => _interrupted = e.Interrupted);
        Recover<RecoveryCompleted>(_ => _pods.Tell(new GetLeftoverPods(target)));

        Command<LeftoverPods>(m =>
        {
            foreach (var pod in m.Pods)
            {
                _views.Add(new PodDecommissionView(pod.Name, null, false, string.Empty));
                _pods.Tell(new ForPod(pod.Name, new AdvanceDecommission(null)));
            }

            Update();
        });
        Command<DecommissionProgress>(m =>
        {
            var at = _views.FindIndex(v => v.Pod == m.PodInstance);
            if (at >= 0)
            {
                _views[at] = new PodDecommissionView(m.PodInstance, m.Stage, m.TasksKilled, m.Message);
                Update();
            }
        });
        Command<PlanOperation>(OnOperation);
        Command<Reask>(_ =>
        {
            if (_views.Count > 0 && NextStep(DecommissionPlan.Evaluate(_service, _views, _interrupted).Active) is { } asked)
            {
                _pods.Tell(new ForPod(asked.Pod, new AdvanceDecommission(asked.Step)));
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

    public static Props Props(TargetConfig target, IActorRef pods, TimeSpan? reaskInterval = null) =>
        Akka.Actor.Props.Create(() => new DecommissionPlanActor(target, pods, reaskInterval ?? DefaultReaskInterval));

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
            default:
                Sender.Tell(new PlanProtocol.CommandResult(PlanCommandOutcome.BadRequest, "The decommission plan takes only interrupt and continue of the whole plan"));
                break;
        }
    }

    /// <summary>The step the pod being decommissioned (<paramref name="active"/>; none while interrupted) is to take next.</summary>
    private static (string Pod, string Step)? NextStep(PodDecommissionView? active) =>
        active is { Stage: { } stage } && DecommissionPlan.NextStep(stage, active.TasksKilled) is { } step ? (active.Pod, step) : null;

    private void Update()
    {
        if (_views.Count == 0)
        {
            return;
        }

        var (info, active) = DecommissionPlan.Evaluate(_service, _views, _interrupted);
        if (NextStep(active) is { } next && _asked.Add(next))
        {
            _pods.Tell(new ForPod(next.Pod, new AdvanceDecommission(next.Step)));
        }

        if (_views.Any(v => v.Stage == DecommissionStage.Erased))
        {
            foreach (var erased in _views.Where(v => v.Stage == DecommissionStage.Erased && _asked.Add((v.Pod, "forget"))))
            {
                _pods.Tell(new ForgetPod(erased.Pod));
            }
        }

        Context.Parent.Tell(new PlanReport(info));
    }

    private sealed record Reask : IDeadLetterSuppression
    {
        public static Reask Instance { get; } = new();
    }
}
