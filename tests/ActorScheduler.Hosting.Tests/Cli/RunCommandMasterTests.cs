using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary><c>run --master</c> at something that is no Mesos master: said so on one line, retried, stopped cleanly.</summary>
public sealed class RunCommandMasterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"actorscheduler-master-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_web_server_given_as_the_master_is_said_to_answer_an_HTML_page_and_the_subscription_is_retried()
    {
        const string Page = "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head><title>Error response</title></head>\n<body><h1>Error response</h1><p>Error code: 501</p></body>\n</html>\n";
        using var web = new StubApi(new() { ["api/v1/scheduler"] = Page }, 501, "text/html");
        var output = new StringWriter();
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var args = new RunArguments(
            Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"), [], Path.Combine(_dir, "data"), 0, 0, 1, web.Url, false);

        var run = RunCommand.RunAsync(args, output, TextWriter.Null, ctrlC.Token);
        // Until the first retry is logged (the log file, not the console writer, which the run writes from other threads).
        var log = Path.Combine(_dir, "data", RunLog.FileName);
        while (!ctrlC.IsCancellationRequested && !(File.Exists(log) && (await File.ReadAllTextAsync(log, CancellationToken.None)).Contains("retrying in", StringComparison.Ordinal)))
        {
            await Task.Delay(50, CancellationToken.None);
        }

        await ctrlC.CancelAsync();

        // Was the page itself, tags and all, in every retry's line.
        Assert.Equal(0, await run);
        Assert.Equal(
            $"Subscription to {web.Url}/ ended (Mesos master answered 501: an HTML page, which a Mesos master never sends: is that the address of a Mesos master?); retrying in 1s",
            Console().First(l => l.Contains("retrying in", StringComparison.Ordinal)));

        IEnumerable<string> Console() => output.ToString().Split('\n').Select(l => l.TrimEnd('\r'));
    }

    [Fact]
    public async Task Ctrl_C_while_the_scheduler_starts_stops_it_without_failure_lines()
    {
        using var ctrlC = new CancellationTokenSource();
        var output = new StringWriter();
        var error = new StringWriter();
        var args = new RunArguments(
            Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"), [], Path.Combine(_dir, "data"), 0, 0, 1, "http://127.0.0.1:1", false);

        // Cancelled as the host starts: the banner is the last thing written before.
        var run = RunCommand.RunAsync(args, new CancelOnLine(output, "data dir:", ctrlC), error, ctrlC.Token);

        // Was exit 130 and "Hosting failed to start: A task was canceled." (and the journal's cut-short start) on the console.
        Assert.Equal(0, await CommandGuard.RunAsync(() => run, error));
        Assert.Empty(error.ToString());
        Assert.Equal("stopping…", output.ToString().Trim().Split('\n').Last().Trim());
    }

    /// <summary>A console that presses Ctrl+C once a line starting with <paramref name="prefix"/> is written.</summary>
    private sealed class CancelOnLine(StringWriter inner, string prefix, CancellationTokenSource ctrlC) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void Write(char value) => inner.Write(value);

        public override void WriteLine(string? value)
        {
            inner.WriteLine(value);
            if (value?.StartsWith(prefix, StringComparison.Ordinal) == true)
            {
                ctrlC.Cancel();
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
