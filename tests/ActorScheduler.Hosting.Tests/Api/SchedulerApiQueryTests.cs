using System.Net;
using System.Text.Json;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Hosting.Tests.EndToEnd;
using Akka.Actor;

namespace ActorScheduler.Hosting.Tests.Api;

/// <summary>
/// Query parameters read as numbers or flags: a bad value is a 400 with a message naming it, not ASP.NET's bare 400.
/// Served in-process by the real endpoints; the scheduler is never asked, as a bad parameter is refused first.
/// </summary>
public sealed class SchedulerApiQueryTests
{
    [Theory]
    [InlineData("0", 0, null)]
    [InlineData("25", 25, null)]
    [InlineData(null, 100, null)]
    [InlineData("", 100, null)]
    [InlineData("abc", 100, "limit must be a whole number from 0 to 2147483647, not 'abc'")]
    [InlineData("2147483648", 100, "limit must be a whole number from 0 to 2147483647, not '2147483648'")]
    [InlineData("-1", 100, "limit must be a whole number from 0 to 2147483647, not '-1'")]
    [InlineData("1.5", 100, "limit must be a whole number from 0 to 2147483647, not '1.5'")]
    public void A_whole_number_is_digits_within_int_range(string? raw, int value, string? error)
    {
        Assert.Equal((value, error), QueryParameters.WholeNumber("limit", raw, 100));
    }

    [Theory]
    [InlineData("true", true, null)]
    [InlineData("False", false, null)]
    [InlineData(null, false, null)]
    [InlineData("yes", false, "verbose must be true or false, not 'yes'")]
    public void A_flag_is_true_or_false(string? raw, bool value, string? error)
    {
        Assert.Equal((value, error), QueryParameters.Flag("verbose", raw));
    }

    [Theory]
    [InlineData("v2/debug/offers?limit=abc", "limit must be a whole number from 0 to 2147483647, not 'abc'")]
    [InlineData("v2/debug/offers?limit=2147483648", "limit must be a whole number from 0 to 2147483647, not '2147483648'")]
    [InlineData("v2/debug/offers?limit=-1", "limit must be a whole number from 0 to 2147483647, not '-1'")]
    [InlineData("v1/health?verbose=yes", "verbose must be true or false, not 'yes'")]
    public async Task A_bad_number_or_flag_is_a_400_with_a_message(string path, string message)
    {
        await using var api = await ApiUnderTest.StartAsync(() => ActorRefs.Nobody, jsonErrors: false);

        using var answer = await api.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(message, body.RootElement.GetProperty("message").GetString());
    }

    // An endpoint whose ask fails: a timeout is a 503 to retry, anything else a 500, each with a JSON message.
    [Theory]
    [InlineData(true, HttpStatusCode.ServiceUnavailable, "The scheduler did not answer in time (busy); try again")]
    [InlineData(false, HttpStatusCode.InternalServerError, "The scheduler failed to answer: InvalidOperationException: broken")]
    public async Task An_endpoint_that_throws_answers_with_a_json_message(bool timeout, HttpStatusCode status, string message)
    {
        using var system = ActorSystem.Create("api-errors");
        var failing = system.ActorOf(Props.Create(() => new Failing(timeout ? new AskTimeoutException("busy") : new InvalidOperationException("broken"))));
        await using var api = await ApiUnderTest.StartAsync(() => failing);

        using var answer = await api.Http.GetAsync("v1/plans");

        Assert.Equal(status, answer.StatusCode);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(message, body.RootElement.GetProperty("message").GetString());
    }

    // A request waiting for a scheduler that then stopped for good (run cancels the token as it sees the failure): 503 at
    // once, not at the end of the ask's 10 s, which the client's 5 s would not wait for.
    [Fact]
    public async Task A_request_waiting_when_the_scheduler_stops_for_good_is_answered_503_at_once()
    {
        using var system = ActorSystem.Create("api-stopped");
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var silent = system.ActorOf(Props.Create(() => new Silent(taken)));
        using var stopped = new CancellationTokenSource();
        await using var api = await ApiUnderTest.StartAsync(() => silent, schedulerStopped: stopped.Token, timeout: TimeSpan.FromSeconds(5));

        var request = api.Http.GetAsync("v1/plans");
        await taken.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stopped.CancelAsync();

        using var answer = await request;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal("The scheduler stopped: it stopped for good while this request waited for its answer", body.RootElement.GetProperty("message").GetString());

        // Asked after it stopped: answered the same, without asking.
        using var later = await api.Http.GetAsync("v1/plans");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, later.StatusCode);
    }

    /// <summary>Takes every ask and answers none, saying when it took the first.</summary>
    private sealed class Silent : ReceiveActor
    {
        public Silent(TaskCompletionSource taken) => ReceiveAny(_ => taken.TrySetResult());
    }

    /// <summary>Answers every ask with a failure.</summary>
    private sealed class Failing : ReceiveActor
    {
        public Failing(Exception failure) => ReceiveAny(_ => Sender.Tell(new Status.Failure(failure)));
    }

    [Theory]
    [InlineData("GET", "v1/nope", 404, "No such API path: GET /v1/nope")]
    [InlineData("DELETE", "v1/plans/deploy", 405, "Method not allowed: DELETE /v1/plans/deploy")]
    [InlineData("GET", "v1/update/start", 405, "Method not allowed: GET /v1/update/start")]
    public async Task A_path_or_method_the_api_lacks_is_answered_with_a_json_message(string method, string path, int status, string message)
    {
        await using var api = await ApiUnderTest.StartAsync(() => ActorRefs.Nobody);

        using var answer = await api.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, (int)answer.StatusCode);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(message, body.RootElement.GetProperty("message").GetString());
    }

    // Found by SchedulerApiMutationTests (seed 3): "\ud800" without its low surrogate parses, and reading it threw
    // InvalidOperationException in the endpoint — a 500 "The scheduler failed to answer" for a bad body.
    [Theory]
    [InlineData("v1/plans/deploy/start", "{\"NOTE\":\"\\ud800\"}", "body: expected a JSON object of parameters")]
    [InlineData("v1/plans/deploy/start", "{\"NO\\ud800TE\":\"x\"}", "body: expected a JSON object of parameters")]
    [InlineData("v1/update/start", "{\"spec\":\"name: x\\ud800\"}", "body: expected a JSON object {\"spec\"")]
    [InlineData("v1/pod/hello-0/pause", "[\"serv\\udc00er\"]", "body: expected a JSON list of task names")]
    public async Task A_lone_surrogate_escape_in_a_body_is_a_400_with_a_message(string path, string body, string message)
    {
        await using var api = await ApiUnderTest.StartAsync(() => ActorRefs.Nobody);

        using var answer = await api.Http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.StartsWith(message, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    // Found by SchedulerApiMutationTests (seed 1): while the recovery plan ran, /v1/health answered 205 Reset Content
    // with a JSON body, which HTTP forbids: Kestrel sent the headers and not the body, and the client waited for ever.
    [Theory]
    [InlineData(null)]
    [InlineData("?verbose=true")]
    public async Task Health_while_recovering_is_205_with_the_status_in_a_header_and_no_body(string? query)
    {
        using var system = ActorSystem.Create("api-recovering", "akka.loglevel = OFF");
        var scheduler = system.ActorOf(Props.Create(() => new Recovering()));
        await using var api = await ApiUnderTest.StartAsync(() => scheduler, timeout: TimeSpan.FromSeconds(15));

        using var answer = await api.Http.GetAsync("v1/health" + query);

        Assert.Equal(HttpStatusCode.ResetContent, answer.StatusCode);
        Assert.Equal("RECOVERING_STARTING", answer.Headers.GetValues(SchedulerApi.HealthStatusHeader).Single());
        Assert.Equal(query is null ? null : "the recovery plan is IN_PROGRESS",
            answer.Headers.TryGetValues(SchedulerApi.HealthReasonHeader, out var reason) ? reason.Single() : null);
        Assert.Equal(string.Empty, await answer.Content.ReadAsStringAsync());
    }

    /// <summary>A reconciled scheduler whose deploy plan is complete and whose recovery plan is in progress.</summary>
    private sealed class Recovering : ReceiveActor
    {
        public Recovering()
        {
            Receive<Actors.GetSchedulerCondition>(_ => Sender.Tell(new Actors.SchedulerCondition(null, Reconciled: true)));
            Receive<Messages.Plans.PlanProtocol.GetPlans>(_ => Sender.Tell(new Messages.Plans.PlanProtocol.PlanNames(["deploy", "recovery"])));
            Receive<Messages.Plans.PlanProtocol.GetPlan>(m => Sender.Tell(new Messages.Plans.PlanInfo(
                m.Name, m.Name == "deploy" ? Messages.Plans.Status.Complete : Messages.Plans.Status.InProgress, "serial", [], [])));
        }
    }
}
