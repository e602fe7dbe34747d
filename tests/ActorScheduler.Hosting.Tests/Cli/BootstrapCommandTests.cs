using System.Diagnostics;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary><c>actorscheduler bootstrap</c>: renders the templates its CONFIG_TEMPLATE_* variables name, or says exactly what is wrong.</summary>
public sealed class BootstrapCommandTests : IDisposable
{
    private readonly string _sandbox = Path.Combine(Path.GetTempPath(), $"actorscheduler-bootstrap-{Guid.NewGuid():N}");

    public BootstrapCommandTests() => Directory.CreateDirectory(Path.Combine(_sandbox, "config-templates"));

    public void Dispose() => Directory.Delete(_sandbox, recursive: true);

    private Dictionary<string, string> Env(params (string Name, string Value)[] variables)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["MESOS_SANDBOX"] = _sandbox, ["TASK_NAME"] = "worker-0-run" };
        foreach (var (name, value) in variables)
        {
            env[name] = value;
        }

        return env;
    }

    private void Template(string name, string text) => File.WriteAllText(Path.Combine(_sandbox, "config-templates", name), text);

    private static async Task<(int Code, string Output, string Error)> RunAsync(Dictionary<string, string> env, bool printEnv = false, bool template = true, bool allowMissing = false)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await BootstrapCommand.RunAsync(env, printEnv, template, allowMissing, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Every_template_is_rendered_with_the_environment_into_its_destination_creating_directories()
    {
        Template("settings", "task={{TASK_NAME}}\n{{#METRICS}}metrics=on\n{{/METRICS}}{{^METRICS}}metrics=off\n{{/METRICS}}threads={{THREADS}}\n");
        Template("log", "level={{LOG_LEVEL}}\n");

        var (code, output, error) = await RunAsync(Env(
            ("CONFIG_TEMPLATE_SETTINGS", "config-templates/settings,conf/deep/worker.conf"),
            ("CONFIG_TEMPLATE_LOG", "config-templates/log,log.properties"),
            ("THREADS", "4"), ("LOG_LEVEL", "debug"), ("METRICS", "TRUE")));

        Assert.Equal((0, ""), (code, error));
        Assert.Equal("task=worker-0-run\nmetrics=on\nthreads=4\n", File.ReadAllText(Path.Combine(_sandbox, "conf", "deep", "worker.conf")));
        Assert.Equal("level=debug\n", File.ReadAllText(Path.Combine(_sandbox, "log.properties")));
        Assert.Equal("rendered config-templates/log to log.properties\nrendered config-templates/settings to conf/deep/worker.conf\n", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Print_env_prints_the_environment_sorted_and_no_template_renders_nothing()
    {
        Template("settings", "x={{X}}\n");

        var (code, output, _) = await RunAsync(Env(("CONFIG_TEMPLATE_SETTINGS", "config-templates/settings,out.conf"), ("A", "1")), printEnv: true, template: false);

        Assert.Equal(0, code);
        Assert.Equal($"A=1\nCONFIG_TEMPLATE_SETTINGS=config-templates/settings,out.conf\nMESOS_SANDBOX={_sandbox}\nTASK_NAME=worker-0-run\n", output.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(Path.Combine(_sandbox, "out.conf")));
    }

    [Fact]
    public async Task A_missing_template_file_names_the_variable_and_the_file()
    {
        var (code, _, error) = await RunAsync(Env(("CONFIG_TEMPLATE_SETTINGS", "config-templates/settings,conf/worker.conf")));

        Assert.Equal(1, code);
        Assert.Equal($"error: CONFIG_TEMPLATE_SETTINGS: template file 'config-templates/settings' not found in the sandbox {_sandbox} (the Mesos fetcher downloads it there from the task's URI)", error.Trim());
        Assert.False(File.Exists(Path.Combine(_sandbox, "conf", "worker.conf")));
    }

    [Fact]
    public async Task A_value_the_environment_lacks_is_an_error_at_its_line_unless_missing_values_are_allowed()
    {
        Template("settings", "threads={{THREADS}}\nheap={{HEAP}}\n");
        var env = Env(("CONFIG_TEMPLATE_SETTINGS", "config-templates/settings,worker.conf"), ("THREADS", "2"));

        var (code, _, error) = await RunAsync(env);
        Assert.Equal(1, code);
        Assert.Equal("error: CONFIG_TEMPLATE_SETTINGS: config-templates/settings:2:6: (template): no value for 'HEAP': the task's environment has no such variable", error.Trim());
        Assert.False(File.Exists(Path.Combine(_sandbox, "worker.conf")));

        Assert.Equal(0, (await RunAsync(env, allowMissing: true)).Code);
        Assert.Equal("threads=2\nheap=\n", File.ReadAllText(Path.Combine(_sandbox, "worker.conf")));
    }

    [Fact]
    public async Task A_template_that_does_not_parse_is_an_error_at_its_line()
    {
        Template("settings", "ok\n{{#SECTION}}never closed\n");

        var (code, _, error) = await RunAsync(Env(("CONFIG_TEMPLATE_SETTINGS", "config-templates/settings,worker.conf")));

        Assert.Equal(1, code);
        Assert.StartsWith("error: CONFIG_TEMPLATE_SETTINGS: config-templates/settings:2:", error, StringComparison.Ordinal);
        Assert.Contains("SECTION", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("config-templates/settings", "expected '<template>,<destination>' (two paths relative to the sandbox), got 'config-templates/settings'")]
    [InlineData("config-templates/settings,a,b", "expected '<template>,<destination>' (two paths relative to the sandbox), got 'config-templates/settings,a,b'")]
    [InlineData("config-templates/settings,", "expected '<template>,<destination>' (two paths relative to the sandbox), got 'config-templates/settings,'")]
    [InlineData("config-templates/settings,../escape.conf", "destination '../escape.conf' is not a path inside the sandbox {0}")]
    [InlineData("config-templates/settings,/etc/escape.conf", "destination '/etc/escape.conf' is not a path inside the sandbox {0}")]
    [InlineData("../settings,out.conf", "template '../settings' is not a path inside the sandbox {0}")]
    public async Task A_malformed_or_escaping_variable_is_refused_saying_what_was_expected(string value, string message)
    {
        Template("settings", "x\n");

        var (code, _, error) = await RunAsync(Env(("CONFIG_TEMPLATE_SETTINGS", value)));

        Assert.Equal(1, code);
        Assert.Equal($"error: CONFIG_TEMPLATE_SETTINGS: {string.Format(System.Globalization.CultureInfo.InvariantCulture, message, _sandbox)}", error.Trim());
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_sandbox)!, "escape.conf")));
    }

    [Fact]
    public async Task Every_bad_template_is_reported_and_the_good_ones_still_rendered()
    {
        Template("good", "fine\n");

        var (code, _, error) = await RunAsync(Env(
            ("CONFIG_TEMPLATE_A", "config-templates/missing,a.conf"),
            ("CONFIG_TEMPLATE_B", "config-templates/good,b.conf"),
            ("CONFIG_TEMPLATE_C", "bad")));

        Assert.Equal(1, code);
        var lines = error.Trim().ReplaceLineEndings("\n").Split('\n');
        Assert.Equal(["error: CONFIG_TEMPLATE_A", "error: CONFIG_TEMPLATE_C"], lines.Select(l => l[..l.IndexOf(": ", 7, StringComparison.Ordinal)]));
        Assert.Equal("fine\n", File.ReadAllText(Path.Combine(_sandbox, "b.conf")));
    }

    // The binary itself: --help, and without MESOS_SANDBOX the current directory is the sandbox.
    [Fact]
    public async Task The_command_renders_in_the_current_directory_without_MESOS_SANDBOX_and_documents_its_options()
    {
        Template("settings", "task={{TASK_NAME}}\n");
        var (code, output, _) = await ActorSchedulerAsync(_sandbox, new() { ["CONFIG_TEMPLATE_SETTINGS"] = "config-templates/settings,conf/w.conf", ["TASK_NAME"] = "web-0-server" }, "bootstrap");
        Assert.Equal(0, code);
        Assert.Contains("rendered config-templates/settings to conf/w.conf", output, StringComparison.Ordinal);
        Assert.Equal("task=web-0-server\n", File.ReadAllText(Path.Combine(_sandbox, "conf", "w.conf")));

        var help = await ActorSchedulerAsync(_sandbox, [], "bootstrap", "--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("--print-env", help.Output, StringComparison.Ordinal);
        Assert.Contains("--no-template", help.Output, StringComparison.Ordinal);

        var missing = await ActorSchedulerAsync(_sandbox, new() { ["CONFIG_TEMPLATE_X"] = "config-templates/x,x.conf" }, "bootstrap");
        Assert.Equal(1, missing.Code);
        Assert.StartsWith("error: CONFIG_TEMPLATE_X: template file 'config-templates/x' not found", missing.Error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> ActorSchedulerAsync(string cwd, Dictionary<string, string> env, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actorscheduler.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("MESOS_SANDBOX");
        foreach (var (name, value) in env)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
