namespace ActorScheduler.Specs.Placement;

/// <summary>Any value, as long as the agent has one.</summary>
public sealed record AnyMatcher : StringMatcher
{
    private AnyMatcher()
    {
    }

    public static AnyMatcher Instance { get; } = new();

    public override bool Matches(string? value) => value is not null;

    public override string Describe() => "PRESENT";
}
