using System.Collections.Immutable;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;
using Akka.Persistence;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// One plan manager: runs its phases under the plan strategy, aggregates their statuses and reports the whole
/// plan tree to the coordinator.
/// </summary>
internal sealed class PlanActor : ReceivePersistentActor
{
    private readonly PlanSpec _plan;
    private readonly PhaseInfo?[] _phases;
    private readonly bool[] _phaseInterrupted;
    private readonly IActorRef[] _children;
    private readonly HashSet<int> _proceeded = new();
    private readonly ImmutableArray<string> _errors;
    private bool _interrupted;

    public PlanActor(string service, PlanSpec plan, TargetConfig target, IActorRef pods, bool startInterrupted, ImmutableArray<string> errors)
    {
        _plan = plan;
        _errors = errors;
        _interrupted = startInterrupted;
        PersistenceId = $"{service}/plan/{plan.Name}";
        _phases = new PhaseInfo?[plan.Phases.Length];
        _phaseInterrupted = new bool[plan.Phases.Length];
        _children = plan.Phases
            .Select((phase, i) => Context.ActorOf(PhaseActor.Props(PersistenceId, plan.Name, i, phase, target, pods), $"phase-{i}"))
            .ToArray();

        Recover<InterruptChanged>(e => _interrupted = e.Interrupted);

        Command<PhaseReport>(m =>
        {
            _phases[m.Index] = m.Info;
            _phaseInterrupted[m.Index] = m.Interrupted;
            Update();
        });
    }

    public override string PersistenceId { get; }

    public static Props Props(string service, PlanSpec plan, TargetConfig target, IActorRef pods, bool startInterrupted, ImmutableArray<string> errors) =>
        Akka.Actor.Props.Create(() => new PlanActor(service, plan, target, pods, startInterrupted, errors));

    private void Update()
    {
        if (_phases.Any(p => p is null))
        {
            return;
        }

        var phases = _phases.Select(p => p!).ToImmutableArray();
        var children = phases.Select((p, i) => new StrategyChild(p.Name, p.Status, _phaseInterrupted[i])).ToList();
        var (candidates, status) = ParentElement.Evaluate(_plan.Strategy, children, _interrupted, hasErrors: !_errors.IsEmpty);
        foreach (var candidate in candidates.Where(_proceeded.Add))
        {
            _children[candidate].Tell(Proceed.Instance);
        }

        Context.Parent.Tell(new PlanReport(new PlanInfo(_plan.Name, status, Strategy.DisplayName(_plan.Strategy), phases, _errors)));
    }
}
