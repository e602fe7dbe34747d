using ActorScheduler.Actors.Offers;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class OfferFitnessTests
{
    private static readonly OfferFit.Scalars Need = new(1, 1024, 100);

    [Fact]
    public void Binpack_prefers_the_offer_the_pod_fills_most()
    {
        var tight = OfferFitness.Score(FitnessKind.BinPack, Need, new OfferFit.Scalars(2, 2048, 1000), onAgent: 0, inZone: null);
        var roomy = OfferFitness.Score(FitnessKind.BinPack, Need, new OfferFit.Scalars(8, 16384, 1000), onAgent: 0, inZone: null);

        Assert.Equal(0.5, tight.Fill, 9);
        Assert.Equal((1.0 / 8 + 1024.0 / 16384) / 2, roomy.Fill, 9);
        Assert.True(tight.Value > roomy.Value);
    }

    [Fact]
    public void Binpack_scores_an_exact_fit_away_from_its_type_perfect_and_nothing_else()
    {
        var exact = OfferFitness.Score(FitnessKind.BinPack, Need, Need, onAgent: 0, inZone: null);
        var exactBesideOne = OfferFitness.Score(FitnessKind.BinPack, Need, Need, onAgent: 1, inZone: null);
        var almost = OfferFitness.Score(FitnessKind.BinPack, Need, new OfferFit.Scalars(1.01, 1024, 100), onAgent: 0, inZone: null);

        Assert.True(exact.IsPerfect);
        Assert.Equal(0.75, exactBesideOne.Value, 9);
        Assert.False(exactBesideOne.IsPerfect);
        Assert.False(almost.IsPerfect);
    }

    [Fact]
    public void Binpack_keeps_instances_of_a_type_apart_unless_the_fill_makes_up_for_it()
    {
        // Same fill: the agent without an instance of the type wins.
        var available = new OfferFit.Scalars(4, 4096, 1000);
        Assert.True(OfferFitness.Score(FitnessKind.BinPack, Need, available, 0, null).Value
            > OfferFitness.Score(FitnessKind.BinPack, Need, available, 1, null).Value);

        // An exact fit beside one instance (0.75) beats a quarter fill on an empty agent (0.625).
        Assert.True(OfferFitness.Score(FitnessKind.BinPack, Need, Need, 1, null).Value
            > OfferFitness.Score(FitnessKind.BinPack, Need, available, 0, null).Value);
    }

    [Fact]
    public void Spread_prefers_the_agent_then_the_zone_with_fewest_of_its_type_then_the_most_left_over()
    {
        var roomy = new OfferFit.Scalars(8, 8192, 1000);
        var tight = new OfferFit.Scalars(2, 2048, 1000);

        var emptyAgentBusyZone = OfferFitness.Score(FitnessKind.Spread, Need, roomy, onAgent: 0, inZone: 3);
        var emptyAgentEmptyZone = OfferFitness.Score(FitnessKind.Spread, Need, roomy, onAgent: 0, inZone: 0);
        var busyAgent = OfferFitness.Score(FitnessKind.Spread, Need, roomy, onAgent: 1, inZone: 1);
        var tightEmpty = OfferFitness.Score(FitnessKind.Spread, Need, tight, onAgent: 0, inZone: 0);

        Assert.True(emptyAgentEmptyZone.Value > emptyAgentBusyZone.Value);
        Assert.True(emptyAgentEmptyZone.Value > tightEmpty.Value);
        Assert.True(emptyAgentBusyZone.Value > busyAgent.Value);
        Assert.Equal((1 + 1 + (1 - 1.0 / 8)) / 3, emptyAgentEmptyZone.Value, 9);
    }

    [Fact]
    public void Spread_without_zones_weighs_the_agent_and_what_is_left_over()
    {
        var score = OfferFitness.Score(FitnessKind.Spread, Need, new OfferFit.Scalars(4, 4096, 1000), onAgent: 1, inZone: null);

        Assert.Equal((0.5 + 0.75) / 2, score.Value, 9);
        Assert.Null(score.InZone);
    }

    [Fact]
    public void A_share_of_nothing_counts_as_whole_when_nothing_is_needed_and_empty_otherwise()
    {
        var noMem = OfferFitness.Score(FitnessKind.BinPack, new OfferFit.Scalars(1, 0, 0), new OfferFit.Scalars(1, 0, 0), 0, null);
        var lacking = OfferFitness.Score(FitnessKind.BinPack, new OfferFit.Scalars(1, 10, 0), new OfferFit.Scalars(1, 0, 0), 0, null);

        Assert.Equal(1, noMem.Fill, 9);
        Assert.Equal(0.5, lacking.Fill, 9);
    }

    [Fact]
    public void The_explanation_names_the_kind_the_parts_and_how_many_offers_were_compared()
    {
        var score = OfferFitness.Score(FitnessKind.Spread, Need, new OfferFit.Scalars(4, 4096, 1000), onAgent: 1, inZone: 2);

        Assert.Equal(
            "PASS(FitnessStage): spread score 0.528: takes 0.25 of the offer's cpus and mem, 1 instance of its type on the agent, 2 in its zone; the best that passed of 7 offers compared",
            OfferFitness.Explain(FitnessKind.Spread, score, 7));
    }

    [Theory]
    [InlineData("binpack", FitnessKind.BinPack)]
    [InlineData("SPREAD", FitnessKind.Spread)]
    [InlineData("first-fit", FitnessKind.FirstFit)]
    public void Names_parse_case_insensitively_and_round_trip(string text, FitnessKind expected)
    {
        Assert.True(PlacementFitness.TryParse(text, out var kind));
        Assert.Equal(expected, kind);
        Assert.Contains(PlacementFitness.NameOf(kind), PlacementFitness.Names);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("firstfit")]
    [InlineData("best")]
    public void Other_names_do_not_parse(string? text) => Assert.False(PlacementFitness.TryParse(text, out _));

    [Fact]
    public void First_fit_compares_one_offer_whatever_the_candidates()
    {
        Assert.Equal(1, new PlacementFitness(FitnessKind.FirstFit, 32).Compared);
        Assert.Equal(32, new PlacementFitness(FitnessKind.BinPack, 32).Compared);
        Assert.Equal(PlacementFitness.DefaultCandidates, PlacementFitness.Default.Compared);
    }
}
