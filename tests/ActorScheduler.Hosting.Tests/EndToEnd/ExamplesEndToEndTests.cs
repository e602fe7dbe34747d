namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>Every bundled example deploys to COMPLETE out of the box (the embedded emulator, 3 agents).</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ExamplesEndToEndTests
{
    public static IEnumerable<object[]> Examples() =>
        Directory.EnumerateDirectories(Path.Combine(SchedulerProcess.RepoRoot, "examples"))
            .Select(Path.GetFileName)
            // Covered in depth by HelloWorld/ResourceSets/AgentOptionsEndToEndTests (the last two with shaped agents), and
            // canary (which waits for operators) by PlanCommandsEndToEndTests.
            .Where(name => name is not "hello-world" and not "init-and-server" and not "mount-volumes" and not "racks" and not "canary")
            .Order()
            .Select(name => new object[] { name! });

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_deploys_to_COMPLETE(string example)
    {
        using var data = new TempDataDir();
        var apiPort = SchedulerProcess.FreePort();
        string[] args =
        [
            "run", Path.Combine(SchedulerProcess.RepoRoot, "examples", example, "svc.yml"),
            "--data-dir", data.Path, "--api-port", apiPort.ToString(), "--master-port", SchedulerProcess.FreePort().ToString(),
            "-o", "SLEEP_DURATION=120",
            .. example switch
            {
                "scale" => ["-o", "NODE_COUNT=5"],
                "zones" => ["--zones", "3"],
                _ => Array.Empty<string>(),
            },
        ];
        using var scheduler = SchedulerProcess.Launch(apiPort, args);

        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, TimeSpan.FromSeconds(120), $"{example} deploy COMPLETE");
    }
}
