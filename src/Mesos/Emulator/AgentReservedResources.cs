using System.Globalization;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Static reservations of every local agent, in the Mesos agent's <c>--resources</c> text: <c>name(role):value</c>
/// entries separated by <c>;</c>, each value a scalar (<c>cpus(slave_public):2</c>) or ranges
/// (<c>ports(slave_public):[31000-31010]</c>). Scalars come on top of the agent's unreserved resources; reserved
/// ranges are carved out of the agent's own (its ports lose the reserved ones), so no port is offered twice, and must
/// lie within them (<see cref="FitError"/>). They are offered only to frameworks subscribed with the role or one of its
/// sub-roles.
/// </summary>
public static class AgentReservedResources
{
    private static readonly string[] Names = ["cpus", "mem", "disk", "gpus", "ports"];

    /// <summary>The reserved resources of <paramref name="text"/>, or null with a one-line <paramref name="error"/>.</summary>
    public static List<Resource>? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var resources = new List<Resource>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in text.Split(';'))
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            var open = entry.IndexOf('(', StringComparison.Ordinal);
            var close = entry.IndexOf("):", StringComparison.Ordinal);
            if (open <= 0 || close < open)
            {
                error = $"'{entry}' is not NAME(ROLE):VALUE, such as cpus(slave_public):2";
                return null;
            }

            var name = entry[..open];
            var role = entry[(open + 1)..close];
            var value = entry[(close + 2)..];
            if (!Names.Contains(name))
            {
                error = $"'{entry}': the resource must be one of {string.Join(", ", Names)}, got '{name}'";
                return null;
            }

            if (RoleError(role) is { } bad)
            {
                error = $"'{entry}': {bad}";
                return null;
            }

            if (!seen.Add(name + "(" + role + ")"))
            {
                error = $"'{entry}': {name}({role}) is given twice";
                return null;
            }

            var resource = name == "ports" ? Ranges(value) : Scalar(name, value);
            if (resource is null)
            {
                error = name == "ports"
                    ? $"'{entry}': ports take ranges such as [31000-31010,31020-31020]"
                    : name == "gpus" ? $"'{entry}': gpus take a whole number above 0" : $"'{entry}': {name} take a number above 0";
                return null;
            }

            resource.Reservations.Add(new Resource.Types.ReservationInfo { Type = Resource.Types.ReservationInfo.Types.Type.Static, Role = role });
            resources.Add(resource);
        }

        if (resources.Count == 0)
        {
            error = "no reserved resources given, expected NAME(ROLE):VALUE entries such as cpus(slave_public):2;mem(slave_public):1024";
            return null;
        }

        error = null;
        return resources;
    }

    /// <summary>
    /// Why the reservations do not fit the agents, or null: reserved ports must lie within the agents' port range
    /// (a Mesos agent cannot reserve what it does not have), and no port may be reserved for two roles.
    /// </summary>
    public static string? FitError(IReadOnlyList<Resource> reserved, (ulong Begin, ulong End) agentPorts)
    {
        var agents = RangeMath.ToRanges([agentPorts]);
        for (var i = 0; i < reserved.Count; i++)
        {
            if (reserved[i] is not { Name: "ports", Ranges: { } ranges } resource)
            {
                continue;
            }

            var role = resource.Reservations[^1].Role;
            if (RangeMath.Subtract(ranges, agents) is { Range.Count: > 0 } outside)
            {
                return $"ports {Describe(outside)} reserved for '{role}' are outside the agents' ports {agentPorts.Begin}-{agentPorts.End}";
            }

            for (var j = 0; j < i; j++)
            {
                if (reserved[j] is { Name: "ports", Ranges: { } other } && RangeMath.Intersect(other, ranges) is { Range.Count: > 0 } both)
                {
                    return $"ports {Describe(both)} are reserved for both '{reserved[j].Reservations[^1].Role}' and '{role}'";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// An agent's resources: its unreserved ones, each range or set resource less the reserved ones of its name (one
    /// reserved whole is not offered unreserved at all), then the reserved ones.
    /// </summary>
    public static List<Resource> AddTo(IReadOnlyList<Resource> unreserved, IReadOnlyList<Resource> reserved)
    {
        var total = new List<Resource>(unreserved.Count + reserved.Count);
        foreach (var resource in unreserved)
        {
            var left = resource;
            foreach (var taken in reserved)
            {
                if (taken.Name != left.Name || taken.Type != left.Type)
                {
                    continue;
                }

                if (left.Type == Value.Types.Type.Ranges)
                {
                    left = left.Clone();
                    left.Ranges = RangeMath.Subtract(left.Ranges, taken.Ranges);
                }
                else if (left.Type == Value.Types.Type.Set)
                {
                    var items = left.Set.Item.Except(taken.Set.Item, StringComparer.Ordinal).ToList();
                    left = left.Clone();
                    left.Set.Item.Clear();
                    left.Set.Item.AddRange(items);
                }
            }

            if (left is { Type: Value.Types.Type.Ranges, Ranges.Range.Count: 0 } or { Type: Value.Types.Type.Set, Set.Item.Count: 0 })
            {
                continue;
            }

            total.Add(left);
        }

        total.AddRange(reserved);
        return total;
    }

    private static string Describe(Value.Types.Ranges ranges) =>
        string.Join(",", ranges.Range.Select(r => r.Begin == r.End ? $"{r.Begin}" : $"{r.Begin}-{r.End}"));

    /// <summary>Why <paramref name="role"/> is no role a static reservation can name (Mesos <c>roles::validate</c>), or null.</summary>
    public static string? RoleError(string role)
    {
        if (role.Length == 0 || role == "*")
        {
            return $"a reservation needs a role other than '*', got '{role}'";
        }

        var parts = role.Split('/');
        if (parts.Any(p => p.Length == 0 || p is "." or ".." || p.StartsWith('-') || p.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '*')))
        {
            return $"role '{role}' is invalid: its parts, separated by '/', must be non-empty, not '.' or '..', not start with '-', and hold no '*' or blanks";
        }

        return null;
    }

    private static Resource? Scalar(string name, string text)
    {
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || !(value > 0) || !double.IsFinite(value)
            || (name == "gpus" && value != Math.Floor(value)))
        {
            return null;
        }

        return new Resource { Name = name, Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = value } };
    }

    private static Resource? Ranges(string text)
    {
        if (!text.StartsWith('[') || !text.EndsWith(']'))
        {
            return null;
        }

        var ranges = new Value.Types.Ranges();
        foreach (var part in text[1..^1].Split(','))
        {
            var bounds = part.Split('-');
            if (bounds.Length != 2
                || !ushort.TryParse(bounds[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var begin)
                || !ushort.TryParse(bounds[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var end)
                || begin == 0 || begin > end)
            {
                return null;
            }

            ranges.Range.Add(new Value.Types.Range { Begin = begin, End = end });
        }

        return new Resource { Name = "ports", Type = Value.Types.Type.Ranges, Ranges = ranges };
    }
}
