using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Specs.Tests.Placement;

/// <summary><see cref="PlacementRule.References"/>: whether a rule looks at a field anywhere in its tree.</summary>
public sealed class PlacementRuleReferencesTests
{
    private static PlacementRule Parse(string constraints) => PlacementRuleParser.Parse(constraints, "hello").Rule!;

    [Theory]
    [InlineData("@zone:GROUP_BY:3", true, false)]
    [InlineData("@zone:UNIQUE", true, false)]
    [InlineData("@region:MAX_PER:2", false, true)]
    [InlineData("@region:IS:eu", false, true)]
    [InlineData("@zone:UNLIKE:eu-1.*", true, false)]
    [InlineData("hostname:UNIQUE,@zone:GROUP_BY", true, false)]
    [InlineData("hostname:UNIQUE,rack:GROUP_BY", false, false)]
    [InlineData("zone:CLUSTER:a", false, false)]
    public void Rule_should_tell_whether_it_references_zone_or_region(string constraints, bool zone, bool region)
    {
        var rule = Parse(constraints);

        Assert.Equal((zone, region), (rule.References(PlacementField.Zone), rule.References(PlacementField.Region)));
    }

    [Fact]
    public void Composite_rules_should_look_inside_every_branch()
    {
        var zoned = new OrRule([Parse("hostname:UNIQUE"), new NotRule(Parse("@zone:IS:a"))]);

        Assert.True(zoned.References(PlacementField.Zone));
        Assert.True(zoned.References(PlacementField.Hostname));
        Assert.False(zoned.References(PlacementField.Region));
        Assert.True(Parse("rack:UNIQUE").References(PlacementField.Attribute("rack")));
        Assert.False(new InvalidPlacementRule("@zone:SPREAD", "unknown operator").References(PlacementField.Zone));
    }
}
