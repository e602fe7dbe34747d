namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Why the offer router declines an offer: the reasons its cycle records (<c>OfferCycleRecorded.declined</c>) and
/// <c>GET /v2/debug/offers</c> give, each with the decline's filter.
/// </summary>
public static class DeclineReasons
{
    /// <summary>No pod waits, no claim is open, no reservation is being collected (long filter).</summary>
    public const string NothingToPlace = "nothing to place or collect";

    /// <summary>Nothing to place, but the agent holds reservations a pod gave up, watched until they are gone (short filter).</summary>
    public const string WatchedForGivenUp = "nothing to place; its agent holds reservations a pod gave up";

    /// <summary>Pods wait (or claims are open), but the cycle placed none on the offer (short filter).</summary>
    public const string NotPlaced = "no waiting pod placed on it";

    /// <summary>Nothing to place, but released reservations wait to be seen collected (short filter).</summary>
    public const string Collecting = "nothing to place; released reservations wait to be collected";

    /// <summary>
    /// A capped cycle kept what the pods still waiting need, and not this one: more than they need, or fitting none of
    /// them (short filter).
    /// </summary>
    public const string NotNeeded = "not kept for the pods left";

    /// <summary>Kept by a capped cycle, then left again by a cycle of newer offers (short filter).</summary>
    public const string PassedOver = "kept, then passed over for newer offers";

    /// <summary>A capped cycle that holds no offers (<see cref="OfferHoldMode.None"/>) left it (short filter, none for a waiting footprint's place).</summary>
    public const string CycleFull = "the cycle placed as many pods as it may and holds no offers";

    /// <summary>The task states are not reconciled yet, and the offers kept for the first cycle are enough (short filter).</summary>
    public const string Reconciling = "task states not reconciled yet";

    /// <summary>Every pod given a claim on it refused it (short filter).</summary>
    public const string ClaimsRefused = "every claim on it refused";
}
