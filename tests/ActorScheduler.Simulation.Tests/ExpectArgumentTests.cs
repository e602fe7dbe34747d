namespace ActorScheduler.Simulation.Tests;

/// <summary>Expectations asked about something that cannot have happened fail, and say why, instead of passing.</summary>
public sealed class ExpectArgumentTests
{
    // Short: each of these fails, and none needs the actors to get anywhere.
    private static ScenarioOptions Options() => new()
    {
        Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" },
        ExpectTimeout = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public async Task NotRunning_of_a_task_never_launched_fails()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options());

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() => scenario.Run(
            Send.Register(),
            Expect.NotRunning("hello-0-server")));

        Assert.Equal(1, failure.FailedIndex);
        Assert.StartsWith("hello-0-server was never launched", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodGone_of_a_name_that_is_no_pod_instance_fails_naming_the_pod_types()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options());

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() => scenario.Run(
            Send.Register(),
            Expect.PodGone("world-1-server")));

        Assert.Equal(1, failure.FailedIndex);
        Assert.StartsWith(
            "world-1-server is not a pod instance name: expected <pod type>-<index> of the spec's pod types (hello, world), e.g. hello-0",
            failure.Reason,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Killed_fewer_than_once_is_refused()
    {
        var failure = Assert.Throws<ArgumentOutOfRangeException>(() => Expect.Killed("hello-0-server", times: 0));

        Assert.Equal("times", failure.ParamName);
    }

    [Fact]
    public async Task An_update_expectation_is_judged_at_once_as_its_answer_is_already_in()
    {
        // A long timeout: were the answer waited for, the failure would come after it, saying so.
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), new ScenarioOptions
        {
            Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" },
            ExpectTimeout = TimeSpan.FromMinutes(5),
        });

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() => scenario.Run(
            Send.Register(),
            Send.UpdateSpec(new Dictionary<string, string> { ["WORLD_COUNT"] = "1" }),
            Expect.UpdateAccepted()));

        Assert.Equal(2, failure.FailedIndex);
        Assert.StartsWith("the update was Unchanged", failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("(after", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconciledExplicitly_before_the_scheduler_started_fails()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options());

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() => scenario.Run(Expect.ReconciledExplicitly()));

        Assert.Equal(0, failure.FailedIndex);
        Assert.Contains("The scheduler is not running", failure.Reason, StringComparison.Ordinal);
    }
}
