using ActorScheduler.Mesos.Emulator.Faults;
using ActorScheduler.Mesos.Tests.Support;

namespace ActorScheduler.Mesos.Tests;

public sealed class MesosLocalCommandTests
{
    [Fact]
    public async Task Prints_url_and_agents_then_stops_cleanly_when_cancelled()
    {
        using var dir = new TempDir();
        var output = new ConcurrentStringWriter();
        using var cts = new CancellationTokenSource();
        var options = TestEmulator.Options(dir.Path, agents: 2);

        var run = MesosLocalCommand.RunAsync(options, output, cts.Token);
        await Eventually.TrueAsync(() => Text(output).Contains("Press Ctrl+C", StringComparison.Ordinal), "mesos-local is up");
        await cts.CancelAsync();

        Assert.Equal(0, await run);
        var text = Text(output);
        Assert.Matches(@"listening on http://127\.0\.0\.1:\d+/", text);
        Assert.Contains("on 127.0.0.1: cpus 2", text, StringComparison.Ordinal);
        Assert.Contains("on 127.0.0.2: cpus 2", text, StringComparison.Ordinal);
        Assert.Contains("stopped", text, StringComparison.Ordinal);
        Assert.Null(options.Log);
    }

    [Fact]
    public async Task Agent_lines_show_mount_disks_zones_and_attributes()
    {
        using var dir = new TempDir();
        var output = new ConcurrentStringWriter();
        using var cts = new CancellationTokenSource();
        var options = TestEmulator.Options(dir.Path, agents: 2);
        options.Zones = 2;
        options.Region = "eu";
        options.MountDisks = [new ActorScheduler.Mesos.Emulator.AgentMountDisk(1024, "ssd")];
        options.Attributes = "rack:rack-{index}";

        var run = MesosLocalCommand.RunAsync(options, output, cts.Token);
        await Eventually.TrueAsync(() => Text(output).Contains("Press Ctrl+C", StringComparison.Ordinal), "mesos-local is up");
        await cts.CancelAsync();

        Assert.Equal(0, await run);
        Assert.Contains("on 127.0.0.2: cpus 2, mem 1024 MB, disk 2048 MB, 501 ports, MOUNT disks 1024 MB (ssd), zone zone-2 in eu, attributes rack:rack-1, work dir ", Text(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_agent_options_are_one_clear_line_and_a_non_zero_exit_code()
    {
        using var dir = new TempDir();
        var output = new ConcurrentStringWriter();
        var options = TestEmulator.Options(dir.Path);
        options.Attributes = "rack:{a,b}";

        var code = await MesosLocalCommand.RunAsync(options, output, CancellationToken.None);

        Assert.Equal(MesosLocalCommand.CannotStart, code);
        Assert.Equal(
            "error: attributes 'rack:{a,b}': attribute 'rack': set values such as {a,b} are not allowed for agent attributes (Mesos takes scalars, ranges and text)",
            Text(output).Trim());
    }

    [Fact]
    public async Task Bad_input_is_one_clear_line_and_a_non_zero_exit_code()
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "file");
        File.WriteAllText(file, "x");
        var output = new ConcurrentStringWriter();

        var code = await MesosLocalCommand.RunAsync(TestEmulator.Options(Path.Combine(file, "sub")), output, CancellationToken.None);

        Assert.Equal(MesosLocalCommand.CannotStart, code);
        var lines = Text(output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: data dir", Assert.Single(lines), StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prints_the_seed_and_the_status_update_faults_it_starts_with()
    {
        using var dir = new TempDir();
        var output = new ConcurrentStringWriter();
        using var cts = new CancellationTokenSource();
        var options = TestEmulator.Options(dir.Path);
        options.StatusUpdateFaults = new StatusUpdateFaults(DropProbability: 0.25, Delay: TimeSpan.FromMilliseconds(500));
        options.Seed = 1234;

        var run = MesosLocalCommand.RunAsync(options, output, cts.Token);
        await Eventually.TrueAsync(() => Text(output).Contains("Press Ctrl+C", StringComparison.Ordinal), "mesos-local is up");
        await cts.CancelAsync();

        Assert.Equal(0, await run);
        Assert.Matches(@"Fault injection: GET/POST http://127\.0\.0\.1:\d+/faults \(seed 1234; status updates: drop 0\.25, duplicate 0, delay 0 by 500 ms\)", Text(output));
    }

    [Theory]
    [InlineData(1.5, 0, "error: status-update faults: drop probability must be between 0 and 1, got 1.5")]
    [InlineData(0.7, 0.7, "error: status-update faults: drop, duplicate and delay probabilities add up to 1.4; they must not exceed 1")]
    public async Task Bad_fault_settings_are_one_clear_line_and_a_non_zero_exit_code(double drop, double duplicate, string message)
    {
        using var dir = new TempDir();
        var output = new ConcurrentStringWriter();
        var options = TestEmulator.Options(dir.Path);
        options.StatusUpdateFaults = new StatusUpdateFaults(drop, duplicate);

        var code = await MesosLocalCommand.RunAsync(options, output, CancellationToken.None);

        Assert.Equal(MesosLocalCommand.CannotStart, code);
        Assert.Equal(message, Text(output).Trim());
    }

    [Fact]
    public async Task Bad_options_go_to_the_error_writer_when_there_is_one_not_among_the_output()
    {
        using var dir = new TempDir();
        var (output, error) = (new ConcurrentStringWriter(), new ConcurrentStringWriter());
        var options = TestEmulator.Options(dir.Path);
        options.StatusUpdateFaults = new StatusUpdateFaults(1.5, 0);

        var code = await MesosLocalCommand.RunAsync(options, output, CancellationToken.None, error);

        Assert.Equal(MesosLocalCommand.CannotStart, code);
        Assert.Equal("error: status-update faults: drop probability must be between 0 and 1, got 1.5", Text(error).Trim());
        Assert.Empty(Text(output));
    }

    private static string Text(ConcurrentStringWriter writer) => writer.ToString();
}
