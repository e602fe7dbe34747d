using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Tests;

public sealed class HelloWorldExampleTests
{
    private static readonly IReadOnlyDictionary<string, string> _noEnvironment = new Dictionary<string, string>();

    private static SpecLoadResult Load(IReadOnlyDictionary<string, string>? overrides = null) =>
        ServiceSpecLoader.LoadFile(RepositoryFiles.Find("examples/hello-world/svc.yml"), overrides, _noEnvironment);

    [Fact]
    public void HelloWorld_should_load_without_errors()
    {
        var result = Load();

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal("hello-world", result.Spec!.Name);
        Assert.Null(result.Spec.User);
        Assert.Equal(["hello", "world"], result.Spec.Pods.Select(p => p.Type));
    }

    [Fact]
    public void HelloWorld_should_yield_the_hello_pod_with_one_volume()
    {
        var hello = Load().Spec!.FindPod("hello")!;

        Assert.Equal(1, hello.Count);
        Assert.False(hello.AllowDecommission);
        Assert.Empty(hello.Volumes);
        var server = Assert.Single(hello.Tasks);
        Assert.Equal("server", server.Name);
        Assert.Equal(GoalState.Running, server.Goal);
        Assert.Equal(0.1, server.Cpus);
        Assert.Equal(252, server.MemoryMb);
        Assert.True(server.Essential);
        Assert.Equal("echo \"hello from $TASK_NAME\" >> hello-container-path/output && sleep $SLEEP_DURATION", server.Command);
        Assert.Equal([new KeyValuePair<string, string>("SLEEP_DURATION", "1000")], server.Env.ToArray());
        Assert.Equal([new VolumeSpec("hello-container-path", VolumeType.Root, 25)], server.Volumes.ToArray());
    }

    [Fact]
    public void HelloWorld_should_yield_the_world_pod_with_two_volumes()
    {
        var world = Load().Spec!.FindPod("world")!;

        Assert.Equal(2, world.Count);
        var server = Assert.Single(world.Tasks);
        Assert.Equal(0.2, server.Cpus);
        Assert.Equal(512, server.MemoryMb);
        Assert.Equal(
            "echo \"world from $TASK_NAME\" >> world-container-path1/output && echo \"world from $TASK_NAME\" >> world-container-path2/output && sleep $SLEEP_DURATION",
            server.Command);
        Assert.Equal(
            [new VolumeSpec("world-container-path1", VolumeType.Root, 25), new VolumeSpec("world-container-path2", VolumeType.Root, 25)],
            server.Volumes.ToArray());
    }

    [Fact]
    public void HelloWorld_should_generate_a_serial_deploy_plan_with_dcos_step_names()
    {
        var plan = Assert.Single(Load().Spec!.Plans);

        Assert.Equal("deploy", plan.Name);
        Assert.Equal(StrategyKind.Serial, plan.Strategy);
        Assert.Equal(["hello", "world"], plan.Phases.Select(p => p.Name));
        Assert.All(plan.Phases, p => Assert.Equal(StrategyKind.Serial, p.Strategy));
        Assert.Equal(["hello-0:[server]"], plan.Phases[0].Steps.Select(s => s.Name));
        Assert.Equal(["world-0:[server]", "world-1:[server]"], plan.Phases[1].Steps.Select(s => s.Name));
        Assert.Equal([0, 1], plan.Phases[1].Steps.Select(s => s.PodIndex));
        Assert.All(plan.Phases.SelectMany(p => p.Steps), s => Assert.Equal(["server"], s.Tasks.ToArray()));
    }

    [Fact]
    public void HelloWorld_should_honour_overrides()
    {
        var spec = Load(new Dictionary<string, string> { ["WORLD_COUNT"] = "3", ["FRAMEWORK_NAME"] = "hw" }).Spec!;

        Assert.Equal("hw", spec.Name);
        Assert.Equal(3, spec.FindPod("world")!.Count);
        Assert.Equal(3, spec.FindPlan("deploy")!.Phases[1].Steps.Length);
    }

    [Fact]
    public void HelloWorld_should_return_the_rendered_text_which_loads_to_the_same_spec()
    {
        var first = Load();

        Assert.NotNull(first.RenderedText);
        Assert.DoesNotContain("{{", first.RenderedText);
        var replayed = ServiceSpecLoader.LoadRendered(first.RenderedText!, "stored");
        Assert.True(replayed.IsValid);
        Assert.Equal(first.Spec!.Pods.Select(SpecFingerprint.Of), replayed.Spec!.Pods.Select(SpecFingerprint.Of));
    }
}
