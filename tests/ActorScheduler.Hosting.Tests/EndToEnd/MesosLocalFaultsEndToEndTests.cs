using System.Net;
using System.Text.Json;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// The fault-injection flags of <c>actorscheduler mesos-local</c> and its <c>/faults</c> endpoints, with the real
/// executables: the emulator alone, the scheduler against it with <c>--master</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MesosLocalFaultsEndToEndTests
{
    private static readonly TimeSpan DeployTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Run_converges_on_a_mesos_local_that_duplicates_and_delays_updates_and_loses_an_agent_and_kills_its_tasks_as_it_stops()
    {
        using var data = new TempDataDir();
        var masterPort = SchedulerProcess.FreePort();
        using var master = SchedulerProcess.Launch(0, ["mesos-local", "--port", masterPort.ToString(), "--data-dir", Path.Combine(data.Path, "mesos"),
            "--duplicate-updates", "0.5", "--delay-updates", "0.3", "--update-delay-ms", "200", "--seed", "7", "--kill-tasks-on-stop"]);
        await master.WaitUntilAsync(() => Task.FromResult(master.Output.Contains("Press Ctrl+C")), TimeSpan.FromSeconds(30), "mesos-local to serve");
        Assert.Contains("(seed 7; status updates: drop 0, duplicate 0.5, delay 0.3 by 200 ms)", master.Output);
        using var scheduler = SchedulerProcess.Start(Path.Combine(data.Path, "scheduler"), SchedulerProcess.FreePort(), 0,
            "--master", $"http://127.0.0.1:{masterPort}", "-o", "SLEEP_DURATION=300");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{masterPort}/") };

        await scheduler.WaitUntilAsync(
            async () => (await scheduler.TasksAsync()).TryGetValue("hello-0-server", out var hello) && hello.Status == "TASK_RUNNING",
            DeployTimeout,
            "hello-0-server RUNNING");
        var helloId = (await scheduler.TasksAsync())["hello-0-server"].Id;
        using var status = JsonDocument.Parse(await http.GetStringAsync(string.Empty));
        var agent = status.RootElement.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("id").GetString() == helloId).GetProperty("agent_id").GetString();

        using (var lose = await http.PostAsync($"faults/agents/{agent}/lose", null))
        {
            Assert.Equal(HttpStatusCode.OK, lose.StatusCode);
        }

        await scheduler.WaitUntilAsync(
            async () => (await scheduler.TasksAsync())["hello-0-server"].Status == "TASK_UNREACHABLE", DeployTimeout, "hello-0-server UNREACHABLE");
        using (var back = await http.PostAsync($"faults/agents/{agent}/return", null))
        {
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }

        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, DeployTimeout, "deploy COMPLETE");
        await scheduler.WaitUntilAsync(
            async () => (await scheduler.TasksAsync()).Values.All(t => t.Status == "TASK_RUNNING"), DeployTimeout, "every task RUNNING");
        Assert.Equal(helloId, (await scheduler.TasksAsync())["hello-0-server"].Id);
        using var faults = JsonDocument.Parse(await http.GetStringAsync("faults"));
        Assert.True(faults.RootElement.GetProperty("status_updates").GetProperty("duplicated").GetInt64() > 0);
        Assert.Equal(3, data.TaskProcesses().Count(pid => File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep"));

        // --kill-tasks-on-stop: Ctrl+C stops the emulator and its tasks with it.
        Assert.Equal(0, await master.InterruptAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Mesos master emulator stopped; tasks were killed.", master.Output);
        await scheduler.WaitUntilAsync(
            () => Task.FromResult(!data.TaskProcesses().Any(TempDataDir.IsSleep)), TimeSpan.FromSeconds(30), "the tasks' processes gone");
    }

    [Fact]
    public async Task Mesos_local_refuses_a_probability_above_one_naming_the_option_with_exit_2()
    {
        using var data = new TempDataDir();
        using var master = SchedulerProcess.Launch(0, ["mesos-local", "--port", "0", "--data-dir", data.Path, "--drop-updates", "2"]);

        Assert.Equal(2, await master.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("error: --drop-updates expects a share from 0 to 1, got '2'\nusage: actorscheduler mesos-local --help", master.Output.Trim());
    }
}
