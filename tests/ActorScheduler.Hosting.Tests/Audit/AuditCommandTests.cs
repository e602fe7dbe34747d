using System.Text.Json;
using System.Text.RegularExpressions;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.Cli;
using Microsoft.Data.Sqlite;

namespace ActorScheduler.Hosting.Tests.Audit;

/// <summary><c>actorscheduler audit</c> on the journal of a real deployment: the timeline, its filters, its JSON, and bad input.</summary>
public sealed class AuditCommandTests(DeployedJournal deployed) : IClassFixture<DeployedJournal>
{
    private static readonly DateTime Now = new(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task The_timeline_shows_the_launch_of_hello_0s_task_with_its_agent_and_the_offer_decision_that_placed_it()
    {
        var (code, output, error) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir));

        Assert.Equal(0, code);
        Assert.Empty(error);
        var launch = Assert.Single(Lines(output), l => l.Contains("  pod hello-0  ", StringComparison.Ordinal) && l.Contains("TaskLaunchRecorded", StringComparison.Ordinal));
        var launched = Regex.Match(launch, @"hello-0-server launched as task id (?<task>hello-0-server__\S+) with cpus 0\.1, mem 252, disk 25 on agent (?<agent>\S+) \((?<host>[^)]+)\) from offer (?<offer>\S+),");
        Assert.True(launched.Success, launch);

        // The decision that placed it: hello-0 passed that very offer, on that agent.
        var decision = Assert.Single(Lines(output), l => l.Contains($"hello-0: offer {launched.Groups["offer"].Value} ", StringComparison.Ordinal));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  router +OfferDecision +hello-0: offer ", decision);
        Assert.EndsWith($"on {launched.Groups["host"].Value} (agent {launched.Groups["agent"].Value}) PASS", decision);

        // Its task reached TASK_RUNNING on that agent, and its step completed.
        Assert.Contains(Lines(output), l => l.Contains($"{launched.Groups["task"].Value} TASK_RUNNING", StringComparison.Ordinal) && l.Contains($"on agent {launched.Groups["agent"].Value}", StringComparison.Ordinal));
        Assert.Contains(Lines(output), l => Regex.IsMatch(l, @"  plan deploy/hello/hello-0:\[server\] +StepStatusChanged +status COMPLETE"));
        Assert.Contains(Lines(output), l => Regex.IsMatch(l, @"  config +TargetConfigSet +target config \S+"));
    }

    [Fact]
    public async Task The_timeline_is_in_the_order_the_journal_was_written()
    {
        var (_, output, _) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Limit: 0));

        var times = Lines(output).Select(l => l[..24]).ToList();
        Assert.Equal(times.Order(StringComparer.Ordinal), times);
        Assert.Contains("ConfigStored", Lines(output)[0]);
    }

    [Fact]
    public async Task The_journal_of_a_running_scheduler_is_read_without_its_lock()
    {
        var (code, output, error) = deployed.WhileRunning;

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Contains(Lines(output), l => l.Contains("  pod hello-0  ", StringComparison.Ordinal) && l.Contains("TaskLaunchRecorded", StringComparison.Ordinal));
        Assert.Contains(Lines(output), l => l.Contains("operator resume (proceeds)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reading_a_stopped_schedulers_journal_changes_nothing_and_creates_no_file_beside_it()
    {
        var before = Directory.GetFiles(deployed.DataDir).Order().ToList();
        var bytes = await File.ReadAllBytesAsync(deployed.Journal);

        var (code, _, _) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Limit: 0));

        Assert.Equal(0, code);
        Assert.Equal(before, Directory.GetFiles(deployed.DataDir).Order().ToList());
        Assert.Equal(bytes, await File.ReadAllBytesAsync(deployed.Journal));
        Assert.DoesNotContain(deployed.Journal + "-wal", before);
    }

    [Fact]
    public async Task Offers_shows_only_the_routers_decisions_with_their_outcome()
    {
        var (code, output, _) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Offers: true));

        Assert.Equal(0, code);
        Assert.All(Lines(output), l => Assert.Matches(@"^\S+  router +(OfferDecision|SkippedOffers|OfferCycleRecorded) ", l));
        foreach (var pod in new[] { "hello-0", "world-0" })
        {
            Assert.Contains(Lines(output), l => Regex.IsMatch(l, $@"OfferDecision +{pod}: offer \S+ on \S+ \(agent \S+\) PASS$"));
        }

        // No offer can fit world-1 (one agent, hostname:UNIQUE): why is in the offers skipped for it.
        Assert.Contains(Lines(output), l => Regex.IsMatch(l, @"SkippedOffers +world-1: 1 offer not evaluated in full, a quick check showed it unfit: FAIL\(PlacementRuleEvaluationStage\): hostname:UNIQUE"));
        Assert.DoesNotContain(Lines(output), l => l.Contains("OfferDecision  world-1", StringComparison.Ordinal));

        Assert.Contains(Lines(output), l => Regex.IsMatch(l, @"OfferCycleRecorded +offer cycle: accepted offer \S+"));
    }

    [Fact]
    public async Task Pod_shows_the_pods_own_events_its_steps_and_the_routers_decisions_about_it_only()
    {
        var (_, output, _) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Pod: "world-0"));

        var lines = Lines(output);
        Assert.All(lines, l => Assert.Matches(@"^\S+  (pod world-0 +\S+ |plan deploy/world/world-0:\[server\] +\S+ |router +(OfferDecision|SkippedOffers) +world-0: )", l));
        Assert.Contains(lines, l => l.Contains("TaskLaunchRecorded", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("StepStatusChanged", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("OfferDecision", StringComparison.Ordinal));

        var (_, offers, _) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Pod: "world-1", Offers: true));
        Assert.All(Lines(offers), l => Assert.Matches(@"^\S+  router +SkippedOffers +world-1: ", l));
        Assert.NotEmpty(Lines(offers));
    }

    [Fact]
    public async Task Plan_and_step_show_that_plans_and_steps_events_only()
    {
        var (_, plan, _) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Plan: "deploy"));
        Assert.Equal(2, Lines(plan).Count(l => l.Contains("status COMPLETE", StringComparison.Ordinal)));
        Assert.All(Lines(plan), l => Assert.Matches(@"^\S+  plan deploy[/ ]", l));

        var (_, step, _) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Plan: "deploy", Step: "world-0:[server]"));
        Assert.All(Lines(step), l => Assert.Matches(@"^\S+  plan deploy/world/world-0:\[server\] ", l));
        Assert.NotEmpty(Lines(step));

        var (code, none, _) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Plan: "recovery", Step: "world-0:[server]"));
        Assert.Equal(0, code);
        Assert.Equal($"no event in journal {deployed.Journal} matches", none.Trim());
    }

    [Fact]
    public async Task Operator_actions_on_a_plan_appear_in_its_stream_in_order()
    {
        var (_, output, _) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Plan: "deploy"));

        var actions = Lines(output).Where(l => l.Contains("InterruptChanged", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, actions.Count);
        Assert.Matches(@"^\S+  plan deploy +InterruptChanged +operator pause \(interrupted\)$", actions[0]);
        Assert.Matches(@"^\S+  plan deploy +InterruptChanged +operator resume \(proceeds\)$", actions[1]);
    }

    [Fact]
    public async Task Since_and_until_keep_the_events_written_in_the_window()
    {
        var all = Lines((await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Limit: 0))).Output);
        var middle = all[all.Count / 2][..24];

        var since = Lines((await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Since: middle, Limit: 0))).Output);
        var until = Lines((await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Until: middle, Limit: 0))).Output);

        Assert.All(since, l => Assert.True(string.CompareOrdinal(l[..24], middle) >= 0, l));
        Assert.All(until, l => Assert.True(string.CompareOrdinal(l[..24], middle) < 0, l));
        Assert.Equal(Unpadded(all), Unpadded(until.Concat(since)));

        // Relative to now: the deployment was minutes ago at most, and never in the future.
        Assert.Equal(all, Lines((await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Since: "-1h", Limit: 0), DateTime.UtcNow)).Output));
        Assert.Contains("matches", (await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Until: "-1h"), DateTime.UtcNow)).Output);
    }

    [Fact]
    public async Task Limit_shows_the_latest_events_and_says_how_many_earlier_ones_were_left_out()
    {
        var all = Lines((await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Limit: 0))).Output);

        var (code, output, _) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Limit: 3));

        Assert.Equal(0, code);
        var lines = Lines(output);
        Assert.Equal(4, lines.Count);
        Assert.Equal(Unpadded(all[^3..]), Unpadded(lines[..3]));
        Assert.Equal($"{all.Count - 3} earlier events left out (only the latest 3 shown): --limit 0 shows them all, --since/--until or a filter narrow the timeline", lines[3]);
    }

    [Fact]
    public async Task Json_is_an_array_of_the_events_with_the_protobuf_event_as_json()
    {
        var (code, output, error) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Json: true, Limit: 0));

        Assert.Equal(0, code);
        Assert.Empty(error);
        using var json = JsonDocument.Parse(output);
        var entries = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(Lines((await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Limit: 0))).Output).Count, entries.Count);
        Assert.All(entries, e =>
        {
            foreach (var property in new[] { "time", "persistence_id", "sequence_nr", "stream", "kind", "tags", "event" })
            {
                Assert.True(e.TryGetProperty(property, out _), $"{property} missing in {e}");
            }
        });

        var launch = Assert.Single(entries, e => e.GetProperty("kind").GetString() == "TaskLaunchRecorded" && e.GetProperty("stream").GetString() == "pod hello-0");
        Assert.Equal("hello-world/entities", launch.GetProperty("persistence_id").GetString());
        Assert.Equal("hello-world/pod/hello-0", launch.GetProperty("entity").GetString());
        Assert.Equal(["pod:hello-0"], launch.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var @event = launch.GetProperty("event");
        var taskInfo = @event.GetProperty("tasks")[0].GetProperty("task_info");
        Assert.StartsWith("hello-0-server__", taskInfo.GetProperty("task_id").GetProperty("value").GetString());
        Assert.Equal(@event.GetProperty("agent_id").GetString(), taskInfo.GetProperty("agent_id").GetProperty("value").GetString());

        var decision = Assert.Single(entries, e => e.GetProperty("kind").GetString() == "OfferDecision" && e.GetProperty("event").GetProperty("pod_instance").GetString() == "hello-0");
        Assert.True(decision.GetProperty("event").GetProperty("passed").GetBoolean());
        Assert.Equal(@event.GetProperty("offer_id").GetString(), decision.GetProperty("event").GetProperty("offer_id").GetString());
        Assert.Equal(["offer-decision"], decision.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains(decision.GetProperty("event").GetProperty("explanation").EnumerateArray(), l => l.GetString()!.StartsWith("PASS(", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_with_a_limit_stays_one_array_and_says_what_was_left_out_on_stderr()
    {
        var (code, output, error) = await AuditAsync(new AuditArguments(DataDir: deployed.DataDir, Json: true, Limit: 2));

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2, json.RootElement.GetArrayLength());
        Assert.Matches(@"^\d+ earlier events left out \(only the latest 2 shown\)", error);
    }

    [Fact]
    public async Task Events_it_cannot_decode_are_shown_as_such_and_the_rest_still_is()
    {
        var copy = Path.Combine(deployed.Scratch, $"{Guid.NewGuid():N}.db");
        File.Copy(deployed.Journal, copy);
        using (var connection = new SqliteConnection($"Data Source={copy};Pooling=False"))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                insert into journal(created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid)
                values ($created, 0, 'hello-world/framework', 90, x'0a03616263', '', 'actorscheduler.v1.FrameworkRenamed', 4100, 'x'),
                       ($created, 0, 'hello-world/framework', 91, x'0aff', '', 'actorscheduler.v1.FrameworkRegistered', 4100, 'x'),
                       ($created, 0, 'hello-world/framework', 92, x'00', '', 'Some.Type', 1, 'x'),
                       ($created, 0, 'hello-world/entities', 90, $batch, ';pod:hello-0;', 'actorscheduler.v1.EntityEventBatch', 4100, 'x'),
                       ($created, 0, 'hello-world/framework', 93, $registered, '', 'actorscheduler.v1.FrameworkRegistered', 4100, 'x')
                """;
            insert.Parameters.AddWithValue("$created", DateTime.UtcNow.Ticks);
            var batch = new ActorScheduler.Messages.Events.EntityEventBatch
            {
                Events =
                {
                    new ActorScheduler.Messages.Events.EntityEvent
                    {
                        Entity = "hello-world/pod/hello-0",
                        Event = new Google.Protobuf.WellKnownTypes.Any { TypeUrl = "type.googleapis.com/actorscheduler.v1.PodTeleported", Value = Google.Protobuf.ByteString.CopyFromUtf8("x") },
                    },
                },
            };
            insert.Parameters.AddWithValue("$batch", Google.Protobuf.MessageExtensions.ToByteArray(batch));
            insert.Parameters.AddWithValue("$registered", Google.Protobuf.MessageExtensions.ToByteArray(new ActorScheduler.Messages.Events.FrameworkRegistered { FrameworkId = "after-the-damage" }));
            insert.ExecuteNonQuery();
        }

        var (code, output, error) = await AuditAsync(new AuditArguments(Journal: copy, Limit: 5));

        Assert.Equal(0, code);
        Assert.Empty(error);
        var lines = Lines(output);
        Assert.Matches(@"  framework +undecodable +event of unknown type 'actorscheduler\.v1\.FrameworkRenamed' \(written by a newer version of actorscheduler\?\)$", lines[0]);
        Assert.Matches(@"  framework +undecodable +actorscheduler\.v1\.FrameworkRegistered that cannot be decoded \(.+\): its bytes are damaged$", lines[1]);
        Assert.Matches(@"  framework +undecodable +event 'Some\.Type' written by serializer 1, not actorscheduler's \(4100\)$", lines[2]);
        Assert.Matches(@"  pod hello-0 +undecodable +event of unknown type 'actorscheduler\.v1\.PodTeleported'", lines[3]);
        Assert.Matches(@"  framework +FrameworkRegistered +framework id after-the-damage$", lines[4]);

        var json = await AuditAsync(new AuditArguments(Journal: copy, Limit: 5, Json: true));
        using var document = JsonDocument.Parse(json.Output);
        var first = document.RootElement[0];
        Assert.Equal(JsonValueKind.Null, first.GetProperty("event").ValueKind);
        Assert.Equal("undecodable", first.GetProperty("kind").GetString());
        Assert.Contains("FrameworkRenamed", first.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_data_dir_without_a_journal_is_one_error_line_and_exit_2()
    {
        var empty = Directory.CreateDirectory(Path.Combine(deployed.Scratch, $"{Guid.NewGuid():N}")).FullName;

        await AssertRefusedAsync(new AuditArguments(DataDir: empty), $"error: data dir {empty} holds no journal (journal.db): give the --data-dir of a run, or the journal file with --journal");
        await AssertRefusedAsync(new AuditArguments(DataDir: Path.Combine(empty, "none")), $"error: no data dir {Path.Combine(empty, "none")}: give the --data-dir of a run, or the journal file with --journal");
        await AssertRefusedAsync(new AuditArguments(Journal: Path.Combine(empty, "none.db")), $"error: no journal {Path.Combine(empty, "none.db")}");

        // Nothing is created where the journal was looked for.
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
    }

    [Fact]
    public async Task A_file_that_is_no_SQLite_database_is_one_error_line_and_exit_2()
    {
        var file = Path.Combine(deployed.Scratch, $"{Guid.NewGuid():N}.db");
        await File.WriteAllTextAsync(file, new string('x', 5000));

        await AssertRefusedAsync(new AuditArguments(Journal: file), $"error: journal {file} is not a readable SQLite database: SQLite Error 26: 'file is not a database'.");
    }

    [Fact]
    public async Task A_database_without_a_journal_table_is_one_error_line_and_exit_2()
    {
        var file = Path.Combine(deployed.Scratch, $"{Guid.NewGuid():N}.db");
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "create table notes (x text)";
            create.ExecuteNonQuery();
        }

        await AssertRefusedAsync(new AuditArguments(Journal: file), $"error: journal {file} has no journal table: it is not an actorscheduler journal (or no scheduler has written to it yet)");
    }

    [Fact]
    public async Task A_journal_table_of_another_layout_is_one_error_line_and_exit_2()
    {
        var file = Path.Combine(deployed.Scratch, $"{Guid.NewGuid():N}.db");
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "create table journal (persistence_id text, payload blob)";
            create.ExecuteNonQuery();
        }

        await AssertRefusedAsync(
            new AuditArguments(Journal: file),
            $"error: journal {file} has a table 'journal' without the columns ordering, created, deleted, sequence_number, message, tags, manifest, identifier, writer_uuid: "
            + "it is not an actorscheduler journal (another program's database, or a layout this version does not know)");
    }

    [Fact]
    public async Task A_journal_another_process_holds_locked_is_said_to_be_locked()
    {
        var copy = Path.Combine(deployed.Scratch, $"{Guid.NewGuid():N}.db");
        File.Copy(deployed.Journal, copy);
        using var holder = new SqliteConnection($"Data Source={copy};Pooling=False");
        holder.Open();
        using (var lockIt = holder.CreateCommand())
        {
            // As a sqlite3 shell in exclusive locking mode holds it: nobody else may even read.
            lockIt.CommandText = "pragma journal_mode = wal; pragma locking_mode = exclusive; begin exclusive; select count(*) from journal;";
            lockIt.ExecuteScalar();
        }

        var (code, output, error) = await AuditAsync(new AuditArguments(Journal: copy));

        Assert.Equal(2, code);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith($"error: journal {copy} is locked by another process (", line);
        Assert.EndsWith("): stop what holds it (a sqlite3 shell in exclusive mode, a backup tool), then run again", line);
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("yesterday", "--since")]
    [InlineData("12/07/2026", "--since")]
    [InlineData("-5x", "--since")]
    [InlineData("2026-13-45T99:00:00Z", "--until")]
    public async Task An_unparsable_time_is_one_error_line_naming_the_option_and_exit_2(string time, string option)
    {
        var args = option == "--since" ? new AuditArguments(DataDir: deployed.DataDir, Since: time) : new AuditArguments(DataDir: deployed.DataDir, Until: time);

        await AssertRefusedAsync(args, $"error: {option} expects an ISO-8601 time (2026-12-07T10:00:00Z, a date, a time without offset is UTC), now, or a time ago, - and a duration (-90s, -1.5m, -2h, -7d), got '{time}'");
    }

    [Fact]
    public async Task Contradicting_options_are_one_error_line_and_exit_2()
    {
        await AssertRefusedAsync(new AuditArguments(DataDir: deployed.DataDir, Journal: deployed.Journal), "error: give --data-dir or --journal, not both (--journal names the journal file itself)");
        await AssertRefusedAsync(new AuditArguments(DataDir: deployed.DataDir, Limit: -1), "error: --limit expects a number of events >= 0 (0: all), got '-1'");
        await AssertRefusedAsync(
            new AuditArguments(DataDir: deployed.DataDir, Since: "-1h", Until: "-2h"),
            "error: --since (2026-12-07T11:00:00.000Z) is after --until (2026-12-07T10:00:00.000Z): no event can be in between");
    }

    [Fact]
    public async Task The_executable_runs_audit_and_refuses_bad_arguments_with_one_line_and_exit_2()
    {
        var ok = await CliProcess.RunAsync("audit", "--data-dir", deployed.DataDir, "--pod", "hello-0", "--offers");
        Assert.Equal(0, ok.Code);
        Assert.Matches(@"router +OfferDecision +hello-0: offer \S+ on \S+ \(agent \S+\) PASS", ok.Output);

        var since = await CliProcess.RunAsync("audit", "--data-dir", deployed.DataDir, "--since", "last week");
        Assert.Equal(2, since.Code);
        Assert.StartsWith("error: --since expects an ISO-8601 time", Assert.Single(since.Error.Trim().Split('\n')));
        Assert.Empty(since.Output);

        var limit = await CliProcess.RunAsync("audit", "--data-dir", deployed.DataDir, "--limit", "many");
        Assert.Equal(2, limit.Code);
        Assert.StartsWith("error: --limit expects a whole number, got 'many'", limit.Error);

        var help = await CliProcess.RunAsync("audit", "--help");
        Assert.Equal(0, help.Code);
        foreach (var option in new[] { "--data-dir", "--journal", "--journal-connection", "--pod", "--plan", "--step", "--offers", "--since", "--until", "--limit", "--json" })
        {
            Assert.Contains(option, help.Output);
        }

        Assert.Contains("a time ago: - and a duration, a number and its unit ms, s, m, h or d (-90s, -1.5m, -2h, -7d)", System.Text.RegularExpressions.Regex.Replace(help.Output, @"\s+", " "));
    }

    private static async Task AssertRefusedAsync(AuditArguments args, string expected)
    {
        var (code, output, error) = await AuditAsync(args);

        Assert.Equal(2, code);
        Assert.Equal(expected, Assert.Single(error.Trim().Split('\n')));
        Assert.Empty(output);
    }

    private static async Task<(int Code, string Output, string Error)> AuditAsync(AuditArguments args, DateTime? now = null)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await AuditCommand.RunAsync(args, output, error, now ?? Now);
        return (code, output.ToString(), error.ToString());
    }

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();

    /// <summary>The lines with their columns' padding collapsed: the columns are as wide as the widest entry shown.</summary>
    private static List<string> Unpadded(IEnumerable<string> lines) => lines.Select(l => Regex.Replace(l, " {2,}", "  ")).ToList();
}
