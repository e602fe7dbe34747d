namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// A process as the agent knows it: pid plus its start time (clock ticks since boot, /proc/&lt;pid&gt;/stat
/// field 22), which together survive pid reuse. <see cref="StartTime"/> 0 means "unknown".
/// </summary>
internal sealed record ProcessIdentity(int Pid, ulong StartTime);
