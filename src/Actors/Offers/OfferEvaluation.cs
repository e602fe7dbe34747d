using System.Collections.Immutable;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Offers;

/// <summary>A task info to record before the ACCEPT that launches it.</summary>
public sealed record TaskLaunch(string TaskName, TaskInfo Info);

/// <summary>The result of evaluating one offer for one requirement.</summary>
/// <param name="Explanation">PASS(stage)/FAIL(stage) lines, one per stage, in pipeline order.</param>
/// <param name="Operations">ACCEPT operations, in order (RESERVE → CREATE → LAUNCH_GROUP).</param>
/// <param name="Footprint">The pod's reserved resources after the ACCEPT.</param>
/// <param name="NewFootprint">The reservations are created by this ACCEPT (not yet seen to exist).</param>
public sealed record OfferEvaluation(
    bool Passed,
    ImmutableArray<string> Explanation,
    ImmutableArray<Offer.Types.Operation> Operations,
    ExecutorInfo? Executor,
    ImmutableArray<TaskLaunch> Tasks,
    ImmutableArray<Resource> Footprint,
    bool NewFootprint)
{
    public static OfferEvaluation Failed(IEnumerable<string> explanation) => new(
        false,
        explanation.ToImmutableArray(),
        ImmutableArray<Offer.Types.Operation>.Empty,
        null,
        ImmutableArray<TaskLaunch>.Empty,
        ImmutableArray<Resource>.Empty,
        false);

    /// <summary>The first failing line, for one-line summaries.</summary>
    public string? FailureReason => Passed ? null : Explanation.FirstOrDefault(l => l.StartsWith("FAIL", StringComparison.Ordinal));
}
