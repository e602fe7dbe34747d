using ActorScheduler.Hosting.Cli;
using ActorScheduler.Mesos.Emulator;

namespace ActorScheduler.Hosting.Tests.Journal;

/// <summary>
/// What the tests that call <c>run</c> in this process against a separate emulator share (the PostgreSQL journal, its
/// audit, the clustered nodes): the emulator, and the wait until a node's API says deploy is COMPLETE.
/// </summary>
internal static class InProcessRun
{
    /// <summary>An emulator of <paramref name="agents"/> local agents that offers every 100 ms and kills its tasks when stopped.</summary>
    public static Task<MesosEmulator> StartEmulatorAsync(string dataDir, int agents = 3) =>
        MesosEmulator.StartAsync(new MesosEmulatorOptions
        {
            DataDir = dataDir,
            Port = 0,
            Agents = agents,
            AllocationInterval = TimeSpan.FromMilliseconds(100),
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            KillTasksOnStop = true,
        });

    /// <summary>
    /// Polls the plan API on <paramref name="apiPort"/> until deploy is COMPLETE (200), failing with the node's
    /// <paramref name="console"/> if its <paramref name="run"/> ends first or two minutes pass.
    /// </summary>
    public static async Task DeployCompleteAsync(int apiPort, Task<int> run, StringWriter console)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(15) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            // The console is read only to fail: the run writes to it meanwhile, and a StringWriter read while it is
            // written can throw (an assertion's message is built even when it holds).
            if (run.IsCompleted)
            {
                Assert.Fail($"run ended before deploy was COMPLETE:\n{console}");
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"deploy not COMPLETE within 2 minutes:\n{console}");
            }

            try
            {
                using var answer = await client.GetAsync("v1/plans/deploy");
                if ((int)answer.StatusCode == 200)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not serving yet.
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Runs <c>run</c> with <paramref name="args"/> until it ends by itself (a refusal, a failure), within 60 s: its exit
    /// code and the lines it wrote to standard output and error.
    /// </summary>
    public static async Task<(int Code, string[] Output, string[] Error)> RunToEndAsync(RunArguments args)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(args, output, error, guard.Token);
        Assert.False(guard.IsCancellationRequested, "run did not end by itself");
        return (code, Lines(output), Lines(error));

        static string[] Lines(StringWriter writer) => writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
