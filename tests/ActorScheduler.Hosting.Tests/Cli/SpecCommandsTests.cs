using System.Text.Json;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.EndToEnd;

namespace ActorScheduler.Hosting.Tests.Cli;

public sealed class SpecCommandsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"actorscheduler-spec-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

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
    public async Task A_spec_that_is_not_UTF_8_is_one_error_at_its_first_foreign_byte()
    {
        var spec = TempFile(".yml");
        // "café" in Latin-1: was read as 'caf\uFFFD' and the spec loaded with a name nobody wrote.
        File.WriteAllBytes(spec, [.. "name: hello\npods:\n  caf"u8, 0xE9, .. ":\n    count: 1\n"u8]);
        var (output, error) = (new StringWriter(), new StringWriter());

        var code = await SpecCommands.ValidateAsync(spec, [], output, error);

        Assert.Equal(1, code);
        Assert.Equal($"error: {spec}:3:6: (file): the file is not UTF-8 text (byte 0xE9 here); save it as UTF-8", error.ToString().Trim());
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task A_binary_file_given_as_the_spec_is_one_error_not_a_page_of_template_errors()
    {
        var spec = TempFile(".yml");
        File.WriteAllBytes(spec, [.. "{{"u8, 0x00, 0xFF, 0xFE, .. Enumerable.Repeat((byte)'{', 5000)]);
        var error = new StringWriter();

        Assert.Equal(1, await SpecCommands.ValidateAsync(spec, [], TextWriter.Null, error));

        Assert.Equal($"error: {spec}:1:4: (file): the file is not UTF-8 text (byte 0xFF here); save it as UTF-8", error.ToString().Trim());
    }

    [Fact]
    public async Task Megabytes_of_garbage_are_one_short_error_line_not_the_garbage_echoed()
    {
        var spec = TempFile(".yml");
        File.WriteAllText(spec, new string('x', 10_000_000));
        var error = new StringWriter();

        Assert.Equal(1, await SpecCommands.ValidateAsync(spec, [], TextWriter.Null, error));

        // Was the whole 10 MB value inside the quotes.
        Assert.Equal(
            $"error: {spec}:1:1: (root): expected a service spec (a mapping of name, web-url, scheduler, pods, plans), found '{new string('x', 60)}…' (10,000,000 characters)",
            error.ToString().Trim());
    }

    [Fact]
    public async Task A_value_with_line_breaks_is_quoted_on_one_line()
    {
        var spec = TempFile(".yml");
        File.WriteAllText(spec, "name: |\n  two\n  lines\npods:\n  web:\n    count: 1\n    tasks:\n      server:\n        goal: RUNNING\n        cmd: sleep 1\n        cpus: 0.1\n        memory: 32\n");
        var error = new StringWriter();

        Assert.Equal(1, await SpecCommands.ValidateAsync(spec, [], TextWriter.Null, error));

        Assert.Contains("found 'two\\nlines\\n'", Assert.Single(error.ToString().Trim().Split('\n')));
    }

    [Fact]
    public async Task A_spec_with_a_UTF_8_byte_order_mark_still_loads()
    {
        var spec = TempFile(".yml");
        File.WriteAllBytes(spec, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes("name: cafe\npods:\n  web:\n    count: 1\n    tasks:\n      server:\n        goal: RUNNING\n        cmd: echo caf\u00e9\n        cpus: 0.1\n        memory: 32\n")]);
        var error = new StringWriter();

        var code = await SpecCommands.ValidateAsync(spec, [], TextWriter.Null, error);

        Assert.Equal(string.Empty, error.ToString());
        Assert.Equal(0, code);
    }

    private string TempFile(string extension)
    {
        Directory.CreateDirectory(_dir);
        return Path.Combine(_dir, "svc" + extension);
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
    public async Task Validate_json_says_valid_with_no_errors_and_exits_0()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(0, await SpecCommands.ValidateAsync(HelloWorld, [], output, error, json: true));

        using var json = JsonDocument.Parse(output.ToString());
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("errors").GetArrayLength());
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task Validate_json_lists_every_error_with_file_line_column_path_and_message_and_exits_1_as_the_text_does()
    {
        var dir = Directory.CreateTempSubdirectory("validate-json").FullName;
        try
        {
            var spec = Path.Combine(dir, "svc.yml");
            File.WriteAllText(spec, "name: svc\npods:\n  p:\n    count: x\n    tasks:\n      a:\n        goal: RUNNING\n        cmd: sleep 1\n        cpus: -1\n        memory: 32\n        colour: red\n");
            var (output, error) = (new StringWriter(), new StringWriter());

            var code = await SpecCommands.ValidateAsync(spec, [], output, error, json: true);

            Assert.Equal(1, code);
            Assert.Empty(error.ToString());
            using var json = JsonDocument.Parse(output.ToString());
            Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
            var errors = json.RootElement.GetProperty("errors").EnumerateArray()
                .Select(e => (File: e.GetProperty("file").GetString(), Line: e.GetProperty("line").GetInt32(), Column: e.GetProperty("column").GetInt32(),
                    Path: e.GetProperty("path").GetString(), Message: e.GetProperty("message").GetString()))
                .ToList();
            Assert.Equal(
                [(spec, 4, 12, "pods.p.count"), (spec, 11, 9, "pods.p.tasks.a.colour"), (spec, 9, 15, "pods.p.tasks.a.cpus")],
                errors.Select(e => (e.File, e.Line, e.Column, e.Path)));
            Assert.Equal("expected an integer from 0 to 100000, found 'x'", errors[0].Message);
            Assert.StartsWith("unknown key 'colour'; expected one of: goal, cmd, ", errors[1].Message);
            Assert.Equal("expected a number > 0, found '-1'", errors[2].Message);

            // The text form: the same errors, one line each, and the same exit code.
            var (textOutput, textError) = (new StringWriter(), new StringWriter());
            Assert.Equal(code, await SpecCommands.ValidateAsync(spec, [], textOutput, textError));
            Assert.Equal(errors.Select(e => $"error: {e.File}:{e.Line}:{e.Column}: {e.Path}: {e.Message}"), textError.ToString().Trim().Split('\n'));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Validate_json_places_an_update_refusal_in_the_spec_file()
    {
        var dir = Directory.CreateTempSubdirectory("validate-json-previous").FullName;
        try
        {
            var env = File.ReadAllText(Path.ChangeExtension(HelloWorld, ".env"));
            File.WriteAllText(Path.Combine(dir, "old.yml"), File.ReadAllText(HelloWorld));
            File.WriteAllText(Path.Combine(dir, "old.env"), env);
            File.WriteAllText(Path.Combine(dir, "new.yml"), File.ReadAllText(HelloWorld).Replace("'{{{HELLO_PLACEMENT}}}'", "'@zone:GROUP_BY:3'"));
            File.WriteAllText(Path.Combine(dir, "new.env"), env);
            var (output, error) = (new StringWriter(), new StringWriter());

            Assert.Equal(1, await SpecCommands.ValidateAsync(Path.Combine(dir, "new.yml"), [], output, error, Path.Combine(dir, "old.yml"), json: true));

            using var json = JsonDocument.Parse(output.ToString());
            var refusal = Assert.Single(json.RootElement.GetProperty("errors").EnumerateArray().ToList());
            Assert.Equal(Path.Combine(dir, "new.yml"), refusal.GetProperty("file").GetString());
            Assert.Equal((7, 16), (refusal.GetProperty("line").GetInt32(), refusal.GetProperty("column").GetInt32()));
            Assert.Equal("pods.hello.placement", refusal.GetProperty("path").GetString());
            Assert.Contains("cannot start referring to @zone", refusal.GetProperty("message").GetString());
            Assert.Empty(error.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Validate_json_of_a_file_it_cannot_read_is_a_located_error_object_with_the_text_forms_exit_code()
    {
        var dir = Directory.CreateTempSubdirectory("validate-json-missing").FullName;
        try
        {
            foreach (var (path, message) in new[]
            {
                (Path.Combine(dir, "missing.yml"), "cannot read the spec: the file does not exist"),
                (dir, "cannot read the spec: the file is a directory, not a spec file"),
            })
            {
                var (output, error) = (new StringWriter(), new StringWriter());
                var code = await SpecCommands.ValidateAsync(path, [], output, error, json: true);

                Assert.Equal(await SpecCommands.ValidateAsync(path, [], new StringWriter(), new StringWriter()), code);
                Assert.Equal(1, code);
                Assert.Empty(error.ToString());
                using var json = JsonDocument.Parse(output.ToString());
                Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
                var single = Assert.Single(json.RootElement.GetProperty("errors").EnumerateArray().ToList());
                Assert.Equal(
                    (path, 1, 1, "(file)", message),
                    (single.GetProperty("file").GetString(), single.GetProperty("line").GetInt32(), single.GetProperty("column").GetInt32(),
                        single.GetProperty("path").GetString(), single.GetProperty("message").GetString()));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Validate_json_from_the_command_line_prints_only_the_document_and_has_help()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"actorscheduler-missing-{Guid.NewGuid():N}.yml");

        var (code, output, error) = await CliProcess.RunAsync("validate", missing, "--json");

        Assert.Equal(1, code);
        Assert.Empty(error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
            Assert.Equal(missing, Assert.Single(json.RootElement.GetProperty("errors").EnumerateArray().ToList()).GetProperty("file").GetString());
        }

        var (helpCode, help, helpError) = await CliProcess.RunAsync("validate", "--json", "--help");

        Assert.Equal(0, helpCode);
        Assert.Empty(helpError);
        Assert.Contains("actorscheduler validate <spec> [options]", help);
        Assert.Matches(@"\n  --json +Print the verdict and every error", help);
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
