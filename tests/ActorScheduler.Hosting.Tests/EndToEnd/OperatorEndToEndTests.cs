using System.Net;
using System.Text;
using System.Text.Json;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// Operator actions on hello-world with real processes: pause and resume a pod, read the metrics, and scale the world
/// pod from 2 to 1 with allow-decommission (world-1's process ends and its reservations are released in the emulator).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class OperatorEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly string Spec = Path.Combine(SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml");

    private static async Task<double> ReservedMemAsync(int masterPort)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var master = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{masterPort}/"));
        return master.RootElement.GetProperty("agents").EnumerateArray().Sum(a => a.GetProperty("reserved").GetProperty("mem_mb").GetDouble());
    }

    private static async Task<HttpStatusCode> PostAsync(SchedulerProcess scheduler, string path, string? body)
    {
        using var http = new HttpClient { BaseAddress = scheduler.ApiUrl, Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.PostAsync(path, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }

    [Fact]
    public async Task Pause_resume_metrics_and_decommission_on_scale_in()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        using var statsd = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var statsdEnvironment = new Dictionary<string, string>
        {
            ["STATSD_UDP_HOST"] = "127.0.0.1",
            ["STATSD_UDP_PORT"] = ((System.Net.IPEndPoint)statsd.Client.LocalEndPoint!).Port.ToString(),
            ["STATSD_POLL_INTERVAL_S"] = "0.5",
        };
        using var scheduler = SchedulerProcess.StartWith(statsdEnvironment, data.Path, apiPort, masterPort, "-o", "WORLD_ALLOW_DECOMMISSION=true");
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, Timeout, "deploy COMPLETE");
        var api = scheduler.ApiUrl.ToString();

        // Metrics count what happened.
        var metrics = (await scheduler.GetAsync("v1/metrics"))!.Value.Body.GetProperty("counters");
        Assert.True(metrics.GetProperty("offers.received").GetProperty("count").GetInt64() > 0);
        Assert.Equal(3, metrics.GetProperty("launches").GetProperty("count").GetInt64());
        Assert.True(metrics.GetProperty("task_status.task_running").GetProperty("count").GetInt64() >= 3);
        Assert.True(metrics.GetProperty("operation.reserve").GetProperty("count").GetInt64() > 0);
        Assert.True(metrics.GetProperty("offers.processed").GetProperty("count").GetInt64() > 0);
        var offerCycles = (await scheduler.GetAsync("v1/metrics"))!.Value.Body.GetProperty("timers").GetProperty("offers.process");
        Assert.True(offerCycles.GetProperty("count").GetInt64() > 0);
        Assert.True(offerCycles.GetProperty("p99").GetDouble() > 0);
        using (var http = new HttpClient { BaseAddress = scheduler.ApiUrl })
        {
            var text = await http.GetStringAsync("v1/metrics/prometheus");
            Assert.Contains("actorscheduler_launches_total 3\n", text);
            Assert.Contains("actorscheduler_plan_status{plan=\"deploy\"} 0\n", text);
            Assert.Contains("# TYPE actorscheduler_offers_process_seconds summary\n", text);
            // Deployed: no offer is kept or claimed any more.
            Assert.Contains("actorscheduler_offers_kept_now 0\n", text);
            Assert.Contains("actorscheduler_offers_claimed_now 0\n", text);
        }

        // The same metrics go out over StatsD, as STATSD_UDP_HOST / STATSD_UDP_PORT asked (pushes from before the deploy
        // completed may still wait in the socket).
        using (var wait = new CancellationTokenSource(Timeout))
        {
            var pushed = new HashSet<string>();
            while (!pushed.Contains("launches.count:3|g") || !pushed.Contains("plan_status.deploy:0|g"))
            {
                pushed.UnionWith(System.Text.Encoding.UTF8.GetString((await statsd.ReceiveAsync(wait.Token)).Buffer).Split('\n'));
            }
        }

        // Bad input: unknown pod, bad body, unknown task.
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync(scheduler, "v1/pod/nope-0/pause", null));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(scheduler, "v1/pod/hello-0/pause", "{\"tasks\":1}"));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(scheduler, "v1/pod/hello-0/pause", "[\"nope\"]"));
        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(1, await PodCli.CommandAsync(api, "pause", "nope-0", output, error, CancellationToken.None));
        Assert.Equal("error: Pod nope-0 not found", error.ToString().Trim());

        // Pause hello-0: relaunched running a sleep, shown PAUSED; resume: the real command again.
        Assert.Equal(0, await PodCli.CommandAsync(api, "pause", "hello-0", output, error, CancellationToken.None, ["server"]));
        Assert.Contains("Pausing hello-0: hello-0-server", output.ToString());
        await scheduler.WaitUntilAsync(async () => (await scheduler.TasksAsync())["hello-0-server"].Status == "PAUSED", Timeout, "hello-0-server PAUSED");
        Assert.Equal(0, await PodCli.CommandAsync(api, "resume", "hello-0", output, error, CancellationToken.None));
        await scheduler.WaitUntilAsync(async () => (await scheduler.TasksAsync())["hello-0-server"].Status == "TASK_RUNNING", Timeout, "hello-0-server running again");
        // RUNNING comes as the process starts; its first line may be written a moment later.
        string[] HelloVolume() => data.Files("output").Where(f => f.Contains("/volumes/", StringComparison.Ordinal)).Select(File.ReadAllLines).SingleOrDefault(l => l.Length > 0 && l[0].StartsWith("hello", StringComparison.Ordinal)) ?? [];
        await scheduler.WaitUntilAsync(() => Task.FromResult(HelloVolume().Length >= 2), Timeout, "the resumed hello-0-server writing to its volume");
        Assert.Equal(2, HelloVolume().Length); // the first launch and the resumed one; the paused one only slept

        // Scale world from 2 to 1: world-1 is decommissioned.
        bool World1Runs() => data.TaskProcesses().Any(pid => TempDataDir.Sandbox(pid).Contains("world-1-server", StringComparison.Ordinal));
        Assert.True(World1Runs());
        var reservedBefore = await ReservedMemAsync(masterPort);
        var code = await UpdateCli.StartAsync(api, Spec, ["WORLD_COUNT=1", "WORLD_ALLOW_DECOMMISSION=true"], output, error, CancellationToken.None);
        Assert.True(code == 0, error.ToString());
        await scheduler.WaitUntilAsync(
            async () => await scheduler.GetAsync("v1/plans/decommission") is { Code: HttpStatusCode.OK } plan && plan.Body.GetProperty("status").GetString() == "COMPLETE",
            Timeout,
            "decommission plan COMPLETE");
        Assert.False(World1Runs());
        Assert.True(await ReservedMemAsync(masterPort) <= reservedBefore - 512, "world-1's reservations are released in the emulator");
        var pods = (await scheduler.GetAsync("v1/pod"))!.Value.Body.EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["hello-0", "world-0"], pods);
        Assert.Equal(["deploy", "recovery", "decommission"], (await scheduler.GetAsync("v1/plans"))!.Value.Body.EnumerateArray().Select(e => e.GetString()));
    }
}
