using System.Globalization;
using ActorScheduler.Bench;
using ActorScheduler.Hosting.Tests;
using ActorScheduler.Hosting.Tests.Journal;

namespace ActorScheduler.Bench.Tests;

/// <summary>
/// <c>storm --journal-connection</c>: the storm's journal on PostgreSQL, set up as <c>run</c> sets it up, in a schema
/// the bench creates and drops; its raw insert rate measured on the same server under its own key; and a connection
/// that cannot serve refused as <c>run</c> refuses it, one <c>error:</c> line and exit 2 before anything runs. The
/// storms that need a server report Skipped when PostgreSQL's binaries are missing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StormJournalTests(PostgresServer server)
{
    private static async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await BenchCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>A storm small enough for a test: a few seconds' deploy, then the restart and the 3 s raw insert loop.</summary>
    private static string[] SmallStorm(params string[] more) =>
        ["storm", "--agents", "20", "--pods", "20", "--seed", "1", "--offers-per-s", "200", "--timeout-s", "120", .. more];

    private static Dictionary<string, string> ResultOf(string output) =>
        output.Split('\n').Select(l => RunSummary.Parse(l.TrimEnd())).OfType<Dictionary<string, string>>().Single();

    private static double Number(Dictionary<string, string> result, string key) =>
        double.Parse(result[key], NumberStyles.Float, CultureInfo.InvariantCulture);

    [SkippableFact]
    public async Task A_storm_on_the_PostgreSQL_journal_deploys_restarts_and_compares_with_raw_PostgreSQL_inserts_in_a_schema_it_drops()
    {
        var database = server.CreateDatabase();

        var (exit, output, error) = await Run(SmallStorm("--journal-connection", database));

        Assert.True(exit == 0, error);
        var result = ResultOf(output);
        Assert.Equal("20", result["placed"]);
        // The scheduler's events were read from the PostgreSQL journal, and the ceiling is PostgreSQL's, said so by its key.
        Assert.True(Number(result, "events_per_s") > 0, output);
        Assert.True(Number(result, "raw_pg_inserts_per_s") > 0, output);
        Assert.False(result.ContainsKey("raw_sqlite_inserts_per_s"), output);
        Assert.True(Number(result, "ratio") > 0, output);
        // The restarted scheduler recovered from the same database.
        Assert.True(Number(result, "restart_to_ready_s") > 0, output);
        // Nothing left behind: no schema of the bench's, no tables in the database's own schema.
        Assert.Equal(0L, PostgresServer.Scalar(database, "select count(*) from information_schema.schemata where schema_name like 'actorscheduler_storm_%'"));
        Assert.Equal(false, PostgresServer.Scalar(database, "select to_regclass('public.journal') is not null"));
    }

    [Fact]
    public async Task A_storm_on_SQLite_keeps_its_raw_insert_key()
    {
        var (exit, output, error) = await Run(SmallStorm());

        Assert.True(exit == 0, error);
        var result = ResultOf(output);
        Assert.Equal("20", result["placed"]);
        Assert.True(Number(result, "raw_sqlite_inserts_per_s") > 0, output);
        Assert.False(result.ContainsKey("raw_pg_inserts_per_s"), output);
    }

    [SkippableFact]
    public async Task A_user_that_may_not_create_the_storm_s_schema_is_one_error_line_and_exit_2_before_anything_runs()
    {
        var database = server.CreateDatabase();
        server.Execute("postgres", "do $$ begin if not exists (select from pg_roles where rolname = 'storm_reader') then create role storm_reader login password 'reader'; end if; end $$");
        var reader = new Npgsql.NpgsqlConnectionStringBuilder(database) { Username = "storm_reader", Password = "reader" }.ConnectionString;

        var (exit, output, error) = await Run(SmallStorm("--journal-connection", reader));

        Assert.Equal(2, exit);
        Assert.Empty(output);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith($"error: journal postgres://storm_reader@127.0.0.1:{server.Port}/", line);
        Assert.Contains("cannot create the schema actorscheduler_storm_", line);
        Assert.EndsWith("give a user that may (GRANT CREATE ON DATABASE), or another database", line);
    }

    [SkippableFact]
    public async Task A_wrong_password_or_a_missing_database_is_run_s_error_line_and_exit_2_before_anything_runs()
    {
        var database = server.CreateDatabase();
        var wrongPassword = new Npgsql.NpgsqlConnectionStringBuilder(database) { Password = "wrong" }.ConnectionString;
        var missing = new Npgsql.NpgsqlConnectionStringBuilder(database) { Database = "no_such_journal" }.ConnectionString;

        var refused = await Run(SmallStorm("--journal-connection", wrongPassword));
        var absent = await Run(SmallStorm("--journal-connection", missing));

        Assert.Equal((2, "", 2, ""), (refused.Exit, refused.Output, absent.Exit, absent.Output));
        Assert.StartsWith($"error: journal server 127.0.0.1:{server.Port} refused user 'postgres': password authentication failed", Assert.Single(refused.Error.Trim().Split('\n')));
        Assert.Equal(
            $"error: journal database 'no_such_journal' does not exist on 127.0.0.1:{server.Port}: create it (CREATE DATABASE \"no_such_journal\"; the scheduler creates its tables in it), or fix Database in --journal-connection",
            Assert.Single(absent.Error.Trim().Split('\n')));
    }

    [Theory]
    [InlineData("Hots=db;Database=journal", "error: --journal-connection is no PostgreSQL connection string (Couldn't set hots): give Host=…;Port=…;Username=…;Password=…;Database=… or postgres://user:password@host:port/database")]
    [InlineData("http://db.example/journal", "error: --journal-connection is no PostgreSQL connection string (a URL of scheme 'http', not postgres:// or postgresql://)")]
    [InlineData("postgres://db.example", "error: --journal-connection names no database:")]
    public async Task A_journal_connection_that_is_none_is_one_error_line_and_exit_2_before_anything_runs(string text, string expected)
    {
        var (exit, output, error) = await Run("storm", "--journal-connection", text);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith(expected, Assert.Single(error.Trim().Split('\n')));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("3")]
    public async Task An_unreachable_journal_server_is_one_error_line_and_exit_2_before_any_run(string runs)
    {
        var port = LoopbackPorts.Free();

        var (exit, output, error) = await Run("storm", "--runs", runs, "--journal-connection", $"postgres://postgres:x@127.0.0.1:{port}/journal");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Equal(
            $"error: journal server 127.0.0.1:{port} is unreachable (Connection refused): start PostgreSQL there, or fix Host and Port in --journal-connection",
            Assert.Single(error.Trim().Split('\n')));
    }

    [Fact]
    public async Task A_journal_file_and_a_journal_connection_together_are_a_bad_option()
    {
        var (exit, output, error) = await Run("storm", "--journal", "/tmp/j.db", "--journal-connection", "postgres://127.0.0.1/journal");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith("storm: --journal and --journal-connection exclude each other", error);
    }
}
