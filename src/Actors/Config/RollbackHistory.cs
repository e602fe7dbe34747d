using System.Collections.Immutable;

namespace ActorScheduler.Actors.Config;

/// <summary>
/// The targets <c>update rollback</c> goes back to, as an undo stack: a target set by anything but a rollback (an
/// update, a restart with a changed spec file, a rollback <c>--to</c> an id) puts the target it replaces on top; a
/// rollback deploys the top again and takes it off, so the next rollback goes one further back instead of forward.
/// Rebuilt from the <c>TargetConfigSet</c> events, so it survives a restart.
/// </summary>
/// <param name="Targets">Config ids, the next to roll back to last.</param>
internal sealed record RollbackHistory(ImmutableList<string> Targets)
{
    public static RollbackHistory Empty { get; } = new(ImmutableList<string>.Empty);

    /// <summary>The config a rollback deploys again, or null when there is none left.</summary>
    public string? Next => Targets.IsEmpty ? null : Targets[^1];

    /// <summary>The history once the target moved away from <paramref name="previous"/> (null: there was none).</summary>
    /// <param name="rollback">The move was a rollback to <see cref="Next"/>.</param>
    public RollbackHistory Moved(string? previous, bool rollback) =>
        rollback ? (Targets.IsEmpty ? this : new(Targets.RemoveAt(Targets.Count - 1)))
        : previous is null ? this
        : new(Targets.Add(previous));
}
