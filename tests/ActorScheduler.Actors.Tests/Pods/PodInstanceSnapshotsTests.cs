using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Actors.Tests.Offers;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;
using Attribute = ActorScheduler.Messages.MesosV1.Attribute;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using Value = ActorScheduler.Messages.MesosV1.Value;

namespace ActorScheduler.Actors.Tests.Pods;

/// <summary>A pod instance's snapshot restores exactly the state its history led to.</summary>
public sealed class PodInstanceSnapshotsTests
{
    private static readonly DateTime T0 = new(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_empty_state_round_trips()
    {
        AssertSame(PodInstanceState.Empty, PodInstanceSnapshots.Restore(PodInstanceSnapshots.Of(PodInstanceState.Empty)));
    }

    [Fact]
    public void A_state_built_by_every_kind_of_event_round_trips_through_the_snapshot_and_its_bytes()
    {
        var state = PodInstanceState.Empty;
        foreach (var @event in History())
        {
            state = state.Apply(@event);
            var snapshot = PodInstanceSnapshots.Of(state);
            var parsed = PodInstanceSnapshot.Parser.ParseFrom(snapshot.ToByteArray());

            AssertSame(state, PodInstanceSnapshots.Restore(parsed));
        }

        // The history reached every part of the state.
        Assert.NotEmpty(state.Tasks);
        Assert.NotNull(state.Footprint?.Agent);
        Assert.NotNull(state.Recovery);
        Assert.NotEmpty(state.Backoff);
        Assert.NotEmpty(state.FailedSince);
        Assert.NotEmpty(state.Paused);
        Assert.NotNull(state.ExecutorRelaunch);
        Assert.Contains(state.Tasks.Values, t => t.Healthy is false && t.Check is not null && t.Executor is not null);
    }

    [Fact]
    public void A_snapshot_from_before_clocks_were_kept_per_launch_restores_no_failure_clock()
    {
        var state = History().Aggregate(PodInstanceState.Empty, (s, e) => s.Apply(e));
        Assert.NotEmpty(state.FailedSince);
        var older = PodInstanceSnapshots.Of(state);
        older.FailureClockPerLaunch = false;

        // Its clocks may date from a failure before relaunches: they start again when the pod next considers recovery.
        var restored = PodInstanceSnapshots.Restore(PodInstanceSnapshot.Parser.ParseFrom(older.ToByteArray()));

        Assert.Empty(restored.FailedSince);
        Assert.Equal(state.Tasks.Keys.Order(), restored.Tasks.Keys.Order());
    }

    [Fact]
    public void A_decommissioned_state_round_trips()
    {
        var state = History().Aggregate(PodInstanceState.Empty, (s, e) => s.Apply(e))
            .Apply(new PodDecommissionStarted())
            .Apply(new PodFootprintReleased { AgentId = "agent-1", ResourceIds = { "r1", "r2" }, NeverConfirmed = true });

        AssertSame(state, PodInstanceSnapshots.Restore(PodInstanceSnapshots.Of(state)));
        Assert.Equal((DecommissionStage.Releasing, true), (state.Decommission, state.ReleasedNeverConfirmed));

        // Force-completed, then wanted again: the flag survives the cancel and a snapshot, until the next launch.
        var forced = state.Apply(new PodResourcesCollected { Forced = true }).Apply(new PodDecommissionCancelled());
        Assert.True(forced.DecommissionForced);
        AssertSame(forced, PodInstanceSnapshots.Restore(PodInstanceSnapshots.Of(forced)));
        Assert.False(forced.Apply(History().OfType<TaskLaunchRecorded>().Last()).DecommissionForced);
    }

    [Fact]
    public void A_forced_decommission_is_remembered_until_no_task_from_before_it_is_live()
    {
        var launch = History().OfType<TaskLaunchRecorded>().Last();
        var running = History().Take(4).Aggregate(PodInstanceState.Empty, (s, e) => s.Apply(e)); // launched, then RUNNING
        Assert.True(running.HasLiveTasks);
        var forced = running.Apply(new PodDecommissionStarted()).Apply(new PodResourcesCollected { Forced = true }).Apply(new PodDecommissionCancelled());
        var server = running.Tasks.Single();
        Assert.Equal([server.Value.TaskId], forced.ForcedTaskIds);
        AssertSame(forced, PodInstanceSnapshots.Restore(PodInstanceSnapshot.Parser.ParseFrom(PodInstanceSnapshots.Of(forced).ToByteArray())));

        // Running on reservations given up, the task is no progress of the pod wanted again (before the force it was).
        var fingerprint = server.Value.SpecFingerprint;
        Assert.True(running.Progress(server.Key, ActorScheduler.Specs.Model.GoalState.Running, fingerprint).LaunchedOnTarget);
        Assert.False(forced.Progress(server.Key, ActorScheduler.Specs.Model.GoalState.Running, fingerprint).LaunchedOnTarget);

        // A launch of another task of the pod leaves the live one from before the force to be killed.
        var other = launch.Clone();
        other.Tasks.Clear();
        other.Tasks.Add(new LaunchedTask { TaskName = "other", TaskInfo = launch.Tasks[0].TaskInfo.Clone() });
        Assert.True(forced.Apply(other).DecommissionForced);
        Assert.Equal(forced.ForcedTaskIds, forced.Apply(other).ForcedTaskIds);
        Assert.False(forced.Apply(launch).DecommissionForced);
        Assert.Empty(forced.Apply(launch).ForcedTaskIds);
        // Relaunched after the other one: the force is over, though the other (launched since the force) still runs.
        Assert.True(forced.Apply(other).HasForcedLiveTasks);
        Assert.False(forced.Apply(other).Apply(launch).DecommissionForced);
        Assert.False(forced.Apply(other).Apply(launch).HasForcedLiveTasks);

        // A snapshot written before the ids were kept: the forced pod's live tasks are the ones from before the force.
        var old = PodInstanceSnapshots.Of(forced);
        old.ForcedTaskIds.Clear();
        Assert.Equal(forced.ForcedTaskIds, PodInstanceSnapshots.Restore(old).ForcedTaskIds);

        // Decommissioned again once its tasks ended, it is no longer a forced one.
        var ended = forced with { Tasks = forced.Tasks.ToImmutableDictionary(t => t.Key, t => t.Value with { Status = new TaskStatus { State = TaskState.TaskKilled } }) };
        Assert.False(ended.Apply(new PodDecommissionStarted()).DecommissionForced);
        Assert.True(forced.Apply(new PodDecommissionStarted()).DecommissionForced);
    }

    [Fact]
    public void A_footprint_given_up_waits_to_be_settled_and_round_trips_meanwhile()
    {
        var history = History().ToList();
        var launched = history.Aggregate(PodInstanceState.Empty, (s, e) => s.Apply(e));
        var ids = launched.Footprint!.ResourceIds.ToArray();

        var replaced = launched.Apply(new PodReplaced { At = Timestamp.FromDateTime(T0.AddMinutes(5)) });

        Assert.Null(replaced.Footprint);
        Assert.Equal(ids, replaced.GivenUp["agent-1"].ToArray());
        AssertSame(replaced, PodInstanceSnapshots.Restore(PodInstanceSnapshot.Parser.ParseFrom(PodInstanceSnapshots.Of(replaced).ToByteArray())));

        // A second footprint given up on the same agent joins the first; settling forgets the ids named, and only those
        // (the router may settle the first while the second is on its way to it).
        var cpus = Resources.Reserved("cpus", 0.1, TestOffers.Context.Reservation, "server");
        var again = replaced.Apply(new TaskLaunchRecorded { AgentId = "agent-1", Hostname = "agent-1.local", Footprint = { cpus } })
            .Apply(new RecoveryStarted { Phase = "hello-0:[server]", Tasks = { "server" }, Permanent = true, At = Timestamp.FromDateTime(T0.AddMinutes(6)) });
        Assert.Equal([.. ids, Resources.ResourceId(cpus)!], again.GivenUp["agent-1"].ToArray());
        var first = again.Apply(new GivenUpFootprintSettled { AgentId = "agent-1", ResourceIds = { ids } });
        Assert.Equal([Resources.ResourceId(cpus)!], first.GivenUp["agent-1"].ToArray());
        Assert.Empty(first.Apply(new GivenUpFootprintSettled { AgentId = "agent-1", ResourceIds = { Resources.ResourceId(cpus)! } }).GivenUp);
        Assert.Same(again.GivenUp, again.Apply(new GivenUpFootprintSettled { AgentId = "agent-2", ResourceIds = { ids } }).GivenUp);

        // A transient recovery keeps the footprint; an abandoned launch gives up only a footprint not yet confirmed.
        Assert.Empty(launched.Apply(new RecoveryStarted { Phase = "p", Tasks = { "server" }, Permanent = false, At = Timestamp.FromDateTime(T0) }).GivenUp);
        Assert.Same(launched.Footprint, launched.Apply(new LaunchAbandoned()).Footprint);
        Assert.Empty(launched.Apply(new LaunchAbandoned()).GivenUp);
        var unconfirmed = PodInstanceState.Empty.Apply(history[0]);
        Assert.True(unconfirmed.FootprintUnconfirmed);
        Assert.Equal(ids, unconfirmed.Apply(new LaunchAbandoned()).GivenUp["agent-1"].ToArray());
    }

    /// <summary>
    /// Every property of the state is compared by <see cref="AssertSame"/>: a property added to the state without being
    /// added to the snapshot (and here) fails this test.
    /// </summary>
    [Fact]
    public void The_comparison_covers_every_property_of_the_state()
    {
        string[] compared =
        [
            "Tasks", "Footprint", "FootprintUnconfirmed", "LastOfferId", "Decommission", "ReleasedResourceIds", "ReleasedAgentId",
            "ReleasedNeverConfirmed", "DecommissionForced", "ForcedTaskIds", "HasLiveTasks", "HasForcedLiveTasks", "Paused", "TasksKilled", "FailedSince", "Backoff", "Recovery", "GivenUp", "ExecutorRelaunch",
        ];
        Assert.Equal(compared.Order(), typeof(PodInstanceState).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.Name != "EqualityContract").Select(p => p.Name).Order());
        Assert.Equal(
            ["Check", "ConfigId", "EverFinished", "Executor", "Healthy", "Info", "IsTerminal", "LaunchedAt", "Paused", "ReadinessPassed", "SpecFingerprint", "Status", "TaskId", "Uuids"],
            typeof(TaskRecord).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.Name != "EqualityContract").Select(p => p.Name).Order());
    }

    private static IEnumerable<object> History()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context);
        var launch = new TaskLaunchRecorded
        {
            OfferId = "offer-1",
            AgentId = "agent-1",
            Hostname = "agent-1.local",
            Executor = evaluation.Executor,
            Footprint = { evaluation.Footprint },
            FootprintUnconfirmed = true,
            At = Timestamp.FromDateTime(T0),
            AgentAttributes = { new Attribute { Name = "rack", Type = Value.Types.Type.Text, Text = new Value.Types.Text { Value = "r1" } } },
            AgentDomain = new DomainInfo { FaultDomain = new DomainInfo.Types.FaultDomain { Zone = new DomainInfo.Types.FaultDomain.Types.ZoneInfo { Name = "z1" }, Region = new DomainInfo.Types.FaultDomain.Types.RegionInfo { Name = "east" } } },
        };
        launch.Tasks.AddRange(evaluation.Tasks.Select(t => new LaunchedTask { TaskName = "server", ConfigId = "config-1", TaskInfo = t.Info, SpecFingerprint = "fp-1" }));
        var taskId = evaluation.Tasks[0].Info.TaskId;
        TaskStatus Status(TaskState state, bool? healthy = null)
        {
            var status = new TaskStatus { TaskId = taskId, State = state, Source = TaskStatus.Types.Source.Executor, Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()) };
            if (healthy is { } h)
            {
                status.Healthy = h;
                status.CheckStatus = new CheckStatusInfo { Type = CheckInfo.Types.Type.Command, Command = new CheckStatusInfo.Types.Command { ExitCode = 1 } };
            }

            return status;
        }

        yield return launch;
        yield return new TaskStatusRecorded { Status = Status(TaskState.TaskStarting) };
        yield return new FootprintConfirmed { At = Timestamp.FromDateTime(T0) };
        yield return new TaskStatusRecorded { Status = Status(TaskState.TaskRunning, healthy: false) };
        yield return new TasksPaused { Tasks = { "server" } };
        yield return new TaskStatusRecorded { Status = Status(TaskState.TaskFailed) };
        yield return new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0.AddMinutes(1)) };
        yield return new BackoffDelayed { TaskName = "server", Until = Timestamp.FromDateTime(T0.AddMinutes(2)), DelaySeconds = 4 };
        yield return new RecoveryStarted { Phase = "hello-0:[server]", Tasks = { "server" }, Permanent = false, At = Timestamp.FromDateTime(T0.AddMinutes(3)), Reason = "server failed" };
        yield return new RecoveryPhaseChanged { Change = RecoveryPhase.InterruptedChange, At = Timestamp.FromDateTime(T0.AddMinutes(4)) };
        yield return new ExecutorRelaunchPlanned { StepId = "hello-world/plan/deploy/phase/hello/step/hello-0:[server]", ConfigId = "config-2", Tasks = { "sidecar" }, At = Timestamp.FromDateTime(T0.AddMinutes(5)) };
    }

    private static void AssertSame(PodInstanceState expected, PodInstanceState actual)
    {
        Assert.Equal(expected.Tasks.Keys.Order(), actual.Tasks.Keys.Order());
        foreach (var (name, task) in expected.Tasks)
        {
            Assert.Equal(task, actual.Tasks[name]);
        }

        Assert.Equal(expected.Footprint is null, actual.Footprint is null);
        if (expected.Footprint is { } footprint)
        {
            Assert.Equal((footprint.AgentId, footprint.Hostname), (actual.Footprint!.AgentId, actual.Footprint.Hostname));
            Assert.Equal(footprint.Resources.ToArray(), actual.Footprint.Resources.ToArray());
            Assert.Equal(footprint.Agent is null, actual.Footprint.Agent is null);
            if (footprint.Agent is { } agent)
            {
                Assert.Equal((agent.Hostname, agent.Zone, agent.Region), (actual.Footprint.Agent!.Hostname, actual.Footprint.Agent.Zone, actual.Footprint.Agent.Region));
                Assert.Equal(agent.Attributes.OrderBy(a => a.Key), actual.Footprint.Agent.Attributes.OrderBy(a => a.Key));
            }
        }

        Assert.Equal(expected.FootprintUnconfirmed, actual.FootprintUnconfirmed);
        Assert.Equal(expected.LastOfferId, actual.LastOfferId);
        Assert.Equal(expected.Decommission, actual.Decommission);
        Assert.Equal(expected.ReleasedResourceIds.ToArray(), actual.ReleasedResourceIds.ToArray());
        Assert.Equal(expected.ReleasedAgentId, actual.ReleasedAgentId);
        Assert.Equal(expected.ReleasedNeverConfirmed, actual.ReleasedNeverConfirmed);
        Assert.Equal(expected.DecommissionForced, actual.DecommissionForced);
        Assert.Equal(expected.ForcedTaskIds.Order(), actual.ForcedTaskIds.Order());
        Assert.Equal(expected.HasLiveTasks, actual.HasLiveTasks);
        Assert.Equal(expected.HasForcedLiveTasks, actual.HasForcedLiveTasks);
        Assert.Equal(expected.Paused.Order(), actual.Paused.Order());
        Assert.Equal(expected.TasksKilled, actual.TasksKilled);
        Assert.Equal(expected.FailedSince.OrderBy(p => p.Key), actual.FailedSince.OrderBy(p => p.Key));
        Assert.Equal(expected.Backoff.OrderBy(p => p.Key), actual.Backoff.OrderBy(p => p.Key));
        Assert.Equal(expected.GivenUp.Keys.Order(), actual.GivenUp.Keys.Order());
        Assert.All(expected.GivenUp, g => Assert.Equal(g.Value.ToArray(), actual.GivenUp[g.Key].ToArray()));
        Assert.Equal(expected.ExecutorRelaunch is null, actual.ExecutorRelaunch is null);
        if (expected.ExecutorRelaunch is { } relaunch)
        {
            Assert.Equal((relaunch.StepId, relaunch.ConfigId), (actual.ExecutorRelaunch!.StepId, actual.ExecutorRelaunch.ConfigId));
            Assert.Equal(relaunch.Tasks.ToArray(), actual.ExecutorRelaunch.Tasks.ToArray());
        }

        Assert.Equal(expected.Recovery is null, actual.Recovery is null);
        if (expected.Recovery is { } recovery)
        {
            Assert.Equal(recovery with { Tasks = [] }, actual.Recovery! with { Tasks = [] });
            Assert.Equal(recovery.Tasks.ToArray(), actual.Recovery.Tasks.ToArray());
        }
    }
}
