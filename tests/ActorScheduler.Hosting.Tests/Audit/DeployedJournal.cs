using ActorScheduler.Hosting.Cli;
using ActorScheduler.Messages.Plans;
using Microsoft.Data.Sqlite;

namespace ActorScheduler.Hosting.Tests.Audit;

/// <summary>
/// The journal a real deployment leaves: <c>run</c> of hello-world (one hello, two world pods placed hostname:UNIQUE) on
/// one local agent of the embedded emulator, in-process. hello-0 and world-0 deploy; no offer can ever fit world-1, so
/// the deploy plan stays in progress, its offers skipped cycle after cycle; an operator pauses and resumes the plan
/// (<c>plan pause|resume deploy</c>), and the run is stopped. Before it stops, <c>audit</c> reads the journal of the
/// running scheduler (<see cref="WhileRunning"/>). Shared by the tests of a class: one deployment, a few seconds.
/// </summary>
public sealed class DeployedJournal : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"actorscheduler-audit-{Guid.NewGuid():N}");

    public string DataDir => Path.Combine(_dir, "data");

    public string Journal => Path.Combine(DataDir, "journal.db");

    /// <summary>What <c>audit --data-dir</c> printed while the scheduler was still running, and its exit code.</summary>
    public (int Code, string Output, string Error) WhileRunning { get; private set; }

    /// <summary>A scratch directory of the test class, removed with the journal.</summary>
    public string Scratch => Path.Combine(_dir, "scratch");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Scratch);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var spec = Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml");
        var port = EndToEnd.SchedulerProcess.FreePort();
        var api = $"http://127.0.0.1:{port}";
        var run = RunCommand.RunAsync(new RunArguments(spec, ["SLEEP_DURATION=300"], DataDir, port, 0, 1, null, false), TextWriter.Null, TextWriter.Null, stop.Token);
        try
        {
            // As an operator would see it: world-0's step completed, world-1's is the one left.
            await UntilAsync(run, async () =>
            {
                // 202 while the plan is in progress, as DC/OS answers.
                using var client = await ApiClient.CreateAsync(api, TextWriter.Null);
                var answer = client is null ? null : await client.GetAsync("v1/plans/deploy", TextWriter.Null, stop.Token);
                return answer is { StatusCode: 200 or 202 } && answer.Body.GetProperty("phases").EnumerateArray().SelectMany(p => p.GetProperty("steps").EnumerateArray())
                    .Any(s => s.GetProperty("name").GetString() == "world-0:[server]" && s.GetProperty("status").GetString() == "COMPLETE");
            }, stop.Token);

            // Operator actions, answered once journaled.
            foreach (var kind in new[] { PlanCommandKind.Interrupt, PlanCommandKind.Continue })
            {
                Assert.Equal(0, await PlanCli.CommandAsync(api, kind, "deploy", null, null, [], TextWriter.Null, TextWriter.Null, stop.Token));
            }

            // The offers of the one agent skipped for world-1 (hostname:UNIQUE) at least once.
            await UntilAsync(run, async () =>
            {
                var output = new StringWriter();
                await AuditCommand.RunAsync(new AuditArguments(DataDir: DataDir, Pod: "world-1", Offers: true), output, TextWriter.Null);
                return output.ToString().Contains("SkippedOffers", StringComparison.Ordinal);
            }, stop.Token);

            var (output, error) = (new StringWriter(), new StringWriter());
            var code = await AuditCommand.RunAsync(new AuditArguments(DataDir: DataDir, Limit: 0), output, error);
            WhileRunning = (code, output.ToString(), error.ToString());
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run);
            SqliteConnection.ClearAllPools();
        }
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails if the run ended first.</summary>
    private static async Task UntilAsync(Task<int> run, Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            Assert.False(run.IsCompleted, "run ended before the deployment got there");
            await Task.Delay(100, ct);
        }
    }
}
