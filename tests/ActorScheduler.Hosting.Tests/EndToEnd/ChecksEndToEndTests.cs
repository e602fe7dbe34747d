using System.Net;
using System.Text.Json;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// Readiness and health checks end to end: the real executable, the embedded emulator running the checks as real
/// processes. The checks depend on files the test creates, so nothing waits on a clock.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ChecksEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_readiness_checks_example_completes_only_after_its_readiness_command_passes()
    {
        using var data = new TempDataDir();
        var marker = Path.Combine(data.Path, "go");
        var apiPort = SchedulerProcess.FreePort();
        using var scheduler = SchedulerProcess.Launch(apiPort,
        [
            "run", Path.Combine(SchedulerProcess.RepoRoot, "examples/readiness-checks/svc.yml"),
            "--data-dir", data.Path, "--api-port", apiPort.ToString(), "--master-port", SchedulerProcess.FreePort().ToString(),
            "-o", "CACHE_COUNT=1", "-o", "READINESS_INTERVAL=1", "-o", "SLEEP_DURATION=300", "-o", $"READY_MARKER={marker}",
        ]);

        // The task runs and its readiness command has run and failed: the step waits at STARTED.
        await scheduler.WaitUntilAsync(async () => await TaskAsync(scheduler, "cache-0-server") is { } task
            && task.GetProperty("status").GetString() == "TASK_RUNNING" && task.GetProperty("readiness").GetString() == "NOT_READY",
            Timeout, "cache-0-server RUNNING and NOT_READY");
        var plan = (await scheduler.GetAsync("v1/plans/deploy"))!.Value;
        Assert.Equal(HttpStatusCode.Accepted, plan.Code);
        Assert.Equal("STARTED", plan.Body.GetProperty("phases")[0].GetProperty("steps")[0].GetProperty("status").GetString());

        File.WriteAllText(marker, "ready");

        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, Timeout, "deploy COMPLETE once the readiness command passes");
        var ready = (await TaskAsync(scheduler, "cache-0-server"))!.Value;
        Assert.Equal("READY", ready.GetProperty("readiness").GetString());
        Assert.Equal(0, await scheduler.InterruptAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_failing_health_check_gets_the_task_killed_and_relaunched_on_its_reservation()
    {
        using var data = new TempDataDir();
        var sick = Path.Combine(data.Path, "sick");
        var spec = Path.Combine(data.Path, "spec", "svc.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(spec)!);
        File.WriteAllText(spec, """
            name: health-kill
            pods:
              web:
                count: 1
                tasks:
                  server:
                    goal: RUNNING
                    cmd: echo "$MESOS_TASK_ID" >> data/launches && sleep 300
                    cpus: 0.1
                    memory: 32
                    volume: { path: data, type: ROOT, size: 10 }
                    health-check:
                      cmd: test ! -f "$SICK_FILE"
                      interval: 1
                      grace-period: 30
                      max-consecutive-failures: 2
                      delay: 0
                      timeout: 5
                    env:
                      SICK_FILE: {{SICK_FILE}}
            """);
        var apiPort = SchedulerProcess.FreePort();
        using var scheduler = SchedulerProcess.Launch(apiPort,
        [
            "run", spec, "--data-dir", data.Path, "--api-port", apiPort.ToString(), "--master-port", SchedulerProcess.FreePort().ToString(),
            "-o", $"SICK_FILE={sick}",
        ]);
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, Timeout, "deploy COMPLETE");
        await scheduler.WaitUntilAsync(async () => await TaskAsync(scheduler, "web-0-server") is { } t && t.GetProperty("health").GetString() == "HEALTHY",
            Timeout, "web-0-server HEALTHY");
        var first = (await TaskAsync(scheduler, "web-0-server"))!.Value.GetProperty("id").GetString();

        // Sick: after two failed health checks Mesos kills it, and recovery relaunches it (a new task id). The new task's
        // failures fall in its grace period, which ends with its first success once the test makes it well again.
        File.WriteAllText(sick, "x");
        await scheduler.WaitUntilAsync(async () => await TaskAsync(scheduler, "web-0-server") is { } t && t.GetProperty("id").GetString() != first,
            Timeout, "a relaunch of web-0-server");
        File.Delete(sick);
        await scheduler.WaitUntilAsync(async () => await TaskAsync(scheduler, "web-0-server") is { } t
            && t.GetProperty("status").GetString() == "TASK_RUNNING" && t.GetProperty("health").GetString() == "HEALTHY",
            Timeout, "the relaunched web-0-server RUNNING and HEALTHY");

        // In place: the same persistent volume (so the same reservation) saw both launches.
        var second = (await TaskAsync(scheduler, "web-0-server"))!.Value.GetProperty("id").GetString();
        var launches = File.ReadAllLines(Assert.Single(data.Files("launches"), f => f.Contains("/volumes/", StringComparison.Ordinal)));
        Assert.Equal(new[] { first!, second! }, launches);
        Assert.Equal(0, await scheduler.InterruptAsync(TimeSpan.FromSeconds(60)));
    }

    private static async Task<JsonElement?> TaskAsync(SchedulerProcess scheduler, string name)
    {
        if (await scheduler.GetAsync("v1/pod/status") is not { } answer)
        {
            return null;
        }

        return answer.Body.GetProperty("pods").EnumerateArray()
            .SelectMany(p => p.GetProperty("instances").EnumerateArray())
            .SelectMany(i => i.GetProperty("tasks").EnumerateArray())
            .Where(t => t.GetProperty("name").GetString() == name)
            .Select(t => (JsonElement?)t)
            .FirstOrDefault();
    }
}
