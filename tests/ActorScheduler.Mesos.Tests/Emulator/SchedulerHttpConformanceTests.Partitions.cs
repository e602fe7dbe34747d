using System.Net;
using System.Text;
using System.Text.Json;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>
/// Reference §5.8 (agent loss and partitions) and the §5.7 answers in those states, over raw HTTP: the framework
/// subscribes and calls with a plain HttpClient, faults are injected through the emulator's <c>/faults</c> endpoints.
/// </summary>
public sealed partial class SchedulerHttpConformanceTests
{
    [Fact]
    public async Task A_lost_agent_reports_TASK_UNREACHABLE_rescinds_its_offers_sends_FAILURE_and_offers_nothing_until_it_returns()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info(failoverTimeout: 60, partitionAware: true));
        var (running, agentId) = await RunSleepAsync(framework, "t1");
        var outstanding = await framework.NextOfferAsync(o => o.AgentId.Value == agentId);
        var pid = _emulator.Snapshot().Tasks.Single().Pid!.Value;

        await FaultAsync($"faults/agents/{agentId}/lose", HttpStatusCode.OK);

        var unreachable = await framework.NextUpdateAsync("t1");
        Assert.Equal(TaskState.TaskUnreachable, unreachable.State);
        Assert.Equal(TaskStatus.Types.Source.Master, unreachable.Source);
        Assert.Equal(TaskStatus.Types.Reason.AgentRemoved, unreachable.Reason);
        Assert.NotNull(unreachable.UnreachableTime);
        Assert.False(unreachable.HasUuid);
        Assert.Equal(agentId, unreachable.AgentId.Value);
        var rescind = await framework.NextAsync(e => e.Type == Event.Types.Type.Rescind);
        Assert.Equal(outstanding.Id, rescind.Rescind.OfferId);
        var failure = (await framework.NextAsync(e => e.Type == Event.Types.Type.Failure)).Failure;
        Assert.Equal(agentId, failure.AgentId.Value);
        Assert.Null(failure.ExecutorId);
        Assert.False(failure.HasStatus);

        // The agent keeps running its task; the master reports it unreachable, explicitly and implicitly.
        Assert.Equal(AgentSnapshot.Unreachable, _emulator.Snapshot().Agents.Single(a => a.Id == agentId).State);
        Assert.NotNull(ProcFs.ReadStat(pid));
        var explicitAnswer = await ReconcileAsync(framework, "t1", agentId);
        Assert.Equal(TaskState.TaskUnreachable, explicitAnswer.State);
        Assert.Equal(TaskStatus.Types.Reason.Reconciliation, explicitAnswer.Reason);
        Assert.Equal(unreachable.UnreachableTime, explicitAnswer.UnreachableTime);
        var implicitAnswer = await ReconcileAsync(framework, "t1", agentId: null, implicitly: true);
        Assert.Equal(TaskState.TaskUnreachable, implicitAnswer.State);

        // Its resources left the pool: with the other agent's offer declined unfiltered, three allocation cycles offer
        // only the other agent.
        await framework.DeclineAsync(await framework.NextOfferAsync(o => o.AgentId.Value != agentId));
        for (var cycle = 0; cycle < 3; cycle++)
        {
            var offers = await framework.NextAsync(e => e.Type == Event.Types.Type.Offers);
            Assert.DoesNotContain(offers.Offers.Offers_, o => o.AgentId.Value == agentId);
            foreach (var offer in offers.Offers.Offers_)
            {
                await framework.DeclineAsync(offer);
            }
        }

        await FaultAsync($"faults/agents/{agentId}/return", HttpStatusCode.OK);

        var back = await framework.NextUpdateAsync("t1");
        Assert.Equal(TaskState.TaskRunning, back.State);
        Assert.Equal(TaskStatus.Types.Reason.AgentReregistered, back.Reason);
        Assert.Equal(TaskStatus.Types.Source.Master, back.Source);
        Assert.False(back.HasUuid);
        Assert.Equal(pid, _emulator.Snapshot().Tasks.Single().Pid);
        Assert.NotNull(ProcFs.ReadStat(pid));
        Assert.Equal(AgentSnapshot.Registered, _emulator.Snapshot().Agents.Single(a => a.Id == agentId).State);
        await framework.NextOfferAsync(o => o.AgentId.Value == agentId);
        Assert.Equal(running.TaskId, back.TaskId);
    }

    [Fact]
    public async Task Without_PARTITION_AWARE_a_lost_agent_and_a_gone_agent_report_TASK_LOST()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info(failoverTimeout: 60));
        var (_, agentId) = await RunSleepAsync(framework, "t1");

        await FaultAsync($"faults/agents/{agentId}/lose", HttpStatusCode.OK);
        var lost = await framework.NextUpdateAsync("t1");
        Assert.Equal(TaskState.TaskLost, lost.State);
        Assert.Equal(TaskStatus.Types.Reason.AgentRemoved, lost.Reason);
        Assert.NotNull(lost.UnreachableTime);
        Assert.Equal(TaskState.TaskLost, (await ReconcileAsync(framework, "t1", agentId)).State);

        await FaultAsync($"faults/agents/{agentId}/gone", HttpStatusCode.OK);
        var gone = await framework.NextUpdateAsync("t1");
        Assert.Equal(TaskState.TaskLost, gone.State);
        Assert.Equal(TaskStatus.Types.Reason.AgentRemovedByOperator, gone.Reason);
        Assert.Equal(TaskState.TaskLost, (await ReconcileAsync(framework, "t1", agentId)).State);
        Assert.Equal(TaskState.TaskLost, (await ReconcileAsync(framework, "t1", "no-such-agent")).State);
    }

    [Fact]
    public async Task Marking_an_agent_gone_reports_TASK_GONE_BY_OPERATOR_kills_its_tasks_and_it_never_returns()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info(failoverTimeout: 60, partitionAware: true));
        var (_, agentId) = await RunSleepAsync(framework, "t1");
        var pid = _emulator.Snapshot().Tasks.Single().Pid!.Value;

        await FaultAsync($"faults/agents/{agentId}/gone", HttpStatusCode.OK);

        var gone = await framework.NextUpdateAsync("t1");
        Assert.Equal(TaskState.TaskGoneByOperator, gone.State);
        Assert.Equal(TaskStatus.Types.Reason.AgentRemovedByOperator, gone.Reason);
        Assert.Equal(TaskStatus.Types.Source.Master, gone.Source);
        Assert.False(gone.HasUuid);
        Assert.Equal(agentId, (await framework.NextAsync(e => e.Type == Event.Types.Type.Failure)).Failure.AgentId.Value);
        await Eventually.TrueAsync(() => !IsAlive(pid), "the gone agent's task process died");
        Assert.Equal(AgentSnapshot.Gone, _emulator.Snapshot().Agents.Single(a => a.Id == agentId).State);

        var answer = await ReconcileAsync(framework, "t1", agentId);
        Assert.Equal(TaskState.TaskGoneByOperator, answer.State);
        Assert.Equal(TaskStatus.Types.Reason.Reconciliation, answer.Reason);
        Assert.Equal(TaskState.TaskUnknown, (await ReconcileAsync(framework, "t1", "no-such-agent")).State);
        await FaultAsync($"faults/agents/{agentId}/lose", HttpStatusCode.Conflict);
        await FaultAsync($"faults/agents/{agentId}/return", HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_agent_restarted_on_its_work_dir_registers_with_a_new_id_and_keeps_its_reservations_and_volumes()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info(failoverTimeout: 60, partitionAware: true));
        var offer = await framework.NextOfferAsync();
        var cpus = Scalar("cpus", 0.5, "test-role", null, ("resource_id", "cpus-1"));
        var mem = Scalar("mem", 64, "test-role", null, ("resource_id", "mem-1"));
        var disk = Scalar("disk", 100, "test-role", null, ("resource_id", "disk-1"));
        var volume = Volume(disk, "vol-1", "data");
        var task = CommandTask("t1", offer, "echo kept > data/out.txt && sleep 300", cpus, mem, volume);
        await framework.AcceptAsync(offer, Reserve(cpus, mem, disk), Create(volume), LaunchGroup(DefaultExecutor("exec-1"), task));
        await framework.AwaitStateAcknowledgingAsync("t1", TaskState.TaskRunning);
        var oldId = offer.AgentId.Value;
        var before = _emulator.Snapshot().Agents.Single(a => a.Id == oldId);
        var pid = _emulator.Snapshot().Tasks.Single().Pid!.Value;
        // Its content, not only the file: the shell creates the file before it writes (a CI run restarted the agent between).
        var written = Path.Combine(before.WorkDir, "volumes", "roles", "test-role", "vol-1", "out.txt");
        await Eventually.TrueAsync(() => File.Exists(written) && File.ReadAllText(written).Trim() == "kept", "the task wrote into its volume");

        using var response = await FaultAsync($"faults/agents/{oldId}/restart", HttpStatusCode.OK);
        var newId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("agent_id").GetString()!;

        Assert.NotEqual(oldId, newId);
        Assert.StartsWith(_emulator.MasterId + "-S", newId, StringComparison.Ordinal);
        var gone = await framework.NextUpdateAsync("t1");
        Assert.Equal(TaskState.TaskGone, gone.State);
        Assert.Equal(TaskStatus.Types.Reason.AgentRemoved, gone.Reason);
        Assert.False(gone.HasUuid);
        Assert.Equal(oldId, (await framework.NextAsync(e => e.Type == Event.Types.Type.Failure)).Failure.AgentId.Value);
        await Eventually.TrueAsync(() => !IsAlive(pid), "the old task process died");

        // Same host and work dir, new id; the reservations (with their labels) and the volume are offered again.
        var again = await framework.NextOfferAsync(o => o.Resources.Any(r => r.Disk?.Persistence?.Id == "vol-1"));
        Assert.Equal(newId, again.AgentId.Value);
        Assert.Equal(offer.Hostname, again.Hostname);
        Assert.Equal("disk-1", again.Resources.Single(r => r.Disk?.Persistence?.Id == "vol-1").Reservation.Labels.Labels_.Single(l => l.Key == "resource_id").Value);
        Assert.Equal(0.5, ScalarOf(again, "cpus", r => r.Role == "test-role"), 3);
        var after = _emulator.Snapshot().Agents.Single(a => a.Id == newId);
        Assert.Equal(before.WorkDir, after.WorkDir);
        Assert.Equal("kept", File.ReadAllText(Path.Combine(after.WorkDir, "volumes", "roles", "test-role", "vol-1", "out.txt")).Trim());
        Assert.DoesNotContain(_emulator.Snapshot().Agents, a => a.Id == oldId);

        // The old id is unknown now.
        Assert.Equal(TaskState.TaskUnknown, (await ReconcileAsync(framework, "t1", oldId)).State);
    }

    [Fact]
    public async Task Updates_are_dropped_for_a_disconnected_framework_and_reconciliation_reports_the_partition_later()
    {
        var info = TestFramework.Info(failoverTimeout: 60, partitionAware: true);
        string agentId;
        await using (var framework = await TestFramework.StartRawAsync(_emulator.Url, info))
        {
            (_, agentId) = await RunSleepAsync(framework, "t1");
            info.Id = framework.FrameworkId;
            await FaultAsync($"faults/frameworks/{framework.FrameworkId.Value}/sever", HttpStatusCode.OK);
            Assert.DoesNotContain(await framework.RemainingEventsAsync(), e => e.Type == Event.Types.Type.Update);
        }

        await FaultAsync($"faults/agents/{agentId}/lose", HttpStatusCode.OK);

        await using var again = await TestFramework.StartRawAsync(_emulator.Url, info);
        var reconcile = ReconcileCall("t1", agentId);
        await again.SendAsync(reconcile);

        // The first word on t1 is the reconciliation answer: the partition update was never kept for us.
        var first = await again.NextUpdateAsync("t1");
        Assert.Equal(TaskStatus.Types.Reason.Reconciliation, first.Reason);
        Assert.Equal(TaskState.TaskUnreachable, first.State);
    }

    [Fact]
    public async Task Master_failover_closes_every_stream_and_frameworks_resubscribe_to_the_new_master_with_their_tasks()
    {
        var info = TestFramework.Info(failoverTimeout: 60, partitionAware: true);
        var oldMaster = _emulator.MasterId;
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, info);
        var (_, agentId) = await RunSleepAsync(framework, "t1");
        var pid = _emulator.Snapshot().Tasks.Single().Pid!.Value;

        using (var response = await FaultAsync("faults/master/failover", HttpStatusCode.OK))
        {
            Assert.Equal(_emulator.MasterId, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("master_id").GetString());
        }

        Assert.NotEqual(oldMaster, _emulator.MasterId);
        await framework.RemainingEventsAsync();
        using (var stale = await framework.Raw.PostAsync(new Call { Type = Call.Types.Type.Revive, FrameworkId = framework.FrameworkId }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, stale.StatusCode);
            Assert.Equal("Framework is not subscribed", await stale.Content.ReadAsStringAsync());
        }

        info.Id = framework.FrameworkId;
        await using var again = await TestFramework.StartRawAsync(_emulator.Url, info);
        Assert.Equal(framework.FrameworkId, again.FrameworkId);
        var answer = await ReconcileAsync(again, "t1", agentId);
        Assert.Equal(TaskState.TaskRunning, answer.State);
        Assert.Equal(pid, _emulator.Snapshot().Tasks.Single().Pid);
        Assert.True(IsAlive(pid));
        Assert.StartsWith(_emulator.MasterId + "-O", (await again.NextOfferAsync()).Id.Value, StringComparison.Ordinal);

        // The history spans both masters: one launch, two subscriptions.
        var history = _emulator.History();
        Assert.Equal("t1", Assert.Single(history.Launches).TaskName);
        Assert.Equal(2, history.CallCount("SUBSCRIBE"));
        Assert.Equal(1, history.CallCount("ACCEPT"));
    }

    /// <summary>Launches <c>sleep 300</c> on unreserved resources of the next offer and acknowledges it up to RUNNING.</summary>
    private static async Task<(TaskStatus Running, string AgentId)> RunSleepAsync(TestFramework framework, string taskId)
    {
        var offer = await framework.NextOfferAsync();
        await framework.AcceptAsync(offer, Launch(CommandTask(taskId, offer, "sleep 300")));
        var running = await framework.AwaitStateAcknowledgingAsync(taskId, TaskState.TaskRunning);
        return (running, offer.AgentId.Value);
    }

    private static Call ReconcileCall(string taskId, string? agentId)
    {
        var call = new Call { Type = Call.Types.Type.Reconcile, Reconcile = new Call.Types.Reconcile() };
        if (taskId.Length > 0)
        {
            var task = new Call.Types.Reconcile.Types.Task { TaskId = new TaskID { Value = taskId } };
            if (agentId is not null)
            {
                task.AgentId = new AgentID { Value = agentId };
            }

            call.Reconcile.Tasks.Add(task);
        }

        return call;
    }

    private static async Task<TaskStatus> ReconcileAsync(TestFramework framework, string taskId, string? agentId, bool implicitly = false)
    {
        await framework.SendAsync(ReconcileCall(implicitly ? string.Empty : taskId, agentId));
        var evt = await framework.NextAsync(e => e.Type == Event.Types.Type.Update && e.Update.Status.TaskId.Value == taskId
            && e.Update.Status.Reason == TaskStatus.Types.Reason.Reconciliation);
        return evt.Update.Status;
    }

    private async Task<HttpResponseMessage> FaultAsync(string path, HttpStatusCode expected, string? json = null)
    {
        var response = await _http.PostAsync(new Uri(_emulator.Url, path), new StringContent(json ?? string.Empty, Encoding.UTF8, "application/json"));
        Assert.True(expected == response.StatusCode, $"POST /{path}: expected {(int)expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private static bool IsAlive(int pid) => ProcFs.ReadStat(pid) is { } stat && ProcFs.IsAlive(new ProcessIdentity(pid, stat.StartTime));
}
