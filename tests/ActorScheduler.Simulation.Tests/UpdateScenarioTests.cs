using ActorScheduler.Messages.Configs;
using ActorScheduler.Messages.Plans;
using Status = ActorScheduler.Messages.Plans.Status;
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

    // An update stops the old plans while api-0's step (the canary, let go) waits for an offer for it: that step is gone,
    // so the pod launches nothing for it while the new config's canary is held; the new step, once let go, drives the pod
    // to COMPLETE, with one launch, on the new config.
    [Fact]
    public async Task A_step_stopped_by_an_update_while_it_drives_a_pod_launches_nothing_and_the_new_step_completes()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("canary"), new ScenarioOptions
        {
            Values = new Dictionary<string, string> { ["API_COUNT"] = "1" },
        });

        await scenario.Run(
            Send.Register(),
            Expect.StepStatus("deploy", "api", "api-0:[server]", Status.Waiting),
            Send.PlanCommand("deploy", PlanCommandKind.Continue),
            Expect.WaitingForOffers("api-0"),
            Send.UpdateSpec(new Dictionary<string, string> { ["SLEEP_DURATION"] = "7200" }),
            Expect.UpdateAccepted(),
            Expect.StepStatus("deploy", "api", "api-0:[server]", Status.Waiting),
            Send.OffersFor("api"),
            Expect.DeclinedLastOffer(),
            Send.PlanCommand("deploy", PlanCommandKind.Continue),
            Send.OffersFor("api"),
            Expect.Launched("api-0-server"),
            Expect.StepStatus("deploy", "api", "api-0:[server]", Status.Complete));

        var launch = Assert.Single(scenario.Cluster!.History.SelectMany(r => r.LaunchedTasks), t => t.Name == "api-0-server");
        Assert.Contains(launch.Command.Environment.Variables, v => v.Name == "SLEEP_DURATION" && v.Value == "7200");
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

    // DC/OS keeps a template's text in the spec: an update that changes only the text relaunches the tasks rendering it,
    // in place (the same text is the same config version: nothing to roll out).
    [Fact]
    public async Task An_update_that_changes_only_a_config_template_relaunches_its_tasks_in_place()
    {
        var dir = Directory.CreateTempSubdirectory("taskcfg-");
        try
        {
            var example = Path.GetDirectoryName(Examples.Spec("taskcfg"))!;
            foreach (var file in Directory.GetFiles(example))
            {
                File.Copy(file, Path.Combine(dir.FullName, Path.GetFileName(file)));
            }

            var values = new Dictionary<string, string> { ["WORKER_COUNT"] = "1" };
            await using var scenario = new ServiceScenario(Path.Combine(dir.FullName, "svc.yml"), new ScenarioOptions { Values = values });
            await scenario.Run(
                Send.Register(),
                Send.OffersFor("worker"),
                Expect.Launched("worker-0-run"),
                Expect.AllPlansComplete());

            await File.AppendAllTextAsync(Path.Combine(dir.FullName, "worker.conf.mustache"), "extra=1\n");
            await scenario.Run(
                Send.UpdateSpec(values),
                Expect.UpdateAccepted(),
                Expect.Killed("worker-0-run"),
                Send.ReofferPod("worker", 0),
                Expect.Launched("worker-0-run"),
                Expect.AllPlansComplete());

            var launches = scenario.Cluster!.History.SelectMany(r => r.LaunchedTasks).Where(t => t.Name == "worker-0-run").ToList();
            Assert.Equal(2, launches.Count);
            Assert.NotEqual(
                ActorScheduler.Actors.Offers.TaskInfoBuilder.TargetConfiguration(launches[0]),
                ActorScheduler.Actors.Offers.TaskInfoBuilder.TargetConfiguration(launches[1]));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
