namespace ActorScheduler.Specs.Placement;

/// <summary>Matches the value of a <see cref="PlacementField"/>; a null value means the agent has no such value.</summary>
public abstract record StringMatcher
{
    public abstract bool Matches(string? value);

    /// <summary>The matcher in constraint form: <c>IS:p</c>, <c>IS_NOT:p</c>, <c>LIKE:re</c> or <c>PRESENT</c>.</summary>
    public abstract string Describe();

    public sealed override string ToString() => Describe();
}
