using ActorScheduler.Specs.Templating;

namespace ActorScheduler.Specs.Tests.Templating;

public sealed class DefaultsFileTests
{
    [Fact]
    public void DefaultsFile_should_read_keys_values_comments_blank_lines_and_quotes()
    {
        var errors = new SpecErrorList();
        var values = DefaultsFile.Parse(
            "# comment\n\nA=1\n  B = two words \r\nC=\"quoted # not a comment\"\nD='single'\nE=\nF=a=b\nG=[[\"x\", \"y\"]]\n",
            "svc.env",
            errors);

        Assert.False(errors.HasErrors);
        Assert.Equal("1", values["A"]);
        Assert.Equal("two words", values["B"]);
        Assert.Equal("quoted # not a comment", values["C"]);
        Assert.Equal("single", values["D"]);
        Assert.Equal("", values["E"]);
        Assert.Equal("a=b", values["F"]);
        Assert.Equal("[[\"x\", \"y\"]]", values["G"]);
    }

    [Fact]
    public void DefaultsFile_should_report_every_bad_line_with_its_position()
    {
        var errors = new SpecErrorList();
        DefaultsFile.Parse("A=1\nnot a pair\n1X=2\nQ=\"open\nA=2\n", "svc.env", errors);

        Assert.Equal(
            [
                "svc.env:2:1: (line): expected KEY=VALUE, found 'not a pair'",
                "svc.env:3:1: 1X: expected a key of letters, digits and '_' not starting with a digit, found '1X'",
                "svc.env:4:3: Q: value starts with a quote but does not end with the same quote: \"open",
                "svc.env:5:1: A: duplicate key 'A'; it is already set on line 1",
            ],
            errors.ToImmutable().Select(e => e.ToString()));
    }

    [Fact]
    public void DefaultsFile_should_sit_beside_the_spec_with_the_env_extension()
    {
        Assert.Equal(Path.Combine("dir", "svc.env"), DefaultsFile.PathFor(Path.Combine("dir", "svc.yml")));
    }
}
