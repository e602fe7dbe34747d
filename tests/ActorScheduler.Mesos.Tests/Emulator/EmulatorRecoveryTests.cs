using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>Master failover on the same data dir: agents recover from checkpoints and re-adopt live tasks.</summary>
public sealed class EmulatorRecoveryTests
{
    [Fact]
    public async Task After_a_restart_the_framework_resubscribes_with_its_id_and_finds_its_task_still_running()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.KillTasksOnStop = false;
        var first = await MesosEmulator.StartAsync(options);
        FrameworkID frameworkId;
        TaskStatus unacknowledged;
        try
        {
            await using var framework = await TestFramework.StartAsync(first.Url, TestFramework.Info(failoverTimeout: 300));
            frameworkId = framework.FrameworkId;
            var offer = await framework.NextOfferAsync();
            var cpus = Scalar("cpus", 0.25, "test-role");
            await framework.AcceptAsync(offer, Reserve(cpus), Launch(CommandTask("survivor", offer, "sleep 300", cpus, Scalar("mem", 32))));
            await framework.AcknowledgeAsync(await framework.NextUpdateAsync("survivor", TaskState.TaskStarting));
            unacknowledged = await framework.NextUpdateAsync("survivor", TaskState.TaskRunning);
        }
        finally
        {
            await first.StopAsync();
        }

        var before = first.Snapshot().Tasks.Single();
        var pid = before.Pid!.Value;
        Assert.NotNull(ProcFs.ReadStat(pid));

        await using var second = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        Assert.NotEqual(first.MasterId, second.MasterId);
        var info = TestFramework.Info(failoverTimeout: 300);
        info.Id = frameworkId;
        await using var again = await TestFramework.StartAsync(second.Url, info);
        Assert.Equal(frameworkId, again.FrameworkId);

        // The unacknowledged RUNNING update is resent at once, same uuid.
        var resent = await again.NextUpdateAsync("survivor");
        Assert.Equal(TaskState.TaskRunning, resent.State);
        Assert.Equal(unacknowledged.Uuid, resent.Uuid);
        await again.AcknowledgeAsync(resent);

        var reconcile = new Call { Type = Call.Types.Type.Reconcile, Reconcile = new Call.Types.Reconcile() };
        reconcile.Reconcile.Tasks.Add(new Call.Types.Reconcile.Types.Task { TaskId = new TaskID { Value = "survivor" }, AgentId = resent.AgentId });
        await again.SendAsync(reconcile);
        var answer = await again.NextUpdateAsync("survivor");
        Assert.Equal(TaskState.TaskRunning, answer.State);
        Assert.Equal(TaskStatus.Types.Reason.Reconciliation, answer.Reason);

        var after = second.Snapshot();
        var task = after.Tasks.Single();
        Assert.Equal(pid, task.Pid);
        Assert.Equal("TASK_RUNNING", task.State);
        Assert.Equal(0.25, after.Agents.Single().Reserved.Cpus, 3);
        // The task's shell writes its pid file as it starts, which a loaded machine may run after TASK_RUNNING was sent.
        var pidFile = Path.Combine(task.Sandbox, TaskProcessRunner.PidFile);
        await Eventually.TrueAsync(() => File.Exists(pidFile), "the task wrote its pid file");
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(pidFile).Trim());
        Assert.All(ProcessProbe.InDirectory(task.Sandbox), p => Assert.Equal(pid, p.Session));
    }

    [Fact]
    public async Task An_operation_update_not_yet_acknowledged_is_resent_after_a_restart_with_its_uuid()
    {
        using var dir = new TempDir();
        var first = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        var info = TestFramework.Info(failoverTimeout: 300);
        OperationStatus unacknowledged;
        try
        {
            await using var framework = await TestFramework.StartAsync(first.Url, info);
            info.Id = framework.FrameworkId;
            var offer = await framework.NextOfferAsync();
            await framework.AcceptAsync(offer, Reserve(Scalar("cpus", 1, "test-role")).WithId("reserve-1"));
            unacknowledged = await framework.NextOperationUpdateAsync("reserve-1");
        }
        finally
        {
            await first.StopAsync();
        }

        await using var second = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var again = await TestFramework.StartAsync(second.Url, info);

        var resent = await again.NextOperationUpdateAsync("reserve-1");
        Assert.Equal(unacknowledged, resent);
        await again.AcknowledgeOperationAsync(resent);
        await again.ReconcileOperationsAsync(("reserve-1", resent.AgentId.Value));
        var forgotten = await again.NextOperationUpdateAsync("reserve-1");
        Assert.Equal((OperationState.OperationUnknown, "Reconciliation: Operation is unknown"), (forgotten.State, forgotten.Message));
    }

    [Fact]
    public async Task A_task_that_ended_while_the_emulator_was_down_reports_its_exit_status()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.KillTasksOnStop = false;
        var first = await MesosEmulator.StartAsync(options);
        FrameworkID frameworkId;
        try
        {
            await using var framework = await TestFramework.StartAsync(first.Url, TestFramework.Info(failoverTimeout: 300));
            frameworkId = framework.FrameworkId;
            var offer = await framework.NextOfferAsync();
            await framework.AcceptAsync(offer, Launch(CommandTask("ender", offer, "while [ ! -f release ]; do sleep 0.05; done; exit 7")));
            await framework.AwaitStateAcknowledgingAsync("ender", TaskState.TaskRunning);
        }
        finally
        {
            await first.StopAsync();
        }

        var task = first.Snapshot().Tasks.Single();
        File.WriteAllText(Path.Combine(task.Sandbox, "release"), "go");
        await Eventually.TrueAsync(() => !ProcFs.IsAlive(new ProcessIdentity(task.Pid!.Value, 0)), "the task process ended");

        await using var second = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        var info = TestFramework.Info(failoverTimeout: 300);
        info.Id = frameworkId;
        await using var again = await TestFramework.StartAsync(second.Url, info);

        var failed = await again.NextUpdateAsync("ender");
        Assert.Equal(TaskState.TaskFailed, failed.State);
        Assert.Contains("status 7", failed.Message, StringComparison.Ordinal);
        Assert.True(failed.HasUuid);
    }

    [Fact]
    public async Task A_task_whose_process_vanished_without_exit_status_is_failed_with_agent_restarted()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.KillTasksOnStop = false;
        var first = await MesosEmulator.StartAsync(options);
        FrameworkID frameworkId;
        try
        {
            await using var framework = await TestFramework.StartAsync(first.Url, TestFramework.Info(failoverTimeout: 300));
            frameworkId = framework.FrameworkId;
            var offer = await framework.NextOfferAsync();
            await framework.AcceptAsync(offer, Launch(CommandTask("victim", offer, "sleep 300")));
            await framework.AwaitStateAcknowledgingAsync("victim", TaskState.TaskRunning);
        }
        finally
        {
            await first.StopAsync();
        }

        var identity = new ProcessIdentity(first.Snapshot().Tasks.Single().Pid!.Value, 0);
        ProcFs.SignalGroup(identity, ProcFs.SigKill);
        await Eventually.TrueAsync(() => !ProcFs.IsAlive(identity), "the task process died");

        await using var second = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        var info = TestFramework.Info(failoverTimeout: 300);
        info.Id = frameworkId;
        await using var again = await TestFramework.StartAsync(second.Url, info);

        var failed = await again.NextUpdateAsync("victim");
        Assert.Equal(TaskState.TaskFailed, failed.State);
        Assert.Equal(TaskStatus.Types.Reason.AgentRestarted, failed.Reason);
    }

    [Fact]
    public async Task Tasks_of_a_framework_that_never_resubscribes_are_killed_after_its_failover_timeout()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.KillTasksOnStop = false;
        var first = await MesosEmulator.StartAsync(options);
        try
        {
            await using var framework = await TestFramework.StartAsync(first.Url, TestFramework.Info(failoverTimeout: 1));
            var offer = await framework.NextOfferAsync();
            await framework.AcceptAsync(offer, Launch(CommandTask("abandoned", offer, "sleep 300")));
            await framework.AwaitStateAcknowledgingAsync("abandoned", TaskState.TaskRunning);
        }
        finally
        {
            await first.StopAsync();
        }

        var identity = new ProcessIdentity(first.Snapshot().Tasks.Single().Pid!.Value, 0);
        await using var second = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));

        await Eventually.TrueAsync(() => !ProcFs.IsAlive(identity), "the abandoned task was killed");
        await Eventually.TrueAsync(() => second.Snapshot().Tasks.Count == 0 && second.Snapshot().Frameworks.Count == 0, "the framework was removed");
    }

    [Fact]
    public async Task With_a_long_lived_emulator_a_scheduler_restart_is_just_a_resubscribe()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        FrameworkID frameworkId;
        TaskStatus unacknowledged;
        await using (var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info(failoverTimeout: 300)))
        {
            frameworkId = framework.FrameworkId;
            var offer = await framework.NextOfferAsync();
            await framework.AcceptAsync(offer, Launch(CommandTask("steady", offer, "sleep 300")));
            await framework.AcknowledgeAsync(await framework.NextUpdateAsync("steady", TaskState.TaskStarting));
            unacknowledged = await framework.NextUpdateAsync("steady", TaskState.TaskRunning);
        }

        await Eventually.TrueAsync(() => !emulator.Snapshot().Frameworks.Single().Connected, "the master saw the scheduler go");
        var info = TestFramework.Info(failoverTimeout: 300);
        info.Id = frameworkId;
        await using var again = await TestFramework.StartAsync(emulator.Url, info);

        var resent = await again.NextUpdateAsync("steady");
        Assert.Equal(unacknowledged.Uuid, resent.Uuid);
        Assert.Equal("TASK_RUNNING", emulator.Snapshot().Tasks.Single().State);
    }
}
