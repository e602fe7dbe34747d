using ActorScheduler.Bench;

namespace ActorScheduler.Bench.Tests;

public class BenchOptionsTests
{
    private static readonly string[] Valued = ["--pods", "--journal"];
    private static readonly string[] Flags = ["--no-restart"];

    [Fact]
    public void Declared_options_give_their_values_and_the_rest_their_fallbacks()
    {
        var options = BenchOptions.Parse(["--pods", "12", "--no-restart", "--journal", "/tmp/j.db"], Valued, Flags);

        Assert.Equal(12, options.Int("--pods", 5));
        Assert.Equal("/tmp/j.db", options.Text("--journal"));
        Assert.True(options.Has("--no-restart"));
        Assert.False(options.HelpRequested);

        var none = BenchOptions.Parse([], Valued, Flags);
        Assert.Equal(5, none.Int("--pods", 5));
        Assert.Null(none.Text("--journal"));
        Assert.False(none.Has("--no-restart"));
    }

    [Fact]
    public void An_unknown_option_is_refused_with_the_options_there_are()
    {
        // A typo must not run the bench with a default in its place.
        var e = Assert.Throws<BadOptionException>(() => BenchOptions.Parse(["--pod", "12"], Valued, Flags));

        Assert.Equal("unknown option --pod (options: --journal, --no-restart, --pods, --help)", e.Message);
    }

    [Fact]
    public void A_stray_word_is_refused()
    {
        var e = Assert.Throws<BadOptionException>(() => BenchOptions.Parse(["--pods", "1", "2"], Valued, Flags));

        Assert.StartsWith("unexpected argument '2'", e.Message);
    }

    [Fact]
    public void An_option_without_its_value_or_given_twice_is_refused()
    {
        Assert.Equal("--journal needs a value", Assert.Throws<BadOptionException>(() => BenchOptions.Parse(["--journal"], Valued, Flags)).Message);
        Assert.Equal("--pods is given twice", Assert.Throws<BadOptionException>(() => BenchOptions.Parse(["--pods", "1", "--pods", "2"], Valued, Flags)).Message);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("-3")]
    [InlineData("1.5")]
    [InlineData("+4")]
    [InlineData("0")]
    public void A_number_option_needs_a_whole_number_of_at_least_its_minimum(string value)
    {
        var options = BenchOptions.Parse(["--pods", value], Valued, Flags);

        var e = Assert.Throws<BadOptionException>(() => options.Int("--pods", 5, min: 1));
        Assert.Equal($"--pods needs a whole number of at least 1 (got '{value}')", e.Message);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_is_noticed_among_other_options(string help)
    {
        Assert.True(BenchOptions.Parse(["--pods", "3", help], Valued, Flags).HelpRequested);
    }
}
