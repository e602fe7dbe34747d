namespace ActorScheduler.Mesos.Emulator;

/// <summary>What the master state machine needs from the options.</summary>
internal sealed record MasterSettings(
    string MasterId,
    string Host,
    int Port,
    TimeSpan AllocationInterval,
    TimeSpan HeartbeatInterval,
    TimeProvider Time,
    Action<string> Log,
    int Zones = 0,
    string Region = "local");
