using ActorScheduler.Hosting.Cli;
using Microsoft.Data.Sqlite;

namespace ActorScheduler.Hosting.Tests.Audit;

/// <summary>
/// The journal a real deployment leaves: <c>run</c> of hello-world (one hello, two world pods) on two local agents of the
/// embedded emulator, in-process, stopped once the deploy completed. Before it stops, <c>audit</c> reads the journal of
/// the running scheduler (<see cref="WhileRunning"/>). Shared by the tests of a class: one deployment, a few seconds.
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
        var run = RunCommand.RunAsync(new RunArguments(spec, ["SLEEP_DURATION=300"], DataDir, 0, 0, 2, null, false), TextWriter.Null, TextWriter.Null, stop.Token);
        try
        {
            // Polling the file, as an operator would: the deploy is complete once the config stream records it.
            while (!HasRow("hello-world/config", "actorscheduler.v1.DeploymentCompleted"))
            {
                Assert.False(run.IsCompleted, "run ended before the deploy completed");
                stop.Token.ThrowIfCancellationRequested();
                await Task.Delay(100, stop.Token);
            }

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

    private bool HasRow(string persistenceId, string manifest)
    {
        if (!File.Exists(Journal))
        {
            return false;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={Journal};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var query = connection.CreateCommand();
            query.CommandText = "select count(*) from journal where persistence_id = $id and manifest = $manifest";
            query.Parameters.AddWithValue("$id", persistenceId);
            query.Parameters.AddWithValue("$manifest", manifest);
            return Convert.ToInt64(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
        }
        catch (SqliteException)
        {
            // The table is not created yet.
            return false;
        }
    }
}
