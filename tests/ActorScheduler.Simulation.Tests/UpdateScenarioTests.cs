using ActorScheduler.Messages.Configs;
using Akka.Actor;

namespace ActorScheduler.Simulation.Tests;

/// <summary><see cref="Send.UpdateSpec"/> submits what <c>update start</c> does: the rendered spec, the scheduler environment and the config templates.</summary>
public sealed class UpdateScenarioTests
{
    // TASKCFG_* values shape every task's environment: an update that dropped them would relaunch every deployed pod.
    [Fact]
    public async Task An_update_with_taskcfg_values_relaunches_nothing_that_did_not_change()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), new ScenarioOptions
        {
            Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" },
            Environment = new Dictionary<string, string> { ["TASKCFG_ALL_GREETING"] = "hi" },
        });

        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete(),
            Send.UpdateSpec(new Dictionary<string, string> { ["WORLD_COUNT"] = "2" }),
            Expect.UpdateAccepted(),
            Send.OffersFor("world"),
            Expect.Launched("world-1-server"));

        var launches = scenario.Cluster!.History.SelectMany(r => r.LaunchedTasks).Select(t => t.Name).ToList();
        Assert.Equal(["hello-0-server", "world-0-server", "world-1-server"], launches);
    }

    // The templates beside the spec are stored with the config version, at start and with every update, as `run` and `update start` do.
    [Fact]
    public async Task The_config_templates_are_stored_at_start_and_with_an_update()
    {
        var spec = Examples.Spec("taskcfg");
        var template = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(spec)!, "worker.conf.mustache"));
        await using var scenario = new ServiceScenario(spec, new ScenarioOptions { Values = new Dictionary<string, string> { ["WORKER_COUNT"] = "1" } });

        var stored = new List<ConfigProtocol.Configuration>();
        var readTarget = new LambdaTick("read the target config", async c =>
            stored.Add(await c.RequireRoot().Ask<ConfigProtocol.Configuration>(new ConfigProtocol.GetConfiguration(null), TimeSpan.FromSeconds(10))));
        await scenario.Run(
            Send.Register(),
            readTarget,
            Send.UpdateSpec(new Dictionary<string, string> { ["WORKER_COUNT"] = "2" }),
            Expect.UpdateAccepted(),
            readTarget);

        Assert.Equal(2, stored.Count);
        Assert.NotEqual(stored[0].Id, stored[1].Id);
        Assert.All(stored, config => Assert.Equal(template, Assert.Contains("worker.conf.mustache", config.ConfigTemplates)));
    }
}
