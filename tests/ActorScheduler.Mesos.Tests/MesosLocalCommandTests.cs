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

        Assert.Equal(1, code);
        Assert.Equal(
            "mesos-local: attributes 'rack:{a,b}': attribute 'rack': set values such as {a,b} are not allowed for agent attributes (Mesos takes scalars, ranges and text)",
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

        Assert.NotEqual(0, code);
        var lines = Text(output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("mesos-local: data dir", Assert.Single(lines), StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", lines[0], StringComparison.Ordinal);
    }

    private static string Text(ConcurrentStringWriter writer) => writer.ToString();
}
