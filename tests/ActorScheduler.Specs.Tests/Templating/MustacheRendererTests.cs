using ActorScheduler.Specs.Templating;

namespace ActorScheduler.Specs.Tests.Templating;

public sealed class MustacheRendererTests
{
    private static (string? Text, string[] Errors) Render(string template, params (string Key, string Value)[] values)
    {
        var errors = new SpecErrorList();
        var parsed = MustacheParser.Parse(template, "svc.yml", errors);
        if (errors.HasErrors)
        {
            return (null, errors.ToImmutable().Select(e => e.ToString()).ToArray());
        }

        var rendered = MustacheRenderer.Render(parsed, values.ToDictionary(v => v.Key, v => v.Value), "svc.yml", errors);
        return (rendered.Text, errors.ToImmutable().Select(e => e.ToString()).ToArray());
    }

    [Fact]
    public void Renderer_should_replace_double_and_triple_brace_values_without_escaping()
    {
        var (text, errors) = Render("a: {{A}}\nb: '{{{B}}}'\nc: {{& C }}\n", ("A", "<1&2>"), ("B", "[[\"hostname\", \"UNIQUE\"]]"), ("C", "x"));

        Assert.Empty(errors);
        Assert.Equal("a: <1&2>\nb: '[[\"hostname\", \"UNIQUE\"]]'\nc: x\n", text);
    }

    [Fact]
    public void Renderer_should_trim_spaces_inside_tags()
    {
        Assert.Equal("v", Render("{{  A  }}", ("A", "v")).Text);
    }

    [Theory]
    [InlineData("true", "x: 1\ny: 2\n")]
    [InlineData("TRUE", "x: 1\ny: 2\n")]
    [InlineData("false", "y: 2\n")]
    [InlineData("FALSE", "y: 2\n")]
    [InlineData("", "y: 2\n")]
    [InlineData("yes", "x: 1\ny: 2\n")]
    [InlineData("ssd", "x: 1\ny: 2\n")]
    public void Renderer_should_render_a_section_when_its_value_is_true_or_a_non_empty_string(string value, string expected)
    {
        Assert.Equal(expected, Render("{{#ON}}\nx: 1\n{{/ON}}\ny: 2\n", ("ON", value)).Text);
    }

    [Fact]
    public void Renderer_should_treat_a_missing_section_value_as_false_without_error()
    {
        var (text, errors) = Render("{{#ON}}x: 1\n{{/ON}}{{^ON}}x: 0\n{{/ON}}");

        Assert.Empty(errors);
        Assert.Equal("x: 0\n", text);
    }

    [Theory]
    [InlineData("true", "")]
    [InlineData("/path/to/secret", "")]
    [InlineData("false", "x: 0\n")]
    [InlineData("", "x: 0\n")]
    public void Renderer_should_render_an_inverted_section_when_the_value_is_false_or_empty(string value, string expected)
    {
        Assert.Equal(expected, Render("{{^ON}}\nx: 0\n{{/ON}}\n", ("ON", value)).Text);
    }

    [Fact]
    public void Renderer_should_render_nested_sections_and_values_inside_them()
    {
        var template = "{{#A}}\n  {{#B}}\nboth: {{V}}\n  {{/B}}\n{{/A}}\nend\n";

        Assert.Equal("both: 7\nend\n", Render(template, ("A", "true"), ("B", "true"), ("V", "7")).Text);
        Assert.Equal("end\n", Render(template, ("A", "true"), ("B", "false"), ("V", "7")).Text);
    }

    [Fact]
    public void Renderer_should_keep_the_line_of_a_section_tag_that_is_not_alone_on_it()
    {
        Assert.Equal("a: 1 b\n", Render("a: {{#ON}}1{{/ON}} b\n", ("ON", "true")).Text);
    }

    [Fact]
    public void Renderer_should_drop_comments()
    {
        Assert.Equal("a: 1\n", Render("{{! a comment }}\na: 1\n").Text);
    }

    [Fact]
    public void Renderer_should_report_all_missing_values_together_with_their_positions()
    {
        var (_, errors) = Render("name: {{NAME}}\ncount: {{COUNT}}\n  cpus: {{CPUS}} # {{NAME}}\n", ("COUNT", "1"));

        Assert.Equal(
            [
                "svc.yml:1:7: (template): no value for 'NAME'; set it in the defaults file, the environment, or with -o NAME=VALUE",
                "svc.yml:3:9: (template): no value for 'CPUS'; set it in the defaults file, the environment, or with -o CPUS=VALUE",
                "svc.yml:3:20: (template): no value for 'NAME'; set it in the defaults file, the environment, or with -o NAME=VALUE",
            ],
            errors);
    }

    [Fact]
    public void Renderer_should_not_report_missing_values_inside_a_section_that_is_not_rendered()
    {
        Assert.Empty(Render("{{#ON}}\nx: {{X}}\n{{/ON}}\n").Errors);
    }

    [Fact]
    public void Parser_should_locate_an_unclosed_tag()
    {
        var (_, errors) = Render("a: 1\nb: {{B\nc: {{C}}\n", ("C", "1"));

        Assert.Equal(["svc.yml:2:4: (template): tag is not closed on its line; expected '}}'"], errors);
    }

    [Fact]
    public void Parser_should_locate_an_unclosed_triple_brace_tag()
    {
        var (_, errors) = Render("a: '{{{A}}'\n", ("A", "1"));

        Assert.Equal(["svc.yml:1:5: (template): tag is not closed on its line; expected '}}}'"], errors);
    }

    [Fact]
    public void Parser_should_locate_an_unclosed_section_at_its_opening_tag()
    {
        var (_, errors) = Render("a: 1\n  {{#ON}}\nb: 2\n");

        Assert.Equal(["svc.yml:2:3: (template): section {{#ON}} is never closed; expected {{/ON}}"], errors);
    }

    [Fact]
    public void Parser_should_report_a_close_tag_that_does_not_match_the_open_section()
    {
        var (_, errors) = Render("{{#A}}\nx\n{{/B}}\n");

        Assert.Equal(["svc.yml:3:1: (template): found {{/B}} but the open section is {{#A}} from line 1; expected {{/A}}"], errors);
    }

    [Fact]
    public void Parser_should_report_a_close_tag_without_section()
    {
        Assert.Equal(["svc.yml:1:3: (template): {{/A}} closes no open section"], Render("x {{/A}}").Errors);
    }

    [Theory]
    [InlineData("{{}}", "svc.yml:1:1: (template): empty tag; expected a value name such as {{HELLO_COUNT}}")]
    [InlineData("{{> part}}", "svc.yml:1:1: (template): partials ({{>name}}) are not supported")]
    [InlineData("{{A B}}", "svc.yml:1:1: (template): invalid value name 'A B'; expected letters, digits, '_', '.' or '-'")]
    public void Parser_should_reject_tags_it_does_not_support(string template, string error)
    {
        Assert.Equal([error], Render(template).Errors);
    }

    [Fact]
    public void Template_should_list_the_names_it_references_once_in_order()
    {
        var template = MustacheParser.Parse("{{B}} {{#A}}{{C}}{{B}}{{/A}} {{{D}}}", "svc.yml", new SpecErrorList());

        Assert.Equal(["B", "A", "C", "D"], template.ReferencedNames.ToArray());
    }
}
