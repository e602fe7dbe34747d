using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>The <c>/faults</c> endpoints: JSON in and out, clear refusals for bad input, unknown ids and wrong states.</summary>
public sealed partial class SchedulerHttpConformanceTests
{
    [Fact]
    public async Task Get_faults_shows_the_seed_the_status_update_settings_and_no_faulty_agents()
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync(new Uri(_emulator.Url, "faults")));

        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Number, root.GetProperty("seed").ValueKind);
        Assert.Equal(0, root.GetProperty("status_updates").GetProperty("drop_probability").GetDouble());
        Assert.Equal(0, root.GetProperty("unreachable_agents").GetArrayLength());
        Assert.Equal(0, root.GetProperty("gone_agents").GetArrayLength());
    }

    [Fact]
    public async Task Post_status_updates_changes_only_the_fields_given_and_answers_the_new_state()
    {
        using (var first = await FaultAsync("faults/status-updates", HttpStatusCode.OK, "{\"drop_probability\":0.25,\"delay_ms\":150,\"seed\":7}"))
        {
            var state = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(7, state.GetProperty("seed").GetInt32());
            Assert.Equal(0.25, state.GetProperty("status_updates").GetProperty("drop_probability").GetDouble());
        }

        using var second = await FaultAsync("faults/status-updates", HttpStatusCode.OK, "{\"duplicate_next\":2}");
        var updates = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("status_updates");
        Assert.Equal(0.25, updates.GetProperty("drop_probability").GetDouble());
        Assert.Equal(150, updates.GetProperty("delay_ms").GetDouble());
        Assert.Equal(2, updates.GetProperty("duplicate_next").GetInt32());
        Assert.Equal(2, (await _emulator.Faults.StateAsync()).StatusUpdates.DuplicateNext);
    }

    [Theory]
    [InlineData("{\"drop_probability\":2}", "drop probability must be between 0 and 1, got 2")]
    [InlineData("{\"drop_probability\":0.6,\"delay_probability\":0.6}", "drop, duplicate and delay probabilities add up to 1.2; they must not exceed 1")]
    [InlineData("{\"drop_probablity\":0.1}", "unknown field 'drop_probablity'; expected any of drop_probability, duplicate_probability, delay_probability, delay_ms, drop_next, duplicate_next, delay_next, seed")]
    [InlineData("{\"drop_next\":-1}", "'drop_next' must be a whole number of 0 or more, got -1")]
    [InlineData("{\"drop_next\":1.5}", "'drop_next' must be a whole number of 0 or more, got 1.5")]
    [InlineData("{\"delay_ms\":\"soon\"}", "'delay_ms' must be a number of milliseconds up to 3600000, got \"soon\"")]
    [InlineData("[1]", "expected a JSON object with any of drop_probability, duplicate_probability, delay_probability, delay_ms, drop_next, duplicate_next, delay_next, seed")]
    public async Task Bad_status_update_settings_are_400_with_a_message_and_change_nothing(string body, string message)
    {
        using var response = await FaultAsync("faults/status-updates", HttpStatusCode.BadRequest, body);

        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        Assert.False((await _emulator.Faults.StateAsync()).StatusUpdates.Any);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_400()
    {
        using var response = await FaultAsync("faults/status-updates", HttpStatusCode.BadRequest, "drop everything");

        Assert.StartsWith("the body is not JSON: ", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("faults/agents/no-such-agent/lose", HttpStatusCode.NotFound, "no agent no-such-agent")]
    [InlineData("faults/agents/no-such-agent/restart", HttpStatusCode.NotFound, "no agent no-such-agent")]
    [InlineData("faults/frameworks/no-such-framework/sever", HttpStatusCode.NotFound, "no framework no-such-framework")]
    [InlineData("faults/frameworks/no-such-framework/stall", HttpStatusCode.NotFound, "no framework no-such-framework")]
    [InlineData("faults/master/explode", HttpStatusCode.NotFound, "No fault endpoint at /faults/master/explode; see GET /faults and the README's \"Fault injection\" section")]
    public async Task Unknown_agents_frameworks_and_paths_are_404_with_a_message(string path, HttpStatusCode code, string message)
    {
        using var response = await FaultAsync(path, code);

        Assert.Equal(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Faults_that_do_not_fit_the_agents_state_are_409_and_unknown_actions_404()
    {
        var agentId = _emulator.Snapshot().Agents[0].Id;

        using (var notLost = await FaultAsync($"faults/agents/{agentId}/return", HttpStatusCode.Conflict))
        {
            Assert.Equal($"agent {agentId} is not unreachable", (await notLost.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        }

        using (var notDisconnected = await FaultAsync($"faults/agents/{agentId}/reconnect", HttpStatusCode.Conflict))
        {
            Assert.Equal($"agent {agentId} is not disconnected", (await notDisconnected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        }

        (await FaultAsync($"faults/agents/{agentId}/disconnect", HttpStatusCode.OK)).Dispose();
        using (var disconnectedTwice = await FaultAsync($"faults/agents/{agentId}/disconnect", HttpStatusCode.Conflict))
        {
            Assert.Equal($"agent {agentId} is already disconnected", (await disconnectedTwice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        }

        Assert.Equal(ActorScheduler.Mesos.Emulator.AgentSnapshot.Disconnected, _emulator.Snapshot().Agents[0].State);
        using (var state = JsonDocument.Parse(await _http.GetStringAsync(new Uri(_emulator.Url, "faults"))))
        {
            Assert.Equal(agentId, state.RootElement.GetProperty("disconnected_agents").EnumerateArray().Single().GetString());
        }

        (await FaultAsync($"faults/agents/{agentId}/lose", HttpStatusCode.OK)).Dispose();
        Assert.Empty((await _emulator.Faults.StateAsync()).DisconnectedAgents);
        using (var twice = await FaultAsync($"faults/agents/{agentId}/lose", HttpStatusCode.Conflict))
        {
            Assert.Equal($"agent {agentId} is already unreachable", (await twice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        }

        using (var unknown = await FaultAsync($"faults/agents/{agentId}/explode", HttpStatusCode.NotFound))
        {
            Assert.Equal("Unknown agent fault 'explode'; expected lose, return, disconnect, reconnect, gone or restart", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        }

        Assert.Equal([agentId], (await _emulator.Faults.StateAsync()).UnreachableAgents);
    }

    [Fact]
    public async Task Fault_actions_take_POST_only_and_the_state_GET_only()
    {
        using var get = await _http.GetAsync(new Uri(_emulator.Url, $"faults/agents/{_emulator.Snapshot().Agents[0].Id}/lose"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("POST", get.Content.Headers.Allow.Single());

        using var post = await _http.PostAsync(new Uri(_emulator.Url, "faults"), new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Empty((await _emulator.Faults.StateAsync()).UnreachableAgents);
    }

    [Fact]
    public async Task Severing_a_stream_closes_it_and_disconnects_the_framework()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info(failoverTimeout: 60));

        (await FaultAsync($"faults/frameworks/{framework.FrameworkId.Value}/sever", HttpStatusCode.OK)).Dispose();

        await framework.RemainingEventsAsync();
        Assert.False(_emulator.Snapshot().Frameworks.Single().Connected);
        using var again = await FaultAsync($"faults/frameworks/{framework.FrameworkId.Value}/sever", HttpStatusCode.Conflict);
        Assert.Equal($"framework {framework.FrameworkId.Value} is not subscribed", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        using var call = await framework.Raw.PostAsync(new Call { Type = Call.Types.Type.Revive, FrameworkId = framework.FrameworkId });
        Assert.Equal(HttpStatusCode.Forbidden, call.StatusCode);
    }
}
