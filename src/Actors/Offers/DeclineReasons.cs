namespace ActorScheduler.Actors.Offers;

/// <summary>Why the offer router declined an offer: the words its records and <c>debug offers</c> give, and the counter it bumps.</summary>
/// <param name="Text">The reason as cycle records (<c>OfferCycleRecorded.declined</c>) and <c>GET /v2/debug/offers</c> give it.</param>
/// <param name="Metric">The counter (<see cref="SchedulerMetrics"/>) of the offers declined for it.</param>
public sealed record DeclineReason(string Text, string Metric);

/// <summary>Every reason the offer router declines an offer for, each with the filter it sends.</summary>
public static class DeclineReasons
{
    /// <summary>No pod waits, no claim is open, no reservation is being collected (long filter).</summary>
    public static readonly DeclineReason NothingToPlace = new("nothing to place or collect", "declines.nothing_to_place");

    /// <summary>Nothing to place, but the agent holds reservations a pod gave up, watched until they are gone (short filter).</summary>
    public static readonly DeclineReason WatchedForGivenUp = new("nothing to place; its agent holds reservations a pod gave up", "declines.given_up_watched");

    /// <summary>Nothing to place, but released reservations wait to be seen collected (short filter).</summary>
    public static readonly DeclineReason Collecting = new("nothing to place; released reservations wait to be collected", "declines.collecting");

    /// <summary>Pods wait (or claims are open), but the cycle placed none on the offer (short filter).</summary>
    public static readonly DeclineReason NotPlaced = new("no waiting pod placed on it", "declines.not_placed");

    /// <summary>
    /// A capped cycle kept what the pods still waiting need, and not this one: more than they need, or fitting none of
    /// them (short filter).
    /// </summary>
    public static readonly DeclineReason NotNeeded = new("not kept for the pods left", "declines.not_kept");

    /// <summary>Kept by a capped cycle, then left again by a cycle of newer offers (short filter).</summary>
    public static readonly DeclineReason PassedOver = new("kept, then passed over for newer offers", SchedulerMetrics.DeclinesPassedOver);

    /// <summary>A capped cycle that holds no offers (<see cref="OfferHoldMode.None"/>) left it (short filter, none for a waiting footprint's place).</summary>
    public static readonly DeclineReason CycleFull = new("the cycle placed as many pods as it may and holds no offers", "declines.cycle_full");

    /// <summary>The task states are not reconciled yet, and the offers kept for the first cycle are enough (short filter).</summary>
    public static readonly DeclineReason Reconciling = new("task states not reconciled yet", "declines.reconciling");

    /// <summary>Every pod given a claim on it refused it (short filter).</summary>
    public static readonly DeclineReason ClaimsRefused = new("every claim on it refused", "declines.claims_refused");

    /// <summary>All of them, in the order above.</summary>
    public static IReadOnlyList<DeclineReason> All { get; } =
        [NothingToPlace, WatchedForGivenUp, Collecting, NotPlaced, NotNeeded, PassedOver, CycleFull, Reconciling, ClaimsRefused];
}
