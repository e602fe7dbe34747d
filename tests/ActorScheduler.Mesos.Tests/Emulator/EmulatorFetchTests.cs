using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>
/// Local agents fetch a task's (and its executor's) URIs into its sandbox before starting it, off the master loop: the
/// task stays STAGING meanwhile; a failed fetch fails it, a kill ends it, an agent restart mid-fetch fails it.
/// </summary>
public sealed class EmulatorFetchTests
{
    private static TaskInfo WithUri(TaskInfo task, string uri, string? output = null)
    {
        var item = new CommandInfo.Types.URI { Value = uri, Extract = false };
        if (output is not null)
        {
            item.OutputFile = output;
        }

        task.Command.Uris.Add(item);
        return task;
    }

    [Fact]
    public async Task A_fetched_file_is_in_the_sandbox_when_the_command_starts()
    {
        using var dir = new TempDir();
        await using var server = await FileServer.StartAsync();
        var uri = server.Serve("artifacts/settings", "threads=4\n");
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();

        await framework.AcceptAsync(offer, Launch(WithUri(CommandTask("reader", offer, "cat conf/settings && test -n \"$MESOS_SANDBOX\""), uri, "conf/settings")));

        var finished = await framework.AwaitStateAcknowledgingAsync("reader", TaskState.TaskFinished);
        Assert.Equal(TaskState.TaskFinished, finished.State);
        var sandbox = Directory.GetDirectories(dir.Path, "reader", SearchOption.AllDirectories).Single();
        Assert.Equal("threads=4\n", await File.ReadAllTextAsync(Path.Combine(sandbox, "stdout")));
    }

    [Fact]
    public async Task The_task_stays_staging_until_its_fetch_completes_then_starts()
    {
        using var dir = new TempDir();
        await using var server = await FileServer.StartAsync();
        var uri = server.Serve("slow", "x");
        server.Hold("slow");
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();

        await framework.AcceptAsync(offer, Launch(WithUri(CommandTask("patient", offer, "sleep 300"), uri)));
        await server.Requested("slow").WaitAsync(TestFramework.DefaultTimeout);

        // The master loop is not blocked by the fetch: it answers, and the task is STAGING without a process.
        var staging = emulator.Snapshot().Tasks.Single();
        Assert.Equal("TASK_STAGING", staging.State);
        Assert.Null(staging.Pid);

        server.Release("slow");
        await framework.AwaitStateAcknowledgingAsync("patient", TaskState.TaskRunning);
        Assert.Equal("x", await File.ReadAllTextAsync(Path.Combine(emulator.Snapshot().Tasks.Single().Sandbox, "slow")));
    }

    [Fact]
    public async Task A_failed_fetch_fails_the_task_with_container_launch_failed_naming_the_uri()
    {
        using var dir = new TempDir();
        await using var server = await FileServer.StartAsync();
        var missing = new Uri(server.Url, "nowhere/settings").ToString();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();

        await framework.AcceptAsync(offer, Launch(WithUri(CommandTask("unlucky", offer, "touch started"), missing)));

        var updates = await framework.CollectUpdatesAsync("unlucky", s => TaskStates.IsTerminal(s.State));
        var failed = Assert.Single(updates);
        Assert.Equal(TaskState.TaskFailed, failed.State);
        Assert.Equal(TaskStatus.Types.Reason.ContainerLaunchFailed, failed.Reason);
        Assert.Equal($"Failed to fetch all URIs for container 'unlucky': {missing}: HTTP 404 Not Found", failed.Message);
        Assert.False(File.Exists(Path.Combine(emulator.Snapshot().Tasks.SingleOrDefault()?.Sandbox ?? dir.Path, "started")));
    }

    [Fact]
    public async Task A_task_killed_while_fetching_is_killed_and_never_started()
    {
        using var dir = new TempDir();
        await using var server = await FileServer.StartAsync();
        var uri = server.Serve("slow", "x");
        server.Hold("slow");
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        await framework.AcceptAsync(offer, Launch(WithUri(CommandTask("doomed", offer, "touch started; sleep 300"), uri)));
        await server.Requested("slow").WaitAsync(TestFramework.DefaultTimeout);
        var sandbox = emulator.Snapshot().Tasks.Single().Sandbox;

        await framework.SendAsync(new Call { Type = Call.Types.Type.Kill, Kill = new Call.Types.Kill { TaskId = new TaskID { Value = "doomed" } } });

        var updates = await framework.CollectUpdatesAsync("doomed", s => TaskStates.IsTerminal(s.State));
        var killed = Assert.Single(updates);
        Assert.Equal(TaskState.TaskKilled, killed.State);
        Assert.Equal(TaskStatus.Types.Reason.TaskKilledDuringLaunch, killed.Reason);
        server.Release("slow");
        // Polled again after the release: nothing starts.
        await emulator.InvokeAsync(m => { m.PollAgents(); return true; });
        Assert.False(File.Exists(Path.Combine(sandbox, "started")));
        Assert.DoesNotContain(emulator.Snapshot().Tasks, t => t.Pid is not null);
    }

    [Fact]
    public async Task A_task_whose_agent_restarted_mid_fetch_fails_with_agent_restarted()
    {
        using var dir = new TempDir();
        await using var server = await FileServer.StartAsync();
        var uri = server.Serve("slow", "x");
        server.Hold("slow");
        var options = TestEmulator.Options(dir.Path);
        options.KillTasksOnStop = false;
        var first = await MesosEmulator.StartAsync(options);
        FrameworkID frameworkId;
        try
        {
            await using var framework = await TestFramework.StartAsync(first.Url, TestFramework.Info(failoverTimeout: 300));
            frameworkId = framework.FrameworkId;
            var offer = await framework.NextOfferAsync();
            await framework.AcceptAsync(offer, Launch(WithUri(CommandTask("interrupted", offer, "touch started; sleep 300"), uri)));
            await server.Requested("slow").WaitAsync(TestFramework.DefaultTimeout);
        }
        finally
        {
            await first.StopAsync();
        }

        server.Release("slow");
        await using var second = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        var info = TestFramework.Info(failoverTimeout: 300);
        info.Id = frameworkId;
        await using var again = await TestFramework.StartAsync(second.Url, info);

        var failed = await again.NextUpdateAsync("interrupted");
        Assert.Equal(TaskState.TaskFailed, failed.State);
        Assert.Equal(TaskStatus.Types.Reason.AgentRestarted, failed.Reason);
        Assert.Contains("while fetching", failed.Message, StringComparison.Ordinal);
        await again.AcknowledgeAsync(failed);
        await second.InvokeAsync(m => { m.PollAgents(); return true; });
        Assert.DoesNotContain(second.Snapshot().Tasks, t => t.Pid is not null);
    }

    [Fact]
    public async Task The_tasks_of_a_group_fetch_their_own_uris_into_their_own_sandboxes()
    {
        using var dir = new TempDir();
        await using var server = await FileServer.StartAsync();
        var own = server.Serve("own.txt", "own\n");
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();

        await framework.AcceptAsync(offer, LaunchGroup(DefaultExecutor("exec-1"),
            WithUri(CommandTask("first", offer, "cat own.txt"), own),
            CommandTask("second", offer, "sleep 300")));

        await framework.AwaitStateAcknowledgingAsync("first", TaskState.TaskFinished);
        var sandboxes = Directory.GetDirectories(dir.Path, "*", SearchOption.AllDirectories)
            .Where(d => Path.GetFileName(d) is "first" or "second").OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToList();
        Assert.Equal("own\n", await File.ReadAllTextAsync(Path.Combine(sandboxes[0], "stdout")));
        Assert.False(File.Exists(Path.Combine(sandboxes[1], "own.txt")));
    }
}
