using ActorScheduler.Hosting.Audit;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>
/// The one reading of a duration as an operator types it (<see cref="DurationText"/>), and its one writing: what it
/// takes, what it refuses and how each refusal reads.
/// </summary>
public sealed class DurationTextTests
{
    private static readonly DurationText.Bounds Day = new(TimeSpan.FromDays(1));

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("7s", 7_000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0.25h", 900_000)]
    [InlineData("2.5ms", null)]
    [InlineData(" 7s ", 7_000)]
    [InlineData("24h", 86_400_000)]
    public void A_number_and_its_unit_is_read_with_decimals_for_every_unit_down_to_whole_milliseconds(string text, int? milliseconds)
    {
        var value = DurationText.Parse(text, "--opt", Day, out var error);

        if (milliseconds is { } ms)
        {
            Assert.Null(error);
            Assert.Equal(TimeSpan.FromMilliseconds(ms), value);
        }
        else
        {
            Assert.Null(value);
            Assert.Equal($"--opt expects a duration of whole milliseconds (1.5s, not 0.5ms), got '{text}'", error);
        }
    }

    [Theory]
    [InlineData("7", ", a number without its unit")]
    [InlineData("1.5", ", a number without its unit")]
    [InlineData("1 sec", "")]
    [InlineData("1 s", "")]
    [InlineData("7sec", "")]
    [InlineData("1S", "")]
    [InlineData("1M", "")]
    [InlineData("1m30s", "")]
    [InlineData(".5s", "")]
    [InlineData("1.s", "")]
    [InlineData("+5s", "")]
    [InlineData("1,5s", "")]
    [InlineData("ms", "")]
    [InlineData("", "")]
    [InlineData("٣s", "")]
    public void What_is_no_number_and_unit_is_refused_naming_the_option_and_the_units(string text, string hint)
    {
        Assert.Null(DurationText.Parse(text, "--opt", Day, out var error));
        Assert.Equal($"--opt expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), got '{text}'{hint}", error);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("0.0ms")]
    [InlineData("-1s")]
    [InlineData("-0.5ms")]
    [InlineData("25h")]
    [InlineData("1.5d")]
    [InlineData("86400001ms")]
    [InlineData("99999999999999h")]
    [InlineData("99999999999999999999999999999999999999d")]
    public void Zero_or_less_or_longer_than_the_callers_longest_is_refused_as_out_of_range(string text)
    {
        Assert.Null(DurationText.Parse(text, "--opt", Day, out var error));
        Assert.Equal($"--opt expects a duration above zero and at most 24h, got '{text}'", error);
    }

    [Theory]
    [InlineData(500, "500ms")]
    [InlineData(2_500, "2500ms")]
    [InlineData(7_000, "7s")]
    [InlineData(90_000, "90s")]
    [InlineData(60_000, "1m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(86_400_000, "24h")]
    [InlineData(172_800_000, "2d")]
    [InlineData(180_000_000, "50h")]
    public void A_duration_is_written_in_the_largest_unit_that_writes_it_whole_and_read_back_the_same(long milliseconds, string text)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(text, DurationText.Format(value));
        Assert.Equal(value, DurationText.Parse(text, "--opt", new DurationText.Bounds(TimeSpan.FromDays(3)), out _));
    }

    [Theory]
    [InlineData("90", 90_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("90s", 90_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1", 1_000)]
    public void An_option_that_took_seconds_reads_a_bare_number_as_seconds_and_a_number_with_its_unit_as_any_other(string text, long milliseconds)
    {
        var bounds = new DurationText.Bounds(TimeSpan.FromDays(3)) { Min = TimeSpan.FromSeconds(1), Bare = TimeSpan.FromSeconds(1) };

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), DurationText.Parse(text, "--opt", bounds, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("200", 200)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("1.5s", 1_500)]
    [InlineData("1h", 3_600_000)]
    public void An_option_in_milliseconds_reads_a_bare_number_as_milliseconds_and_takes_zero_when_its_bounds_start_at_zero(string text, long milliseconds)
    {
        var bounds = new DurationText.Bounds(TimeSpan.FromHours(1)) { Min = TimeSpan.Zero, Bare = TimeSpan.FromMilliseconds(1) };

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), DurationText.Parse(text, "--opt-ms", bounds, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("0", "--opt expects a duration of at least 1s and at most 3d (leave it out for never), got '0'")]
    [InlineData("0.5", "--opt expects a duration of at least 1s and at most 3d (leave it out for never), got '0.5'")]
    [InlineData("999ms", "--opt expects a duration of at least 1s and at most 3d (leave it out for never), got '999ms'")]
    [InlineData("-5", "--opt expects a duration of at least 1s and at most 3d (leave it out for never), got '-5'")]
    [InlineData("259201", "--opt expects a duration of at least 1s and at most 3d (leave it out for never), got '259201'")]
    [InlineData("1.0001", "--opt expects a duration of whole milliseconds (1.5s, not 0.5ms) (leave it out for never), got '1.0001'")]
    [InlineData("soon", "--opt expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), or a number of seconds (leave it out for never), got 'soon'")]
    [InlineData("2weeks", "--opt expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), or a number of seconds (leave it out for never), got '2weeks'")]
    public void An_option_in_seconds_refuses_what_is_out_of_its_bounds_or_no_duration_saying_a_bare_number_is_seconds(string text, string expected)
    {
        var bounds = new DurationText.Bounds(TimeSpan.FromDays(3)) { Min = TimeSpan.FromSeconds(1), Bare = TimeSpan.FromSeconds(1), Note = "leave it out for never" };

        Assert.Null(DurationText.Parse(text, "--opt", bounds, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("-1", "--opt-ms expects a duration from 0 to 1h, got '-1'")]
    [InlineData("3600001", "--opt-ms expects a duration from 0 to 1h, got '3600001'")]
    [InlineData("0.5", "--opt-ms expects a duration of whole milliseconds (1.5s, not 0.5ms), got '0.5'")]
    [InlineData("1 s", "--opt-ms expects a duration: a number and its unit, ms, s, m, h or d (500ms, 7s, 1.5m, 2h, 1d), or a number of milliseconds, got '1 s'")]
    public void An_option_in_milliseconds_from_zero_refuses_what_is_out_of_its_bounds_or_no_duration(string text, string expected)
    {
        var bounds = new DurationText.Bounds(TimeSpan.FromHours(1)) { Min = TimeSpan.Zero, Bare = TimeSpan.FromMilliseconds(1) };

        Assert.Null(DurationText.Parse(text, "--opt-ms", bounds, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("-500ms", "2026-12-07T11:59:59.500")]
    [InlineData("-1.5m", "2026-12-07T11:58:30")]
    [InlineData("-1d", "2026-12-06T12:00:00")]
    public void Audit_takes_a_time_ago_as_a_minus_and_the_same_duration(string text, string expected)
    {
        var now = new DateTime(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);

        var at = AuditQuery.ParseTime(text, now, "--since", out var problem);

        Assert.Null(problem);
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), at);
    }

    [Theory]
    [InlineData("-0s", "--since expects a time ago above zero and at most 36500d, got '-0s'")]
    [InlineData("-36501d", "--since expects a time ago above zero and at most 36500d, got '-36501d'")]
    [InlineData("-99999999999d", "--since expects a time ago above zero and at most 36500d, got '-99999999999d'")]
    [InlineData("--1s", "--since expects a time ago above zero and at most 36500d, got '--1s'")]
    [InlineData("-0.5ms", "--since expects a time ago of whole milliseconds (1.5s, not 0.5ms), got '-0.5ms'")]
    public void Audit_refuses_a_time_ago_out_of_range_as_such_rather_than_failing_on_it(string text, string expected)
    {
        var at = AuditQuery.ParseTime(text, new DateTime(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc), "--since", out var problem);

        Assert.Null(at);
        Assert.Equal(expected, problem);
    }
}
