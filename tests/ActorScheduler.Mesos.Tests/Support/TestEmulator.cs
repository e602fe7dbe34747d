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
}
