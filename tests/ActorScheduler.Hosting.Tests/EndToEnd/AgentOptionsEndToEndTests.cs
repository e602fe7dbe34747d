using System.Text.Json;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// The examples that need shaped agents, deployed by <c>actorscheduler run</c> on the embedded emulator:
/// <c>examples/mount-volumes</c> on <c>--mount-disk</c> agents, <c>examples/racks</c> on <c>--attributes</c> agents and
/// <c>examples/pre-reserved</c> on <c>--agent-gpus</c> / <c>--agent-reserved</c> agents,
/// checked against the emulator's own view (<c>GET /</c> of the master).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class AgentOptionsEndToEndTests
{
    private static readonly TimeSpan DeployTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Mount_volumes_take_whole_mount_disks_hold_the_tasks_files_and_are_kept_on_relaunch()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        using var scheduler = Run(data, apiPort, masterPort, "mount-volumes", "--mount-disk", "1024:ssd", "--mount-disk", "512");

        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, DeployTimeout, "mount-volumes deploy COMPLETE");

        // Every agent's two MOUNT disks are reserved whole and carry one volume each, in use by its store task.
        using var master = await MasterStatusAsync(masterPort);
        var agents = master.RootElement.GetProperty("agents").EnumerateArray().ToList();
        Assert.Equal(3, agents.Count);
        foreach (var agent in agents)
        {
            var disks = agent.GetProperty("mount_disks").EnumerateArray().ToList();
            Assert.Equal([1024.0, 512.0], disks.Select(d => d.GetProperty("size_mb").GetDouble()));
            Assert.All(disks, d =>
            {
                Assert.Equal("mount-volumes-role", d.GetProperty("reserved_role").GetString());
                Assert.False(string.IsNullOrEmpty(d.GetProperty("volume_id").GetString()));
                Assert.True(d.GetProperty("in_use").GetBoolean());
            });
        }

        // The data volume (profile ssd, 800 MB asked) is the 1024 MB disk's root; the log volume the 512 MB one's.
        // A task is RUNNING once its shell started, maybe before its first line is written: waited for.
        List<string> MountLogs() => data.Files("log").Where(f => f.Contains("/mounts/disk-1/", StringComparison.Ordinal)).ToList();
        int Segments() => data.Files("segments").Count(f => f.Contains("/mounts/disk-2/", StringComparison.Ordinal) && new FileInfo(f).Length > 0);
        await scheduler.WaitUntilAsync(() => Task.FromResult(MountLogs() is { Count: 3 } found && found.All(f => File.ReadAllLines(f).Length > 0) && Segments() == 3),
            DeployTimeout, "every store task's first lines on its MOUNT volumes");
        var logs = MountLogs();
        Assert.Equal(3, Segments());
        Assert.All(logs, f => Assert.Single(File.ReadAllLines(f)));

        // The task dies: it is relaunched in place, on the same MOUNT volumes, which kept its files.
        var before = (await scheduler.TasksAsync())["store-1-server"].Id;
        var sleeper = data.TaskProcesses().Single(pid => TempDataDir.IsSleep(pid) && TempDataDir.Sandbox(pid).Contains("store-1-server", StringComparison.Ordinal));
        System.Diagnostics.Process.GetProcessById(sleeper).Kill();
        await scheduler.WaitUntilAsync(
            async () => (await scheduler.TasksAsync())["store-1-server"] is var store && store.Id != before && store.Status == "TASK_RUNNING",
            DeployTimeout,
            "store-1-server relaunched and RUNNING");
        var storeLog = Assert.Single(logs, f => File.ReadAllText(f).Contains("store-1-server", StringComparison.Ordinal));
        await scheduler.WaitUntilAsync(() => Task.FromResult(File.ReadAllLines(storeLog).Length >= 2), DeployTimeout, "the relaunched task's log line");
        Assert.Equal(["store-1-server started", "store-1-server started"], File.ReadAllLines(storeLog));
    }

    [Fact]
    public async Task Attribute_placement_spreads_replicas_over_racks_and_pins_backups_to_rack_1()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        using var scheduler = Run(data, apiPort, masterPort, "racks", "--agents", "4", "--attributes", "rack:rack-{index%2};host:h{index}");

        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, DeployTimeout, "racks deploy COMPLETE");

        using var master = await MasterStatusAsync(masterPort);
        var agents = master.RootElement.GetProperty("agents").EnumerateArray().ToDictionary(
            a => a.GetProperty("id").GetString()!,
            a => (Rack: a.GetProperty("attributes").GetProperty("rack").GetString()!, Hostname: a.GetProperty("hostname").GetString()!));
        Assert.Equal(["rack-0", "rack-0", "rack-1", "rack-1"], agents.Values.Select(a => a.Rack).Order());
        var placed = master.RootElement.GetProperty("tasks").EnumerateArray().ToDictionary(
            t => t.GetProperty("name").GetString()!,
            t => agents[t.GetProperty("agent_id").GetString()!]);

        Assert.Equal(["rack-0", "rack-1"], new[] { placed["replica-0-server"].Rack, placed["replica-1-server"].Rack }.Order());
        Assert.Equal(["rack-1", "rack-1"], new[] { placed["backup-0-agent"].Rack, placed["backup-1-agent"].Rack });
        Assert.NotEqual(placed["backup-0-agent"].Hostname, placed["backup-1-agent"].Hostname);
    }

    [Fact]
    public async Task Pods_of_a_pre_reserved_role_refine_its_static_reservations_and_a_gpu_pod_reserves_a_gpu()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        using var scheduler = Run(data, apiPort, masterPort, "pre-reserved",
            "--agent-gpus", "1", "--agent-reserved", "cpus(slave_public):0.5;mem(slave_public):256;disk(slave_public):512");

        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, DeployTimeout, "pre-reserved deploy COMPLETE");

        using var master = await MasterStatusAsync(masterPort);
        var framework = Assert.Single(master.RootElement.GetProperty("frameworks").EnumerateArray());
        Assert.Equal(["pre-reserved-role", "slave_public/pre-reserved-role"], framework.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("GpuResources", framework.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));

        // The edge pods' task and executor reservations are refinements of slave_public's; the trainer's of the service role,
        // with its GPU.
        var reserved = (await scheduler.GetAsync("/v1/debug/reservations"))!.Value.Body;
        var byPod = reserved.EnumerateArray().ToLookup(p => p.GetProperty("pod").GetString()!);
        Assert.Equal(2, byPod.Count(g => g.Key.StartsWith("edge-", StringComparison.Ordinal)));
        Assert.All(byPod.Where(g => g.Key.StartsWith("edge-", StringComparison.Ordinal)).SelectMany(g => g).SelectMany(p => p.GetProperty("resources").EnumerateArray()),
            r => Assert.Equal("slave_public/pre-reserved-role", r.GetProperty("role").GetString()));
        var trainer = byPod["trainer-0"].Single().GetProperty("resources").EnumerateArray().ToList();
        Assert.All(trainer, r => Assert.Equal("pre-reserved-role", r.GetProperty("role").GetString()));
        Assert.Contains(trainer, r => r.GetProperty("name").GetString() == "gpus");
    }

    private static SchedulerProcess Run(TempDataDir data, int apiPort, int masterPort, string example, params string[] extra) =>
        SchedulerProcess.Launch(apiPort,
        [
            "run", Path.Combine(SchedulerProcess.RepoRoot, "examples", example, "svc.yml"),
            "--data-dir", data.Path, "--api-port", apiPort.ToString(), "--master-port", masterPort.ToString(),
            "-o", "SLEEP_DURATION=120",
            .. extra,
        ]);

    private static async Task<JsonDocument> MasterStatusAsync(int masterPort)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{masterPort}/"));
    }
}
