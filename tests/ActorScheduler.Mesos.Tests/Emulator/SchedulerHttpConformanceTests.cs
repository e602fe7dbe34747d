using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Google.Protobuf;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>The transport rules of the scheduler endpoint, exercised with a raw HttpClient.</summary>
public sealed partial class SchedulerHttpConformanceTests : IAsyncLifetime
{
    private const string SubscribeJson = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"raw\",\"failover_timeout\":60}}}";

    private readonly TempDir _dir = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private MesosEmulator _emulator = null!;

    private Uri Endpoint => new(_emulator.Url, "api/v1/scheduler");

    public async Task InitializeAsync()
    {
        var options = TestEmulator.Options(_dir.Path, agents: 2);
        options.HeartbeatInterval = TimeSpan.FromMilliseconds(300);
        _emulator = await MesosEmulator.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Get_is_405()
    {
        using var response = await _http.GetAsync(Endpoint);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task A_content_type_with_charset_is_415()
    {
        using var response = await PostAsync(SubscribeJson, "application/json; charset=utf-8");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_missing_content_type_is_400()
    {
        using var response = await PostAsync(SubscribeJson, contentType: null);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Content-Type", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unparseable_body_is_400()
    {
        using var response = await PostAsync("{\"type\":", "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Failed to parse body into JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_surrogate_escape_in_a_JSON_call_is_400()
    {
        // Found by SchedulerEndpointMutationTests (seed 3612): the decoder let System.Text.Json's InvalidOperationException through.
        using var response = await PostAsync("{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\"\\ud800\"}}", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Failed to parse body into JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_protobuf_call_whose_type_number_no_version_defines_fails_validation_with_400()
    {
        // A master's proto2 parser keeps an undefined enum number among the unknown fields: the call has no type.
        var call = new Call { Type = (Call.Types.Type)99, FrameworkId = new FrameworkID { Value = "f-1" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(call.ToByteArray()) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-protobuf");

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Failed to validate scheduler::Call: Expecting 'type' to be present", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("REVIVE")]
    [InlineData("UNKNOWN")]
    public async Task A_call_without_framework_id_fails_validation_with_400(string type)
    {
        using var response = await PostAsync($"{{\"type\":\"{type}\"}}", "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Failed to validate scheduler::Call: Expecting 'framework_id' to be present", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_camelCase_key_is_ignored_as_the_master_ignores_it()
    {
        // Google's default JSON names (frameworkInfo) are not Mesos's: the master drops the key, so the call lacks it.
        using var response = await PostAsync("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"frameworkInfo\":{\"user\":\"u\",\"name\":\"camel\"}}}", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Failed to parse body into JSON: missing required fields", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_enum_written_as_a_number_is_400()
    {
        using var response = await PostAsync("{\"type\":2,\"framework_id\":{\"value\":\"x\"}}", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Failed to parse body into JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_are_compact_json_with_64_bit_integers_as_numbers()
    {
        using var response = await PostAsync(SubscribeJson, "application/json", option: HttpCompletionOption.ResponseHeadersRead);
        var reader = new RecordIoReader(await response.Content.ReadAsStreamAsync());

        string text;
        do
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            text = Encoding.UTF8.GetString(await reader.ReadAsync(timeout.Token) ?? throw new InvalidOperationException("stream ended"));
        }
        while (!text.Contains("\"OFFERS\"", StringComparison.Ordinal));

        Assert.DoesNotContain("\": ", text, StringComparison.Ordinal);
        Assert.Matches("\"begin\":[0-9]+,\"end\":[0-9]+", text);
        Assert.Equal(Event.Types.Type.Offers, MesosCodec.Decode<Event>(Encoding.UTF8.GetBytes(text), MesosContentType.Json).Type);
    }

    [Fact]
    public async Task Subscribe_with_an_unacceptable_Accept_is_406()
    {
        using var response = await PostAsync(SubscribeJson, "application/json", accept: "text/html");
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    [Fact]
    public async Task Subscribe_with_a_stream_id_is_400()
    {
        using var response = await PostAsync(SubscribeJson, "application/json", streamId: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Subscribe_streams_SUBSCRIBED_then_HEARTBEAT_at_once_then_heartbeats_every_interval()
    {
        using var response = await PostAsync(SubscribeJson, "application/json", option: HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.True(Guid.TryParse(response.Headers.GetValues("Mesos-Stream-Id").Single(), out _));
        var reader = new RecordIoReader(await response.Content.ReadAsStreamAsync());
        var subscribed = await NextEventAsync(reader, MesosContentType.Json);
        Assert.Equal(Event.Types.Type.Subscribed, subscribed.Type);
        Assert.Equal(0.3, subscribed.Subscribed.HeartbeatIntervalSeconds, 3);
        Assert.Equal(_emulator.MasterId, subscribed.Subscribed.MasterInfo.Id);
        Assert.StartsWith(_emulator.MasterId + "-", subscribed.Subscribed.FrameworkId.Value, StringComparison.Ordinal);
        Assert.Equal(Event.Types.Type.Heartbeat, (await NextEventAsync(reader, MesosContentType.Json)).Type);
        var heartbeats = 0;
        while (heartbeats < 2)
        {
            if ((await NextEventAsync(reader, MesosContentType.Json)).Type == Event.Types.Type.Heartbeat)
            {
                heartbeats++;
            }
        }
    }

    [Fact]
    public async Task Subscribe_with_Accept_protobuf_streams_protobuf()
    {
        using var response = await PostAsync(SubscribeJson, "application/json", accept: "application/x-protobuf",
            option: HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType!.ToString());
        var reader = new RecordIoReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(Event.Types.Type.Subscribed, (await NextEventAsync(reader, MesosContentType.Protobuf)).Type);
    }

    [Fact]
    public async Task A_bad_FrameworkInfo_gets_one_ERROR_event_and_the_stream_closes()
    {
        var body = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\",\"roles\":[\"a\"]}}}";
        using var response = await PostAsync(body, "application/json", option: HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new RecordIoReader(await response.Content.ReadAsStreamAsync());
        var error = await NextEventAsync(reader, MesosContentType.Json);
        Assert.Equal(Event.Types.Type.Error, error.Type);
        Assert.Contains("MULTI_ROLE", error.Error.Message, StringComparison.Ordinal);
        Assert.Null(await reader.ReadAsync());
    }

    [Fact]
    public async Task Non_subscribe_calls_check_framework_subscription_and_stream_id()
    {
        using var stream = await PostAsync(SubscribeJson, "application/json", option: HttpCompletionOption.ResponseHeadersRead);
        var streamId = stream.Headers.GetValues("Mesos-Stream-Id").Single();
        var reader = new RecordIoReader(await stream.Content.ReadAsStreamAsync());
        var frameworkId = (await NextEventAsync(reader, MesosContentType.Json)).Subscribed.FrameworkId.Value;
        var revive = $"{{\"type\":\"REVIVE\",\"framework_id\":{{\"value\":\"{frameworkId}\"}}}}";

        using (var ok = await PostAsync(revive, "application/json", streamId: streamId))
        {
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
            Assert.Equal(string.Empty, await ok.Content.ReadAsStringAsync());
        }

        using (var missing = await PostAsync(revive, "application/json"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        }

        using (var mismatch = await PostAsync(revive, "application/json", streamId: Guid.NewGuid().ToString()))
        {
            Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
            Assert.Contains("didn't match", await mismatch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var unknown = await PostAsync("{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\"nope\"}}", "application/json", streamId: streamId))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Equal("Framework cannot be found", await unknown.Content.ReadAsStringAsync());
        }

        stream.Dispose();
        await Eventually.TrueAsync(() => _emulator.Snapshot().Frameworks.Single(f => f.Id == frameworkId).Connected == false, "the master saw the stream close");
        using (var notSubscribed = await PostAsync(revive, "application/json", streamId: streamId))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notSubscribed.StatusCode);
            Assert.Equal("Framework is not subscribed", await notSubscribed.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_second_subscribe_fails_over_the_first_with_an_ERROR_event()
    {
        using var first = await PostAsync(SubscribeJson, "application/json", option: HttpCompletionOption.ResponseHeadersRead);
        var firstReader = new RecordIoReader(await first.Content.ReadAsStreamAsync());
        var frameworkId = (await NextEventAsync(firstReader, MesosContentType.Json)).Subscribed.FrameworkId.Value;
        var resubscribe = $"{{\"type\":\"SUBSCRIBE\",\"framework_id\":{{\"value\":\"{frameworkId}\"}},\"subscribe\":{{\"framework_info\":{{\"user\":\"u\",\"name\":\"raw\",\"id\":{{\"value\":\"{frameworkId}\"}},\"failover_timeout\":60}}}}}}";

        using var second = await PostAsync(resubscribe, "application/json", option: HttpCompletionOption.ResponseHeadersRead);
        var secondReader = new RecordIoReader(await second.Content.ReadAsStreamAsync());

        var subscribed = await NextEventAsync(secondReader, MesosContentType.Json);
        Assert.Equal(frameworkId, subscribed.Subscribed.FrameworkId.Value);
        Event evt;
        do
        {
            evt = await NextEventAsync(firstReader, MesosContentType.Json);
        }
        while (evt.Type != Event.Types.Type.Error);

        Assert.Equal("Framework failed over", evt.Error.Message);
        Assert.Null(await firstReader.ReadAsync());
        Assert.NotEqual(first.Headers.GetValues("Mesos-Stream-Id").Single(), second.Headers.GetValues("Mesos-Stream-Id").Single());
    }

    [Fact]
    public async Task The_status_page_lists_agents_as_json()
    {
        using var response = await _http.GetAsync(_emulator.Url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var agent = json.RootElement.GetProperty("agents")[0];
        Assert.StartsWith(_emulator.MasterId + "-S", agent.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, agent.GetProperty("total").GetProperty("cpus").GetDouble());
    }

    private static async Task<Event> NextEventAsync(RecordIoReader reader, MesosContentType contentType)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var record = await reader.ReadAsync(timeout.Token) ?? throw new InvalidOperationException("stream ended");
        return MesosCodec.Decode<Event>(record, contentType);
    }

    private async Task<HttpResponseMessage> PostAsync(
        string body, string? contentType, string? accept = null, string? streamId = null,
        HttpCompletionOption option = HttpCompletionOption.ResponseContentRead)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (accept is not null)
        {
            request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        }

        if (streamId is not null)
        {
            request.Headers.Add("Mesos-Stream-Id", streamId);
        }

        return await _http.SendAsync(request, option);
    }
}
