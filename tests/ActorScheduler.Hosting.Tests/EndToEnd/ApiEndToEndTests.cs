using System.Net;
using System.Net.Http.Headers;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>Configurations, health, state and the API token on hello-world with real processes.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ApiEndToEndTests
{
    [Fact]
    public async Task Configurations_health_framework_id_pods_and_the_token_guard()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        using var scheduler = SchedulerProcess.Start(data.Path, apiPort, masterPort, "--api-token", "s3cret");
        using var http = new HttpClient { BaseAddress = scheduler.ApiUrl };

        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, TimeSpan.FromSeconds(120), "deploy COMPLETE");

        var health = (await scheduler.GetAsync("v1/health"))!.Value;
        Assert.Equal((HttpStatusCode.OK, 200, "RUNNING"), (health.Code, health.Body.GetProperty("value").GetInt32(), health.Body.GetProperty("status").GetString()));

        var ids = (await scheduler.GetAsync("v1/configurations"))!.Value.Body.EnumerateArray().Select(e => e.GetString()).ToList();
        var target = (await scheduler.GetAsync("v1/configurations/targetId"))!.Value.Body.GetString();
        Assert.Equal([target], ids);
        var config = (await scheduler.GetAsync($"v1/configurations/{target}"))!.Value;
        Assert.Equal(HttpStatusCode.OK, config.Code);
        Assert.Equal("hello-world", config.Body.GetProperty("spec").GetProperty("name").GetString());
        Assert.Equal(target, (await scheduler.GetAsync("v1/configurations/target"))!.Value.Body.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await scheduler.GetAsync("v1/configurations/nope"))!.Value.Code);

        var frameworkId = (await scheduler.GetAsync("v1/state/frameworkId"))!.Value.Body.GetString();
        Assert.False(string.IsNullOrEmpty(frameworkId));

        // One pod: its status, and its task infos and statuses in Mesos JSON.
        var hello = (await scheduler.GetAsync("v1/pod/hello-0/status"))!.Value.Body;
        Assert.Equal(("hello-0", "hello-0-server", "TASK_RUNNING"), (hello.GetProperty("name").GetString(), hello.GetProperty("tasks")[0].GetProperty("name").GetString(), hello.GetProperty("tasks")[0].GetProperty("status").GetString()));
        var info = (await scheduler.GetAsync("v1/pod/hello-0/info"))!.Value.Body[0];
        Assert.Equal("hello-0-server", info.GetProperty("info").GetProperty("name").GetString());
        Assert.Equal("TASK_RUNNING", info.GetProperty("status").GetProperty("state").GetString());
        Assert.True(info.GetProperty("info").GetProperty("task_id").TryGetProperty("value", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await scheduler.GetAsync("v1/pod/nope-0/status"))!.Value.Code);

        // Every plan at once, in priority order.
        var allPlans = (await scheduler.GetAsync("v1/debug/plans"))!.Value.Body;
        Assert.Equal(["deploy", "recovery"], allPlans.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("COMPLETE", allPlans[0].GetProperty("plan").GetProperty("status").GetString());

        // Debug views: every pod's reservations (hello-0's volume among them) and every task's latest status.
        var reservations = (await scheduler.GetAsync("v1/debug/reservations"))!.Value.Body;
        Assert.Equal(["hello-0", "world-0", "world-1"], reservations.EnumerateArray().Select(p => p.GetProperty("pod").GetString()));
        Assert.Contains(reservations[0].GetProperty("resources").EnumerateArray(), r => r.TryGetProperty("persistence_id", out _));
        Assert.All(reservations.EnumerateArray(), p => Assert.Contains(p.GetProperty("resources").EnumerateArray(), r => r.GetProperty("name").GetString() == "cpus"));
        var statuses = (await scheduler.GetAsync("v1/debug/taskStatuses"))!.Value.Body;
        Assert.Equal(
            [("hello-0-server", "TASK_RUNNING"), ("world-0-server", "TASK_RUNNING"), ("world-1-server", "TASK_RUNNING")],
            statuses.EnumerateArray().Select(t => (t.GetProperty("task").GetString(), t.GetProperty("state").GetString())));
        var (debugOut, debugError) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await DebugCommands.TasksAsync(scheduler.ApiUrl.ToString(), "world-1", false, debugOut, debugError, CancellationToken.None));
        Assert.Matches(@"^world-1\n└─ world-1-server TASK_RUNNING \(world-1-server__[0-9a-f-]+\)\n$", debugOut.ToString());
        debugOut.GetStringBuilder().Clear();
        Assert.Equal(0, await DebugCommands.ReservationsAsync(scheduler.ApiUrl.ToString(), "hello-0", false, debugOut, debugError, CancellationToken.None));
        Assert.StartsWith("hello-0 (", debugOut.ToString(), StringComparison.Ordinal);
        Assert.Contains(", volume ", debugOut.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, await DebugCommands.ReservationsAsync(scheduler.ApiUrl.ToString(), "nope-0", false, debugOut, debugError, CancellationToken.None));
        Assert.Equal("error: no pod instance nope-0 (or it holds nothing)", debugError.ToString().Trim());
        Assert.Equal(HttpStatusCode.NotFound, (await scheduler.GetAsync("v1/pod/nope-0/info"))!.Value.Code);

        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await PodCli.StatusAsync(scheduler.ApiUrl.ToString(), null, false, output, error, CancellationToken.None));
        Assert.Equal(
            "hello-world\n├─ hello\n│  └─ hello-0\n│     └─ hello-0-server (TASK_RUNNING)\n└─ world\n   ├─ world-0\n   │  └─ world-0-server (TASK_RUNNING)\n   └─ world-1\n      └─ world-1-server (TASK_RUNNING)\n",
            output.ToString());
        Assert.Equal(1, await PodCli.StatusAsync(scheduler.ApiUrl.ToString(), "nope-0", false, output, error, CancellationToken.None));
        Assert.Equal("error: Pod nope-0 not found", error.ToString().Trim());

        // Mutating calls need the token; reads do not.
        var refused = await http.PostAsync("v1/plans/deploy/interrupt", null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Authorization: Bearer", await refused.Content.ReadAsStringAsync());
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "v1/plans/deploy/interrupt") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "guess") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        using var right = new HttpRequestMessage(HttpMethod.Post, "v1/plans/deploy/interrupt") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "s3cret") } };
        Assert.Equal(HttpStatusCode.AlreadyReported, (await http.SendAsync(right)).StatusCode); // authorized; the plan is complete
        Assert.Equal(HttpStatusCode.OK, (await scheduler.GetAsync("v1/plans/deploy"))!.Value.Code);
    }

    [Fact]
    public async Task Advertised_ports_are_served_as_endpoints()
    {
        using var data = new TempDataDir();
        var apiPort = SchedulerProcess.FreePort();
        using var scheduler = SchedulerProcess.Launch(apiPort, [
            "run", Path.Combine(SchedulerProcess.RepoRoot, "examples/ports/svc.yml"), "--data-dir", data.Path,
            "--api-port", apiPort.ToString(), "--master-port", SchedulerProcess.FreePort().ToString(), "-o", "SLEEP_DURATION=120",
        ]);
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, TimeSpan.FromSeconds(120), "deploy COMPLETE");

        Assert.Equal(["http"], (await scheduler.GetAsync("v1/endpoints"))!.Value.Body.EnumerateArray().Select(e => e.GetString()));
        var http = (await scheduler.GetAsync("v1/endpoints/http"))!.Value.Body;
        Assert.Equal(2, http.GetProperty("address").GetArrayLength());
        Assert.All(http.GetProperty("address").EnumerateArray(), a => Assert.Matches(@"^127\.0\.0\.\d+:3\d{4}$", a.GetString()));
        Assert.Contains("web-0-server.ports.autoip.dcos.thisdcos.directory:", http.GetProperty("dns")[0].GetString());
        Assert.Equal("web.ports.l4lb.thisdcos.directory:80", http.GetProperty("vip").GetString());
        var unknown = (await scheduler.GetAsync("v1/endpoints/metrics"))!.Value;
        Assert.Equal((HttpStatusCode.NotFound, "Endpoint metrics not found (endpoints: http)"), (unknown.Code, unknown.Body.GetProperty("message").GetString()));

        // The CLI: the names, one endpoint a line per value, and an unknown one naming those there are.
        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await EndpointsCli.ShowAsync(scheduler.ApiUrl.ToString(), null, false, output, error, CancellationToken.None));
        Assert.Equal("http\n", output.ToString());
        output.GetStringBuilder().Clear();
        Assert.Equal(0, await EndpointsCli.ShowAsync(scheduler.ApiUrl.ToString(), "http", false, output, error, CancellationToken.None));
        Assert.Matches(@"^address: 127\.0\.0\.\d+:3\d{4}\n {9}127\.0\.0\.\d+:3\d{4}\ndns: {5}web-0-server\.ports\.autoip\.dcos\.thisdcos\.directory:3\d{4}\n {9}web-1-server\S+\nvip: {5}web\.ports\.l4lb\.thisdcos\.directory:80\n$", output.ToString());
        Assert.Equal(1, await EndpointsCli.ShowAsync(scheduler.ApiUrl.ToString(), "metrics", false, output, error, CancellationToken.None));
        Assert.Equal("error: Endpoint metrics not found (endpoints: http)", error.ToString().Trim());
    }

    [Fact]
    public async Task Api_port_0_serves_on_a_port_the_system_chose_and_everything_reports_that_port()
    {
        using var data = new TempDataDir();
        using var scheduler = SchedulerProcess.Launch(0, [
            "run", Path.Combine(SchedulerProcess.RepoRoot, "examples/taskcfg/svc.yml"), "--data-dir", data.Path,
            "--api-port", "0", "--master-port", SchedulerProcess.FreePort().ToString(), "-o", "SLEEP_DURATION=120",
        ]);

        // The banner names the bound port, and the API answers there.
        var api = await scheduler.UseApiFromBannerAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("127.0.0.1", api.Host);
        Assert.NotEqual(0, api.Port);
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, TimeSpan.FromSeconds(120), "deploy COMPLETE");

        // The tasks were told that port too: each fetched its config template from the API (bootstrap rendered it) and
        // got SCHEDULER_API_PORT.
        List<string> Rendered() => Directory.GetFiles(data.Path, "worker.conf", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "conf").Select(File.ReadAllText).ToList();
        await scheduler.WaitUntilAsync(() => Task.FromResult(Rendered() is { Count: 2 } files && files.All(f => f.Contains("threads=2\n", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(60), "both tasks rendered conf/worker.conf from the template the API served");
        var info = (await scheduler.GetAsync("v1/pod/worker-0/info"))!.Value.Body[0].GetProperty("info");
        var environment = info.GetProperty("command").GetProperty("environment").GetProperty("variables").EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("value").GetString());
        Assert.Equal(api.Port.ToString(), environment["SCHEDULER_API_PORT"]);
    }
}
