using System.Collections.Immutable;

namespace ActorScheduler.Specs.Model;

/// <summary>
/// Resources reserved once per pod instance and used by one task at a time (<c>resource-sets.&lt;id&gt;</c>): an init
/// task and the server after it share them. A task with inline resources has an implicit set of its own.
/// </summary>
public sealed record ResourceSetSpec(
    string Id,
    double Cpus,
    double Gpus,
    int MemoryMb,
    ResourceLimits? Limits,
    ImmutableArray<PortSpec> Ports,
    ImmutableArray<VolumeSpec> Volumes);

/// <summary>
/// Upper limits a task may burst to above what it reserves (<c>resource-limits</c>); null means unlimited.
/// </summary>
/// <param name="CpusUnlimited">True for <c>cpus: unlimited</c>.</param>
/// <param name="MemoryUnlimited">True for <c>memory: unlimited</c>.</param>
public sealed record ResourceLimits(double? Cpus, bool CpusUnlimited, int? MemoryMb, bool MemoryUnlimited)
{
    /// <summary>Some limit is given (a number or unlimited): <c>resource-limits: {}</c> or empty values give none.</summary>
    public bool LimitsAnything => Cpus is not null || CpusUnlimited || MemoryMb is not null || MemoryUnlimited;
}
