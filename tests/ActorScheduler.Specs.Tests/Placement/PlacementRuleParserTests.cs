using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Specs.Tests.Placement;

/// <summary>Every form and operator of Marathon-style constraints, printed back in rule form.</summary>
public sealed class PlacementRuleParserTests
{
    private static string Rule(string constraints, string? podType = "hello")
    {
        var result = PlacementRuleParser.Parse(constraints, podType);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Rule?.ToString() ?? "(none)";
    }

    private static string[] Errors(string constraints)
    {
        var result = PlacementRuleParser.Parse(constraints, "hello");
        Assert.Null(result.Rule);
        Assert.False(result.IsValid);
        return [.. result.Errors];
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[]")]
    [InlineData(" [ ] ")]
    public void Empty_constraints_should_be_no_rule(string? constraints)
    {
        var result = PlacementRuleParser.Parse(constraints);

        Assert.True(result.IsValid);
        Assert.Null(result.Rule);
    }

    [Theory]
    [InlineData("[[\"hostname\",\"UNIQUE\"]]")]
    [InlineData("[[\"hostname\", \"UNIQUE\"]]")]
    [InlineData("[\"hostname\",\"UNIQUE\"]")]
    [InlineData("hostname:UNIQUE")]
    [InlineData(" hostname : unique ")]
    [InlineData("@hostname:Unique")]
    public void All_three_forms_should_give_the_same_rule(string constraints)
    {
        Assert.Equal("hostname:UNIQUE", Rule(constraints));
    }

    [Fact]
    public void Rows_should_be_anded_in_every_form()
    {
        const string Expected = "AND(hostname:UNIQUE, @zone:GROUP_BY:3)";

        Assert.Equal(Expected, Rule("[[\"hostname\",\"UNIQUE\"],[\"@zone\",\"GROUP_BY\",\"3\"]]"));
        Assert.Equal(Expected, Rule("[[\"hostname\",\"UNIQUE\"],[\"@zone\",\"GROUP_BY\",3]]"));
        Assert.Equal(Expected, Rule("hostname:UNIQUE,@zone:GROUP_BY:3"));
    }

    [Theory]
    [InlineData("hostname:UNIQUE", "hostname:UNIQUE")]
    [InlineData("@zone:UNIQUE", "@zone:UNIQUE")]
    [InlineData("@region:UNIQUE", "@region:UNIQUE")]
    [InlineData("rack:UNIQUE", "AND(rack:PRESENT, rack:UNIQUE)")]
    [InlineData("hostname:CLUSTER:agent-1", "hostname:IS:agent-1")]
    [InlineData("rack:cluster:r1", "rack:IS:r1")]
    [InlineData("@zone:GROUP_BY", "@zone:GROUP_BY")]
    [InlineData("@region:GROUP_BY:2", "@region:GROUP_BY:2")]
    [InlineData("hostname:GROUP_BY", "hostname:GROUP_BY")]
    [InlineData("rack:GROUP_BY:4", "rack:GROUP_BY:4")]
    [InlineData("hostname:LIKE:agent-[0-9]+", "hostname:LIKE:agent-[0-9]+")]
    [InlineData("rack:UNLIKE:r[12]", "NOT(rack:LIKE:r[12])")]
    [InlineData("hostname:MAX_PER:2", "hostname:MAX_PER:2")]
    [InlineData("@zone:max_per:3", "@zone:MAX_PER:3")]
    [InlineData("rack:MAX_PER:1", "AND(rack:PRESENT, rack:UNIQUE)")]
    [InlineData("rack:MAX_PER:2", "AND(rack:PRESENT, rack:MAX_PER:2)")]
    [InlineData("@zone:IS:us-east-1a", "@zone:IS:us-east-1a")]
    [InlineData("@region:IS_NOT:eu", "@region:IS_NOT:eu")]
    [InlineData("gpu:is_not:true", "gpu:IS_NOT:true")]
    public void Each_operator_should_map_to_its_rule(string constraints, string expected)
    {
        Assert.Equal(expected, Rule(constraints));
    }

    [Fact]
    public void Counting_rules_should_count_the_given_pod_type()
    {
        var rule = PlacementRuleParser.Parse("hostname:MAX_PER:2,@zone:GROUP_BY", "hello").Rule;

        var and = Assert.IsType<AndRule>(rule);
        Assert.Equal(new MaxPerRule(PlacementField.Hostname, 2, "hello"), and.Rules[0]);
        Assert.Equal(new RoundRobinRule(PlacementField.Zone, null, "hello"), and.Rules[1]);
        Assert.Equal(new AndRule([and.Rules[0], and.Rules[1]]), rule);
    }

    [Fact]
    public void Backslash_should_escape_separators_in_the_colon_form()
    {
        var rule = PlacementRuleParser.Parse(@"os:LIKE:ubuntu\:2[24]\.04,zone\,name:IS:a\\b").Rule;

        var and = Assert.IsType<AndRule>(rule);
        Assert.Equal(new FieldMatchRule(PlacementField.Attribute("os"), new RegexMatcher(@"ubuntu:2[24]\.04")), and.Rules[0]);
        Assert.Equal(new FieldMatchRule(PlacementField.Attribute("zone,name"), new ExactMatcher(@"a\\b")), and.Rules[1]);
    }

    [Theory]
    [InlineData(@"rack:LIKE:rack-\d+", @"rack-\d+")]
    [InlineData(@"rack:LIKE:10\.0\.0\.[0-9]+", @"10\.0\.0\.[0-9]+")]
    [InlineData(@"rack:LIKE:a\,b\:c", "a,b:c")]
    [InlineData(@"rack:LIKE:a\\\\b", @"a\\\\b")]
    public void Backslash_should_stay_in_a_regular_expression_unless_it_escapes_a_separator(string text, string pattern)
    {
        Assert.Equal(new FieldMatchRule(PlacementField.Attribute("rack"), new RegexMatcher(pattern)), PlacementRuleParser.Parse(text).Rule);
    }

    [Fact]
    public void Backslash_at_the_end_should_stay()
    {
        Assert.Equal(new FieldMatchRule(PlacementField.Attribute("rack"), new ExactMatcher(@"a\")), PlacementRuleParser.Parse(@"rack:IS:a\").Rule);
    }

    [Fact]
    public void Json_values_should_keep_colons_and_commas()
    {
        Assert.Equal("rack:IS:a:b,c", Rule("[[\"rack\",\"IS\",\"a:b,c\"]]"));
    }

    [Fact]
    public void Invalid_result_should_turn_into_an_always_failing_rule()
    {
        var result = PlacementRuleParser.Parse("hostname:UNIQUE:x");

        var invalid = Assert.IsType<InvalidPlacementRule>(result.RuleOrInvalid("hostname:UNIQUE:x"));
        Assert.Equal("row 1 (hostname:UNIQUE:x): UNIQUE takes no parameter, found 'x'", invalid.Error);
        Assert.Null(PlacementRuleParser.Parse("[]").RuleOrInvalid("[]"));
    }

    public static TheoryData<string, string[]> BadConstraints => new()
    {
        { "hostname", ["row 1 (hostname): expected a field and an operator, found only 'hostname'"] },
        { "hostname:UNIQUE:x", ["row 1 (hostname:UNIQUE:x): UNIQUE takes no parameter, found 'x'"] },
        { "hostname:UNIQUE,rack:SPREAD", ["row 2 (rack:SPREAD): unknown operator 'SPREAD'; expected one of UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS, IS_NOT"] },
        { "rack:CLUSTER", ["row 1 (rack:CLUSTER): CLUSTER expects a parameter (a value) after the operator"] },
        { "rack:IS:", ["row 1 (rack:IS:): IS expects a parameter (a value) after the operator"] },
        { "rack:IS_NOT", ["row 1 (rack:IS_NOT): IS_NOT expects a parameter (a value) after the operator"] },
        { "rack:LIKE", ["row 1 (rack:LIKE): LIKE expects a parameter (a regular expression) after the operator"] },
        { "hostname:MAX_PER", ["row 1 (hostname:MAX_PER): MAX_PER expects a parameter (a number >= 1) after the operator"] },
        { "hostname:MAX_PER:0", ["row 1 (hostname:MAX_PER:0): MAX_PER expects a number >= 1, found '0'"] },
        { "@zone:GROUP_BY:three", ["row 1 (@zone:GROUP_BY:three): GROUP_BY expects a number >= 1, found 'three'"] },
        { "@zone:GROUP_BY:-1", ["row 1 (@zone:GROUP_BY:-1): GROUP_BY expects a number >= 1, found '-1'"] },
        { "a:IS:b:c", ["row 1 (a:IS:b:c): expected a field, an operator and at most one parameter, found 4 parts"] },
        { ":UNIQUE", ["row 1 (:UNIQUE): the field is empty; expected hostname, @zone, @region or an agent attribute name"] },
        { "hostname:UNIQUE,", ["row 2 is empty; expected field:OPERATOR[:parameter] between commas"] },
        { "hostname:UNIQUE,,rack:UNIQUE", ["row 2 is empty; expected field:OPERATOR[:parameter] between commas"] },
        {
            "hostname:MAX_PER:x,rack:NEAR",
            [
                "row 1 (hostname:MAX_PER:x): MAX_PER expects a number >= 1, found 'x'",
                "row 2 (rack:NEAR): unknown operator 'NEAR'; expected one of UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS, IS_NOT",
            ]
        },
        { "[[\"hostname\"]]", ["row 1 ([\"hostname\"]): expected a field and an operator, found only 'hostname'"] },
        { "[[\"hostname\",\"UNIQUE\"],\"rack\"]", ["row 2: expected a list such as [\"hostname\", \"UNIQUE\"], found the string \"rack\""] },
        { "[[\"hostname\",null]]", ["row 1 ([\"hostname\",null]): item 2 should be a string, found null"] },
        { "[[\"rack\",\"IS\"]]", ["row 1 ([\"rack\",\"IS\"]): IS expects a parameter (a value) after the operator"] },
        { "{\"hostname\":\"UNIQUE\"}", ["expected a JSON list of rows such as [[\"hostname\", \"UNIQUE\"]], found an object"] },
    };

    [Theory]
    [MemberData(nameof(BadConstraints))]
    public void Bad_constraints_should_say_which_row_which_token_and_what_was_expected(string constraints, string[] expected)
    {
        Assert.Equal(expected, Errors(constraints));
    }

    [Fact]
    public void Invalid_json_should_say_where()
    {
        var error = Assert.Single(Errors("[[\"hostname\",\"UNIQUE\"]"));

        Assert.StartsWith("expected a JSON list of rows such as [[\"hostname\", \"UNIQUE\"]], but the JSON is invalid at character ", error);
    }

    [Fact]
    public void Invalid_regular_expression_should_be_a_parse_error()
    {
        var error = Assert.Single(Errors("hostname:LIKE:agent-[0-9"));

        Assert.StartsWith("row 1 (hostname:LIKE:agent-[0-9): LIKE expects a regular expression, 'agent-[0-9' is not one: ", error);
    }

    [Theory]
    [InlineData("[[\"hostname\",\"UNIQUE\"],[\"@zone\",\"GROUP_BY\",\"3\"],[\"rack\",\"LIKE\",\"r[0-9]+\"]]")]
    [InlineData(@"hostname:MAX_PER:2,os:LIKE:ubuntu\:2[24]\.04,@region:IS_NOT:eu,rack:UNIQUE")]
    public void Parse_should_never_throw_on_any_prefix(string constraints)
    {
        for (var length = 0; length <= constraints.Length; length++)
        {
            var result = PlacementRuleParser.Parse(constraints[..length], "hello");

            Assert.True(result.IsValid || result.Rule is null, $"prefix {length}");
            Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e)));
        }
    }
}
