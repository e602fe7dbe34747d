using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>
/// <c>--help</c> lists optional arguments as optional (<c>[&lt;phase&gt;]</c>) in its Arguments section, as its usage
/// line does; System.CommandLine lists every argument as <c>&lt;phase&gt;</c> there.
/// </summary>
public sealed class HelpTextTests
{
    [Fact]
    public void Optional_arguments_are_bracketed_and_the_descriptions_realigned()
    {
        var command = new Command("pause", "Pause.")
        {
            new Argument<string>("plan") { Description = "Plan name." },
            new Argument<string?>("phase") { Description = "Phase name.", Arity = ArgumentArity.ZeroOrOne },
        };
        var root = new RootCommand("r") { command };
        var help = new StringWriter();
        root.Parse("pause --help").Invoke(new InvocationConfiguration { Output = help });
        Assert.Contains("  <plan>   Plan name.\n  <phase>  Phase name.\n", help.ToString());

        var marked = HelpText.MarkOptionalArguments(help.ToString(), command);

        Assert.Contains("Arguments:\n  <plan>     Plan name.\n  [<phase>]  Phase name.\n\nOptions:\n", marked);
        Assert.Equal(help.ToString().Replace("<plan>   Plan", "<plan>     Plan").Replace("<phase>  Phase", "[<phase>]  Phase"), marked);
    }

    [Fact]
    public void A_wrapped_description_keeps_its_continuation_lines_under_it()
    {
        var command = new Command("status") { new Argument<string?>("pod") { Arity = ArgumentArity.ZeroOrOne } };
        const string help = "Usage:\n  x status [<pod>]\n\nArguments:\n  <pod>  One pod instance;\n         all when left out.\n\nOptions:\n  -h  Help\n";

        Assert.Equal(
            "Usage:\n  x status [<pod>]\n\nArguments:\n  [<pod>]  One pod instance;\n           all when left out.\n\nOptions:\n  -h  Help\n",
            HelpText.MarkOptionalArguments(help, command));
    }

    [Fact]
    public void Help_without_optional_arguments_is_left_as_it_is()
    {
        var command = new Command("info") { new Argument<string>("pod") };
        const string help = "Arguments:\n  <pod>  Pod.\n\n";

        Assert.Same(help, HelpText.MarkOptionalArguments(help, command));
    }

    /// <summary>Every command of the executable, from the root's help down: each argument listed as its usage line has it.</summary>
    [Fact]
    public async Task Every_commands_help_lists_its_arguments_as_optional_exactly_when_its_usage_line_does()
    {
        var pending = new Queue<string[]>([[]]);
        var checkedOptional = new List<string>();
        while (pending.TryDequeue(out var path))
        {
            var help = await HelpAsync(path);
            var usage = Regex.Match(help, @"Usage:\n  (.*)\n").Groups[1].Value;
            foreach (var label in Section(help, "Arguments"))
            {
                var name = label.Trim('[', ']');
                var optional = usage.Contains("[" + name, StringComparison.Ordinal);
                Assert.True(label == (optional ? $"[{name}]" : name), $"{string.Join(' ', path)} --help lists {label}; its usage line: {usage}");
                if (optional)
                {
                    checkedOptional.Add($"{string.Join(' ', path)} {label}");
                }
            }

            foreach (var sub in Section(help, "Commands"))
            {
                pending.Enqueue([.. path, sub]);
            }
        }

        Assert.Contains("plan pause [<phase>]", checkedOptional);
        Assert.Contains("plan resume [<phase>]", checkedOptional);
        Assert.Contains("update force-restart [<step>]", checkedOptional);
        Assert.Contains("endpoints [<name>]", checkedOptional);
    }

    /// <summary>The first column of a help section's rows (Arguments, Commands).</summary>
    private static IEnumerable<string> Section(string help, string name)
    {
        var at = help.IndexOf($"\n{name}:\n", StringComparison.Ordinal);
        if (at < 0)
        {
            yield break;
        }

        foreach (var line in help[(at + name.Length + 3)..].Split('\n').TakeWhile(l => l.Trim().Length > 0))
        {
            if (line.Length > 2 && line[2] != ' ')
            {
                yield return line[2..].Split(' ', 2)[0];
            }
        }
    }

    private static async Task<string> HelpAsync(string[] path)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actorscheduler.dll"));
        foreach (var part in path.Append("--help"))
        {
            info.ArgumentList.Add(part);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{string.Join(' ', path)} --help exited {process.ExitCode}: {await error}");
        return (await output).ReplaceLineEndings("\n");
    }
}
