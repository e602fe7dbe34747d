using System.Collections.Immutable;
using ActorScheduler.Actors.Config;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Actors.Tests.Offers;
using ActorScheduler.Actors.Tests.Persistence;
using ActorScheduler.Actors.Tls;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Google.Protobuf;
using PlanStatus = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Pods;

public sealed class PodInstanceActorTests : ActorTestKit
{
    // Writes can be held back (GatedJournal.Gate(Sys).Close()): a slow commit. Open, it is the in-memory journal.
    public PodInstanceActorTests()
        : base(GatedJournal.Config)
    {
    }

    private static readonly PodSpec Pod = TestOffers.HelloPod();
    private static readonly TargetConfig Target = new(
        "config-1",
        new ServiceSpec("hello-world", null, ImmutableArray.Create(Pod), ImmutableArray<PlanSpec>.Empty));
    private static readonly StepSpec Step = new("hello-0:[server]", 0, ImmutableArray.Create("server"));

    private IActorRef? _journal;

    /// <summary>The shared entity journal the pod instances record into (one per test).</summary>
    private IActorRef Journal => _journal ??= Sys.ActorOf(EntityJournalActor.Props("hello-world"));

    /// <summary>Stops the entity journal; the next use starts a new one that replays the (in-memory) journal.</summary>
    private void RestartJournal()
    {
        Watch(Journal);
        Journal.Tell(PoisonPill.Instance);
        ExpectTerminated(Journal);
        _journal = null;
    }

    [Fact]
    public void PodInstance_should_register_a_pod_with_transport_encryption_only_once_the_service_ca_answered()
    {
        var server = Pod.Tasks[0] with { TransportEncryption = [new TransportEncryptionSpec("server", TransportEncryptionType.Tls), new TransportEncryptionSpec("server", TransportEncryptionType.Keystore)] };
        var tlsPod = Pod with { Tasks = [server] };
        var target = new TargetConfig("config-1", new ServiceSpec("hello-world", null, [tlsPod], []));
        var (router, gateway, step, authority) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway, tlsAuthority: authority));
        router.ExpectMsg<FootprintOwned>();

        pod.Tell(new RequireTasks(Step, target), step);

        // One request for the name both entries share, with the task's names; nothing registered until the answer.
        var issue = authority.ExpectMsg<TlsProtocol.Issue>();
        var request = Assert.Single(issue.Requests);
        Assert.Equal(("hello-0", "server", "server", "hello-0-server.hello-world"), (issue.PodInstance, request.Task, request.Name, request.Names.CommonName));
        Assert.Equal(["hello-0-server.hello-world.autoip.dcos.thisdcos.directory"], request.Names.Sans.AsEnumerable());
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var artifacts = new IssuedTls("server", "server", new TlsArtifacts(
            request.Names.SansHash, "ca", ByteString.CopyFromUtf8("crt"), ByteString.CopyFromUtf8("key"), ByteString.CopyFromUtf8("ca"), ByteString.CopyFromUtf8("ks"), ByteString.CopyFromUtf8("ts")));
        authority.Reply(new TlsProtocol.Issued([artifacts]));
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        Assert.Equal([artifacts], requirement.Tls.AsEnumerable());
        Assert.Null(requirement.TlsRefusal);
    }

    [Fact]
    public void PodInstance_should_register_with_the_reason_when_the_service_ca_refuses()
    {
        var server = Pod.Tasks[0] with { TransportEncryption = [new TransportEncryptionSpec("server", TransportEncryptionType.Tls)] };
        var target = new TargetConfig("config-1", new ServiceSpec("hello-world", null, [Pod with { Tasks = [server] }], []));
        var (router, gateway, step, authority) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway, tlsAuthority: authority));
        router.ExpectMsg<FootprintOwned>();

        pod.Tell(new RequireTasks(Step, target), step);
        authority.ExpectMsg<TlsProtocol.Issue>();
        authority.Reply(new TlsProtocol.Refused("the CA is broken"));

        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        Assert.Empty(requirement.Tls);
        Assert.Equal("the CA is broken", requirement.TlsRefusal);
    }

    [Fact]
    public void PodInstance_should_ask_a_refusing_service_ca_again_after_a_backoff_and_register_with_the_artifacts_once_issued()
    {
        var server = Pod.Tasks[0] with { TransportEncryption = [new TransportEncryptionSpec("server", TransportEncryptionType.Tls)] };
        var target = new TargetConfig("config-1", new ServiceSpec("hello-world", null, [Pod with { Tasks = [server] }], []));
        var (router, gateway, step, authority) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway, backoffBase: TimeSpan.FromMilliseconds(50), tlsAuthority: authority));
        router.ExpectMsg<FootprintOwned>();

        pod.Tell(new RequireTasks(Step, target), step);
        authority.ExpectMsg<TlsProtocol.Issue>();
        authority.Reply(new TlsProtocol.Refused("the CA is unreachable"));
        Assert.Equal("the CA is unreachable", router.ExpectMsg<RegisterRequirement>().Requirement.TlsRefusal);

        // Asked again after the backoff, twice; a second refusal with the same reason leaves the registration (and its
        // explanation) as it is.
        var again = authority.ExpectMsg<TlsProtocol.Issue>();
        authority.Reply(new TlsProtocol.Refused("the CA is unreachable"));
        authority.ExpectMsg<TlsProtocol.Issue>();
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement or WithdrawRequirement);

        // The CA heals: the registration with the refusal is replaced by one with the artifacts.
        var request = Assert.Single(again.Requests);
        var artifacts = new IssuedTls("server", "server", new TlsArtifacts(
            request.Names.SansHash, "ca", ByteString.CopyFromUtf8("crt"), ByteString.CopyFromUtf8("key"), ByteString.CopyFromUtf8("ca"), ByteString.CopyFromUtf8("ks"), ByteString.CopyFromUtf8("ts")));
        authority.Reply(new TlsProtocol.Issued([artifacts]));
        router.ExpectMsg<WithdrawRequirement>();
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        Assert.Equal([artifacts], requirement.Tls.AsEnumerable());
        Assert.Null(requirement.TlsRefusal);
        authority.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void PodInstance_should_register_a_requirement_then_record_the_launch_before_answering_the_router()
    {
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>(m => m.ResourceIds.IsEmpty);

        // Asked by a step of the plan third in the plans' order: its requirement claims offers after those of the first two.
        pod.Tell(new RequireTasks(Step, Target, PlanPriority: 2), step);
        Assert.Equal(PlanStatus.Pending, StatusOf(step.ExpectMsg<TaskProgressReport>()));
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        Assert.Null(requirement.Existing);
        Assert.Equal(["server"], requirement.TasksToLaunch.ToArray());
        Assert.Equal(2, requirement.PlanPriority);

        var offer = TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        pod.Tell(new LaunchClaim(offer, evaluation), router);

        Assert.Equal(PlanStatus.Prepared, StatusOf(step.ExpectMsg<TaskProgressReport>()));
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        Assert.Equal(PlanStatus.Starting, StatusOf(step.ExpectMsg<TaskProgressReport>()));

        var running = Status(evaluation.Tasks[0].Info, TaskState.TaskRunning, withUuid: true);
        pod.Tell(new TaskStatusUpdate(running), gateway);
        gateway.ExpectMsg<StatusRecorded>(m => m.Status.Equals(running));
        Assert.Equal(PlanStatus.Complete, StatusOf(step.ExpectMsg<TaskProgressReport>()));
    }

    [Fact]
    public void A_reason_the_router_counted_for_an_earlier_registration_is_dropped_and_the_current_ones_shown()
    {
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target), step);
        Assert.Equal(PlanStatus.Pending, StatusOf(step.ExpectMsg<TaskProgressReport>()));
        var first = router.ExpectMsg<RegisterRequirement>();

        // A config update before any offer fitted: the pod registers again, for config-2.
        pod.Tell(new RequireTasks(Step, NewTarget), step);
        Assert.Equal(PlanStatus.Pending, StatusOf(step.ExpectMsg<TaskProgressReport>()));
        var second = router.FishForMessage<RegisterRequirement>(_ => true);
        Assert.Equal("config-2", second.Requirement.ConfigId);
        Assert.NotEqual(first.Registration, second.Registration);

        // The router's word on config-1's offers was in flight: dropped. Its word on config-2's is shown.
        pod.Tell(new OffersDoNotFit("FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", first.Registration), router);
        pod.Tell(new OffersDoNotFit("FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation (needs 288, offers had at most 100)", second.Registration), router);

        var report = step.ExpectMsg<TaskProgressReport>();
        Assert.Equal(PlanStatus.Prepared, StatusOf(report));
        Assert.Equal("offers do not fit: FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation (needs 288, offers had at most 100)", report.Message);
        step.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_step_of_another_plan_taking_over_a_registered_pod_replaces_its_requirement_with_its_own_priority()
    {
        var (router, gateway, deploy, custom) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target, PlanPriority: 0), deploy);
        deploy.ExpectMsg<TaskProgressReport>();
        Assert.Equal(0, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);

        // A custom plan's step (third in the plans' order), with its parameters, takes the pod over before any offer.
        var parameters = ImmutableDictionary<string, string>.Empty.Add("MODE", "backup");
        pod.Tell(new RequireTasks(Step with { Name = "backup-0:[server]" }, Target, Parameters: parameters, PlanPriority: 2), custom);

        custom.ExpectMsg<TaskProgressReport>();
        Assert.Equal("hello-0", router.ExpectMsg<WithdrawRequirement>().PodInstance);
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        Assert.Equal(2, requirement.PlanPriority);
        Assert.Equal("backup", requirement.Parameters["MODE"]);

        // The same step asking again changes nothing.
        pod.Tell(new RequireTasks(Step with { Name = "backup-0:[server]" }, Target, Parameters: parameters, PlanPriority: 2), custom);
        custom.ExpectMsg<TaskProgressReport>();
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_claim_evaluated_before_another_step_took_the_pod_over_is_refused_and_the_new_requirement_registered()
    {
        var (router, gateway, deploy, custom) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target), deploy);
        var before = router.ExpectMsg<RegisterRequirement>().Requirement;
        var offer = TestOffers.Unreserved();
        var claim = new LaunchClaim(offer, OfferEvaluator.Evaluate(before, offer, TestOffers.Context), before, Seq: 7);

        // The custom step's parameters reach the pod before the claim made for the deploy step's requirement.
        var parameters = ImmutableDictionary<string, string>.Empty.Add("MODE", "backup");
        pod.Tell(new RequireTasks(Step with { Name = "backup-0:[server]" }, Target, Parameters: parameters, PlanPriority: 2), custom);
        router.ExpectMsg<WithdrawRequirement>();
        router.ExpectMsg<RegisterRequirement>();
        pod.Tell(claim, router);

        Assert.Equal(offer.Id.Value, router.ExpectMsg<LaunchNotRecorded>().OfferId);
        var registered = router.ExpectMsg<RegisterRequirement>();
        Assert.Equal(7, registered.ClaimsSeen);
        var again = registered.Requirement;
        Assert.Equal("backup", again.Parameters["MODE"]);
        Assert.Equal(2, again.PlanPriority);
    }

    [Fact]
    public void A_pod_paused_while_it_waits_for_an_offer_registers_again_and_refuses_a_claim_made_before_the_pause()
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();
        var task = evaluation.Tasks[0].Info;
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskFailed, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        var before = ((RegisterRequirement)router.FishForMessage(m => m is RegisterRequirement)).Requirement;
        Assert.Empty(before.Paused);

        // Answered only once the router was told: an offer sent on the answer finds the new registration (a CI flake).
        // The router's probe asks, so the pod's messages to it arrive in the order sent.
        pod.Tell(new ActorScheduler.Messages.Pods.PodProtocol.PausePod("hello-0", ["server"]), router);
        var told = new List<object>();
        router.FishForMessage(m =>
        {
            told.Add(m);
            return m is ActorScheduler.Messages.Pods.PodProtocol.PodCommandDone;
        });
        var withdrawn = told.FindIndex(m => m is WithdrawRequirement);
        var registered = told.Skip(Math.Max(withdrawn, 0)).OfType<RegisterRequirement>().FirstOrDefault();
        Assert.True(withdrawn >= 0 && registered is not null,
            $"the router was not told to withdraw and register again before the answer: [{string.Join(", ", told)}]");
        var paused = registered.Requirement;
        Assert.Equal(["server"], paused.Paused.ToArray());

        // The claim the router made on the registration before the pause would launch the real command.
        var offer = TestOffers.WithReserved("agent-1", evaluation.Footprint);
        pod.Tell(new LaunchClaim(offer, OfferEvaluator.Evaluate(before, offer, TestOffers.Context), before), router);
        Assert.Equal(offer.Id.Value, ((LaunchNotRecorded)router.FishForMessage(m => m is LaunchNotRecorded)).OfferId);
    }

    [Fact]
    public void A_claim_the_pod_fails_on_is_refused_so_the_router_does_not_wait_for_it()
    {
        var (pod, router, gateway, requirement) = HelloPodRegistered();

        // A claim whose evaluation has no task list: handling it throws, and the pod restarts.
        var offer = TestOffers.Unreserved();
        var broken = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context) with { Tasks = default };
        pod.Tell(new LaunchClaim(offer, broken, Seq: 9), router);

        var refused = (LaunchNotRecorded)router.FishForMessage(m => m is LaunchNotRecorded);
        Assert.Equal(offer.Id.Value, refused.OfferId);
        Assert.Contains("hello-0 failed on the claim", refused.Reason);
    }

    [Fact]
    public void A_claim_for_a_launch_already_recorded_is_refused_and_nothing_is_recorded_twice()
    {
        var (pod, router, gateway, requirement) = HelloPodRegistered();

        // Two claims cross the pod's re-registration: the first is recorded, the second comes for the same launch.
        var (first, second) = (TestOffers.Unreserved("agent-1"), TestOffers.Unreserved("agent-2"));
        pod.Tell(new LaunchClaim(first, OfferEvaluator.Evaluate(requirement, first, TestOffers.Context)), router);
        pod.Tell(new LaunchClaim(second, OfferEvaluator.Evaluate(requirement, second, TestOffers.Context)), router);

        ExpectLaunchRecorded(router, pod, first.Id.Value);
        var refused = router.ExpectMsg<LaunchNotRecorded>();
        Assert.Equal((second.Id.Value, "hello-0 no longer needs this launch"), (refused.OfferId, refused.Reason));
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void PodInstance_should_replace_a_long_history_by_a_snapshot_and_recover_the_same_state_from_it()
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();
        var info = evaluation.Tasks[0].Info;

        // A flapping health check: RUNNING again and again (each a new update), far past the snapshot size.
        for (var i = 0; i < 70; i++)
        {
            var running = Status(info, TaskState.TaskRunning, withUuid: true);
            running.Healthy = i % 2 == 0;
            pod.Tell(new TaskStatusUpdate(running), gateway);
            gateway.ExpectMsg<StatusRecorded>();
        }

        pod.Tell(GetPodInstanceStatus.Instance);
        var before = ExpectMsg<Messages.Pods.PodInstanceStatus>();
        Watch(pod);
        pod.Tell(PoisonPill.Instance);
        ExpectTerminated(pod);
        RestartJournal();

        // The journal now holds the snapshot and the few updates after it, not 70 updates.
        Journal.Tell(new EntityJournalProtocol.Replay("hello-world/pod/hello-0"));
        var history = ExpectMsg<EntityJournalProtocol.History>().Events;
        Assert.IsType<ActorScheduler.Messages.Events.PodInstanceSnapshot>(history[0]);
        Assert.InRange(history.Length, 1, 64);

        var restarted = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        var owned = router.ExpectMsg<FootprintOwned>();
        Assert.True(owned.ResourceIds.ToHashSet().SetEquals(evaluation.Footprint.Select(Resources.ResourceId).OfType<string>()));
        restarted.Tell(GetPodInstanceStatus.Instance);
        var after = ExpectMsg<Messages.Pods.PodInstanceStatus>();
        Assert.Equal(before.Tasks.ToArray(), after.Tasks.ToArray());
        restarted.Tell(GetTasksToReconcile.Instance);
        Assert.Equal(info.TaskId.Value, Assert.Single(ExpectMsg<TasksToReconcile>().Tasks).TaskId);
    }

    [Fact]
    public void PodInstance_should_recover_its_tasks_and_footprint_after_a_restart()
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();

        var restarted = Restart(pod, router, gateway);
        var owned = router.ExpectMsg<FootprintOwned>();
        Assert.True(owned.ResourceIds.ToHashSet().SetEquals(evaluation.Footprint.Select(Resources.ResourceId).OfType<string>()));

        restarted.Tell(GetTasksToReconcile.Instance);
        var toReconcile = ExpectMsg<TasksToReconcile>();
        Assert.Equal(evaluation.Tasks[0].Info.TaskId.Value, Assert.Single(toReconcile.Tasks).TaskId);

        // Already launched on the target: asking again launches nothing new.
        var newStep = CreateTestProbe();
        restarted.Tell(new RequireTasks(Step, Target), newStep);
        Assert.Equal(PlanStatus.Starting, StatusOf(newStep.ExpectMsg<TaskProgressReport>()));
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void PodInstance_should_forget_a_new_footprint_the_master_never_saw_and_ask_again_without_it()
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();

        // Reconciliation: the master does not know the task (the ACCEPT never reached it).
        TellMasterStatus(pod, gateway, evaluation.Tasks[0].Info, TaskState.TaskLost, TaskStatus.Types.Reason.Reconciliation);

        // It owns nothing any more (the router may collect those reservations), and asks afresh; both say which claim
        // they come after, so the router does not take them for words said before a claim it made since.
        var owned = router.ExpectMsg<FootprintOwned>(m => m.ResourceIds.IsEmpty && m.Agent is null);
        Assert.Equal("agent-1", router.ExpectMsg<FootprintAbandoned>().AgentId);
        var again = router.ExpectMsg<RegisterRequirement>();
        Assert.Null(again.Requirement.Existing);
        Assert.Equal((RecordedClaimSeq, RecordedClaimSeq), (owned.ClaimsSeen, again.ClaimsSeen));
    }

    [Fact]
    public void A_launch_abandoned_as_never_made_that_then_runs_is_killed()
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();
        var task = evaluation.Tasks[0].Info;
        TellMasterStatus(pod, gateway, task, TaskState.TaskLost, TaskStatus.Types.Reason.Reconciliation);
        router.ExpectMsg<FootprintOwned>(m => m.ResourceIds.IsEmpty);

        // Its ACCEPT reached the master after all (a kill for a recovery went out first, say): the task runs.
        var running = Status(task, TaskState.TaskRunning, withUuid: true);
        pod.Tell(new TaskStatusUpdate(running), gateway);

        // Nothing of the pod uses it: killed as an unknown task is (the gateway kills it and acknowledges the update).
        Assert.Equal(running.TaskId, gateway.ExpectMsg<UnknownTaskStatus>().Status.TaskId);
    }

    [Theory]
    [InlineData("decommission")]
    [InlineData("restart")]
    public void A_launch_not_heard_of_yet_is_killed_once_it_reports_not_before_its_ACCEPT_may_have_reached_the_master(string why)
    {
        var (pod, _, gateway, evaluation) = PodWithRecordedLaunch();
        var task = evaluation.Tasks[0].Info;

        // The launch is recorded but its ACCEPT may still wait for the offer's other claims: a KILL now would reach the
        // master first, be answered "unknown task", and the launch would run for nothing afterwards.
        var operator_ = CreateTestProbe();
        pod.Tell(why == "decommission" ? new AdvanceDecommission(ActorScheduler.Actors.Plans.DecommissionPlan.KillStep) : new Messages.Pods.PodProtocol.RestartPod("hello-0"), operator_);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // Its first update comes: now it is killed.
        var starting = Status(task, TaskState.TaskStarting, withUuid: true);
        pod.Tell(new TaskStatusUpdate(starting), gateway);
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true).TaskId);
    }

    [Fact]
    public void A_kill_waiting_for_a_launchs_first_update_goes_once_the_router_says_its_ACCEPT_went_out()
    {
        var offer = TestOffers.Unreserved();
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch(killRetryInterval: TimeSpan.FromMilliseconds(200), offer: offer);
        pod.Tell(new AdvanceDecommission(ActorScheduler.Actors.Plans.DecommissionPlan.KillStep), CreateTestProbe());

        // At the re-send the pod asks whether the ACCEPT is out yet: still waiting for other claims, so no kill...
        Assert.Equal(offer.Id.Value, router.FishForMessage<IsAcceptPending>(_ => true).OfferId);
        router.Reply(new AcceptPending(offer.Id.Value, Pending: true));
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // ...asked again at the next one: it went out, so the kill goes (nothing heard of the launch means it may be lost).
        router.FishForMessage<IsAcceptPending>(_ => true);
        router.Reply(new AcceptPending(offer.Id.Value, Pending: false));
        Assert.Equal(evaluation.Tasks[0].Info.TaskId.Value, gateway.ExpectMsg<KillTask>().TaskId);
    }

    [Fact]
    public void A_task_killed_while_its_agent_was_unreachable_is_killed_again_as_soon_as_the_agent_is_back()
    {
        var (pod, _, gateway, evaluation) = PodWithUnreachableTask();
        var task = evaluation.Tasks[0].Info;

        // The decommission's kill reaches a master that cannot reach the agent: the agent never hears of it.
        pod.Tell(new AdvanceDecommission(ActorScheduler.Actors.Plans.DecommissionPlan.KillStep), CreateTestProbe());
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true).TaskId);

        // The agent re-registers with the task still running: the kill goes again now, not at the re-send 10 s later.
        var back = Status(task, TaskState.TaskRunning, withUuid: false);
        (back.Source, back.Reason) = (TaskStatus.Types.Source.Master, TaskStatus.Types.Reason.AgentReregistered);
        pod.Tell(new TaskStatusUpdate(back), gateway);
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true, TimeSpan.FromSeconds(3)).TaskId);
    }

    [Fact]
    public void A_decommission_force_completed_while_the_agent_is_partitioned_gives_the_reservations_up_without_waiting()
    {
        var (pod, router, gateway, evaluation) = PodWithUnreachableTask();
        var task = evaluation.Tasks[0].Info;

        // The kill cannot reach the partitioned agent: the kill step waits for the task to end.
        var plan = CreateTestProbe();
        pod.Tell(new AdvanceDecommission(ActorScheduler.Actors.Plans.DecommissionPlan.KillStep), plan);
        gateway.FishForMessage<KillTask>(_ => true);
        Assert.False(plan.FishForMessage<DecommissionProgress>(m => m.Stage == DecommissionStage.Killing).TasksKilled);

        // The operator force-completes the pod's phase: its reservations are given up to the router, not waited for.
        var operator_ = CreateTestProbe();
        pod.Tell(new ForceDecommission(operator_, "Received cmd: forceComplete"), plan);
        Assert.Equal(ActorScheduler.Messages.Plans.PlanCommandOutcome.Accepted, operator_.ExpectMsg<ActorScheduler.Messages.Plans.PlanProtocol.CommandResult>().Outcome);
        var abandoned = router.FishForMessage<FootprintAbandoned>(_ => true);
        Assert.Equal(evaluation.Footprint.Select(Resources.ResourceId).OfType<string>().Order(), abandoned.ResourceIds.Order());
        Assert.Equal(task.AgentId.Value, abandoned.AgentId);
        router.FishForMessage<FootprintOwned>(m => m.ResourceIds.IsEmpty);
        Assert.Equal("reservations given up without waiting (force-completed)", plan.FishForMessage<DecommissionProgress>(m => m.Stage == DecommissionStage.Collected).Message);
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // no AwaitCollection: nothing is waited for

        // Journaled: a restarted scheduler finds it with its reservations given up, ready to be erased.
        var restarted = Restart(pod, router, gateway);
        restarted.Tell(new AdvanceDecommission(null), plan);
        plan.FishForMessage<DecommissionProgress>(m => m.Stage == DecommissionStage.Collected);
        restarted.Tell(new AdvanceDecommission(ActorScheduler.Actors.Plans.DecommissionPlan.EraseStep), plan);
        plan.FishForMessage<DecommissionProgress>(m => m.Stage == DecommissionStage.Erased);
    }

    [Fact]
    public void A_pod_wanted_again_after_a_forced_decommission_keeps_killing_the_task_it_gave_the_reservations_of_up()
    {
        var (pod, router, gateway, evaluation) = PodWithUnreachableTask(killRetryInterval: TimeSpan.FromMilliseconds(200));
        var task = evaluation.Tasks[0].Info;
        var plan = CreateTestProbe();
        pod.Tell(new AdvanceDecommission(ActorScheduler.Actors.Plans.DecommissionPlan.KillStep), plan);
        pod.Tell(new ForceDecommission(CreateTestProbe(), "Received cmd: forceComplete"), plan);
        plan.FishForMessage<DecommissionProgress>(m => m.Stage == DecommissionStage.Collected);

        // The count is raised before the erase: the decommission is cancelled, but the task on the given-up reservations
        // is still killed (its kill is re-sent), not adopted.
        var step = CreateTestProbe();
        pod.Tell(new RequireTasks(Step, Target), step);
        plan.FishForMessage<DecommissionProgress>(m => m.Stage == DecommissionStage.None);
        DropQueued(gateway);
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true, TimeSpan.FromSeconds(3)).TaskId);

        // Its agent comes back and reports it running: no progress of the pod wanted again (not COMPLETE), as it runs on
        // reservations given up.
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        var report = step.FishForMessage<TaskProgressReport>(r => r.Tasks.Length == 1 && r.Tasks[0].State == TaskState.TaskRunning);
        Assert.False(report.Tasks[0].LaunchedOnTarget);

        // The force is journaled: a pod restarted now (no re-send due for 10 s) still kills that task, though its
        // decommission was cancelled.
        Watch(pod);
        pod.Tell(PoisonPill.Instance);
        ExpectTerminated(pod);
        DropQueued(gateway);
        RestartJournal();
        Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true, TimeSpan.FromSeconds(3)).TaskId);
    }

    [Fact]
    public void A_pod_wanted_again_after_a_force_waits_for_a_task_from_before_it_that_never_reported()
    {
        // The launch was recorded and the ACCEPT sent, but no update came before the force.
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();
        var task = evaluation.Tasks[0].Info;
        var plan = CreateTestProbe();
        pod.Tell(new AdvanceDecommission(ActorScheduler.Actors.Plans.DecommissionPlan.KillStep), plan);
        pod.Tell(new ForceDecommission(CreateTestProbe(), "Received cmd: forceComplete"), plan);
        plan.FishForMessage<DecommissionProgress>(m => m.Stage == DecommissionStage.Collected);

        // Wanted again: no launch beside the task, which may yet start on the reservations given up.
        pod.Tell(new RequireTasks(Step, Target), CreateTestProbe());
        plan.FishForMessage<DecommissionProgress>(m => m.Stage == DecommissionStage.None);
        pod.Tell(GetTasksToReconcile.Instance);
        ExpectMsg<TasksToReconcile>();
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement);

        // It reports, is killed, and ends: now the pod asks for offers for a new footprint.
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true, TimeSpan.FromSeconds(3)).TaskId);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);
        Assert.Null(router.FishForMessage<RegisterRequirement>(_ => true).Requirement.Existing);
    }

    [Fact]
    public void A_decommission_force_completed_while_it_waits_for_its_released_reservations_stops_waiting()
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();
        var task = evaluation.Tasks[0].Info;
        var plan = CreateTestProbe();
        pod.Tell(new AdvanceDecommission(ActorScheduler.Actors.Plans.DecommissionPlan.KillStep), plan);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);
        plan.FishForMessage<DecommissionProgress>(m => m.TasksKilled);
        pod.Tell(new AdvanceDecommission(ActorScheduler.Actors.Plans.DecommissionPlan.UnreserveStep), plan);
        router.FishForMessage<AwaitCollection>(_ => true);
        plan.FishForMessage<DecommissionProgress>(m => m.Stage == DecommissionStage.Releasing);

        // The agent went away before it offered them: the operator force-completes; the router stops waiting.
        pod.Tell(new ForceDecommission(CreateTestProbe(), "Received cmd: forceComplete"), plan);
        Assert.Equal("hello-0", router.FishForMessage<ReleaseAgentGone>(_ => true).PodInstance);
        plan.FishForMessage<DecommissionProgress>(m => m.Stage == DecommissionStage.Collected);
    }

    [Fact]
    public void PodInstance_should_remind_a_restarted_router_of_a_footprint_it_gave_up_until_the_router_settles_it()
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();
        TellMasterStatus(pod, gateway, evaluation.Tasks[0].Info, TaskState.TaskLost, TaskStatus.Types.Reason.Reconciliation);
        router.ExpectMsg<FootprintOwned>(m => m.ResourceIds.IsEmpty);
        var abandoned = router.ExpectMsg<FootprintAbandoned>();
        router.ExpectMsg<RegisterRequirement>();

        // The scheduler restarts before the router saw them collected: the pod tells the new router again.
        var restarted = Restart(pod, router, gateway);
        router.ExpectMsg<FootprintOwned>(m => m.ResourceIds.IsEmpty);
        var reminded = router.ExpectMsg<FootprintAbandoned>();
        Assert.Equal(abandoned.AgentId, reminded.AgentId);
        Assert.Equal(abandoned.ResourceIds.Order(), reminded.ResourceIds.Order());

        // Settled (collected, or no longer waited for): the next restart has nothing to remind the router of.
        restarted.Tell(new FootprintSettled("agent-1", reminded.ResourceIds), router);
        restarted.Tell(GetTasksToReconcile.Instance);
        ExpectMsg<TasksToReconcile>();
        Restart(restarted, router, gateway);
        router.ExpectMsg<FootprintOwned>(m => m.ResourceIds.IsEmpty);
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>The master says <paramref name="state"/> (for <paramref name="reason"/>) about the task; the pod records it.</summary>
    private static void TellMasterStatus(IActorRef pod, Akka.TestKit.TestProbe gateway, TaskInfo task, TaskState state, TaskStatus.Types.Reason reason)
    {
        var status = Status(task, state, withUuid: false);
        status.Source = TaskStatus.Types.Source.Master;
        status.Reason = reason;
        pod.Tell(new TaskStatusUpdate(status), gateway);
        gateway.ExpectMsg<StatusRecorded>();
    }

    /// <summary>Stops the pod and its journal, and starts both again on the same (in-memory) journal.</summary>
    private IActorRef Restart(IActorRef pod, Akka.TestKit.TestProbe router, Akka.TestKit.TestProbe gateway, IActorRef? configStore = null, RecoverySettings? recovery = null)
    {
        Watch(pod);
        pod.Tell(PoisonPill.Instance);
        ExpectTerminated(pod);
        RestartJournal();
        return Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway, recovery: recovery, configStore: configStore));
    }

    // A new config for hello (another command) that the rollout has not brought hello-0 to: paused, or a canary waiting.
    private static readonly TargetConfig NewTarget = new("config-2", Target.Spec with { Pods = [Pod with { Tasks = [Pod.Tasks[0] with { Command = "sleep 2000" }] }] });

    [Fact]
    public void Recovery_relaunches_a_failed_task_on_the_config_it_ran_while_the_step_of_a_new_config_only_watches()
    {
        var (pod, router, gateway, task) = RunningOnConfig1WatchedOnConfig2();

        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskFailed, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();

        // DC/OS: a recovered task relaunches on its own target_configuration; the deploy plan owns the upgrade.
        var recovery = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal("config-1", recovery.ConfigId);
        Assert.Equal(ActorScheduler.Actors.Plans.RecoveryPlanActor.Priority, recovery.PlanPriority);
    }

    [Fact]
    public void Recovery_after_a_restart_asks_the_config_store_for_the_config_the_failed_task_ran()
    {
        var (pod, router, gateway, task) = RunningOnConfig1WatchedOnConfig2();
        var store = CreateTestProbe();
        pod = Restart(pod, router, gateway, store);
        pod.Tell(new GetTaskProgress(Step, NewTarget), CreateTestProbe());

        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskFailed, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();

        // The restarted pod holds only the new target: nothing relaunches until the store gave the old config.
        Assert.Equal("config-1", store.ExpectMsg<GetStoredTarget>().ConfigId);
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement);
        store.Reply(new StoredTarget("config-1", Target, null));
        Assert.Equal("config-1", router.FishForMessage<RegisterRequirement>(_ => true).Requirement.ConfigId);
    }

    [Fact]
    public void Recovery_asks_the_config_store_again_when_its_request_is_never_answered()
    {
        var (pod, router, gateway, task) = RunningOnConfig1WatchedOnConfig2();
        var store = CreateTestProbe();
        pod = Restart(pod, router, gateway, store, new RecoverySettings { ConfigFetchRetryInterval = TimeSpan.FromMilliseconds(300) });
        pod.Tell(new GetTaskProgress(Step, NewTarget), CreateTestProbe());
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskFailed, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();

        // The store loses the first request (it restarted, say): the pod asks again, and recovers on the answer.
        Assert.Equal("config-1", store.ExpectMsg<GetStoredTarget>().ConfigId);
        Assert.Equal("config-1", store.ExpectMsg<GetStoredTarget>().ConfigId);
        store.Reply(new StoredTarget("config-1", Target, null));
        Assert.Equal("config-1", router.FishForMessage<RegisterRequirement>(_ => true).Requirement.ConfigId);

        // Answered: asked no more. A retry that fell due while the answer was on its way was asked before the pod had it
        // (on a loaded machine the answer can take longer than an interval to be handled): only later ones are wrong.
        Assert.All(DrainQueued(store), m => Assert.Equal("config-1", Assert.IsType<GetStoredTarget>(m).ConfigId));
        store.ExpectNoMsg(TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public void Recovery_falls_back_to_the_current_target_when_the_config_the_task_ran_is_not_in_the_store()
    {
        var (pod, router, gateway, task) = RunningOnConfig1WatchedOnConfig2();
        var store = CreateTestProbe();
        pod = Restart(pod, router, gateway, store);
        pod.Tell(new GetTaskProgress(Step, NewTarget), CreateTestProbe());
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskFailed, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();

        store.ExpectMsg<GetStoredTarget>();
        store.Reply(new StoredTarget("config-1", null, "not in the config store"));

        Assert.Equal("config-2", router.FishForMessage<RegisterRequirement>(_ => true).Requirement.ConfigId);
        // Asked once: the answer is kept.
        store.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_step_that_proceeds_takes_the_recovering_pod_to_its_new_config()
    {
        var (pod, router, gateway, task) = RunningOnConfig1WatchedOnConfig2();
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskFailed, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        Assert.Equal("config-1", router.FishForMessage<RegisterRequirement>(_ => true).Requirement.ConfigId);

        // The rollout is continued before the relaunch: deploy > recovery, the relaunch is on the new config.
        pod.Tell(new RequireTasks(Step, NewTarget), CreateTestProbe());
        Assert.Equal("config-2", router.FishForMessage<RegisterRequirement>(_ => true).Requirement.ConfigId);
    }

    [Fact]
    public void A_pause_relaunches_on_the_config_the_task_ran_while_the_step_of_a_new_config_only_watches()
    {
        var (pod, router, gateway, task) = RunningOnConfig1WatchedOnConfig2();
        var operator_ = CreateTestProbe();

        pod.Tell(new ActorScheduler.Messages.Pods.PodProtocol.PausePod("hello-0", ["server"]), operator_);
        operator_.ExpectMsg<ActorScheduler.Messages.Pods.PodProtocol.PodCommandDone>();

        // Killed, then relaunched paused on config-1: only the step, once it proceeds, takes the pod to config-2.
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true).TaskId);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);
        var requirement = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal("config-1", requirement.ConfigId);
        Assert.Equal(["server"], requirement.Paused.ToArray());
    }

    [Fact]
    public void A_pause_relaunches_on_the_config_the_task_ran_only_the_tasks_that_config_has()
    {
        var (pod, router, gateway, task) = RunningOnConfig1WatchedOnConfig2();
        var store = CreateTestProbe();
        pod = Restart(pod, router, gateway, store);
        // The new config adds a sidecar to hello-0's step; the paused rollout has not reached it. Restarted, the pod knows
        // no step but that one.
        var server = NewTarget.Spec.Pods[0].Tasks[0];
        var withSidecar = new TargetConfig("config-2", NewTarget.Spec with { Pods = [Pod with { Tasks = [server, server with { Name = "agent", Volumes = [] }] }] });
        pod.Tell(new GetTaskProgress(new StepSpec("hello-0:[server, agent]", 0, ["server", "agent"]), withSidecar), CreateTestProbe());

        pod.Tell(new ActorScheduler.Messages.Pods.PodProtocol.PausePod("hello-0", ["server"]), CreateTestProbe());
        Assert.Equal("config-1", store.ExpectMsg<GetStoredTarget>().ConfigId);
        store.Reply(new StoredTarget("config-1", Target, null));
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true).TaskId);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);

        var requirement = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal("config-1", requirement.ConfigId);
        Assert.Equal(["server"], requirement.TasksToLaunch.ToArray());
    }

    [Fact]
    public void A_step_renamed_by_an_update_replaces_the_old_step_as_the_one_a_pause_relaunches_for()
    {
        // hello-0:[server] deployed config-1 and watches the pod since.
        var (router, gateway, oldStep) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target), oldStep);
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        var offer = TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        pod.Tell(new LaunchClaim(offer, evaluation, Seq: RecordedClaimSeq), router);
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        var task = evaluation.Tasks[0].Info;
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        oldStep.FishForMessage<TaskProgressReport>(r => StatusOf(r) == PlanStatus.Complete);

        // config-2 adds a sidecar: the pod's step is hello-0:[server, agent] now (its rollout has not reached the pod);
        // hello-0:[server] went with the old plans.
        var server = NewTarget.Spec.Pods[0].Tasks[0];
        var withSidecar = new TargetConfig("config-2", NewTarget.Spec with { Pods = [Pod with { Tasks = [server, server with { Name = "agent", Volumes = [] }] }] });
        var newStep = CreateTestProbe();
        pod.Tell(new GetTaskProgress(new StepSpec("hello-0:[server, agent]", 0, ["server", "agent"]), withSidecar), newStep);
        newStep.ExpectMsg<TaskProgressReport>();
        DrainQueued(oldStep);
        DrainQueued(router);

        pod.Tell(new ActorScheduler.Messages.Pods.PodProtocol.PausePod("hello-0", ["server"]), CreateTestProbe());
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true).TaskId);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);

        // Relaunched for the new step, on the config the task ran: nothing is told to the old step.
        var relaunch = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal("config-1", relaunch.ConfigId);
        Assert.Equal(["server"], relaunch.TasksToLaunch.ToArray());
        Assert.Empty(DrainQueued(oldStep));
    }

    private const string DeployStepId = "hello-world/plan/deploy/phase/hello/step/hello-0:[server]";
    private const string CustomStepId = "hello-world/plan/rolling/phase/hello/step/hello-0:[server]";

    [Fact]
    public void A_step_of_another_plan_with_the_same_name_releasing_the_pod_leaves_the_driving_steps_requirement()
    {
        // The deploy plan's hello-0:[server] watches; a custom plan's step of the same name drives the pod.
        var (router, gateway, deploy, custom) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new GetTaskProgress(Step, Target) { StepId = DeployStepId }, deploy);
        deploy.ExpectMsg<TaskProgressReport>();
        pod.Tell(new RequireTasks(Step, Target, PlanPriority: 2) { StepId = CustomStepId }, custom);
        custom.ExpectMsg<TaskProgressReport>();
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;

        // The deploy step is force-completed (or restarted): it releases what it drives — nothing.
        pod.Tell(new ReleaseTasks(DeployStepId));
        pod.Tell(GetTasksToReconcile.Instance);
        ExpectMsg<TasksToReconcile>();
        Assert.DoesNotContain(DrainQueued(router), m => m is WithdrawRequirement);

        // The custom step still drives: a claim on its registration is recorded and reported to it.
        var offer = TestOffers.Unreserved();
        pod.Tell(new LaunchClaim(offer, OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context), Seq: RecordedClaimSeq), router);
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        Assert.Equal(PlanStatus.Prepared, StatusOf(custom.ExpectMsg<TaskProgressReport>()));

        // Its own release does withdraw it.
        pod.Tell(new ReleaseTasks(CustomStepId));
        pod.Tell(GetTasksToReconcile.Instance);
        ExpectMsg<TasksToReconcile>();
        Assert.Empty(DrainQueued(deploy));
    }

    [Fact]
    public void Watching_steps_of_two_plans_with_the_same_name_stay_apart_and_a_pause_relaunches_for_the_first()
    {
        // hello-0:[server] of deploy drove config-1 and watches since.
        var (router, gateway, deploy) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target) { StepId = DeployStepId }, deploy);
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        var offer = TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        pod.Tell(new LaunchClaim(offer, evaluation, Seq: RecordedClaimSeq), router);
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        var task = evaluation.Tasks[0].Info;
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        deploy.FishForMessage<TaskProgressReport>(r => StatusOf(r) == PlanStatus.Complete);

        // A custom plan's step of the same name (not started) watches too: it does not take the deploy step's place.
        var custom = CreateTestProbe();
        pod.Tell(new GetTaskProgress(Step, Target, PlanPriority: 3) { StepId = CustomStepId }, custom);
        custom.ExpectMsg<TaskProgressReport>();
        DrainQueued(deploy);
        DrainQueued(router);

        pod.Tell(new ActorScheduler.Messages.Pods.PodProtocol.PausePod("hello-0", ["server"]), CreateTestProbe());
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true).TaskId);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);

        // The relaunch is the deploy step's (first to watch), reported to it, not to the custom plan's step.
        Assert.Equal(0, router.FishForMessage<RegisterRequirement>(_ => true).Requirement.PlanPriority);
        deploy.FishForMessage<TaskProgressReport>(r => StatusOf(r) == PlanStatus.Pending);
        Assert.Empty(DrainQueued(custom));
    }

    [Fact]
    public void A_step_held_while_it_waits_for_an_offer_withdraws_refuses_a_claim_made_before_and_registers_again_when_resumed()
    {
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        var required = new RequireTasks(Step, Target) { StepId = DeployStepId };
        pod.Tell(required, step);
        step.ExpectMsg<TaskProgressReport>();
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        var offer = TestOffers.Unreserved();
        var claim = new LaunchClaim(offer, OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context), requirement, Seq: 5);

        // Another plan's step of the same name holding changes nothing; the driving step's plan is paused: withdrawn.
        pod.Tell(new HoldTasks(CustomStepId));
        pod.Tell(new HoldTasks(DeployStepId));
        Assert.Equal("hello-0", router.ExpectMsg<WithdrawRequirement>().PodInstance);

        // A claim the router made before the withdrawal reached it is refused, and nothing registers again.
        pod.Tell(claim, router);
        Assert.Contains("interrupted", router.ExpectMsg<LaunchNotRecorded>().Reason);
        pod.Tell(GetTasksToReconcile.Instance);
        ExpectMsg<TasksToReconcile>();
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement);

        // The plan resumes: the step requires its tasks again and the pod waits for offers again.
        pod.Tell(required, step);
        Assert.Equal(PlanStatus.Pending, StatusOf(step.ExpectMsg<TaskProgressReport>()));
        Assert.Equal(5, router.ExpectMsg<RegisterRequirement>().ClaimsSeen);
    }

    [Fact]
    public void A_step_another_plan_s_step_of_the_same_name_displaced_drives_again_once_that_one_lets_go_unless_its_plan_is_paused()
    {
        var (router, gateway, deploy, custom) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        var deployRequired = new RequireTasks(Step, Target) { StepId = DeployStepId };
        pod.Tell(deployRequired, deploy);
        deploy.ExpectMsg<TaskProgressReport>();
        Assert.Equal(0, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);

        // The custom plan's step takes the pod over; force-completed, it lets go: deploy's registers again and hears so.
        pod.Tell(new RequireTasks(Step, Target, PlanPriority: 3) { StepId = CustomStepId }, custom);
        router.ExpectMsg<WithdrawRequirement>();
        Assert.Equal(3, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);
        DrainQueued(deploy);
        pod.Tell(new ReleaseTasks(CustomStepId));
        router.ExpectMsg<WithdrawRequirement>();
        Assert.Equal(0, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);
        Assert.Equal(PlanStatus.Pending, StatusOf(deploy.ExpectMsg<TaskProgressReport>()));

        // Deploy's plan is paused, then the custom step takes over and lets go: deploy's stays withdrawn until it resumes.
        pod.Tell(new HoldTasks(DeployStepId));
        router.ExpectMsg<WithdrawRequirement>();
        pod.Tell(new RequireTasks(Step, Target, PlanPriority: 3) { StepId = CustomStepId }, custom);
        Assert.Equal(3, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);
        pod.Tell(new ReleaseTasks(CustomStepId));
        router.ExpectMsg<WithdrawRequirement>();
        pod.Tell(GetTasksToReconcile.Instance);
        ExpectMsg<TasksToReconcile>();
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement);
        pod.Tell(deployRequired, deploy);
        Assert.Equal(0, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);
    }

    [Fact]
    public void A_displaced_step_waits_for_a_step_of_an_interrupted_phase_and_is_told_why_but_drives_again_while_that_step_s_plan_is_interrupted()
    {
        var (router, gateway, deploy, custom) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target) { StepId = DeployStepId }, deploy);
        deploy.ExpectMsg<TaskProgressReport>();
        Assert.Equal(0, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);

        // The custom plan's step takes the pod over: deploy's waits, and its message says for what.
        var customRequired = new RequireTasks(Step, Target, PlanPriority: 3) { StepId = CustomStepId };
        pod.Tell(customRequired, custom);
        router.ExpectMsg<WithdrawRequirement>();
        Assert.Equal(3, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);
        var waiting = deploy.ExpectMsg<TaskProgressReport>();
        Assert.Equal(PlanStatus.Pending, StatusOf(waiting));
        Assert.Equal("waiting for step hello-0:[server] of plan rolling (phase hello), which took hello-0 over (one step at a time per pod): this step drives it again once that one completes or is force-completed", waiting.Message);

        // Only the custom step's phase is interrupted: it keeps the pod (DC/OS: a step under way keeps its pod dirty for
        // the other plans), and deploy's step hears why it still waits.
        pod.Tell(new HoldTasks(CustomStepId));
        router.ExpectMsg<WithdrawRequirement>();
        Assert.Contains("its phase is interrupted, and it keeps the pod until it continues and completes, or is force-completed", deploy.ExpectMsg<TaskProgressReport>().Message);
        pod.Tell(GetTasksToReconcile.Instance);
        ExpectMsg<TasksToReconcile>();
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement);

        // Its phase continues, then its whole plan is interrupted: DC/OS counts no step of an interrupted plan as working
        // on a pod, so deploy's step drives the pod again, and the custom step hears so.
        pod.Tell(customRequired, custom);
        Assert.Equal(3, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);
        DrainQueued(custom);
        pod.Tell(new HoldTasks(CustomStepId, PlanInterrupted: true));
        router.ExpectMsg<WithdrawRequirement>();
        Assert.Equal(0, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);
        var again = deploy.FishForMessage<TaskProgressReport>(r => !r.Message.StartsWith("waiting", StringComparison.Ordinal));
        Assert.Equal(PlanStatus.Pending, StatusOf(again));
        Assert.Equal(
            "its plan is interrupted: step hello-0:[server] of plan deploy (phase hello) works on hello-0 meanwhile; this step takes it back when its plan continues",
            custom.ExpectMsg<TaskProgressReport>().Message);

        // Its plan continues: the custom step takes the pod back, and deploy's waits again.
        pod.Tell(customRequired, custom);
        router.ExpectMsg<WithdrawRequirement>();
        Assert.Equal(3, router.ExpectMsg<RegisterRequirement>().Requirement.PlanPriority);
        Assert.StartsWith("waiting for step hello-0:[server] of plan rolling", deploy.ExpectMsg<TaskProgressReport>().Message);
    }

    [Fact]
    public void A_step_held_after_the_pod_accepted_a_claim_goes_on_with_that_launch_and_hears_it_complete()
    {
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target) { StepId = DeployStepId }, step);
        step.ExpectMsg<TaskProgressReport>();
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        var offer = TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);

        // The claim is answered before the hold comes: the launch it recorded goes out, and the step hears how it does.
        pod.Tell(new LaunchClaim(offer, evaluation, Seq: RecordedClaimSeq), router);
        pod.Tell(new HoldTasks(DeployStepId));
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        pod.Tell(new TaskStatusUpdate(Status(evaluation.Tasks[0].Info, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        step.FishForMessage<TaskProgressReport>(r => StatusOf(r) == PlanStatus.Complete);
    }

    [Fact]
    public void A_pause_relaunches_for_the_watching_step_that_asked_first_whatever_steps_were_dropped_before()
    {
        // hello-0:[server] of deploy drove config-1 and watches since; a custom plan's step of config-1 watches too.
        var (pod, router, gateway, task) = RunningOnConfig1WatchedOnConfig2();
        var backup = new StepSpec("backup-0:[server]", 0, ["server"]);
        pod.Tell(new GetTaskProgress(Step, Target), CreateTestProbe());
        pod.Tell(new GetTaskProgress(backup, Target, PlanPriority: 3), CreateTestProbe());

        // The plans of config-2 ask: deploy's step first, then the custom plan's. Both of config-1's are dropped.
        pod.Tell(new GetTaskProgress(Step, NewTarget), CreateTestProbe());
        pod.Tell(new GetTaskProgress(backup, NewTarget, PlanPriority: 3), CreateTestProbe());
        DrainQueued(router);

        pod.Tell(new ActorScheduler.Messages.Pods.PodProtocol.PausePod("hello-0", ["server"]), CreateTestProbe());
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true).TaskId);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);

        // The relaunch is the first watcher's, deploy's (priority 0), not the one that took a freed place in the pod's table.
        Assert.Equal(0, router.FishForMessage<RegisterRequirement>(_ => true).Requirement.PlanPriority);
    }

    [Fact]
    public void A_step_gone_with_its_plans_no_longer_drives_the_pod_and_the_new_plans_step_does()
    {
        // hello-0:[server] of config-1 drives the pod: registered, waiting for an offer.
        var (router, gateway, oldStep) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target), oldStep);
        router.ExpectMsg<RegisterRequirement>();
        oldStep.ExpectMsg<TaskProgressReport>();

        // An update: the old plans stopped. Their step launches nothing any more, also while the new one only watches
        // (its plan paused, or a canary held).
        pod.Tell(PlansReplaced.Instance);
        router.ExpectMsg<WithdrawRequirement>();
        var newStep = CreateTestProbe();
        pod.Tell(new GetTaskProgress(Step, NewTarget), newStep);
        Assert.Equal(PlanStatus.Pending, StatusOf(newStep.ExpectMsg<TaskProgressReport>()));
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement);

        // The new step proceeds: it drives the pod, on its config, to COMPLETE; the old step hears nothing.
        pod.Tell(new RequireTasks(Step, NewTarget), newStep);
        var requirement = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal("config-2", requirement.ConfigId);
        var offer = TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        pod.Tell(new LaunchClaim(offer, evaluation, Seq: RecordedClaimSeq), router);
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        pod.Tell(new TaskStatusUpdate(Status(evaluation.Tasks[0].Info, TaskState.TaskRunning, withUuid: true)), gateway);
        newStep.FishForMessage<TaskProgressReport>(r => StatusOf(r) == PlanStatus.Complete);
        Assert.Empty(DrainQueued(oldStep));
    }

    [Fact]
    public void A_pod_no_step_of_the_new_plans_names_is_paused_on_its_gone_steps_tasks_without_telling_that_step()
    {
        // hello-0:[server] deployed config-1 and watches the pod since.
        var (router, gateway, oldStep) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target), oldStep);
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        var offer = TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        pod.Tell(new LaunchClaim(offer, evaluation, Seq: RecordedClaimSeq), router);
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        var task = evaluation.Tasks[0].Info;
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        oldStep.FishForMessage<TaskProgressReport>(r => StatusOf(r) == PlanStatus.Complete);

        // An update whose plans do not name hello-0 (a custom update plan of other pods): its step is gone.
        pod.Tell(PlansReplaced.Instance);
        DrainQueued(router);

        // A pause still relaunches the gone step's tasks, on their config, and the step is told nothing.
        pod.Tell(new ActorScheduler.Messages.Pods.PodProtocol.PausePod("hello-0", ["server"]), CreateTestProbe());
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true).TaskId);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);
        var relaunch = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal("config-1", relaunch.ConfigId);
        Assert.Equal(["server"], relaunch.Paused.ToArray());
        Assert.Empty(DrainQueued(oldStep));
    }

    [Fact]
    public void A_pause_after_a_restart_asks_the_config_store_for_the_config_the_task_ran()
    {
        var (pod, router, gateway, task) = RunningOnConfig1WatchedOnConfig2();
        var store = CreateTestProbe();
        pod = Restart(pod, router, gateway, store);
        pod.Tell(new GetTaskProgress(Step, NewTarget), CreateTestProbe());
        var operator_ = CreateTestProbe();

        pod.Tell(new ActorScheduler.Messages.Pods.PodProtocol.PausePod("hello-0", ["server"]), operator_);
        operator_.ExpectMsg<ActorScheduler.Messages.Pods.PodProtocol.PodCommandDone>();

        // The restarted pod holds only the new target: nothing is killed or relaunched until the store gave the old one.
        Assert.Equal("config-1", store.ExpectMsg<GetStoredTarget>().ConfigId);
        Assert.DoesNotContain(DrainQueued(gateway), m => m is KillTask);
        store.Reply(new StoredTarget("config-1", Target, null));
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true).TaskId);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);
        Assert.Equal("config-1", router.FishForMessage<RegisterRequirement>(_ => true).Requirement.ConfigId);
    }

    /// <summary>hello-0 RUNNING on config-1 (its step complete), then watched by the step of <see cref="NewTarget"/>.</summary>
    private (IActorRef Pod, Akka.TestKit.TestProbe Router, Akka.TestKit.TestProbe Gateway, TaskInfo Task) RunningOnConfig1WatchedOnConfig2()
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();
        var task = evaluation.Tasks[0].Info;
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        var step = CreateTestProbe();
        pod.Tell(new GetTaskProgress(Step, NewTarget), step);
        Assert.Equal(PlanStatus.Pending, StatusOf(step.ExpectMsg<TaskProgressReport>()));
        DrainQueued(router);
        return (pod, router, gateway, task);
    }

    [Fact]
    public void PodInstance_should_acknowledge_a_late_duplicate_without_going_back_to_an_earlier_state()
    {
        var (pod, _, gateway, evaluation) = PodWithRecordedLaunch();
        var step = CreateTestProbe();
        pod.Tell(new RequireTasks(Step, Target), step);
        step.ExpectMsg<TaskProgressReport>();
        var task = evaluation.Tasks[0].Info;
        var starting = Status(task, TaskState.TaskStarting, withUuid: true);
        pod.Tell(new TaskStatusUpdate(starting), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        Assert.Equal(PlanStatus.Complete, StatusOf(step.FishForMessage<TaskProgressReport>(r => StatusOf(r) == PlanStatus.Complete)));

        // STARTING again, same uuid, after RUNNING: acknowledged (the agent's queue moves on), nothing recorded.
        pod.Tell(new TaskStatusUpdate(starting.Clone()), gateway);

        gateway.ExpectMsg<StatusRecorded>(m => m.Status.Uuid == starting.Uuid);
        step.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        pod.Tell(new GetTaskProgress(Step, Target), step);
        Assert.Equal(PlanStatus.Complete, StatusOf(step.ExpectMsg<TaskProgressReport>()));
    }

    [Fact]
    public void A_STARTING_that_confirms_new_reservations_is_journaled_so_a_restarted_pod_still_knows_they_were_made()
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();
        var task = evaluation.Tasks[0].Info;
        var launched = JournaledEvents().Length;

        // The agent's first word on the new footprint: journaled before it is acknowledged.
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskStarting, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>(m => m.Status.State == TaskState.TaskStarting);
        Assert.Equal(launched + 1, JournaledEvents().Length);

        // Restarted, the pod hears from the master that the task is lost: its reservations were made (the agent said so),
        // so they are kept for the relaunch, not given up as those of a launch that never happened.
        var restarted = Restart(pod, router, gateway);
        var ids = evaluation.Footprint.Select(Resources.ResourceId).OfType<string>().Order().ToArray();
        Assert.Equal(ids, router.FishForMessage<FootprintOwned>(_ => true).ResourceIds.Order());
        TellMasterStatus(restarted, gateway, task, TaskState.TaskLost, TaskStatus.Types.Reason.Reconciliation);
        var told = router.ReceiveWhile(TimeSpan.FromMilliseconds(500), m => m);
        Assert.DoesNotContain(told, m => m is FootprintAbandoned);
        Assert.DoesNotContain(told, m => m is FootprintOwned { ResourceIds.IsEmpty: true });
    }

    [Fact]
    public void A_relaunchs_STARTING_is_acknowledged_and_applied_without_a_journal_write_and_RUNNING_is_journaled()
    {
        var (pod, router, gateway, requirement) = HelloPodRegistered();
        ClaimRunAndFail(pod, router, gateway, requirement);

        // The relaunch in place, on reservations the agent confirmed before.
        var relaunch = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.NotNull(relaunch.Existing);
        var relaunched = Launch(pod, router, relaunch);
        var launched = JournaledEvents().Length;
        pod.Tell(new TaskStatusUpdate(Status(relaunched, TaskState.TaskStarting, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>(m => m.Status.State == TaskState.TaskStarting);
        Assert.Equal("TASK_STARTING", TaskStatusOf(pod));
        Assert.Equal(launched, JournaledEvents().Length);

        // Restarted after the acknowledged STARTING, the scheduler knows the launch only; it reconciles the task, and the
        // agent's next update (sent once STARTING was acknowledged) is journaled.
        var restarted = Restart(pod, router, gateway);
        Assert.Equal("TASK_STAGING", TaskStatusOf(restarted));
        restarted.Tell(GetTasksToReconcile.Instance);
        Assert.Contains(relaunched.TaskId.Value, ExpectMsg<TasksToReconcile>().Tasks.Select(t => t.TaskId));
        restarted.Tell(new TaskStatusUpdate(Status(relaunched, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>(m => m.Status.State == TaskState.TaskRunning);
        var recorded = Assert.Single(JournaledEvents().Skip(launched));
        Assert.Equal(TaskState.TaskRunning, Assert.IsType<ActorScheduler.Messages.Events.TaskStatusRecorded>(recorded).Status.State);
        Assert.Equal("TASK_RUNNING", TaskStatusOf(restarted));
    }

    /// <summary>
    /// Drops the messages already queued at <paramref name="probe"/> without waiting for more: what an actor sent before
    /// a reply the test has seen (or before it terminated) is queued by then.
    /// </summary>
    private static void DropQueued(Akka.TestKit.TestProbe probe) => DrainQueued(probe);

    private object[] JournaledEvents()
    {
        Journal.Tell(new EntityJournalProtocol.Replay("hello-world/pod/hello-0"));
        return ExpectMsg<EntityJournalProtocol.History>().Events.ToArray();
    }

    private string TaskStatusOf(IActorRef pod)
    {
        pod.Tell(GetPodInstanceStatus.Instance);
        return ExpectMsg<Messages.Pods.PodInstanceStatus>().Tasks.Single().Status;
    }

    [Fact]
    public void PodInstance_should_forget_a_new_footprint_when_the_master_refuses_its_ACCEPT_as_invalid_offers()
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();

        // The offer was rescinded (its agent was lost) before the ACCEPT: nothing in it was applied.
        TellMasterStatus(pod, gateway, evaluation.Tasks[0].Info, TaskState.TaskDropped, TaskStatus.Types.Reason.InvalidOffers);

        router.ExpectMsg<FootprintOwned>(m => m.ResourceIds.IsEmpty);
        var abandoned = router.ExpectMsg<FootprintAbandoned>();
        Assert.Equal(evaluation.Footprint.Select(Resources.ResourceId).OfType<string>(), abandoned.ResourceIds);
        Assert.Null(router.ExpectMsg<RegisterRequirement>().Requirement.Existing);
    }

    [Fact]
    public void PodInstance_should_leave_an_unreachable_task_alone_and_replace_it_once_its_agent_is_gone()
    {
        var (pod, router, gateway, evaluation) = PodWithUnreachableTask();
        var task = evaluation.Tasks[0].Info;
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        TellMasterStatus(pod, gateway, task, TaskState.TaskGoneByOperator, TaskStatus.Types.Reason.AgentRemovedByOperator);

        // TASK_GONE_BY_OPERATOR is a permanent failure (DC/OS): the pod gives up its footprint and asks for a new one.
        // The agent may come back with the old reservations: the router is told where they are, to collect them then.
        router.ExpectMsg<FootprintOwned>(f => f.ResourceIds.IsEmpty);
        var abandoned = router.ExpectMsg<FootprintAbandoned>();
        Assert.Equal("agent-1", abandoned.AgentId);
        Assert.Equal(evaluation.Footprint.Select(Resources.ResourceId).OfType<string>(), abandoned.ResourceIds);
        var relaunch = router.ExpectMsg<RegisterRequirement>().Requirement;
        Assert.Null(relaunch.Existing);
    }

    [Fact]
    public void PodInstance_should_kill_a_task_on_an_old_config_and_resend_the_kill_until_it_ends()
    {
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway, TimeSpan.FromMilliseconds(100)));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target), step);
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        var offer = TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        pod.Tell(new LaunchClaim(offer, evaluation), router);
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        var task = evaluation.Tasks[0].Info;
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();

        // A new config changes the task: the running task must go first, and its kill is re-sent until it ends.
        var changed = Pod with { Tasks = [Pod.Tasks[0] with { Command = "sleep 2000" }] };
        var newTarget = new TargetConfig("config-2", Target.Spec with { Pods = [changed] });
        pod.Tell(new RequireTasks(Step, newTarget), step);
        Assert.Equal(task.TaskId.Value, gateway.ExpectMsg<KillTask>().TaskId);
        Assert.Equal(task.TaskId.Value, gateway.ExpectMsg<KillTask>().TaskId);

        // A re-sent kill may still be in flight ahead of the acknowledgement; none may follow it.
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);
        gateway.FishForMessage(message => message is StatusRecorded);
        var relaunch = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal("config-2", relaunch.ConfigId);
        Assert.NotNull(relaunch.Existing);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_config_update_before_a_launchs_first_update_kills_the_launch_once_it_reports_then_relaunches()
    {
        // The launch is recorded and its ACCEPT went out, but no update came yet when the config changes.
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch(killRetryInterval: TimeSpan.FromMilliseconds(200));
        var task = evaluation.Tasks[0].Info;
        var changed = Pod with { Tasks = [Pod.Tasks[0] with { Command = "sleep 2000" }] };
        var newTarget = new TargetConfig("config-2", Target.Spec with { Pods = [changed] });
        pod.Tell(new RequireTasks(Step, newTarget), CreateTestProbe());

        // The old launch holds the reservations: no relaunch beside it...
        pod.Tell(GetTasksToReconcile.Instance);
        ExpectMsg<TasksToReconcile>();
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement);

        // ...it reports, and is killed on the old config; only once it ended is the relaunch asked for.
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        Assert.Equal(task.TaskId.Value, gateway.FishForMessage<KillTask>(_ => true).TaskId);
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilled, withUuid: true)), gateway);
        var relaunch = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal("config-2", relaunch.ConfigId);
        Assert.NotNull(relaunch.Existing);
    }

    [Fact]
    public void A_step_force_completed_while_recovery_drives_the_pod_leaves_the_recovery_requirement_alone()
    {
        // Deployed, then the task fails: recovery (its phase is named like the step) drives the relaunch.
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch();
        var task = evaluation.Tasks[0].Info;
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskFailed, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        var recovery = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal(ActorScheduler.Actors.Plans.RecoveryPlanActor.Priority, recovery.PlanPriority);

        // The deploy step of the same name is force-completed: it does not drive the pod, so nothing is released.
        pod.Tell(new ReleaseTasks(Step.Name));
        pod.Tell(GetTasksToReconcile.Instance);
        ExpectMsg<TasksToReconcile>();
        Assert.DoesNotContain(DrainQueued(router), m => m is WithdrawRequirement);

        // Recovery still drives it: a claim on its registration is recorded.
        var offer = TestOffers.WithReserved(recovery.Existing!.AgentId, recovery.Existing.Resources);
        pod.Tell(new LaunchClaim(offer, OfferEvaluator.Evaluate(recovery, offer, TestOffers.Context)), router);
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
    }

    [Fact]
    public void PodInstance_should_kill_a_live_task_holding_the_resource_set_its_step_needs()
    {
        var pod = TestOffers.SharedSetPod(TestOffers.Port("http", envKey: "PORT_HTTP"));
        var target = new TargetConfig("config-1", new ServiceSpec("svc", null, [pod], []));
        StepSpec initStep = new("db-0:[init]", 0, ["init"]), serverStep = new("db-0:[server]", 0, ["server"]);
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var actor = Sys.ActorOf(PodInstanceActor.Props("svc", "db", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();

        // init runs to completion, then the server runs on the same resource set.
        actor.Tell(new RequireTasks(initStep, target), step);
        var init = Launch(actor, router, router.ExpectMsg<RegisterRequirement>().Requirement);
        actor.Tell(new TaskStatusUpdate(Status(init, TaskState.TaskFinished, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        actor.Tell(new RequireTasks(serverStep, target), step);
        var serverRequirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        Assert.NotNull(serverRequirement.Existing);
        var server = Launch(actor, router, serverRequirement);
        actor.Tell(new TaskStatusUpdate(Status(server, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();

        // A new config re-runs init: the server holds the set, so it is killed first, then init asks for the set.
        var changed = pod with { Tasks = [pod.Tasks[0] with { Command = "echo again >> data/log" }, pod.Tasks[1]] };
        var next = new TargetConfig("config-2", target.Spec with { Pods = [changed] });
        actor.Tell(new RequireTasks(initStep, next), step);
        Assert.Equal(server.TaskId.Value, gateway.ExpectMsg<KillTask>().TaskId);
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        actor.Tell(new TaskStatusUpdate(Status(server, TaskState.TaskKilled, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        var again = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal(["init"], again.TasksToLaunch.ToArray());
        Assert.Equal(serverRequirement.Existing!.ResourceIds.Order(), again.Existing!.ResourceIds.Order());
    }

    /// <summary>
    /// hello-0 runs server and sidecar (two steps, two resource sets) in one executor, on config-1; config-2 sets an
    /// rlimit of the pod (its executor's container), which that executor cannot take.
    /// </summary>
    private (IActorRef Actor, Akka.TestKit.TestProbe Router, Akka.TestKit.TestProbe Gateway, Akka.TestKit.TestProbe Step, TaskInfo Server, TaskInfo Sidecar, StepSpec ServerStep, TargetConfig Next) ServerAndSidecarRunningOneExecutor()
    {
        var server = Pod.Tasks[0];
        var pod = Pod with { Tasks = [server, server with { Name = "sidecar", Volumes = [] }] };
        var target = new TargetConfig("config-1", new ServiceSpec("hello-world", null, [pod], []));
        StepSpec serverStep = new("hello-0:[server]", 0, ["server"]), sidecarStep = new("hello-0:[sidecar]", 0, ["sidecar"]);
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var actor = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        actor.Tell(new RequireTasks(serverStep, target), step);
        var serverTask = Launch(actor, router, router.ExpectMsg<RegisterRequirement>().Requirement);
        actor.Tell(new TaskStatusUpdate(Status(serverTask, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        actor.Tell(new RequireTasks(sidecarStep, target), step);
        var sidecarRequirement = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.NotNull(sidecarRequirement.RunningExecutor);
        var sidecarTask = Launch(actor, router, sidecarRequirement);
        actor.Tell(new TaskStatusUpdate(Status(sidecarTask, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        DrainQueued(step);
        DrainQueued(router);
        var next = new TargetConfig("config-2", target.Spec with { Pods = [pod with { Rlimits = [new RlimitSpec("RLIMIT_NOFILE", 1024, 1024)] }] });
        return (actor, router, gateway, step, serverTask, sidecarTask, serverStep, next);
    }

    [Fact]
    public void A_step_bringing_the_pod_new_executor_settings_relaunches_the_whole_pod_in_a_new_executor()
    {
        var (actor, router, gateway, step, serverTask, sidecarTask, serverStep, next) = ServerAndSidecarRunningOneExecutor();

        // The server's step cannot launch into the running executor, so the sidecar is killed with the server, and the step
        // is told why.
        actor.Tell(new RequireTasks(serverStep, next), step);
        var killed = new[] { gateway.ExpectMsg<KillTask>().TaskId, gateway.ExpectMsg<KillTask>().TaskId };
        Assert.Equal(new[] { serverTask.TaskId.Value, sidecarTask.TaskId.Value }.Order(), killed.Order());
        step.FishForMessage<TaskProgressReport>(r => r.Message.Contains("relaunching the whole pod in a new executor: its executor settings changed (rlimits)", StringComparison.Ordinal)
            && r.Message.Contains("sidecar relaunched with it", StringComparison.Ordinal));
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement);

        // Once both ended, the server and the sidecar launch together in a new executor, built from config-2.
        actor.Tell(new TaskStatusUpdate(Status(serverTask, TaskState.TaskKilled, withUuid: true)), gateway);
        actor.Tell(new TaskStatusUpdate(Status(sidecarTask, TaskState.TaskKilled, withUuid: true)), gateway);
        var relaunch = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal("config-2", relaunch.ConfigId);
        Assert.Equal(["server", "sidecar"], relaunch.TasksToLaunch.ToArray());
        Assert.Null(relaunch.RunningExecutor);
        var offer = TestOffers.WithReserved(relaunch.Existing!.AgentId, relaunch.Existing.Resources);
        var evaluation = OfferEvaluator.Evaluate(relaunch, offer, TestOffers.Context);
        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.Equal(1024UL, evaluation.Executor!.Container.RlimitInfo.Rlimits[0].Soft);

        // Both run on config-2: the step is done, and nothing is left for recovery to take back to config-1.
        actor.Tell(new LaunchClaim(offer, evaluation, Seq: RecordedClaimSeq), router);
        ExpectLaunchRecorded(router, actor, offer.Id.Value);
        foreach (var launched in evaluation.Tasks)
        {
            actor.Tell(new TaskStatusUpdate(Status(launched.Info, TaskState.TaskRunning, withUuid: true)), gateway);
        }

        step.FishForMessage<TaskProgressReport>(r => StatusOf(r) == PlanStatus.Complete);
        actor.Tell(GetTasksToReconcile.Instance);
        ExpectMsg<TasksToReconcile>();
        Assert.DoesNotContain(DrainQueued(router), m => m is RegisterRequirement);
        Assert.DoesNotContain(DrainQueued(gateway), m => m is KillTask);
    }

    [Fact]
    public void A_relaunch_in_a_new_executor_is_journaled_before_any_kill_goes_out()
    {
        var (actor, _, gateway, step, serverTask, sidecarTask, serverStep, next) = ServerAndSidecarRunningOneExecutor();

        // The journal is slow to commit: the step hears why the whole pod relaunches, but no kill goes out while which
        // tasks launch together is not durable (a crash then would leave the sidecar to recovery, on config-1).
        GatedJournal.Gate(Sys).Close();
        actor.Tell(new RequireTasks(serverStep, next), step);
        step.FishForMessage<TaskProgressReport>(r => r.Message.Contains("sidecar relaunched with it", StringComparison.Ordinal));
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // Committed: both are killed.
        GatedJournal.Gate(Sys).Open();
        var killed = new[] { gateway.ExpectMsg<KillTask>().TaskId, gateway.ExpectMsg<KillTask>().TaskId };
        Assert.Equal(new[] { serverTask.TaskId.Value, sidecarTask.TaskId.Value }.Order(), killed.Order());
    }

    [Fact]
    public void A_pod_restarted_after_journaling_a_relaunch_in_a_new_executor_but_before_its_kills_still_relaunches_its_tasks_together()
    {
        var (actor, router, gateway, step, serverTask, sidecarTask, serverStep, next) = ServerAndSidecarRunningOneExecutor();

        // The plan's write is in flight when the pod stops (its parent restarted): no kill went out.
        GatedJournal.Gate(Sys).Close();
        actor.Tell(new RequireTasks(serverStep, next), step);
        step.FishForMessage<TaskProgressReport>(r => r.Message.Contains("sidecar relaunched with it", StringComparison.Ordinal));
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        GatedJournal.Gate(Sys).Open();
        Assert.DoesNotContain(DrainQueued(gateway), m => m is KillTask);

        // The restarted pod replays the plan (its replay waits for the write in flight); the step requires again: both
        // are killed, and once both ended they launch together in a new executor, on config-2.
        var restarted = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.FishForMessage<FootprintOwned>(_ => true);
        restarted.Tell(new RequireTasks(serverStep, next), step);
        var killed = new[] { gateway.ExpectMsg<KillTask>().TaskId, gateway.ExpectMsg<KillTask>().TaskId };
        Assert.Equal(new[] { serverTask.TaskId.Value, sidecarTask.TaskId.Value }.Order(), killed.Order());
        restarted.Tell(new TaskStatusUpdate(Status(serverTask, TaskState.TaskKilled, withUuid: true)), gateway);
        restarted.Tell(new TaskStatusUpdate(Status(sidecarTask, TaskState.TaskKilled, withUuid: true)), gateway);
        var relaunch = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal("config-2", relaunch.ConfigId);
        Assert.Equal(["server", "sidecar"], relaunch.TasksToLaunch.ToArray());
        Assert.Null(relaunch.RunningExecutor);
    }

    [Fact]
    public void A_step_leaving_the_executor_settings_as_they_are_relaunches_its_task_into_the_running_executor()
    {
        var server = Pod.Tasks[0];
        var pod = Pod with { Tasks = [server, server with { Name = "sidecar", Volumes = [] }] };
        var target = new TargetConfig("config-1", new ServiceSpec("hello-world", null, [pod], []));
        StepSpec serverStep = new("hello-0:[server]", 0, ["server"]), sidecarStep = new("hello-0:[sidecar]", 0, ["sidecar"]);
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var actor = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        actor.Tell(new RequireTasks(serverStep, target), step);
        var serverTask = Launch(actor, router, router.ExpectMsg<RegisterRequirement>().Requirement);
        actor.Tell(new TaskStatusUpdate(Status(serverTask, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        actor.Tell(new RequireTasks(sidecarStep, target), step);
        var sidecarRequirement = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        var sidecarTask = Launch(actor, router, sidecarRequirement);
        actor.Tell(new TaskStatusUpdate(Status(sidecarTask, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        DrainQueued(router);

        // config-2 changes only the server's command: the sidecar keeps running, and the server joins its executor.
        var next = new TargetConfig("config-2", target.Spec with { Pods = [pod with { Tasks = [server with { Command = "sleep 2000" }, pod.Tasks[1]] }] });
        actor.Tell(new RequireTasks(serverStep, next), step);
        Assert.Equal(serverTask.TaskId.Value, gateway.ExpectMsg<KillTask>().TaskId);
        actor.Tell(new TaskStatusUpdate(Status(serverTask, TaskState.TaskKilled, withUuid: true)), gateway);
        var relaunch = router.FishForMessage<RegisterRequirement>(_ => true).Requirement;
        Assert.Equal(sidecarRequirement.RunningExecutor!.ExecutorId, relaunch.RunningExecutor!.ExecutorId);
        Assert.DoesNotContain(DrainQueued(gateway), m => m is KillTask);
    }

    [Fact]
    public void PodInstance_should_announce_its_whole_resource_set_ports_included_after_a_restart()
    {
        var pod = TestOffers.SharedSetPod(TestOffers.Port("http", envKey: "PORT_HTTP"));
        var target = new TargetConfig("config-1", new ServiceSpec("svc", null, [pod], []));
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var actor = Sys.ActorOf(PodInstanceActor.Props("svc", "db", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        actor.Tell(new RequireTasks(new StepSpec("db-0:[init]", 0, ["init"]), target), step);
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;
        var offer = TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        actor.Tell(new LaunchClaim(offer, evaluation), router);
        ExpectLaunchRecorded(router, actor, offer.Id.Value);

        Watch(actor);
        actor.Tell(PoisonPill.Instance);
        ExpectTerminated(actor);
        Sys.ActorOf(PodInstanceActor.Props("svc", "db", 0, Journal, router, gateway));

        var owned = router.ExpectMsg<FootprintOwned>();
        var port = evaluation.Footprint.Single(r => r.Name == "ports");
        Assert.Contains(Resources.ResourceId(port), owned.ResourceIds);
        Assert.True(owned.ResourceIds.ToHashSet().SetEquals(evaluation.Footprint.Select(Resources.ResourceId).OfType<string>()));
    }

    private TaskInfo Launch(IActorRef pod, Akka.TestKit.TestProbe router, PodRequirement requirement)
    {
        var offer = requirement.Existing is { } footprint ? TestOffers.WithReserved(footprint.AgentId, footprint.Resources) : TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        pod.Tell(new LaunchClaim(offer, evaluation), router);
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        return evaluation.Tasks[0].Info;
    }

    [Fact]
    public void PodInstance_should_relaunch_a_first_failure_at_once_and_back_off_a_crash_loop()
    {
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        // A base delay far above the test's own pauses on a loaded machine (the timer runs on the real clock).
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway, backoffBase: TimeSpan.FromSeconds(4)));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target), step);
        var requirement = router.ExpectMsg<RegisterRequirement>().Requirement;

        // Launched, RUNNING, then it dies right away: the first failure asks for a relaunch at once.
        ClaimRunAndFail(pod, router, gateway, requirement);
        requirement = router.ExpectMsg<RegisterRequirement>(TimeSpan.FromSeconds(2)).Requirement;
        Assert.NotNull(requirement.Existing);

        // It dies right away again: a crash loop. The relaunch waits the base delay.
        var failed = DateTime.UtcNow;
        ClaimRunAndFail(pod, router, gateway, requirement);
        router.ExpectMsg<RegisterRequirement>(TimeSpan.FromSeconds(15));
        Assert.True(DateTime.UtcNow - failed >= TimeSpan.FromSeconds(3.9), $"relaunched after {(DateTime.UtcNow - failed).TotalSeconds:F1} s, before the 4 s delay");
    }

    [Fact]
    public void PodInstance_should_tell_the_recovery_plan_nothing_through_a_deploy_and_its_phase_once_a_task_fails()
    {
        var (router, gateway, step, plan) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new WatchRecovery(plan, Interrupted: false));
        pod.Tell(new RequireTasks(Step, Target), step);
        var task = Launch(pod, router, router.ExpectMsg<RegisterRequirement>().Requirement);
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskStarting, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();

        // Every change of the pod's state so far was handled before this answer (one actor, in order): none told the plan
        // of a phase, so it was told nothing — not "no phase" at each change.
        pod.Tell(new GetTaskProgress(Step, Target), step);
        step.FishForMessage<TaskProgressReport>(r => StatusOf(r) == PlanStatus.Complete);
        Assert.Empty(DrainQueued(plan));

        // A failure starts a recovery phase: the plan hears of it.
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskFailed, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        Assert.NotNull(plan.ExpectMsg<RecoveryPhaseReport>().Phase);
    }

    private void ClaimRunAndFail(IActorRef pod, Akka.TestKit.TestProbe router, Akka.TestKit.TestProbe gateway, PodRequirement requirement)
    {
        var offer = requirement.Existing is { } footprint ? TestOffers.WithReserved(footprint.AgentId, footprint.Resources) : TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        pod.Tell(new LaunchClaim(offer, evaluation), router);
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        var task = evaluation.Tasks[0].Info;
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskFailed, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
    }

    [Fact]
    public void PodInstance_should_hold_a_task_with_a_readiness_check_at_STARTED_until_the_check_exits_0()
    {
        var checkedPod = Pod with
        {
            Tasks = [Pod.Tasks[0] with { ReadinessCheck = new ReadinessCheckSpec("test -f ready", IntervalSeconds: 2, DelaySeconds: 0, TimeoutSeconds: 5) }],
        };
        var target = new TargetConfig("config-1", Target.Spec with { Pods = [checkedPod] });
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, target), step);
        step.ExpectMsg<TaskProgressReport>();
        var task = Launch(pod, router, router.ExpectMsg<RegisterRequirement>().Requirement);
        step.FishForMessage<TaskProgressReport>(r => StatusOf(r) == PlanStatus.Starting);

        // The launched task carries the readiness check as a Mesos COMMAND check with the task's environment.
        Assert.Equal(CheckInfo.Types.Type.Command, task.Check.Type);
        Assert.Equal("test -f ready", task.Check.Command.Command_.Value);
        Assert.Equal(2, task.Check.IntervalSeconds);
        Assert.Equal(task.Command.Environment, task.Check.Command.Command_.Environment);

        var running = Status(task, TaskState.TaskRunning, withUuid: true);
        running.CheckStatus = new CheckStatusInfo { Type = CheckInfo.Types.Type.Command, Command = new CheckStatusInfo.Types.Command() };
        pod.Tell(new TaskStatusUpdate(running), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        Assert.Equal(PlanStatus.Started, StatusOf(step.ExpectMsg<TaskProgressReport>()));

        var failing = running.Clone();
        failing.Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray());
        failing.Reason = TaskStatus.Types.Reason.TaskCheckStatusUpdated;
        failing.CheckStatus.Command.ExitCode = 1;
        pod.Tell(new TaskStatusUpdate(failing), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        Assert.Equal(PlanStatus.Started, StatusOf(step.ExpectMsg<TaskProgressReport>()));

        var passing = failing.Clone();
        passing.Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray());
        passing.CheckStatus.Command.ExitCode = 0;
        pod.Tell(new TaskStatusUpdate(passing), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        Assert.Equal(PlanStatus.Complete, StatusOf(step.ExpectMsg<TaskProgressReport>()));

        pod.Tell(GetPodInstanceStatus.Instance);
        var view = Assert.Single(ExpectMsg<ActorScheduler.Messages.Pods.PodInstanceStatus>().Tasks);
        Assert.Equal("READY", view.Readiness);
        Assert.Null(view.Health);
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void PodInstance_should_relaunch_a_task_mesos_killed_for_its_health_check_in_place_without_killing_it_itself()
    {
        var checkedPod = Pod with { Tasks = [Pod.Tasks[0] with { HealthCheck = new HealthCheckSpec("test -f healthy", MaxConsecutiveFailures: 2) }] };
        var target = new TargetConfig("config-1", Target.Spec with { Pods = [checkedPod] });
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, target), step);
        var first = router.ExpectMsg<RegisterRequirement>().Requirement;
        var task = Launch(pod, router, first);
        Assert.Equal(HealthCheck.Types.Type.Command, task.HealthCheck.Type);
        Assert.Equal(2u, task.HealthCheck.ConsecutiveFailures);
        Assert.Equal("test -f healthy", task.HealthCheck.Command.Value);

        var healthy = Status(task, TaskState.TaskRunning, withUuid: true);
        healthy.Healthy = true;
        healthy.Reason = TaskStatus.Types.Reason.TaskHealthCheckStatusUpdated;
        pod.Tell(new TaskStatusUpdate(healthy), gateway);
        gateway.ExpectMsg<StatusRecorded>();

        // Mesos kills it after consecutive failures: TASK_KILLING, then TASK_KILLED with healthy=false.
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskKilling, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        pod.Tell(GetPodInstanceStatus.Instance);
        var view = Assert.Single(ExpectMsg<ActorScheduler.Messages.Pods.PodInstanceStatus>().Tasks);
        Assert.Equal(("TASK_KILLING", "HEALTHY"), (view.Status, view.Health));

        var killed = Status(task, TaskState.TaskKilled, withUuid: true);
        killed.Healthy = false;
        pod.Tell(new TaskStatusUpdate(killed), gateway);
        gateway.ExpectMsg<StatusRecorded>();

        // Recovery: a relaunch in place, on exactly the reservations it had, and no kill of ours on the way.
        var relaunch = router.ExpectMsg<RegisterRequirement>().Requirement;
        Assert.NotNull(relaunch.Existing);
        var footprint = relaunch.Existing!;
        var relaunched = Launch(pod, router, relaunch);
        Assert.NotEqual(task.TaskId, relaunched.TaskId);
        Assert.Equal(task.Resources.Select(Resources.ResourceId).Order(), relaunched.Resources.Select(Resources.ResourceId).Order());
        Assert.Equal(task.AgentId, relaunched.AgentId);
        Assert.NotEmpty(footprint.ResourceIds);
        gateway.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void PodInstance_should_report_updates_for_task_ids_it_never_launched_as_unknown()
    {
        var (router, gateway) = (CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway));
        var stray = new TaskStatus { TaskId = new TaskID { Value = "hello-0-server__stray" }, State = TaskState.TaskRunning };

        pod.Tell(new TaskStatusUpdate(stray), gateway);

        gateway.ExpectMsg<UnknownTaskStatus>(m => m.Status.TaskId.Value == "hello-0-server__stray");
    }

    /// <summary>The journal, not the pod, tells the router that the launch record is durable.</summary>
    private void ExpectLaunchRecorded(Akka.TestKit.TestProbe router, IActorRef pod, string offerId)
    {
        var durable = router.ExpectMsg<EntityJournalProtocol.Durable>();
        Assert.Equal(new LaunchRecorded(offerId, pod), Assert.Single(durable.Notices));
        Assert.Equal(Journal, router.LastSender);
    }

    private static PlanStatus StatusOf(TaskProgressReport report) =>
        ActorScheduler.Actors.Plans.StepStatusCalculator.Compute(report.Tasks, report.Prepared);

    private static TaskStatus Status(TaskInfo task, TaskState state, bool withUuid)
    {
        var status = new TaskStatus
        {
            TaskId = task.TaskId,
            AgentId = task.AgentId,
            State = state,
            Source = TaskStatus.Types.Source.Executor,
        };
        if (withUuid)
        {
            status.Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray());
        }

        return status;
    }

    /// <summary>hello-0 asked for its step (Step, Target) and registered its requirement with the router.</summary>
    private (IActorRef Pod, Akka.TestKit.TestProbe Router, Akka.TestKit.TestProbe Gateway, PodRequirement Requirement) HelloPodRegistered(TimeSpan? killRetryInterval = null)
    {
        var (router, gateway, step) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var pod = Sys.ActorOf(PodInstanceActor.Props("hello-world", "hello", 0, Journal, router, gateway, killRetryInterval));
        router.ExpectMsg<FootprintOwned>();
        pod.Tell(new RequireTasks(Step, Target), step);
        return (pod, router, gateway, router.ExpectMsg<RegisterRequirement>().Requirement);
    }

    // The router's number for the claim PodWithRecordedLaunch records.
    private const long RecordedClaimSeq = 3;

    /// <summary>hello-0 asked for its step, claimed an offer and recorded the launch.</summary>
    /// <summary>A launch recorded and RUNNING, then its agent partitioned: the master says TASK_UNREACHABLE.</summary>
    private (IActorRef Pod, Akka.TestKit.TestProbe Router, Akka.TestKit.TestProbe Gateway, OfferEvaluation Evaluation) PodWithUnreachableTask(TimeSpan? killRetryInterval = null)
    {
        var (pod, router, gateway, evaluation) = PodWithRecordedLaunch(killRetryInterval);
        var task = evaluation.Tasks[0].Info;
        pod.Tell(new TaskStatusUpdate(Status(task, TaskState.TaskRunning, withUuid: true)), gateway);
        gateway.ExpectMsg<StatusRecorded>();
        TellMasterStatus(pod, gateway, task, TaskState.TaskUnreachable, TaskStatus.Types.Reason.AgentRemoved);
        return (pod, router, gateway, evaluation);
    }

    private (IActorRef Pod, Akka.TestKit.TestProbe Router, Akka.TestKit.TestProbe Gateway, OfferEvaluation Evaluation) PodWithRecordedLaunch(TimeSpan? killRetryInterval = null, Offer? offer = null)
    {
        var (pod, router, gateway, requirement) = HelloPodRegistered(killRetryInterval);
        offer ??= TestOffers.Unreserved();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        pod.Tell(new LaunchClaim(offer, evaluation, Seq: RecordedClaimSeq), router);
        ExpectLaunchRecorded(router, pod, offer.Id.Value);
        return (pod, router, gateway, evaluation);
    }
}
