using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Tests.Yaml;

public sealed class ServiceSpecLoaderTests : IDisposable
{
    private const string Valid = """
        name: svc
        pods:
          web:
            count: 2
            tasks:
              init:
                goal: FINISH
                cmd: ./init
                cpus: 0.5
                memory: 64
              server:
                goal: RUNNING
                cmd: ./serve
                cpus: 1
                memory: 256
                env:
                  MODE: fast
                  LEVEL: 3
                volume:
                  path: data
                  type: ROOT
                  size: 100
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"specs-{Guid.NewGuid():N}");

    public ServiceSpecLoaderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_hello_world_example_loads_with_its_defaults_file()
    {
        var result = ServiceSpecLoader.LoadFile(Example("hello-world/svc.yml"), environment: new Dictionary<string, string>());

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var spec = result.Spec!;
        Assert.Equal("hello-world", spec.Name);
        Assert.Equal(["hello", "world"], spec.Pods.Select(p => p.Type));
        Assert.Equal(2, spec.FindPod("world")!.Count);
        var world = spec.FindPod("world")!.FindTask("server")!;
        Assert.Equal(["world-container-path1", "world-container-path2"], world.Volumes.Select(v => v.Path));
        Assert.Equal(0.2, world.Cpus);
        var deploy = spec.FindPlan("deploy")!;
        Assert.Equal(StrategyKind.Serial, deploy.Strategy);
        Assert.Equal(["hello-0:[server]", "world-0:[server]", "world-1:[server]"], deploy.Phases.SelectMany(p => p.Steps).Select(s => s.Name));
    }

    [Fact]
    public void Overrides_beat_the_environment_which_beats_the_defaults_file()
    {
        var spec = Write("svc.yml", "name: {{NAME}}\npods:\n  p:\n    count: {{COUNT}}\n    tasks:\n      t:\n        goal: RUNNING\n        cmd: {{CMD}}\n        cpus: 1\n        memory: 1\n");
        File.WriteAllText(Path.Combine(_dir, "svc.env"), "# defaults\nNAME=from-file\nCOUNT=1\nCMD=\"from file\"\n");

        var result = ServiceSpecLoader.LoadFile(spec, new Dictionary<string, string> { ["COUNT"] = "5" }, new Dictionary<string, string> { ["NAME"] = "from-env", ["COUNT"] = "4" });

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("from-env", result.Spec!.Name);
        Assert.Equal(5, result.Spec.Pods[0].Count);
        Assert.Equal("from file", result.Spec.Pods[0].Tasks[0].Command);
    }

    [Fact]
    public void Missing_template_values_are_reported_together()
    {
        var spec = Write("svc.yml", "name: {{NAME}}\npods:\n  p:\n    count: {{COUNT}}\n");

        var result = ServiceSpecLoader.LoadFile(spec, environment: new Dictionary<string, string>());

        Assert.False(result.IsValid);
        Assert.Equal([$"{spec}:1:7: missing value for 'NAME'", $"{spec}:4:12: missing value for 'COUNT'"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Custom_steps_use_the_index_entry_then_default()
    {
        var result = Load(Valid + """

            plans:
              deploy:
                strategy: parallel
                phases:
                  web-phase:
                    pod: web
                    strategy: canary
                    steps:
                      - 0: [[init], [server]]
                      - default: [[init, server]]
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var plan = Assert.Single(result.Spec!.Plans);
        Assert.Equal(StrategyKind.Parallel, plan.Strategy);
        var phase = Assert.Single(plan.Phases);
        Assert.Equal(StrategyKind.SerialCanary, phase.Strategy);
        Assert.Equal(["web-0:[init]", "web-0:[server]", "web-1:[init, server]"], phase.Steps.Select(s => s.Name));
    }

    [Fact]
    public void The_default_deploy_plan_has_one_step_per_instance_with_every_task()
    {
        var result = Load(Valid);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(["web-0:[init, server]", "web-1:[init, server]"], result.Spec!.FindPlan("deploy")!.Phases[0].Steps.Select(s => s.Name));
        Assert.Equal(["MODE", "LEVEL"], result.Spec.Pods[0].Tasks[1].Env.Select(e => e.Key));
    }

    [Theory]
    [InlineData("    cuont: 2\n", "4:5", "pods.web.cuont", "unknown key 'cuont'")]
    [InlineData("        memroy: 2\n", "15:9", "pods.web.tasks.server.memroy", "unknown key 'memroy'")]
    public void Unknown_keys_are_errors_even_inside_pods_and_tasks(string line, string at, string path, string message)
    {
        var lines = Valid.Split('\n').ToList();
        lines.Insert(int.Parse(at.Split(':')[0]) - 1, line.TrimEnd('\n'));

        var result = Load(string.Join('\n', lines));

        var error = Assert.Single(result.Errors);
        Assert.Equal($"svc.yml:{at}: {path}: {message}", error.ToString()[..error.ToString().IndexOf(';')]);
    }

    [Fact]
    public void Wrong_types_and_ranges_say_what_was_found_and_expected()
    {
        var result = Load(Valid.Replace("count: 2", "count: two").Replace("cpus: 1\n", "cpus: -1\n").Replace("goal: FINISH", "goal: DONE"));

        Assert.Equal(
            [
                "svc.yml:4:12: pods.web.count: expected an integer, found 'two'",
                "svc.yml:7:15: pods.web.tasks.init.goal: expected one of RUNNING, FINISH, ONCE, found 'DONE'",
                "svc.yml:14:15: pods.web.tasks.server.cpus: expected a number > 0, found -1",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Missing_required_keys_are_reported()
    {
        var result = Load("name: svc\npods:\n  web:\n    count: 1\n    tasks:\n      t:\n        goal: RUNNING\n");

        Assert.Equal(
            ["svc.yml:7:9: pods.web.tasks.t: missing required key 'cmd'", "svc.yml:7:9: pods.web.tasks.t: missing required key 'cpus'", "svc.yml:7:9: pods.web.tasks.t: missing required key 'memory'"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Volume_and_volumes_together_are_refused()
    {
        var result = Load(Valid.Replace("        volume:\n", "        volumes:\n          v:\n            path: x\n            type: ROOT\n            size: 1\n        volume:\n"));

        Assert.Contains(result.Errors, e => e.Path == "pods.web.tasks.server" && e.Message == "'volume' and 'volumes' cannot be used together; use one");
    }

    [Fact]
    public void Duplicate_keys_and_yaml_syntax_errors_are_located()
    {
        var duplicate = Load("name: a\nname: b\npods: {}\n");
        var error = Assert.Single(duplicate.Errors);
        Assert.StartsWith("svc.yml:2:1: invalid YAML", error.ToString());

        var syntax = Load("name: svc\npods:\n  web: [\n");
        Assert.StartsWith("svc.yml:", Assert.Single(syntax.Errors).ToString());
        Assert.Contains("invalid YAML", syntax.Errors[0].Message);
    }

    [Fact]
    public void Steps_naming_unknown_tasks_pods_or_indexes_are_refused()
    {
        var result = Load(Valid + """

            plans:
              deploy:
                phases:
                  a:
                    pod: web
                    steps:
                      - 7: [[server]]
                      - default: [[serve]]
                  b:
                    pod: nope
            """);

        Assert.Contains(result.Errors, e => e.Message == "pod 'web' has no task 'serve'; tasks are: init, server");
        Assert.Contains(result.Errors, e => e.Message == "pod 'web' has 2 instances; there is no index 7");
        Assert.Contains(result.Errors, e => e.Path == "plans.deploy.phases.b.pod" && e.Message == "no pod named 'nope'; pods are: web");
    }

    [Fact]
    public void A_missing_file_is_one_clear_error()
    {
        var result = ServiceSpecLoader.LoadFile(Path.Combine(_dir, "nope.yml"));

        Assert.Equal($"{Path.Combine(_dir, "nope.yml")}:1:1: cannot read the spec: no such file", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void A_bad_line_in_the_defaults_file_is_located()
    {
        var spec = Write("svc.yml", Valid);
        File.WriteAllText(Path.Combine(_dir, "svc.env"), "OK=1\nnot a pair\n");

        var result = ServiceSpecLoader.LoadFile(spec, environment: new Dictionary<string, string>());

        Assert.Equal($"{Path.Combine(_dir, "svc.env")}:2:1: expected KEY=VALUE with KEY made of letters, digits and '_', found 'not a pair'", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Rendered_text_round_trips_through_LoadRendered()
    {
        var first = ServiceSpecLoader.LoadFile(Example("hello-world/svc.yml"), environment: new Dictionary<string, string>());
        var again = ServiceSpecLoader.LoadRendered(first.RenderedText!, "stored");

        Assert.True(again.IsValid);
        Assert.Equal(SpecFingerprint.Of(first.Spec!.Pods[1]), SpecFingerprint.Of(again.Spec!.Pods[1]));
    }

    [Fact]
    public void Fingerprints_ignore_count_but_see_every_task_change()
    {
        var pod = Load(Valid).Spec!.Pods[0];

        Assert.Equal(SpecFingerprint.Of(pod), SpecFingerprint.Of(pod with { Count = 9, AllowDecommission = true }));
        var changed = pod with { Tasks = pod.Tasks.SetItem(1, pod.Tasks[1] with { Cpus = 2 }) };
        Assert.NotEqual(SpecFingerprint.Of(pod), SpecFingerprint.Of(changed));
    }

    private static SpecLoadResult Load(string yaml) => ServiceSpecLoader.LoadRendered(yaml, "svc.yml");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Example(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "ActorScheduler.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir.FullName, "examples", relative);
    }
}
