using System.Collections.Immutable;
using System.Globalization;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Offers;

/// <summary>A spec port of a resource set and the number it runs on.</summary>
public sealed record AssignedPort(string SetId, PortSpec Spec, int Number);

/// <summary>What the port stage decided: PASS/FAIL lines and, when it passed, every port's number.</summary>
public sealed record PortStageResult(bool Passed, ImmutableArray<string> Explanation, ImmutableArray<AssignedPort> Ports)
{
    /// <summary>A relaunch's port changes: ports newly reserved from the offer (a port added, a static port moved).</summary>
    public ImmutableArray<Resource> Reserve { get; init; } = [];

    /// <summary>A relaunch's port changes: reserved ports given back (a port removed, a static port moved).</summary>
    public ImmutableArray<Resource> Unreserve { get; init; } = [];

    /// <summary>The ports of one resource set, for its tasks' infos and environment.</summary>
    public IReadOnlyList<AssignedPort> Of(string setId) => Ports.Where(p => p.SetId == setId).ToList();
}

/// <summary>
/// Ports of a pod instance (DC/OS <c>PortEvaluationStage</c>). A new footprint reserves one port per spec port from
/// the offer's unreserved <c>ports</c> ranges: static ports exactly, then dynamic ones (port 0) on the lowest free
/// offered port within the port's <c>ranges</c>; no two ports of the pod get the same number. A relaunch keeps the
/// reserved port. A pod on a virtual network reserves no host ports: static ports are used as written and dynamic
/// ones numbered from <see cref="VirtualNetworkDynamicStart"/> (or their range), the same on every launch.
/// </summary>
public static class PortEvaluationStage
{
    private const string Stage = "PortEvaluationStage";

    /// <summary>Where dynamic ports of a pod on a virtual network are numbered from, when no range says otherwise.</summary>
    public const int VirtualNetworkDynamicStart = 1025;

    private const int MaxPort = 65535;

    /// <summary>
    /// Chooses the ports of every set of a new footprint (or of sets new to an existing one) from <paramref name="offer"/>;
    /// <paramref name="taken"/>: numbers this evaluation reserved already, which no port of these sets may get.
    /// </summary>
    public static PortStageResult ForNewFootprint(PodSpec pod, IReadOnlyList<PodResourceSet> sets, Offer offer, IEnumerable<int>? taken = null)
    {
        if (pod.UsesVirtualNetwork)
        {
            return ForVirtualNetwork(pod, sets);
        }

        var wanted = Wanted(sets);
        if (wanted.Count == 0)
        {
            return new PortStageResult(true, [], []);
        }

        var offered = OfferedPorts(offer, pod.PreReservedRole);
        var reserved = new Dictionary<int, string>();
        foreach (var number in taken ?? [])
        {
            reserved[number] = "another resource set of the pod";
        }

        var explanation = new List<string>();
        var assigned = new List<AssignedPort>();
        var passed = true;

        foreach (var (set, port) in wanted.Where(w => !w.Port.IsDynamic))
        {
            var who = $"'{port.Name}' ({set.Description})";
            if (reserved.TryGetValue(port.Port, out var other))
            {
                explanation.Add($"FAIL({Stage}): port {port.Port} for {who} is already reserved for {other}");
                passed = false;
            }
            else if (!Contains(offered, port.Port))
            {
                explanation.Add($"FAIL({Stage}): port {port.Port} for {who} is not offered: agent {offer.AgentId?.Value} ({offer.Hostname}) offers {Describe(offered)}");
                passed = false;
            }
            else
            {
                reserved[port.Port] = who;
                assigned.Add(new AssignedPort(set.Id, port, port.Port));
                explanation.Add($"PASS({Stage}): reserving port {port.Port} for {who}");
            }
        }

        foreach (var (set, port) in wanted.Where(w => w.Port.IsDynamic))
        {
            var who = $"'{port.Name}' ({set.Description})";
            var within = port.Ranges.IsDefaultOrEmpty ? string.Empty : $" within {DescribeRanges(port.Ranges)}";
            if (FirstFree(offered, port.Ranges, reserved.Keys) is { } number)
            {
                reserved[number] = who;
                assigned.Add(new AssignedPort(set.Id, port, number));
                explanation.Add($"PASS({Stage}): reserving port {number} for {who}, the lowest free offered port{within}");
            }
            else
            {
                explanation.Add($"FAIL({Stage}): no free port{within} for dynamic {who}: agent {offer.AgentId?.Value} ({offer.Hostname}) offers {Describe(offered)}");
                passed = false;
            }
        }

        return new PortStageResult(passed, explanation.ToImmutableArray(), passed ? assigned.ToImmutableArray() : []);
    }

    /// <summary>
    /// The ports a relaunch of <paramref name="set"/> runs on, read from the set's reservations <paramref name="reserved"/>
    /// (as offered): a port keeps its reserved number unless the spec changed it. A port the spec added is reserved from
    /// the offer's unreserved ports (static: exactly; dynamic: the lowest free within its ranges), a static port whose
    /// number changed moves (the new number reserved, the old one given back), and a reserved port the spec no longer
    /// has is given back; <paramref name="taken"/> holds the numbers this evaluation reserved so far (all sets).
    /// </summary>
    public static PortStageResult ForExistingFootprint(
        PodSpec pod,
        IReadOnlyList<PodResourceSet> allSets,
        PodResourceSet set,
        IEnumerable<Resource> reserved,
        Offer offer,
        ReservationContext reservation,
        ISet<int> taken)
    {
        if (pod.UsesVirtualNetwork)
        {
            var virtualPorts = ForVirtualNetwork(pod, allSets);
            return virtualPorts with { Ports = [.. virtualPorts.Ports.Where(p => p.SetId == set.Id)] };
        }

        var byName = new Dictionary<string, (int Number, Resource Resource)>(StringComparer.Ordinal);
        foreach (var resource in reserved)
        {
            if (Resources.PortName(resource) is { } name && Resources.PortNumber(resource) is { } number)
            {
                byName[name] = (number, resource);
            }
        }

        var explanation = new List<string>();
        var assigned = new List<AssignedPort>();
        var toReserve = new List<Resource>();
        var toUnreserve = new List<Resource>();
        var passed = true;
        IReadOnlyList<(int Begin, int End)>? offered = null;
        foreach (var port in set.Spec.Ports)
        {
            var who = $"'{port.Name}' ({set.Description})";
            var held = byName.TryGetValue(port.Name, out var h) ? h : ((int Number, Resource Resource)?)null;
            if (held is { } keep && (port.IsDynamic || keep.Number == port.Port))
            {
                assigned.Add(new AssignedPort(set.Id, port, keep.Number));
                explanation.Add($"PASS({Stage}): {who} keeps its reserved port {keep.Number}");
                continue;
            }

            offered ??= OfferedPorts(offer, pod.PreReservedRole);
            int? chosen = port.IsDynamic
                ? FirstFree(offered, port.Ranges, taken)
                : Contains(offered, port.Port) && !taken.Contains(port.Port) ? port.Port : null;
            var change = held is { } moved ? $"moving {who} from its reserved port {moved.Number} to {port.Port}" : $"adding {who}";
            if (chosen is not { } number)
            {
                var asked = port.IsDynamic ? $"a free port{(port.Ranges.IsDefaultOrEmpty ? string.Empty : $" within {DescribeRanges(port.Ranges)}")}" : $"port {port.Port}";
                explanation.Add($"FAIL({Stage}): {change} needs {asked} unreserved on this agent: agent {offer.AgentId?.Value} ({offer.Hostname}) offers {Describe(offered)}");
                passed = false;
                continue;
            }

            taken.Add(number);
            toReserve.Add(Resources.ReservedPort(number, port.Name, reservation, set.Owner));
            if (held is { } old)
            {
                toUnreserve.Add(old.Resource);
            }

            assigned.Add(new AssignedPort(set.Id, port, number));
            explanation.Add($"PASS({Stage}): {change}: reserving port {number} in place (RESERVE{(held is null ? string.Empty : $", UNRESERVE {held.Value.Number}")})");
        }

        foreach (var (name, (number, resource)) in byName.Where(p => set.Spec.Ports.All(s => s.Name != p.Key)))
        {
            toUnreserve.Add(resource);
            explanation.Add($"PASS({Stage}): '{name}' ({set.Description}) is no longer in the spec: its reserved port {number} is given back (UNRESERVE)");
        }

        return passed
            ? new PortStageResult(true, explanation.ToImmutableArray(), assigned.ToImmutableArray()) { Reserve = [.. toReserve], Unreserve = [.. toUnreserve] }
            : new PortStageResult(false, explanation.ToImmutableArray(), []);
    }

    /// <summary>
    /// The offer's ports a pod of <paramref name="preReservedRole"/> may reserve (unreserved ones for <c>*</c>), merged and
    /// in ascending order.
    /// </summary>
    public static IReadOnlyList<(int Begin, int End)> OfferedPorts(Offer offer, string preReservedRole = "*")
    {
        var offered = offer.Resources
            .Where(r => r.Name == Resources.PortsName && r.Type == Value.Types.Type.Ranges && Resources.IsReservableBy(r, preReservedRole) && r.Ranges is not null)
            .SelectMany(r => r.Ranges.Range);
        return RangeMath.Normalize(offered)
            .Where(r => r.Begin <= MaxPort)
            .Select(r => (Begin: (int)r.Begin, End: (int)Math.Min(r.End, MaxPort)))
            .ToList();
    }

    /// <summary>"31000-31332, 31400" or "no ports".</summary>
    public static string Describe(IReadOnlyList<(int Begin, int End)> ranges) => ranges.Count == 0
        ? "no ports"
        : "ports " + string.Join(", ", ranges.Select(r => r.Begin == r.End
            ? r.Begin.ToString(CultureInfo.InvariantCulture)
            : $"{r.Begin.ToString(CultureInfo.InvariantCulture)}-{r.End.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>Static ports as written; dynamic ones numbered deterministically, avoiding the pod's other ports.</summary>
    private static PortStageResult ForVirtualNetwork(PodSpec pod, IReadOnlyList<PodResourceSet> sets)
    {
        var wanted = Wanted(sets);
        var explanation = new List<string> { $"PASS({Stage}): {pod.Type} joins virtual network {string.Join(", ", pod.Networks.Select(n => n.Name))}: no host ports are reserved" };
        var taken = wanted.Where(w => !w.Port.IsDynamic).Select(w => w.Port.Port).ToHashSet();
        var assigned = new List<AssignedPort>();
        foreach (var (set, port) in wanted)
        {
            if (!port.IsDynamic)
            {
                assigned.Add(new AssignedPort(set.Id, port, port.Port));
                continue;
            }

            var number = FirstFree([(VirtualNetworkDynamicStart, MaxPort)], port.Ranges, taken)
                ?? FirstFree([(1, MaxPort)], port.Ranges, taken);
            if (number is not { } n)
            {
                explanation.Add($"FAIL({Stage}): no free port within {DescribeRanges(port.Ranges)} for dynamic '{port.Name}' ({set.Description}): the pod's other ports take them all");
                return new PortStageResult(false, explanation.ToImmutableArray(), []);
            }

            taken.Add(n);
            assigned.Add(new AssignedPort(set.Id, port, n));
        }

        return new PortStageResult(true, explanation.ToImmutableArray(), assigned.ToImmutableArray());
    }

    private static List<(PodResourceSet Set, PortSpec Port)> Wanted(IReadOnlyList<PodResourceSet> sets) =>
        sets.SelectMany(s => s.Spec.Ports.Select(p => (s, p))).ToList();

    private static bool Contains(IReadOnlyList<(int Begin, int End)> ranges, int port) =>
        ranges.Any(r => r.Begin <= port && port <= r.End);

    /// <summary>The lowest port in <paramref name="offered"/> and in one of <paramref name="bounds"/> (any when empty) not yet taken.</summary>
    private static int? FirstFree(IReadOnlyList<(int Begin, int End)> offered, ImmutableArray<PortRange> bounds, IEnumerable<int> taken)
    {
        var used = taken.ToHashSet();
        var limits = bounds.IsDefaultOrEmpty
            ? [(1, MaxPort)]
            : bounds.Select(b => (Begin: b.Begin ?? 1, End: b.End ?? MaxPort)).ToList();
        int? best = null;
        foreach (var range in offered)
        {
            foreach (var (begin, end) in limits)
            {
                for (var port = Math.Max(Math.Max(range.Begin, begin), 1); port <= Math.Min(range.End, end); port++)
                {
                    if (!used.Contains(port))
                    {
                        best = best is null ? port : Math.Min(best.Value, port);
                        break;
                    }
                }
            }

            if (best is not null)
            {
                return best;
            }
        }

        return best;
    }

    private static string DescribeRanges(ImmutableArray<PortRange> ranges) =>
        string.Join(", ", ranges.Select(r => $"{r.Begin?.ToString(CultureInfo.InvariantCulture) ?? ""}-{r.End?.ToString(CultureInfo.InvariantCulture) ?? ""}"));
}
