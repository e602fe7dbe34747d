using System.Text.Json;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.EndToEnd;

namespace ActorScheduler.Hosting.Tests.Cli;

public sealed class SpecCommandsTests
{
    private static string HelloWorld => Path.Combine(SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml");

    [Fact]
    public async Task Validate_prints_valid_for_every_example()
    {
        foreach (var spec in Directory.EnumerateFiles(Path.Combine(SchedulerProcess.RepoRoot, "examples"), "svc.yml", SearchOption.AllDirectories))
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(0, await SpecCommands.ValidateAsync(spec, [], output, error));
            Assert.Equal("valid", output.ToString().Trim());
        }
    }

    [Fact]
    public async Task Validate_prints_each_located_error_and_exits_1()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        var code = await SpecCommands.ValidateAsync(HelloWorld, ["HELLO_COUNT=x", "WORLD_CPUS=-1"], output, error);

        Assert.Equal(1, code);
        Assert.Empty(output.ToString());
        Assert.Equal(
            [$"error: {HelloWorld}:6:12: pods.hello.count: expected an integer from 0 to 100000, found 'x'", $"error: {HelloWorld}:34:15: pods.world.tasks.server.cpus: expected a number > 0, found '-1'"],
            error.ToString().Trim().Split('\n'));
    }

    [Fact]
    public async Task An_option_that_is_no_key_value_is_bad_arguments_exit_2_as_for_run_in_validate_render_and_update()
    {
        foreach (var command in new Func<TextWriter, TextWriter, Task<int>>[]
        {
            (o, e) => SpecCommands.ValidateAsync(HelloWorld, ["HELLO_COUNT"], o, e),
            (o, e) => SpecCommands.RenderAsync(HelloWorld, ["HELLO_COUNT"], false, o, e),
            // Refused before the scheduler is asked: nothing listens there.
            (o, e) => UpdateCli.StartAsync($"http://127.0.0.1:{SchedulerProcess.FreePort()}", HelloWorld, ["HELLO_COUNT"], o, e, CancellationToken.None),
        })
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(2, await command(output, error));
            Assert.Equal("error: -o expects KEY=VALUE, got 'HELLO_COUNT'", error.ToString().Trim());
            Assert.Empty(output.ToString());
        }
    }

    [Fact]
    public async Task Validate_previous_refuses_an_update_that_changes_a_volume()
    {
        var dir = Directory.CreateTempSubdirectory("validate-previous").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "old.yml"), File.ReadAllText(HelloWorld));
            File.WriteAllText(Path.Combine(dir, "old.env"), File.ReadAllText(Path.ChangeExtension(HelloWorld, ".env")));
            File.WriteAllText(Path.Combine(dir, "new.yml"), File.ReadAllText(HelloWorld).Replace("path: hello-container-path", "path: renamed-path"));
            File.WriteAllText(Path.Combine(dir, "new.env"), File.ReadAllText(Path.ChangeExtension(HelloWorld, ".env")));
            var (output, error) = (new StringWriter(), new StringWriter());

            var code = await SpecCommands.ValidateAsync(Path.Combine(dir, "new.yml"), [], output, error, Path.Combine(dir, "old.yml"));

            Assert.Equal(1, code);
            Assert.Contains("hello-container-path", error.ToString());
            Assert.Matches($"^error: {System.Text.RegularExpressions.Regex.Escape(Path.Combine(dir, "new.yml"))}:\\d+:\\d+: pods\\.hello\\.", error.ToString());
            Assert.Empty(output.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Validate_previous_refuses_an_update_that_starts_placing_by_zone()
    {
        var dir = Directory.CreateTempSubdirectory("validate-previous").FullName;
        try
        {
            var env = File.ReadAllText(Path.ChangeExtension(HelloWorld, ".env"));
            File.WriteAllText(Path.Combine(dir, "old.yml"), File.ReadAllText(HelloWorld));
            File.WriteAllText(Path.Combine(dir, "old.env"), env);
            File.WriteAllText(Path.Combine(dir, "new.yml"), File.ReadAllText(HelloWorld).Replace("'{{{HELLO_PLACEMENT}}}'", "'@zone:GROUP_BY:3'"));
            File.WriteAllText(Path.Combine(dir, "new.env"), env);
            var (output, error) = (new StringWriter(), new StringWriter());

            var code = await SpecCommands.ValidateAsync(Path.Combine(dir, "new.yml"), [], output, error, Path.Combine(dir, "old.yml"));

            Assert.Equal(1, code);
            var refusal = Assert.Single(error.ToString().Trim().Split('\n'));
            Assert.StartsWith($"error: {Path.Combine(dir, "new.yml")}:7:16: pods.hello.placement: ", refusal);
            Assert.Contains("cannot start referring to @zone", refusal);
            Assert.Empty(output.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Validate_previous_checks_a_change_of_values_alone()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        var code = await SpecCommands.ValidateAsync(HelloWorld, ["WORLD_COUNT=1"], output, error, HelloWorld);

        Assert.Equal(1, code);
        Assert.Contains("pods.world", error.ToString());
    }

    [Fact]
    public async Task Validate_places_a_check_of_the_whole_spec_at_its_key()
    {
        var dir = Directory.CreateTempSubdirectory("validate-limits").FullName;
        try
        {
            var spec = Path.Combine(dir, "svc.yml");
            File.WriteAllText(spec, "name: svc\npods:\n  p:\n    count: 1\n    tasks:\n      a:\n        goal: RUNNING\n        cmd: sleep 1\n        cpus: 0.5\n        memory: 32\n        resource-limits: {cpus: 0.1}\n");
            var (output, error) = (new StringWriter(), new StringWriter());

            Assert.Equal(1, await SpecCommands.ValidateAsync(spec, [], output, error));

            var refusal = Assert.Single(error.ToString().Trim().Split('\n'));
            Assert.StartsWith($"error: {spec}:11:33: pods.p.tasks.a.resource-limits.cpus: Task 'a' of pod 'p' limits cpus to 0.1 but requests 0.5", refusal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Render_prints_the_rendered_spec_and_the_plan_trees()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(0, await SpecCommands.RenderAsync(HelloWorld, ["HELLO_COUNT=2"], json: false, output, error));

        var text = output.ToString();
        Assert.Contains("name: hello-world\n", text);
        Assert.EndsWith(
            """
            deploy (serial strategy)
            ├─ hello (serial strategy)
            │  ├─ hello-0:[server]
            │  └─ hello-1:[server]
            └─ world (serial strategy)
               ├─ world-0:[server]
               └─ world-1:[server]

            """,
            text);
    }

    [Fact]
    public async Task Render_json_carries_the_rendered_text_and_the_model()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(0, await SpecCommands.RenderAsync(HelloWorld, [], json: true, output, error));

        using var json = JsonDocument.Parse(output.ToString());
        Assert.StartsWith("# hello-world", json.RootElement.GetProperty("rendered").GetString());
        var pods = json.RootElement.GetProperty("spec").GetProperty("pods");
        Assert.Equal(["hello", "world"], pods.EnumerateArray().Select(p => p.GetProperty("type").GetString()));
        Assert.Equal("running", pods[0].GetProperty("tasks")[0].GetProperty("goal").GetString());
        Assert.Equal("[[\"hostname\", \"UNIQUE\"]]", pods[0].GetProperty("placement-text").GetString());
        Assert.Equal("hostname:UNIQUE", pods[0].GetProperty("placement").GetString());
    }
}
