using System.Net;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Tests.Client;

public sealed class MesosSchedulerClientTests
{
    private static readonly Call Revive = new()
    {
        Type = Call.Types.Type.Revive,
        FrameworkId = new FrameworkID { Value = "F" },
    };

    [Fact]
    public async Task SendAsync_posts_exact_content_type_and_accept_without_charset()
    {
        var handler = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.Accepted));
        using var client = new MesosSchedulerClient(new Uri("http://master:5050"), new MesosClientOptions { HttpMessageHandler = handler });

        await client.SendAsync(Revive, CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.Equal(new Uri("http://master:5050/api/v1/scheduler"), request.Uri);
        Assert.Equal("application/x-protobuf", request.ContentType);
        Assert.Equal("application/x-protobuf", request.Accept);
        Assert.Null(request.StreamId);
    }

    [Fact]
    public async Task A_protocol_relative_307_is_followed_and_the_leader_remembered()
    {
        var handler = new RecordingHandler(r => r.RequestUri!.Host == "standby"
            ? new HttpResponseMessage(HttpStatusCode.TemporaryRedirect) { Headers = { { "Location", "//leader:5051/api/v1/scheduler" } } }
            : new HttpResponseMessage(HttpStatusCode.Accepted));
        using var client = new MesosSchedulerClient(new Uri("http://standby:5050/"), new MesosClientOptions { HttpMessageHandler = handler });

        await client.SendAsync(Revive, CancellationToken.None);
        await client.SendAsync(Revive, CancellationToken.None);

        Assert.Equal(new Uri("http://leader:5051/"), client.MasterUrl);
        Assert.Equal(["standby", "leader", "leader"], handler.Requests.Select(r => r.Uri.Host));
    }

    [Fact]
    public async Task A_non_2xx_answer_throws_MesosCallException_with_status_and_body()
    {
        var handler = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent("Framework is not subscribed") });
        using var client = new MesosSchedulerClient(new Uri("http://master:5050"), new MesosClientOptions { HttpMessageHandler = handler });

        var e = await Assert.ThrowsAsync<MesosCallException>(() => client.SendAsync(Revive, CancellationToken.None));

        Assert.Equal(403, e.StatusCode);
        Assert.Equal("Framework is not subscribed", e.Body);
    }

    [Fact]
    public async Task A_stream_that_brings_no_first_event_within_the_request_timeout_is_a_broken_one()
    {
        // A server that answers SUBSCRIBE 200 with a stream id, then nothing: was waited for ever, without a word.
        var silent = new System.IO.Pipelines.Pipe();
        var handler = new RecordingHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Headers = { { "Mesos-Stream-Id", "abc" } },
            Content = new StreamContent(silent.Reader.AsStream()),
        });
        using var client = new MesosSchedulerClient(
            new Uri("http://master:5050"), new MesosClientOptions { HttpMessageHandler = handler, RequestTimeout = TimeSpan.FromMilliseconds(200) });
        await using var subscription = await client.SubscribeAsync(TestFramework.Info(), CancellationToken.None);

        // Bounded, so that without the check the test fails rather than hangs.
        var e = await Assert.ThrowsAsync<MesosConnectionException>(() => ReadAllAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(
            "Event stream abc sent no event within 0.2 s of SUBSCRIBE (a Mesos master sends SUBSCRIBED at once): is that the address of a Mesos master?",
            e.Message);

        async Task ReadAllAsync()
        {
            await foreach (var _ in subscription.ReadEventsAsync(CancellationToken.None))
            {
            }
        }
    }

    [Fact]
    public async Task An_unreachable_master_throws_MesosConnectionException()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new MesosSchedulerClient(new Uri($"http://127.0.0.1:{port}/"));

        await Assert.ThrowsAsync<MesosConnectionException>(() => client.SendAsync(Revive, CancellationToken.None));
        await Assert.ThrowsAsync<MesosConnectionException>(() => client.SubscribeAsync(TestFramework.Info(), CancellationToken.None));
    }

    [Fact]
    public async Task A_json_client_subscribes_declines_and_learns_the_stream_and_framework_id()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info(), MesosContentType.Json);

        Assert.Equal(MesosContentType.Json, framework.Subscription.ContentType);
        Assert.Equal(framework.Subscription.StreamId, framework.Client.StreamId);
        Assert.Equal(framework.FrameworkId, framework.Client.FrameworkId);
        var offer = await framework.NextOfferAsync();

        // framework_id is filled in by the client when the call has none.
        var decline = new Call { Type = Call.Types.Type.Decline, Decline = new Call.Types.Decline() };
        decline.Decline.OfferIds.Add(offer.Id);
        await framework.Client.SendAsync(decline, CancellationToken.None);
        Assert.Null(decline.FrameworkId);
    }

    private sealed record RecordedRequest(Uri Uri, string? ContentType, string? Accept, string? StreamId);

    private sealed class RecordingHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<RecordedRequest> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(new RecordedRequest(
                request.RequestUri!,
                request.Content?.Headers.TryGetValues("Content-Type", out var ct) == true ? string.Join(",", ct) : null,
                request.Headers.TryGetValues("Accept", out var accept) ? string.Join(",", accept) : null,
                request.Headers.TryGetValues("Mesos-Stream-Id", out var sid) ? sid.Single() : null));
            return Task.FromResult(respond(request));
        }
    }
}
