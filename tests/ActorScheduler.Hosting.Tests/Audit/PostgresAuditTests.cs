using System.Text.Json;
using System.Text.RegularExpressions;
using ActorScheduler.Hosting.Audit;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Persistence;
using ActorScheduler.Hosting.Tests.Cli;
using ActorScheduler.Hosting.Tests.Journal;
using ActorScheduler.Mesos.Emulator;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorScheduler.Hosting.Tests.Audit;

/// <summary>
/// <c>actorscheduler audit --journal-connection</c>: a journal a deployment wrote to PostgreSQL read as the same timeline
/// the SQLite journal gives (the rows of one read through either store's <see cref="IJournalRows"/> are the same rows,
/// and the audit prints the same), read-only, and every error as one <c>error:</c> line and exit 2. The tests that need a
/// server report Skipped when its binaries are missing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAuditTests(PostgresServer server, DeployedJournal deployed) : IClassFixture<DeployedJournal>, IDisposable
{
    private static readonly DateTime Now = new(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);

    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-pg-audit-").FullName;

    [SkippableFact]
    public async Task A_deployment_journaled_to_PostgreSQL_is_audited_with_its_launches_decisions_filters_and_json()
    {
        var journal = server.CreateDatabase();
        await using var emulator = await Journal.InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var apiPort = EndToEnd.SchedulerProcess.FreePort();
        var spec = Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml");
        var args = new RunArguments(spec, ["SLEEP_DURATION=300"], Path.Combine(_dir, "data"), apiPort, 0, 1, emulator.Url.ToString(), false) { JournalConnection = journal };
        using (var ctrlC = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            var console = new StringWriter();
            var run = RunCommand.RunAsync(args, console, TextWriter.Null, ctrlC.Token);
            await Journal.InProcessRun.DeployCompleteAsync(apiPort, run, console);

            await ctrlC.CancelAsync();
            Assert.Equal(0, await run);
        }

        // Given as a URL, as an operator may copy it from run's banner (with the password).
        var url = $"postgres://postgres:{PostgresServer.Password}@127.0.0.1:{server.Port}/{new NpgsqlConnectionStringBuilder(journal).Database}";
        var (code, output, error) = await AuditAsync(new AuditArguments { JournalConnection = url });

        Assert.Equal(0, code);
        Assert.Empty(error);
        var launch = Assert.Single(Lines(output), l => l.Contains("  pod hello-0  ", StringComparison.Ordinal) && l.Contains("TaskLaunchRecorded", StringComparison.Ordinal));
        var launched = Regex.Match(launch, @"hello-0-server launched as task id (?<task>hello-0-server__\S+) with cpus 0\.1, mem 252, disk 25 on agent (?<agent>\S+) \((?<host>[^)]+)\) from offer (?<offer>\S+),");
        Assert.True(launched.Success, launch);
        Assert.Contains(emulator.History().Launches, l => l.TaskName == "hello-0-server" && l.TaskId == launched.Groups["task"].Value);
        var decision = Assert.Single(Lines(output), l => l.Contains($"hello-0: offer {launched.Groups["offer"].Value} ", StringComparison.Ordinal));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  router +OfferDecision +hello-0: offer ", decision);
        Assert.EndsWith($"on {launched.Groups["host"].Value} (agent {launched.Groups["agent"].Value}) PASS", decision);

        // --pod: only hello-0's events, its steps' and the router's about it; --offers: only the router's.
        var pod = Lines((await AuditAsync(new AuditArguments(Pod: "hello-0", Limit: 0) { JournalConnection = journal })).Output);
        Assert.Contains(pod, l => l.Contains("TaskLaunchRecorded", StringComparison.Ordinal));
        Assert.All(pod, l => Assert.Matches(@"  (pod hello-0|plan deploy/hello/hello-0:\[server\]|router) ", l));
        Assert.DoesNotContain(pod, l => l.Contains("world-", StringComparison.Ordinal));
        var offers = Lines((await AuditAsync(new AuditArguments(Offers: true, Limit: 0) { JournalConnection = journal })).Output);
        // The columns are as wide as the widest entry shown, so compare with the padding collapsed.
        Assert.Contains(Unpadded(decision), offers.Select(Unpadded));
        Assert.All(offers, l => Assert.Matches(@"^\S+  router ", l));

        var json = await AuditAsync(new AuditArguments(Pod: "hello-0", Json: true, Limit: 0) { JournalConnection = journal });
        Assert.Equal(0, json.Code);
        using var document = JsonDocument.Parse(json.Output);
        var launchJson = Assert.Single(document.RootElement.EnumerateArray(), e => e.GetProperty("kind").GetString() == "TaskLaunchRecorded");
        Assert.Equal("pod hello-0", launchJson.GetProperty("stream").GetString());
        Assert.Contains(launched.Groups["agent"].Value, launchJson.GetProperty("event").GetRawText());
    }

    [SkippableFact]
    public async Task The_same_rows_read_from_PostgreSQL_and_from_SQLite_are_the_same_rows_and_the_same_timeline()
    {
        var journal = CopyToPostgres(deployed.Journal);

        using (var file = JournalFile.Open(deployed.Journal, out var fileProblem))
        using (var database = PostgresJournalRows.Open(journal, out var databaseProblem))
        {
            Assert.Null(fileProblem);
            Assert.Null(databaseProblem);
            var fromFile = file!.Rows().Select(Flat).ToList();
            Assert.True(fromFile.Count > 10, $"{fromFile.Count} rows");
            Assert.Equal(fromFile, database!.Rows().Select(Flat).ToList());

            // The window pushed into each store's query keeps the same rows.
            var times = fromFile.Select(r => r.Written).ToList();
            var (since, until) = (times[times.Count / 3], times[2 * times.Count / 3]);
            Assert.Equal(file.Rows(since, until).Select(Flat).ToList(), database.Rows(since, until).Select(Flat).ToList());

            // The pod pushed into the query leaves out rows of the entity journal, only those about other pods.
            var aboutHello = database.Rows(pod: "hello-0").Select(Flat).ToList();
            Assert.InRange(aboutHello.Count, 1, fromFile.Count - 1);
            Assert.All(fromFile.Except(aboutHello), r => Assert.Equal(("hello-world/entities", false), (r.Id, r.Tags.Split(';').Contains("pod:hello-0"))));
        }

        foreach (var pod in new[] { "hello-0", "world-0", "world-1", "world-10", "hello" })
        {
            var fromFile = await AuditAsync(new AuditArguments(Journal: deployed.Journal, Pod: pod, Limit: 0));
            var fromDatabase = await AuditAsync(new AuditArguments(Pod: pod, Limit: 0) { JournalConnection = journal });
            Assert.Equal(0, fromDatabase.Code);
            Assert.Equal(fromFile.Output.Replace(deployed.Journal, "JOURNAL", StringComparison.Ordinal), fromDatabase.Output.Replace(PostgresJournal.Describe(journal), "JOURNAL", StringComparison.Ordinal));
        }

        foreach (var query in new[]
                 {
                     new AuditArguments(Limit: 0),
                     new AuditArguments(Limit: 0, Json: true),
                     new AuditArguments(Pod: "world-1", Offers: true, Limit: 0),
                     new AuditArguments(Plan: "deploy", Limit: 7),
                     new AuditArguments(Since: "2000-01-01", Until: "2100-01-01", Limit: 0),
                 })
        {
            var fromFile = await AuditAsync(query with { Journal = deployed.Journal });
            var fromDatabase = await AuditAsync(query with { JournalConnection = journal });
            Assert.Equal(0, fromDatabase.Code);
            Assert.Equal(fromFile, fromDatabase);
        }
    }

    [SkippableFact]
    public async Task Rows_it_cannot_decode_are_shown_as_such_as_from_SQLite()
    {
        var journal = CopyToPostgres(deployed.Journal);
        using (var connection = new NpgsqlConnection(journal))
        {
            connection.Open();
            using var insert = new NpgsqlCommand("""
                insert into journal (created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid)
                values (@created, false, 'hello-world/framework', 90, '\x0a03616263', '', 'actorscheduler.v1.FrameworkRenamed', 4100, 'x'),
                       (@created, false, 'hello-world/framework', 91, '\x00', '', 'Some.Type', 1, 'x')
                """, connection);
            insert.Parameters.AddWithValue("created", DateTime.UtcNow.Ticks);
            insert.ExecuteNonQuery();
        }

        var (code, output, error) = await AuditAsync(new AuditArguments(Limit: 2) { JournalConnection = journal });

        Assert.Equal(0, code);
        Assert.Empty(error);
        var lines = Lines(output);
        Assert.Matches(@"  framework +undecodable +event of unknown type 'actorscheduler\.v1\.FrameworkRenamed' \(written by a newer version of actorscheduler\?\)$", lines[0]);
        Assert.Matches(@"  framework +undecodable +event 'Some\.Type' written by serializer 1, not actorscheduler's \(4100\)$", lines[1]);
    }

    [SkippableFact]
    public async Task A_user_who_may_only_select_from_the_journal_gets_the_whole_timeline()
    {
        var journal = CopyToPostgres(deployed.Journal);
        var user = $"auditor_{Guid.NewGuid():N}";
        var database = new NpgsqlConnectionStringBuilder(journal).Database;
        server.Execute("postgres", $"create role {user} login password 'auditor'");
        server.Execute(database!, $"grant select on journal to {user}");
        var asAuditor = new NpgsqlConnectionStringBuilder(journal) { Username = user, Password = "auditor" }.ConnectionString;

        var asOwner = await AuditAsync(new AuditArguments(Limit: 0) { JournalConnection = journal });
        var (code, output, error) = await AuditAsync(new AuditArguments(Limit: 0) { JournalConnection = asAuditor });

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Equal(asOwner.Output, output);
    }

    [SkippableFact]
    public async Task The_journal_is_read_in_a_read_only_transaction_a_write_in_it_is_refused_with_one_error_line()
    {
        // A journal whose read would write (a view over a function that logs each read): the read-only transaction
        // refuses the write, so the read fails, and nothing was written.
        var journal = CopyToPostgres(deployed.Journal);
        using (var connection = new NpgsqlConnection(journal))
        {
            connection.Open();
            using var command = new NpgsqlCommand("""
                alter table journal rename to journal_rows;
                create table reads (at timestamptz);
                create function logged_rows() returns setof journal_rows language plpgsql as $$
                begin
                  insert into reads values (now());
                  return query select * from journal_rows;
                end $$;
                create view journal as select * from logged_rows();
                """, connection);
            command.ExecuteNonQuery();
        }

        var (code, output, error) = await AuditAsync(new AuditArguments { JournalConnection = journal });

        Assert.Equal(2, code);
        Assert.Equal($"error: journal {PostgresJournal.Describe(journal)}: cannot execute INSERT in a read-only transaction", Assert.Single(error.Trim().Split('\n')));
        Assert.Empty(output);
        Assert.Equal(0L, PostgresServer.Scalar(journal, "select count(*) from reads"));
    }

    [SkippableFact]
    public async Task A_database_without_a_journal_table_is_one_error_line_and_exit_2_and_nothing_is_created_in_it()
    {
        var journal = server.CreateDatabase();

        await AssertRefusedAsync(
            new AuditArguments { JournalConnection = journal },
            $"error: journal {PostgresJournal.Describe(journal)} has no journal table: it is not an actorscheduler journal (or no scheduler has written to it yet); check Database in --journal-connection");
        Assert.Equal(0L, PostgresServer.Scalar(journal, "select count(*) from information_schema.tables where table_schema = current_schema()"));
    }

    [SkippableFact]
    public async Task A_wrong_password_a_missing_database_and_tables_of_another_layout_are_one_error_line_and_exit_2()
    {
        var journal = server.CreateDatabase();
        await AssertRefusedAsync(
            new AuditArguments { JournalConnection = new NpgsqlConnectionStringBuilder(journal) { Password = "wrong" }.ConnectionString },
            $"error: journal server 127.0.0.1:{server.Port} refused user 'postgres': password authentication failed for user \"postgres\"; fix Username and Password in --journal-connection (or the server's pg_hba.conf)");

        await AssertRefusedAsync(
            new AuditArguments { JournalConnection = server.ConnectionString("no_such_journal") },
            $"error: journal database 'no_such_journal' does not exist on 127.0.0.1:{server.Port}: create it (CREATE DATABASE \"no_such_journal\"; the scheduler creates its tables in it), or fix Database in --journal-connection");

        using (var connection = new NpgsqlConnection(journal))
        {
            connection.Open();
            using var create = new NpgsqlCommand("create table journal (id integer primary key, payload text)", connection);
            create.ExecuteNonQuery();
        }

        var (code, output, error) = await AuditAsync(new AuditArguments { JournalConnection = journal });
        Assert.Equal(2, code);
        Assert.StartsWith($"error: journal {PostgresJournal.Describe(journal)} has a table 'journal' without the columns ordering, created, deleted, ", Assert.Single(error.Trim().Split('\n')));
        Assert.Empty(output);
    }

    [Fact]
    public async Task An_unreachable_server_a_connection_that_is_none_and_a_second_journal_are_one_error_line_and_exit_2()
    {
        var port = EndToEnd.SchedulerProcess.FreePort();
        await AssertRefusedAsync(
            new AuditArguments { JournalConnection = $"Host=127.0.0.1;Port={port};Username=postgres;Password=x;Database=journal" },
            $"error: journal server 127.0.0.1:{port} is unreachable (Connection refused): start PostgreSQL there, or fix Host and Port in --journal-connection");
        await AssertRefusedAsync(
            new AuditArguments { JournalConnection = "http://db.example/journal" },
            "error: --journal-connection is no PostgreSQL connection string (a URL of scheme 'http', not postgres:// or postgresql://): give Host=…;Port=…;Username=…;Password=…;Database=… or postgres://user:password@host:port/database");
        await AssertRefusedAsync(
            new AuditArguments { JournalConnection = "Host=db.example" },
            "error: --journal-connection names no database: give Database=… (or postgres://user:password@host:port/database); the journal's tables are created in it");
        await AssertRefusedAsync(
            new AuditArguments(DataDir: _dir) { JournalConnection = "postgres://db.example/journal" },
            "error: give --journal-connection or --data-dir, not both (--journal-connection reads the journal from PostgreSQL, the others a SQLite file)");
        await AssertRefusedAsync(
            new AuditArguments(Journal: Path.Combine(_dir, "journal.db")) { JournalConnection = "postgres://db.example/journal" },
            "error: give --journal-connection or --journal, not both (--journal-connection reads the journal from PostgreSQL, the others a SQLite file)");

        // The executable takes the option.
        var cli = await CliProcess.RunAsync("audit", "--journal-connection", $"postgres://sched:secret@127.0.0.1:{port}/journal");
        Assert.Equal(2, cli.Code);
        Assert.Equal(
            $"error: journal server 127.0.0.1:{port} is unreachable (Connection refused): start PostgreSQL there, or fix Host and Port in --journal-connection",
            cli.Error.Trim());
        Assert.Empty(cli.Output);
    }

    /// <summary>A new database holding the rows of the SQLite journal <paramref name="path"/>, in their order.</summary>
    private string CopyToPostgres(string path)
    {
        var journal = server.CreateDatabase();
        PostgresJournal.Prepare(journal);
        using var from = new SqliteConnection($"Data Source={JournalFile.DataSource(path)};Mode=ReadOnly;Pooling=False");
        from.Open();
        using var to = new NpgsqlConnection(journal);
        to.Open();
        using var read = from.CreateCommand();
        read.CommandText = "select created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid from journal order by ordering";
        using var reader = read.ExecuteReader();
        using var transaction = to.BeginTransaction();
        while (reader.Read())
        {
            using var insert = new NpgsqlCommand("""
                insert into journal (created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid)
                values (@created, @deleted, @id, @nr, @message, @tags, @manifest, @identifier, @writer)
                """, to, transaction);
            insert.Parameters.AddWithValue("created", reader.GetInt64(0));
            insert.Parameters.AddWithValue("deleted", reader.GetInt64(1) != 0);
            insert.Parameters.AddWithValue("id", reader.GetString(2));
            insert.Parameters.AddWithValue("nr", reader.GetInt64(3));
            insert.Parameters.AddWithValue("message", (byte[])reader.GetValue(4));
            insert.Parameters.AddWithValue("tags", reader.IsDBNull(5) ? DBNull.Value : reader.GetString(5));
            insert.Parameters.AddWithValue("manifest", reader.IsDBNull(6) ? DBNull.Value : reader.GetString(6));
            insert.Parameters.AddWithValue("identifier", reader.IsDBNull(7) ? DBNull.Value : reader.GetInt32(7));
            insert.Parameters.AddWithValue("writer", reader.IsDBNull(8) ? DBNull.Value : reader.GetString(8));
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return journal;
    }

    /// <summary>A row as values that compare (a record's arrays compare by reference); the ordering is each store's own.</summary>
    private static (DateTime Written, string Id, long Nr, string Tags, int Serializer, string Manifest, string Payload) Flat(JournalRow row) =>
        (row.Written, row.PersistenceId, row.SequenceNr, string.Join(';', row.Tags), row.SerializerId, row.Manifest, Convert.ToBase64String(row.Payload));


    private static async Task AssertRefusedAsync(AuditArguments args, string expected)
    {
        var (code, output, error) = await AuditAsync(args);

        Assert.Equal(2, code);
        Assert.Equal(expected, Assert.Single(error.Trim().Split('\n')));
        Assert.Empty(output);
    }

    private static async Task<(int Code, string Output, string Error)> AuditAsync(AuditArguments args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await AuditCommand.RunAsync(args, output, error, Now);
        return (code, output.ToString(), error.ToString());
    }

    private static string Unpadded(string line) => Regex.Replace(line, " {2,}", "  ");

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
