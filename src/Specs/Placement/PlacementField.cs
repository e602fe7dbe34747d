namespace ActorScheduler.Specs.Placement;

/// <summary>What a rule looks at on an agent: its hostname, zone, region or one of its attributes.</summary>
public sealed record PlacementField
{
    private PlacementField(string name, bool isAttribute)
    {
        Name = name;
        IsAttribute = isAttribute;
    }

    public static PlacementField Hostname { get; } = new("hostname", false);

    public static PlacementField Zone { get; } = new("@zone", false);

    public static PlacementField Region { get; } = new("@region", false);

    /// <summary>As written in constraints: <c>hostname</c>, <c>@zone</c>, <c>@region</c> or the attribute name.</summary>
    public string Name { get; }

    public bool IsAttribute { get; }

    public static PlacementField Attribute(string name) => new(name, true);

    /// <summary>The agent's value of this field; null when it has none (no such attribute, no fault domain).</summary>
    public string? ValueOf(PlacementAgent agent)
    {
        if (IsAttribute)
        {
            return agent.Attributes.TryGetValue(Name, out var value) ? value : null;
        }

        return Name switch
        {
            "hostname" => agent.Hostname,
            "@zone" => agent.Zone,
            _ => agent.Region,
        };
    }

    public override string ToString() => Name;

    /// <summary>"agent-1", "zone a", "region r" or "rack:r1", for reasons.</summary>
    internal string DescribeValue(string value) => Name switch
    {
        _ when IsAttribute => $"{Name}:{value}",
        "hostname" => value,
        "@zone" => $"zone {value}",
        _ => $"region {value}",
    };

    internal string DescribeMissing(PlacementAgent agent) =>
        IsAttribute ? $"{agent.Hostname} has no attribute '{Name}'" : $"{agent.Hostname} has no {Name.TrimStart('@')}";
}
