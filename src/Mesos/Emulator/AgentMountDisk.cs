namespace ActorScheduler.Mesos.Emulator;

/// <summary>A MOUNT disk every new local agent gets (<see cref="MesosEmulatorOptions.MountDisks"/>).</summary>
/// <param name="SizeMb">Its size in MB; a volume on it always takes all of it.</param>
/// <param name="Profile">Its <c>disk.source.profile</c>, which a spec volume's <c>profiles</c> can select; null for none.</param>
public sealed record AgentMountDisk(double SizeMb, string? Profile = null);
