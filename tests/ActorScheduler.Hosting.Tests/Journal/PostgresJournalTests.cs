using System.Collections.Immutable;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Persistence;
using ActorScheduler.Messages.Events;
using ActorScheduler.Mesos.Emulator;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Xunit.Abstractions;

namespace ActorScheduler.Hosting.Tests.Journal;

/// <summary>
/// The journal on PostgreSQL (<c>run --journal-connection</c>, <see cref="ActorSchedulerOptions.JournalConnection"/>):
/// the connection given as keywords or a URL, our own tables with an unbounded <c>tags</c> column, a deployment journaled
/// there and recovered by a restarted scheduler, and every start-up error as one <c>error:</c> line and exit 2 before
/// anything starts. The tests that need a server report Skipped when its binaries are missing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalTests(PostgresServer server, ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-pg-journal-").FullName;

    private static string HelloWorld => Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml");

    private RunArguments Args(string journal, string master = "http://127.0.0.1:1", int apiPort = 0) =>
        new(HelloWorld, ["SLEEP_DURATION=300"], Path.Combine(_dir, "data"), apiPort, 0, 1, master, false) { JournalConnection = journal };

    [Theory]
    [InlineData("Host=db.example;Port=5433;Username=sched;Password=secret;Database=journal", "postgres://sched@db.example:5433/journal")]
    [InlineData("postgres://sched:p%40ss@db.example:5433/journal?Timeout=7&sslmode=disable", "postgres://sched@db.example:5433/journal")]
    [InlineData("postgresql://db.example/journal", "postgres://db.example:5432/journal")]
    public void A_connection_is_given_as_keywords_or_as_a_url_and_described_without_its_password(string text, string described)
    {
        var connectionString = PostgresJournal.Parse(text, "--journal-connection", out var error);

        Assert.Null(error);
        Assert.Equal(described, PostgresJournal.Describe(connectionString!));
        if (text.Contains("p%40ss", StringComparison.Ordinal))
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            Assert.Equal(("p@ss", 7, SslMode.Disable), (builder.Password, builder.Timeout, builder.SslMode));
        }
    }

    /// <summary>
    /// The driver's waits the journal runs with: bounded by our defaults where the connection string sets none, the
    /// operator's own values (by any of Npgsql's names for them) kept, 0 (no bound) among them.
    /// </summary>
    [Theory]
    [InlineData("Host=db;Database=journal", PostgresJournal.DefaultConnectTimeoutSeconds, PostgresJournal.DefaultCommandTimeoutSeconds)]
    [InlineData("Host=db;Database=journal;Command Timeout=60", PostgresJournal.DefaultConnectTimeoutSeconds, 60)]
    [InlineData("Host=db;Database=journal;commandtimeout=60;timeout=30", 30, 60)]
    [InlineData("Host=db;Database=journal;Command Timeout=0", PostgresJournal.DefaultConnectTimeoutSeconds, 0)]
    public void The_drivers_waits_are_bounded_where_the_connection_string_does_not_bound_them(string given, int connect, int command)
    {
        var bounded = new NpgsqlConnectionStringBuilder(PostgresJournal.Bounded(given));

        Assert.Equal((connect, command), (bounded.Timeout, bounded.CommandTimeout));
        Assert.Equal(new NpgsqlConnectionStringBuilder(given).CancellationTimeout, bounded.CancellationTimeout);
    }

    /// <summary>
    /// Akka's limits on a journal call and on each replayed event come after the driver's: connect, then command, then
    /// the cancellation (its own connection, twice the connect timeout against a frozen server, then the cancellation
    /// timeout rounded up to a second); none is set when the driver has no bound.
    /// </summary>
    [Theory]
    [InlineData("Host=db;Database=journal", 27)]
    [InlineData("Host=db;Database=journal;Timeout=1;Command Timeout=1;Cancellation Timeout=200", 5)]
    [InlineData("Host=db;Database=journal;Cancellation Timeout=-1", 25)]
    [InlineData("Host=db;Database=journal;Command Timeout=0", null)]
    [InlineData("Host=db;Database=journal;Cancellation Timeout=0", null)]
    public void Akkas_journal_timeouts_come_after_the_drivers(string given, int? seconds)
    {
        var bounded = PostgresJournal.Bounded(given);

        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, PostgresJournal.JournalCallTimeout(bounded));
        if (seconds is null)
        {
            Assert.Empty(PostgresJournal.TimeoutHocon(bounded));
        }
        else
        {
            var config = Akka.Configuration.ConfigurationFactory.ParseString(PostgresJournal.TimeoutHocon(bounded));
            Assert.Equal(
                Enumerable.Repeat(TimeSpan.FromSeconds(seconds.Value), 3),
                new[] { "akka.persistence.journal.sql.circuit-breaker.call-timeout", "akka.persistence.journal.sql.recovery-event-timeout", "akka.persistence.snapshot-store.sql.circuit-breaker.call-timeout" }.Select(k => config.GetTimeSpan(k)));
        }
    }

    [Theory]
    [InlineData("Hots=db;Database=journal", "error: --journal-connection is no PostgreSQL connection string (Couldn't set hots): give Host=…;Port=…;Username=…;Password=…;Database=… or postgres://user:password@host:port/database")]
    [InlineData("http://db.example/journal", "error: --journal-connection is no PostgreSQL connection string (a URL of scheme 'http', not postgres:// or postgresql://)")]
    [InlineData("postgres://db.example/journal?sslmode", "error: --journal-connection is no PostgreSQL connection string (the query parameter 'sslmode' has no value)")]
    [InlineData("Host=db.example;Username=sched", "error: --journal-connection names no database: give Database=… (or postgres://user:password@host:port/database); the journal's tables are created in it")]
    [InlineData("postgres://db.example", "error: --journal-connection names no database:")]
    [InlineData("Database=journal", "error: --journal-connection names no host: give Host=… (or postgres://user:password@host:port/database)")]
    public async Task A_connection_that_is_none_is_one_error_line_and_exit_2_before_anything_starts(string text, string expected)
    {
        var (code, output, error) = await InProcessRun.RunToEndAsync(Args(text));

        Assert.Equal(2, code);
        Assert.StartsWith(expected, Assert.Single(error));
        Assert.Empty(output);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_error_line_naming_its_host_and_port_and_exit_2_before_anything_starts()
    {
        var port = EndToEnd.SchedulerProcess.FreePort();

        var (code, output, error) = await InProcessRun.RunToEndAsync(Args($"Host=127.0.0.1;Port={port};Username=postgres;Password=x;Database=journal"));

        Assert.Equal(2, code);
        Assert.Equal(
            $"error: journal server 127.0.0.1:{port} is unreachable (Connection refused): start PostgreSQL there, or fix Host and Port in --journal-connection",
            Assert.Single(error));
        Assert.Empty(output);
        Assert.False(File.Exists(Path.Combine(_dir, "data", "journal.db")), "a SQLite journal was created beside the PostgreSQL one asked for");
    }

    [Fact]
    public async Task The_executable_takes_the_option_and_says_an_unreachable_server_on_one_line()
    {
        var port = EndToEnd.SchedulerProcess.FreePort();
        using var run = EndToEnd.SchedulerProcess.Launch(0, ["run", HelloWorld, "--data-dir", Path.Combine(_dir, "data"), "--api-port", "0",
            "--master", "http://127.0.0.1:1", "--journal-connection", $"postgres://sched:secret@127.0.0.1:{port}/journal"]);

        Assert.Equal(2, await run.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(
            $"error: journal server 127.0.0.1:{port} is unreachable (Connection refused): start PostgreSQL there, or fix Host and Port in --journal-connection",
            run.Output.Trim());
    }

    [Fact]
    public async Task Run_help_says_that_a_journal_server_lost_or_not_answering_mid_run_is_exit_3()
    {
        var (code, output, _) = await Cli.CliProcess.RunAsync("run", "--help");

        Assert.Equal(0, code);
        var help = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        Assert.Contains("Should the server be lost while it runs, run stops with exit 3, for a supervisor to start it again: it recovers from the journal once the server answers.", help);
        Assert.Contains(
            $"A server that stops answering counts as lost once the driver gives up on it: Command Timeout={PostgresJournal.DefaultCommandTimeoutSeconds} and Timeout={PostgresJournal.DefaultConnectTimeoutSeconds} (seconds) unless the connection string sets its own.",
            help);
    }

    [SkippableFact]
    public async Task A_wrong_password_is_one_error_line_and_exit_2()
    {
        var journal = new NpgsqlConnectionStringBuilder(server.CreateDatabase()) { Password = "wrong" }.ConnectionString;

        var (code, output, error) = await InProcessRun.RunToEndAsync(Args(journal));

        Assert.Equal(2, code);
        Assert.Equal(
            $"error: journal server 127.0.0.1:{server.Port} refused user 'postgres': password authentication failed for user \"postgres\"; fix Username and Password in --journal-connection (or the server's pg_hba.conf)",
            Assert.Single(error));
        Assert.Empty(output);
    }

    [SkippableFact]
    public async Task A_missing_database_is_one_error_line_and_exit_2()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);

        var (code, output, error) = await InProcessRun.RunToEndAsync(Args(server.ConnectionString("no_such_journal")));

        Assert.Equal(2, code);
        Assert.Equal(
            $"error: journal database 'no_such_journal' does not exist on 127.0.0.1:{server.Port}: create it (CREATE DATABASE \"no_such_journal\"; the scheduler creates its tables in it), or fix Database in --journal-connection",
            Assert.Single(error));
        Assert.Empty(output);
    }

    [SkippableFact]
    public async Task A_user_who_may_not_create_the_tables_is_one_error_line_and_exit_2()
    {
        var journal = server.CreateDatabase();
        // PostgreSQL 15 lets only the owner create tables in the schema public.
        var user = $"reader_{Guid.NewGuid():N}";
        server.Execute("postgres", $"create role {user} login password 'reader'");
        var asReader = new NpgsqlConnectionStringBuilder(journal) { Username = user, Password = "reader" }.ConnectionString;

        var (code, output, error) = await InProcessRun.RunToEndAsync(Args(asReader));

        Assert.Equal(2, code);
        Assert.Equal($"error: journal {PostgresJournal.Describe(asReader)}: cannot create its tables: permission denied for schema public", Assert.Single(error));
        Assert.Empty(output);
    }

    [SkippableFact]
    public async Task Tables_of_another_layout_are_one_error_line_and_exit_2()
    {
        var journal = server.CreateDatabase();
        Execute(journal, "create table journal (id integer primary key, payload text)");

        var (code, output, error) = await InProcessRun.RunToEndAsync(Args(journal));

        Assert.Equal(2, code);
        Assert.Equal(
            $"error: journal {PostgresJournal.Describe(journal)} has a table 'journal' without the columns ordering, created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid: "
            + "it is not an actorscheduler journal (another program's tables, or a layout this version does not know); give --journal-connection a database of its own (or a user whose search_path names an empty schema)",
            Assert.Single(error));
        Assert.Empty(output);
    }

    [SkippableFact]
    public async Task A_journal_table_whose_tags_column_is_bounded_is_refused_before_anything_starts()
    {
        var journal = server.CreateDatabase();
        PostgresJournal.Prepare(journal);
        Execute(journal, "alter table journal alter column tags type varchar(100)");

        var (code, output, error) = await InProcessRun.RunToEndAsync(Args(journal));

        Assert.Equal(2, code);
        Assert.StartsWith(
            $"error: journal {PostgresJournal.Describe(journal)} has a table 'journal' whose tags column holds at most 100 characters: a row of the entity stream carries the tags of all its events, far more; "
            + "make it unbounded (ALTER TABLE journal ALTER COLUMN tags TYPE text)",
            Assert.Single(error));
        Assert.Empty(output);
    }

    [SkippableFact]
    public async Task A_database_holding_another_services_journal_is_refused_before_anything_starts()
    {
        var journal = server.CreateDatabase();
        PostgresJournal.Prepare(journal);
        // Names that sort just before and after hello-world's streams ("hello-world/" < "hello-world0").
        Execute(journal, "insert into journal (created, deleted, persistence_id, sequence_number, message) values (0, false, 'hello-world/framework', 1, '\\x00')");
        Assert.Null(PostgresJournal.CheckService(journal, "hello-world"));
        Assert.Contains("holds the service 'hello-world', not 'hello-worl'", PostgresJournal.CheckService(journal, "hello-worl"));
        Assert.Contains("holds the service 'hello-world', not 'hello-world-2'", PostgresJournal.CheckService(journal, "hello-world-2"));

        var (code, output, error) = await InProcessRun.RunToEndAsync(Args(journal) with { Overrides = ["FRAMEWORK_NAME=other-world"] });

        Assert.Equal(2, code);
        Assert.Equal(
            $"error: journal {PostgresJournal.Describe(journal)} holds the service 'hello-world', not 'other-world': a journal database serves one service; give this one a database of its own (or run the spec of that service on it)",
            Assert.Single(error));
        Assert.Empty(output);
    }

    [SkippableFact]
    public async Task A_stream_it_cannot_replay_stops_run_with_exit_1_naming_the_database_and_the_stream()
    {
        var journal = server.CreateDatabase();
        PostgresJournal.Prepare(journal);
        // A framework event of a type a newer version wrote (our serializer's id and manifest, a protobuf payload).
        Execute(journal, """
            insert into journal (created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid)
            values (0, false, 'hello-world/framework', 1, '\x0a03616263', '', 'actorscheduler.v1.FrameworkRenamed', 4100, 'x')
            """);

        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(Args(journal), output, error, guard.Token);

        Assert.False(guard.IsCancellationRequested, "run kept going on a journal it cannot replay");
        Assert.Equal(1, code);
        Assert.StartsWith(
            $"error: journal {PostgresJournal.Describe(journal)}: the journal stream hello-world/framework cannot be replayed: unknown event type actorscheduler.v1.FrameworkRenamed",
            Assert.Single(error.ToString().Trim().Split('\n')));
    }

    [SkippableFact]
    public void The_tables_are_ours_with_an_unbounded_tags_column_created_once_and_accepted_by_the_check()
    {
        var journal = server.CreateDatabase();

        PostgresJournal.Prepare(journal);
        PostgresJournal.Prepare(journal);

        Assert.Equal(
            "snapshot:created,manifest,persistence_id,sequence_number,serializer_id,snapshot|journal:created,deleted,identifier,manifest,message,ordering,persistence_id,sequence_number,tags,writer_uuid",
            PostgresServer.Scalar(journal, """
                select string_agg(table_name || ':' || columns, '|' order by table_name desc) from (
                  select table_name, string_agg(column_name, ',' order by column_name) as columns from information_schema.columns
                  where table_schema = current_schema() and table_name in ('journal', 'snapshot') group by table_name) t
                """));
        Assert.Equal(("text", DBNull.Value), ((string)PostgresServer.Scalar(journal, "select data_type from information_schema.columns where table_name = 'journal' and column_name = 'tags'")!,
            PostgresServer.Scalar(journal, "select character_maximum_length from information_schema.columns where table_name = 'journal' and column_name = 'tags'")));
        Assert.Null(PostgresJournal.Check(journal, "--journal-connection"));
    }

    [SkippableFact]
    public async Task An_entities_row_whose_tags_exceed_100_characters_is_written_and_replayed()
    {
        var journal = server.CreateDatabase();
        var tags = Enumerable.Range(0, 12).Select(i => $"pod:world-{i}").Append("plan:deploy").ToImmutableArray();
        Assert.True(string.Join(';', tags).Length > 100);

        using (var host = await StartAkkaAsync(journal))
        {
            var entities = host.Services.GetRequiredService<ActorSystem>().ActorOf(EntityJournalActor.Props("svc"));
            var write = new EntityJournalProtocol.Write("svc/pod/world-0", 1, [(new TaskFailureSeen { TaskName = "world-0-server" }, tags)]);
            await entities.Ask<EntityJournalProtocol.Written>(write, TimeSpan.FromSeconds(60));
            await host.StopAsync();
        }

        var stored = (string)PostgresServer.Scalar(journal, "select tags from journal where persistence_id = 'svc/entities'")!;
        Assert.True(stored.Length > 100, $"tags stored: {stored}");
        Assert.All(tags, t => Assert.Contains(t, stored));

        // A scheduler started anew on the database replays the row.
        using (var host = await StartAkkaAsync(journal))
        {
            var entities = host.Services.GetRequiredService<ActorSystem>().ActorOf(EntityJournalActor.Props("svc"));
            var history = await entities.Ask<EntityJournalProtocol.History>(new EntityJournalProtocol.Replay("svc/pod/world-0"), TimeSpan.FromSeconds(60));
            Assert.Equal("world-0-server", Assert.IsType<TaskFailureSeen>(Assert.Single(history.Events)).TaskName);
            await host.StopAsync();
        }
    }

    /// <summary>
    /// <see cref="PostgresJournal.WithPostgresJournal"/> runs the plugin with Akka's journal timeouts beyond the driver's
    /// default bounds (connect 5 s + command 10 s + the cancellation's own connection, twice 5 s, + its 2 s), so that a
    /// frozen server's failure is the driver's.
    /// </summary>
    [SkippableFact]
    public async Task The_journal_plugin_runs_with_Akkas_timeouts_beyond_the_drivers_bounds()
    {
        var journal = server.CreateDatabase();
        using var host = await StartAkkaAsync(journal);
        var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config;

        var expected = TimeSpan.FromSeconds(3 * PostgresJournal.DefaultConnectTimeoutSeconds + PostgresJournal.DefaultCommandTimeoutSeconds + 2);
        Assert.Equal(
            Enumerable.Repeat(expected, 3),
            new[] { "akka.persistence.journal.sql.circuit-breaker.call-timeout", "akka.persistence.journal.sql.recovery-event-timeout", "akka.persistence.snapshot-store.sql.circuit-breaker.call-timeout" }.Select(k => config.GetTimeSpan(k)));
        await host.StopAsync();
    }

    [SkippableFact]
    public async Task A_deployment_journaled_to_PostgreSQL_is_recovered_by_a_restarted_scheduler_without_a_relaunch()
    {
        var journal = server.CreateDatabase();
        await using var emulator = await InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var apiPort = EndToEnd.SchedulerProcess.FreePort();
        var args = Args(journal, emulator.Url.ToString(), apiPort);

        // The first run deploys.
        var first = new StringWriter();
        using (var ctrlC = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            var run = RunCommand.RunAsync(args, first, TextWriter.Null, ctrlC.Token);
            await InProcessRun.DeployCompleteAsync(apiPort, run, first);
            await ctrlC.CancelAsync();
            Assert.Equal(0, await run);
        }

        Assert.Contains($"journal:     {PostgresJournal.Describe(journal)}", first.ToString());
        var launched = emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList();
        Assert.Equal(["hello-0-server", "world-0-server", "world-1-server"], launched.Select(l => l.TaskName));
        Assert.False(File.Exists(Path.Combine(_dir, "data", "journal.db")), "the scheduler journaled to SQLite, not to PostgreSQL");
        Assert.True((long)PostgresServer.Scalar(journal, "select count(*) from journal where persistence_id like 'hello-world/%'")! > 0);

        // The second, on the same database, recovers: deploy COMPLETE, the tasks adopted, none launched again, and the
        // offers it gets once resubscribed declined.
        var (subscribes, declines) = (emulator.History().CallCount("SUBSCRIBE"), emulator.History().CallCount("DECLINE"));
        var second = new StringWriter();
        using (var ctrlC = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            var run = RunCommand.RunAsync(args, second, TextWriter.Null, ctrlC.Token);
            await InProcessRun.DeployCompleteAsync(apiPort, run, second);
            while (emulator.History().CallCount("SUBSCRIBE") == subscribes || emulator.History().CallCount("DECLINE") == declines)
            {
                Assert.False(run.IsCompleted || ctrlC.IsCancellationRequested, $"the restarted scheduler did not resubscribe and decline offers:\n{second}");
                await Task.Delay(100, CancellationToken.None);
            }

            await ctrlC.CancelAsync();
            Assert.Equal(0, await run);
        }

        Assert.Equal(launched, emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList());
        Assert.Equal(launched.Select(l => l.TaskId).Order(), emulator.Snapshot().Tasks.Where(t => t.State == "TASK_RUNNING").Select(t => t.Id).Order());
    }


    /// <summary>
    /// The journal's server lost mid-run (<c>pg_ctl stop -m immediate</c>, every connection cut): the scheduler's next
    /// write — a task status update (hello-0's agent lost), an operator's pod restart, a config update — fails, and
    /// <c>run</c> stops with one <c>error:</c> line naming the journal and exit 3, for a supervisor to start it again,
    /// having acted on nothing it did not record (no launch, no kill). The journal keeps every row it had; brought back,
    /// the server serves a <c>run</c> started again, which recovers with no relaunch and hello-0's task still RUNNING.
    /// </summary>
    [SkippableTheory]
    [InlineData("status update")]
    [InlineData("pod restart")]
    [InlineData("config update")]
    public async Task A_server_lost_mid_run_stops_run_with_exit_3_and_a_restart_on_the_server_back_recovers_without_a_relaunch(string write)
    {
        var journal = server.CreateDatabase();
        await using var deployed = await DeployAsync(journal);
        var (emulator, api) = (deployed.Emulator, deployed.Api);
        // The rows committed now, by their numbers: a write still in flight may commit with a lower number later (a CI
        // run counted 21 rows up to the highest number seen, where 20 had been there), and only losing a row is wrong.
        var seen = (string)PostgresServer.Scalar(journal, "select string_agg(ordering::text, ',') from journal")!;
        var rows = (long)seen.Split(',').Length;

        server.Stop();
        try
        {
            switch (write)
            {
                case "status update":
                    // The master reports the agent's tasks TASK_UNREACHABLE: a status the pods journal before they act on it.
                    await emulator.Faults.LoseAgentAsync(deployed.Hello.AgentId);
                    break;
                case "pod restart":
                    // Journaled before the pod's tasks are killed: not answered 200, since it cannot be recorded.
                    using (var answer = await api.PostAsync("v1/pod/hello-0/restart", null))
                    {
                        Assert.NotEqual(System.Net.HttpStatusCode.OK, answer.StatusCode);
                    }

                    break;
                default:
                    Assert.NotEqual(0, await UpdateCli.StartAsync(api.BaseAddress!.ToString(), HelloWorld, ["SLEEP_DURATION=301"], TextWriter.Null, TextWriter.Null, deployed.Guard.Token));
                    break;
            }

            var (line, _) = await deployed.StoppedAsync(TimeSpan.FromSeconds(90), "without its journal server");
            // Which write met the lost server first (the one made, or one the scheduler made on its own meanwhile).
            log.WriteLine(line);
            Assert.Contains($"start run again once the server {PostgresJournal.Server(journal)} answers: it recovers from the journal (details: ", line);

            // Nothing it could not record was acted on: no task launched, none killed (the restart's kill follows its record).
            deployed.AssertNothingLaunchedOrKilled();
        }
        finally
        {
            server.Start();
        }

        // Every row the journal had is there.
        Assert.Equal(rows, (long)PostgresServer.Scalar(journal, $"select count(*) from journal where ordering in ({seen})")!);
        if (write == "status update")
        {
            await emulator.Faults.ReturnAgentAsync(deployed.Hello.AgentId);
        }

        // Started again, on the server back: deploy COMPLETE, hello-0's task the one recorded before the stop and
        // RUNNING, no task launched again.
        await deployed.RecoversWithoutRelaunchAsync();
    }

    /// <summary>
    /// <paramref name="journal"/> through <paramref name="proxy"/>, pooled as by default (the fixture's strings are not:
    /// writes then hang on connections already open), with the driver's short timeouts an operator would give in the
    /// connection string: connect 1 s, command 1 s, cancellation 200 ms (the driver gives up on a frozen server after 3 s, Akka after 5 s).
    /// </summary>
    private static string ThroughProxy(string journal, FreezingProxy proxy) =>
        new NpgsqlConnectionStringBuilder(journal) { Port = proxy.Port, Pooling = true, Timeout = 1, CommandTimeout = 1, CancellationTimeout = 200 }.ConnectionString;

    /// <summary>
    /// Waits at most <paramref name="within"/> for <paramref name="run"/> to end by itself, and checks it ended as for a
    /// lost journal server: exit 3 and one <c>error:</c> line naming <paramref name="journal"/> and a stream of the
    /// service. That line, and when the run ended (its stop included: the scheduler's own "The scheduler stops" log line
    /// is no measure, since a loaded machine can end the run before Akka's logger wrote it to the file).
    /// </summary>
    private static async Task<(string Line, DateTimeOffset Ended)> StoppedAsLostAsync(Task<int> run, StringWriter output, StringWriter error, string journal, TimeSpan within, string how)
    {
        var first = await Task.WhenAny(run, Task.Delay(within, CancellationToken.None));
        var ended = DateTimeOffset.UtcNow;
        Assert.True(first == run, $"run kept going {how}:\n{output}");
        var line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.True(await run == RunCommand.JournalUnavailableExitCode, $"exit {await run}: {line}");
        Assert.StartsWith($"error: journal {PostgresJournal.Describe(journal)} was lost: the journal's server could not be reached: the journal stream hello-world/", line);
        return (line, ended);
    }

    /// <summary>
    /// <c>run</c> on <paramref name="journal"/> against an emulator of its own, until its deploy is COMPLETE: what the
    /// tests of a journal server lost or frozen mid-run start from.
    /// </summary>
    private async Task<DeployedRun> DeployAsync(string journal)
    {
        var emulator = await InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var apiPort = EndToEnd.SchedulerProcess.FreePort();
        var deployed = new DeployedRun(journal, emulator, Args(journal, emulator.Url.ToString(), apiPort), apiPort);
        await InProcessRun.DeployCompleteAsync(apiPort, deployed.Run, deployed.Output);
        deployed.Deployed();
        return deployed;
    }

    /// <summary>
    /// A <c>run</c> on a PostgreSQL journal whose deploy completed (<see cref="DeployAsync"/>): its emulator, API, console
    /// and what it launched and killed by then, and the checks of the tests that take its server away — that it stopped
    /// with one line and exit 3, that it acted on nothing since, and that a <c>run</c> started again recovers.
    /// </summary>
    private sealed class DeployedRun : IAsyncDisposable
    {
        private readonly string _journal;

        public DeployedRun(string journal, MesosEmulator emulator, RunArguments args, int apiPort)
        {
            _journal = journal;
            Emulator = emulator;
            Args = args;
            ApiPort = apiPort;
            Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(60) };
            Run = RunCommand.RunAsync(args, Output, Error, Guard.Token);
        }

        public MesosEmulator Emulator { get; }

        public RunArguments Args { get; }

        public int ApiPort { get; }

        public HttpClient Api { get; }

        public StringWriter Output { get; } = new();

        public StringWriter Error { get; } = new();

        /// <summary>Ends the run (as Ctrl+C) should it outlive the test.</summary>
        public CancellationTokenSource Guard { get; } = new(TimeSpan.FromMinutes(4));

        public Task<int> Run { get; }

        /// <summary>The tasks launched by the end of the deploy, by name and id.</summary>
        public List<(string TaskName, string TaskId)> Launched { get; private set; } = [];

        /// <summary>The KILL calls made by the end of the deploy.</summary>
        public long Kills { get; private set; }

        /// <summary>hello-0's task, as the deploy left it.</summary>
        public TaskSnapshot Hello { get; private set; } = null!;

        /// <summary>Notes what the deploy left: the tasks launched, the kills made, hello-0's task.</summary>
        public void Deployed()
        {
            Launched = LaunchedNow();
            Kills = Emulator.History().CallCount("KILL");
            Hello = Emulator.Snapshot().Tasks.Single(t => t.Name == "hello-0-server");
        }

        private List<(string TaskName, string TaskId)> LaunchedNow() => Emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList();

        /// <summary>This run's end by itself, as for a lost journal server (<see cref="StoppedAsLostAsync"/>): its line and when it ended.</summary>
        public Task<(string Line, DateTimeOffset Ended)> StoppedAsync(TimeSpan within, string how) => StoppedAsLostAsync(Run, Output, Error, _journal, within, how);

        /// <summary>Ctrl+C: the run stops with exit 0, its tasks left running for the next run to adopt.</summary>
        public async Task StopAsync()
        {
            await Guard.CancelAsync();
            Assert.Equal(0, await Run);
        }

        /// <summary>Nothing acted on since the deploy: no task launched, none killed.</summary>
        public void AssertNothingLaunchedOrKilled()
        {
            Assert.Equal(Launched, LaunchedNow());
            Assert.Equal(Kills, Emulator.History().CallCount("KILL"));
        }

        /// <summary>
        /// <c>run</c> started again on the journal (its server back): the deploy COMPLETE, hello-0's task the one recorded
        /// before and RUNNING, no task launched again.
        /// </summary>
        public async Task RecoversWithoutRelaunchAsync()
        {
            var again = new StringWriter();
            using (var ctrlC = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                var second = RunCommand.RunAsync(Args, again, TextWriter.Null, ctrlC.Token);
                await InProcessRun.DeployCompleteAsync(ApiPort, second, again);
                using (var info = System.Text.Json.JsonDocument.Parse(await Api.GetStringAsync("v1/pod/hello-0/info")))
                {
                    var task = info.RootElement[0];
                    Assert.Equal(Hello.Id, task.GetProperty("info").GetProperty("task_id").GetProperty("value").GetString());
                    Assert.Equal("TASK_RUNNING", task.GetProperty("status").GetProperty("state").GetString());
                }

                await ctrlC.CancelAsync();
                Assert.Equal(0, await second);
            }

            Assert.Equal(Launched, LaunchedNow());
            Assert.Equal(Launched.Select(l => l.TaskId).Order(), Emulator.Snapshot().Tasks.Where(t => t.State == "TASK_RUNNING").Select(t => t.Id).Order());
        }

        public async ValueTask DisposeAsync()
        {
            // Ended as Ctrl+C ends it, should a failed assertion have left it running; its result is the test's business.
            await Guard.CancelAsync();
            await Task.WhenAny(Run);

            Api.Dispose();
            Guard.Dispose();
            await Emulator.DisposeAsync();
        }
    }

    /// <summary>
    /// The journal's server stops answering mid-run without refusing anything (a network partition, a frozen server:
    /// <see cref="FreezingProxy"/> keeps the connections open and forwards nothing): the operator's pod restart, journaled
    /// before its kills, hangs on the server, and the driver's timeouts — short ones here, given in the connection string
    /// as an operator would — stop run with exit 3 as for a lost server, within a bound that follows from them, having
    /// killed nothing. The server answering again, run started again recovers with no relaunch.
    /// </summary>
    [SkippableFact]
    public async Task A_server_that_stops_answering_mid_run_stops_run_with_exit_3_within_its_timeouts_and_a_restart_recovers_without_a_relaunch()
    {
        await using var proxy = FreezingProxy.Start(server.Port);
        var throughProxy = ThroughProxy(server.CreateDatabase(), proxy);
        await using var deployed = await DeployAsync(throughProxy);

        proxy.Freeze();
        var frozen = DateTimeOffset.UtcNow;
        var restart = deployed.Api.PostAsync("v1/pod/hello-0/restart", null);
        // The write fails after command 1 s + the cancel request's connection giving up, twice connect 1 s: about 3 s,
        // before Akka's limit on a journal call (5 s), with room for a loaded build machine.
        var (line, ended) = await deployed.StoppedAsync(TimeSpan.FromSeconds(60), "with its journal server frozen");
        log.WriteLine($"exited {ended - frozen} after the freeze: {line}");
        Assert.True(ended - frozen < TimeSpan.FromSeconds(8), $"run exited {ended - frozen} after the server froze: {line}");
        // Journaled before the pod's tasks are killed: not answered 200, since it could not be recorded (or not answered
        // at all, the API stopped with run).
        System.Net.HttpStatusCode? answered = null;
        try
        {
            using var answer = await restart;
            answered = answer.StatusCode;
        }
        catch (HttpRequestException)
        {
        }

        Assert.NotEqual(System.Net.HttpStatusCode.OK, answered);
        deployed.AssertNothingLaunchedOrKilled();

        proxy.Thaw();
        await deployed.RecoversWithoutRelaunchAsync();
    }

    /// <summary>
    /// The first read of a replay: the events of one stream from a sequence number on (the replay's query, as
    /// Akka.Persistence.Sql sends it; the start-up checks and the writes send nothing like it).
    /// </summary>
    private const string ReplayQuery = "r.sequence_number >= $2";

    /// <summary>
    /// A multi-row insert into the journal: a first row's nine parameters closed and a second row's following
    /// (<c>($1,…,$9),</c>); a single row's insert closes its parameters with no comma after them.
    /// </summary>
    private const string MultiRowInsert = "$9),";

    /// <summary>
    /// The journal's server freezes (a partition, a frozen host) as <c>run</c>, started again after a deploy, replays the
    /// journal: its start-up checks passed, the first replay query of a stream never answered. <c>run</c> stops with one
    /// line and exit 3, as for a lost server, within the driver's timeouts, having acted on nothing; the server answering
    /// again, <c>run</c> started again recovers with no relaunch.
    /// </summary>
    [SkippableFact]
    public async Task A_server_that_freezes_during_the_replay_at_start_stops_run_with_exit_3_within_its_timeouts_and_a_restart_recovers_without_a_relaunch()
    {
        await using var proxy = FreezingProxy.Start(server.Port);
        var throughProxy = ThroughProxy(server.CreateDatabase(), proxy);
        await using var deployed = await DeployAsync(throughProxy);
        await deployed.StopAsync();

        var froze = proxy.FreezeOn(ReplayQuery);
        var (output, error) = (new StringWriter(), new StringWriter());
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = RunCommand.RunAsync(deployed.Args, output, error, guard.Token);
        var frozeAt = await froze.WaitAsync(TimeSpan.FromSeconds(60));
        var (line, ended) = await StoppedAsLostAsync(run, output, error, throughProxy, TimeSpan.FromSeconds(60), "with its journal server frozen in the replay");
        log.WriteLine($"exited {ended - frozeAt} after the freeze: {line}");
        Assert.Contains(" could not be read (", line);
        // The replay's query fails after command 1 s + the cancel request's connection giving up, twice connect 1 s: 3 s,
        // before Akka's limits (5 s), with room for the run's own stop (the API, Akka) and a loaded build machine.
        Assert.True(ended - frozeAt < TimeSpan.FromSeconds(10), $"run exited {ended - frozeAt} after the server froze: {line}");
        deployed.AssertNothingLaunchedOrKilled();

        proxy.Thaw();
        await deployed.RecoversWithoutRelaunchAsync();
    }

    /// <summary>
    /// A multi-row write (a config update's: the new spec version and the target in one insert) to a server that froze as
    /// it was sent ends with the driver's error — its <c>Command Timeout</c> applies, then the cancel request's
    /// connection gives up — before Akka's limit on a journal call: <c>run</c> stops with the write's own failure (not
    /// with a replay's after a restart, as a bare timeout of Akka's would make it), exit 3, having acted on nothing. With
    /// connect 2 s, command 1 s and cancellation 200 ms the driver gives up after 5 s, Akka after 8 s.
    /// </summary>
    [SkippableFact]
    public async Task A_multi_row_write_to_a_frozen_server_ends_with_the_drivers_command_timeout_before_Akkas_limit()
    {
        await using var proxy = FreezingProxy.Start(server.Port);
        var throughProxy = new NpgsqlConnectionStringBuilder(ThroughProxy(server.CreateDatabase(), proxy)) { Timeout = 2 }.ConnectionString;
        await using var deployed = await DeployAsync(throughProxy);

        var froze = proxy.FreezeOn(MultiRowInsert);
        var update = UpdateCli.StartAsync(deployed.Api.BaseAddress!.ToString(), HelloWorld, ["SLEEP_DURATION=301"], TextWriter.Null, TextWriter.Null, deployed.Guard.Token);
        var frozeAt = await froze.WaitAsync(TimeSpan.FromSeconds(60));
        var (line, ended) = await deployed.StoppedAsync(TimeSpan.FromSeconds(60), "with its journal server frozen in a write");
        log.WriteLine($"exited {ended - frozeAt} after the freeze: {line}");
        // The config's write itself failed, with the driver's error (its read timed out), not a replay after Akka's limit.
        Assert.Contains("the journal stream hello-world/config could not be written (Timeout during reading attempt)", line);
        // The driver's 5 s and the run's stop, before Akka's limit (8 s) would have ended the write.
        Assert.True(ended - frozeAt < PostgresJournal.JournalCallTimeout(throughProxy), $"run exited {ended - frozeAt} after the server froze: {line}");
        Assert.NotEqual(0, await update);
        deployed.AssertNothingLaunchedOrKilled();

        proxy.Thaw();
        await deployed.RecoversWithoutRelaunchAsync();
    }

    /// <summary>
    /// A server that answers nothing from the start: before anything starts, run's check gives up on connecting after
    /// 5 s (exit 2, nothing started); one that freezes once the checks passed (the embedded emulator started meanwhile)
    /// stops run with one line and exit 3, as one lost mid-run — not a stack trace, not a hang.
    /// </summary>
    [SkippableFact]
    public async Task A_server_frozen_at_start_is_exit_2_before_the_checks_and_exit_3_after_them_never_a_hang()
    {
        await using var proxy = FreezingProxy.Start(server.Port);
        var throughProxy = ThroughProxy(server.CreateDatabase(), proxy);

        proxy.Freeze();
        var (code, output, error) = await InProcessRun.RunToEndAsync(Args(throughProxy, master: null!));
        Assert.Equal(2, code);
        Assert.StartsWith($"error: journal server 127.0.0.1:{proxy.Port} is unreachable (", Assert.Single(error));
        Assert.Empty(output);

        // Frozen by the embedded emulator's start, which follows the checks and the tables' creation: the scheduler's
        // own setup finds the server gone.
        proxy.Thaw();
        (code, output, error) = await InProcessRun.RunToEndAsync(Args(throughProxy, master: null!) with { ConfigureEmulator = _ => proxy.Freeze() });
        Assert.True(code == RunCommand.JournalUnavailableExitCode, $"exit {code}: {string.Join('\n', error)}");
        var line = Assert.Single(error);
        Assert.StartsWith($"error: journal server 127.0.0.1:{proxy.Port} is unreachable (", line);
        Assert.EndsWith("start PostgreSQL there, or fix Host and Port in --journal-connection", line);
    }


    private static async Task<IHost> StartAkkaAsync(string journal)
    {
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("pg-journal-test", (akka, _) => akka
                .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                .AddHocon(SchedulerHocon.Text, HoconAddMode.Prepend)
                .WithPostgresJournal(journal)))
            .Build();
        await host.StartAsync();
        return host;
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }


    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
