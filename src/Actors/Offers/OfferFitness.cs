using System.Globalization;

namespace ActorScheduler.Actors.Offers;

/// <summary>How the router chooses among the offers a new footprint fits.</summary>
public enum FitnessKind
{
    /// <summary>The first offer that passes, in the order offers came (the DC/OS SDK's behaviour; the fastest).</summary>
    FirstFit,

    /// <summary>
    /// Among the offers compared, the one the pod fills most (its cpus and mem share of what is left of the offer), away
    /// from instances of its own type, the two averaged: tight offers are used before roomy ones, which stay whole for
    /// large pods, and replicas stay apart when the fill is alike (Fenzo's cpu/mem bin packer; Nomad's binpack with its
    /// job anti-affinity).
    /// </summary>
    BinPack,

    /// <summary>
    /// Among the offers compared, the one whose agent, and zone, hold fewest instances of the pod's type and that has the
    /// most left over, the three averaged: replicas spread over agents and zones (Nomad's spread). An average, not an
    /// order: a roomy agent with one instance can outscore a tight empty one.
    /// </summary>
    Spread,
}

/// <summary>
/// How the router chooses among offers: <see cref="Kind"/>, comparing up to <see cref="Candidates"/> offers that fit
/// (each pod's comparison starting where the previous pod's stopped)
/// (kube-scheduler scores a sample of nodes too, and Fenzo stops at a good-enough fitness: scoring every offer of a
/// 10,000-agent batch for every pod costs more than it gains). An offer with a perfect score ends the search.
/// </summary>
public sealed record PlacementFitness(FitnessKind Kind, int Candidates)
{
    public const int DefaultCandidates = 16;

    /// <summary>Bin packing over up to <see cref="DefaultCandidates"/> offers that fit.</summary>
    public static PlacementFitness Default { get; } = new(FitnessKind.BinPack, DefaultCandidates);

    /// <summary>The first offer that passes.</summary>
    public static PlacementFitness FirstFit { get; } = new(FitnessKind.FirstFit, 1);

    /// <summary>Offers that fit compared for one pod: one for first-fit.</summary>
    public int Compared => Kind == FitnessKind.FirstFit ? 1 : Candidates;

    private static readonly OptionNames<FitnessKind> Named = new(
        (FitnessKind.BinPack, "binpack"), (FitnessKind.Spread, "spread"), (FitnessKind.FirstFit, "first-fit"));

    /// <summary>The names the CLI and docs use: <c>binpack</c>, <c>spread</c>, <c>first-fit</c>.</summary>
    public static IReadOnlyList<string> Names => Named.Names;

    public static string NameOf(FitnessKind kind) => Named.NameOf(kind);

    /// <summary>Parses a name of <see cref="Names"/> (case-insensitive).</summary>
    public static bool TryParse(string? text, out FitnessKind kind) => Named.TryParse(text, out kind);
}

/// <summary>A score of one offer for one new footprint, in [0, 1] (higher is better), and what it is made of.</summary>
/// <param name="Fill">The share of the offer's unreserved cpus and mem (their mean) the footprint takes.</param>
/// <param name="OnAgent">Instances of the pod's type already placed on the offer's agent (the pod itself left out).</param>
/// <param name="InZone">Those in the agent's zone; null when the agent has no zone.</param>
public readonly record struct FitnessScore(double Value, double Fill, int OnAgent, int? InZone)
{
    /// <summary>Nothing can score higher: the search can stop.</summary>
    public bool IsPerfect => Value >= 1 - 1e-9;
}

/// <summary>
/// Scores an offer for a new footprint (<see cref="FitnessKind"/>), pure: from the footprint's need, what is left of the
/// offer, and how many instances of the pod's type its agent and zone hold. Each part is in [0, 1]; the score is their
/// mean, so no part outweighs the others:
/// <list type="bullet">
/// <item>binpack: the fill, and 1 / (1 + instances of the type on the agent);</item>
/// <item>spread: 1 / (1 + instances on the agent), 1 / (1 + instances in the zone) when the agent has a zone, and
/// 1 − the fill.</item>
/// </list>
/// </summary>
public static class OfferFitness
{
    public static FitnessScore Score(FitnessKind kind, OfferFit.Scalars need, OfferFit.Scalars available, int onAgent, int? inZone)
    {
        var fill = (Share(need.Cpus, available.Cpus) + Share(need.Mem, available.Mem)) / 2;
        var apart = 1.0 / (1 + onAgent);
        var value = kind switch
        {
            FitnessKind.BinPack => (fill + apart) / 2,
            FitnessKind.Spread when inZone is { } zone => (apart + 1.0 / (1 + zone) + (1 - fill)) / 3,
            FitnessKind.Spread => (apart + (1 - fill)) / 2,
            _ => 1,
        };
        return new FitnessScore(value, fill, onAgent, inZone);
    }

    /// <summary>
    /// The explanation line of the chosen offer, e.g. <c>PASS(FitnessStage): binpack score 0.93: takes 0.86 of the
    /// offer's cpus and mem, 0 instances of its type on the agent; the best that passed of 16 offers compared</c>.
    /// </summary>
    public static string Explain(FitnessKind kind, FitnessScore score, int compared)
    {
        var zone = score.InZone is { } inZone ? string.Create(CultureInfo.InvariantCulture, $", {inZone} in its zone") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"PASS(FitnessStage): {PlacementFitness.NameOf(kind)} score {score.Value:0.###}: takes {score.Fill:0.###} of the offer's cpus and mem, " +
            $"{Instances(score.OnAgent)} of its type on the agent{zone}; the best that passed of {compared} offers compared");
    }

    private static string Instances(int count) => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? "instance" : "instances")}");

    // The share of what is available that the need takes, within [0, 1] (nothing needed of nothing: a whole fit).
    private static double Share(double need, double available) =>
        available <= 0 ? (need <= 0 ? 1 : 0) : Math.Clamp(need / available, 0, 1);
}
