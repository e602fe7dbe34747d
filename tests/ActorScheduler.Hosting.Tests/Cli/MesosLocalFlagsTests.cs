using System.CommandLine;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary><c>mesos-local</c>'s own options: what they set, and one error naming the option per bad or missing value.</summary>
public sealed class MesosLocalFlagsTests
{
    [Fact]
    public void The_flags_set_the_emulator_options()
    {
        var (parse, flags) = Parse(
            "--port", "0", "--agents", "5", "--host", "0.0.0.0", "--data-dir", "mesos", "--drop-updates", "0.25",
            "--duplicate-updates", "0.5", "--delay-updates", "0.25", "--update-delay-ms", "200", "--seed", "-7", "--kill-tasks-on-stop");

        Assert.Empty(parse.Errors);
        var options = flags.ToOptions(parse, ["bootstrap"]);
        Assert.Equal((0, 5, "0.0.0.0", Path.GetFullPath("mesos"), 7 * -1, true, "bootstrap"),
            (options.Port, options.Agents, options.Host, options.DataDir, options.Seed, options.KillTasksOnStop, Assert.Single(options.BootstrapCommand!)));
        Assert.Equal(new(0.25, 0.5, 0.25, TimeSpan.FromMilliseconds(200)), options.StatusUpdateFaults);
    }

    [Fact]
    public void Without_flags_the_defaults_hold()
    {
        var (parse, flags) = Parse();

        Assert.Empty(parse.Errors);
        var options = flags.ToOptions(parse, ["bootstrap"]);
        Assert.Equal((5050, 3, "127.0.0.1", Path.GetFullPath(".actorscheduler/mesos"), null, false),
            (options.Port, options.Agents, options.Host, options.DataDir, options.Seed, options.KillTasksOnStop));
        Assert.Equal(new(0, 0, 0, TimeSpan.FromSeconds(1)), options.StatusUpdateFaults);
    }

    [Theory]
    [InlineData("--port x", "--port expects a port from 0 to 65535, got 'x'")]
    [InlineData("--port 99999", "--port expects a port from 0 to 65535, got '99999'")]
    [InlineData("--port -1", "--port expects a port from 0 to 65535, got '-1'")]
    [InlineData("--agents x", "--agents expects a number of agents from 0 to 256000, got 'x'")]
    [InlineData("--agents -1", "--agents expects a number of agents from 0 to 256000, got '-1'")]
    [InlineData("--agents 1.5", "--agents expects a number of agents from 0 to 256000, got '1.5'")]
    [InlineData("--host nope", "--host expects an IP address such as 127.0.0.1 or 0.0.0.0, got 'nope'")]
    [InlineData("--data-dir ", "--data-dir expects a directory, got ''")]
    [InlineData("--drop-updates x", "--drop-updates expects a share from 0 to 1, got 'x'")]
    [InlineData("--drop-updates 2", "--drop-updates expects a share from 0 to 1, got '2'")]
    [InlineData("--duplicate-updates -0.1", "--duplicate-updates expects a share from 0 to 1, got '-0.1'")]
    [InlineData("--delay-updates NaN", "--delay-updates expects a share from 0 to 1, got 'NaN'")]
    [InlineData("--drop-updates 0.7 --duplicate-updates 0.7", "--drop-updates, --duplicate-updates and --delay-updates add up to 1.4; they must not exceed 1")]
    [InlineData("--update-delay-ms -5", "--update-delay-ms expects a duration from 0 to 1h (0: at once), got '-5'")]
    [InlineData("--update-delay-ms 3600001", "--update-delay-ms expects a duration from 0 to 1h (0: at once), got '3600001'")]
    [InlineData("--update-delay-ms 61m", "--update-delay-ms expects a duration from 0 to 1h (0: at once), got '61m'")]
    [InlineData("--update-delay-ms 0.5", "--update-delay-ms expects a duration of whole milliseconds (1.5s, not 0.5ms) (0: at once), got '0.5'")]
    [InlineData("--update-delay-ms soon", "--update-delay-ms expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), or a number of milliseconds (0: at once), got 'soon'")]
    [InlineData("--update-delay-ms 1S", "--update-delay-ms expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), or a number of milliseconds (0: at once), got '1S'")]
    [InlineData("--seed x", "--seed expects a whole number, got 'x'")]
    [InlineData("--seed 99999999999", "--seed expects a whole number, got '99999999999'")]
    public void A_bad_value_is_one_error_naming_the_option(string args, string expected)
    {
        var (parse, _) = Parse(args.Split(' '));

        Assert.Equal(expected, Assert.Single(parse.Errors).Message);
    }

    [Theory]
    [InlineData("200", 200)]
    [InlineData("0", 0)]
    [InlineData("3600000", 3_600_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("0s", 0)]
    public void The_update_delay_is_read_bare_as_milliseconds_and_with_its_unit_as_written(string value, int milliseconds)
    {
        var (parse, flags) = Parse("--update-delay-ms", value);

        Assert.Empty(parse.Errors);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), flags.ToOptions(parse, ["bootstrap"]).StatusUpdateFaults.Delay);
    }

    [Theory]
    [InlineData("--port")]
    [InlineData("--agents")]
    [InlineData("--host")]
    [InlineData("--data-dir")]
    [InlineData("--drop-updates")]
    [InlineData("--duplicate-updates")]
    [InlineData("--delay-updates")]
    [InlineData("--update-delay-ms")]
    [InlineData("--seed")]
    public void A_missing_value_is_one_error_naming_the_option(string option)
    {
        var (parse, _) = Parse(option);

        Assert.Contains($"'{option}'", Assert.Single(parse.Errors).Message, StringComparison.Ordinal);
    }

    private static (ParseResult Parse, MesosLocalFlags Flags) Parse(params string[] args)
    {
        var flags = new MesosLocalFlags();
        var command = new RootCommand();
        flags.AddTo(command);
        return (command.Parse(args), flags);
    }
}
