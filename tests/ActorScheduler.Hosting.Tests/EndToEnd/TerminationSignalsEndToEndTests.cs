using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// <c>actorscheduler run</c> and its signals (<see cref="TerminationSignals"/>), the real process: a first SIGINT or
/// SIGTERM stops it gracefully (exit 0, the tasks keep running), cutting off a request still in flight after
/// <see cref="RunCommand.RequestDrainTimeout"/>; a second one while that stop waits ends the process at once, exit 130
/// after SIGINT and 143 after SIGTERM, long before the 30 s stop timeout. What the stop waits for here is real: an
/// upload the API is reading and the client does not finish.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TerminationSignalsEndToEndTests
{
    private static readonly TimeSpan DeployTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Well before <see cref="TerminationSignals.StopTimeout"/>: the process ended on its own account, not the timeout's.</summary>
    private static readonly TimeSpan WellBeforeTheStopTimeout = TerminationSignals.StopTimeout / 2;

    [Fact]
    public async Task A_single_SIGTERM_stops_gracefully_with_exit_0_and_the_tasks_keep_running()
    {
        using var data = new TempDataDir();
        using var scheduler = SchedulerProcess.Start(data.Path, SchedulerProcess.FreePort(), SchedulerProcess.FreePort(), "-o", "SLEEP_DURATION=300", "-o", "WORLD_COUNT=1");
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, DeployTimeout, "deploy COMPLETE");
        var tasks = data.TaskProcesses().Where(TempDataDir.IsSleep).ToList();
        Assert.Equal(2, tasks.Count);

        var signalled = Stopwatch.StartNew();
        await scheduler.SignalAsync("TERM");
        var code = await scheduler.WaitForExitAsync(TerminationSignals.StopTimeout * 2);

        Assert.True(code == 0, $"exit {code} after SIGTERM:\n{scheduler.Output}");
        Assert.True(signalled.Elapsed < WellBeforeTheStopTimeout, $"the graceful stop took {signalled.Elapsed}");
        var output = scheduler.Output.ReplaceLineEndings("\n");
        Assert.EndsWith("stopping…\nstopped; tasks keep running and are re-adopted by the next `run` on this data dir\n", output);
        Assert.All(tasks, pid => Assert.Contains(pid, data.TaskProcesses()));
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_second_signal_while_the_stop_waits_for_a_request_in_flight_ends_the_process_at_once(string signal, int exitCode)
    {
        using var data = new TempDataDir();
        using var scheduler = await StartServingAsync(data);
        using var upload = await UnfinishedUpload.StartAsync(scheduler.ApiUrl, DeployTimeout);

        var first = Stopwatch.StartNew();
        await scheduler.SignalAsync(signal);
        // The graceful stop has begun, and waits for the upload (the server drains the requests it is serving).
        await scheduler.WaitUntilAsync(() => Task.FromResult(scheduler.Output.Contains("stopping…", StringComparison.Ordinal)), RunCommand.RequestDrainTimeout, "stopping…");
        await scheduler.SignalAsync(signal);
        var code = await scheduler.WaitForExitAsync(TerminationSignals.StopTimeout * 2);

        Assert.True(code == exitCode, $"exit {code} after a second SIG{signal}, expected {exitCode}:\n{scheduler.Output}");
        Assert.True(first.Elapsed < WellBeforeTheStopTimeout, $"the process ended {first.Elapsed} after the first signal");
        Assert.DoesNotContain("stopped;", scheduler.Output);
    }

    [Fact]
    public async Task A_single_signal_cuts_off_a_request_still_in_flight_after_the_drain_timeout_and_stops_gracefully_before_the_stop_timeout()
    {
        using var data = new TempDataDir();
        using var scheduler = await StartServingAsync(data);
        using var upload = await UnfinishedUpload.StartAsync(scheduler.ApiUrl, DeployTimeout);

        var signalled = Stopwatch.StartNew();
        await scheduler.SignalAsync("TERM");
        var code = await scheduler.WaitForExitAsync(TerminationSignals.StopTimeout * 2);

        Assert.True(code == 0, $"exit {code} after SIGTERM:\n{scheduler.Output}");
        // It waited for the upload as long as it drains requests, then stopped the rest, with time to spare.
        Assert.InRange(signalled.Elapsed, RunCommand.RequestDrainTimeout, TerminationSignals.StopTimeout - TimeSpan.FromSeconds(5));
        // The stop's lines; the API may say which request it cut off (when its log line comes before the log closes).
        var output = scheduler.Output.ReplaceLineEndings("\n");
        var stop = output[output.IndexOf("\nstopping…\n", StringComparison.Ordinal)..].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(stop.Length >= 2 && stop[^1] == "stopped; tasks keep running and are re-adopted by the next `run` on this data dir", output);
        Assert.All(stop[1..^1], line => Assert.StartsWith("PUT /v1/state/files/upload failed: The request was aborted", line));
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_command_waiting_for_the_scheduler_ends_on_a_signal_with_its_exit_code_and_no_error(string signal, int exitCode)
    {
        // A scheduler API that takes the connection and never answers.
        using var silent = new TcpListener(System.Net.IPAddress.Loopback, SchedulerProcess.FreePort());
        silent.Start();
        using var command = SchedulerProcess.Launch(0, ["plan", "list", "--api", $"http://{silent.LocalEndpoint}"]);
        using var connection = await silent.AcceptTcpClientAsync().WaitAsync(DeployTimeout);

        await command.SignalAsync(signal);
        var code = await command.WaitForExitAsync(TerminationSignals.StopTimeout * 2);

        Assert.True(code == exitCode, $"exit {code} after SIG{signal}, expected {exitCode}:\n{command.Output}");
        Assert.Empty(command.Output);
    }

    /// <summary><c>run</c> with no agents (nothing to launch), once its API serves: it printed the deploy plan's first tree.</summary>
    private static async Task<SchedulerProcess> StartServingAsync(TempDataDir data)
    {
        var scheduler = SchedulerProcess.Start(data.Path, SchedulerProcess.FreePort(), SchedulerProcess.FreePort(), "--agents", "0");
        try
        {
            await scheduler.WaitUntilAsync(() => Task.FromResult(scheduler.Output.Contains("\ndeploy (", StringComparison.Ordinal)), DeployTimeout, "the deploy plan's tree");
            return scheduler;
        }
        catch
        {
            scheduler.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A <c>PUT /v1/state/files/…</c> whose body the API has begun to read (it answered <c>100 Continue</c>) and of which
    /// the client sends a fifth and then nothing more, at a rate the server's minimum data rate still accepts for minutes:
    /// a slow upload, which a graceful stop waits for.
    /// </summary>
    private sealed class UnfinishedUpload : IDisposable
    {
        private const int Length = 1_000_000;

        private readonly TcpClient _client;

        private UnfinishedUpload(TcpClient client) => _client = client;

        public static async Task<UnfinishedUpload> StartAsync(Uri api, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            var client = new TcpClient();
            try
            {
                await client.ConnectAsync(api.Host, api.Port, cts.Token);
                var stream = client.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"PUT /v1/state/files/upload HTTP/1.1\r\nHost: {api.Authority}\r\nContent-Type: application/octet-stream\r\nContent-Length: {Length}\r\nExpect: 100-continue\r\n\r\n"),
                    cts.Token);
                var answer = new StringBuilder();
                var buffer = new byte[1];
                while (!answer.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
                {
                    if (await stream.ReadAsync(buffer, cts.Token) == 0)
                    {
                        throw new Xunit.Sdk.XunitException($"the API closed the upload's connection after '{answer}'");
                    }

                    answer.Append((char)buffer[0]);
                }

                Assert.StartsWith("HTTP/1.1 100 ", answer.ToString());
                await stream.WriteAsync(new byte[Length / 5], cts.Token);
                return new UnfinishedUpload(client);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        public void Dispose() => _client.Dispose();
    }
}
