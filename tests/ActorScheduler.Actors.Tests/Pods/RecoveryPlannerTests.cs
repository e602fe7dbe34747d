using System.Collections.Immutable;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using Google.Protobuf.WellKnownTypes;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Pods;

/// <summary>The pure recovery decisions: which tasks, transient or permanent, backoff delays, the failure timeout.</summary>
public sealed class RecoveryPlannerTests
{
    private static readonly DateTime T0 = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly PodSpec Pod = new ServiceSpecBuilder().Pod;

    [Fact]
    public void Nothing_failed_means_no_recovery()
    {
        Assert.Null(RecoveryPlanner.Decide(Pod, State(("server", TaskState.TaskRunning), ("agent", TaskState.TaskRunning)), null, T0));
    }

    [Fact]
    public void An_essential_failure_relaunches_every_running_goal_task_of_the_pod()
    {
        var decision = RecoveryPlanner.Decide(Pod, State(("server", TaskState.TaskFailed), ("agent", TaskState.TaskRunning), ("init", TaskState.TaskFinished)), null, T0);

        Assert.Equal(RecoveryType.Transient, decision!.Type);
        Assert.Equal(["server", "agent"], decision.Tasks.ToArray());
    }

    [Fact]
    public void A_non_essential_failure_relaunches_only_itself()
    {
        var decision = RecoveryPlanner.Decide(Pod, State(("server", TaskState.TaskRunning), ("agent", TaskState.TaskLost)), null, T0);

        Assert.Equal(RecoveryType.Transient, decision!.Type);
        Assert.Equal(["agent"], decision.Tasks.ToArray());
    }

    [Fact]
    public void Finish_and_once_tasks_are_never_recovered()
    {
        // "init" (goal FINISH) failed: not recovery's business.
        Assert.Null(RecoveryPlanner.Decide(Pod, State(("server", TaskState.TaskRunning), ("init", TaskState.TaskFailed)), null, T0));
    }

    [Fact]
    public void A_finished_running_goal_task_counts_as_failed()
    {
        Assert.Equal(["server", "agent"], RecoveryPlanner.Decide(Pod, State(("server", TaskState.TaskFinished), ("agent", TaskState.TaskRunning)), null, T0)!.Tasks.ToArray());
    }

    [Fact]
    public void Gone_by_operator_is_permanent()
    {
        var decision = RecoveryPlanner.Decide(Pod, State(("server", TaskState.TaskGoneByOperator), ("agent", TaskState.TaskGoneByOperator)), null, T0);

        Assert.Equal(RecoveryType.Permanent, decision!.Type);
    }

    [Fact]
    public void Mixed_permanent_and_transient_failures_are_not_recovered()
    {
        var decision = RecoveryPlanner.Decide(Pod, State(("server", TaskState.TaskGoneByOperator), ("agent", TaskState.TaskFailed)), null, T0);

        Assert.Equal(RecoveryType.None, decision!.Type);
        Assert.Empty(decision.Tasks.ToArray());
    }

    [Fact]
    public void A_failure_turns_permanent_once_the_timeout_passed_since_it_was_first_seen()
    {
        var timeout = TimeSpan.FromMinutes(10);
        var state = State(("server", TaskState.TaskFailed), ("agent", TaskState.TaskRunning))
            .Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0) })
            // A later failure does not move the clock's start.
            .Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0.AddMinutes(5)) });

        Assert.Equal(RecoveryType.Transient, RecoveryPlanner.Decide(Pod, state, timeout, T0.AddMinutes(9)).Type());
        Assert.Equal(RecoveryType.Permanent, RecoveryPlanner.Decide(Pod, state, timeout, T0.AddMinutes(10)).Type());
        Assert.Equal(RecoveryType.Transient, RecoveryPlanner.Decide(Pod, state, null, T0.AddDays(1)).Type());
        Assert.Equal(T0.AddMinutes(10), RecoveryPlanner.NextWakeUp(state, timeout, T0.AddMinutes(1)));
    }

    [Fact]
    public void An_unreachable_task_is_explained_with_when_the_timeout_replaces_it_if_there_is_one()
    {
        var state = State(("server", TaskState.TaskUnreachable)).Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0) });

        Assert.Equal(
            "hello-0-server is TASK_UNREACHABLE: it may still run on its partitioned agent, so it is neither relaunched nor counted as running; "
            + "waiting for the agent to return or be marked gone (no permanent-failure timeout replaces it)",
            RecoveryPlanner.UnreachableNote("server", state, null));
        Assert.EndsWith(
            "waiting for the agent to return or be marked gone; replaced on a new footprint at 2020-01-01T00:10:00Z (permanent-failure timeout) otherwise",
            RecoveryPlanner.UnreachableNote("server", state, TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void Each_launch_starts_its_own_failure_clock()
    {
        // server failed at T0 and was relaunched in place (a new task id); the relaunch fails before it ever ran, after
        // the timeout counted from the first failure: that is the relaunch's first failure, not a permanent one (DC/OS
        // TimedFailureMonitor keys its clock by task id).
        var timeout = TimeSpan.FromMinutes(10);
        var relaunch = new TaskLaunchRecorded { OfferId = "offer-2", AgentId = "agent-1", Hostname = "host", At = Timestamp.FromDateTime(T0.AddMinutes(1)) };
        relaunch.Tasks.Add(new LaunchedTask
        {
            TaskName = "server",
            ConfigId = "config-1",
            SpecFingerprint = "fingerprint",
            TaskInfo = new TaskInfo { Name = "hello-0-server", TaskId = new TaskID { Value = "server-id-2" }, AgentId = new AgentID { Value = "agent-1" } },
        });
        var state = State(("server", TaskState.TaskFailed), ("agent", TaskState.TaskRunning))
            .Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0) })
            .Apply(relaunch)
            .Apply(new TaskStatusRecorded { Status = new TaskStatus { TaskId = new TaskID { Value = "server-id-2" }, State = TaskState.TaskFailed } });

        Assert.Equal(RecoveryType.Transient, RecoveryPlanner.Decide(Pod, state, timeout, T0.AddMinutes(10)).Type());

        // The relaunch's own failure starts a new clock.
        var seen = state.Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0.AddMinutes(10)) });
        Assert.Equal(RecoveryType.Transient, RecoveryPlanner.Decide(Pod, seen, timeout, T0.AddMinutes(19)).Type());
        Assert.Equal(RecoveryType.Permanent, RecoveryPlanner.Decide(Pod, seen, timeout, T0.AddMinutes(20)).Type());
    }

    [Fact]
    public void A_failure_journaled_after_a_relaunch_without_its_own_clock_is_found_unclocked()
    {
        // An older version kept server's clock from T0 across the relaunch, so it journaled no TaskFailureSeen for the
        // relaunch's failure: replayed now, the relaunch stopped the old clock and the failure has none.
        var relaunch = new TaskLaunchRecorded { OfferId = "offer-2", AgentId = "agent-1", Hostname = "host", At = Timestamp.FromDateTime(T0.AddMinutes(1)) };
        relaunch.Tasks.Add(new LaunchedTask { TaskName = "server", ConfigId = "config-1", SpecFingerprint = "fingerprint", TaskInfo = new TaskInfo { Name = "hello-0-server", TaskId = new TaskID { Value = "server-id-2" } } });
        var state = State(("server", TaskState.TaskFailed), ("agent", TaskState.TaskKilled), ("init", TaskState.TaskFailed))
            .Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0) })
            .Apply(relaunch)
            .Apply(new TaskStatusRecorded { Status = new TaskStatus { TaskId = new TaskID { Value = "server-id-2" }, State = TaskState.TaskFailed } });

        // agent was killed by the scheduler, init is not a RUNNING-goal task.
        Assert.Equal(["server"], RecoveryPlanner.UnclockedFailures(Pod, state, new HashSet<string> { "agent-id" }));
        var clocked = state.Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0.AddMinutes(30)) });
        Assert.Empty(RecoveryPlanner.UnclockedFailures(Pod, clocked, new HashSet<string> { "agent-id" }));
    }

    [Fact]
    public void An_unreachable_task_is_waited_for_until_the_timeout_then_replaced()
    {
        // DC/OS: goal RUNNING and (terminal or LOST / UNREACHABLE). Both tasks ran on the partitioned agent.
        var timeout = TimeSpan.FromMinutes(10);
        var state = State(("server", TaskState.TaskUnreachable), ("agent", TaskState.TaskUnreachable), ("init", TaskState.TaskFinished))
            .Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0) })
            .Apply(new TaskFailureSeen { TaskName = "agent", At = Timestamp.FromDateTime(T0) });

        // In place only once the agent is back, which then says whether the tasks still run: nothing to do before.
        Assert.Null(RecoveryPlanner.Decide(Pod, state, timeout, T0.AddMinutes(9)));
        Assert.Null(RecoveryPlanner.Decide(Pod, state, null, T0.AddDays(1)));
        Assert.Equal(T0.AddMinutes(10), RecoveryPlanner.NextWakeUp(state, timeout, T0.AddMinutes(9)));

        var permanent = RecoveryPlanner.Decide(Pod, state, timeout, T0.AddMinutes(10));
        Assert.Equal(RecoveryType.Permanent, permanent.Type());
        Assert.Equal(["server", "agent"], permanent!.Tasks.ToArray());
        Assert.Equal("server TASK_UNREACHABLE, agent TASK_UNREACHABLE; failed for over 600 s", permanent.Reason);
    }

    [Fact]
    public void An_unreachable_task_beside_a_failed_one_counts_for_the_failure_kind_but_only_the_failed_one_relaunches()
    {
        var timeout = TimeSpan.FromMinutes(10);
        // The sidecar failed, then its agent was partitioned with the server on it.
        var state = State(("server", TaskState.TaskUnreachable), ("agent", TaskState.TaskFailed))
            .Apply(new TaskFailureSeen { TaskName = "agent", At = Timestamp.FromDateTime(T0) })
            .Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0.AddMinutes(1)) });

        var transient = RecoveryPlanner.Decide(Pod, state, timeout, T0.AddMinutes(5));
        Assert.Equal(RecoveryType.Transient, transient.Type());
        Assert.Equal(["agent"], transient!.Tasks.ToArray());
        // The sidecar's failure turned permanent, the server's not yet: a mix, not recovered (DC/OS), until both are.
        Assert.Equal(RecoveryType.None, RecoveryPlanner.Decide(Pod, state, timeout, T0.AddMinutes(10)).Type());
        Assert.Equal(["server", "agent"], RecoveryPlanner.Decide(Pod, state, timeout, T0.AddMinutes(11))!.Tasks.ToArray());
    }

    [Fact]
    public void Unreachable_starts_the_failure_clock_even_for_a_task_being_killed()
    {
        // A kill of ours ended it: no failure. A kill of ours that never reached the partitioned agent: its fate is unknown.
        Assert.True(RecoveryPlanner.StartsFailureClock(TaskState.TaskUnreachable, killedByScheduler: false));
        Assert.True(RecoveryPlanner.StartsFailureClock(TaskState.TaskUnreachable, killedByScheduler: true));
        Assert.True(RecoveryPlanner.StartsFailureClock(TaskState.TaskFailed, killedByScheduler: false));
        Assert.True(RecoveryPlanner.StartsFailureClock(TaskState.TaskUnknown, killedByScheduler: false));
        Assert.False(RecoveryPlanner.StartsFailureClock(TaskState.TaskKilled, killedByScheduler: true));
        Assert.False(RecoveryPlanner.StartsFailureClock(TaskState.TaskRunning, killedByScheduler: false));
        Assert.False(RecoveryPlanner.StartsFailureClock(TaskState.TaskStaging, killedByScheduler: false));
        Assert.False(RecoveryPlanner.StartsFailureClock(TaskState.TaskKilling, killedByScheduler: false));
    }

    [Fact]
    public void An_unreachable_task_journaled_without_a_clock_is_found_unclocked()
    {
        // Journaled by a version that started no clock for TASK_UNREACHABLE (or seen before the pod knew its spec). The
        // FINISH-goal task's clock is none of recovery's business; one with a clock keeps it.
        var state = State(("server", TaskState.TaskUnreachable), ("agent", TaskState.TaskUnreachable), ("init", TaskState.TaskUnreachable));

        Assert.Equal(["server", "agent"], RecoveryPlanner.UnclockedUnreachable(Pod, state));
        Assert.Empty(RecoveryPlanner.UnclockedFailures(Pod, state, new HashSet<string>()));
        var clocked = state.Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0) });
        Assert.Equal(["agent"], RecoveryPlanner.UnclockedUnreachable(Pod, clocked));
    }

    [Fact]
    public void A_task_back_running_after_its_agent_re_registered_stops_its_failure_clock()
    {
        var timeout = TimeSpan.FromMinutes(10);
        var state = State(("server", TaskState.TaskUnreachable), ("agent", TaskState.TaskRunning))
            .Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0) });
        // What the master sends when the agent re-registers: the task's current state, no uuid.
        var back = new TaskStatus
        {
            TaskId = new TaskID { Value = "server-id" },
            State = TaskState.TaskRunning,
            Source = TaskStatus.Types.Source.Master,
            Reason = TaskStatus.Types.Reason.AgentReregistered,
        };

        Assert.Equal(StatusUpdateKind.New, state.Classify(back));
        var returned = state.Apply(new TaskStatusRecorded { Status = back });
        Assert.Empty(returned.FailedSince);
        Assert.Null(RecoveryPlanner.NextWakeUp(returned, timeout, T0.AddMinutes(1)));
        Assert.Null(RecoveryPlanner.Decide(Pod, returned, timeout, T0.AddMinutes(11)));
    }

    [Fact]
    public void An_unreachable_task_on_a_footprint_given_up_is_left_behind_and_relaunches()
    {
        var state = State(("server", TaskState.TaskUnreachable)) with
        {
            Footprint = new ActorScheduler.Actors.Offers.Footprint("agent-1", "host", []),
        };
        Status StepOf(PodInstanceState s) =>
            StepStatusCalculator.Compute([s.Progress("server", GoalState.Running, "fingerprint", null, T0)], prepared: false);

        // On the pod's footprint: it may still run there, so it is waited for (shown STARTING).
        Assert.False(state.IsLeftBehind(state.Tasks["server"]));
        Assert.Equal(Status.Starting, StepOf(state));

        // Replaced (the timeout ran out): nothing the pod uses is held by it; its step relaunches it elsewhere.
        var replaced = state.Apply(new RecoveryStarted { Phase = "hello-0:[server]", Tasks = { "server" }, Permanent = true, At = Timestamp.FromDateTime(T0), Reason = "timeout" });
        Assert.True(replaced.IsLeftBehind(replaced.Tasks["server"]));
        Assert.Equal(Status.Pending, StepOf(replaced));

        // Its agent returned and it runs: no longer left behind (killed, and waited for, as any live task).
        var back = replaced.Apply(new TaskStatusRecorded { Status = new TaskStatus { TaskId = new TaskID { Value = "server-id" }, State = TaskState.TaskRunning } });
        Assert.False(back.IsLeftBehind(back.Tasks["server"]));
    }

    [Fact]
    public void The_crash_loop_guard_counts_failures_and_health_check_kills_not_the_executor_ending_a_group()
    {
        Assert.True(RecoveryPlanner.CountsAsCrash(new TaskStatus { State = TaskState.TaskFailed }));
        Assert.True(RecoveryPlanner.CountsAsCrash(new TaskStatus { State = TaskState.TaskError }));
        Assert.True(RecoveryPlanner.CountsAsCrash(new TaskStatus { State = TaskState.TaskKilled, Healthy = false }));
        // Killed with its group (another task of the executor ended, or was killed by the scheduler): no crash of its own.
        Assert.False(RecoveryPlanner.CountsAsCrash(new TaskStatus { State = TaskState.TaskKilled }));
        Assert.False(RecoveryPlanner.CountsAsCrash(new TaskStatus { State = TaskState.TaskKilled, Healthy = true }));
    }

    [Fact]
    public void Running_stops_the_failure_clock_and_clears_the_backoff()
    {
        var state = State(("server", TaskState.TaskFailed))
            .Apply(new TaskFailureSeen { TaskName = "server", At = Timestamp.FromDateTime(T0) })
            .Apply(new BackoffDelayed { TaskName = "server", Until = Timestamp.FromDateTime(T0.AddSeconds(60)), DelaySeconds = 60 })
            .Apply(new TaskStatusRecorded { Status = new TaskStatus { TaskId = new TaskID { Value = "server-id" }, State = TaskState.TaskRunning } });

        Assert.Empty(state.FailedSince);
        Assert.Empty(state.Backoff);
    }

    [Fact]
    public void Backoff_starts_at_60_s_grows_by_1_15_and_stops_at_300_s()
    {
        var settings = RecoverySettings.Default with { BackoffEnabled = true };
        var delays = new List<TimeSpan>();
        TimeSpan? previous = null;
        for (var i = 0; i < 15; i++)
        {
            previous = RecoveryPlanner.NextBackoff(previous, settings);
            delays.Add(previous.Value);
        }

        Assert.Equal(TimeSpan.FromSeconds(60), delays[0]);
        Assert.Equal(69.0, delays[1].TotalSeconds, 3);
        Assert.Equal(79.35, delays[2].TotalSeconds, 3);
        Assert.Equal(TimeSpan.FromSeconds(300), delays[^1]);
        Assert.True(RecoveryPlanner.EarnsBackoff(TaskState.TaskFailed));
        Assert.True(RecoveryPlanner.EarnsBackoff(TaskState.TaskError));
        Assert.False(RecoveryPlanner.EarnsBackoff(TaskState.TaskKilled));
        Assert.False(RecoveryPlanner.EarnsBackoff(TaskState.TaskLost));
    }

    [Fact]
    public void A_delayed_task_shows_delayed_until_its_delay_ends_and_restart_clears_it()
    {
        var state = State(("server", TaskState.TaskFailed))
            .Apply(new BackoffDelayed { TaskName = "server", Until = Timestamp.FromDateTime(T0.AddSeconds(60)), DelaySeconds = 60 });

        Status StepAt(PodInstanceState s, DateTime now) =>
            StepStatusCalculator.Compute([s.Progress("server", GoalState.Running, "fingerprint", null, now)], prepared: false);

        Assert.Equal(Status.Delayed, StepAt(state, T0.AddSeconds(59)));
        Assert.Equal(Status.Pending, StepAt(state, T0.AddSeconds(60)));
        Assert.Equal(Status.Pending, StepAt(state.Apply(new BackoffCleared { TaskNames = { "server" } }), T0));
    }

    [Fact]
    public void A_permanent_recovery_gives_up_the_footprint_and_a_restarted_phase_runs_again()
    {
        var state = State(("server", TaskState.TaskGoneByOperator)) with
        {
            Footprint = new ActorScheduler.Actors.Offers.Footprint("agent-1", "host", []),
        };
        state = state.Apply(new RecoveryStarted { Phase = "hello-0:[server]", Tasks = { "server" }, Permanent = true, At = Timestamp.FromDateTime(T0), Reason = "gone" });

        Assert.Null(state.Footprint);
        Assert.Equal(RecoveryType.Permanent, state.Recovery!.Type);

        var completed = state.Apply(new RecoveryPhaseChanged { Change = RecoveryPhase.Completed, At = Timestamp.FromDateTime(T0.AddMinutes(1)) });
        Assert.True(completed.Recovery!.Finished);
        var restarted = completed.Apply(new RecoveryPhaseChanged { Change = RecoveryPhase.Restarted, At = Timestamp.FromDateTime(T0.AddMinutes(2)) });
        Assert.False(restarted.Recovery!.Finished);
        Assert.Equal(T0.AddMinutes(2), restarted.Recovery.StartedAt);
    }

    private static PodInstanceState State(params (string Task, TaskState State)[] tasks) => PodInstanceState.Empty with
    {
        Tasks = tasks.ToImmutableDictionary(
            t => t.Task,
            t => new TaskRecord(
                new TaskInfo { Name = "hello-0-" + t.Task, TaskId = new TaskID { Value = t.Task + "-id" } },
                "config-1",
                "fingerprint",
                new TaskStatus { TaskId = new TaskID { Value = t.Task + "-id" }, State = t.State },
                false)),
    };

    private sealed class ServiceSpecBuilder
    {
        public PodSpec Pod { get; } = MakePod();

        private static PodSpec MakePod()
        {
            var yaml = ActorScheduler.Specs.ServiceSpecLoader.LoadRendered("""
                name: svc
                pods:
                  hello:
                    count: 1
                    tasks:
                      server:
                        goal: RUNNING
                        cmd: sleep 1
                        cpus: 0.1
                        memory: 32
                      agent:
                        goal: RUNNING
                        essential: false
                        cmd: sleep 1
                        cpus: 0.1
                        memory: 32
                      init:
                        goal: FINISH
                        cmd: "true"
                        cpus: 0.1
                        memory: 32
                """, "(test)");
            return yaml.Spec!.Pods.Single();
        }
    }
}

internal static class RecoveryDecisionExtensions
{
    public static RecoveryType Type(this RecoveryDecision? decision) => decision?.Type ?? RecoveryType.None;
}
