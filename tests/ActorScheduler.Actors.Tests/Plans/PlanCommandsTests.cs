using System.Collections.Immutable;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class PlanCommandsTests
{
    private static PlanInfo Plan(Status plan, bool interrupted, params (string Name, Status Status, bool Interrupted, (string Name, Status Status)[] Steps)[] phases) => new(
        "deploy",
        plan,
        "serial",
        phases.Select((p, i) => new PhaseInfo(
            $"phase-id-{i}",
            p.Name,
            p.Status,
            "serial",
            p.Steps.Select((s, j) => new StepInfo($"step-id-{i}-{j}", s.Name, s.Status, string.Empty)).ToImmutableArray(),
            p.Interrupted)).ToImmutableArray(),
        ImmutableArray<string>.Empty,
        interrupted);

    private static readonly PlanInfo Running = Plan(
        Status.InProgress,
        false,
        ("hello", Status.Complete, false, [("hello-0:[server]", Status.Complete)]),
        ("world", Status.InProgress, false, [("world-0:[server]", Status.Starting), ("world-1:[server]", Status.Pending)]));

    private static PlanCommandDecision Decide(PlanInfo plan, PlanCommandKind kind, string? phase = null, string? step = null) =>
        PlanCommands.Decide(plan, new PlanProtocol.Command(plan.Name, kind, phase, step));

    [Fact]
    public void A_plan_continue_resumes_the_paused_phase_its_strategy_reached_not_a_later_canary()
    {
        // serial: hello (paused by an operator), world (serial-canary, waiting at its gate).
        StrategyChild[] phases = [new("hello", Status.Waiting, Interrupted: true), new("world", Status.Waiting, Interrupted: false)];
        Assert.Equal([0], PlanCommands.ContinueTargets(StrategyKind.Serial, phases));

        // Once hello is done, the plan is at world: continue lets its canary go.
        phases[0] = new("hello", Status.Complete, Interrupted: false);
        Assert.Equal([1], PlanCommands.ContinueTargets(StrategyKind.Serial, phases));

        // A dependency plan has reached only the phases whose prerequisites are complete.
        StrategyChild[] dependent =
        [
            new("schema", Status.InProgress, false),
            new("app", Status.Waiting, false, Prerequisites: [0]),
        ];
        Assert.Empty(PlanCommands.ContinueTargets(StrategyKind.Dependency, dependent));
    }

    [Fact]
    public void A_step_without_its_phase_is_a_bad_request()
    {
        var decision = Decide(Running, PlanCommandKind.Restart, step: "world-0:[server]");

        Assert.Equal(PlanCommandOutcome.BadRequest, decision.Outcome);
        Assert.Contains("needs its phase", decision.Message);
    }

    [Fact]
    public void Phases_and_steps_are_found_by_name_or_id_and_unknown_ones_are_not_found()
    {
        Assert.Equal<int>([1], Decide(Running, PlanCommandKind.Interrupt, "world").Phases);
        Assert.Equal<int>([1], Decide(Running, PlanCommandKind.Interrupt, "PHASE-ID-1").Phases);

        var byStepId = Decide(Running, PlanCommandKind.ForceComplete, "world", "step-id-1-1");
        Assert.Equal((PlanCommandOutcome.Accepted, 1), (byStepId.Outcome, byStepId.Step!.Value));

        Assert.Equal(PlanCommandOutcome.NotFound, Decide(Running, PlanCommandKind.Interrupt, "nope").Outcome);
        var noStep = Decide(Running, PlanCommandKind.Restart, "world", "world-9:[server]");
        Assert.Equal(PlanCommandOutcome.NotFound, noStep.Outcome);
        Assert.Equal("Step world-9:[server] not found in phase world of plan deploy", noStep.Message);
    }

    [Fact]
    public void Commands_that_change_nothing_are_already_reported()
    {
        // Continue on a running plan, interrupt on a complete phase, force-complete of a complete step, restart of a
        // pending step.
        Assert.Equal(PlanCommandOutcome.AlreadyReported, Decide(Running, PlanCommandKind.Continue).Outcome);
        Assert.Equal(PlanCommandOutcome.AlreadyReported, Decide(Running, PlanCommandKind.Interrupt, "hello").Outcome);
        Assert.Equal(PlanCommandOutcome.AlreadyReported, Decide(Running, PlanCommandKind.ForceComplete, "hello", "hello-0:[server]").Outcome);
        var restart = Decide(Running, PlanCommandKind.Restart, "world", "world-1:[server]");
        Assert.Equal((PlanCommandOutcome.AlreadyReported, PlanCommands.AlreadyReported), (restart.Outcome, restart.Message));

        // The same commands where they do change something.
        Assert.Equal(PlanCommandOutcome.Accepted, Decide(Running, PlanCommandKind.Interrupt).Outcome);
        Assert.Equal(PlanCommandOutcome.Accepted, Decide(Running, PlanCommandKind.ForceComplete, "world", "world-1:[server]").Outcome);
        Assert.Equal(PlanCommandOutcome.Accepted, Decide(Running, PlanCommandKind.Restart, "hello", "hello-0:[server]").Outcome);
    }

    [Fact]
    public void A_running_plan_with_a_paused_phase_can_be_continued()
    {
        var phasePaused = Running with { Phases = [Running.Phases[0] with { Interrupted = true }, .. Running.Phases[1..]] };

        Assert.Equal(PlanCommandOutcome.Accepted, Decide(phasePaused, PlanCommandKind.Continue).Outcome);
        Assert.Equal(PlanCommandOutcome.AlreadyReported, Decide(Running, PlanCommandKind.Continue).Outcome);
    }

    [Fact]
    public void An_interrupted_plan_can_be_continued_but_not_interrupted_again()
    {
        var paused = Running with { Status = Status.Waiting, Interrupted = true };

        var resumed = Decide(paused, PlanCommandKind.Continue);
        Assert.Equal((PlanCommandOutcome.Accepted, "Received cmd: continue"), (resumed.Outcome, resumed.Message));
        Assert.True(resumed.IsPlanWide);
        Assert.Equal(PlanCommandOutcome.AlreadyReported, Decide(paused, PlanCommandKind.Interrupt).Outcome);
    }

    [Fact]
    public void Start_and_stop_act_on_whole_plans_only_and_continue_never_on_a_step()
    {
        Assert.Equal(PlanCommandOutcome.Accepted, Decide(Running, PlanCommandKind.Start).Outcome);
        Assert.Equal(PlanCommandOutcome.Accepted, Decide(Running, PlanCommandKind.Stop).Outcome);
        Assert.Equal(PlanCommandOutcome.BadRequest, Decide(Running, PlanCommandKind.Stop, "world").Outcome);
        Assert.Equal(PlanCommandOutcome.BadRequest, Decide(Running, PlanCommandKind.Continue, "world", "world-0:[server]").Outcome);
    }

    [Theory]
    [InlineData("start", PlanCommandKind.Start)]
    [InlineData("forceComplete", PlanCommandKind.ForceComplete)]
    [InlineData("interrupt", PlanCommandKind.Interrupt)]
    public void Wire_names_round_trip(string name, PlanCommandKind kind)
    {
        Assert.True(PlanCommands.TryParse(name, out var parsed));
        Assert.Equal(kind, parsed);
        Assert.Equal(name, PlanCommands.WireName(kind));
        Assert.False(PlanCommands.TryParse("force-complete", out _));
    }

    [Fact]
    public void Parameters_must_be_environment_variable_names()
    {
        Assert.Null(PlanCommands.ValidateParameters(new Dictionary<string, string> { ["BACKUP_DIR"] = "/x", ["_n"] = "" }));
        Assert.Equal(
            "parameter '1X': expected an environment variable name of letters, digits and '_' not starting with a digit",
            PlanCommands.ValidateParameters(new Dictionary<string, string> { ["OK"] = "1", ["1X"] = "2" }));
    }
}
