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
            StepStatusCalculator.Compute([s.Progress("server", GoalState.Running, "fingerprint", null, now)], offerClaimed: false);

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
