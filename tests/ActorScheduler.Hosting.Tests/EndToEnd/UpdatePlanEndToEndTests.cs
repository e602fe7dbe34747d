namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>A spec's update plan replaces deploy once a deployment has completed, across scheduler restarts.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class UpdatePlanEndToEndTests
{
    private static readonly TimeSpan DeployTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task After_the_first_deploy_a_config_change_rolls_out_with_the_update_plan()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        var spec = Path.Combine(SchedulerProcess.RepoRoot, "examples/update-plan/svc.yml");
        string[] Args(string version) =>
            ["run", spec, "--data-dir", data.Path, "--api-port", apiPort.ToString(), "--master-port", masterPort.ToString(), "-o", "SLEEP_DURATION=300", "-o", $"VERSION={version}"];

        using (var first = SchedulerProcess.Launch(apiPort, Args("1")))
        {
            await first.WaitUntilAsync(first.DeployCompleteAsync, DeployTimeout, "first deploy COMPLETE");
            var plan = (await first.GetAsync("v1/plans/deploy"))!.Value.Body;
            Assert.Equal("serial", plan.GetProperty("strategy").GetString());
            var names = (await first.GetAsync("v1/plans"))!.Value.Body.EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Equal(["deploy", "recovery"], names);
            var code = await first.InterruptAsync(TimeSpan.FromSeconds(60));
            Assert.True(code == 0, $"exit {code}:\n{first.Output}");
        }

        using var second = SchedulerProcess.Launch(apiPort, Args("2"));
        await second.WaitUntilAsync(second.DeployCompleteAsync, DeployTimeout, "update rolled out as deploy");
        var updated = (await second.GetAsync("v1/plans/deploy"))!.Value.Body;
        Assert.Equal("parallel", updated.GetProperty("strategy").GetString());
        Assert.Equal("parallel", updated.GetProperty("phases")[0].GetProperty("strategy").GetString());
    }
}
