using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using Akka.Actor;
using Akka.Pattern;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Simulation.Tests;

public sealed class ServiceScenarioTests
{
    private static ScenarioOptions HelloOptions(TimeSpan? timeout = null) => new()
    {
        Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" },
        ExpectTimeout = timeout ?? TimeSpan.FromSeconds(20),
    };

    private static ScenarioTick[] DeployHelloWorld() =>
    [
        Send.Register(),
        Expect.ReconciledExplicitly(),
        Send.OffersFor("hello", count: 1),
        Expect.Launched("hello-0-server"),
        Send.TaskStatus("hello-0-server", TaskState.TaskRunning),
        Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
        Send.OffersFor("world", count: 1),
        Expect.Launched("world-0-server"),
        Expect.StepStatus("deploy", "world", "world-0:[server]", Status.Complete),
        Expect.AllPlansComplete(),
    ];

    [Fact]
    public async Task Scenario_should_deploy_hello_world_to_complete()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), HelloOptions());

        await scenario.Run(DeployHelloWorld());

        // Nothing left to place: a further offer is declined.
        await scenario.Run(Send.OffersFor("world"), Expect.DeclinedLastOffer(), Expect.PlanStatus("deploy", Status.Complete));
    }

    [Fact]
    public async Task Dependency_plan_runs_each_phase_once_the_phases_it_depends_on_are_complete()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("dependency"), new ScenarioOptions { ExpectTimeout = TimeSpan.FromSeconds(20) });

        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Send.OffersFor("schema"),
            Expect.Launched("schema-0-migrate"),
            // Everything else waits for the schema.
            Expect.StepStatus("deploy", "db", "db-0:[server]", Status.Pending),
            Expect.StepStatus("deploy", "cache", "cache-0:[server]", Status.Pending),
            Send.TaskStatus("schema-0-migrate", TaskState.TaskFinished),
            Expect.StepStatus("deploy", "schema", "schema-0:[migrate]", Status.Complete),
            // app needs db and cache; db and cache need only the schema, so they deploy side by side: one offer takes both.
            Expect.StepStatus("deploy", "app", "app-0:[web]", Status.Pending),
            Expect.WaitingForOffers("db-0", "db-1", "cache-0"),
            Send.OffersFor("cache"),
            Expect.Launched("cache-0-server", "db-0-server", "db-1-server"),
            Expect.StepStatus("deploy", "db", "db-1:[server]", Status.Complete),
            Expect.StepStatus("deploy", "cache", "cache-0:[server]", Status.Complete),
            // Both app steps start together, but each registers with the router on its own: offer once both wait.
            Expect.WaitingForOffers("app-0", "app-1"),
            Send.OffersFor("app", count: 2),
            Expect.Launched("app-0-web", "app-1-web"),
            Expect.AllPlansComplete());

        var launches = scenario.Cluster!.History.SelectMany(r => r.LaunchedTasks).Select(t => t.Name).ToList();
        Assert.Equal("schema-0-migrate", launches[0]);
        Assert.Equal(["app-0-web", "app-1-web"], launches.Skip(4).Order());
    }

    [Fact]
    public async Task Scenario_should_relaunch_a_failed_task_in_place_on_its_footprint()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), HelloOptions());
        await scenario.Run(DeployHelloWorld());
        var agent = scenario.Cluster!.AgentOfLaunch("hello-0-server");

        await scenario.Run(
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.AllPlansComplete());

        Assert.True(await scenario.Cluster.IsRunningAsync("hello-0-server"));
        Assert.Equal(agent, scenario.Cluster.AgentOfLaunch("hello-0-server"));
        // Relaunched on the same reservations: no RESERVE or CREATE in the relaunching ACCEPT.
        var last = scenario.Cluster.History.Last(r => r.LaunchedTasks.Any());
        Assert.Empty(last.Operations(Offer.Types.Operation.Types.Type.Reserve));
        Assert.Empty(last.Operations(Offer.Types.Operation.Types.Type.Create));
    }

    [Fact]
    public async Task A_failure_of_the_offer_router_restarts_the_whole_scheduler_which_carries_on_from_the_journal()
    {
        var options = new ScenarioOptions { Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" } };
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), options);

        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            Send.OfferRouterFailure(),
            // Every actor restarted: the scheduler subscribes again, reconciles what it launched, and deploys the rest.
            Expect.ReconciledExplicitly("hello-0-server"),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete(),
            // Restarted by its backoff supervisor, as run and the Akka.Hosting embedding start it, not by the user guardian.
            new LambdaTick("the backoff supervisor restarted it once", async c =>
                Assert.Equal(1, (await c.RequireRoot().Ask<BackoffSupervisor.RestartCount>(BackoffSupervisor.GetRestartCount.Instance, TimeSpan.FromSeconds(5))).Count)));
    }

    [Fact]
    public async Task Scenario_should_keep_the_update_plan_complete_across_scheduler_restarts()
    {
        var options = new ScenarioOptions { Values = new Dictionary<string, string> { ["WORKER_COUNT"] = "2" } };
        await using var scenario = new ServiceScenario(Examples.Spec("update-plan"), options);

        // Session 1: the serial deploy plan places one worker, then the scheduler restarts mid-deploy.
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("worker"),
            Expect.Launched("worker-0-run"),
            Expect.StepStatus("deploy", "worker", "worker-0:[run]", Status.Complete),
            Expect.StepStatus("deploy", "worker", "worker-1:[run]", Status.Pending),
            Send.RestartScheduler(),
            // Session 2: recovered from the journal, it reconciles the running task and carries on.
            Expect.ReconciledExplicitly("worker-0-run"),
            Expect.StepStatus("deploy", "worker", "worker-0:[run]", Status.Complete),
            Send.OffersFor("worker"),
            Expect.Launched("worker-1-run"),
            Expect.PlanStatus("deploy", Status.Complete),
            Send.RestartScheduler(),
            // Session 3: everything deployed; nothing is relaunched and offers are declined.
            Expect.ReconciledExplicitly("worker-0-run", "worker-1-run"),
            Expect.PlanStatus("deploy", Status.Complete),
            Send.OffersFor("worker"),
            Expect.DeclinedLastOffer());

        var launches = scenario.Cluster!.History.SelectMany(r => r.LaunchedTasks).Select(t => t.Name).ToList();
        Assert.Equal(["worker-0-run", "worker-1-run"], launches);
    }

    [Fact]
    public async Task A_short_expect_timeout_fails_a_wrong_expectation_fast_but_not_the_start()
    {
        // 50 ms is far less than a scheduler's start (subscribe, reconcile) takes: the start has its own, longer limit.
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), HelloOptions(TimeSpan.FromMilliseconds(50)));

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() => scenario.Run(
            Send.Register(),
            Send.OffersFor("hello", count: 1),
            Expect.Launched("world-0-server")));

        Assert.Equal(2, failure.FailedIndex);
        Assert.Contains("(after 0.1 s)", failure.Reason);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceScenario(Examples.Spec("hello-world"), new ScenarioOptions { StartTimeout = TimeSpan.Zero }));
    }

    // A relative path is resolved against the current directory, which in a test run is not the repository: the error
    // says the file is missing, where it was looked for and how to name a file next to the test assembly.
    [Fact]
    public void A_spec_path_that_does_not_exist_is_reported_as_a_missing_file_not_as_bad_yaml()
    {
        var failure = Assert.Throws<FileNotFoundException>(() => new ServiceScenario("examples/no-such-service/svc.yml"));

        var fullPath = Path.GetFullPath("examples/no-such-service/svc.yml");
        Assert.Equal(fullPath, failure.FileName);
        Assert.Contains($"{fullPath} does not exist", failure.Message, StringComparison.Ordinal);
        Assert.Contains(Directory.GetCurrentDirectory(), failure.Message, StringComparison.Ordinal);
        Assert.Contains("Path.Combine(AppContext.BaseDirectory", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("does not load", failure.Message, StringComparison.Ordinal);
    }

    // Pod web is not a prefix match of pod web-admin: its instances and steps (web-admin-0:[server]) are another pod's.
    [Fact]
    public async Task Offers_for_a_pod_wait_for_that_pod_only_not_for_one_whose_name_it_begins()
    {
        const string spec = """
            name: prefixes
            pods:
              web:
                count: 1
                tasks:
                  server: { goal: RUNNING, cmd: sleep 1000, cpus: 0.1, memory: 32 }
              web-admin:
                count: 1
                tasks:
                  server: { goal: RUNNING, cmd: sleep 1000, cpus: 0.1, memory: 32 }
            plans:
              deploy:
                phases:
                  web:
                    pod: web
              admin:
                phases:
                  admin:
                    pod: web-admin
            """;
        await using var scenario = new ServiceScenario(spec, HelloOptions(TimeSpan.FromSeconds(5)));

        // The custom plan starts interrupted: web-admin-0's step stays PENDING, which is no reason to wait for web.
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("web"),
            Expect.Launched("web-0-server"),
            Expect.StepStatus("admin", "admin", "web-admin-0:[server]", Status.Pending),
            Send.OffersFor("web"),
            Expect.DeclinedLastOffer());
    }

    [Fact]
    public async Task Scenario_should_name_the_known_pods_when_offering_for_an_unknown_one()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), HelloOptions());

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() =>
            scenario.Run(Send.Register(), Send.OffersFor("helo"), Expect.Launched("hello-0-server")));

        Assert.Equal(1, failure.FailedIndex);
        Assert.Contains("Unknown pod type 'helo'; the spec has: hello, world", failure.Message);
        Assert.Contains("ok   1. Send.Register()", failure.Message);
        Assert.Contains(">>   2. Send.OffersFor(helo, count: 1)   <-- FAILED", failure.Message);
        Assert.Contains("     3. Expect.Launched(hello-0-server)", failure.Message);
    }

    [Fact]
    public async Task Scenario_should_report_an_unmet_expectation_with_what_happened_instead()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), HelloOptions(TimeSpan.FromSeconds(2)));

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() =>
            scenario.Run(Send.Register(), Send.OffersFor("hello"), Expect.Launched("world-0-server")));

        Assert.Equal(2, failure.FailedIndex);
        Assert.Contains("the last offers launched [hello-0-server], not [world-0-server]", failure.Message);
        Assert.Contains(">>   3. Expect.Launched(world-0-server)   <-- FAILED", failure.Message);
    }

    [Fact]
    public async Task Expect_unreserved_should_count_the_reservations_of_a_group_tasks_executor()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), HelloOptions(TimeSpan.FromSeconds(1)));
        await scenario.Run(Send.Register(), Send.OffersFor("hello", count: 1), Expect.Launched("hello-0-server"));

        // A task of a group carries no executor: the LAUNCH_GROUP does, and its reservations are the pod's too.
        var launch = scenario.Cluster!.History.Last(r => r.LaunchedTasks.Any(t => t.Name == "hello-0-server"))
            .Operations(Offer.Types.Operation.Types.Type.LaunchGroup).Single().LaunchGroup;
        Assert.Null(launch.TaskGroup.Tasks.Single().Executor);
        var ids = launch.TaskGroup.Tasks.Single().Resources.Concat(launch.Executor.Resources)
            .Select(r => r.Reservations.LastOrDefault()?.Labels?.Labels_.FirstOrDefault(l => l.Key == "resource_id")?.Value)
            .OfType<string>().Distinct().Count();
        Assert.True(launch.Executor.Resources.Count > 0);

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() => scenario.Run(Expect.Unreserved("hello-0-server")));
        Assert.Contains($"{ids} of the {ids} reservations of hello-0-server's latest launch are not unreserved", failure.Message);
    }

    [Fact]
    public async Task Scenario_should_gate_a_step_on_its_readiness_check_result()
    {
        const string yaml = """
            name: ready
            pods:
              db:
                count: 1
                tasks:
                  node:
                    goal: RUNNING
                    cmd: sleep 1000
                    cpus: 0.1
                    memory: 32
                    readiness-check:
                      cmd: test -f ready
                      interval: 5
                      delay: 0
                      timeout: 10
            """;
        await using var scenario = new ServiceScenario(yaml);

        await scenario.Run(
            Send.Register(),
            Send.OffersFor("db"),
            Expect.Launched("db-0-node"),
            Send.TaskStatus("db-0-node", TaskState.TaskRunning, readinessExitCode: 1),
            // Running but not ready: the step waits in STARTED.
            Expect.StepStatus("deploy", "db", "db-0:[node]", Status.Started),
            Send.TaskStatus("db-0-node", TaskState.TaskRunning, readinessExitCode: 0),
            Expect.StepStatus("deploy", "db", "db-0:[node]", Status.Complete),
            Expect.AllPlansComplete());
    }

    [Fact]
    public async Task Readme_example_should_deploy_relaunch_and_restart()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"),
            new ScenarioOptions { Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" } });

        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello", count: 1),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete(),
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Send.RestartScheduler(),
            Expect.ReconciledExplicitly("hello-0-server", "world-0-server"),
            Expect.AllPlansComplete());
    }
}
