using System.Collections.Immutable;
using System.Globalization;

namespace ActorScheduler.Simulation;

/// <summary>
/// What an <see cref="OfferStorm"/> builds and does: how many agents, spread over which regions and zones, in which
/// shapes, and how fast offers, rescinds and agent losses come.
/// </summary>
public sealed class OfferStormOptions
{
    /// <summary>How many agents the storm adds (default 100).</summary>
    public int Agents { get; init; } = 100;

    /// <summary>Regions the agents are spread over (<c>region-1</c> …; default 1).</summary>
    public int Regions { get; init; } = 1;

    /// <summary>Zones in each region (<c>region-1-zone-1</c> …; default 3). Agents go round-robin over every zone.</summary>
    public int ZonesPerRegion { get; init; } = 3;

    /// <summary>
    /// The agent shapes; each agent gets one picked at random (seeded). Default: small (2 cpus, 4 GiB), medium (8 cpus,
    /// 32 GiB) and large (32 cpus, 128 GiB), all with 64 GiB of disk.
    /// </summary>
    public ImmutableArray<AgentResources> Shapes { get; init; } =
    [
        new AgentResources(Cpus: 2, MemoryMb: 4096),
        new AgentResources(Cpus: 8, MemoryMb: 32768),
        new AgentResources(Cpus: 32, MemoryMb: 131072),
    ];

    /// <summary>
    /// Agent attributes in the emulator's <c>--attributes</c> form, placeholders included (<c>rack:r{index%4}</c>,
    /// <c>dc:{region}</c>); null for none.
    /// </summary>
    public string? Attributes { get; init; }

    /// <summary>Seed of every random choice (shapes, which agents are offered, rescinds, losses): same seed, same storm.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// How the storm makes offers: <see cref="StormAllocation.Random"/> (the default) offers <see cref="OffersPerSecond"/>
    /// agents at random, <see cref="StormAllocation.Master"/> lets the master allocate every agent each
    /// <see cref="AllocationInterval"/>, as a Mesos master does.
    /// </summary>
    public StormAllocation Allocation { get; init; } = StormAllocation.Random;

    /// <summary>
    /// Offers per second of (virtual or real) time, R (default 100), with <see cref="StormAllocation.Random"/>. Each offer
    /// is one agent's free resources.
    /// </summary>
    public double OffersPerSecond { get; init; } = 100;

    /// <summary>
    /// With <see cref="StormAllocation.Master"/>: how often the master allocates (default 1 s, the Mesos master's
    /// <c>--allocation_interval</c>).
    /// </summary>
    public TimeSpan AllocationInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>After each offer made, the chance that the master rescinds one outstanding offer picked at random (default 0).</summary>
    public double RescindProbability { get; init; }

    /// <summary>After each offer made, the chance that one reachable agent picked at random is lost (default 0).</summary>
    public double AgentLossProbability { get; init; }

    /// <summary>
    /// After each offer made, the chance that the operator marks one reachable agent picked at random gone (default 0):
    /// its tasks fail permanently, and it comes back only by restarting under a new id, with its reservations and
    /// volumes (after <see cref="AgentReturnAfter"/>).
    /// </summary>
    public double AgentGoneProbability { get; init; }

    /// <summary>
    /// How long a lost agent stays unreachable before it re-registers, and a gone agent stays away before it restarts
    /// under a new id; null (the default): lost or gone for good.
    /// </summary>
    public TimeSpan? AgentReturnAfter { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad option and why.</summary>
    public void Validate()
    {
        Require(Agents >= 1, $"Agents must be at least 1 (got {Agents})");
        Require(Regions >= 1, $"Regions must be at least 1 (got {Regions})");
        Require(ZonesPerRegion >= 1, $"ZonesPerRegion must be at least 1 (got {ZonesPerRegion})");
        Require(!Shapes.IsDefaultOrEmpty, "Shapes must name at least one agent shape");
        foreach (var shape in Shapes)
        {
            Require(shape is not null && shape.Cpus >= 0 && shape.MemoryMb >= 0 && shape.DiskMb >= 0 && shape.PortsEnd >= shape.PortsBegin,
                $"Shapes must not have negative resources or an empty ports range (got {shape})");
        }

        Require(double.IsFinite(OffersPerSecond) && OffersPerSecond > 0, $"OffersPerSecond must be a positive number (got {Format(OffersPerSecond)})");
        Require(Enum.IsDefined(Allocation), $"Allocation must be Random or Master (got {Allocation})");
        Require(AllocationInterval > TimeSpan.Zero, $"AllocationInterval must be positive (got {AllocationInterval})");
        Require(RescindProbability is >= 0 and <= 1, $"RescindProbability must be between 0 and 1 (got {Format(RescindProbability)})");
        Require(AgentLossProbability is >= 0 and <= 1, $"AgentLossProbability must be between 0 and 1 (got {Format(AgentLossProbability)})");
        Require(AgentGoneProbability is >= 0 and <= 1, $"AgentGoneProbability must be between 0 and 1 (got {Format(AgentGoneProbability)})");
        Require(AgentReturnAfter is null || AgentReturnAfter > TimeSpan.Zero, $"AgentReturnAfter must be positive when set (got {AgentReturnAfter})");
    }

    /// <summary>The fault domain of the storm's <paramref name="index"/>-th agent (0-based): round-robin over every zone of every region.</summary>
    public FaultDomain DomainOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var slot = index % (Regions * ZonesPerRegion);
        var region = "region-" + ((slot / ZonesPerRegion) + 1).ToString(CultureInfo.InvariantCulture);
        return new FaultDomain(region, region + "-zone-" + ((slot % ZonesPerRegion) + 1).ToString(CultureInfo.InvariantCulture));
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"Bad offer storm options: {message}");
        }
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>How an <see cref="OfferStorm"/> makes its offers.</summary>
public enum StormAllocation
{
    /// <summary>
    /// <see cref="OfferStormOptions.OffersPerSecond"/> agents a second, picked at random among those without an outstanding
    /// offer, offered whatever the framework asked: scripted offers ignore decline filters and suppression.
    /// </summary>
    Random,

    /// <summary>
    /// Every <see cref="OfferStormOptions.AllocationInterval"/> the master offers what every reachable agent has free and
    /// not offered yet, as a Mesos master's allocator does: a declined agent comes back once its filter expires, and a
    /// framework that suppressed gets nothing until it revives.
    /// </summary>
    Master,
}
