using ActorScheduler.Bench;

namespace ActorScheduler.Bench.Tests;

public class BenchCliTests
{
    private static async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await BenchCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Help_lists_every_bench_on_standard_output()
    {
        var (exit, output, error) = await Run("--help");

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.All(BenchCli.Usages, u => Assert.Contains($"  {u.Bench} [", output));
    }

    [Fact]
    public async Task No_arguments_print_the_usage_as_an_error()
    {
        var (exit, output, error) = await Run();

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith("usage: ActorScheduler.Bench <bench> [options]", error);
    }

    [Theory]
    [InlineData("storm")]
    [InlineData("spec-load")]
    [InlineData("emulator")]
    public async Task A_bench_s_help_is_its_usage_alone_and_runs_nothing(string bench)
    {
        var (exit, output, _) = await Run(bench, "--pods", "3", "--help");

        Assert.Equal(0, exit);
        Assert.Contains($"  {bench} [", output);
        Assert.All(BenchCli.Usages.Where(u => u.Bench != bench), u => Assert.DoesNotContain($"  {u.Bench} [", output));
    }

    [Fact]
    public async Task An_unknown_bench_is_named_with_the_benches_there_are()
    {
        var (exit, output, error) = await Run("stom");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Equal("unknown bench 'stom' (benches: spec-load, emulator, storm; --help for their options)", error.Trim());
    }

    [Theory]
    [InlineData("storm", "--agent", "10000")]
    [InlineData("storm", "--runs", "0")]
    [InlineData("storm", "--allocation", "bogus")]
    [InlineData("storm", "--fitness", "best")]
    [InlineData("storm", "--fitness-candidates", "0")]
    [InlineData("storm", "--placement", "[[\"hostname\",\"NOPE\"]]")]
    [InlineData("storm", "--scale-in", "0")]
    [InlineData("storm", "--scale-in", "1000")]
    [InlineData("storm", "--decommission-parallelism", "0")]
    [InlineData("storm", "--offer-holding", "some")]
    [InlineData("spec-load", "--pods", "0")]
    [InlineData("emulator", "--cycles", "x")]
    public async Task A_bad_option_is_one_line_and_exit_2_before_anything_runs(string bench, string option, string value)
    {
        // A bench that ran would write its RESULT line to the output writer.
        var (exit, output, error) = await Run(bench, option, value);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        var lines = error.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{bench}: {option}", lines[0].Replace("unknown option ", ""));
        Assert.Equal($"usage: ActorScheduler.Bench {bench} --help", lines[1].Trim());
    }

    [Theory]
    [InlineData("--pods", "x")]
    [InlineData("--allocation", "bogus")]
    [InlineData("--placement", "[[\"hostname\",\"NOPE\"]]")]
    [InlineData("--offer-holding", "some")]
    public async Task Repeated_storms_check_every_value_before_the_first_run(string option, string value)
    {
        // Not each child process refusing it after the other: one line, exit 2, no run and no SUMMARY.
        var (exit, output, error) = await Run("storm", "--runs", "3", option, value);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith($"storm: {option}", error);
        Assert.DoesNotContain("run 1 of 3", error);
    }
}

public class BenchUsageTests
{
    public static TheoryData<string, string[]> DeclaredOptions => new()
    {
        { "storm", [.. StormBench.ValuedOptions, .. StormBench.Flags] },
        { "spec-load", SpecLoadBench.ValuedOptions },
        { "emulator", EmulatorBench.ValuedOptions },
    };

    [Theory]
    [MemberData(nameof(DeclaredOptions))]
    public void A_bench_s_usage_shows_every_option_it_takes(string bench, string[] options)
    {
        var usage = BenchCli.Usage(bench);

        Assert.All(options, o => Assert.Contains($"[{o}", usage));
    }
}
