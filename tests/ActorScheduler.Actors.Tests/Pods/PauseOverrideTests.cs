using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.Events;
using ActorScheduler.Specs;

namespace ActorScheduler.Actors.Tests.Pods;

public sealed class PauseOverrideTests
{
    private static readonly Specs.Model.PodSpec Pod = ServiceSpecLoader.LoadRendered("""
        name: svc
        pods:
          web:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: ./serve
                cpus: 0.1
                memory: 32
                health-check: { cmd: curl localhost, interval: 5, grace-period: 30, max-consecutive-failures: 3, delay: 0, timeout: 10 }
              sidecar: { goal: RUNNING, cmd: ./tail-logs, cpus: 0.1, memory: 32 }
        """, "svc.yml").Spec!.Pods[0];

    [Fact]
    public void A_paused_task_runs_a_sleep_without_its_checks_and_the_others_keep_their_command()
    {
        var paused = PauseOverride.Apply(Pod, new HashSet<string> { "server" });

        var server = paused.FindTask("server")!;
        Assert.Equal(PauseOverride.SleepCommand, server.Command);
        Assert.Null(server.HealthCheck);
        Assert.Equal("./tail-logs", paused.FindTask("sidecar")!.Command);
        Assert.Same(Pod, PauseOverride.Apply(Pod, new HashSet<string>()));
    }

    [Fact]
    public void Task_names_resolve_short_or_full_and_none_means_all()
    {
        string[] tasks = ["server", "sidecar"];

        Assert.Equal(["server", "sidecar"], PauseOverride.Resolve("web-0", tasks, null).Tasks.ToArray());
        Assert.Equal(["server"], PauseOverride.Resolve("web-0", tasks, ["web-0-server", "server"]).Tasks.ToArray());
        Assert.Equal("nope", PauseOverride.Resolve("web-0", tasks, ["sidecar", "nope"]).Unknown);
    }

    [Fact]
    public void A_launch_that_does_not_match_the_pause_override_is_not_on_target()
    {
        var launched = new TaskLaunchRecorded { AgentId = "a", Hostname = "h", Tasks = { new LaunchedTask { TaskName = "server", SpecFingerprint = "fp", TaskInfo = new() { TaskId = new() { Value = "web-0-server__1" } } } } };
        var state = PodInstanceState.Empty.Apply(launched);
        Assert.True(state.Progress("server", Specs.Model.GoalState.Running, "fp").LaunchedOnTarget);

        var paused = state.Apply(new TasksPaused { Tasks = { "server" } });
        Assert.False(paused.Progress("server", Specs.Model.GoalState.Running, "fp").LaunchedOnTarget);

        launched.Tasks[0].Paused = true;
        var relaunched = paused.Apply(launched);
        Assert.True(relaunched.Progress("server", Specs.Model.GoalState.Running, "fp").LaunchedOnTarget);
        Assert.False(relaunched.Apply(new TasksResumed { Tasks = { "server" } }).Progress("server", Specs.Model.GoalState.Running, "fp").LaunchedOnTarget);
    }

    [Fact]
    public void A_live_launch_that_does_not_match_its_override_is_still_to_be_acted_on()
    {
        LaunchedTask Task(string name, bool paused) =>
            new() { TaskName = name, SpecFingerprint = "fp", Paused = paused, TaskInfo = new() { TaskId = new() { Value = $"web-0-{name}__1" } } };
        var launched = new TaskLaunchRecorded { AgentId = "a", Hostname = "h", Tasks = { Task("server", paused: false), Task("sidecar", paused: true) } };
        // sidecar was launched paused and still is; server runs its command though paused since.
        var state = PodInstanceState.Empty.Apply(launched).Apply(new TasksPaused { Tasks = { "server", "sidecar" } });

        Assert.Equal(["server"], PauseOverride.NotApplied(state));
        // Resumed: now the sidecar's sleep is the one not matching.
        Assert.Equal(["sidecar"], PauseOverride.NotApplied(state.Apply(new TasksResumed { Tasks = { "server", "sidecar" } })));
        // An ended launch is not one: whatever relaunches it applies the override.
        var ended = state.Apply(new TaskStatusRecorded { Status = new() { TaskId = new() { Value = "web-0-server__1" }, State = Messages.MesosV1.TaskState.TaskKilled } });
        Assert.Empty(PauseOverride.NotApplied(ended));
    }
}
