using System.Collections.Immutable;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Specs.Tests.Placement;

/// <summary>
/// The placement index the counting rules read: kept up to date as pods are placed, moved and removed, it must always
/// say what a count over every placed task says; and a rule's quick <c>Admits</c> must always agree with its
/// <c>Evaluate</c>.
/// </summary>
public sealed class PlacedTasksTests
{
    private static readonly PlacementField[] Fields = [PlacementField.Hostname, PlacementField.Zone, PlacementField.Attribute("rack")];

    // Views are checked every few steps: often enough to see a value's count move up and down.
    private const int CheckEvery = 7;
    private static readonly string?[] Scopes = [null, "web"];

    private static PlacementAgent RandomAgent(Random random)
    {
        var host = random.Next(8);
        var attributes = random.Next(4) == 0
            ? ImmutableDictionary<string, string>.Empty
            : ImmutableDictionary<string, string>.Empty.Add("rack", $"r{host % 3}");
        var zone = random.Next(5) == 0 ? null : $"z{host % 3}";
        return new PlacementAgent($"agent-{host}", attributes, zone, zone is null ? null : "region-1");
    }

    private static string RandomInstance(Random random) => $"{(random.Next(2) == 0 ? "web" : "db")}-{random.Next(12)}";

    /// <summary>What the index must say: the distinct instances in scope per value, from every placed task.</summary>
    private static Dictionary<string, string[]> Count(IEnumerable<PlacedTask> placed, PlacementField field, string? scope) =>
        placed
            .Where(t => field.ValueOf(t.Agent) is not null && (scope is null || t.PodInstanceName.StartsWith(scope + "-", StringComparison.Ordinal)))
            .GroupBy(t => field.ValueOf(t.Agent)!)
            .ToDictionary(g => g.Key, g => g.Select(t => t.PodInstanceName).Distinct().Order(StringComparer.Ordinal).ToArray());

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Its_views_say_what_a_count_over_every_placed_task_says_through_placements_moves_and_removals(int seed)
    {
        var random = new Random(seed);
        var placed = new PlacedTasks();
        var truth = new Dictionary<string, PlacedTask>(StringComparer.Ordinal);
        for (var step = 0; step < 400; step++)
        {
            var instance = RandomInstance(random);
            if (random.Next(4) == 0)
            {
                Assert.Equal(truth.Remove(instance), placed.Remove(instance));
            }
            else
            {
                var task = new PlacedTask(instance, RandomAgent(random));
                truth[instance] = task;
                placed.Set(task);
            }

            // Views come into being at different moments: some follow most changes, some are built late.
            if (step % CheckEvery == 0 || step == 399)
            {
                foreach (var field in Fields)
                {
                    foreach (var scope in Scopes)
                    {
                        var view = placed.InstancesByValue(field, scope);
                        var expected = Count(truth.Values, field, scope);
                        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), view.Keys.Order(StringComparer.Ordinal));
                        Assert.All(expected, pair => Assert.Equal(pair.Value, view[pair.Key].ToArray()));

                        // The spread of the values, leaving out a placed pod, one not placed, or none.
                        foreach (var excluding in new[] { null, RandomInstance(random), truth.Keys.ElementAtOrDefault(random.Next(Math.Max(truth.Count, 1))) })
                        {
                            var counts = Count(truth.Values.Where(t => t.PodInstanceName != excluding), field, scope).Values.Select(v => v.Length).ToList();
                            Assert.Equal((counts.Count, counts.Count == 0 ? 0 : counts.Min()), placed.Spread(field, scope, excluding));

                            // The count at each value (and at one nobody holds), as the fitness score asks it.
                            var without = Count(truth.Values.Where(t => t.PodInstanceName != excluding), field, scope);
                            foreach (var value in expected.Keys.Append("nowhere"))
                            {
                                Assert.Equal(without.TryGetValue(value, out var there) ? there.Length : 0, placed.CountAt(field, scope, value, excluding));
                            }
                        }
                    }
                }
            }
        }

        Assert.Equal(truth.Count, placed.Count);
    }

    [Fact]
    public void Two_views_of_an_agent_are_the_same_place_when_every_field_agrees()
    {
        PlacementAgent Agent(string rack, string? zone = "z1") =>
            new("a.local", ImmutableDictionary<string, string>.Empty.Add("rack", rack), zone, "r1");

        // Built twice, as two offers of one agent are: equal dictionaries, not the same one.
        Assert.True(Agent("r1").SamePlaceAs(Agent("r1")));
        Assert.False(Agent("r1").SamePlaceAs(Agent("r2")));
        Assert.False(Agent("r1").SamePlaceAs(Agent("r1", zone: "z2")));
        Assert.False(Agent("r1").SamePlaceAs(PlacementAgent.OnHost("a.local")));
    }

    [Fact]
    public void A_rules_quick_answer_agrees_with_its_evaluation_for_every_rule_agent_and_placement()
    {
        string[] constraints =
        [
            "hostname:UNIQUE",
            "hostname:MAX_PER:2",
            "@zone:GROUP_BY",
            "@zone:GROUP_BY:3",
            "hostname:GROUP_BY",
            "rack:GROUP_BY:3",
            "rack:MAX_PER:1",
            "rack:CLUSTER:r1",
            "hostname:LIKE:agent-[0-3]",
            "[[\"rack\", \"UNLIKE\", \"r2\"], [\"@zone\", \"MAX_PER\", \"3\"]]",
        ];
        var rules = constraints.Select(c => PlacementRuleParser.Parse(c, "web").Rule!).ToList();
        rules.Add(new OrRule([rules[0], rules[6]]));
        rules.Add(new NotRule(rules[1]));
        var random = new Random(7);
        var (admitted, refused) = (0, 0);
        for (var round = 0; round < 60; round++)
        {
            var placed = new PlacedTasks(Enumerable.Range(0, random.Next(20)).Select(_ => new PlacedTask(RandomInstance(random), RandomAgent(random))));
            var candidate = RandomAgent(random);
            var excluding = random.Next(2) == 0 ? RandomInstance(random) : null;
            foreach (var rule in rules)
            {
                var context = new PlacementContext(candidate, placed, excluding);
                var admits = rule.Admits(context);
                Assert.True(rule.Evaluate(context).Passed == admits, $"{rule} on {candidate.Hostname}: {rule.Evaluate(context)}");
                _ = admits ? admitted++ : refused++;
            }
        }

        // Both answers came up often: the random contexts tested both sides of every check.
        Assert.True(admitted > 100 && refused > 100, $"{admitted} admitted, {refused} refused");
    }

    [Fact]
    public void A_refusal_said_to_be_stable_holds_as_more_pods_are_placed()
    {
        string[] stable = ["hostname:UNIQUE", "hostname:MAX_PER:2", "rack:CLUSTER:r1", "hostname:LIKE:agent-[0-3]", "[[\"rack\", \"UNLIKE\", \"r2\"], [\"@zone\", \"MAX_PER\", \"3\"]]"];
        string[] unstable = ["@zone:GROUP_BY", "rack:GROUP_BY:3"];
        var rules = stable.Select(c => PlacementRuleParser.Parse(c, "web").Rule!).ToList();
        Assert.All(rules, rule => Assert.True(rule.RefusalIsStable, rule.ToString()));
        Assert.All(unstable, c => Assert.False(PlacementRuleParser.Parse(c, "web").Rule!.RefusalIsStable, c));
        Assert.False(new NotRule(rules[0]).RefusalIsStable);
        Assert.True(new NotRule(rules[2]).RefusalIsStable);
        Assert.True(new OrRule([rules[0], rules[2]]).RefusalIsStable);
        Assert.False(new OrRule([rules[0], PlacementRuleParser.Parse("@zone:GROUP_BY", "web").Rule!]).RefusalIsStable);

        var random = new Random(11);
        var refusals = 0;
        for (var round = 0; round < 200; round++)
        {
            var placed = new PlacedTasks(Enumerable.Range(0, random.Next(12)).Select(i => new PlacedTask($"web-{i}", RandomAgent(random))));
            var candidate = RandomAgent(random);
            foreach (var rule in rules.Where(r => !r.Admits(new PlacementContext(candidate, placed, "web-99"))))
            {
                refusals++;
                // More pods placed, none moved: still refused.
                var more = new PlacedTasks(placed.All.Concat(Enumerable.Range(100, random.Next(1, 6)).Select(i => new PlacedTask($"web-{i}", RandomAgent(random)))));
                Assert.False(rule.Admits(new PlacementContext(candidate, more, "web-99")), $"{rule} admitted {candidate.Hostname} once more pods were placed");
            }
        }

        Assert.True(refusals > 50, $"only {refusals} refusals: the test checked little");
    }

    [Fact]
    public void The_pod_being_placed_does_not_count_against_itself()
    {
        var agent = PlacementAgent.OnHost("agent-1.local");
        var placed = new PlacedTasks([new PlacedTask("web-0", agent)]);
        var unique = PlacementRuleParser.Parse("hostname:UNIQUE", "web").Rule!;

        Assert.Equal("FAIL: hostname:UNIQUE — agent-1.local already runs web-0", unique.Evaluate(new PlacementContext(agent, placed, "web-1")).ToString());
        Assert.Equal("PASS: hostname:UNIQUE — agent-1.local runs 0 of at most 1", unique.Evaluate(new PlacementContext(agent, placed, "web-0")).ToString());
        Assert.True(unique.Admits(new PlacementContext(agent, placed, "web-0")));
    }
}
