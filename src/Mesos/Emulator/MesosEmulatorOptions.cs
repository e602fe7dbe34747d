namespace ActorScheduler.Mesos.Emulator;

/// <summary>How the emulator serves and what its local agents offer.</summary>
public sealed class MesosEmulatorOptions
{
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (see <see cref="MesosEmulator.Url"/>).</summary>
    public int Port { get; init; } = 5050;

    public int Agents { get; init; } = 3;

    /// <summary>Agent work dirs, checkpoints, sandboxes and volumes live here.</summary>
    public required string DataDir { get; init; }

    public double AgentCpus { get; init; } = 4;

    public double AgentMemMb { get; init; } = 8192;

    public double AgentDiskMb { get; init; } = 20480;

    /// <summary>Ports every agent offers (inclusive), as a Mesos agent's default <c>[31000-32000]</c>.</summary>
    public (ulong Begin, ulong End) AgentPorts { get; init; } = (31000, 32000);

    public TimeSpan AllocationInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Kill every task process when the emulator stops (otherwise they keep running, as under a real agent restart).</summary>
    public bool KillTasksOnStop { get; init; }
}

/// <summary>The emulator cannot start; the message is one line for the operator.</summary>
public sealed class MesosEmulatorException(string message, Exception? inner = null) : Exception(message, inner);
