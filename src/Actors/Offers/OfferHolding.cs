using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Which offers a capped cycle did not use the router keeps for its next cycles (the rest it declines). A declined offer
/// comes back only once its filter expires and the master allocates again — a Mesos master allocates every agent about
/// once a second, so a scheduler that keeps too few waits seconds for offers it had in hand — while each kept offer is
/// withheld from other frameworks until used. So the router keeps enough for the work left, estimated, with a margin:
/// <list type="bullet">
/// <item>every offer from a place (agent or host) where a waiting pod holds its footprint (only that place can take
/// it);</item>
/// <item>the newest offers until they hold room for <see cref="Margin"/> times the new footprints waiting — room counted
/// as copies of the first waiting new footprint's need that fit, at most as many an offer as the latest cycle that placed
/// new footprints of its pod type put on each offer it used for them (on average, rounded up; one before any was placed).
/// The cycle that claims on an offer accepts it, and what it leaves comes back only in a later offer; and a fitness that
/// spreads a pod type — the default, <c>binpack</c> — puts one or two on an offer where dozens would fit, so counting what
/// fits kept a few offers of a real master's batch of every agent and declined the rest for seconds. When that pod has a
/// placement rule, one an offer from an agent the rule admits now and none from one it refuses (an agent re-offered once
/// full);</item>
/// <item>and at least <see cref="Margin"/> times as many as the cycle accepted, of those with room for some new footprint
/// waiting.</item>
/// </list>
/// An offer with room for no new footprint waiting and from no place (agent or host) a waiting footprint is on is
/// declined: kept, it would be kept again by every cycle (nothing claims it), its answer and its OFFERS event's cycle
/// waiting for the end of the deploy.
/// Pure; the router calls it once a capped cycle, unless it holds no offers (<see cref="OfferHoldMode.None"/>).
/// </summary>
public static class OfferHolding
{
    /// <summary>How much more room than the estimate of the work left is kept.</summary>
    public const int Margin = 2;

    /// <summary>Which of <paramref name="unused"/> to keep.</summary>
    /// <param name="unused">The cycle's offers without a claim, oldest first.</param>
    /// <param name="accepted">How many offers the cycle accepted.</param>
    /// <param name="waiting">The requirements still waiting after the cycle, in the order the next cycle takes them.</param>
    /// <param name="claimsPerCycle">How many pods the next cycle claims at most.</param>
    /// <param name="admits">Whether a pod's placement rule admits the agent of an offer, as placed now.</param>
    /// <param name="podsPerOffer">How many new footprints of the first waiting one's pod type a cycle put on each offer it
    /// used for them (relaunches in place left out); null: as many an offer as fit, up to
    /// <paramref name="claimsPerCycle"/>.</param>
    public static bool[] Keep(
        IReadOnlyList<Offer> unused,
        int accepted,
        IEnumerable<(PodRequirement Requirement, OfferFit.Scalars Need)> waiting,
        int claimsPerCycle,
        Func<PodRequirement, Offer, bool> admits,
        Func<PodRequirement, int>? podsPerOffer = null)
    {
        var footprints = new FootprintPlaces();
        // The needs of the new footprints waiting, each once (a service has a few pod types): what an offer must fit one of.
        var needs = new HashSet<OfferFit.Scalars>();
        OfferFit.Scalars? firstNeed = null;
        PodRequirement? first = null;
        var firstRuled = false;
        var newFootprints = 0;
        foreach (var (requirement, need) in waiting)
        {
            if (requirement.Existing is { } existing)
            {
                footprints.Add(existing);
                continue;
            }

            newFootprints++;
            needs.Add(need);
            if (firstNeed is null)
            {
                firstNeed = need;
                first = requirement;
                firstRuled = requirement.Pod.Placement is not null;
            }
        }

        var perOffer = podsPerOffer is not null && first is not null ? Math.Clamp(podsPerOffer(first), 1, claimsPerCycle) : claimsPerCycle;
        var keep = new bool[unused.Count];
        var room = 0L;
        var kept = 0;
        // Newest first: an older offer is given up for a newer one, so while offers keep coming none is held for long; when
        // no more come (the master allocates once a second), the kept ones are what the next cycles place pods on.
        for (var i = unused.Count - 1; i >= 0; i--)
        {
            var offer = unused[i];
            if (footprints.Contains(offer))
            {
                keep[i] = true;
                continue;
            }

            var available = OfferFit.Unreserved(offer);
            if (!FitsAny(available, needs))
            {
                continue;
            }

            var floor = kept < Margin * accepted;
            var copies = 0L;
            if (room < (long)Margin * newFootprints && firstNeed is { } need)
            {
                copies = Math.Min(Copies(available, need), firstRuled ? 1 : perOffer);
                if (copies > 0 && firstRuled && !admits(first!, offer))
                {
                    copies = 0;
                }
            }

            if (floor || copies > 0)
            {
                keep[i] = true;
                kept++;
                room += copies;
            }
        }

        return keep;
    }

    /// <summary>
    /// The places waiting footprints are on: their agents, and their hosts (an agent restarted under a new id keeps its
    /// host name, and a footprint's offer may come from it, as <see cref="OfferFit.Skip"/> admits).
    /// </summary>
    public sealed class FootprintPlaces
    {
        private readonly HashSet<string> _agents = new(StringComparer.Ordinal);
        private readonly HashSet<string> _hosts = new(StringComparer.Ordinal);

        public FootprintPlaces()
        {
        }

        public FootprintPlaces(IEnumerable<PodRequirement> waiting)
        {
            foreach (var requirement in waiting)
            {
                if (requirement.Existing is { } existing)
                {
                    Add(existing);
                }
            }
        }

        public void Add(Footprint footprint)
        {
            _agents.Add(footprint.AgentId);
            _hosts.Add(footprint.Hostname);
        }

        public bool Contains(Offer offer) => _agents.Contains(offer.AgentId.Value) || _hosts.Contains(offer.Hostname);
    }

    private static bool FitsAny(OfferFit.Scalars available, HashSet<OfferFit.Scalars> needs)
    {
        foreach (var need in needs)
        {
            if (Copies(available, need) > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How many times <paramref name="need"/> fits in <paramref name="available"/> (a need of nothing fits once).</summary>
    public static long Copies(OfferFit.Scalars available, OfferFit.Scalars need)
    {
        var copies = Math.Min(Fits(available.Cpus, need.Cpus), Math.Min(Fits(available.Mem, need.Mem), Fits(available.Disk, need.Disk)));
        return copies == long.MaxValue ? 1 : copies;

        static long Fits(double has, double wants)
        {
            const double epsilon = 1e-9;
            return wants > epsilon ? (long)Math.Floor((has + epsilon) / wants) : long.MaxValue;
        }
    }
}

/// <summary>What a capped offer cycle does with the offers it leaves unclaimed (<c>run --offer-holding</c>).</summary>
public enum OfferHoldMode
{
    /// <summary>
    /// Keeps what the pods still waiting need for the next cycles (<see cref="OfferHolding"/>): the deploy goes on without
    /// waiting for the master to offer again, and an offer may wait a few cycles for its answer.
    /// </summary>
    Backlog,

    /// <summary>
    /// Declines them (short filter), as the DC/OS SDK declines whatever a cycle does not use: every offer is answered by
    /// the cycle it came in, for clusters shared with other frameworks; the pods still waiting take the next offers.
    /// </summary>
    None,
}

/// <summary>The names <c>run --offer-holding</c> and the bench take for <see cref="OfferHoldMode"/>.</summary>
public static class OfferHoldModes
{
    private static readonly OptionNames<OfferHoldMode> Named = new((OfferHoldMode.Backlog, "backlog"), (OfferHoldMode.None, "none"));

    public static IReadOnlyList<string> Names => Named.Names;

    public static string NameOf(OfferHoldMode mode) => Named.NameOf(mode);

    /// <summary>Parses a name of <see cref="Names"/> (case-insensitive).</summary>
    public static bool TryParse(string? text, out OfferHoldMode mode) => Named.TryParse(text, out mode);
}
