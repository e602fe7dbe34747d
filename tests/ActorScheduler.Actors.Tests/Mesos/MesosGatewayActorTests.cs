using System.Collections.Immutable;
using ActorScheduler.Actors.Framework;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Messages.State;
using ActorScheduler.Mesos.Emulator;
using Akka.Actor;
using Akka.TestKit;

namespace ActorScheduler.Actors.Tests.Mesos;

/// <summary>The gateway against a real (emulated) master over HTTP.</summary>
public sealed class MesosGatewayActorTests : ActorTestKit, IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"actorscheduler-gateway-{Guid.NewGuid():N}");
    private MesosEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        _emulator = await MesosEmulator.StartAsync(new MesosEmulatorOptions
        {
            DataDir = _dir,
            Port = 0,
            Agents = 1,
            AllocationInterval = TimeSpan.FromMilliseconds(200),
            KillTasksOnStop = true,
        });
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void The_default_implicit_reconciliation_period_is_the_DC_OS_SDKs_hour()
    {
        Assert.Equal(TimeSpan.FromHours(1), Settings(_emulator.Url).ImplicitReconcileInterval);
    }

    [Fact]
    public void Gateway_should_reconcile_implicitly_every_interval_while_subscribed()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var settings = Settings(_emulator.Url) with { ImplicitReconcileInterval = TimeSpan.FromMilliseconds(300) };
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-test"));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(settings, framework));

        gateway.Tell(new GatewayPeers(router, pods));

        // Explicit reconciliation of nothing completes at once; then empty RECONCILE calls follow, one per interval.
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        AwaitAssert(() => Assert.True(_emulator.History().CallCount("RECONCILE") >= 3), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task The_masters_region_reaches_the_router_with_reconciliation_and_none_without_fault_domains()
    {
        var dir = _dir + "-zoned";
        var zoned = await MesosEmulator.StartAsync(new MesosEmulatorOptions
        {
            DataDir = dir, Port = 0, Agents = 1, Zones = 2, Region = "us-east", KillTasksOnStop = true,
        });
        try
        {
            Assert.Equal("us-east", Reconciled(zoned.Url).LocalRegion);
            Assert.Null(Reconciled(_emulator.Url).LocalRegion);
        }
        finally
        {
            await zoned.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }

        ReconciliationComplete Reconciled(Uri master)
        {
            var (router, pods) = (CreateTestProbe(), CreateTestProbe());
            var framework = Sys.ActorOf(FrameworkActor.Props("gateway-test-" + Guid.NewGuid().ToString("N")));
            Sys.ActorOf(MesosGatewayActor.Props(Settings(master), framework)).Tell(new GatewayPeers(router, pods));
            pods.ExpectMsg<GetTasksToReconcile>();
            pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
            return (ReconciliationComplete)router.FishForMessage(m => m is ReconciliationComplete);
        }
    }

    [Fact]
    public void A_list_of_tasks_to_reconcile_that_does_not_come_is_asked_for_again()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-test"));
        var settings = Settings(_emulator.Url) with { TasksToReconcileTimeout = TimeSpan.FromMilliseconds(300) };
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(settings, framework));
        gateway.Tell(new GatewayPeers(router, pods));

        // The first ask goes unanswered (a pod too slow for the guardian's gather): the gateway asks again.
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));

        router.FishForMessage(m => m is ReconciliationComplete);
    }

    [Fact]
    public void A_revive_asked_while_one_is_in_flight_is_counted_as_throttled_and_sent_after_it()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var metrics = new SchedulerMetrics();
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-test"));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(Settings(_emulator.Url), framework, metrics));
        gateway.Tell(new GatewayPeers(router, pods));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        var before = _emulator.History().CallCount("REVIVE");

        // The second comes before the first call's answer can: it waits for it, then goes out.
        gateway.Tell(ReviveOffers.Instance);
        gateway.Tell(ReviveOffers.Instance);

        AwaitAssert(() => Assert.Equal(before + 2, _emulator.History().CallCount("REVIVE")), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, metrics.Counters()[SchedulerMetrics.RevivesThrottled]);
    }

    [Fact]
    public void Revives_beyond_the_budget_wait_for_the_next_token_and_go_out_as_one()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var metrics = new SchedulerMetrics();
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-test"));
        var settings = Settings(_emulator.Url) with { ReviveBurst = 1, ReviveRefill = TimeSpan.FromSeconds(2) };
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(settings, framework, metrics));
        gateway.Tell(new GatewayPeers(router, pods));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        var before = _emulator.History().CallCount("REVIVE");

        // The first spends the only token; the next ones wait for the refill, folded into one REVIVE.
        var first = System.Diagnostics.Stopwatch.StartNew();
        gateway.Tell(ReviveOffers.Instance);
        AwaitAssert(() => Assert.Equal(before + 1, _emulator.History().CallCount("REVIVE")), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(20));
        gateway.Tell(ReviveOffers.Instance);
        gateway.Tell(ReviveOffers.Instance);
        gateway.Tell(ReviveOffers.Instance);

        AwaitAssert(() => Assert.Equal(before + 2, _emulator.History().CallCount("REVIVE")), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));
        Assert.True(first.Elapsed >= TimeSpan.FromSeconds(1.9), $"the second REVIVE went out {first.Elapsed.TotalMilliseconds:F0} ms after the first was asked for, before the token came back");
        Assert.Equal(3, metrics.Counters()[SchedulerMetrics.RevivesThrottled]);
    }

    [Fact]
    public void Gateway_should_reconcile_every_known_task_again_when_an_operator_asks()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-refresh-test"));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(Settings(_emulator.Url), framework));
        gateway.Tell(new GatewayPeers(router, pods));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        var before = _emulator.History().CallCount("RECONCILE");

        // PUT /v1/state/refresh: the pods are asked for their tasks again and a RECONCILE naming them goes out; a second
        // request while the first one runs starts nothing new.
        gateway.Tell(StateProtocol.ReconcileTasks.Instance);
        Assert.Equal("reconciling every known task", ExpectMsg<StateProtocol.ReconcileRequested>().Detail);
        pods.ExpectMsg<GetTasksToReconcile>();
        gateway.Tell(StateProtocol.ReconcileTasks.Instance);
        Assert.Equal("a reconciliation is already running", ExpectMsg<StateProtocol.ReconcileRequested>().Detail);
        pods.Reply(new TasksToReconcile([new TaskToReconcile("hello-0-server__1", "agent-1")]));
        AwaitAssert(() => Assert.Equal(before + 1, _emulator.History().CallCount("RECONCILE")), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
        var answer = pods.ExpectMsg<TaskStatusUpdate>();
        Assert.Equal(("hello-0-server__1", "Reconciliation: Task is unknown"), (answer.Status.TaskId.Value, answer.Status.Message));
    }

    [Fact]
    public void A_probe_of_tasks_goes_out_as_one_explicit_reconcile_and_is_dropped_while_not_subscribed()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-probe-test"));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(Settings(_emulator.Url), framework));
        var before = _emulator.History().CallCount("RECONCILE");
        // Before the subscription: nothing is sent (the pod asks again on its next probe).
        gateway.Tell(new ProbeTasks([new TaskToReconcile("world-1-server__0", "agent-9")]));
        gateway.Tell(new GatewayPeers(router, pods));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        Assert.Equal(before, _emulator.History().CallCount("RECONCILE"));

        gateway.Tell(new ProbeTasks([new TaskToReconcile("world-1-server__1", "agent-9")]));
        var answer = pods.ExpectMsg<TaskStatusUpdate>(TimeSpan.FromSeconds(15));
        Assert.Equal(("world-1-server__1", "agent-9"), (answer.Status.TaskId.Value, answer.Status.AgentId.Value));
        Assert.Equal(before + 1, _emulator.History().CallCount("RECONCILE"));
    }

    [Fact]
    public void A_kill_asked_before_the_gateway_is_wired_goes_out_once_subscribed()
    {
        var (router, pods, framework) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(Settings(_emulator.Url), framework));
        var before = _emulator.History().CallCount("KILL");

        // A restarted scheduler's pod carrying on a decommission may kill before the root wires the gateway.
        gateway.Tell(new KillTask("world-1-server__0", null));
        gateway.Tell(new GatewayPeers(router, pods));
        framework.ExpectMsg<GetFrameworkId>();
        framework.Reply(new FrameworkIdentity(null));

        // Subscribed, the kill goes out at once: the reconciliation, which waits until the framework id is durable (held
        // back here, as a slow journal would), does not come first. The master answers the kill of a task it does not
        // know as it would a reconciliation, so that answer reaches the pods, and the master counted the KILL before.
        var answer = pods.ExpectMsg<TaskStatusUpdate>();
        Assert.Equal("world-1-server__0", answer.Status.TaskId.Value);
        Assert.Equal(before + 1, _emulator.History().CallCount("KILL"));
    }

    [Fact]
    public void An_unknown_task_is_killed_while_it_lives_and_its_end_tells_the_router()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-unknown-test"));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(Settings(_emulator.Url), framework));
        gateway.Tell(new GatewayPeers(router, pods));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        var before = _emulator.History().CallCount("KILL");

        gateway.Tell(new UnknownTaskStatus(Status("stray__1", Messages.MesosV1.TaskState.TaskRunning)));
        AwaitAssert(() => Assert.Equal(before + 1, _emulator.History().CallCount("KILL")), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));

        // Its end: what it held is nobody's.
        gateway.Tell(new UnknownTaskStatus(Status("stray__1", Messages.MesosV1.TaskState.TaskKilled)));
        var ended = router.FishForMessage<UnownedTaskEnded>(_ => true);
        Assert.Equal(new UnownedTaskEnded("stray__1", "agent-7"), ended);

        static Messages.MesosV1.TaskStatus Status(string taskId, Messages.MesosV1.TaskState state) => new()
        {
            TaskId = new Messages.MesosV1.TaskID { Value = taskId },
            AgentId = new Messages.MesosV1.AgentID { Value = "agent-7" },
            State = state,
        };
    }

    [Fact]
    public void The_spec_decides_the_roles_and_GPU_capability_and_a_new_target_updates_them_on_the_subscribed_framework()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-test"));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(Settings(_emulator.Url), framework));

        gateway.Tell(new GatewayPeers(router, pods, new FrameworkRoles(["gateway-test-role"], Gpus: false)));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        var subscribed = _emulator.Snapshot().Frameworks.Single();
        Assert.Equal(["gateway-test-role"], subscribed.Roles);
        Assert.DoesNotContain("GpuResources", subscribed.Capabilities);

        gateway.Tell(new FrameworkRolesChanged(new FrameworkRoles(["gateway-test-role", "slave_public/gateway-test-role"], Gpus: true)));
        AwaitAssert(() =>
        {
            var updated = _emulator.Snapshot().Frameworks.Single();
            Assert.Equal(["gateway-test-role", "slave_public/gateway-test-role"], updated.Roles);
            Assert.Contains("GpuResources", updated.Capabilities);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, _emulator.History().CallCount("UPDATE_FRAMEWORK"));

        // The same needs again send nothing; the next change is the second update. A role no longer needed is kept while
        // the scheduler runs (reservations made for it are still to be collected).
        gateway.Tell(new FrameworkRolesChanged(new FrameworkRoles(["gateway-test-role", "slave_public/gateway-test-role"], Gpus: true)));
        gateway.Tell(new FrameworkRolesChanged(new FrameworkRoles(["gateway-test-role"], Gpus: false)));
        AwaitAssert(() => Assert.DoesNotContain("GpuResources", _emulator.Snapshot().Frameworks.Single().Capabilities), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.Equal(["gateway-test-role", "slave_public/gateway-test-role"], _emulator.Snapshot().Frameworks.Single().Roles);
        Assert.Equal(2, _emulator.History().CallCount("UPDATE_FRAMEWORK"));
    }

    [Fact]
    public void An_update_of_the_roles_keeps_a_suppressed_framework_suppressed()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-test"));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(Settings(_emulator.Url), framework));
        gateway.Tell(new GatewayPeers(router, pods, new FrameworkRoles(["gateway-test-role"], Gpus: false)));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);

        // Idle: the router suppressed offers.
        gateway.Tell(SuppressOffers.Instance);
        AwaitAssert(() => Assert.Equal(["gateway-test-role"], _emulator.Snapshot().Frameworks.Single().SuppressedRoles),
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

        // A new target adds a role: the master keeps the role it had suppressed so (a call without suppressed_roles
        // would have revived it); the new one is offered.
        gateway.Tell(new FrameworkRolesChanged(new FrameworkRoles(["gateway-test-role", "slave_public/gateway-test-role"], Gpus: false)));
        AwaitAssert(() => Assert.Equal(["gateway-test-role", "slave_public/gateway-test-role"], _emulator.Snapshot().Frameworks.Single().Roles),
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.Equal(["gateway-test-role"], _emulator.Snapshot().Frameworks.Single().SuppressedRoles);

        // A REVIVE wakes every role; the next update names none.
        gateway.Tell(ReviveOffers.Instance);
        AwaitAssert(() => Assert.Empty(_emulator.Snapshot().Frameworks.Single().SuppressedRoles), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        gateway.Tell(new FrameworkRolesChanged(new FrameworkRoles(["gateway-test-role"], Gpus: true)));
        AwaitAssert(() => Assert.Contains("GpuResources", _emulator.Snapshot().Frameworks.Single().Capabilities), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.Empty(_emulator.Snapshot().Frameworks.Single().SuppressedRoles);
    }

    [Fact]
    public void Roles_the_framework_held_come_back_from_its_journal_until_no_removed_pod_type_needs_them()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-roles"));
        framework.Tell(new RecordFrameworkRoles(["gateway-test-role", "slave_public/gateway-test-role"]));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(Settings(_emulator.Url), framework));

        // The spec names only the service role; the journal keeps the refined one (a removed pod type's reservations).
        gateway.Tell(new GatewayPeers(router, pods, new FrameworkRoles(["gateway-test-role"], Gpus: false)));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        Assert.Equal(["gateway-test-role", "slave_public/gateway-test-role"], _emulator.Snapshot().Frameworks.Single().Roles);

        // No pod of a removed type is left: the role is dropped, at the master and in the journal.
        gateway.Tell(KeptRolesUnneeded.Instance);
        AwaitAssert(() => Assert.Equal(["gateway-test-role"], _emulator.Snapshot().Frameworks.Single().Roles), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        AwaitAssert(() => Assert.Equal(["gateway-test-role"], framework.Ask<FrameworkIdentity>(GetFrameworkId.Instance, TimeSpan.FromSeconds(3)).Result.Roles.ToArray()),
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task A_role_held_for_given_up_reservations_outlives_the_removed_pod_types_and_the_gateway_says_why()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-holds"));
        framework.Tell(new RecordFrameworkRoles(["gateway-test-role", "slave_public/gateway-test-role"]));
        var since = DateTimeOffset.UtcNow;
        framework.Tell(new RecordRoleHold(new RoleHold("slave_public/gateway-test-role", "agent-9", ["r1", "r2"], true, since)));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(Settings(_emulator.Url), framework));
        gateway.Tell(new GatewayPeers(router, pods, new FrameworkRoles(["gateway-test-role"], Gpus: false)));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);

        // The service role needs no hold: it is always subscribed.
        gateway.Tell(new HoldRole("gateway-test-role", "agent-9", ["r3"], true));

        await EventFilter.Info(contains: "Keeping the role slave_public/gateway-test-role, which the spec no longer names: 2 reservation(s) given up on agent agent-9")
            .ExpectOneAsync(() =>
            {
                gateway.Tell(KeptRolesUnneeded.Instance);
                return Task.CompletedTask;
            });
        Assert.Equal(["gateway-test-role", "slave_public/gateway-test-role"], _emulator.Snapshot().Frameworks.Single().Roles);
        var held = Assert.Single((await framework.Ask<FrameworkIdentity>(GetFrameworkId.Instance, TimeSpan.FromSeconds(3))).RoleHolds);
        Assert.Equal(("slave_public/gateway-test-role", "agent-9", 2), (held.Role, held.AgentId, held.ResourceIds.Length));
    }

    private static GatewaySettings Settings(Uri master) =>
        new(master, "gateway-test", "gateway-test-role", "gateway-test-principal", Environment.UserName, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
}
