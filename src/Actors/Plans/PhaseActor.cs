using System.Collections.Immutable;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;
using Akka.Persistence;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// One phase: runs its steps under the phase strategy (pure <see cref="Strategy"/>), aggregates their statuses
/// (pure <see cref="StatusAggregator"/>) and reports to its plan.
/// </summary>
internal sealed class PhaseActor : ReceivePersistentActor
{
    private readonly int _index;
    private readonly PhaseSpec _phase;
    private readonly string _id;
    private readonly StepInfo?[] _steps;
    private readonly bool[] _stepInterrupted;
    private readonly IActorRef[] _children;
    private readonly HashSet<int> _proceeded = new();
    private bool _interrupted;
    private bool _proceeding;

    public PhaseActor(string planPersistenceId, string planName, int index, PhaseSpec phase, TargetConfig target, IActorRef pods)
    {
        _index = index;
        _phase = phase;
        PersistenceId = $"{planPersistenceId}/phase/{phase.Name}";
        _id = ElementIds.For(PersistenceId);
        _steps = new StepInfo?[phase.Steps.Length];
        _stepInterrupted = new bool[phase.Steps.Length];
        _children = phase.Steps
            .Select((step, i) => Context.ActorOf(StepActor.Props(PersistenceId, planName, i, phase.Pod, step, target, pods), $"step-{i}"))
            .ToArray();

        Recover<InterruptChanged>(e => _interrupted = e.Interrupted);

        Command<StepReport>(m =>
        {
            _steps[m.Index] = m.Info;
            _stepInterrupted[m.Index] = m.Interrupted;
            Update();
        });
        Command<Proceed>(_ =>
        {
            _proceeding = true;
            Update();
        });
    }

    public override string PersistenceId { get; }

    public static Props Props(string planPersistenceId, string planName, int index, PhaseSpec phase, TargetConfig target, IActorRef pods) =>
        Akka.Actor.Props.Create(() => new PhaseActor(planPersistenceId, planName, index, phase, target, pods));

    private void Update()
    {
        if (_steps.Any(s => s is null))
        {
            return;
        }

        var steps = _steps.Select(s => s!).ToImmutableArray();
        var children = steps.Select((s, i) => new StrategyChild(s.Name, s.Status, _stepInterrupted[i], _phase.Steps[i].PodIndex)).ToList();
        var (candidates, status) = ParentElement.Evaluate(_phase.Strategy, children, _interrupted, hasErrors: false);
        if (_proceeding)
        {
            foreach (var candidate in candidates.Where(_proceeded.Add))
            {
                _children[candidate].Tell(Proceed.Instance);
            }
        }

        Context.Parent.Tell(new PhaseReport(_index, new PhaseInfo(_id, _phase.Name, status, Strategy.DisplayName(_phase.Strategy), steps), _interrupted));
    }
}
