using System.Net;
using System.Text.Json;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Hosting.Tests.EndToEnd;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorScheduler.Hosting.Tests.Api;

/// <summary>
/// The API of an embedded scheduler whose backoff supervisor gave up restarting it: health says so, with the restarts
/// and the last failure, instead of "did not answer in time".
/// </summary>
public sealed class SupervisorGaveUpApiTests
{
    [Fact]
    public async Task Health_is_503_UNAVAILABLE_naming_the_restarts_and_the_last_failure()
    {
        using var system = ActorSystem.Create("gave-up", "akka.loglevel = OFF");
        var backoff = new RestartBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), MaxRestarts: 2, ResetAfter: TimeSpan.FromMinutes(1));
        var scheduler = system.ActorOf(SchedulerSupervisorActor.Props(Props.Create(() => new FailingAtStart()), backoff), "scheduler");
        var port = SchedulerProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.UseJsonErrors();
        app.MapSchedulerApi(() => scheduler);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        HttpResponseMessage? answer = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // Restarting: 503 "did not answer in time; try again" until the supervisor gives up, which takes well under a second.
        while ((answer is null || !(await answer.Content.ReadAsStringAsync()).Contains("UNAVAILABLE", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            answer?.Dispose();
            answer = await http.GetAsync("v1/health");
        }

        using (answer)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer!.StatusCode);
            using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.Equal("UNAVAILABLE", body.RootElement.GetProperty("status").GetString());
            Assert.Equal(
                "the scheduler stopped: the scheduler failed again after 2 restarts in a row; the last failure: the journal stream svc/config could not be written (disk full)",
                body.RootElement.GetProperty("reason").GetString());
        }

        using var plans = await http.GetAsync("v1/plans");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, plans.StatusCode);
        Assert.StartsWith("The scheduler stopped: the scheduler failed again after 2 restarts", JsonDocument.Parse(await plans.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
        await app.StopAsync();
    }

    /// <summary>Fails as soon as it starts, as a scheduler does whose journal writes fail.</summary>
    private sealed class FailingAtStart : ReceiveActor
    {
        public FailingAtStart()
        {
            Receive<string>(_ => throw new JournalWriteFailedException("the journal stream svc/config could not be written (disk full)"));
            Self.Tell("write");
        }
    }
}
