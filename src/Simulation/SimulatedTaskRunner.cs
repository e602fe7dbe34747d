using ActorScheduler.Mesos.Emulator;

namespace ActorScheduler.Simulation;

/// <summary>
/// Tasks of simulated agents: no process, no file. A task runs from its launch until the test ends it
/// (<see cref="End"/>) or it is signalled (a kill ends it at once, as a process that honours SIGTERM would).
/// Thread-safety: called only from the master's serial queue.
/// </summary>
internal sealed class SimulatedTaskRunner : ITaskRunner
{
    private const int TerminatedBySigTerm = 128 + ProcFs.SigTerm;
    private const int TerminatedBySigKill = 128 + ProcFs.SigKill;

    private readonly Dictionary<string, int> _pidBySandbox = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int?> _exitByPid = new();
    private int _nextPid = 1000;

    public bool UsesHost => false;

    public ProcessIdentity Start(string sandbox, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment)
    {
        var pid = ++_nextPid;
        _pidBySandbox[sandbox] = pid;
        _exitByPid[pid] = null;
        return new ProcessIdentity(pid, 0);
    }

    public bool IsAlive(ProcessIdentity process) => _exitByPid.TryGetValue(process.Pid, out var exit) && exit is null;

    public int? ReadExitStatus(string sandbox) =>
        _pidBySandbox.TryGetValue(sandbox, out var pid) ? _exitByPid.GetValueOrDefault(pid) : null;

    public void Signal(ProcessIdentity process, int signal) =>
        EndPid(process.Pid, signal == ProcFs.SigKill ? TerminatedBySigKill : TerminatedBySigTerm);

    /// <summary>The task in <paramref name="sandbox"/> exits with <paramref name="exitCode"/>; false when it is not running.</summary>
    public bool End(string sandbox, int exitCode) => _pidBySandbox.TryGetValue(sandbox, out var pid) && EndPid(pid, exitCode);

    private bool EndPid(int pid, int exitCode)
    {
        if (!_exitByPid.TryGetValue(pid, out var exit) || exit is not null)
        {
            return false;
        }

        _exitByPid[pid] = exitCode;
        return true;
    }
}
