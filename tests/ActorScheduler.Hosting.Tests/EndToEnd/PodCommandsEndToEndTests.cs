using System.Net;
using System.Text.Json;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary><c>pod restart</c> and <c>pod replace</c> on hello-world with real processes, across a scheduler crash.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class PodCommandsEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static async Task<(int Code, string Output, string Error)> Pod(SchedulerProcess scheduler, string command, string pod)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await PodCli.CommandAsync(scheduler.ApiUrl.ToString(), command, pod, output, error, CancellationToken.None);
        return (code, output.ToString().Trim(), error.ToString().Trim());
    }

    private static async Task<bool> Relaunched(SchedulerProcess scheduler, string task, string oldId) =>
        (await scheduler.TasksAsync()).TryGetValue(task, out var now) && now.Id != oldId && now.Status == "TASK_RUNNING";

    /// <summary>The persistence ids of the volumes the pod's launched tasks use.</summary>
    private static async Task<string[]> VolumeIds(SchedulerProcess scheduler, string pod)
    {
        var info = (await scheduler.GetAsync($"v1/pod/{pod}/info"))!.Value.Body;
        return info.EnumerateArray()
            .SelectMany(t => t.GetProperty("info").GetProperty("resources").EnumerateArray())
            .Where(r => r.TryGetProperty("disk", out var disk) && disk.TryGetProperty("persistence", out _))
            .Select(r => r.GetProperty("disk").GetProperty("persistence").GetProperty("id").GetString()!)
            .Order()
            .ToArray();
    }

    /// <summary>Status and message of the recovery plan's step of that name (phase of the same name), if shown.</summary>
    private static async Task<(string Status, string Message)?> RecoveryStep(SchedulerProcess scheduler, string name)
    {
        if (await scheduler.GetAsync("v1/plans/recovery") is not { } answer)
        {
            return null;
        }

        var step = answer.Body.GetProperty("phases").EnumerateArray()
            .Where(p => p.GetProperty("name").GetString() == name)
            .SelectMany(p => p.GetProperty("steps").EnumerateArray())
            .FirstOrDefault();
        return step.ValueKind == JsonValueKind.Object ? (step.GetProperty("status").GetString()!, step.GetProperty("message").GetString()!) : null;
    }

    [Fact]
    public async Task Restart_relaunches_in_place_even_after_a_scheduler_crash_and_replace_moves_to_new_volumes()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        using (var first = SchedulerProcess.Start(data.Path, apiPort, masterPort))
        {
            await first.WaitUntilAsync(first.DeployCompleteAsync, Timeout, "deploy COMPLETE");
            first.Crash();
        }

        // After a restart no step drives the complete pods any more: recovery must still relaunch what is killed.
        using var scheduler = SchedulerProcess.Start(data.Path, apiPort, masterPort);
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, Timeout, "deploy COMPLETE after the crash");
        var hello = (await scheduler.TasksAsync())["hello-0-server"].Id;
        var helloVolumes = await VolumeIds(scheduler, "hello-0");

        var restarted = await Pod(scheduler, "restart", "hello-0");
        Assert.Equal((0, "Restarting hello-0: hello-0-server"), (restarted.Code, restarted.Output));
        await scheduler.WaitUntilAsync(() => Relaunched(scheduler, "hello-0-server", hello), Timeout, "hello-0-server relaunched");
        Assert.Equal(helloVolumes, await VolumeIds(scheduler, "hello-0"));

        // The relaunch shows as the recovery plan's phase for the pod, COMPLETE once the task runs again, and stays.
        await scheduler.WaitUntilAsync(
            async () => await RecoveryStep(scheduler, "hello-0:[server]") is ("COMPLETE", _),
            Timeout,
            "recovery phase hello-0:[server] COMPLETE");
        var (_, message) = (await RecoveryStep(scheduler, "hello-0:[server]"))!.Value;
        Assert.StartsWith("TRANSIENT recovery: pod restart by an operator", message);

        var world = (await scheduler.TasksAsync())["world-0-server"].Id;
        var worldVolumes = await VolumeIds(scheduler, "world-0");
        Assert.Equal(2, worldVolumes.Length);
        Assert.Equal(0, (await Pod(scheduler, "replace", "world-0")).Code);
        await scheduler.WaitUntilAsync(() => Relaunched(scheduler, "world-0-server", world), Timeout, "world-0-server relaunched");
        var replacedVolumes = await VolumeIds(scheduler, "world-0");
        Assert.Equal(2, replacedVolumes.Length);
        Assert.Empty(replacedVolumes.Intersect(worldVolumes));
        Assert.True(await scheduler.DeployCompleteAsync());

        var unknown = await Pod(scheduler, "restart", "nope-0");
        Assert.Equal((1, "error: Pod nope-0 not found"), (unknown.Code, unknown.Error));
        using var http = new HttpClient { BaseAddress = scheduler.ApiUrl };
        var bogus = await http.PostAsync("v1/pod/hello-0/explode", null);
        Assert.Equal(HttpStatusCode.NotFound, bogus.StatusCode);
        Assert.Contains("expected restart, replace, pause or resume", JsonDocument.Parse(await bogus.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
    }
}
