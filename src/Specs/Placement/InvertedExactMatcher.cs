namespace ActorScheduler.Specs.Placement;

/// <summary>The value is missing or differs from <see cref="Value"/>.</summary>
public sealed record InvertedExactMatcher(string Value) : StringMatcher
{
    public override bool Matches(string? value) => !string.Equals(value, Value, StringComparison.Ordinal);

    public override string Describe() => $"IS_NOT:{Value}";
}
