using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Pods;

/// <summary>Readiness and health as the pod instance state derives them from status updates.</summary>
public sealed class PodInstanceStateCheckTests
{
    [Fact]
    public void A_task_without_a_readiness_check_is_ready_when_running()
    {
        var state = Launched(withCheck: false).Apply(Recorded(TaskState.TaskRunning));

        Assert.True(state.Progress("server", GoalState.Running, "fp").ReadinessPassed);
    }

    [Fact]
    public void A_task_with_a_readiness_check_is_ready_only_once_a_status_reported_exit_code_0()
    {
        var state = Launched(withCheck: true);
        bool Ready() => state.Progress("server", GoalState.Running, "fp").ReadinessPassed;

        state = state.Apply(Recorded(TaskState.TaskRunning));
        Assert.False(Ready());
        state = state.Apply(Recorded(TaskState.TaskRunning, Check(null)));
        Assert.False(Ready());
        state = state.Apply(Recorded(TaskState.TaskRunning, Check(1)));
        Assert.False(Ready());
        state = state.Apply(Recorded(TaskState.TaskRunning, Check(0)));
        Assert.True(Ready());

        // A status without check_status (a master that does not repeat it) keeps the latest result.
        state = state.Apply(Recorded(TaskState.TaskRunning));
        Assert.True(Ready());
        state = state.Apply(Recorded(TaskState.TaskRunning, Check(null)));
        Assert.False(Ready());
    }

    [Fact]
    public void The_latest_reported_health_is_kept_and_a_relaunch_starts_without_one()
    {
        var state = Launched(withCheck: false);
        state = state.Apply(Recorded(TaskState.TaskRunning, healthy: true));
        state = state.Apply(Recorded(TaskState.TaskRunning));
        Assert.True(state.Tasks["server"].Healthy);
        state = state.Apply(Recorded(TaskState.TaskKilled, healthy: false));
        Assert.False(state.Tasks["server"].Healthy);

        state = state.Apply(Launch("hello-0-server__2", withCheck: false));
        Assert.Null(state.Tasks["server"].Healthy);
    }

    private static PodInstanceState Launched(bool withCheck) => PodInstanceState.Empty.Apply(Launch("hello-0-server__1", withCheck));

    private static TaskLaunchRecorded Launch(string taskId, bool withCheck)
    {
        var info = new TaskInfo { Name = "hello-0-server", TaskId = new TaskID { Value = taskId }, AgentId = new AgentID { Value = "agent-1" } };
        if (withCheck)
        {
            info.Check = new CheckInfo { Type = CheckInfo.Types.Type.Command };
        }

        return new TaskLaunchRecorded
        {
            OfferId = "offer-1",
            AgentId = "agent-1",
            Hostname = "127.0.0.1",
            Tasks = { new LaunchedTask { TaskName = "server", ConfigId = "config-1", SpecFingerprint = "fp", TaskInfo = info } },
        };
    }

    private static CheckStatusInfo Check(int? exitCode)
    {
        var check = new CheckStatusInfo { Type = CheckInfo.Types.Type.Command, Command = new CheckStatusInfo.Types.Command() };
        if (exitCode is { } code)
        {
            check.Command.ExitCode = code;
        }

        return check;
    }

    private TaskStatusRecorded Recorded(TaskState state, CheckStatusInfo? check = null, bool? healthy = null)
    {
        var status = new TaskStatus { TaskId = new TaskID { Value = _taskId }, State = state };
        if (check is not null)
        {
            status.CheckStatus = check;
        }

        if (healthy is { } h)
        {
            status.Healthy = h;
        }

        return new TaskStatusRecorded { Status = status };
    }

    private readonly string _taskId = "hello-0-server__1";
}
