using ActorScheduler.Mesos.Emulator;

namespace ActorScheduler.Mesos.Tests.Support;

/// <summary>Options for fast tests: ephemeral port, short allocation interval, fast polling.</summary>
internal static class TestEmulator
{
    public static MesosEmulatorOptions Options(string dataDir, int agents = 1) => new()
    {
        DataDir = dataDir,
        Port = 0,
        Agents = agents,
        AgentCpus = 2,
        AgentMemMb = 1024,
        AgentDiskMb = 2048,
        AllocationInterval = TimeSpan.FromMilliseconds(100),
        PollInterval = TimeSpan.FromMilliseconds(50),
        KillGracePeriod = TimeSpan.FromSeconds(2),
        KillTasksOnStop = true,
    };

    /// <summary>
    /// Options on virtual time (<paramref name="clock"/>): nothing happens until the test moves the clock; allocation
    /// every second, heartbeats every 15 s, status updates retried every <paramref name="statusUpdateRetry"/>.
    /// </summary>
    public static MesosEmulatorOptions VirtualTime(string dataDir, ManualClock clock, TimeSpan statusUpdateRetry)
    {
        var options = Options(dataDir);
        options.Time = clock;
        options.AllocationInterval = TimeSpan.FromSeconds(1);
        options.HeartbeatInterval = TimeSpan.FromSeconds(15);
        options.PollInterval = TimeSpan.FromMilliseconds(500);
        options.StatusUpdateRetryInterval = statusUpdateRetry;
        return options;
    }
}
