using System.Collections.Concurrent;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using static ActorScheduler.Mesos.Tests.Support.Resources;
using Reason = ActorScheduler.Messages.MesosV1.TaskStatus.Types.Reason;
using Source = ActorScheduler.Messages.MesosV1.TaskStatus.Types.Source;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>
/// Local agents enforcing memory (<c>--enforce-memory</c>), as a framework sees it with real processes: a task whose
/// processes hold more resident memory than its <c>mem</c> is killed and fails with REASON_CONTAINER_LIMITATION_MEMORY,
/// as in a Mesos agent's memory cgroup; tasks within their memory, or with an unlimited memory limit, run on.
/// </summary>
public sealed class EmulatorMemoryTests : IAsyncLifetime
{
    // dd holds its whole 64 MB block, filled from /dev/zero, for as long as it copies.
    private const string Hog = "exec dd if=/dev/zero of=/dev/null bs=64M count=1000000";

    private readonly TempDir _dir = new();
    private readonly ConcurrentQueue<string> _log = new();
    private MesosEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        var options = TestEmulator.Options(Path.Combine(_dir.Path, "mesos"), agents: 1);
        options.EnforceMemory = true;
        options.MemoryCheckInterval = TimeSpan.FromMilliseconds(100);
        options.Log = _log.Enqueue;
        _emulator = await MesosEmulator.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_task_over_its_memory_is_killed_and_fails_with_the_limitation_while_the_others_run_on()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var hog = CommandTask("hog", offer, Hog, Scalar("cpus", 0.1), Scalar("mem", 16));
        var unlimited = CommandTask("unlimited", offer, Hog, Scalar("cpus", 0.1), Scalar("mem", 16));
        unlimited.Limits.Add("mem", new Value.Types.Scalar { Value = double.PositiveInfinity });
        var small = CommandTask("small", offer, "sleep 60", Scalar("cpus", 0.1), Scalar("mem", 32));

        await framework.AcceptAsync(offer, Launch(small, unlimited, hog));

        await framework.AwaitStateAcknowledgingAsync("small", TaskState.TaskRunning);
        await framework.AwaitStateAcknowledgingAsync("unlimited", TaskState.TaskRunning);
        var failed = (await framework.CollectUpdatesAsync("hog", s => TaskStates.IsTerminal(s.State), TimeSpan.FromSeconds(30)))[^1];
        Assert.Equal((TaskState.TaskFailed, Reason.ContainerLimitationMemory, Source.Agent), (failed.State, failed.Reason, failed.Source));
        Assert.StartsWith("Memory limit exceeded: Requested: 16MB Maximum Used: ", failed.Message, StringComparison.Ordinal);
        var limited = Assert.Single(failed.Limitation.Resources);
        Assert.Equal(("mem", 16.0), (limited.Name, limited.Scalar.Value));
        Assert.Contains(_log, l => l.Contains("task hog uses", StringComparison.Ordinal) && l.Contains("over its 16 MB: killed", StringComparison.Ordinal));

        // The same checks that killed the hog measured the others: both are still running.
        var tasks = _emulator.Snapshot().Tasks.ToDictionary(t => t.Id, t => t.State);
        Assert.Equal("TASK_RUNNING", tasks["small"]);
        Assert.Equal("TASK_RUNNING", tasks["unlimited"]);
    }
}
