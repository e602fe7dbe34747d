using ActorScheduler.Hosting.Cli;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>
/// What the commands that talk to a scheduler say when something else answers: another server (the Mesos master's
/// port, a web server), a scheduler whose JSON they do not know — one clear line and a non-zero exit, not "cannot
/// reach" nor "a bug".
/// </summary>
public sealed class ApiAnswerTests
{
    [Theory]
    [InlineData(404, "text/html", "<html>not here</html>", "text/html, not JSON")]
    [InlineData(404, "text/plain", "Not Found", "text/plain, not JSON")]
    [InlineData(500, "application/json", "Internal Server Error", "a body that is no valid JSON")]
    public async Task A_server_that_is_no_scheduler_is_said_to_be_none(int status, string contentType, string body, string what)
    {
        using var api = new StubApi(new() { ["v1/plans"] = body }, status, contentType);
        var (output, error) = (new StringWriter(), new StringWriter());

        var code = await PlanCli.ListAsync(api.Url, false, output, error, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Equal(
            $"error: GET {api.Url}/v1/plans answered HTTP {status} with {what}: that is not the scheduler's API (--api is the address its run printed on the 'api:' line, not the Mesos master's)",
            Assert.Single(error.ToString().Trim().Split('\n')));
        Assert.Empty(output.ToString());
    }

    [Theory]
    [InlineData(500, "Internal Server Error", """{"message":"boom"}""", ": boom")]
    [InlineData(503, "Service Unavailable", """{"message":"the scheduler is starting"}""", ": the scheduler is starting")]
    [InlineData(500, "Internal Server Error", "{}", "")]
    [InlineData(409, "Conflict", "{}", "")]
    public async Task A_failure_answer_names_the_status_and_the_request_with_its_message(int status, string reason, string body, string message)
    {
        using var api = new StubApi(new() { ["v1/plans/deploy"] = body, ["v1/plans"] = body, ["v1/plans/deploy/start"] = body }, status);
        var error = new StringWriter();

        var shown = await PlanCli.StatusAsync(api.Url, "deploy", false, TextWriter.Null, error, CancellationToken.None);
        var listed = await PlanCli.ListAsync(api.Url, false, TextWriter.Null, error, CancellationToken.None);
        var started = await PlanCli.CommandAsync(api.Url, PlanCommandKind.Start, "deploy", null, null, [], TextWriter.Null, error, CancellationToken.None);

        Assert.Equal((1, 1, 1), (shown, listed, started));
        Assert.Equal(
            [
                $"error: the scheduler answered {status} {reason} to GET {api.Url}/v1/plans/deploy{message}",
                $"error: the scheduler answered {status} {reason} to GET {api.Url}/v1/plans{message}",
                $"error: the scheduler answered {status} {reason} to POST {api.Url}/v1/plans/deploy/start{message}",
            ],
            error.ToString().Trim().Split('\n'));
    }

    [Fact]
    public async Task A_refusal_that_names_what_is_wrong_is_the_api_message_alone()
    {
        using var api = new StubApi(new() { ["v1/plans/nope"] = """{"message":"Plan nope not found"}""" }, 404);
        var error = new StringWriter();

        Assert.Equal(1, await PlanCli.StatusAsync(api.Url, "nope", false, TextWriter.Null, error, CancellationToken.None));

        Assert.Equal("error: Plan nope not found", error.ToString().Trim());
    }

    [Theory]
    [InlineData("v1/plans", "{}")]
    [InlineData("v1/plans", "[1, 2]")]
    [InlineData("v1/plans/deploy", "[]")]
    public async Task JSON_of_a_shape_the_command_does_not_know_is_said_so_with_exit_1_not_as_a_bug(string path, string body)
    {
        using var api = new StubApi(new() { [path] = body });
        var error = new StringWriter();

        var code = await CommandGuard.RunAsync(
            () => path == "v1/plans"
                ? PlanCli.ListAsync(api.Url, false, TextWriter.Null, error, CancellationToken.None)
                : PlanCli.StatusAsync(api.Url, "deploy", false, TextWriter.Null, error, CancellationToken.None),
            error);

        Assert.Equal(1, code);
        var line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.StartsWith("error: the scheduler's API answered JSON this actorscheduler does not know (", line);
        Assert.EndsWith("): is --api the API of a scheduler of this version?", line);
    }

    [Theory]
    [InlineData(BrokenAnswer.Close)]
    [InlineData(BrokenAnswer.CutOff)]
    public async Task An_answer_that_breaks_off_is_said_to_have_broken_off_not_that_the_scheduler_cannot_be_reached(BrokenAnswer answer)
    {
        using var api = new BrokenApi(answer);
        var (output, error) = (new StringWriter(), new StringWriter());

        var code = await CommandGuard.RunAsync(() => PlanCli.ListAsync(api.Url, false, output, error, CancellationToken.None), error);

        // Was "cannot reach the scheduler at …: An error occurred while sending the request." (or "Error while copying
        // content to a stream."), HttpClient's words for what happened below it.
        Assert.Equal(2, code);
        Assert.Equal(
            $"error: GET {api.Url}/v1/plans: the scheduler at {api.Url}/ was reached but its answer broke off (The response ended prematurely. (ResponseEnded)); is it stopping? Try again",
            Assert.Single(error.ToString().Trim().Split('\n')));
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task A_scheduler_that_never_answers_is_said_to_give_no_answer_within_the_wait()
    {
        using var api = new BrokenApi(BrokenAnswer.Silent);
        ApiClient.TimeoutOverride.Value = TimeSpan.FromMilliseconds(500);
        var error = new StringWriter();

        var code = await CommandGuard.RunAsync(() => PodCli.ListAsync(api.Url, false, TextWriter.Null, error, CancellationToken.None), error);

        Assert.Equal(2, code);
        Assert.Equal(
            $"error: GET {api.Url}/v1/pod: no answer within 0.5 s; is the scheduler at {api.Url}/ overloaded or stuck? Try again",
            Assert.Single(error.ToString().Trim().Split('\n')));
    }

    [Fact]
    public async Task Ctrl_C_while_waiting_for_an_answer_ends_the_command_with_130_and_no_error_line()
    {
        using var api = new BrokenApi(BrokenAnswer.Silent);
        using var ctrlC = new CancellationTokenSource();
        var error = new StringWriter();

        var command = CommandGuard.RunAsync(() => DebugCommands.OffersAsync(api.Url, null, 10, false, TextWriter.Null, error, ctrlC.Token), error);
        await api.RequestReceived;
        await ctrlC.CancelAsync();

        // Was exit 2 and "error: cannot reach the scheduler at …: The operation was canceled."
        Assert.Equal(130, await command);
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task A_bug_is_one_line_naming_the_file_that_holds_its_stack_trace()
    {
        var error = new StringWriter();

        var code = await CommandGuard.RunAsync(() => throw new NullReferenceException("nothing there\nat all"), error);

        Assert.Equal(70, code);
        var line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.StartsWith("error: NullReferenceException: nothing there at all (this is a bug in actorscheduler; details in ", line);
        var details = line[(line.IndexOf("details in ", StringComparison.Ordinal) + "details in ".Length)..^1];
        var written = await File.ReadAllTextAsync(details);
        Assert.Contains("System.NullReferenceException: nothing there", written);
        Assert.Contains("   at ", written);
    }

    [Fact]
    public async Task A_command_stopped_while_it_waits_for_the_answer_says_nothing_and_exits_with_the_cancelled_code()
    {
        // A server that takes the connection and never answers; the command is stopped (Ctrl-C) while it waits.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}";
        using var stop = new CancellationTokenSource();
        var (output, error) = (new StringWriter(), new StringWriter());

        var command = CommandGuard.RunAsync(() => PlanCli.ListAsync(url, false, output, error, stop.Token), error);
        using var connection = await silent.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();

        Assert.Equal(130, await command.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(error.ToString());
        Assert.Empty(output.ToString());
    }
}
