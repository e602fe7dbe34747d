using System.Diagnostics;
using System.Net;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.Journal;
using ActorScheduler.Mesos.Emulator;
using Xunit.Abstractions;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// Two scheduler nodes (<c>run --cluster-port</c>) in this process, one PostgreSQL journal, the emulator as the shared
/// master: the scheduler runs on one node as a cluster singleton, and moves to the other when that node leaves; a standby
/// node's API redirects to the active node's.
/// Reports Skipped without the PostgreSQL server binaries (<see cref="PostgresServer"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusteredSchedulerTests(PostgresServer server, ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-cluster-").FullName;

    // Tuned as akka-notes §2.4 for loopback, with the longer pause it advises on a loaded 2-core box: the run options
    // --cluster-heartbeat-interval, --cluster-heartbeat-pause, --cluster-stable-after and --cluster-down-removal-margin.
    // The in-process nodes' scheduler lease (--cluster-lease-ttl) too, shorter than pause + stable-after + margin, so that
    // a crashed node's lease has expired by the time another node's singleton asks for it, and long enough (renewed every
    // second, lost 3 s after the last renewal sent) that a loaded machine's stalls do not lose it (2 s did, in CI). The processes of
    // TestTimingOptions keep the default lease (12s): with a lease of 2s, the journal-lost test's active node could lose
    // its lease (at 1.5s without a renewal) before its next write fails, which is the failure that test is about.
    private const string TestHeartbeatInterval = "250ms", TestHeartbeatPause = "2500ms", TestStableAfter = "2s", TestDownRemovalMargin = "500ms";

    /// <summary>The scheduler lease of the in-process nodes (<see cref="TestNode"/>).</summary>
    internal const string TestLeaseTtl = "4s";

    /// <summary>The same timings as <c>run</c>'s command-line options, for the tests that start <c>run</c> processes.</summary>
    internal static readonly string[] TestTimingOptions =
    [
        "--cluster-heartbeat-interval", TestHeartbeatInterval, "--cluster-heartbeat-pause", TestHeartbeatPause,
        "--cluster-stable-after", TestStableAfter, "--cluster-down-removal-margin", TestDownRemovalMargin,
    ];

    private RunArguments Node(string name, string journal, Uri master, int apiPort, int clusterPort, int seedPort) =>
        TestNode(Path.Combine(_dir, name), journal, master, apiPort, clusterPort, $"akka.tcp://actorscheduler@127.0.0.1:{seedPort}");

    /// <summary>
    /// An in-process <c>run</c> node of hello-world on <paramref name="journal"/> and <paramref name="master"/>, joining
    /// <paramref name="seed"/>, with the tests' short cluster timings and lease (<see cref="TestLeaseTtl"/>).
    /// </summary>
    internal static RunArguments TestNode(string dataDir, string journal, Uri master, int apiPort, int clusterPort, string seed) =>
        new(Path.Combine(EndToEnd.SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"), ["SLEEP_DURATION=300"], dataDir, apiPort, 0, 1, master.ToString(), false)
        {
            JournalConnection = journal,
            ClusterPort = clusterPort,
            ClusterSeeds = [seed],
            ClusterHeartbeatInterval = TestHeartbeatInterval,
            ClusterHeartbeatPause = TestHeartbeatPause,
            ClusterStableAfter = TestStableAfter,
            ClusterDownRemovalMargin = TestDownRemovalMargin,
            ClusterLeaseTtl = TestLeaseTtl,
        };

    [SkippableFact]
    public async Task A_node_that_leaves_hands_the_scheduler_over_to_the_other_which_carries_on_without_a_relaunch()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        await using var emulator = await Journal.InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var (apiA, apiB) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        var (portA, portB) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        using var stopA = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var stopB = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var (consoleA, consoleB) = (new StringWriter(), new StringWriter());

        var (systemA, systemB) = (new TaskCompletionSource<Akka.Actor.ActorSystem>(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource<Akka.Actor.ActorSystem>(TaskCreationOptions.RunContinuationsAsynchronously));

        // Node A forms the cluster, runs the scheduler and deploys.
        var runA = RunCommand.RunAsync(Node("a", journal, emulator.Url, apiA, portA, seedPort: portA) with { OnStarted = systemA.SetResult }, consoleA, consoleA, stopA.Token);
        await Journal.InProcessRun.DeployCompleteAsync(apiA, runA, consoleA);
        var launched = emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList();
        Assert.Equal(["hello-0-server", "world-0-server", "world-1-server"], launched.Select(l => l.TaskName));
        var framework = Assert.Single(emulator.Snapshot().Frameworks).Id;
        Assert.Contains($"cluster:     akka.tcp://actorscheduler@127.0.0.1:{portA}", consoleA.ToString());

        // Node B joins A and stands by: its API redirects to A's, whose singleton runs the scheduler, with the path and
        // query asked, and the CLI follows.
        var runB = RunCommand.RunAsync(Node("b", journal, emulator.Url, apiB, portB, seedPort: portA) with { OnStarted = systemB.SetResult }, consoleB, consoleB, stopB.Token);
        await Journal.InProcessRun.DeployCompleteAsync(apiB, runB, consoleB);
        Assert.Contains("any node's API answers: a standby redirects (307) to the node that runs the scheduler", consoleB.ToString());
        var (runsOnA, runsOnB) = (await RunsSchedulerAsync(await systemA.Task), await RunsSchedulerAsync(await systemB.Task));
        Assert.True(runsOnA && !runsOnB, $"the scheduler singleton answers on A: {runsOnA}, on B: {runsOnB}");
        await AnswersAsync(apiB, HttpStatusCode.TemporaryRedirect, $"http://127.0.0.1:{apiA}/v1/plans/deploy?verbose=true");
        var cliOutput = new StringWriter();
        var cliError = new StringWriter();
        Assert.Equal(0, await PlanCli.StatusAsync($"http://127.0.0.1:{apiB}", "deploy", false, cliOutput, cliError, CancellationToken.None));
        Assert.Matches(@"^deploy \(\w+ strategy\) \(COMPLETE\)", cliOutput.ToString());
        Assert.Empty(cliError.ToString());
        var subscribes = emulator.History().CallCount("SUBSCRIBE");

        // A leaves gracefully (Ctrl-C): the singleton hands over to B, which replays the shared journal and resubscribes.
        var handOver = Stopwatch.StartNew();
        await stopA.CancelAsync();
        Assert.Equal(0, await runA);
        while (emulator.History().CallCount("SUBSCRIBE") == subscribes)
        {
            // A console is read only to fail, as in InProcessRun.DeployCompleteAsync: its node writes to it meanwhile.
            if (runB.IsCompleted)
            {
                Assert.Fail($"node B stopped:\n{consoleB}");
            }

            if (handOver.Elapsed >= TimeSpan.FromMinutes(2))
            {
                Assert.Fail($"node B's scheduler did not resubscribe within 2 minutes of A leaving:\n{consoleB}");
            }

            await Task.Delay(100);
        }

        log.WriteLine($"graceful hand-over: node A left and node B's scheduler resubscribed after {handOver.Elapsed.TotalSeconds:0.0}s");
        await Journal.InProcessRun.DeployCompleteAsync(apiB, runB, consoleB);
        Assert.True(await RunsSchedulerAsync(await systemB.Task), "node B's singleton does not answer after the hand-over");
        await AnswersAsync(apiB, HttpStatusCode.OK, location: null);

        // Same framework (resubscribed with its id), the same tasks running, none launched again.
        var after = emulator.Snapshot();
        Assert.Equal(framework, Assert.Single(after.Frameworks).Id);
        Assert.True(Assert.Single(after.Frameworks).Connected, "node B's scheduler is not subscribed");
        Assert.Equal(launched, emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList());
        Assert.Equal(launched.Select(l => l.TaskId).Order(), after.Tasks.Where(t => t.State == "TASK_RUNNING").Select(t => t.Id).Order());

        await stopB.CancelAsync();
        Assert.Equal(0, await runB);
    }

    [SkippableFact]
    public async Task A_node_that_reaches_no_active_scheduler_answers_its_api_with_503_and_retry_after_saying_so()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        await using var emulator = await MesosEmulator.StartAsync(new MesosEmulatorOptions { DataDir = Path.Combine(_dir, "mesos"), Port = 0, Agents = 1 });
        var api = EndToEnd.SchedulerProcess.FreePort();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var console = new StringWriter();

        // Its only seed is a port nobody listens on: it never joins a cluster, so no node runs the scheduler.
        var run = RunCommand.RunAsync(Node("lone", journal, emulator.Url, api, EndToEnd.SchedulerProcess.FreePort(), seedPort: EndToEnd.SchedulerProcess.FreePort()), console, console, stop.Token);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{api}/"), Timeout = TimeSpan.FromSeconds(60) };
        HttpResponseMessage? answer = null;
        var deadline = Stopwatch.StartNew();
        while (answer is null)
        {
            if (run.IsCompleted)
            {
                Assert.Fail($"run ended:\n{console}");
            }

            if (deadline.Elapsed >= TimeSpan.FromMinutes(1))
            {
                Assert.Fail($"the API did not serve within a minute:\n{console}");
            }

            try
            {
                answer = await client.GetAsync("v1/plans/deploy");
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }

        using (answer)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), answer.Headers.RetryAfter?.Delta);
            using var body = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.Equal(
                "No active scheduler node to answer: no scheduler node is up in the cluster yet; the scheduler may be moving to another node of the cluster, try again in a few seconds",
                body.RootElement.GetProperty("message").GetString());
        }

        Assert.Equal(0, emulator.History().CallCount("SUBSCRIBE"));
        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    [SkippableFact]
    public async Task A_crashed_active_node_is_downed_and_another_takes_over_in_seconds_without_a_relaunch()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        await using var emulator = await Journal.InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var apis = new[] { EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort() };
        var ports = new[] { EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort() };
        var stops = new[] { new CancellationTokenSource(TimeSpan.FromMinutes(5)), new CancellationTokenSource(TimeSpan.FromMinutes(5)), new CancellationTokenSource(TimeSpan.FromMinutes(5)) };
        var consoles = new[] { new StringWriter(), new StringWriter(), new StringWriter() };
        var systems = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource<Akka.Actor.ActorSystem>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        try
        {
            // Node A forms the cluster and deploys; a crash of it leaves the cluster nothing (no Leave on termination).
            var runA = RunCommand.RunAsync(Node("a", journal, emulator.Url, apis[0], ports[0], seedPort: ports[0]) with
            {
                TestHocon = "akka.coordinated-shutdown.run-by-actor-system-terminate = off",
                OnStarted = system => systems[0].SetResult(system),
            }, consoles[0], consoles[0], stops[0].Token);
            await Journal.InProcessRun.DeployCompleteAsync(apis[0], runA, consoles[0]);
            var launched = emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList();
            var framework = Assert.Single(emulator.Snapshot().Frameworks).Id;

            // B and C join: three nodes, so that keep-majority leaves two that may down the third.
            var runB = RunCommand.RunAsync(Node("b", journal, emulator.Url, apis[1], ports[1], seedPort: ports[0]) with { OnStarted = system => systems[1].SetResult(system) }, consoles[1], consoles[1], stops[1].Token);
            await Journal.InProcessRun.DeployCompleteAsync(apis[1], runB, consoles[1]);
            var runC = RunCommand.RunAsync(Node("c", journal, emulator.Url, apis[2], ports[2], seedPort: ports[0]) with { OnStarted = system => systems[2].SetResult(system) }, consoles[2], consoles[2], stops[2].Token);
            await Journal.InProcessRun.DeployCompleteAsync(apis[2], runC, consoles[2]);
            await AnswersAsync(apis[2], HttpStatusCode.TemporaryRedirect, $"http://127.0.0.1:{apis[0]}/v1/plans/deploy?verbose=true");

            // Every node sees all three Up: a node still joining when A crashes would keep membership changing, and the
            // split-brain resolver downs every node of a cluster that does not settle.
            var members = await Task.WhenAll(systems.Select(s => s.Task));
            var settled = Stopwatch.StartNew();
            while (!members.All(m => Akka.Cluster.Cluster.Get(m).State.Members.Count(x => x.Status == Akka.Cluster.MemberStatus.Up) == 3))
            {
                Assert.True(settled.Elapsed < TimeSpan.FromMinutes(1), "the three nodes did not all see each other Up within a minute");
                await Task.Delay(100);
            }

            var subscribes = emulator.History().CallCount("SUBSCRIBE");
            var failover = Stopwatch.StartNew();
            await members[0].Terminate();
            while (emulator.History().CallCount("SUBSCRIBE") == subscribes)
            {
                if (runB.IsCompleted || runC.IsCompleted)
                {
                    Assert.Fail($"node B or C stopped:\n{consoles[1]}\n{consoles[2]}");
                }

                if (failover.Elapsed >= TimeSpan.FromMinutes(2))
                {
                    Assert.Fail($"no node resubscribed within 2 minutes of A's crash:\n{consoles[1]}\n{consoles[2]}");
                }

                await Task.Delay(100);
            }

            log.WriteLine($"crash failover: node A's actor system terminated without leaving, another node's scheduler resubscribed after {failover.Elapsed.TotalSeconds:0.0}s");
            await Journal.InProcessRun.DeployCompleteAsync(apis[1], runB, consoles[1]);
            await Journal.InProcessRun.DeployCompleteAsync(apis[2], runC, consoles[2]);

            // The node of B and C whose singleton answers serves the API, the other redirects to it.
            var runsOn = await Task.WhenAll(RunsSchedulerAsync(members[1]), RunsSchedulerAsync(members[2]));
            Assert.True(runsOn[0] != runsOn[1], $"the scheduler singleton answers on {(runsOn[0] ? "both" : "neither")} of B and C");
            var (active, standby) = runsOn[0] ? (apis[1], apis[2]) : (apis[2], apis[1]);
            await AnswersAsync(active, HttpStatusCode.OK, location: null);
            await AnswersAsync(standby, HttpStatusCode.TemporaryRedirect, $"http://127.0.0.1:{active}/v1/plans/deploy?verbose=true");
            var after = emulator.Snapshot();
            Assert.Equal(framework, Assert.Single(after.Frameworks).Id);
            Assert.Equal(launched, emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList());
            Assert.Equal(launched.Select(l => l.TaskId).Order(), after.Tasks.Where(t => t.State == "TASK_RUNNING").Select(t => t.Id).Order());

            foreach (var stop in stops)
            {
                await stop.CancelAsync();
            }

            Assert.Equal(0, await runB);
            Assert.Equal(0, await runC);
            await runA;
        }
        finally
        {
            foreach (var stop in stops)
            {
                await stop.CancelAsync();
                stop.Dispose();
            }
        }
    }

    /// <summary>
    /// Asks a node's API for the deploy plan once, without following redirects: it answers <paramref name="status"/>,
    /// with <paramref name="location"/> (the same path and query on the active node) for a redirect. Each node redirects
    /// to where the singleton answered, not to where its view of the membership says it should run, so the first answer
    /// is the right one once the callers have seen the scheduler serve (no waiting for the views to converge).
    /// </summary>
    internal static async Task AnswersAsync(int apiPort, HttpStatusCode status, string? location)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(15) };
        using var answer = await client.GetAsync("v1/plans/deploy?verbose=true");
        Assert.Equal((status, location), (answer.StatusCode, answer.Headers.Location?.ToString()));
    }

    /// <summary>
    /// As <see cref="AnswersAsync"/>, asked again until the node answers so or <paramref name="within"/> passes: for a node
    /// whose watcher may not have heard the singleton's first answer yet (one that has just come Up).
    /// </summary>
    internal static async Task AnswersWithinAsync(int apiPort, HttpStatusCode status, string? location, TimeSpan within)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = TimeSpan.FromSeconds(15) };
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            using var answer = await client.GetAsync("v1/plans/deploy?verbose=true");
            var seen = (answer.StatusCode, answer.Headers.Location?.ToString());
            if (seen == (status, location) || DateTime.UtcNow >= deadline)
            {
                Assert.Equal((status, location), seen);
                return;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Whether the scheduler singleton runs in <paramref name="system"/>: it answers Akka's <c>Identify</c> there.</summary>
    private static async Task<bool> RunsSchedulerAsync(Akka.Actor.ActorSystem system)
    {
        var identity = await Akka.Actor.Futures.Ask<Akka.Actor.ActorIdentity>(system.ActorSelection("/user/scheduler/scheduler"), new Akka.Actor.Identify(null), TimeSpan.FromSeconds(10));
        return identity.Subject is not null;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
