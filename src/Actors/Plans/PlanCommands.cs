using System.Collections.Immutable;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Yaml;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// Which elements an operator command acts on, or why it does nothing (DC/OS <c>PlansQueries</c>): a phase and a
/// step are found by name or id; a step needs its phase; a command that would change nothing answers "already
/// reported".
/// </summary>
/// <param name="Phases">Indexes of the phases acted on; empty when the command acts on the whole plan.</param>
/// <param name="Step">Index of the step (within each of <paramref name="Phases"/>), or null.</param>
public sealed record PlanCommandDecision(PlanCommandOutcome Outcome, string Message, ImmutableArray<int> Phases, int? Step)
{
    public bool IsPlanWide => Phases.IsEmpty;
}

/// <summary>Pure rules for the plan commands; the plan coordinator applies what they decide.</summary>
public static class PlanCommands
{
    public const string AlreadyReported = "Command has already been reported or completed";

    /// <summary>The command's name as the DC/OS API spells it (<c>forceComplete</c>).</summary>
    public static string WireName(PlanCommandKind kind) => kind switch
    {
        PlanCommandKind.Start => "start",
        PlanCommandKind.Stop => "stop",
        PlanCommandKind.Continue => "continue",
        PlanCommandKind.Interrupt => "interrupt",
        PlanCommandKind.ForceComplete => "forceComplete",
        PlanCommandKind.Restart => "restart",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses a wire name (case-sensitive, as in the URL path).</summary>
    public static bool TryParse(string name, out PlanCommandKind kind)
    {
        foreach (var candidate in Enum.GetValues<PlanCommandKind>())
        {
            if (WireName(candidate) == name)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>The first problem with start parameters (names must be environment variable names), or null.</summary>
    public static string? ValidateParameters(IReadOnlyDictionary<string, string> parameters)
    {
        var bad = parameters.Keys.FirstOrDefault(k => !Names.IsEnvironmentName(k));
        return bad is null ? null : $"parameter '{bad}': expected {Names.EnvironmentNameRule}";
    }

    public static PlanCommandDecision Decide(PlanInfo plan, PlanProtocol.Command command)
    {
        if (command.Step is not null && command.Phase is null)
        {
            return Refuse(PlanCommandOutcome.BadRequest, $"step '{command.Step}' needs its phase: pass phase and step together");
        }

        if (command.Kind is PlanCommandKind.Start or PlanCommandKind.Stop)
        {
            return command.Phase is null
                ? Accept(command.Kind, ImmutableArray<int>.Empty, null)
                : Refuse(PlanCommandOutcome.BadRequest, $"{WireName(command.Kind)} acts on a whole plan, not on a phase");
        }

        if (command.Kind is PlanCommandKind.Continue or PlanCommandKind.Interrupt && command.Step is not null)
        {
            return Refuse(PlanCommandOutcome.BadRequest, $"{WireName(command.Kind)} acts on a plan or a phase, not on a step");
        }

        if (command.Phase is null)
        {
            // A running plan with a paused phase is continued: the continue resumes the paused phases its strategy reached.
            var pausedPhase = command.Kind == PlanCommandKind.Continue && plan.Phases.Any(p => p.Interrupted);
            return IsAlready(command.Kind, plan.Status, plan.Interrupted) && !pausedPhase
                ? Refuse(PlanCommandOutcome.AlreadyReported, AlreadyReported)
                : Accept(command.Kind, ImmutableArray<int>.Empty, null);
        }

        var phases = Enumerable.Range(0, plan.Phases.Length)
            .Where(i => Matches(plan.Phases[i].Name, plan.Phases[i].Id, command.Phase))
            .ToImmutableArray();
        if (phases.IsEmpty)
        {
            return Refuse(PlanCommandOutcome.NotFound, $"Phase {command.Phase} not found in plan {plan.Name}");
        }

        if (command.Step is null)
        {
            return phases.All(i => IsAlready(command.Kind, plan.Phases[i].Status, plan.Phases[i].Interrupted))
                ? Refuse(PlanCommandOutcome.AlreadyReported, AlreadyReported)
                : Accept(command.Kind, phases, null);
        }

        // A step is looked up in the (first) phase found; names are unique within a phase.
        var phase = plan.Phases[phases[0]];
        var step = Enumerable.Range(0, phase.Steps.Length).FirstOrDefault(i => Matches(phase.Steps[i].Name, phase.Steps[i].Id, command.Step), -1);
        if (step < 0)
        {
            return Refuse(PlanCommandOutcome.NotFound, $"Step {command.Step} not found in phase {phase.Name} of plan {plan.Name}");
        }

        return IsAlready(command.Kind, phase.Steps[step].Status, interrupted: false)
            ? Refuse(PlanCommandOutcome.AlreadyReported, AlreadyReported)
            : Accept(command.Kind, ImmutableArray.Create(phases[0]), step);
    }

    /// <summary>
    /// The phases a plan-wide continue of a plan that is not itself interrupted continues: the paused phases the plan's
    /// strategy has reached (it would run them but for their own pause), else the first reached phase waiting at its
    /// canary gate, else none. A phase the strategy has not reached is left alone, so a later canary is not approved
    /// ahead of its turn.
    /// </summary>
    /// <param name="phases">The plan's phases as its strategy sees them (a paused phase is <c>Interrupted</c>).</param>
    public static IReadOnlyList<int> ContinueTargets(StrategyKind strategy, IReadOnlyList<StrategyChild> phases)
    {
        var reached = Strategy.Candidates(strategy, phases.Select(p => p with { Interrupted = false }).ToList(), parentInterrupted: false);
        var paused = reached.Where(i => phases[i].Interrupted).ToList();
        if (paused.Count > 0)
        {
            return paused;
        }

        var canary = reached.FirstOrDefault(i => phases[i].Status == Status.Waiting, -1);
        return canary >= 0 ? [canary] : [];
    }

    /// <summary>DC/OS <c>isRunning</c>: an element with work under way.</summary>
    public static bool IsRunning(Status status) =>
        status is Status.Prepared or Status.Starting or Status.Started or Status.InProgress;

    private static bool IsAlready(PlanCommandKind kind, Status status, bool interrupted) => kind switch
    {
        PlanCommandKind.Continue => !interrupted && (status == Status.Complete || IsRunning(status)),
        PlanCommandKind.Interrupt => interrupted || status == Status.Complete,
        PlanCommandKind.ForceComplete => status == Status.Complete,
        PlanCommandKind.Restart => status == Status.Pending,
        _ => false,
    };

    private static bool Matches(string name, string id, string wanted) =>
        string.Equals(name, wanted, StringComparison.Ordinal) || string.Equals(id, wanted, StringComparison.OrdinalIgnoreCase);

    private static PlanCommandDecision Accept(PlanCommandKind kind, ImmutableArray<int> phases, int? step) =>
        new(PlanCommandOutcome.Accepted, $"Received cmd: {WireName(kind)}", phases, step);

    private static PlanCommandDecision Refuse(PlanCommandOutcome outcome, string message) =>
        new(outcome, message, ImmutableArray<int>.Empty, null);
}
