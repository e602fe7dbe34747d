namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// How a <see cref="LocalAgent"/> runs its tasks. <see cref="ProcessTaskRunner"/> (the default) runs real processes in
/// sandboxes and keeps the agent's checkpoints, volumes and check runs on disk; the simulation kit's runner keeps
/// everything in memory and lets a test decide when a task ends.
/// </summary>
internal interface ITaskRunner
{
    /// <summary>
    /// True when the agent lives on the host: checkpoints, sandboxes and volume directories on disk, checks run as
    /// processes. False for simulated agents, which touch no file and run no check (the test reports results).
    /// </summary>
    bool UsesHost { get; }

    /// <summary>Starts a task's command; throws on failure to start.</summary>
    ProcessIdentity Start(string sandbox, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment);

    /// <summary>Whether the task's process still runs.</summary>
    bool IsAlive(ProcessIdentity process);

    /// <summary>The exit status of the ended task in <paramref name="sandbox"/>, or null when unknown.</summary>
    int? ReadExitStatus(string sandbox);

    /// <summary>Signals the task's process group (<see cref="ProcFs.SigTerm"/>, <see cref="ProcFs.SigKill"/>).</summary>
    void Signal(ProcessIdentity process, int signal);
}

/// <summary>Tasks as real processes (<see cref="TaskProcessRunner"/>, <see cref="ProcFs"/>).</summary>
internal sealed class ProcessTaskRunner : ITaskRunner
{
    public static ProcessTaskRunner Instance { get; } = new();

    public bool UsesHost => true;

    public ProcessIdentity Start(string sandbox, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment)
    {
        TaskProcessRunner.ResetSandbox(sandbox);
        return TaskProcessRunner.Start(sandbox, command, environment);
    }

    public bool IsAlive(ProcessIdentity process) => ProcFs.IsAlive(process);

    public int? ReadExitStatus(string sandbox) => TaskProcessRunner.ReadExitStatus(sandbox);

    public void Signal(ProcessIdentity process, int signal) => ProcFs.SignalGroup(process, signal);
}
