using System.Net;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// <c>update start|rollback</c> against a running hello-world: an env change rolls out in place, a restart with the
/// old spec file keeps the newer target, a volume change is refused with 417 and a rollback redeploys the old version.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class UpdateEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly string Spec = Path.Combine(SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml");

    private static async Task<(int Code, string Output, string Error)> Update(SchedulerProcess scheduler, params string[] overrides)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await UpdateCli.StartAsync(scheduler.ApiUrl.ToString(), Spec, overrides, output, error, CancellationToken.None);
        return (code, output.ToString().Trim(), error.ToString().Trim());
    }

    private static async Task<string> TargetId(SchedulerProcess scheduler) =>
        (await scheduler.GetAsync("v1/configurations/targetId"))!.Value.Body.GetString()!;

    private static async Task<bool> AllRelaunched(SchedulerProcess scheduler, IReadOnlyDictionary<string, (string Id, string Status)> before)
    {
        var now = await scheduler.TasksAsync();
        return await scheduler.DeployCompleteAsync() && now.Count == before.Count &&
            before.All(t => now.TryGetValue(t.Key, out var task) && task.Id != t.Value.Id && task.Status == "TASK_RUNNING");
    }

    [Fact]
    public async Task An_env_change_rolls_out_a_volume_change_is_refused_and_rollback_goes_back()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        string v1;
        IReadOnlyDictionary<string, (string Id, string Status)> afterUpdate;
        using (var first = SchedulerProcess.Start(data.Path, apiPort, masterPort))
        {
            await first.WaitUntilAsync(first.DeployCompleteAsync, Timeout, "deploy COMPLETE");
            v1 = await TargetId(first);
            var initial = await first.TasksAsync();

            var updated = await Update(first, "SLEEP_DURATION=1001");
            Assert.Equal(0, updated.Code);
            Assert.StartsWith("Rolling out config ", updated.Output);
            await first.WaitUntilAsync(() => AllRelaunched(first, initial), Timeout, "every task relaunched on the new config");
            afterUpdate = await first.TasksAsync();

            // Relaunched in place: hello-0's volume has the line of each launch (written a moment after RUNNING).
            string[] HelloVolume() => data.Files("output").Where(f => f.Contains("/volumes/", StringComparison.Ordinal)).Select(File.ReadAllLines).SingleOrDefault(l => l.Length > 0 && l[0].StartsWith("hello", StringComparison.Ordinal)) ?? [];
            await first.WaitUntilAsync(() => Task.FromResult(HelloVolume().Length >= 2), Timeout, "the relaunched hello-0-server writing to its volume");
            Assert.Equal(["hello from hello-0-server", "hello from hello-0-server"], HelloVolume());
            Assert.Equal(0, await first.InterruptAsync(TimeSpan.FromSeconds(60)));
        }

        // Restarting with the old spec file keeps the newer target: nothing relaunches.
        using var second = SchedulerProcess.Start(data.Path, apiPort, masterPort);
        await second.WaitUntilAsync(second.DeployCompleteAsync, Timeout, "deploy COMPLETE after restart");
        var v2 = await TargetId(second);
        Assert.NotEqual(v1, v2);
        Assert.Equal(afterUpdate.Select(t => t.Value.Id).Order(), (await second.TasksAsync()).Select(t => t.Value.Id).Order());
        Assert.Equal([v1, v2], (await second.GetAsync("v1/configurations"))!.Value.Body.EnumerateArray().Select(e => e.GetString()));

        // A volume change is refused: 417 on the deploy plan, the target stays.
        var refused = await Update(second, "SLEEP_DURATION=1001", "HELLO_DISK=50");
        Assert.Equal(1, refused.Code);
        Assert.StartsWith($"error: Update refused; config {v2} stays the target", refused.Error);
        Assert.Contains("volume", refused.Error, StringComparison.OrdinalIgnoreCase);
        await second.WaitUntilAsync(async () => (await second.GetAsync("v1/plans/deploy"))?.Code == HttpStatusCode.ExpectationFailed, Timeout, "deploy plan 417");
        Assert.Equal(v2, await TargetId(second));

        // Rollback to the version before the target: the first spec again, as a new target.
        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await UpdateCli.RollbackAsync(second.ApiUrl.ToString(), null, output, error, CancellationToken.None));
        await second.WaitUntilAsync(() => AllRelaunched(second, afterUpdate), Timeout, "rolled back");
        var v3 = await TargetId(second);
        Assert.NotEqual(v2, v3);
        Assert.Equal(1, await UpdateCli.RollbackAsync(second.ApiUrl.ToString(), "no-such-id", output, error, CancellationToken.None));
        Assert.EndsWith("error: No configuration no-such-id to roll back to (see GET /v1/configurations)", error.ToString().Trim());

        // A second rollback does not flip forward to the update it undid (recorded before the restart): v1 was the first target.
        Assert.Equal(1, await UpdateCli.RollbackAsync(second.ApiUrl.ToString(), null, output, error, CancellationToken.None));
        Assert.EndsWith($"error: Nothing to roll back to: no earlier target is left before config {v3} (each rollback goes one further back; --to <id> deploys any stored version)", error.ToString().Trim());
        Assert.Equal(v3, await TargetId(second));
    }

    [Fact]
    public async Task A_spec_with_template_errors_is_refused_locally_with_its_location()
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await UpdateCli.StartAsync($"http://127.0.0.1:{SchedulerProcess.FreePort()}", Spec, ["HELLO_COUNT=many"], output, error, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains("svc.yml:6:", error.ToString());
    }
}
