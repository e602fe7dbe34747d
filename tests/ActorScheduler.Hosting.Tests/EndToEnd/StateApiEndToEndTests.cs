using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// The rest of the DC/OS operator surface on hello-world (3 zones): scheduler properties, state files (kept across a
/// kill -9), zones by pod and agent, refresh, verbose health, the deprecated single-plan API, the threads dump, and
/// the debug config / debug state CLI, and the multi-service path prefix.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class StateApiEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static async Task<(HttpStatusCode Code, string Body, string? ContentType)> SendAsync(SchedulerProcess scheduler, HttpMethod method, string path, HttpContent? content = null)
    {
        using var http = new HttpClient { BaseAddress = scheduler.ApiUrl, Timeout = TimeSpan.FromSeconds(20) };
        using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = content });
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
    }

    private static string MessageOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("message").GetString()!;

    [Fact]
    public async Task Properties_files_zones_refresh_health_and_the_deprecated_plan_api()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        string[] options = ["-o", "SLEEP_DURATION=300", "--zones", "3"];
        var first = SchedulerProcess.Start(data.Path, apiPort, masterPort, options);
        await first.WaitUntilAsync(first.DeployCompleteAsync, Timeout, "deploy COMPLETE");
        var api = first.ApiUrl.ToString();

        // Properties: what the scheduler actors hold; an unknown one is a 404 message.
        await first.WaitUntilAsync(
            async () => (await first.GetAsync("v1/state/properties"))!.Value.Body.EnumerateArray().Any(p => p.GetString() == "last-completed-update-type"),
            Timeout,
            "the deployment recorded as completed");
        Assert.Equal(
            ["framework-id", "last-completed-update-type", "reconciled", "suppressed", "target-config-id"],
            (await first.GetAsync("v1/state/properties"))!.Value.Body.EnumerateArray().Select(p => p.GetString()));
        var frameworkId = (await first.GetAsync("v1/state/frameworkId"))!.Value.Body.GetString();
        Assert.Equal(frameworkId, (await first.GetAsync("v1/state/properties/framework-id"))!.Value.Body.GetString());
        var targetId = (await first.GetAsync("v1/configurations/targetId"))!.Value.Body.GetString();
        Assert.Equal(targetId, (await first.GetAsync("v1/state/properties/target-config-id"))!.Value.Body.GetString());
        Assert.Equal("DEPLOY", (await first.GetAsync("v1/state/properties/last-completed-update-type"))!.Value.Body.GetString());
        Assert.Equal("true", (await first.GetAsync("v1/state/properties/reconciled"))!.Value.Body.GetString());
        var unknown = (await first.GetAsync("v1/state/properties/nope"))!.Value;
        Assert.Equal((HttpStatusCode.NotFound, "Property nope not found"), (unknown.Code, unknown.Body.GetProperty("message").GetString()));

        // The DC/OS multi-service form of the paths: this service's name answers as /v1; another name is a 404.
        var prefixed = await SendAsync(first, HttpMethod.Get, "v1/service/hello-world/plans/deploy");
        Assert.Equal((HttpStatusCode.OK, (await SendAsync(first, HttpMethod.Get, "v1/plans/deploy")).Body), (prefixed.Code, prefixed.Body));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(first, HttpMethod.Get, "v1/service/hello-world/state/properties/framework-id")).Code);
        var other = await SendAsync(first, HttpMethod.Get, "v1/service/kafka/plans");
        Assert.Equal((HttpStatusCode.NotFound, "Service kafka not found: this scheduler runs hello-world"), (other.Code, MessageOf(other.Body)));

        // Refresh: an explicit reconciliation; the tasks stay as they are.
        var refresh = await SendAsync(first, HttpMethod.Put, "v1/state/refresh");
        Assert.Equal((HttpStatusCode.OK, "{\"message\":\"Received cmd: refresh\"}"), (refresh.Code, refresh.Body));
        await first.WaitUntilAsync(
            async () => (await first.GetAsync("v1/state/properties/reconciled"))!.Value.Body.GetString() == "true" && await first.DeployCompleteAsync(),
            Timeout,
            "still reconciled and deployed after refresh");

        // Zones by pod (type or instance) and agent hostname.
        var reservations = (await first.GetAsync("v1/debug/reservations"))!.Value.Body;
        var hello = reservations.EnumerateArray().Single(p => p.GetProperty("pod").GetString() == "hello-0").GetProperty("hostname").GetString();
        var zone = (await first.GetAsync("v1/state/zone/tasks/hello-0-server"))!.Value.Body.GetString();
        Assert.StartsWith("zone-", zone);
        Assert.Equal(zone, (await first.GetAsync($"v1/state/zone/hello/{hello}"))!.Value.Body.GetString());
        Assert.Equal(zone, (await first.GetAsync($"v1/state/zone/hello-0/{hello}"))!.Value.Body.GetString());
        var noZone = (await first.GetAsync("v1/state/zone/hello/10.9.9.9"))!.Value;
        Assert.Equal((HttpStatusCode.NotFound, "No task of pod hello with a zone on an agent with IP or hostname 10.9.9.9"), (noZone.Code, noZone.Body.GetProperty("message").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await first.GetAsync($"v1/state/zone/nope/{hello}"))!.Value.Code);

        // Files: raw and multipart uploads, bad names and sizes refused with a message, unknown names 404.
        Assert.Empty((await first.GetAsync("v1/state/files"))!.Value.Body.EnumerateArray());
        var raw = await SendAsync(first, HttpMethod.Put, "v1/state/files/notes.txt", new StringContent("keep me", Encoding.UTF8, "text/plain"));
        Assert.Equal((HttpStatusCode.OK, "Stored file notes.txt (7 bytes)"), (raw.Code, MessageOf(raw.Body)));
        // curl -d sends the file itself as application/x-www-form-urlencoded: stored as the body, not read as a form.
        var curlDefault = await SendAsync(first, HttpMethod.Put, "v1/state/files/curl.txt", new StringContent("hello", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal((HttpStatusCode.OK, "Stored file curl.txt (5 bytes)"), (curlDefault.Code, MessageOf(curlDefault.Body)));
        var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "blob.bin" } };
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(first, HttpMethod.Put, "v1/state/files/blob.bin", form)).Code);
        var badName = await SendAsync(first, HttpMethod.Put, "v1/state/files/.hidden", new StringContent("x"));
        Assert.Equal((HttpStatusCode.BadRequest, "File name '.hidden' must be 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'"), (badName.Code, MessageOf(badName.Body)));
        var tooBig = await SendAsync(first, HttpMethod.Put, "v1/state/files/big.bin", new ByteArrayContent(new byte[1_000_001]));
        Assert.Equal((HttpStatusCode.BadRequest, "File is over 1000000 bytes, the most scheduler state keeps"), (tooBig.Code, MessageOf(tooBig.Body)));
        var noPart = await SendAsync(first, HttpMethod.Put, "v1/state/files/x.txt", new MultipartFormDataContent { { new StringContent("v"), "field" } });
        Assert.Equal(HttpStatusCode.BadRequest, noPart.Code);
        Assert.Contains("'file' part", MessageOf(noPart.Body));
        var missing = await SendAsync(first, HttpMethod.Get, "v1/state/files/nope.txt");
        Assert.Equal((HttpStatusCode.NotFound, "File nope.txt not found"), (missing.Code, MessageOf(missing.Body)));

        // Verbose health: the code stays, the reason and the plans come along.
        var health = (await first.GetAsync("v1/health?verbose=true"))!.Value;
        Assert.Equal((HttpStatusCode.OK, "RUNNING"), (health.Code, health.Body.GetProperty("status").GetString()));
        Assert.Contains("deploy plan is COMPLETE", health.Body.GetProperty("reason").GetString());
        Assert.Contains(health.Body.GetProperty("plans").EnumerateArray(), p => p.GetProperty("name").GetString() == "deploy" && p.GetProperty("status").GetString() == "COMPLETE");
        Assert.False((await first.GetAsync("v1/health"))!.Value.Body.TryGetProperty("reason", out _));

        // The deprecated single-plan API is the deploy plan.
        var plan = (await first.GetAsync("v1/plan"))!.Value;
        Assert.Equal((HttpStatusCode.OK, "COMPLETE"), (plan.Code, plan.Body.GetProperty("status").GetString()));
        Assert.Equal(HttpStatusCode.AlreadyReported, (await SendAsync(first, HttpMethod.Post, "v1/plan/continue")).Code);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(first, HttpMethod.Post, "v1/plan/continue?phase=nope")).Code);
        var badCommand = await SendAsync(first, HttpMethod.Post, "v1/plan/jump");
        Assert.Equal(HttpStatusCode.NotFound, badCommand.Code);
        Assert.StartsWith("Unknown plan command 'jump'", MessageOf(badCommand.Body));

        // Threads: the process and the actor system, as text.
        var threads = await SendAsync(first, HttpMethod.Get, "v1/debug/threads");
        Assert.Equal(HttpStatusCode.OK, threads.Code);
        Assert.StartsWith("text/plain", threads.ContentType);
        Assert.Contains("  pod instance actors: 3\n", threads.Body);
        Assert.Contains("  dispatcher default-dispatcher: ", threads.Body);

        // The CLI: debug config / debug state / describe.
        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await StateCli.ConfigTargetIdAsync(api, false, output, error, CancellationToken.None));
        Assert.Equal(targetId + "\n", output.ToString());
        output.GetStringBuilder().Clear();
        Assert.Equal(0, await StateCli.ConfigListAsync(api, false, output, error, CancellationToken.None));
        Assert.Equal(targetId + "\n", output.ToString());
        output.GetStringBuilder().Clear();
        Assert.Equal(0, await StateCli.ConfigTargetAsync(api, false, output, error, CancellationToken.None));
        Assert.StartsWith($"config {targetId} (target) from ", output.ToString());
        Assert.Contains("\"name\": \"hello-world\"", output.ToString());
        output.GetStringBuilder().Clear();
        Assert.Equal(0, await StateCli.PropertyAsync(api, "framework-id", false, output, error, CancellationToken.None));
        Assert.Equal(frameworkId + "\n", output.ToString());
        output.GetStringBuilder().Clear();
        Assert.Equal(0, await StateCli.FrameworkIdAsync(api, true, output, error, CancellationToken.None));
        Assert.Equal($"\"{frameworkId}\"\n", output.ToString());
        output.GetStringBuilder().Clear();
        Assert.Equal(0, await StateCli.RefreshAsync(api, output, error, CancellationToken.None));
        Assert.Equal("Received cmd: refresh\n", output.ToString());
        Assert.Equal(1, await StateCli.PropertyAsync(api, "nope", false, output, error, CancellationToken.None));
        Assert.Equal(1, await StateCli.ConfigShowAsync(api, "nope", false, output, error, CancellationToken.None));
        Assert.Equal("error: Property nope not found\nerror: Configuration nope not found\n", error.ToString());

        // kill -9 and start again: the files are still there, as uploaded.
        first.Crash();
        first.Dispose();
        using var second = SchedulerProcess.Start(data.Path, apiPort, masterPort, options);
        await second.WaitUntilAsync(async () => await second.GetAsync("v1/state/files") is { Code: HttpStatusCode.OK }, Timeout, "the API after restart");
        Assert.Equal(["blob.bin", "curl.txt", "notes.txt"], (await second.GetAsync("v1/state/files"))!.Value.Body.EnumerateArray().Select(f => f.GetString()));
        var notes = await SendAsync(second, HttpMethod.Get, "v1/state/files/notes.txt");
        Assert.Equal((HttpStatusCode.OK, "keep me", "text/plain; charset=utf-8"), (notes.Code, notes.Body, notes.ContentType));
        await second.WaitUntilAsync(second.DeployCompleteAsync, Timeout, "deploy COMPLETE after restart");
    }
}
