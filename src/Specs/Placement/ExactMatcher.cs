namespace ActorScheduler.Specs.Placement;

/// <summary>The value equals <see cref="Value"/> (ordinal, case-sensitive).</summary>
public sealed record ExactMatcher(string Value) : StringMatcher
{
    public override bool Matches(string? value) => value is not null && string.Equals(value, Value, StringComparison.Ordinal);

    public override string Describe() => $"IS:{Value}";
}
