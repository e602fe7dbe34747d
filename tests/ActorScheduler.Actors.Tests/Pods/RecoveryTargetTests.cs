using System.Collections.Immutable;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs;

namespace ActorScheduler.Actors.Tests.Pods;

/// <summary>
/// Which config a recovery relaunches on (<see cref="RecoveryPlanner.ChooseTarget"/>): the one the failed tasks ran
/// (DC/OS: the task's own <c>target_configuration</c>), never a newer target the rollout has not brought the pod to.
/// </summary>
public sealed class RecoveryTargetTests
{
    private static readonly TargetConfig Old = Target("config-old", 0.1);
    private static readonly TargetConfig New = Target("config-new", 0.3);
    private static readonly IReadOnlyDictionary<string, string> NoneUnavailable = ImmutableDictionary<string, string>.Empty;

    [Fact]
    public void A_failed_task_relaunches_on_the_config_it_ran_not_on_the_newer_target()
    {
        var state = State(("server", "config-old", TaskState.TaskFailed), ("agent", "config-old", TaskState.TaskRunning));

        var choice = Choose(state, ["server"], New, Held(Old, New));

        Assert.Same(Old, choice.Target);
        Assert.Null(choice.Fetch);
        Assert.Null(choice.Note);
    }

    [Fact]
    public void The_current_target_is_taken_when_the_tasks_ran_it()
    {
        var choice = Choose(State(("server", "config-new", TaskState.TaskFailed)), ["server"], New, Held());

        Assert.Same(New, choice.Target);
        Assert.Null(choice.Note);
    }

    [Fact]
    public void A_config_the_pod_does_not_hold_is_to_fetch_and_nothing_relaunches_meanwhile()
    {
        // After a restart the pod holds only the new target its steps bring.
        var choice = Choose(State(("server", "config-old", TaskState.TaskFailed)), ["server"], New, Held(New));

        Assert.Null(choice.Target);
        Assert.Equal("config-old", choice.Fetch);
    }

    [Fact]
    public void An_unavailable_config_falls_back_to_the_current_target_and_says_why()
    {
        var unavailable = new Dictionary<string, string> { ["config-old"] = "not in the config store" };

        var choice = RecoveryPlanner.ChooseTarget("hello", State(("server", "config-old", TaskState.TaskFailed)), ["server"], New, Held(New), unavailable);

        Assert.Same(New, choice.Target);
        Assert.Null(choice.Fetch);
        Assert.Contains("config-old", choice.Note);
        Assert.Contains("not in the config store", choice.Note);
    }

    [Fact]
    public void Failed_tasks_on_several_configs_fall_back_to_the_current_target()
    {
        var state = State(("server", "config-old", TaskState.TaskFailed), ("agent", "config-other", TaskState.TaskFailed));

        var choice = Choose(state, ["server", "agent"], New, Held(Old, New));

        Assert.Same(New, choice.Target);
        Assert.Contains("several configs", choice.Note);
    }

    [Fact]
    public void The_failed_tasks_decide_not_a_live_task_the_phase_relaunches_with_them()
    {
        // An essential failure relaunches the whole pod: the live sibling's config does not count.
        var state = State(("server", "config-old", TaskState.TaskFailed), ("agent", "config-new", TaskState.TaskRunning));

        Assert.Same(Old, Choose(state, ["server", "agent"], New, Held(Old, New)).Target);
    }

    [Fact]
    public void Once_relaunched_the_phase_stays_on_the_config_its_tasks_run()
    {
        // Nothing failed any more: the config the relaunched tasks run is the phase's (its status is judged on it).
        var state = State(("server", "config-old", TaskState.TaskRunning));

        Assert.Same(Old, Choose(state, ["server"], New, Held(Old, New)).Target);
    }

    [Fact]
    public void A_held_config_without_the_pod_falls_back_to_the_current_target()
    {
        var other = new TargetConfig("config-old", Load(0.1, podType: "other"));

        var choice = Choose(State(("server", "config-old", TaskState.TaskFailed)), ["server"], New, Held(other, New));

        Assert.Same(New, choice.Target);
        Assert.Contains("no pod hello", choice.Note);
    }

    [Fact]
    public void Tasks_without_a_recorded_config_take_the_current_target()
    {
        var choice = Choose(State(("server", "", TaskState.TaskFailed)), ["server"], New, Held(Old, New));

        Assert.Same(New, choice.Target);
        Assert.NotNull(choice.Note);
    }

    [Fact]
    public void Without_a_current_target_a_held_config_still_serves()
    {
        Assert.Same(Old, Choose(State(("server", "config-old", TaskState.TaskFailed)), ["server"], null, Held(Old)).Target);
        Assert.Null(Choose(State(("server", "config-old", TaskState.TaskFailed)), ["server"], null, Held()).Target);
    }

    private static RecoveryTarget Choose(PodInstanceState state, string[] tasks, TargetConfig? current, IReadOnlyDictionary<string, TargetConfig> held) =>
        RecoveryPlanner.ChooseTarget("hello", state, tasks, current, held, NoneUnavailable);

    private static IReadOnlyDictionary<string, TargetConfig> Held(params TargetConfig[] targets) => targets.ToDictionary(t => t.ConfigId);

    private static PodInstanceState State(params (string Task, string ConfigId, TaskState State)[] tasks) => PodInstanceState.Empty with
    {
        Tasks = tasks.ToImmutableDictionary(
            t => t.Task,
            t => new TaskRecord(
                new TaskInfo { Name = "hello-0-" + t.Task, TaskId = new TaskID { Value = t.Task + "-id" } },
                t.ConfigId,
                "fingerprint",
                new TaskStatus { TaskId = new TaskID { Value = t.Task + "-id" }, State = t.State },
                false)),
    };

    private static TargetConfig Target(string id, double cpus) => new(id, Load(cpus));

    private static Specs.Model.ServiceSpec Load(double cpus, string podType = "hello") => ServiceSpecLoader.LoadRendered($"""
        name: svc
        pods:
          {podType}:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1
                cpus: {cpus.ToString(System.Globalization.CultureInfo.InvariantCulture)}
                memory: 32
              agent:
                goal: RUNNING
                essential: false
                cmd: sleep 1
                cpus: 0.1
                memory: 32
        """, "(test)").Spec!;
}
