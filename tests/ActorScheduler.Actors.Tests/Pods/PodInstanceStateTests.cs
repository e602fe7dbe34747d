using System.Collections.Immutable;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;

namespace ActorScheduler.Actors.Tests.Pods;

/// <summary>Which status updates are news: duplicates, late copies and repeated reconciliation answers are not.</summary>
public sealed class PodInstanceStateTests
{
    private const string TaskId = "hello-0-server__1";

    [Fact]
    public void The_first_update_of_a_launch_is_news_and_a_stranger_is_unknown()
    {
        Assert.Equal(StatusUpdateKind.New, With(null).Classify(Agent(TaskState.TaskStarting)));
        Assert.Equal(StatusUpdateKind.UnknownTask, With(null).Classify(new TaskStatus { TaskId = new TaskID { Value = "other" }, State = TaskState.TaskRunning }));
    }

    [Fact]
    public void The_same_update_again_is_a_duplicate()
    {
        var running = Agent(TaskState.TaskRunning);

        Assert.Equal(StatusUpdateKind.Duplicate, With(running).Classify(running.Clone()));
    }

    [Fact]
    public void A_late_copy_of_an_earlier_agent_update_is_stale()
    {
        Assert.Equal(StatusUpdateKind.Stale, With(Agent(TaskState.TaskRunning)).Classify(Agent(TaskState.TaskStarting)));
    }

    [Fact]
    public void Nothing_revives_a_task_that_ended_and_one_reported_alive_after_it_ended_is_to_be_killed()
    {
        var gone = Master(TaskState.TaskGone, TaskStatus.Types.Reason.AgentRemoved);

        Assert.Equal(StatusUpdateKind.AliveAfterEnd, With(gone).Classify(Agent(TaskState.TaskRunning)));
        Assert.Equal(StatusUpdateKind.AliveAfterEnd, With(Master(TaskState.TaskUnknown, TaskStatus.Types.Reason.Reconciliation)).Classify(Agent(TaskState.TaskRunning)));
        Assert.Equal(StatusUpdateKind.AliveAfterEnd, With(Master(TaskState.TaskLost, TaskStatus.Types.Reason.Reconciliation)).Classify(Agent(TaskState.TaskStaging)));
        // Another end after the end is only late news.
        Assert.Equal(StatusUpdateKind.Stale, With(gone).Classify(Agent(TaskState.TaskKilled)));
        Assert.Equal(StatusUpdateKind.Stale, With(Agent(TaskState.TaskFinished)).Classify(Agent(TaskState.TaskKilling)));
    }

    [Fact]
    public void A_reconciliation_answer_that_says_what_is_recorded_is_unchanged()
    {
        var answer = Master(TaskState.TaskRunning, TaskStatus.Types.Reason.Reconciliation);

        Assert.Equal(StatusUpdateKind.Unchanged, With(Agent(TaskState.TaskRunning)).Classify(answer));
        Assert.Equal(StatusUpdateKind.New, With(Agent(TaskState.TaskStarting)).Classify(answer));
    }

    [Fact]
    public void A_task_comes_back_from_unreachable_with_whatever_its_agent_says_next()
    {
        var unreachable = Master(TaskState.TaskUnreachable, TaskStatus.Types.Reason.AgentRemoved);

        Assert.Equal(StatusUpdateKind.New, With(unreachable).Classify(Master(TaskState.TaskRunning, TaskStatus.Types.Reason.AgentReregistered)));
        Assert.Equal(StatusUpdateKind.New, With(unreachable).Classify(Agent(TaskState.TaskStarting)));
        Assert.False(With(unreachable).Tasks["server"].IsTerminal);
    }

    [Fact]
    public void A_redelivered_update_is_a_duplicate_even_after_the_master_spoke_of_the_task_since()
    {
        // RUNNING recorded (and acknowledged), then the master's TASK_UNREACHABLE; a late copy of that RUNNING (a
        // network redelivery) is no news: recording it would undo the newer UNREACHABLE.
        var running = Agent(TaskState.TaskRunning);
        var state = With(null)
            .Apply(new Messages.Events.TaskStatusRecorded { Status = running })
            .Apply(new Messages.Events.TaskStatusRecorded { Status = Master(TaskState.TaskUnreachable, TaskStatus.Types.Reason.AgentRemoved) });

        Assert.Equal(StatusUpdateKind.Duplicate, state.Classify(running.Clone()));
        // What the agent says next, with a new UUID, is news.
        Assert.Equal(StatusUpdateKind.New, state.Classify(Agent(TaskState.TaskRunning)));
    }

    [Fact]
    public void A_launch_remembers_its_latest_update_uuids_and_a_new_launch_none()
    {
        var first = Agent(TaskState.TaskStarting);
        var state = With(null).Apply(new Messages.Events.TaskStatusRecorded { Status = first });
        for (var i = 0; i < RecordedUuids.Kept; i++)
        {
            state = state.Apply(new Messages.Events.TaskStatusRecorded { Status = Agent(TaskState.TaskRunning) });
        }

        Assert.Equal(RecordedUuids.Kept, state.Tasks["server"].Uuids.Items.Length);
        Assert.False(state.Tasks["server"].Uuids.Contains(first.Uuid));
        Assert.True(With(null).Tasks["server"].Uuids.Items.IsDefaultOrEmpty);
    }

    [Fact]
    public void A_running_task_may_report_running_again_with_a_new_uuid()
    {
        Assert.Equal(StatusUpdateKind.New, With(Agent(TaskState.TaskRunning)).Classify(Agent(TaskState.TaskRunning)));
    }

    [Fact]
    public void An_update_from_the_agent_confirms_the_launchs_footprint_and_one_from_the_master_does_not()
    {
        var unconfirmed = With(null) with { FootprintUnconfirmed = true };

        var fromMaster = unconfirmed.Apply(new Messages.Events.TaskStatusRecorded { Status = Master(TaskState.TaskLost, TaskStatus.Types.Reason.Reconciliation) });
        var fromAgent = unconfirmed.Apply(new Messages.Events.TaskStatusRecorded { Status = Agent(TaskState.TaskStarting) });

        Assert.True(fromMaster.FootprintUnconfirmed);
        Assert.False(fromAgent.FootprintUnconfirmed);
        // Journals of earlier versions say so with an event of its own.
        Assert.False(unconfirmed.Apply(new Messages.Events.FootprintConfirmed()).FootprintUnconfirmed);
    }

    [Fact]
    public void An_agent_is_removed_for_good_once_a_task_there_is_gone_and_not_while_it_is_unreachable_or_lost()
    {
        Assert.True(With(Master(TaskState.TaskGoneByOperator, TaskStatus.Types.Reason.AgentRemovedByOperator)).AgentRemoved("agent-1"));
        Assert.True(With(Master(TaskState.TaskGone, TaskStatus.Types.Reason.AgentRemoved)).AgentRemoved("agent-1"));
        Assert.False(With(Master(TaskState.TaskGone, TaskStatus.Types.Reason.AgentRemoved)).AgentRemoved("agent-2"));
        Assert.False(With(Master(TaskState.TaskUnreachable, TaskStatus.Types.Reason.AgentRemoved)).AgentRemoved("agent-1"));
        Assert.False(With(Master(TaskState.TaskLost, TaskStatus.Types.Reason.Reconciliation)).AgentRemoved("agent-1"));
        // A registered agent that does not know the task: the agent is still there.
        Assert.False(With(Master(TaskState.TaskGone, TaskStatus.Types.Reason.Reconciliation)).AgentRemoved("agent-1"));
        Assert.False(With(null).AgentRemoved("agent-1"));
    }

    [Fact]
    public void The_role_of_given_up_reservations_is_read_from_the_launches_that_hold_them_task_or_executor()
    {
        static Resource Refined(string name, string id) => new()
        {
            Name = name,
            Type = Value.Types.Type.Scalar,
            Scalar = new Value.Types.Scalar { Value = 1 },
            Reservations =
            {
                new Resource.Types.ReservationInfo { Type = Resource.Types.ReservationInfo.Types.Type.Static, Role = "slave_public" },
                new Resource.Types.ReservationInfo
                {
                    Type = Resource.Types.ReservationInfo.Types.Type.Dynamic,
                    Role = "slave_public/svc-role",
                    Labels = new Labels { Labels_ = { new Label { Key = ActorScheduler.Actors.Offers.Resources.ResourceIdLabel, Value = id } } },
                },
            },
        };
        var state = With(null);
        var record = state.Tasks["server"];
        record.Info.Resources.Add(Refined("cpus", "task-cpus"));
        var executor = new ExecutorInfo { ExecutorId = new ExecutorID { Value = "e" }, Resources = { Refined("mem", "executor-mem") } };
        state = state with { Tasks = state.Tasks.SetItem("server", record with { Executor = executor }) };

        Assert.Equal("slave_public/svc-role", state.RoleOfReservations(["task-cpus"]));
        Assert.Equal("slave_public/svc-role", state.RoleOfReservations(["other", "executor-mem"]));
        Assert.Null(state.RoleOfReservations(["other"]));
    }

    private static PodInstanceState With(TaskStatus? status) => PodInstanceState.Empty with
    {
        Tasks = ImmutableDictionary<string, TaskRecord>.Empty.Add("server", new TaskRecord(
            new TaskInfo { Name = "hello-0-server", TaskId = new TaskID { Value = TaskId }, AgentId = new AgentID { Value = "agent-1" } }, "config-1", "fingerprint", status, false)),
    };

    private static TaskStatus Agent(TaskState state) => new()
    {
        TaskId = new TaskID { Value = TaskId },
        State = state,
        Source = TaskStatus.Types.Source.Executor,
        Uuid = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
    };

    private static TaskStatus Master(TaskState state, TaskStatus.Types.Reason reason) => new()
    {
        TaskId = new TaskID { Value = TaskId },
        State = state,
        Source = TaskStatus.Types.Source.Master,
        Reason = reason,
    };
}
