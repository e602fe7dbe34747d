using System.Collections.Immutable;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Specs.Tests.Placement;

/// <summary>How parsed rules decide on a candidate agent given where the service's tasks already are.</summary>
public sealed class PlacementRuleEvaluationTests
{
    private static PlacementAgent Agent(string hostname, string? zone = null, params (string Name, string Value)[] attributes) =>
        new(hostname, attributes.ToImmutableDictionary(a => a.Name, a => a.Value), zone, zone is null ? null : "region-1");

    private static PlacedTask On(string podInstance, PlacementAgent agent) => new(podInstance, agent);

    private static PlacementDecision Evaluate(string constraints, PlacementAgent candidate, params PlacedTask[] placed)
    {
        var rule = PlacementRuleParser.Parse(constraints, "hello").Rule;
        Assert.NotNull(rule);
        return rule.Evaluate(new PlacementContext(candidate, [.. placed]));
    }

    private static readonly PlacementAgent _agent1 = Agent("agent-1.local", "zone-a", ("rack", "r1"));
    private static readonly PlacementAgent _agent2 = Agent("agent-2.local", "zone-b", ("rack", "r2"));
    private static readonly PlacementAgent _agent3 = Agent("agent-3.local", "zone-c", ("rack", "r1"));

    [Fact]
    public void Unique_hostname_should_pass_on_an_empty_agent()
    {
        Assert.Equal("PASS: hostname:UNIQUE — agent-1.local runs 0 of at most 1", Evaluate("hostname:UNIQUE", _agent1).ToString());
    }

    [Fact]
    public void Unique_hostname_should_fail_where_the_pod_type_already_runs()
    {
        var decision = Evaluate("hostname:UNIQUE", _agent1, On("hello-0", _agent1), On("hello-0", _agent1), On("hello-1", _agent2));

        Assert.False(decision.Passed);
        Assert.Equal("FAIL: hostname:UNIQUE — agent-1.local already runs hello-0", decision.ToString());
    }

    [Fact]
    public void Unique_should_ignore_other_pod_types()
    {
        var decision = Evaluate("hostname:UNIQUE", _agent1, On("world-0", _agent1), On("hello-world-0", _agent1));

        Assert.True(decision.Passed, decision.ToString());
    }

    [Fact]
    public void Unique_attribute_should_need_the_attribute_and_one_instance_per_value()
    {
        Assert.Equal("FAIL: rack:PRESENT — agent-9 has no attribute 'rack'", Evaluate("rack:UNIQUE", Agent("agent-9")).ToString());
        Assert.Equal("FAIL: rack:UNIQUE — rack:r1 already runs hello-0", Evaluate("rack:UNIQUE", _agent3, On("hello-0", _agent1)).ToString());
        Assert.True(Evaluate("rack:UNIQUE", _agent2, On("hello-0", _agent1)).Passed);
    }

    [Fact]
    public void Max_per_two_should_allow_two_instances_per_value()
    {
        Assert.True(Evaluate("hostname:MAX_PER:2", _agent1, On("hello-0", _agent1)).Passed);
        Assert.Equal(
            "FAIL: hostname:MAX_PER:2 — agent-1.local already runs 2 of at most 2: hello-0, hello-1",
            Evaluate("hostname:MAX_PER:2", _agent1, On("hello-1", _agent1), On("hello-0", _agent1)).ToString());
        Assert.Equal(
            "FAIL: rack:MAX_PER:2 — rack:r1 already runs 2 of at most 2: hello-0, hello-2",
            Evaluate("rack:MAX_PER:2", _agent3, On("hello-0", _agent1), On("hello-2", _agent3)).ToString());
    }

    [Fact]
    public void Max_per_of_an_attribute_should_refuse_agents_without_the_attribute()
    {
        Assert.Equal("FAIL: rack:PRESENT — agent-9 has no attribute 'rack'", Evaluate("rack:MAX_PER:2", Agent("agent-9")).ToString());
        Assert.True(Evaluate("rack:MAX_PER:2", _agent3, On("hello-0", _agent1)).Passed);
    }

    [Fact]
    public void Max_per_should_pass_agents_without_the_value()
    {
        Assert.Equal(
            "PASS: @zone:UNIQUE — agent-9 has no zone; no limit applies",
            Evaluate("@zone:MAX_PER:1", Agent("agent-9"), On("hello-0", Agent("agent-8"))).ToString());
    }

    [Fact]
    public void Group_by_zone_three_should_spread_over_unused_zones_first()
    {
        var inA = On("hello-0", _agent1);

        Assert.Equal("PASS: @zone:GROUP_BY:3 — zone zone-a has no instances yet", Evaluate("@zone:GROUP_BY:3", _agent1).ToString());
        Assert.Equal(
            "FAIL: @zone:GROUP_BY:3 — zone zone-a already has hello-0 while only 1 of 3 values are used",
            Evaluate("@zone:GROUP_BY:3", _agent1 with { Hostname = "agent-4.local" }, inA).ToString());
        Assert.True(Evaluate("@zone:GROUP_BY:3", _agent2, inA).Passed);
        Assert.True(Evaluate("@zone:GROUP_BY:3", _agent3, inA, On("hello-1", _agent2)).Passed);
        Assert.True(Evaluate("@zone:GROUP_BY:3", _agent1, inA, On("hello-1", _agent2), On("hello-2", _agent3)).Passed);
        Assert.Equal(
            "FAIL: @zone:GROUP_BY:3 — zone zone-a already has 2 (hello-0, hello-3) while zone zone-b has 1",
            Evaluate("@zone:GROUP_BY:3", _agent1, inA, On("hello-1", _agent2), On("hello-2", _agent3), On("hello-3", _agent1)).ToString());
    }

    [Fact]
    public void Group_by_without_a_count_should_only_balance_the_values_it_has_seen()
    {
        Assert.True(Evaluate("@zone:GROUP_BY", _agent1, On("hello-0", _agent1)).Passed);
        Assert.False(Evaluate("@zone:GROUP_BY", _agent1, On("hello-0", _agent1), On("hello-1", _agent1), On("hello-2", _agent2)).Passed);
        Assert.Equal("FAIL: rack:GROUP_BY — agent-9 has no attribute 'rack'", Evaluate("rack:GROUP_BY", Agent("agent-9")).ToString());
    }

    [Theory]
    [InlineData("hostname:LIKE:agent-[0-9]\\.local", "agent-1.local", true)]
    [InlineData("hostname:LIKE:agent-[0-9]", "agent-1.local", false)]
    [InlineData("hostname:LIKE:gent-1\\.local", "agent-1.local", false)]
    [InlineData("hostname:LIKE:agent-1\\.local|other", "agent-1.local", true)]
    [InlineData("hostname:UNLIKE:agent-[0-9]\\.local", "agent-1.local", false)]
    [InlineData("hostname:UNLIKE:agent-[0-9]", "agent-1.local", true)]
    public void Like_and_unlike_should_match_the_whole_value(string constraints, string hostname, bool passes)
    {
        Assert.Equal(passes, Evaluate(constraints, Agent(hostname)).Passed);
    }

    [Fact]
    public void Like_should_fail_and_unlike_pass_without_the_attribute()
    {
        Assert.Equal("FAIL: rack:LIKE:r.* — agent-9 has no attribute 'rack'", Evaluate("rack:LIKE:r.*", Agent("agent-9")).ToString());
        Assert.Equal(
            "PASS: NOT(rack:LIKE:r.*) — rack:LIKE:r.* fails: agent-9 has no attribute 'rack'",
            Evaluate("rack:UNLIKE:r.*", Agent("agent-9")).ToString());
    }

    [Fact]
    public void Cluster_should_require_the_exact_value()
    {
        Assert.Equal("PASS: rack:IS:r1 — agent-1.local has rack:r1", Evaluate("rack:CLUSTER:r1", _agent1).ToString());
        Assert.Equal("FAIL: rack:IS:r1 — agent-2.local has rack:r2", Evaluate("rack:CLUSTER:r1", _agent2).ToString());
        Assert.False(Evaluate("rack:CLUSTER:R1", _agent1).Passed);
        Assert.True(Evaluate("hostname:CLUSTER:agent-2.local", _agent2).Passed);
    }

    [Fact]
    public void Is_and_is_not_should_compare_zone_region_and_attributes()
    {
        Assert.True(Evaluate("@zone:IS:zone-a", _agent1).Passed);
        Assert.False(Evaluate("@zone:IS:zone-a", _agent2).Passed);
        Assert.False(Evaluate("@zone:IS:zone-a", Agent("agent-9")).Passed);
        Assert.True(Evaluate("@region:IS:region-1", _agent1).Passed);
        Assert.Equal("FAIL: @zone:IS_NOT:zone-a — agent-1.local has zone zone-a", Evaluate("@zone:IS_NOT:zone-a", _agent1).ToString());
        Assert.True(Evaluate("@zone:IS_NOT:zone-a", _agent2).Passed);
        Assert.True(Evaluate("rack:IS_NOT:r1", Agent("agent-9")).Passed);
    }

    [Fact]
    public void And_should_report_the_first_failing_rule()
    {
        var decision = Evaluate("@zone:IS:zone-a,hostname:UNIQUE", _agent1, On("hello-0", _agent1));

        Assert.Equal("FAIL: hostname:UNIQUE — agent-1.local already runs hello-0", decision.ToString());
        Assert.Equal("PASS: AND(@zone:IS:zone-a, hostname:UNIQUE) — all 2 rules pass", Evaluate("@zone:IS:zone-a,hostname:UNIQUE", _agent1).ToString());
    }

    [Fact]
    public void Or_and_not_should_compose()
    {
        var inRack1 = new FieldMatchRule(PlacementField.Attribute("rack"), new ExactMatcher("r1"));
        var inZoneB = new FieldMatchRule(PlacementField.Zone, new ExactMatcher("zone-b"));
        var either = new OrRule([inRack1, inZoneB]);
        var neither = new NotRule(either);
        var onAgent9 = new PlacementContext(Agent("agent-9", "zone-c", ("rack", "r3")), []);

        Assert.Equal("PASS: OR(rack:IS:r1, @zone:IS:zone-b) — @zone:IS:zone-b passes: agent-2.local has zone zone-b",
            either.Evaluate(new PlacementContext(_agent2, [])).ToString());
        Assert.Equal("FAIL: OR(rack:IS:r1, @zone:IS:zone-b) — no rule passes (rack:IS:r1: agent-9 has rack:r3; @zone:IS:zone-b: agent-9 has zone zone-c)",
            either.Evaluate(onAgent9).ToString());
        Assert.True(neither.Evaluate(onAgent9).Passed);
        Assert.False(neither.Evaluate(new PlacementContext(_agent1, [])).Passed);
        Assert.False(new OrRule([]).Evaluate(onAgent9).Passed);
        Assert.True(new AndRule([]).Evaluate(onAgent9).Passed);
    }

    [Fact]
    public void Invalid_rule_should_always_fail()
    {
        var rule = new InvalidPlacementRule("hostname:SPREAD", "unknown operator 'SPREAD'");

        Assert.Equal("FAIL: INVALID('hostname:SPREAD') — the placement constraint is invalid: unknown operator 'SPREAD'",
            rule.Evaluate(new PlacementContext(_agent1, [])).ToString());
    }

    [Fact]
    public void Counting_without_a_pod_type_should_count_the_whole_service()
    {
        var rule = new MaxPerRule(PlacementField.Hostname, 1);

        Assert.False(rule.Evaluate(new PlacementContext(_agent1, [On("world-0", _agent1)])).Passed);
    }
}
