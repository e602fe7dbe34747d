using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Hosting.Tests.EndToEnd;
using ActorScheduler.Messages.Offers;
using ActorScheduler.Messages.Pods;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorScheduler.Hosting.Tests.Api;

/// <summary>
/// <c>GET /v2/debug/offers</c> served in-process by the real endpoint, the scheduler a stand-in answering from a real
/// <see cref="OfferOutcomeTracker"/>: a pod the service lacks, a limit of 0, and a pod of a pre-reserved role short of
/// what its role reserves.
/// </summary>
public sealed class DebugOffersApiTests : IAsyncLifetime
{
    private const string LacksReserved = "FAIL(ResourceEvaluationStage): Offer lacks sufficient 'cpus' reserved for role 'slave_public' for new reservation";

    private readonly ActorSystem _system = ActorSystem.Create("debug-offers-api", "akka.loglevel = OFF");
    private WebApplication? _app;
    private HttpClient? _http;

    public async Task InitializeAsync()
    {
        var tracker = new OfferOutcomeTracker();
        tracker.Record(new OfferOutcome(DateTime.UtcNow, "edge-0", "o-1", "a1", "host-1", false, [$"{LacksReserved}: 0.3 needed, 0.1 available"]));
        tracker.RecordSkipped("edge-0", LacksReserved, 2, needed: 0.3, mostAvailable: 0.2);
        ImmutableArray<string> pods = ["edge-0", "hello-0"];
        var scheduler = _system.ActorOf(Props.Create(() => new Scheduler(tracker, pods)));
        var port = SchedulerProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.UseJsonErrors();
        _app.MapSchedulerApi(() => scheduler);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await _system.Terminate();
    }

    [Theory]
    [InlineData("v2/debug/offers?pod=edge-9", "no pod instance edge-9 (pods: edge-0, hello-0)")]
    [InlineData("v2/debug/offers?pod=", "pod must name a pod instance (e.g. hello-0), not ''")]
    [InlineData("v2/debug/offers?pod=edge-0&limit=x", "limit must be a whole number from 0 to 2147483647, not 'x'")]
    [InlineData("v2/debug/offers?pod=edge-0&limit=-5", "limit must be a whole number from 0 to 2147483647, not '-5'")]
    public async Task A_pod_the_service_lacks_an_empty_pod_or_a_bad_limit_is_refused_with_a_message(string path, string message)
    {
        using var answer = await _http!.GetAsync(path);

        Assert.Equal(message.StartsWith("no pod instance", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest, answer.StatusCode);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(message, body.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_limit_of_0_answers_the_summary_without_evaluations_with_a_pre_reserved_roles_amounts()
    {
        using var answer = await _http!.GetAsync("v2/debug/offers?pod=edge-0&limit=0");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Empty(body.RootElement.GetProperty("outcomes").EnumerateArray());
        var summary = Assert.Single(body.RootElement.GetProperty("summaries").EnumerateArray());
        var failure = Assert.Single(summary.GetProperty("failures").EnumerateArray());
        Assert.Equal((LacksReserved, 3L, 0.3, 0.2), (failure.GetProperty("reason").GetString(), failure.GetProperty("count").GetInt64(), failure.GetProperty("needs").GetDouble(), failure.GetProperty("most_offered").GetDouble()));
        Assert.Equal($"edge-0: 3 offers evaluated, 0 passed; 3 {LacksReserved} (needs 0.3, offers had at most 0.2)", summary.GetProperty("summary").GetString());
    }

    /// <summary>Answers what the offers endpoint asks: the tracker's outcomes, and the pod names.</summary>
    private sealed class Scheduler : ReceiveActor
    {
        public Scheduler(OfferOutcomeTracker tracker, ImmutableArray<string> pods)
        {
            Receive<OfferProtocol.GetOfferOutcomes>(m => Sender.Tell(tracker.Query(m.PodInstance, m.Limit)));
            Receive<PodProtocol.GetPodNames>(_ => Sender.Tell(new PodProtocol.PodNames(pods)));
        }
    }
}
