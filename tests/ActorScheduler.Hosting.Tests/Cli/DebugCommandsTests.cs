using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.EndToEnd;

namespace ActorScheduler.Hosting.Tests.Cli;

public sealed class DebugCommandsTests
{
    [Fact]
    public async Task An_unreachable_scheduler_is_one_clear_line()
    {
        var port = SchedulerProcess.FreePort();
        var (output, error) = (new StringWriter(), new StringWriter());

        var code = await DebugCommands.OffersAsync($"http://127.0.0.1:{port}", null, 10, false, output, error, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.StartsWith($"error: cannot reach the scheduler at http://127.0.0.1:{port}/:", error.ToString());
        Assert.Single(error.ToString().Trim().Split('\n'));
    }

    [Fact]
    public async Task Reservations_and_tasks_of_an_unreachable_scheduler_are_one_clear_line_too()
    {
        var port = SchedulerProcess.FreePort();
        foreach (var command in new Func<StringWriter, StringWriter, Task<int>>[]
        {
            (o, e) => DebugCommands.ReservationsAsync($"http://127.0.0.1:{port}", null, false, o, e, CancellationToken.None),
            (o, e) => DebugCommands.TasksAsync($"http://127.0.0.1:{port}", "hello-0", true, o, e, CancellationToken.None),
        })
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(2, await command(output, error));
            Assert.StartsWith($"error: cannot reach the scheduler at http://127.0.0.1:{port}/:", error.ToString());
            Assert.Empty(output.ToString());
        }
    }

    [Fact]
    public async Task A_negative_limit_is_refused_naming_the_option_before_asking_the_scheduler()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        // Nothing listens there: the refusal comes first.
        Assert.Equal(2, await DebugCommands.OffersAsync($"http://127.0.0.1:{SchedulerProcess.FreePort()}", null, -1, false, output, error, CancellationToken.None));
        Assert.Equal("error: --limit expects a number of evaluations >= 0, got '-1'", error.ToString().Trim());
    }

    [Fact]
    public async Task An_api_that_is_no_url_is_refused()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(2, await DebugCommands.OffersAsync("localhost:8080", null, 10, false, output, error, CancellationToken.None));
        Assert.Equal("error: --api expects an http:// URL such as http://127.0.0.1:8080, got 'localhost:8080'", error.ToString().Trim());
    }

    [Fact]
    public async Task Config_and_state_commands_of_an_unreachable_scheduler_are_one_clear_line()
    {
        var api = $"http://127.0.0.1:{SchedulerProcess.FreePort()}";
        foreach (var command in new Func<StringWriter, StringWriter, Task<int>>[]
        {
            (o, e) => StateCli.ConfigListAsync(api, false, o, e, CancellationToken.None),
            (o, e) => StateCli.ConfigShowAsync(api, "some-id", true, o, e, CancellationToken.None),
            (o, e) => StateCli.ConfigTargetAsync(api, false, o, e, CancellationToken.None),
            (o, e) => StateCli.ConfigTargetIdAsync(api, false, o, e, CancellationToken.None),
            (o, e) => StateCli.FrameworkIdAsync(api, false, o, e, CancellationToken.None),
            (o, e) => StateCli.PropertiesAsync(api, true, o, e, CancellationToken.None),
            (o, e) => StateCli.PropertyAsync(api, "suppressed", false, o, e, CancellationToken.None),
            (o, e) => StateCli.RefreshAsync(api, o, e, CancellationToken.None),
        })
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(2, await command(output, error));
            Assert.StartsWith($"error: cannot reach the scheduler at {api}/:", error.ToString());
            Assert.Single(error.ToString().Trim().Split('\n'));
            Assert.Empty(output.ToString());
        }
    }

    [Fact]
    public async Task The_new_commands_have_help_and_fail_cleanly_without_a_scheduler()
    {
        foreach (var command in new[] { "describe", "debug config show", "debug config target_id", "debug state property", "debug state refresh_cache", "debug pod pause" })
        {
            var (code, output, _) = await RunCliAsync([.. command.Split(' '), "--help"]);
            Assert.True(code == 0, $"{command} --help exited {code}");
            Assert.Contains("--api", output);
        }

        var (failed, stdout, stderr) = await RunCliAsync(["debug", "state", "property", "suppressed", "--api", $"http://127.0.0.1:{SchedulerProcess.FreePort()}"]);
        Assert.Equal(2, failed);
        Assert.Empty(stdout);
        Assert.StartsWith("error: cannot reach the scheduler at", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Theory]
    [InlineData("debug offers --limit abc", "actorscheduler debug offers")]
    [InlineData("debug offers --limit 99999999999", "actorscheduler debug offers")]
    [InlineData("plan status", "actorscheduler plan status")]
    [InlineData("update force-complete hello", "actorscheduler update force-complete")]
    [InlineData("update force-restart hello hello-0:[server] extra", "actorscheduler update force-restart")]
    [InlineData("endpoints http extra", "actorscheduler endpoints")]
    [InlineData("plan stauts deploy", "actorscheduler plan")]
    [InlineData("run svc.yml --claims-per-cycle many", "actorscheduler run")]
    public async Task A_command_line_the_parser_rejects_is_bad_arguments_in_error_lines_and_exit_2(string command, string usage)
    {
        var (code, output, error) = await RunCliAsync(command.Split(' '));

        Assert.Equal(2, code);
        Assert.Empty(output);
        var lines = error.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.True(lines.Count >= 2, error);
        Assert.All(lines[..^1], l => Assert.StartsWith("error: ", l));
        Assert.Equal($"usage: {usage} --help", lines[^1]);
    }

    private static Task<(int Code, string Output, string Error)> RunCliAsync(string[] arguments) => CliProcess.RunAsync(arguments);

    private const string ThreePods = """
        {"summaries": [
          {"pod": "hello-0", "evaluated": 3, "passed": 1, "summary": "hello-0: 3 offers evaluated, 1 passed; 2 FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE"},
          {"pod": "big-0", "evaluated": 2, "passed": 0, "summary": "big-0: 2 offers evaluated, 0 passed; 2 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation"},
          {"pod": "big-1", "evaluated": 1, "passed": 0, "summary": "big-1: 1 offer evaluated, 0 passed; 1 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation"}],
         "outcomes": []}
        """;

    [Fact]
    public async Task Unplaced_lists_only_the_pods_no_offer_placed_and_how_many_of_those_evaluated()
    {
        using var api = new StubApi(new() { ["v2/debug/offers"] = ThreePods });
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(0, await DebugCommands.OffersAsync(api.Url, null, 10, false, output, error, CancellationToken.None, unplaced: true));

        Assert.Equal(
            [
                "big-0: 2 offers evaluated, 0 passed; 2 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation",
                "big-1: 1 offer evaluated, 0 passed; 1 FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation",
                "2 of 3 pod instances evaluated not placed yet",
            ],
            output.ToString().TrimEnd().Split('\n'));
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task Unplaced_says_so_when_every_pod_was_placed_and_answers_json_too()
    {
        const string placed = """{"summaries": [{"pod": "hello-0", "evaluated": 1, "passed": 1, "summary": "hello-0: 1 offer evaluated, 1 passed"}], "outcomes": []}""";
        using (var api = new StubApi(new() { ["v2/debug/offers"] = placed }))
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(0, await DebugCommands.OffersAsync(api.Url, null, 10, false, output, error, CancellationToken.None, unplaced: true));
            Assert.Equal("every pod instance evaluated (1) was placed", output.ToString().Trim());
        }

        using (var api = new StubApi(new() { ["v2/debug/offers"] = ThreePods }))
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(0, await DebugCommands.OffersAsync(api.Url, null, 10, true, output, error, CancellationToken.None, unplaced: true));
            using var json = System.Text.Json.JsonDocument.Parse(output.ToString());
            Assert.Equal(3, json.RootElement.GetProperty("evaluated").GetInt32());
            Assert.Equal(["big-0", "big-1"], json.RootElement.GetProperty("unplaced").EnumerateArray().Select(s => s.GetProperty("pod").GetString()));
        }
    }

    [Fact]
    public async Task The_offers_declined_come_first_on_one_line_and_an_api_without_them_is_read_as_before()
    {
        const string declined = """
            {"summaries": [{"pod": "hello-0", "evaluated": 1, "passed": 1, "summary": "hello-0: 1 offer evaluated, 1 passed"}], "outcomes": [],
             "declines": [
               {"reason": "not kept for the pods left", "refuse_seconds": 5, "count": 1500, "summary": "1,500 not kept for the pods left (filter 5 s)"},
               {"reason": "nothing to place or collect", "refuse_seconds": 3600, "count": 2, "summary": "2 nothing to place or collect (filter 3600 s)"}]}
            """;
        using (var api = new StubApi(new() { ["v2/debug/offers"] = declined }))
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(0, await DebugCommands.OffersAsync(api.Url, null, 10, false, output, error, CancellationToken.None));
            Assert.Equal(
                [
                    "offers declined: 1,500 not kept for the pods left (filter 5 s); 2 nothing to place or collect (filter 3600 s)",
                    "hello-0: 1 offer evaluated, 1 passed",
                ],
                output.ToString().TrimEnd().Split('\n'));
        }

        const string before = """{"summaries": [{"pod": "hello-0", "evaluated": 1, "passed": 1, "summary": "hello-0: 1 offer evaluated, 1 passed"}], "outcomes": []}""";
        using (var api = new StubApi(new() { ["v2/debug/offers"] = before }))
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(0, await DebugCommands.OffersAsync(api.Url, null, 10, false, output, error, CancellationToken.None));
            Assert.Equal("hello-0: 1 offer evaluated, 1 passed", output.ToString().Trim());
        }
    }

    [Fact]
    public async Task An_empty_pod_is_refused_naming_the_option_before_asking_the_scheduler()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        // Nothing listens there: the refusal comes first.
        Assert.Equal(2, await DebugCommands.OffersAsync($"http://127.0.0.1:{SchedulerProcess.FreePort()}", "", 10, false, output, error, CancellationToken.None));

        Assert.Equal("error: --pod expects a pod instance name (e.g. hello-0), got ''", error.ToString().Trim());
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task A_limit_of_0_shows_the_summaries_without_evaluations()
    {
        using var api = new StubApi(new() { ["v2/debug/offers"] = ThreePods });
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(0, await DebugCommands.OffersAsync(api.Url, null, 0, false, output, error, CancellationToken.None));

        Assert.Equal(3, output.ToString().TrimEnd().Split('\n').Length);
        Assert.DoesNotContain("latest", output.ToString());
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task A_pod_the_service_lacks_is_an_error_naming_its_pods_while_one_not_evaluated_yet_is_not()
    {
        const string none = """{"summaries": [], "outcomes": []}""";
        using var api = new StubApi(new() { ["v2/debug/offers"] = none, ["v1/pod"] = """["hello-0", "world-0"]""" });

        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(1, await DebugCommands.OffersAsync(api.Url, "helo-0", 10, false, output, error, CancellationToken.None));
        Assert.Equal("error: no pod instance helo-0 (pods: hello-0, world-0)", error.ToString().Trim());
        Assert.Empty(output.ToString());

        (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await DebugCommands.OffersAsync(api.Url, "world-0", 10, false, output, error, CancellationToken.None));
        Assert.Equal("world-0: no offer evaluated yet", output.ToString().Trim());
    }

    [Fact]
    public async Task A_pod_the_service_lacks_is_the_same_error_with_json()
    {
        const string none = """{"summaries": [], "outcomes": [], "declines": []}""";
        using var api = new StubApi(new() { ["v2/debug/offers"] = none, ["v1/pod"] = """["hello-0", "world-0"]""" });

        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(1, await DebugCommands.OffersAsync(api.Url, "helo-0", 10, true, output, error, CancellationToken.None));
        Assert.Equal("error: no pod instance helo-0 (pods: hello-0, world-0)", error.ToString().Trim());
        Assert.Empty(output.ToString());

        (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await DebugCommands.OffersAsync(api.Url, "world-0", 10, true, output, error, CancellationToken.None));
        using var json = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.Empty(json.RootElement.GetProperty("summaries").EnumerateArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unplaced_with_a_pod_is_refused_as_a_bad_combination(bool json)
    {
        using var api = new StubApi(new() { ["v2/debug/offers"] = ThreePods, ["v1/pod"] = """["hello-0", "big-0", "big-1"]""" });
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(2, await DebugCommands.OffersAsync(api.Url, "hello-0", 10, json, output, error, CancellationToken.None, unplaced: true));

        Assert.Equal("error: --unplaced lists every pod instance not placed and cannot be combined with --pod", error.ToString().Trim());
        Assert.Empty(output.ToString());
    }
}
