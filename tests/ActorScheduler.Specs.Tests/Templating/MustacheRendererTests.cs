using ActorScheduler.Specs.Templating;

namespace ActorScheduler.Specs.Tests.Templating;

public sealed class MustacheRendererTests
{
    private static readonly Dictionary<string, string> Values = new()
    {
        ["COUNT"] = "3",
        ["JSON"] = "[[\"hostname\", \"UNIQUE\"]]",
        ["ON"] = "TRUE",
        ["OFF"] = "false",
    };

    [Fact]
    public void Double_and_triple_braces_insert_the_raw_value()
    {
        var (text, problems) = MustacheRenderer.Render("count: {{COUNT}}\nplacement: '{{{JSON}}}' {{ COUNT }}", Values);

        Assert.Empty(problems);
        Assert.Equal("count: 3\nplacement: '[[\"hostname\", \"UNIQUE\"]]' 3", text);
    }

    [Fact]
    public void Sections_show_for_true_values_and_inverted_sections_for_the_rest()
    {
        var (text, problems) = MustacheRenderer.Render("{{#ON}}a{{/ON}}{{#OFF}}b{{/OFF}}{{^OFF}}c{{/OFF}}{{^ON}}d{{/ON}}{{#UNSET}}e{{/UNSET}}{{^UNSET}}f{{/UNSET}}", Values);

        Assert.Empty(problems);
        Assert.Equal("acf", text);
    }

    [Fact]
    public void Missing_values_are_all_reported_with_line_and_column()
    {
        var (_, problems) = MustacheRenderer.Render("a: {{A}}\nb:\n  c: {{C}}\n", Values);

        Assert.Equal(
            [new MustacheRenderer.Problem(1, 4, "missing value for 'A'"), new MustacheRenderer.Problem(3, 6, "missing value for 'C'")],
            problems);
    }

    [Fact]
    public void Missing_values_inside_hidden_sections_are_fine()
    {
        var (text, problems) = MustacheRenderer.Render("{{#OFF}}{{NOPE}}{{/OFF}}ok", Values);

        Assert.Empty(problems);
        Assert.Equal("ok", text);
    }

    [Theory]
    [InlineData("x: {{COUNT", 1, 4, "unclosed tag: expected '}}'")]
    [InlineData("{{#ON}}\nx", 1, 1, "section 'ON' is never closed: expected '{{/ON}}'")]
    [InlineData("x\n {{/ON}}", 2, 2, "closing tag '{{/ON}}' has no open section")]
    [InlineData("{{#ON}}{{/OFF}}{{/ON}}", 1, 8, "closing tag '{{/OFF}}' does not match open section 'ON'")]
    public void Malformed_tags_are_located(string template, int line, int column, string message)
    {
        var (_, problems) = MustacheRenderer.Render(template, Values);

        Assert.Contains(new MustacheRenderer.Problem(line, column, message), problems);
    }
}
