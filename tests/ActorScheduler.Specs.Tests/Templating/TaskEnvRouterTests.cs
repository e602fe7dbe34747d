namespace ActorScheduler.Specs.Tests.Templating;

public sealed class TaskEnvRouterTests
{
    private const string Spec = """
        name: svc
        pods:
          data-node:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 100
                cpus: 0.1
                memory: 32
                env:
                  LOG_LEVEL: info
                  KEEP: spec
          web:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 100
                cpus: 0.1
                memory: 32
        """;

    [Fact]
    public void Taskcfg_variables_should_reach_every_task_or_one_pods_tasks_and_override_the_spec()
    {
        using var dir = new TempSpecDirectory();
        var environment = new Dictionary<string, string>
        {
            ["TASKCFG_ALL_LOG_LEVEL"] = "debug",
            ["TASKCFG_DATA_NODE_LOG_LEVEL"] = "trace",
            ["TASKCFG_WEB_THREADS"] = "8",
            ["UNRELATED"] = "x",
        };

        var result = ServiceSpecLoader.LoadFile(dir.Write("svc.yml", Spec), null, environment);

        var data = result.Spec!.FindPod("data-node")!.Tasks[0].Env.ToDictionary();
        var web = result.Spec.FindPod("web")!.Tasks[0].Env.ToDictionary();
        Assert.Equal("trace", data["LOG_LEVEL"]);
        Assert.Equal("spec", data["KEEP"]);
        Assert.False(data.ContainsKey("THREADS"));
        Assert.Equal("debug", web["LOG_LEVEL"]);
        Assert.Equal("8", web["THREADS"]);
        Assert.False(web.ContainsKey("UNRELATED"));
    }

    [Fact]
    public void Captured_variables_should_replay_the_same_spec_from_the_rendered_text()
    {
        using var dir = new TempSpecDirectory();
        var environment = new Dictionary<string, string> { ["TASKCFG_ALL_MODE"] = "fast", ["SERVICE_REGION"] = "eu-west", ["HOME"] = "/root" };

        var loaded = ServiceSpecLoader.LoadFile(dir.Write("svc.yml", Spec), null, environment);
        var replayed = ServiceSpecLoader.LoadRendered(loaded.RenderedText!, "stored", loaded.SchedulerEnvironment);

        Assert.Equal(["SERVICE_REGION", "TASKCFG_ALL_MODE"], loaded.SchedulerEnvironment.Keys);
        Assert.Equal("eu-west", replayed.Spec!.Region);
        Assert.Equal(SpecFingerprint.Of(loaded.Spec!.Pods[0]), SpecFingerprint.Of(replayed.Spec.Pods[0]));
        Assert.Equal("fast", replayed.Spec.Pods[1].Tasks[0].Env.ToDictionary()["MODE"]);
    }
}
