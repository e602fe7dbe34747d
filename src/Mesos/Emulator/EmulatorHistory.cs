namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// What the emulator saw since it started (across master failovers): every task it launched, how many calls of each
/// type it accepted, and every fault injected. Tests use it to prove that no task was launched twice.
/// </summary>
/// <param name="Launches">Every task launched (LAUNCH or LAUNCH_GROUP), oldest first; the latest 10,000 are kept.</param>
/// <param name="Calls">Calls that passed the master's checks, by wire type (e.g. <c>RECONCILE</c>).</param>
/// <param name="Faults">Agent, stream and master faults injected, oldest first.</param>
public sealed record EmulatorHistory(IReadOnlyList<LaunchRecord> Launches, IReadOnlyDictionary<string, long> Calls, IReadOnlyList<FaultRecord> Faults)
{
    /// <summary>How many calls of this wire type (e.g. <c>ACCEPT</c>) were accepted.</summary>
    public long CallCount(string type) => Calls.TryGetValue(type, out var count) ? count : 0;
}

/// <summary>One task launch as the master applied it.</summary>
public sealed record LaunchRecord(DateTimeOffset At, string FrameworkId, string AgentId, string TaskId, string TaskName);

/// <summary>One injected fault.</summary>
/// <param name="Kind">e.g. <c>agent-lost</c>, <c>agent-gone</c>, <c>agent-restarted</c>, <c>stream-severed</c>, <c>master-failover</c>.</param>
/// <param name="Target">The agent, framework or master it hit.</param>
/// <param name="KilledTaskIds">Live tasks the fault killed (a gone or restarted agent's).</param>
public sealed record FaultRecord(DateTimeOffset At, string Kind, string Target, IReadOnlyList<string> KilledTaskIds);

/// <summary>Collects <see cref="EmulatorHistory"/>; only the master loop writes to it.</summary>
internal sealed class EmulatorRecorder
{
    private const int MaxLaunches = 10_000;

    private readonly Queue<LaunchRecord> _launches = new();
    private readonly Dictionary<string, long> _calls = new(StringComparer.Ordinal);
    private readonly List<FaultRecord> _faults = [];

    public void Launched(LaunchRecord launch)
    {
        _launches.Enqueue(launch);
        while (_launches.Count > MaxLaunches)
        {
            _launches.Dequeue();
        }
    }

    public void Call(string type) => _calls[type] = _calls.GetValueOrDefault(type) + 1;

    public void Fault(FaultRecord fault) => _faults.Add(fault);

    public EmulatorHistory Snapshot() => new(_launches.ToList(), new Dictionary<string, long>(_calls, StringComparer.Ordinal), _faults.ToList());
}
