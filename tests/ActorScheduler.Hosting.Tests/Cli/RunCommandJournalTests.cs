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
        await CreateJournalWithANewerEventAsync();

        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(Args(), output, error, guard.Token);

        Assert.False(guard.IsCancellationRequested, "run kept going on a journal it cannot replay");
        Assert.Equal(1, code);
        var line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.StartsWith($"error: journal {Journal}: the journal stream hello-world/framework cannot be replayed: unknown event type actorscheduler.v1.FrameworkRenamed", line);
    }

    [Fact]
    public async Task The_executable_prints_why_the_scheduler_stopped_once_as_its_error_line_not_also_as_a_log_line()
    {
        await CreateJournalWithANewerEventAsync();

        using var run = EndToEnd.SchedulerProcess.Launch(0, ["run", HelloWorld, "--data-dir", DataDir, "--api-port", "0", "--master", "http://127.0.0.1:1"]);

        Assert.Equal(1, await run.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        var lines = run.Output.Split('\n').Where(l => l.Contains("cannot be replayed", StringComparison.Ordinal)).ToList();
        Assert.StartsWith($"error: journal {Journal}: the journal stream hello-world/framework cannot be replayed", Assert.Single(lines));
    }

    [Fact]
    public async Task A_journal_that_fails_under_run_is_one_line_a_failure_on_the_console_and_whole_in_the_log_file()
    {
        var port = EndToEnd.SchedulerProcess.FreePort();
        var api = $"http://127.0.0.1:{port}";
        var (output, error) = (new StringWriter(), new StringWriter());
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = RunCommand.RunAsync(Args() with { ApiPort = port }, output, error, guard.Token);
        // Started: the deploy plan answers (the config and the pods are recorded before it is built).
        while (!guard.IsCancellationRequested && await PlanCli.StatusAsync(api, "deploy", false, TextWriter.Null, TextWriter.Null, guard.Token) != 0)
        {
            await Task.Delay(100, CancellationToken.None);
        }

        // The journal's table is gone: the next write fails, and so does the restarted scheduler's replay.
        using (var connection = new SqliteConnection(Persistence.SqliteJournal.ConnectionString(Journal)))
        {
            connection.Open();
            using var rename = connection.CreateCommand();
            rename.CommandText = "alter table journal rename to journal_away";
            rename.ExecuteNonQuery();
        }

        // Not awaited first: its answer waits for the write.
        var interrupt = PlanCli.CommandAsync(api, ActorScheduler.Messages.Plans.PlanCommandKind.Interrupt, "deploy", null, null, [], TextWriter.Null, TextWriter.Null, guard.Token);
        var code = await run;
        await interrupt;

        Assert.False(guard.IsCancellationRequested, "run kept going on a journal it cannot write");
        Assert.Equal(1, code);
        var log = Path.Combine(DataDir, RunLog.FileName);
        var line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.StartsWith($"error: journal {Journal}: the journal stream hello-world/", line);
        Assert.EndsWith($"(details: {log})", line);

        // Each failure on its way there is one line with what SQLite said, no stack trace ...
        var console = output.ToString().Split('\n');
        // Which stream meets the missing table first is a race (the deploy's pods and steps write while the interrupt
        // does): any of them, each failure one line.
        var shown = $"the console said:\n{output}";
        Assert.True(console.Any(l => l.StartsWith("Failed to persist event type [", StringComparison.Ordinal)
                                     && l.Contains("no such table: journal", StringComparison.Ordinal)), shown);
        Assert.True(console.Any(l => l.StartsWith("the journal stream hello-world/", StringComparison.Ordinal) && l.Contains(" could not be written", StringComparison.Ordinal)), shown);
        Assert.DoesNotContain(console, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));

        // ... and whole in the data dir's log file, with the stack trace and why the scheduler stopped.
        var logged = await File.ReadAllTextAsync(log, guard.Token);
        Assert.Contains("SqliteException", logged);
        Assert.Contains("   at ", logged);
        Assert.Contains("The scheduler stops: ", logged);
    }

    [Fact]
    public async Task A_journal_of_another_service_is_refused_before_anything_starts()
    {
        await CreateJournalAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(Args() with { Overrides = ["FRAMEWORK_NAME=other-world"] }, output, error, guard.Token);

        Assert.Equal(2, code);
        Assert.Equal(
            $"error: journal {Journal} holds the service 'hello-world', not 'other-world': a data dir serves one service; give this one a --data-dir of its own (or run the spec of that service here)",
            Assert.Single(error.ToString().Trim().Split('\n')));
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task The_journal_of_the_same_service_is_not_mistaken_for_another_one()
    {
        await CreateJournalAsync();

        // Names that sort just before and after it ("hello-world/" < "hello-world0"), to check both bounds.
        Assert.Null(Persistence.SqliteJournal.CheckService(Journal, "hello-world"));
        Assert.Contains("holds the service 'hello-world'", Persistence.SqliteJournal.CheckService(Journal, "hello-worl"));
        Assert.Contains("holds the service 'hello-world'", Persistence.SqliteJournal.CheckService(Journal, "hello-world-2"));
        Assert.Null(Persistence.SqliteJournal.CheckService(Path.Combine(_dir, "none.db"), "hello-world"));
    }

    [Fact]
    public async Task A_file_that_is_no_SQLite_database_is_refused_before_anything_starts()
    {
        Directory.CreateDirectory(DataDir);
        File.WriteAllText(Journal, new string('x', 5000));

        await AssertRefusedAsync("file is not a database");
    }

    [Fact]
    public async Task A_truncated_journal_is_refused_before_anything_starts()
    {
        CreateDatabase();
        using (var file = new FileStream(Journal, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }

        await AssertRefusedAsync("SQLite");
    }

    [Fact]
    public async Task A_journal_with_a_corrupt_page_is_refused_before_anything_starts()
    {
        CreateDatabase();
        using (var file = new FileStream(Journal, FileMode.Open))
        {
            file.Seek(4096 + 8, SeekOrigin.Begin);
            file.Write(Enumerable.Repeat(new byte[] { 0xde, 0xad, 0xbe, 0xef }, 200).SelectMany(b => b).ToArray());
        }

        await AssertRefusedAsync("");
    }

    [Fact]
    public async Task A_journal_path_that_is_a_directory_is_refused_before_anything_starts_not_called_a_bug()
    {
        Directory.CreateDirectory(Journal);

        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(Args(), output, error, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Equal(
            $"error: journal {Journal} is a directory, not a SQLite database file; move it away (the journal is created anew)",
            Assert.Single(error.ToString().Trim().Split('\n')));
        Assert.Empty(output.ToString());
    }

    [Theory]
    [InlineData("create table journal (x int)", "journal", "ordering, created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid")]
    [InlineData("create table journal (persistence_id text, x int)", "journal", "ordering, created, deleted, sequence_number, message, tags, manifest, identifier, writer_uuid")]
    [InlineData("create table snapshot (persistence_id text, sequence_number int, created int, snapshot blob, manifest text)", "snapshot", "serializer_id")]
    public async Task A_journal_whose_tables_have_another_layout_is_refused_before_anything_starts(string table, string name, string missing)
    {
        Directory.CreateDirectory(DataDir);
        using (var connection = new SqliteConnection(Persistence.SqliteJournal.ConnectionString(Journal)))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = table;
            create.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();

        // It used to start, and the journal plugin's start failed over and over, the scheduler restarting for ever.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(Args(), output, error, guard.Token);

        Assert.Equal(2, code);
        Assert.Equal(
            $"error: journal {Journal} has a table '{name}' without the column{(missing.Contains(',', StringComparison.Ordinal) ? "s" : "")} {missing}: it is not an actorscheduler journal "
            + "(another program's database, or a layout this version does not know); give --data-dir a directory of its own, or move the file away to start afresh",
            Assert.Single(error.ToString().Trim().Split('\n')));
        Assert.Empty(output.ToString());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_journal_this_user_cannot_write_is_refused_before_anything_starts()
    {
        await CreateJournalAsync();
        var expected = $"error: journal {Journal} cannot be written by this user (SQLite Error 8: 'attempt to write a readonly database'.): "
                       + "give it, its -wal and -shm files and the data dir write access, or run as their owner";
        if (!Environment.IsPrivilegedProcess)
        {
            File.SetUnixFileMode(Journal, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(2, await RunCommand.RunAsync(Args(), output, error, CancellationToken.None));
            Assert.Equal(expected, Assert.Single(error.ToString().Trim().Split('\n')));
            return;
        }

        // Root writes whatever the mode says: the journal stays root's, and run runs as nobody (setpriv).
        foreach (var left in new[] { "lock", "lock.pid", RunLog.FileName })
        {
            File.Delete(Path.Combine(DataDir, left));
        }

        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(DataDir, (UnixFileMode)0b111_111_111);
        var run = await CliProcess.RunAsNobodyAsync(_dir, "run", HelloWorld, "--data-dir", DataDir, "--api-port", "0", "--master", "http://127.0.0.1:1");
        Assert.Equal(2, run.Code);
        Assert.Equal(expected, run.Error.Trim());
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task The_journal_a_run_leaves_passes_the_check()
    {
        await CreateJournalAsync();

        Assert.Null(Persistence.SqliteJournal.Check(Journal));
    }

    [Fact]
    public async Task A_journal_another_process_holds_locked_is_said_to_be_locked_not_damaged()
    {
        await CreateJournalAsync();
        using var holder = new SqliteConnection(Persistence.SqliteJournal.ConnectionString(Journal) + ";Pooling=False");
        holder.Open();
        using (var lockIt = holder.CreateCommand())
        {
            // As a sqlite3 shell in exclusive locking mode holds it: nobody else may even read.
            lockIt.CommandText = "pragma locking_mode = exclusive; begin exclusive; select count(*) from journal;";
            lockIt.ExecuteScalar();
        }

        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(Args(), output, error, guard.Token);

        Assert.Equal(2, code);
        var line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.StartsWith($"error: journal {Journal} is locked by another process (", line);
        Assert.EndsWith("): stop what holds it (a sqlite3 shell, a backup tool), then run again", line);
        Assert.DoesNotContain("move it away", line);
        Assert.Empty(output.ToString());
    }

    /// <summary>A SQLite database of a few pages where the journal goes.</summary>
    private void CreateDatabase()
    {
        Directory.CreateDirectory(DataDir);
        using (var connection = new SqliteConnection(Persistence.SqliteJournal.ConnectionString(Journal)))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "create table journal(id integer primary key, message blob); "
                + string.Concat(Enumerable.Range(1, 100).Select(i => $"insert into journal(message) values (randomblob(200)); "));
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }

    /// <summary>Run refuses the journal with one line and exit 2, before printing (or starting) anything.</summary>
    private async Task AssertRefusedAsync(string why)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(Args(), output, error, guard.Token);

        Assert.Equal(2, code);
        var line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.StartsWith($"error: journal {Journal} is not a readable SQLite database: ", line);
        Assert.Contains(why, line);
        Assert.EndsWith("; restore a backup of it, or move it away to start afresh", line);
        Assert.Empty(output.ToString());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A journal as a first <c>run</c> leaves it, and a framework event of a type a newer version wrote.</summary>
    private async Task CreateJournalWithANewerEventAsync()
    {
        await CreateJournalAsync();
        using (var connection = new SqliteConnection(Persistence.SqliteJournal.ConnectionString(Journal)))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                insert into journal(created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid)
                values ($created, 0, 'hello-world/framework', 2, x'0a03616263', '', 'actorscheduler.v1.FrameworkRenamed', 4100, 'x')
                """;
            insert.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            insert.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }

    /// <summary>
    /// A journal as a first <c>run</c> leaves it: run against a master that is not there (nothing subscribes), stopped
    /// once the target config is stored.
    /// </summary>
    private async Task CreateJournalAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = RunCommand.RunAsync(Args(), TextWriter.Null, TextWriter.Null, stop.Token);
        await WaitForConfigAsync(stop.Token);
        stop.Cancel();
        Assert.Equal(0, await run);
        SqliteConnection.ClearAllPools();
    }

    /// <summary>Until the journal holds the target config (polling the file, as an operator would).</summary>
    private async Task WaitForConfigAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && !HasConfig())
        {
            await Task.Delay(100, CancellationToken.None);
        }

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
