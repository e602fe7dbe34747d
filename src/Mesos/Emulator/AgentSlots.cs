using System.Globalization;
using System.Net;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Local agents are told apart by loopback address, one per slot (the agent's 0-based index): 127.0.0.1 … 127.0.0.250,
/// then 127.0.1.1 … (all of 127.0.0.0/8 is loopback on Linux). The slot also picks the agent's zone and its
/// <c>{index}</c> in attribute templates, so a restarted emulator gives a recovered agent the same ones.
/// </summary>
internal static class AgentSlots
{
    private const int PerBlock = 250;

    /// <summary>The most agents one emulator runs.</summary>
    public const int MaxAgents = PerBlock * 256 * 4;

    public static string HostnameOf(int slot)
    {
        var low = (slot % PerBlock) + 1;
        var block = slot / PerBlock;
        return string.Create(CultureInfo.InvariantCulture, $"127.{block / 256}.{block % 256}.{low}");
    }

    /// <summary>The slot of a hostname made by <see cref="HostnameOf"/>, or null for any other hostname.</summary>
    public static int? SlotOf(string hostname)
    {
        if (!IPAddress.TryParse(hostname, out var address) || address.GetAddressBytes() is not [127, var high, var mid, var low and >= 1 and <= PerBlock])
        {
            return null;
        }

        return (((high * 256) + mid) * PerBlock) + low - 1;
    }

    /// <summary>The zone of a slot when agents are spread over <paramref name="zones"/> zones round-robin: <c>zone-1</c> …</summary>
    public static string? ZoneOf(int slot, int zones) =>
        zones <= 0 ? null : string.Create(CultureInfo.InvariantCulture, $"zone-{(slot % zones) + 1}");

    /// <summary>The fault domain of a slot with <paramref name="zones"/> zones in <paramref name="region"/>; null without zones.</summary>
    public static DomainInfo? DomainOf(int slot, int zones, string region) =>
        ZoneOf(slot, zones) is { } zone ? FaultDomain(region, zone) : null;

    /// <summary>A Mesos fault domain: <paramref name="zone"/> in <paramref name="region"/>.</summary>
    public static DomainInfo FaultDomain(string region, string zone) => new()
    {
        FaultDomain = new DomainInfo.Types.FaultDomain
        {
            Region = new DomainInfo.Types.FaultDomain.Types.RegionInfo { Name = region },
            Zone = new DomainInfo.Types.FaultDomain.Types.ZoneInfo { Name = zone },
        },
    };
}
