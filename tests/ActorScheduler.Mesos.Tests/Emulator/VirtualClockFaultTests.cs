using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Emulator.Faults;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>
/// Stream and status-update faults on virtual time (<see cref="ManualClock"/>): nothing happens until the test moves
/// the clock, so "not yet" and "now" are exact.
/// </summary>
public sealed class VirtualClockFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(10);

    private readonly TempDir _dir = new();
    private readonly ManualClock _clock = new();
    private MesosEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        _emulator = await MesosEmulator.StartAsync(TestEmulator.VirtualTime(_dir.Path, _clock, Retry));
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_dropped_update_comes_again_when_the_agent_retries_it()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        await _emulator.Faults.SetStatusUpdateFaultsAsync(new StatusUpdateFaults(DropNext: 1));

        await LaunchAsync(framework, "t1");

        var state = await _emulator.Faults.StateAsync();
        Assert.Equal(1, state.Dropped);
        Assert.Equal(0, state.StatusUpdates.DropNext);
        await AdvanceAsync(Retry);
        var starting = await framework.NextUpdateAsync("t1");
        Assert.Equal(TaskState.TaskStarting, starting.State);
        Assert.True(starting.HasUuid);
    }

    [Fact]
    public async Task A_duplicated_update_arrives_twice_with_the_same_uuid_the_copy_after_the_delay()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        await _emulator.Faults.SetStatusUpdateFaultsAsync(new StatusUpdateFaults(Delay: TimeSpan.FromSeconds(3), DuplicateNext: 1));

        await LaunchAsync(framework, "t1");

        var first = await framework.NextUpdateAsync("t1");
        Assert.Equal(1, (await _emulator.Faults.StateAsync()).HeldBack);
        await AdvanceAsync(TimeSpan.FromSeconds(3));
        var copy = await framework.NextUpdateAsync("t1");
        Assert.Equal(first.Uuid, copy.Uuid);
        Assert.Equal(TaskState.TaskStarting, copy.State);
        Assert.Equal(0, (await _emulator.Faults.StateAsync()).HeldBack);
    }

    [Fact]
    public async Task A_held_back_copy_of_an_agent_lost_meanwhile_is_dropped_not_delivered_after_the_masters_verdict()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        await _emulator.Faults.SetStatusUpdateFaultsAsync(new StatusUpdateFaults(Delay: TimeSpan.FromSeconds(3), DuplicateNext: 1));
        await LaunchAsync(framework, "t1");
        var first = await framework.NextUpdateAsync("t1");
        var agent = first.AgentId.Value;

        await _emulator.Faults.LoseAgentAsync(agent);
        var verdict = await framework.NextUpdateAsync("t1");
        Assert.Equal(TaskStatus.Types.Source.Master, verdict.Source);
        await AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(0, (await _emulator.Faults.StateAsync()).HeldBack);

        // Had the copy gone out, it would come next; the next update is the master's report of the returned agent.
        await _emulator.Faults.ReturnAgentAsync(agent);
        var next = await framework.NextUpdateAsync("t1");
        Assert.Equal(TaskStatus.Types.Reason.AgentReregistered, next.Reason);
    }

    [Fact]
    public async Task A_delayed_update_is_held_until_the_clock_passes_the_delay()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        await _emulator.Faults.SetStatusUpdateFaultsAsync(new StatusUpdateFaults(Delay: TimeSpan.FromSeconds(5), DelayNext: 1));

        await LaunchAsync(framework, "t1");
        await AdvanceAsync(TimeSpan.FromSeconds(4));

        Assert.Equal(1, (await _emulator.Faults.StateAsync()).HeldBack);
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await _emulator.Faults.StateAsync()).HeldBack);
        Assert.Equal(TaskState.TaskStarting, (await framework.NextUpdateAsync("t1")).State);
    }

    [Fact]
    public async Task A_stalled_stream_carries_nothing_more_not_even_heartbeats_while_other_streams_go_on()
    {
        await using var stalled = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info(failoverTimeout: 60));
        await using var healthy = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info(role: "other", failoverTimeout: 60));
        await stalled.NextAsync(e => e.Type == Event.Types.Type.Heartbeat);
        await healthy.NextAsync(e => e.Type == Event.Types.Type.Heartbeat);

        await _emulator.Faults.StallStreamAsync(stalled.FrameworkId.Value);
        Assert.Equal([stalled.FrameworkId.Value], (await _emulator.Faults.StateAsync()).StalledFrameworks);
        for (var beat = 0; beat < 2; beat++)
        {
            await AdvanceAsync(TimeSpan.FromSeconds(15));
            await healthy.NextAsync(e => e.Type == Event.Types.Type.Heartbeat);
        }

        // The framework gives up on the stream and subscribes again: the old stream ends without another event.
        var info = TestFramework.Info(failoverTimeout: 60);
        info.Id = stalled.FrameworkId;
        await using var again = await TestFramework.StartRawAsync(_emulator.Url, info);
        Assert.Empty(await stalled.RemainingEventsAsync());
        Assert.Empty((await _emulator.Faults.StateAsync()).StalledFrameworks);
    }

    [Fact]
    public async Task A_disconnected_agent_keeps_a_checkpointing_frameworks_tasks_and_is_unreachable_once_it_missed_its_pings()
    {
        var info = TestFramework.Info(partitionAware: true);
        info.Checkpoint = true;
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, info);
        await LaunchAsync(framework, "t1");
        var running = await framework.AwaitStateAcknowledgingAsync("t1", TaskState.TaskRunning);
        var agent = running.AgentId.Value;
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        var offer = await framework.NextOfferAsync();

        await _emulator.Faults.DisconnectAgentAsync(agent);

        var rescind = await framework.NextAsync(e => e.Type == Event.Types.Type.Rescind);
        Assert.Equal(offer.Id, rescind.Rescind.OfferId);
        Assert.Equal([agent], (await _emulator.Faults.StateAsync()).DisconnectedAgents);

        // Five pings of 15 s go unanswered: not unreachable a moment before the fifth times out, unreachable when it does.
        for (var elapsed = 0; elapsed < 74; elapsed += 2)
        {
            await AdvanceAsync(TimeSpan.FromSeconds(2));
        }

        var before = await _emulator.Faults.StateAsync();
        Assert.Empty(before.UnreachableAgents);
        Assert.Equal([agent], before.DisconnectedAgents);

        await AdvanceAsync(TimeSpan.FromSeconds(1));
        var unreachable = await framework.NextUpdateAsync("t1");
        Assert.Equal((TaskState.TaskUnreachable, TaskStatus.Types.Reason.AgentRemoved), (unreachable.State, unreachable.Reason));
        var after = await _emulator.Faults.StateAsync();
        Assert.Equal([agent], after.UnreachableAgents);
        Assert.Empty(after.DisconnectedAgents);
    }

    [Fact]
    public async Task A_disconnected_agent_loses_a_non_checkpointing_frameworks_tasks_and_is_offered_again_once_it_reconnects()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        await LaunchAsync(framework, "t1");
        var running = await framework.AwaitStateAcknowledgingAsync("t1", TaskState.TaskRunning);
        var agent = running.AgentId.Value;

        await _emulator.Faults.DisconnectAgentAsync(agent);

        var lost = await framework.NextUpdateAsync("t1");
        Assert.Equal((TaskState.TaskLost, TaskStatus.Types.Reason.AgentDisconnected, TaskStatus.Types.Source.Master), (lost.State, lost.Reason, lost.Source));
        Assert.Equal($"Agent {_emulator.Snapshot().Agents.Single().Hostname} disconnected", lost.Message);
        Assert.False(lost.HasUuid);

        await _emulator.Faults.ReconnectAgentAsync(agent);
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        var offer = await framework.NextOfferAsync();
        Assert.Equal(agent, offer.AgentId.Value);
        for (var elapsed = 0; elapsed < 80; elapsed += 2)
        {
            await AdvanceAsync(TimeSpan.FromSeconds(2));
        }

        Assert.Empty((await _emulator.Faults.StateAsync()).UnreachableAgents);

        // The orphaned task's process was signalled; the agent notices it ended on a later tick, however long the OS
        // takes to end it (virtual time runs far ahead of a loaded machine's).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (_emulator.Snapshot().Tasks.Any(t => t.Id == "t1"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the orphaned task t1 was not removed within 20 s");
            await Task.Delay(20);
            await AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        Assert.Empty((await _emulator.Faults.StateAsync()).UnreachableAgents);
    }

    private async Task LaunchAsync(TestFramework framework, string taskId)
    {
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        var offer = await framework.NextOfferAsync();
        await framework.AcceptAsync(offer, Launch(CommandTask(taskId, offer, "sleep 300")));
    }

    /// <summary>
    /// Moves virtual time; the emulator's tick has run when this returns. Ticks coalesce, so a step should not span
    /// two heartbeats or retries.
    /// </summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        _clock.Advance(by);
        await _emulator.Faults.StateAsync();
    }
}
