using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using static ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class StepStatusCalculatorTests
{
    private static TaskProgress Task(GoalState goal, bool onTarget, TaskState? state, bool ready = true, bool everFinished = false) =>
        new(goal, onTarget, state, ready, everFinished);

    [Fact]
    public void Not_launched_on_the_target_is_PENDING_or_PREPARED_once_an_offer_is_claimed()
    {
        var tasks = new[] { Task(GoalState.Running, onTarget: false, TaskState.TaskRunning) };
        Assert.Equal(Pending, StepStatusCalculator.Compute(tasks, prepared: false));
        Assert.Equal(Prepared, StepStatusCalculator.Compute(tasks, prepared: true));
    }

    [Theory]
    [InlineData(null, GoalState.Running, ActorScheduler.Messages.Plans.Status.Starting)]
    [InlineData(TaskState.TaskStarting, GoalState.Running, ActorScheduler.Messages.Plans.Status.Starting)]
    [InlineData(TaskState.TaskRunning, GoalState.Running, ActorScheduler.Messages.Plans.Status.Complete)]
    [InlineData(TaskState.TaskRunning, GoalState.Finish, ActorScheduler.Messages.Plans.Status.Started)]
    [InlineData(TaskState.TaskFinished, GoalState.Finish, ActorScheduler.Messages.Plans.Status.Complete)]
    [InlineData(TaskState.TaskFinished, GoalState.Running, ActorScheduler.Messages.Plans.Status.Pending)]
    [InlineData(TaskState.TaskFailed, GoalState.Running, ActorScheduler.Messages.Plans.Status.Pending)]
    [InlineData(TaskState.TaskLost, GoalState.Running, ActorScheduler.Messages.Plans.Status.Pending)]
    [InlineData(TaskState.TaskKilled, GoalState.Running, ActorScheduler.Messages.Plans.Status.Pending)]
    [InlineData(TaskState.TaskKilling, GoalState.Running, ActorScheduler.Messages.Plans.Status.Pending)]
    [InlineData(TaskState.TaskGone, GoalState.Running, ActorScheduler.Messages.Plans.Status.Pending)]
    [InlineData(TaskState.TaskGoneByOperator, GoalState.Running, ActorScheduler.Messages.Plans.Status.Pending)]
    [InlineData(TaskState.TaskDropped, GoalState.Running, ActorScheduler.Messages.Plans.Status.Pending)]
    [InlineData(TaskState.TaskUnknown, GoalState.Running, ActorScheduler.Messages.Plans.Status.Pending)]
    public void Task_states_map_like_the_dcos_deployment_step(TaskState? state, GoalState goal, ActorScheduler.Messages.Plans.Status expected)
    {
        Assert.Equal(expected, StepStatusCalculator.Compute([Task(goal, onTarget: true, state)], prepared: false));
    }

    [Fact]
    public void An_unreachable_task_is_neither_relaunched_nor_counted_as_running()
    {
        // Unlike DC/OS (PENDING), which would relaunch it: the task may still run on the partitioned agent.
        Assert.Equal(Starting, StepStatusCalculator.Compute([Task(GoalState.Running, true, TaskState.TaskUnreachable)], false));
    }

    [Fact]
    public void Running_without_a_passed_readiness_check_is_STARTED()
    {
        Assert.Equal(Started, StepStatusCalculator.Compute([Task(GoalState.Running, true, TaskState.TaskRunning, ready: false)], false));
    }

    [Fact]
    public void A_once_task_that_finished_on_any_config_is_COMPLETE()
    {
        Assert.Equal(Complete, StepStatusCalculator.Compute([Task(GoalState.Once, onTarget: false, null, everFinished: true)], false));
    }

    [Fact]
    public void The_worst_task_wins()
    {
        var tasks = new[] { Task(GoalState.Running, true, TaskState.TaskRunning), Task(GoalState.Running, true, TaskState.TaskStarting) };
        Assert.Equal(Starting, StepStatusCalculator.Compute(tasks, false));
    }
}
