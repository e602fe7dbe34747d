using System.Collections.Immutable;
using ActorScheduler.Messages.Configs;
using ActorScheduler.Specs;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// An update whose config store answer does not come in time: the caller hears that the outcome is not known, and the
/// scheduler follows the target the store holds once it has handled the spec, instead of taking the target it saw when
/// the update came in.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class UpdateTimeoutTests
{
    [Fact]
    public async Task An_update_the_store_answers_late_is_reported_unknown_and_then_rolled_out_as_the_store_took_it()
    {
        using var data = new TempDataDir();
        // No store validates and stores a spec within a millisecond.
        await using var scheduler = await InProcessScheduler.StartAsync(data.Path, adjust: s => s with { ConfigUpdateTimeout = TimeSpan.FromMilliseconds(1) });
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, "the first deploy completes");

        var update = ServiceSpecLoader.LoadFile(
            Path.Combine(SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"),
            new Dictionary<string, string> { ["SLEEP_DURATION"] = "301" });
        var result = await scheduler.AskAsync<ConfigProtocol.UpdateResult>(
            new ConfigProtocol.SubmitConfiguration(update.RenderedText!, "update.yml", update.SchedulerEnvironment.ToImmutableDictionary()));
        Assert.Equal(UpdateOutcome.Failed, result.Outcome);
        Assert.Contains("did not answer in time", Assert.Single(result.Errors));

        // The store took it: the scheduler rolls it out rather than staying on (or going back to) the old target.
        var ids = await scheduler.AskAsync<ConfigProtocol.ConfigurationIds>(ConfigProtocol.GetConfigurations.Instance);
        Assert.Equal(2, ids.Ids.Length);
        await scheduler.WaitUntilAsync(
            () => Task.FromResult(scheduler.Emulator.History().Launches.Count == 6),
            "the three tasks are relaunched on the update's config");
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, "the update's deploy completes");
        var plan = await scheduler.DeployPlanAsync();
        Assert.Empty(plan!.Errors);
    }
}
