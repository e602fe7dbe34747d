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
            Assert.Contains("Fatal: false", error.ToString());
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
            Assert.StartsWith("error: Field: 'pods.hello.placement';", refusal);
            Assert.Contains("cannot start referring to @zone", refusal);
            Assert.Empty(output.ToString());
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
