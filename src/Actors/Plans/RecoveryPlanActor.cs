using ActorScheduler.Actors.Persistence;
using System.Collections.Immutable;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// The <c>recovery</c> plan (DC/OS <c>DefaultRecoveryPlanManager</c>): parallel, one phase per pod instance that needed
/// recovery, named like the pod's step and kept after it completes until the pod's next recovery. The pod instances own
/// their phases (they decide, record and drive recovery); this actor shows them as a plan and applies operator commands:
/// a plan interrupt (recorded here, so it survives a restart) holds every recovery launch, phase and step commands go
/// to the pod that owns the phase (recorded there).
/// </summary>
internal sealed class RecoveryPlanActor : SchedulerPersistentActor
{
    /// <summary>The plan's name in <c>/v1/plans</c>.</summary>
    public const string PlanName = "recovery";

    /// <summary>The recovery plan's place in the plans' order: after deploy, before the custom plans (DC/OS PlanCoordinator).</summary>
    public const int Priority = 1;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private readonly IActorRef _pods;
    private readonly SortedDictionary<string, PhaseInfo> _phases = new(StringComparer.Ordinal);
    private ImmutableArray<string> _shown = [];
    private bool _interrupted;
    private bool _updateQueued;

    public RecoveryPlanActor(string service, IActorRef pods)
    {
        _pods = pods;
        PersistenceId = $"{service}/plan/{PlanName}";

        Recover<InterruptChanged>(e => _interrupted = e.Interrupted);
        Recover<RecoveryCompleted>(_ =>
        {
            _pods.Tell(new ForAllPods(new WatchRecovery(Self, _interrupted)));
            Update();
        });

        Command<RecoveryPhaseReport>(m =>
        {
            if (m.Phase is null)
            {
                if (!_phases.Remove(m.PodInstance))
                {
                    // Not recovering, as before: nothing to report again (each pod says so as its state changes).
                    return;
                }
            }
            else
            {
                _phases[m.PodInstance] = m.Phase;
            }

            // Every pod instance reports (thousands at a restart): report the plan once per burst.
            if (!_updateQueued)
            {
                _updateQueued = true;
                Self.Tell(UpdateQueued.Instance);
            }
        });
        Command<UpdateQueued>(_ =>
        {
            _updateQueued = false;
            Update();
        });
        Command<PlanOperation>(OnOperation);
    }

    public override string PersistenceId { get; }

    public static Props Props(string service, IActorRef pods) => Akka.Actor.Props.Create(() => new RecoveryPlanActor(service, pods));

    private void OnOperation(PlanOperation operation)
    {
        var replyTo = Sender;
        var result = new PlanProtocol.CommandResult(PlanCommandOutcome.Accepted, operation.Message);
        if (!operation.Phases.IsEmpty)
        {
            var pods = operation.Phases.Where(i => i < _shown.Length).Select(i => _shown[i]);
            Reply(AskPods(pods, operation.Kind), replyTo, result);
            return;
        }

        switch (operation.Kind)
        {
            case PlanCommandKind.Interrupt:
                SetInterrupted(true, replyTo, result, Task.CompletedTask);
                break;
            case PlanCommandKind.Stop:
                SetInterrupted(true, replyTo, result, AskPods(_phases.Keys, PlanCommandKind.Restart));
                break;
            case PlanCommandKind.Continue or PlanCommandKind.Start:
                SetInterrupted(false, replyTo, result, Task.CompletedTask);
                break;
            default:
                Reply(AskPods(_phases.Keys, operation.Kind), replyTo, result);
                break;
        }
    }

    private void SetInterrupted(bool interrupted, IActorRef replyTo, PlanProtocol.CommandResult result, Task alsoDone)
    {
        Persist(new InterruptChanged { Interrupted = interrupted, At = Timestamp.FromDateTime(DateTime.UtcNow) }, e =>
        {
            _interrupted = e.Interrupted;
            _pods.Tell(new ForAllPods(new WatchRecovery(Self, _interrupted)));
            Update();
            Reply(alsoDone, replyTo, result);
        });
    }

    private Task AskPods(IEnumerable<string> pods, PlanCommandKind kind) =>
        Task.WhenAll(pods.ToList().Select(p => _pods.Ask<OperationApplied>(new ForPod(p, new RecoveryCommand(kind)), AskTimeout)));

    private static void Reply(Task done, IActorRef replyTo, PlanProtocol.CommandResult result) =>
        done.ContinueWith(
            t => t.IsCompletedSuccessfully ? result : new PlanProtocol.CommandResult(PlanCommandOutcome.BadRequest, $"not applied: {t.Exception?.GetBaseException().Message}"),
            TaskScheduler.Default).PipeTo(replyTo);

    private void Update()
    {
        _shown = _phases.Keys.ToImmutableArray();
        var phases = _phases.Values.ToImmutableArray();
        var children = phases.Select(p => new StrategyChild(p.Name, p.Status, p.Interrupted)).ToList();
        var (_, status) = ParentElement.Evaluate(StrategyKind.Parallel, children, _interrupted, hasErrors: false);
        Context.Parent.Tell(new PlanReport(new PlanInfo(PlanName, status, Strategy.DisplayName(StrategyKind.Parallel), phases, [], _interrupted)));
    }

    private sealed record UpdateQueued
    {
        public static UpdateQueued Instance { get; } = new();
    }
}
