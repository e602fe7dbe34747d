using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>The emulator's transport, driven with raw HTTP as any framework would: codes, headers, ordering.</summary>
public sealed class TransportConformanceTests : IAsyncLifetime
{
    private const string SubscribeJson = """{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"raw","roles":["r"],"capabilities":[{"type":"MULTI_ROLE"}]}}}""";

    private EmulatorFixture _fixture = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _fixture = await EmulatorFixture.StartAsync(agents: 1);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fixture.DisposeAsync();
    }

    private Uri Endpoint => new(_fixture.Emulator.Url, "api/v1/scheduler");

    [Fact]
    public async Task A_content_type_with_a_charset_gets_415()
    {
        using var content = new StringContent(SubscribeJson, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(Endpoint, content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_missing_content_type_gets_400_and_other_methods_405()
    {
        using var response = await _http.PostAsync(Endpoint, new ByteArrayContent(Encoding.UTF8.GetBytes(SubscribeJson)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Content-Type", await response.Content.ReadAsStringAsync());

        using var get = await _http.GetAsync(Endpoint);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    [Fact]
    public async Task An_unparsable_body_or_an_invalid_call_gets_400()
    {
        using var garbage = await PostAsync("{not json", "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);

        using var noType = await PostAsync("{}", "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, noType.StatusCode);
        Assert.Equal("Failed to validate scheduler::Call: Expecting 'type' to be present", await noType.Content.ReadAsStringAsync());

        using var noAccept = await PostAsync("""{"type":"ACCEPT","framework_id":{"value":"x"}}""", "application/json");
        Assert.Equal("Failed to validate scheduler::Call: Expecting 'accept' to be present", await noAccept.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Subscribe_that_accepts_neither_encoding_gets_406_and_one_with_a_stream_id_400()
    {
        using var notAcceptable = await PostAsync(SubscribeJson, "application/json", accept: "text/plain");
        Assert.Equal(HttpStatusCode.NotAcceptable, notAcceptable.StatusCode);

        using var withStream = await PostAsync(SubscribeJson, "application/json", streamId: "abc");
        Assert.Equal(HttpStatusCode.BadRequest, withStream.StatusCode);
    }

    [Fact]
    public async Task Subscribe_streams_SUBSCRIBED_then_HEARTBEAT_as_snake_case_json_records()
    {
        using var response = await SubscribeRawAsync(accept: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.Contains("Mesos-Stream-Id"));
        var reader = new RecordIoReader(await response.Content.ReadAsStreamAsync());
        var subscribed = Encoding.UTF8.GetString((await reader.ReadAsync(CancellationToken.None))!);
        Assert.StartsWith("""{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":""", subscribed);
        Assert.Contains("\"heartbeat_interval_seconds\":15", subscribed);
        Assert.Equal("""{"type":"HEARTBEAT"}""", Encoding.UTF8.GetString((await reader.ReadAsync(CancellationToken.None))!));
    }

    [Fact]
    public async Task Protobuf_is_sent_only_when_asked_for()
    {
        using var response = await SubscribeRawAsync(accept: "application/x-protobuf");

        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType!.MediaType);
        var reader = new RecordIoReader(await response.Content.ReadAsStreamAsync());
        var first = Event.Parser.ParseFrom((await reader.ReadAsync(CancellationToken.None))!);
        Assert.Equal(Event.Types.Type.Subscribed, first.Type);
    }

    [Fact]
    public async Task Calls_are_checked_against_the_subscription()
    {
        using var unknown = await PostAsync("""{"type":"REVIVE","framework_id":{"value":"nobody"}}""", "application/json", streamId: "s");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("Framework cannot be found", await unknown.Content.ReadAsStringAsync());

        using var stream = await SubscribeRawAsync(accept: null);
        var streamId = stream.Headers.GetValues("Mesos-Stream-Id").Single();
        var reader = new RecordIoReader(await stream.Content.ReadAsStreamAsync());
        var subscribed = MesosCodec.Decode<Event>((await reader.ReadAsync(CancellationToken.None))!, MesosContentType.Json);
        var id = subscribed.Subscribed.FrameworkId.Value;
        var revive = $$$"""{"type":"REVIVE","framework_id":{"value":"{{{id}}}"}}""";

        using var missing = await PostAsync(revive, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        using var wrong = await PostAsync(revive, "application/json", streamId: "not-the-stream");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        using var right = await PostAsync(revive, "application/json", streamId: streamId);
        Assert.Equal(HttpStatusCode.Accepted, right.StatusCode);
        Assert.Equal(string.Empty, await right.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_second_subscribe_fails_the_first_stream_over()
    {
        using var client = new MesosSchedulerClient(_fixture.Emulator.Url);
        await using var first = new EventPump(await client.SubscribeAsync(EmulatorFixture.Framework(), CancellationToken.None));
        var id = (await first.NextAsync(e => e.Type == Event.Types.Type.Subscribed, "SUBSCRIBED")).Subscribed.FrameworkId.Value;

        using var second = new MesosSchedulerClient(_fixture.Emulator.Url);
        await using var again = new EventPump(await second.SubscribeAsync(EmulatorFixture.Framework(id), CancellationToken.None));

        Assert.Equal(id, (await again.NextAsync(e => e.Type == Event.Types.Type.Subscribed, "SUBSCRIBED")).Subscribed.FrameworkId.Value);
        Assert.Equal("Framework failed over", (await first.NextAsync(e => e.Type == Event.Types.Type.Error, "ERROR")).Error.Message);
    }

    [Fact]
    public async Task An_invalid_framework_info_is_refused_by_an_ERROR_event_on_the_stream()
    {
        var info = EmulatorFixture.Framework();
#pragma warning disable CS0612 // the deprecated role field is exactly what is being refused
        info.Role = "old-style";
#pragma warning restore CS0612
        using var client = new MesosSchedulerClient(_fixture.Emulator.Url);
        await using var pump = new EventPump(await client.SubscribeAsync(info, CancellationToken.None));

        var error = await pump.NextAsync(_ => true, "first event");
        Assert.Equal(Event.Types.Type.Error, error.Type);
        Assert.Contains("must not be set", error.Error.Message);
    }

    [Fact]
    public async Task The_status_page_answers_with_agents()
    {
        var json = await _http.GetStringAsync(_fixture.Emulator.Url);

        Assert.Contains("\"agents\"", json);
        Assert.Contains("agent-0.local", json);
    }

    private async Task<HttpResponseMessage> SubscribeRawAsync(string? accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(SubscribeJson)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private async Task<HttpResponseMessage> PostAsync(string body, string contentType, string? accept = null, string? streamId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        if (streamId is not null)
        {
            request.Headers.Add("Mesos-Stream-Id", streamId);
        }

        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
