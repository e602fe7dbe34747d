using System.Collections.Immutable;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

/// <summary>
/// Operator commands through the plan coordinator, with pods that launch at once: what runs, what is reported, and
/// that every command survives a restart of the plan actors (the in-memory journal outlives them).
/// </summary>
public sealed class PlanOperatorTests : ActorTestKit
{
    private const string Spec = """
        name: svc
        pods:
          api:
            count: 4
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 100
                cpus: 0.1
                memory: 32
          backup:
            count: 1
            tasks:
              run:
                goal: ONCE
                cmd: echo backup
                cpus: 0.1
                memory: 32
        plans:
          deploy:
            strategy: serial
            phases:
              api:
                pod: api
                strategy: serial-canary
          backup:
            phases:
              run:
                pod: backup
                steps:
                  - default: [[run]]
        """;

    private static readonly TargetConfig Target = new("config-1", ServiceSpecLoader.LoadRendered(Spec, "svc.yml").Spec!);

    /// <summary>A dependency plan: app waits for schema.</summary>
    private static readonly TargetConfig DependencyTarget = new("config-1", ServiceSpecLoader.LoadRendered("""
        name: svc
        pods:
          schema:
            count: 1
            tasks:
              migrate:
                goal: FINISH
                cmd: echo migrated
                cpus: 0.1
                memory: 32
          app:
            count: 1
            tasks:
              web:
                goal: RUNNING
                cmd: sleep 100
                cpus: 0.1
                memory: 32
        plans:
          deploy:
            strategy: dependency
            phases:
              schema:
                pod: schema
              app:
                pod: app
                depends-on: [schema]
        """, "svc.yml").Spec!);

    /// <summary>A serial plan whose second phase is a canary.</summary>
    private static readonly TargetConfig CanaryTarget = new("config-1", ServiceSpecLoader.LoadRendered("""
        name: svc
        pods:
          hello:
            count: 2
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 100
                cpus: 0.1
                memory: 32
          world:
            count: 2
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 100
                cpus: 0.1
                memory: 32
        plans:
          deploy:
            strategy: serial
            phases:
              hello:
                pod: hello
              world:
                pod: world
                strategy: serial-canary
        """, "svc.yml").Spec!);

    private readonly Akka.TestKit.TestProbe _launches;
    private readonly Akka.TestKit.TestProbe _leftovers;
    private readonly Akka.TestKit.TestProbe _requires;
    private readonly IActorRef _pods;

    public PlanOperatorTests()
    {
        _launches = CreateTestProbe();
        _leftovers = CreateTestProbe();
        _requires = CreateTestProbe();
        _pods = Sys.ActorOf(Props.Create(() => new InstantPods(_launches.Ref, _requires.Ref, _leftovers.Ref)));
    }

    private IActorRef? _journal;

    private IActorRef Journal => _journal ??= Sys.ActorOf(EntityJournalActor.Props("svc"));

    private IActorRef StartPlans(bool deploymentCompleted = false) =>
        Sys.ActorOf(PlanCoordinatorActor.Props(Target, _pods, Journal, ImmutableArray<string>.Empty, CreateTestProbe().Ref, deploymentCompleted));

    /// <summary>Stops the plans and the entity journal; the new ones replay the (in-memory) journal.</summary>
    private void Restart(ref IActorRef plans)
    {
        Watch(plans);
        Sys.Stop(plans);
        ExpectTerminated(plans);
        Watch(Journal);
        Sys.Stop(Journal);
        ExpectTerminated(Journal);
        _journal = null;
        plans = StartPlans();
    }

    private PlanInfo PlanOf(IActorRef plans, string name)
    {
        PlanInfo? info = null;
        AwaitAssert(() =>
        {
            plans.Tell(new PlanProtocol.GetPlan(name));
            info = ExpectMsg<PlanInfo>();
        });
        return info!;
    }

    private void AwaitPlan(IActorRef plans, string name, Func<PlanInfo, bool> condition, string what) =>
        AwaitAssert(() =>
        {
            plans.Tell(new PlanProtocol.GetPlan(name));
            var info = ExpectMsg<object>();
            Assert.True(info is PlanInfo plan && condition(plan), $"{what}; plan is {info}");
        });

    private PlanProtocol.CommandResult Command(IActorRef plans, PlanProtocol.Command command)
    {
        plans.Tell(command);
        return ExpectMsg<PlanProtocol.CommandResult>();
    }

    private static Status[] Steps(PlanInfo plan, int phase = 0) => plan.Phases[phase].Steps.Select(s => s.Status).ToArray();

    [Fact]
    public void The_coordinator_tells_its_parent_once_when_the_deploy_plan_first_reported_every_step()
    {
        // The root subscribes to the master on this message: offers then meet steps and pods that have recovered.
        var parent = CreateTestProbe();
        var plans = parent.ChildActorOf(PlanCoordinatorActor.Props(Target, _pods, Journal, ImmutableArray<string>.Empty, CreateTestProbe().Ref, false));
        parent.ExpectMsg<PlansReported>();

        plans.Tell(new PlanProtocol.GetPlan("deploy"));
        var deploy = ExpectMsg<PlanInfo>();
        Assert.Equal(4, deploy.Phases.Single().Steps.Length);

        // The deploy plan goes on reporting as its steps progress; the parent hears it once.
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue)).Outcome);
        AwaitPlan(plans, "deploy", p => Steps(p)[0] == Status.Complete, "the first canary step completes");
        parent.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void The_plan_list_is_settled_once_every_plan_reported_and_the_decommission_plan_knows_it_has_no_pods()
    {
        var plans = StartPlans();
        _leftovers.ExpectMsg<GetLeftoverPods>();
        var decommission = _leftovers.LastSender;
        PlanOf(plans, "deploy");
        PlanOf(plans, "recovery");
        PlanOf(plans, "backup");

        // Every listed plan reported, but the decommission plan does not know yet whether it has pods to show.
        plans.Tell(PlanProtocol.GetPlans.Instance);
        var names = ExpectMsg<PlanProtocol.PlanNames>();
        Assert.Equal(["deploy", "recovery", "backup"], names.Names.ToArray());
        Assert.False(names.Settled, "settled before the decommission plan knew its pods");

        decommission.Tell(new LeftoverPods([]), _leftovers.Ref);
        AwaitAssert(() =>
        {
            plans.Tell(PlanProtocol.GetPlans.Instance);
            var settled = ExpectMsg<PlanProtocol.PlanNames>();
            Assert.True(settled.Settled, "not settled once the decommission plan knew it has no pods");
            Assert.Equal(["deploy", "recovery", "backup"], settled.Names.ToArray());
        });
    }

    [Fact]
    public void A_query_for_a_plan_that_has_not_reported_yet_is_answered_with_its_first_report_not_as_unknown()
    {
        // After an update a new coordinator replaces the old one; a client asking in between must not hear "not found"
        // for a plan that exists.
        var plans = StartPlans();
        _leftovers.ExpectMsg<GetLeftoverPods>();
        plans.Tell(new PlanProtocol.GetPlan("decommission"));
        plans.Tell(new PlanProtocol.Command("decommission", PlanCommandKind.Interrupt));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        _leftovers.Reply(new LeftoverPods([new PodInstanceRef("api", 9)]));
        Assert.Equal("decommission", ExpectMsg<PlanInfo>().Name);
        Assert.NotEqual(PlanCommandOutcome.NotFound, ExpectMsg<PlanProtocol.CommandResult>().Outcome);
    }

    [Fact]
    public void A_query_for_the_decommission_plan_is_answered_not_found_once_it_knows_it_has_no_pods()
    {
        var plans = StartPlans();
        _leftovers.ExpectMsg<GetLeftoverPods>();
        plans.Tell(new PlanProtocol.GetPlan("decommission"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        _leftovers.Reply(new LeftoverPods([]));
        Assert.Equal("decommission", ExpectMsg<PlanProtocol.PlanNotFound>().Name);
        plans.Tell(new PlanProtocol.GetPlan("nonesuch"));
        Assert.Equal("nonesuch", ExpectMsg<PlanProtocol.PlanNotFound>().Name);
    }

    [Fact]
    public void With_pods_to_decommission_the_plan_list_is_settled_only_once_it_shows_the_decommission_plan()
    {
        var plans = StartPlans();
        _leftovers.ExpectMsg<GetLeftoverPods>();
        _leftovers.Reply(new LeftoverPods([new PodInstanceRef("api", 9)]));

        PlanProtocol.PlanNames? names = null;
        AwaitAssert(() =>
        {
            plans.Tell(PlanProtocol.GetPlans.Instance);
            names = ExpectMsg<PlanProtocol.PlanNames>();
            Assert.True(names.Settled);
        });
        Assert.Equal(["deploy", "recovery", "decommission", "backup"], names!.Names.ToArray());
        Assert.Equal(Status.Pending, PlanOf(plans, "decommission").Phases.Single().Status);
    }

    [Fact]
    public void A_canary_phase_needs_two_continues_and_keeps_its_progress_across_a_restart()
    {
        var plans = StartPlans();
        AwaitPlan(plans, "deploy", p => p.Status == Status.Waiting, "canary waits before the first continue");
        Assert.Equal([Status.Waiting, Status.Waiting, Status.Pending, Status.Pending], Steps(PlanOf(plans, "deploy")));
        _launches.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue)).Outcome);
        Assert.Equal("api-0", _launches.ExpectMsg<RequireTasks>().Step.Name[..5]);
        AwaitPlan(plans, "deploy", p => Steps(p)[0] == Status.Complete && p.Status == Status.Waiting, "first canary complete, second held");

        // A restart keeps the first continue: api-1 still waits for the second one.
        Restart(ref plans);
        AwaitPlan(plans, "deploy", p => Steps(p).SequenceEqual([Status.Complete, Status.Waiting, Status.Pending, Status.Pending]), "progress recovered");
        _launches.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue, Phase: "api")).Outcome);
        Assert.Equal(["api-1:[server]", "api-2:[server]", "api-3:[server]"], Enumerable.Range(0, 3).Select(_ => _launches.ExpectMsg<RequireTasks>().Step.Name));
        AwaitPlan(plans, "deploy", p => p.Status == Status.Complete, "deploy complete after the second continue");
    }

    [Fact]
    public void An_interrupted_plan_starts_nothing_until_continued_even_after_a_restart()
    {
        var plans = StartPlans();
        PlanOf(plans, "deploy");
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt)).Outcome);
        Assert.Equal(
            new PlanProtocol.CommandResult(PlanCommandOutcome.AlreadyReported, PlanCommands.AlreadyReported),
            Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt)));

        Restart(ref plans);
        var paused = PlanOf(plans, "deploy");
        Assert.True(paused.Interrupted);
        Assert.Equal(Status.Waiting, paused.Status);
        Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue, Phase: "api"));
        _launches.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue)).Outcome);
        // The command is answered once recorded; the plan reports its new state right after.
        AwaitPlan(plans, "deploy", p => !p.Interrupted, "deploy continued");
    }

    [Fact]
    public void An_interrupted_plan_starts_nothing_when_its_phase_is_continued()
    {
        var plans = StartPlans();
        AwaitPlan(plans, "deploy", p => p.Status == Status.Waiting, "canary waits before the first continue");
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt)).Outcome);

        // The phase's continue lets its first canary step go, but the plan is paused: nothing starts.
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue, Phase: "api")).Outcome);
        _requires.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // Continuing the plan lets the approved canary step run.
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue)).Outcome);
        Assert.Equal("api-0:[server]", _requires.ExpectMsg<RequireTasks>().Step.Name);
    }

    [Fact]
    public void Stopping_a_complete_plan_resets_it_and_starts_nothing_until_it_is_started()
    {
        var plans = StartPlans();
        AwaitPlan(plans, "backup", p => p.Interrupted, "custom plans start interrupted");
        Command(plans, new PlanProtocol.Command("backup", PlanCommandKind.Start));
        Assert.Equal("backup-0:[run]", _requires.ExpectMsg<RequireTasks>().Step.Name);
        AwaitPlan(plans, "backup", p => p.Status == Status.Complete, "backup complete");

        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("backup", PlanCommandKind.Stop)).Outcome);
        // Stop = interrupt + reset (DC/OS): the step is PENDING, the paused plan WAITING, and nothing runs — as a read
        // right after the answer shows it, not only eventually.
        var stopped = PlanOf(plans, "backup");
        Assert.True(stopped.Interrupted && stopped.Status == Status.Waiting && Steps(stopped)[0] == Status.Pending,
            $"right after the stop: {stopped.Status}, interrupted {stopped.Interrupted}, step {Steps(stopped)[0]}");
        _requires.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(Status.Waiting, PlanOf(plans, "backup").Status);

        Command(plans, new PlanProtocol.Command("backup", PlanCommandKind.Start));
        Assert.Equal("backup-0:[run]", _requires.ExpectMsg<RequireTasks>().Step.Name);
        AwaitPlan(plans, "backup", p => p.Status == Status.Complete, "backup ran again once started");
    }

    [Fact]
    public void Restarting_a_complete_dependency_plan_runs_each_phase_after_the_phases_it_depends_on()
    {
        var plans = Sys.ActorOf(PlanCoordinatorActor.Props(DependencyTarget, _pods, Journal, ImmutableArray<string>.Empty, CreateTestProbe().Ref, false));
        Assert.Equal("schema-0:[migrate]", _requires.ExpectMsg<RequireTasks>().Step.Name);
        Assert.Equal("app-0:[web]", _requires.ExpectMsg<RequireTasks>().Step.Name);
        AwaitPlan(plans, "deploy", p => p.Status == Status.Complete, "deploy complete");

        // The schema does not finish this time: app must wait for it.
        _pods.Tell(new HoldLaunches("schema-0"));
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Restart)).Outcome);
        Assert.Equal("schema-0:[migrate]", _requires.ExpectMsg<RequireTasks>().Step.Name);
        _requires.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal([Status.Pending], Steps(PlanOf(plans, "deploy"), phase: 1));
    }

    [Fact]
    public void Restarting_a_paused_phase_resumes_it_and_relaunches_its_steps()
    {
        var plans = StartPlans();
        PlanOf(plans, "deploy");
        Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue));
        Assert.Equal("api-0:[server]", _requires.ExpectMsg<RequireTasks>().Step.Name);
        AwaitPlan(plans, "deploy", p => Steps(p)[0] == Status.Complete, "first canary step complete");
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt, Phase: "api")).Outcome);
        AwaitPlan(plans, "deploy", p => p.Phases[0].Interrupted, "phase paused");

        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Restart, Phase: "api")).Outcome);
        AwaitPlan(plans, "deploy", p => !p.Phases[0].Interrupted, "restart (proceed + reset) resumed the phase");
        var relaunch = _requires.ExpectMsg<RequireTasks>();
        Assert.Equal("api-0:[server]", relaunch.Step.Name);
        Assert.NotNull(relaunch.RelaunchBefore);
    }

    /// <summary>A parallel phase of two instances.</summary>
    private static readonly TargetConfig ParallelTarget = new("config-1", ServiceSpecLoader.LoadRendered("""
        name: svc
        pods:
          hello:
            count: 2
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 100
                cpus: 0.1
                memory: 32
        plans:
          deploy:
            phases:
              hello:
                pod: hello
                strategy: parallel
        """, "svc.yml").Spec!);

    [Fact]
    public void Pausing_a_plan_holds_its_steps_under_way_and_resuming_requires_their_tasks_again()
    {
        // hello-0 waits for its offer; hello-1 deploys.
        _pods.Tell(new HoldLaunches("hello-0"));
        var plans = Sys.ActorOf(PlanCoordinatorActor.Props(ParallelTarget, _pods, Journal, ImmutableArray<string>.Empty, CreateTestProbe().Ref, false));
        Assert.Equal(["hello-0:[server]", "hello-1:[server]"], new[] { _requires.ExpectMsg<RequireTasks>().Step.Name, _requires.ExpectMsg<RequireTasks>().Step.Name }.Order());
        AwaitPlan(plans, "deploy", p => Steps(p)[1] == Status.Complete, "hello-1 deployed");
        DrainQueued(_launches);

        // A step's restart resets that step alone: the other one, still waiting for its offer, is not held.
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Restart, "hello", "hello-1:[server]")).Outcome);
        Assert.Equal("hello-1:[server]", _requires.ExpectMsg<RequireTasks>().Step.Name);
        AwaitPlan(plans, "deploy", p => Steps(p)[1] == Status.Complete, "hello-1 relaunched");
        Assert.DoesNotContain(DrainQueued(_launches), m => m is HoldTasks);

        // The plan is paused: the step under way is held, by its identity (the complete one needs no word), as a step of
        // an interrupted plan (which keeps its pod from no other plan's step).
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt)).Outcome);
        var held = _launches.FishForMessage<HoldTasks>(_ => true);
        Assert.Equal(("svc/plan/deploy/phase/hello/step/hello-0:[server]", true), (held.StepId, held.PlanInterrupted));

        // Resumed: it requires its tasks again.
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue)).Outcome);
        Assert.Equal("hello-0:[server]", _requires.FishForMessage<RequireTasks>(_ => true).Step.Name);
        Assert.DoesNotContain(DrainQueued(_launches), m => m is HoldTasks);

        // Only its phase is interrupted: held as a step of a plan that goes on (it keeps its pod while under way).
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt, "hello")).Outcome);
        held = _launches.FishForMessage<HoldTasks>(_ => true);
        Assert.Equal(("svc/plan/deploy/phase/hello/step/hello-0:[server]", false), (held.StepId, held.PlanInterrupted));

        // Then the plan is interrupted too: the step is held again, now as a step of an interrupted plan.
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt)).Outcome);
        held = _launches.FishForMessage<HoldTasks>(_ => true);
        Assert.Equal(("svc/plan/deploy/phase/hello/step/hello-0:[server]", true), (held.StepId, held.PlanInterrupted));
    }

    [Fact]
    public void A_plan_continue_resumes_the_paused_phase_it_reached_and_approves_no_later_canary()
    {
        _pods.Tell(new HoldLaunches("hello-0"));
        var plans = Sys.ActorOf(PlanCoordinatorActor.Props(CanaryTarget, _pods, Journal, ImmutableArray<string>.Empty, CreateTestProbe().Ref, false));
        Assert.Equal("hello-0:[server]", _requires.ExpectMsg<RequireTasks>().Step.Name);
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt, Phase: "hello")).Outcome);
        AwaitPlan(plans, "deploy", p => p.Phases[0].Interrupted && p.Status == Status.Waiting, "phase hello paused");

        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue)).Outcome);
        AwaitPlan(plans, "deploy", p => !p.Phases[0].Interrupted, "the plan's continue resumed hello, the phase its strategy is at");
        // world's canary was not approved ahead: both its canary steps still wait for their own continue.
        Assert.Equal([Status.Waiting, Status.Waiting], Steps(PlanOf(plans, "deploy"), phase: 1));
    }

    [Fact]
    public void Force_complete_and_restart_of_a_step_are_recorded_and_restart_relaunches_its_tasks()
    {
        var plans = StartPlans();
        PlanOf(plans, "deploy");
        var forced = Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.ForceComplete, "api", "api-0:[server]"));
        Assert.Equal(new PlanProtocol.CommandResult(PlanCommandOutcome.Accepted, "Received cmd: forceComplete"), forced);
        // Addressed by the step's identity (plan, phase, name), not its name alone.
        _launches.ExpectMsg<ReleaseTasks>(m => m.StepId.EndsWith("/plan/deploy/phase/api/step/api-0:[server]", StringComparison.Ordinal));

        Restart(ref plans);
        AwaitPlan(plans, "deploy", p => Steps(p)[0] == Status.Complete && p.Phases[0].Steps[0].Message.Contains("force-completed"), "force-complete survives a restart");

        var restarted = Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Restart, "api", "api-0:[server]"));
        Assert.Equal(PlanCommandOutcome.Accepted, restarted.Outcome);
        _launches.ExpectMsg<ReleaseTasks>();
        AwaitPlan(plans, "deploy", p => Steps(p)[0] == Status.Waiting, "restarted step is pending again (held by the canary)");

        // Through the canary: the restarted step is the first canary and relaunches its task.
        Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Continue));
        var relaunch = _launches.ExpectMsg<RequireTasks>();
        Assert.Equal("api-0:[server]", relaunch.Step.Name);
        Assert.NotNull(relaunch.RelaunchBefore);
    }

    [Fact]
    public void A_custom_plan_starts_with_parameters_that_reach_the_pods_and_survive_a_restart()
    {
        var plans = StartPlans();
        AwaitPlan(plans, "backup", p => p.Interrupted, "custom plans start interrupted");
        _launches.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var parameters = ImmutableDictionary<string, string>.Empty.Add("BACKUP_DIR", "/mnt/b1");
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("backup", PlanCommandKind.Start, Parameters: parameters)).Outcome);
        var required = _launches.FishForMessage<RequireTasks>(m => m.Step.Name == "backup-0:[run]");
        Assert.Equal("/mnt/b1", required.Parameters!["BACKUP_DIR"]);
        // Third in the plans' order (deploy, recovery, backup): its pods claim offers after theirs.
        Assert.Equal(2, required.PlanPriority);
        AwaitPlan(plans, "backup", p => p.Status == Status.Complete, "backup complete");

        Restart(ref plans);
        Assert.Equal("/mnt/b1", PlanOf(plans, "backup").Parameters!["BACKUP_DIR"]);

        // Starting a complete plan again restarts it: its step runs once more with the new parameters.
        Command(plans, new PlanProtocol.Command("backup", PlanCommandKind.Start, Parameters: parameters.SetItem("BACKUP_DIR", "/mnt/b2")));
        Assert.Equal("/mnt/b2", _launches.FishForMessage<RequireTasks>(m => m.Step.Name == "backup-0:[run]").Parameters!["BACKUP_DIR"]);
    }

    [Fact]
    public void Parameters_given_to_a_running_plan_show_in_the_next_answer_about_it()
    {
        // Found by SchedulerApiMutationTests (seed 2): `start` with parameters on a plan already running (neither
        // interrupted nor complete) changed nothing else, so no report carried them and GET /v1/plans/deploy showed the
        // old parameters until the plan's next change — which then looked like a refused request changing them.
        var plans = StartPlans();
        var running = PlanOf(plans, "deploy");
        Assert.False(running.Interrupted);
        Assert.NotEqual(Status.Complete, running.Status);

        var parameters = ImmutableDictionary<string, string>.Empty.Add("NOTE", "x");
        Assert.Equal(PlanCommandOutcome.Accepted, Command(plans, new PlanProtocol.Command("deploy", PlanCommandKind.Start, Parameters: parameters)).Outcome);

        plans.Tell(new PlanProtocol.GetPlan("deploy"));
        Assert.Equal("x", ExpectMsg<PlanInfo>().Parameters?.GetValueOrDefault("NOTE"));
    }

    [Fact]
    public void Deploy_comes_first_and_recovery_second_wherever_the_spec_lists_deploy()
    {
        // The same plans, the custom one written first.
        var plansAt = Spec.IndexOf("plans:\n", StringComparison.Ordinal) + "plans:\n".Length;
        var backupAt = Spec.IndexOf("  backup:", plansAt, StringComparison.Ordinal);
        var backupFirst = Spec[..plansAt] + Spec[backupAt..] + "\n" + Spec[plansAt..backupAt];
        var target = new TargetConfig("config-1", ServiceSpecLoader.LoadRendered(backupFirst, "svc.yml").Spec!);
        Assert.Equal(["backup", "deploy"], target.Spec.Plans.Select(p => p.Name));
        var plans = Sys.ActorOf(PlanCoordinatorActor.Props(target, _pods, Journal, ImmutableArray<string>.Empty, CreateTestProbe().Ref, false));

        plans.Tell(PlanProtocol.GetPlans.Instance);
        Assert.Equal(new[] { "deploy", "recovery", "backup" }, ExpectMsg<PlanProtocol.PlanNames>().Names.ToArray());
        // The custom plan's pods claim offers after deploy's and recovery's, though the spec lists it first.
        AwaitPlan(plans, "backup", p => p.Interrupted, "custom plans start interrupted");
        Command(plans, new PlanProtocol.Command("backup", PlanCommandKind.Start));
        Assert.Equal(2, _launches.FishForMessage<RequireTasks>(m => m.Step.Name == "backup-0:[run]").PlanPriority);
    }

    [Fact]
    public void Unknown_plans_are_not_found()
    {
        var plans = StartPlans();
        PlanOf(plans, "deploy");

        Assert.Equal(
            new PlanProtocol.CommandResult(PlanCommandOutcome.NotFound, "Plan nope not found"),
            Command(plans, new PlanProtocol.Command("nope", PlanCommandKind.Start)));
    }

    /// <summary>
    /// Pods that launch the moment a step requires it (each task RUNNING at once, ONCE tasks FINISHED), honouring
    /// restarts; every RequireTasks, ReleaseTasks and HoldTasks is copied to <c>launches</c>, every RequireTasks to
    /// <c>requires</c>. A pod instance named in a <see cref="HoldLaunches"/> is required but does not launch.
    /// </summary>
    private sealed class InstantPods : ReceiveActor
    {
        private readonly Dictionary<string, DateTime> _launchedAt = new();
        private readonly HashSet<string> _held = new();

        /// <param name="leftovers">Gets the decommission plan's <see cref="GetLeftoverPods"/>, for the test to answer.</param>
        public InstantPods(IActorRef launches, IActorRef requires, IActorRef leftovers)
        {
            Receive<GetLeftoverPods>(m => leftovers.Forward(m));
            Receive<HoldLaunches>(m => _held.Add(m.PodInstance));
            Receive<ForPod>(m =>
            {
                switch (m.Message)
                {
                    case GetTaskProgress get:
                        Sender.Tell(Report(m.PodInstance, get.Step, get.Target, get.RelaunchBefore));
                        break;
                    case RequireTasks require:
                        launches.Tell(require);
                        requires.Tell(require);
                        var key = m.PodInstance + require.Step.Name;
                        if (!_held.Contains(m.PodInstance) && !Launched(key, require.RelaunchBefore))
                        {
                            _launchedAt[key] = DateTime.UtcNow.AddTicks(1);
                        }

                        Sender.Tell(Report(m.PodInstance, require.Step, require.Target, require.RelaunchBefore));
                        break;
                    case ReleaseTasks release:
                        launches.Tell(release);
                        break;
                    case HoldTasks hold:
                        launches.Tell(hold);
                        break;
                }
            });
        }

        private bool Launched(string key, DateTime? relaunchBefore) =>
            _launchedAt.TryGetValue(key, out var at) && !(at < relaunchBefore);

        private TaskProgressReport Report(string pod, StepSpec step, TargetConfig target, DateTime? relaunchBefore)
        {
            var launched = Launched(pod + step.Name, relaunchBefore);
            var goal = target.Spec.FindPod(pod[..pod.LastIndexOf('-')])!.Tasks[0].Goal;
            var state = goal == GoalState.Running ? TaskState.TaskRunning : TaskState.TaskFinished;
            var progress = step.Tasks.Select(_ => new TaskProgress(goal, launched, launched ? state : null, true, false)).ToImmutableArray();
            return new TaskProgressReport(pod, progress, false, string.Empty);
        }
    }

    /// <summary>Test → <see cref="InstantPods"/>: from now on, this pod instance does not launch.</summary>
    private sealed record HoldLaunches(string PodInstance);
}
