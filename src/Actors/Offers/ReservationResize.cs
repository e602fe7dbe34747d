using System.Globalization;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Resizing a reservation in place (a config update changed a task's cpus or mem): the pod keeps its reservation, with
/// the same resource id, and the difference is reserved from the offer's unreserved resources (RESERVE of the delta
/// with the same reservation labels, which Mesos merges into it) or given back (UNRESERVE of the delta). Pure.
/// </summary>
public static class ReservationResize
{
    private const double Epsilon = 1e-9;

    /// <summary>
    /// What resizing the reserved <paramref name="name"/> of one resource set to <paramref name="want"/> takes.
    /// </summary>
    /// <param name="set">The resource set, as explanations name it.</param>
    /// <param name="held">The set's reserved resources of that name (one, as the scheduler reserves them).</param>
    /// <param name="unreservedAvailable">Unreserved amount of that name the offer still has for growing.</param>
    public static Outcome Plan(string set, string name, IReadOnlyList<Resource> held, double want, double unreservedAvailable)
    {
        var have = held.Sum(Resources.Scalar);
        if (Math.Abs(have - want) <= Epsilon)
        {
            return new Outcome(true, $"PASS(ResourceEvaluationStage): {set} holds '{name}' {Format(have)} as its spec asks", null, null, 0);
        }

        if (held.Count != 1)
        {
            return new Outcome(false, $"FAIL(ResourceEvaluationStage): {set} holds '{name}' {Format(have)} in {held.Count} reservations; its spec asks {Format(want)} and only one reservation can be resized in place", null, null, 0);
        }

        var delta = want - have;
        var current = held[0];
        if (delta > 0 && unreservedAvailable + Epsilon < delta)
        {
            return new Outcome(false, $"FAIL(ResourceEvaluationStage): growing {set}'s reserved '{name}' from {Format(have)} to {Format(want)} needs more unreserved on this agent: {Format(delta)} needed, {Format(unreservedAvailable)} available", null, null, 0);
        }

        var part = WithAmount(current, Math.Abs(delta));
        var operation = delta > 0
            ? new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Reserve, Reserve = new Offer.Types.Operation.Types.Reserve { Resources = { part } } }
            : new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Unreserve, Unreserve = new Offer.Types.Operation.Types.Unreserve { Resources = { part } } };
        return new Outcome(
            true,
            $"PASS(ResourceEvaluationStage): {set}'s reserved '{name}' resized in place from {Format(have)} to {Format(want)} ({(delta > 0 ? "RESERVE" : "UNRESERVE")} {Format(Math.Abs(delta))}, resourceId {Resources.ResourceId(current)})",
            operation,
            WithAmount(current, want),
            Math.Max(delta, 0));
    }

    private static Resource WithAmount(Resource reserved, double amount)
    {
        var copy = reserved.Clone();
        copy.Scalar = new Value.Types.Scalar { Value = Math.Round(amount, 3) };
        return copy;
    }

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <param name="Explanation">One PASS/FAIL line.</param>
    /// <param name="Operation">The RESERVE or UNRESERVE of the difference; null when nothing changes.</param>
    /// <param name="Resized">The reservation as it is after the operation (the task's resource).</param>
    /// <param name="Grown">How much unreserved resource the operation takes from the offer.</param>
    public sealed record Outcome(bool Passed, string Explanation, Offer.Types.Operation? Operation, Resource? Resized, double Grown);
}
