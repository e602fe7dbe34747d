using ActorScheduler.Hosting.Cli;
using Microsoft.Data.Sqlite;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary><c>run</c> on a journal it cannot read: one <c>error:</c> line naming the journal, a non-zero exit, no stack trace.</summary>
public sealed class RunCommandJournalTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"actorscheduler-journal-{Guid.NewGuid():N}");

    public RunCommandJournalTests() => Directory.CreateDirectory(_dir);

    private string DataDir => Path.Combine(_dir, "data");

    private string Journal => Path.Combine(DataDir, "journal.db");

    [Fact]
    public async Task A_stream_with_an_event_of_unknown_type_stops_the_scheduler_and_run_exits_1_naming_the_stream()
    {
        await CreateJournalAsync();
        using (var connection = new SqliteConnection(Persistence.SqliteJournal.ConnectionString(Journal)))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            // A framework event of a type a newer version wrote.
            insert.CommandText = """
                insert into journal(created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid)
                values ($created, 0, 'hello-world/framework', 2, x'0a03616263', '', 'actorscheduler.v1.FrameworkRenamed', 4100, 'x')
                """;
            insert.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            insert.ExecuteNonQuery();
        }

        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(Args(), output, error, guard.Token);

        Assert.False(guard.IsCancellationRequested, "run kept going on a journal it cannot replay");
        Assert.Equal(1, code);
        var line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.StartsWith($"error: journal {Journal}: the journal stream hello-world/framework cannot be replayed: unknown event type actorscheduler.v1.FrameworkRenamed", line);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// A journal as a first <c>run</c> leaves it: run against a master that is not there (nothing subscribes), stopped
    /// once the target config is stored.
    /// </summary>
    private async Task CreateJournalAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = RunCommand.RunAsync(Args(), TextWriter.Null, TextWriter.Null, stop.Token);
        while (!stop.IsCancellationRequested && !HasConfig())
        {
            await Task.Delay(100);
        }

        stop.Cancel();
        Assert.Equal(0, await run);
        SqliteConnection.ClearAllPools();

        bool HasConfig()
        {
            if (!File.Exists(Journal))
            {
                return false;
            }

            try
            {
                using var connection = new SqliteConnection(Persistence.SqliteJournal.ConnectionString(Journal));
                connection.Open();
                using var query = connection.CreateCommand();
                query.CommandText = "select count(*) from journal where persistence_id = 'hello-world/config'";
                return Convert.ToInt64(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
            }
            catch (SqliteException)
            {
                // The table is not created yet.
                return false;
            }
        }
    }

    private static string HelloWorld => Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml");

    private RunArguments Args() => new(HelloWorld, [], DataDir, 0, 0, 1, "http://127.0.0.1:1", false);
}
