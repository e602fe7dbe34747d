using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.EndToEnd;

namespace ActorScheduler.Hosting.Tests.Cli;

public sealed class DebugCommandsTests
{
    [Fact]
    public async Task An_unreachable_scheduler_is_one_clear_line()
    {
        var port = SchedulerProcess.FreePort();
        var (output, error) = (new StringWriter(), new StringWriter());

        var code = await DebugCommands.OffersAsync($"http://127.0.0.1:{port}", null, 10, false, output, error, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.StartsWith($"error: cannot reach the scheduler at http://127.0.0.1:{port}/:", error.ToString());
        Assert.Single(error.ToString().Trim().Split('\n'));
    }

    [Fact]
    public async Task Reservations_and_tasks_of_an_unreachable_scheduler_are_one_clear_line_too()
    {
        var port = SchedulerProcess.FreePort();
        foreach (var command in new Func<StringWriter, StringWriter, Task<int>>[]
        {
            (o, e) => DebugCommands.ReservationsAsync($"http://127.0.0.1:{port}", null, false, o, e, CancellationToken.None),
            (o, e) => DebugCommands.TasksAsync($"http://127.0.0.1:{port}", "hello-0", true, o, e, CancellationToken.None),
        })
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(2, await command(output, error));
            Assert.StartsWith($"error: cannot reach the scheduler at http://127.0.0.1:{port}/:", error.ToString());
            Assert.Empty(output.ToString());
        }
    }

    [Fact]
    public async Task An_api_that_is_no_url_is_refused()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(2, await DebugCommands.OffersAsync("localhost:8080", null, 10, false, output, error, CancellationToken.None));
        Assert.Equal("error: --api expects an http:// URL such as http://127.0.0.1:8080, got 'localhost:8080'", error.ToString().Trim());
    }
}
