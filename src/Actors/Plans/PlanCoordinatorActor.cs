using System.Collections.Immutable;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Actors.Config;
using ActorScheduler.Specs.Plans;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// Parent of the plan managers. Starts one per plan to run (deploy at once — the spec's <c>update</c> plan in its place
/// once a deployment has completed —, the <c>recovery</c> plan the pod instances feed, custom plans interrupted), answers plan queries from the trees its plans report,
/// decides operator commands (pure <see cref="PlanCommands"/>) and hands the accepted ones to their plan, and tells the
/// config store when the deploy plan first completes. The <c>decommission</c> plan (<see cref="DecommissionPlanActor"/>)
/// is listed after deploy while it has pods to decommission (priority deploy &gt; recovery &gt; decommission &gt; custom).
/// A plan is listed at once but shown only after its first report; <see cref="PlanProtocol.PlanNames.Settled"/> says
/// when the list and the trees are the whole picture. A query or command for a listed plan that has not reported yet
/// waits for its report (at most <see cref="ReportPatience"/>), so the moment after an update, when a new coordinator
/// replaces the old, does not answer "not found" for a plan that exists.
/// </summary>
internal sealed class PlanCoordinatorActor : ReceiveActor, IWithTimers
{
    /// <summary>How long a query or command waits for its plan's first report before it is answered as today.</summary>
    internal static readonly TimeSpan ReportPatience = TimeSpan.FromSeconds(5);

    private readonly ImmutableArray<string> _order;
    private readonly Dictionary<string, PlanInfo> _plans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _managers = new(StringComparer.Ordinal);
    private bool _deploymentCompleted;
    // Null until the decommission plan knows its pods; then whether it has any (and so reports a plan).
    private bool? _decommissionHasPods;
    // Queries and commands for plans that have not reported yet, with their senders, in arrival order; null once the
    // patience ran out (from then on, they are answered at once).
    private List<(string Plan, object Message, IActorRef Sender)>? _waiting = [];

    public PlanCoordinatorActor(TargetConfig target, IActorRef pods, IActorRef journal, ImmutableArray<string> deployErrors, IActorRef configStore, bool deploymentCompleted,
        int decommissionParallelism)
    {
        _deploymentCompleted = deploymentCompleted;
        var plans = PlanGenerator.PlansToRun(target.Spec, deploymentCompleted);
        // Priority order (deploy > recovery > custom, the custom plans in the spec's order), as listed by /v1/plans and
        // as pods claim offers, wherever the spec lists deploy. A spec plan named "recovery" keeps its name and place, and
        // no recovery plan is shown.
        var names = plans.Select(p => p.Name).OrderBy(name => name == PlanGenerator.DeployPlanName ? 0 : name == RecoveryPlanActor.PlanName ? 1 : 2).ToList();
        if (!names.Contains(RecoveryPlanActor.PlanName))
        {
            names.Insert(Math.Min(RecoveryPlanActor.Priority, names.Count), RecoveryPlanActor.PlanName);
            _managers[RecoveryPlanActor.PlanName] = Context.ActorOf(RecoveryPlanActor.Props(target.Spec.Name, pods), $"plan-{RecoveryPlanActor.PlanName}");
        }

        _order = names.ToImmutableArray();
        foreach (var plan in plans)
        {
            var isDeploy = plan.Name == PlanGenerator.DeployPlanName;
            _managers[plan.Name] = Context.ActorOf(
                PlanActor.Props(target.Spec.Name, plan, target, pods, journal, startInterrupted: !isDeploy, isDeploy ? deployErrors : ImmutableArray<string>.Empty, planPriority: _order.IndexOf(plan.Name)),
                $"plan-{plan.Name}");
        }

        _managers[DecommissionPlan.Name] = Context.ActorOf(DecommissionPlanActor.Props(target, pods, parallelism: decommissionParallelism), $"plan-{DecommissionPlan.Name}");

        Receive<PlanReport>(m =>
        {
            if (m.Info.Name == PlanGenerator.DeployPlanName && !_plans.ContainsKey(m.Info.Name))
            {
                Context.Parent.Tell(PlansReported.Instance);
            }

            _plans[m.Info.Name] = m.Info;
            if (!_deploymentCompleted && m.Info.Name == PlanGenerator.DeployPlanName && m.Info.Status == Status.Complete)
            {
                _deploymentCompleted = true;
                configStore.Tell(new MarkDeploymentCompleted(target.ConfigId));
            }

            AnswerWaiting(m.Info.Name);
        });
        Receive<DecommissionPodsKnown>(m =>
        {
            _decommissionHasPods = m.HasPods;
            if (!m.HasPods)
            {
                AnswerWaiting(DecommissionPlan.Name);
            }
        });
        Receive<ReportPatienceOver>(_ =>
        {
            var kept = _waiting;
            _waiting = null;
            Handle(kept ?? []);
        });
        Receive<PlanProtocol.Command>(m =>
        {
            if (Waits(m.Plan, m))
            {
                return;
            }

            if (!_plans.TryGetValue(m.Plan, out var info))
            {
                Sender.Tell(new PlanProtocol.CommandResult(PlanCommandOutcome.NotFound, $"Plan {m.Plan} not found"));
                return;
            }

            var decision = PlanCommands.Decide(info, m);
            if (decision.Outcome != PlanCommandOutcome.Accepted)
            {
                Sender.Tell(new PlanProtocol.CommandResult(decision.Outcome, decision.Message));
                return;
            }

            // The plan answers once the command is recorded.
            _managers[m.Plan].Forward(new PlanOperation(m.Kind, decision.Phases, decision.Step, m.Parameters, decision.Message));
        });
        Receive<PlanProtocol.GetPlans>(_ => Sender.Tell(new PlanProtocol.PlanNames(
            _plans.ContainsKey(DecommissionPlan.Name) ? _order.Insert(DecommissionPosition(), DecommissionPlan.Name) : _order)
        {
            Settled = Settled(),
        }));
        Receive<PlanProtocol.GetPlan>(m =>
        {
            if (Waits(m.Name, m))
            {
                return;
            }

            if (_plans.TryGetValue(m.Name, out var info))
            {
                Sender.Tell(info);
            }
            else
            {
                Sender.Tell(new PlanProtocol.PlanNotFound(m.Name));
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartSingleTimer(ReportPatienceOver.Instance, ReportPatienceOver.Instance, ReportPatience);

    /// <summary>
    /// Whether <paramref name="message"/> for <paramref name="plan"/> is kept until that plan reports: a plan this
    /// coordinator started (or the decommission plan, while it may yet have pods) that has not reported yet.
    /// </summary>
    private bool Waits(string plan, object message)
    {
        var unreported = !_plans.ContainsKey(plan) &&
                         (_order.Contains(plan) || (plan == DecommissionPlan.Name && _decommissionHasPods != false));
        if (_waiting is null || !unreported)
        {
            return false;
        }

        _waiting.Add((plan, message, Sender));
        return true;
    }

    /// <summary>The kept messages for <paramref name="plan"/>, which has reported (or is known not to exist), are handled.</summary>
    private void AnswerWaiting(string plan)
    {
        if (_waiting is { Count: > 0 } waiting)
        {
            Handle(waiting.FindAll(w => w.Plan == plan));
            waiting.RemoveAll(w => w.Plan == plan);
        }
    }

    /// <summary>Handles kept messages, in arrival order, as their senders sent them.</summary>
    private void Handle(List<(string Plan, object Message, IActorRef Sender)> kept)
    {
        foreach (var (_, message, sender) in kept)
        {
            Self.Tell(message, sender);
        }
    }

    /// <summary>
    /// Every plan started has reported, and the decommission plan knows whether it has pods (and, when it has, has
    /// reported them): <see cref="PlanProtocol.PlanNames"/> then lists every plan there is.
    /// </summary>
    private bool Settled() =>
        _order.All(_plans.ContainsKey) && _decommissionHasPods is { } hasPods && (!hasPods || _plans.ContainsKey(DecommissionPlan.Name));

    /// <summary>Decommission is listed after deploy and recovery, before the custom plans.</summary>
    private int DecommissionPosition()
    {
        var recovery = _order.IndexOf(RecoveryPlanActor.PlanName);
        return recovery >= 0 ? recovery + 1 : Math.Min(1, _order.Length);
    }

    private sealed record ReportPatienceOver
    {
        public static ReportPatienceOver Instance { get; } = new();
    }

    public static Props Props(TargetConfig target, IActorRef pods, IActorRef journal, ImmutableArray<string> deployErrors, IActorRef configStore, bool deploymentCompleted,
        int decommissionParallelism = DecommissionPlan.DefaultParallelism) =>
        Akka.Actor.Props.Create(() => new PlanCoordinatorActor(target, pods, journal, deployErrors, configStore, deploymentCompleted, decommissionParallelism));
}

