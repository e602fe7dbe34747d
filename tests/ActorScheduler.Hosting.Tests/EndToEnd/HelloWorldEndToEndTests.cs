namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// The walking skeleton end to end: <c>actorscheduler run</c> on the hello-world example, with the embedded
/// Mesos emulator running tasks as real processes, through the real HTTP protocol.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HelloWorldEndToEndTests
{
    private static readonly TimeSpan DeployTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Run_should_deploy_hello_world_to_COMPLETE_with_real_processes()
    {
        using var data = new TempDataDir();
        using var scheduler = SchedulerProcess.Start(data.Path, SchedulerProcess.FreePort(), SchedulerProcess.FreePort(), "-o", "SLEEP_DURATION=300");

        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, DeployTimeout, "deploy COMPLETE");

        var tasks = await scheduler.TasksAsync();
        Assert.Equal(["hello-0-server", "world-0-server", "world-1-server"], tasks.Keys.Order());

        // placement [["hostname", "UNIQUE"]]: the two world instances sit on different agents.
        var deploy = (await scheduler.GetAsync("v1/plans/deploy"))!.Value.Body;
        var worldHosts = deploy.GetProperty("phases")[1].GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("message").GetString()).ToList();
        Assert.Equal(2, worldHosts.Distinct().Count());
        Assert.All(tasks.Values, t => Assert.Equal("TASK_RUNNING", t.Status));
        Assert.Equal(3, data.TaskProcesses().Count(TempDataDir.IsSleep));

        // hello writes one line into its volume; each world writes into both of its volumes.
        var outputs = await WrittenVolumeFilesAsync(scheduler, data);
        Assert.All(outputs, f => Assert.Single(File.ReadAllLines(f)));

        // The console follows the plan on its own schedule: wait for it to print the completed tree.
        await scheduler.WaitUntilAsync(() => Task.FromResult(scheduler.Output.Contains("deploy COMPLETE after")), DeployTimeout, "the COMPLETE tree on stdout");
        Assert.Contains("deploy (serial strategy) (COMPLETE)", scheduler.Output);
        Assert.Contains("│  └─ hello-0:[server] (COMPLETE)", scheduler.Output);

        // Every decision is explained: the debug endpoint and the CLI show hello-0's offer evaluations.
        var debug = await scheduler.GetAsync("v2/debug/offers?pod=hello-0");
        var hello = Assert.Single(debug!.Value.Body.GetProperty("summaries").EnumerateArray());
        Assert.True(hello.GetProperty("passed").GetInt32() >= 1);
        Assert.Empty(debug.Value.Body.GetProperty("declines").EnumerateArray());
        // And why offers were declined, service-wide: three agents offered while one pod at a time was placed.
        var declines = (await scheduler.GetAsync("v2/debug/offers"))!.Value.Body.GetProperty("declines").EnumerateArray().ToList();
        Assert.NotEmpty(declines);
        Assert.All(declines, d => Assert.Equal(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{d.GetProperty("count").GetInt64():N0} {d.GetProperty("reason").GetString()} (filter {d.GetProperty("refuse_seconds").GetDouble():0.###} s)"),
            d.GetProperty("summary").GetString()));

        // Or by plan element: the world phase's pods only; a phase the plan lacks is 404.
        var world = (await scheduler.GetAsync("v2/debug/offers?plan=deploy&phase=world"))!.Value.Body;
        Assert.Equal(["world-0", "world-1"], world.GetProperty("summaries").EnumerateArray().Select(p => p.GetProperty("pod").GetString()).Order());
        var one = (await scheduler.GetAsync("v2/debug/offers?phase=world&step=world-1:[server]"))!.Value.Body;
        Assert.Equal(["world-1"], one.GetProperty("summaries").EnumerateArray().Select(p => p.GetProperty("pod").GetString()));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await scheduler.GetAsync("v2/debug/offers?phase=nope"))!.Value.Code);
        var nope = (await scheduler.GetAsync("v2/debug/offers?pod=nope-0"))!.Value;
        Assert.Equal((System.Net.HttpStatusCode.NotFound, "no pod instance nope-0 (pods: hello-0, world-0, world-1)"), (nope.Code, nope.Body.GetProperty("message").GetString()));
        var (cliOut, cliErr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await ActorScheduler.Hosting.Cli.DebugCommands.OffersAsync(scheduler.ApiUrl.ToString(), "hello-0", 5, false, cliOut, cliErr, CancellationToken.None));
        Assert.StartsWith("hello-0: ", cliOut.ToString());
        Assert.Contains("PASS(LaunchEvaluationStage)", cliOut.ToString());
        Assert.Equal(1, await ActorScheduler.Hosting.Cli.DebugCommands.OffersAsync(scheduler.ApiUrl.ToString(), "nope-0", 5, false, cliOut, cliErr, CancellationToken.None));
        Assert.Equal("error: no pod instance nope-0 (pods: hello-0, world-0, world-1)", cliErr.ToString().Trim());
        Assert.Equal(0, await scheduler.InterruptAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Run_should_finish_the_deploy_after_kill_9_without_launching_any_task_twice()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        var before = await CrashOnceHelloRunsAsync(SchedulerProcess.Start(data.Path, apiPort, masterPort, "-o", "SLEEP_DURATION=300"));

        using var second = SchedulerProcess.Start(data.Path, apiPort, masterPort, "-o", "SLEEP_DURATION=300");
        await second.WaitUntilAsync(second.DeployCompleteAsync, DeployTimeout, "deploy COMPLETE after restart");

        var after = await second.TasksAsync();
        Assert.Equal(before["hello-0-server"].Id, after["hello-0-server"].Id);
        foreach (var (name, task) in before.Where(t => t.Value.Status == "TASK_RUNNING"))
        {
            Assert.Equal(task.Id, after[name].Id);
        }

        Assert.Equal(3, data.TaskProcesses().Count(TempDataDir.IsSleep));
        Assert.All(await WrittenVolumeFilesAsync(second, data), f => Assert.Single(File.ReadAllLines(f)));
        await AssertNoLeakedReservationsAsync(masterPort);
    }

    [Fact]
    public async Task Run_against_a_separate_mesos_local_should_survive_kill_9_of_the_scheduler()
    {
        using var data = new TempDataDir();
        var masterPort = SchedulerProcess.FreePort();
        using var master = SchedulerProcess.Launch(0, ["mesos-local", "--port", masterPort.ToString(), "--agents", "2", "--data-dir", Path.Combine(data.Path, "mesos")]);
        await master.WaitUntilAsync(() => Task.FromResult(master.Output.Contains("listening on http://")), TimeSpan.FromSeconds(30), "mesos-local to serve");
        var apiPort = SchedulerProcess.FreePort();
        string[] run = ["--master", $"http://127.0.0.1:{masterPort}", "-o", "SLEEP_DURATION=300"];

        var before = await CrashOnceHelloRunsAsync(SchedulerProcess.Start(Path.Combine(data.Path, "scheduler"), apiPort, 0, run));

        using var second = SchedulerProcess.Start(Path.Combine(data.Path, "scheduler"), apiPort, 0, run);
        await second.WaitUntilAsync(second.DeployCompleteAsync, DeployTimeout, "deploy COMPLETE after restart");

        Assert.Equal(before["hello-0-server"].Id, (await second.TasksAsync())["hello-0-server"].Id);
        Assert.Equal(3, data.TaskProcesses().Count(TempDataDir.IsSleep));
        Assert.All(await WrittenVolumeFilesAsync(second, data), f => Assert.Single(File.ReadAllLines(f)));
        await AssertNoLeakedReservationsAsync(masterPort);
    }

    /// <summary>
    /// The emulator comes to hold exactly the three pods' footprints: cpus of 3 tasks + 3 executors, and the disk of 5
    /// volumes (25 MB each) + 3 executors (256 MB each). "Comes to": a reservation a crash left without an owner (its
    /// launch recorded and accepted, its task lost with the embedded master) is collected once its agent is offered again.
    /// </summary>
    private static async Task AssertNoLeakedReservationsAsync(int masterPort)
    {
        using var http = new HttpClient();
        var (expectedCpus, expectedDisk) = (0.1 + (2 * 0.2) + (3 * 0.1), (5 * 25) + (3 * 256.0));
        var last = string.Empty;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            last = await http.GetStringAsync($"http://127.0.0.1:{masterPort}/");
            using var status = System.Text.Json.JsonDocument.Parse(last);
            var reserved = status.RootElement.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("reserved")).ToList();
            if (Math.Abs(reserved.Sum(r => r.GetProperty("cpus").GetDouble()) - expectedCpus) < 1e-6 &&
                Math.Abs(reserved.Sum(r => r.GetProperty("disk_mb").GetDouble()) - expectedDisk) < 1e-6)
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"reserved resources did not come to {expectedCpus} cpus and {expectedDisk} MB of disk within 30 s; the master says: {last}");
    }

    [Fact]
    public async Task A_changed_env_relaunches_in_place_and_a_volume_change_is_refused_with_417()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        using (var first = SchedulerProcess.Start(data.Path, apiPort, masterPort, "-o", "SLEEP_DURATION=300"))
        {
            await first.WaitUntilAsync(first.DeployCompleteAsync, DeployTimeout, "first deploy COMPLETE");
            Assert.Equal(0, await first.InterruptAsync(TimeSpan.FromSeconds(60)));
        }

        // New env: every task relaunches on its reservations, writing a second line into the same volumes.
        using (var second = SchedulerProcess.Start(data.Path, apiPort, masterPort, "-o", "SLEEP_DURATION=301"))
        {
            await second.WaitUntilAsync(
                async () => await second.DeployCompleteAsync() && VolumeFiles(data).All(f => File.ReadAllLines(f).Length == 2),
                DeployTimeout,
                "the update relaunched on the same volumes");
            Assert.Equal(5, VolumeFiles(data).Count);
            Assert.Equal(0, await second.InterruptAsync(TimeSpan.FromSeconds(60)));
        }

        // A moved volume is refused: the old target stays (tasks untouched) and the deploy plan answers 417.
        var moved = Path.Combine(data.Path, "moved.yml");
        File.WriteAllText(moved, File.ReadAllText(Path.Combine(SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml")).Replace("path: hello-container-path", "path: moved-path"));
        File.Copy(Path.Combine(SchedulerProcess.RepoRoot, "examples/hello-world/svc.env"), Path.ChangeExtension(moved, ".env"));
        using var third = SchedulerProcess.Launch(apiPort, ["run", moved, "--data-dir", data.Path, "--api-port", apiPort.ToString(), "--master-port", masterPort.ToString(), "-o", "SLEEP_DURATION=301"]);
        await third.WaitUntilAsync(
            async () => await third.GetAsync("v1/plans/deploy") is { Code: System.Net.HttpStatusCode.ExpectationFailed },
            DeployTimeout,
            "417 from the deploy plan");
        var plan = (await third.GetAsync("v1/plans/deploy"))!.Value.Body;
        Assert.Contains("hello-container-path", plan.GetProperty("errors")[0].GetString());
        Assert.All(VolumeFiles(data), f => Assert.Equal(2, File.ReadAllLines(f).Length));
    }

    [Fact]
    public async Task A_task_that_dies_after_the_deploy_is_relaunched_in_place_on_its_volume()
    {
        using var data = new TempDataDir();
        using var scheduler = SchedulerProcess.Start(data.Path, SchedulerProcess.FreePort(), SchedulerProcess.FreePort(), "-o", "SLEEP_DURATION=300");
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, DeployTimeout, "deploy COMPLETE");
        var before = (await scheduler.TasksAsync())["hello-0-server"].Id;

        // The task's process dies (SIGKILL): the agent reports TASK_FAILED, the pod relaunches on its reservations.
        var sleeper = data.TaskProcesses().Single(pid => TempDataDir.IsSleep(pid) && TempDataDir.Sandbox(pid).Contains("hello-0-server", StringComparison.Ordinal));
        System.Diagnostics.Process.GetProcessById(sleeper).Kill();

        // RUNNING as soon as its process started: its echo may come a moment later.
        string[] HelloLines() => VolumeFiles(data).Select(File.ReadAllLines).SingleOrDefault(l => l.Length > 0 && l[0].StartsWith("hello from", StringComparison.Ordinal)) ?? [];
        await scheduler.WaitUntilAsync(
            async () => (await scheduler.TasksAsync())["hello-0-server"] is var hello && hello.Id != before && hello.Status == "TASK_RUNNING" && HelloLines().Length >= 2,
            DeployTimeout,
            "hello-0-server relaunched, RUNNING and its line written");
        Assert.Equal(2, HelloLines().Length);
        Assert.Equal(3, data.TaskProcesses().Count(TempDataDir.IsSleep));
    }

    /// <summary>Mid-deploy: hello runs, the world phase has not finished. Then SIGKILL; returns the tasks seen before.</summary>
    private static async Task<IReadOnlyDictionary<string, (string Id, string Status)>> CrashOnceHelloRunsAsync(SchedulerProcess scheduler)
    {
        using (scheduler)
        {
            await scheduler.WaitUntilAsync(
                async () => (await scheduler.TasksAsync()).TryGetValue("hello-0-server", out var hello) && hello.Status == "TASK_RUNNING",
                DeployTimeout,
                "hello-0-server RUNNING");
            var before = await scheduler.TasksAsync();
            scheduler.Crash();
            return before;
        }
    }

    private static IReadOnlyList<string> VolumeFiles(TempDataDir data) =>
        data.Files("output").Where(f => f.Contains("/volumes/", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The five volume files once each holds its task's line: a task is RUNNING (and the deploy COMPLETE) as soon as its
    /// process started, which may be before its echo wrote. A task launched twice would add a second line.
    /// </summary>
    private static async Task<IReadOnlyList<string>> WrittenVolumeFilesAsync(SchedulerProcess scheduler, TempDataDir data)
    {
        await scheduler.WaitUntilAsync(
            () => Task.FromResult(VolumeFiles(data) is { Count: 5 } files && files.All(f => File.ReadAllLines(f).Length > 0)),
            TimeSpan.FromSeconds(30),
            "a line in each of the 5 volumes");
        return VolumeFiles(data);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "end-to-end";
}
