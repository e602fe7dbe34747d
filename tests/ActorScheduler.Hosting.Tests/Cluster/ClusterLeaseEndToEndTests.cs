using System.Diagnostics;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Persistence;
using ActorScheduler.Hosting.Tests.Journal;
using Xunit.Abstractions;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The split-brain guard end to end, in this process: two scheduler nodes (<c>run --cluster-port</c>) that do not
/// join each other, each forming a one-node cluster of its own (what each side of a network partition sees, once the
/// split-brain resolver left each side to itself), on one PostgreSQL journal and one master (the emulator). Each node
/// is the oldest of its cluster, so without the lease both would run the scheduler: with it, only the node that holds
/// the lease does, and the other starts it only after the first stops renewing and the lease's TTL has passed.
/// Reports Skipped without the PostgreSQL server binaries (<see cref="PostgresServer"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterLeaseEndToEndTests(PostgresServer server, ITestOutputHelper log) : IDisposable
{
    private const string Ttl = ClusteredSchedulerTests.TestLeaseTtl;
    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-cluster-lease-").FullName;

    // Its own address as its only seed: a cluster of its own.
    private RunArguments Node(string name, string journal, Uri master, int apiPort, int clusterPort) =>
        ClusteredSchedulerTests.TestNode(Path.Combine(_dir, name), journal, master, apiPort, clusterPort, $"akka.tcp://actorscheduler@127.0.0.1:{clusterPort}");

    [SkippableFact]
    public async Task Of_two_partitioned_nodes_on_one_journal_only_the_lease_holder_runs_the_scheduler_and_the_other_takes_over_once_it_crashes()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        await using var emulator = await InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var (apiA, apiB) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        var (portA, portB) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        using var stopA = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var stopB = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var (consoleA, consoleB) = (new StringWriter(), new StringWriter());
        var (systemA, systemB) = (new TaskCompletionSource<Akka.Actor.ActorSystem>(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource<Akka.Actor.ActorSystem>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            // A takes the lease, runs the scheduler and deploys; it can crash (no leave, no release, as a killed process).
            var runA = RunCommand.RunAsync(Node("a", journal, emulator.Url, apiA, portA) with
            {
                TestHocon = "akka.coordinated-shutdown.run-by-actor-system-terminate = off",
                OnStarted = systemA.SetResult,
            }, consoleA, consoleA, stopA.Token);
            await InProcessRun.DeployCompleteAsync(apiA, runA, consoleA);
            Assert.Contains($"lease: the scheduler runs only under the lease in the journal's table {PostgresLease.Table} (ttl {Ttl}, renewed every 1s)", consoleA.ToString());
            var launched = emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList();
            var framework = Assert.Single(emulator.Snapshot().Frameworks).Id;
            var subscribes = emulator.History().CallCount("SUBSCRIBE");

            // B, the oldest node of its own cluster, asks for the lease and is refused: it says so, and its singleton does
            // not start while A renews, for several TTLs.
            var runB = RunCommand.RunAsync(Node("b", journal, emulator.Url, apiB, portB) with { OnStarted = systemB.SetResult }, consoleB, consoleB, stopB.Token);
            var nodeB = await systemB.Task.WaitAsync(TimeSpan.FromMinutes(1));
            var waiting = Stopwatch.StartNew();
            while (!LogOf("b").Contains($"is held by [actorscheduler@127.0.0.1:{portA}#", StringComparison.Ordinal))
            {
                Assert.False(runB.IsCompleted, $"node B stopped:\n{consoleB}");
                Assert.True(waiting.Elapsed < TimeSpan.FromMinutes(1), $"node B did not log that it waits for the lease A holds within a minute:\n{LogOf("b")}");
                await Task.Delay(100);
            }

            var refused = Stopwatch.StartNew();
            while (refused.Elapsed < TimeSpan.FromSeconds(6))
            {
                Assert.False(await RunsSchedulerAsync(nodeB), "node B runs the scheduler while node A holds the lease");
                await Task.Delay(250);
            }

            Assert.True(await RunsSchedulerAsync(await systemA.Task), "node A's scheduler stopped while it holds the lease");
            Assert.Equal(subscribes, emulator.History().CallCount("SUBSCRIBE"));

            // A crashes: it renews no more, and B starts the scheduler once the lease's TTL has passed.
            var failover = Stopwatch.StartNew();
            await (await systemA.Task).Terminate();
            // The crash may still have let A's singleton leave its oldest state, which releases the lease (Akka's doing):
            // then B may take it at once. Only a row A left behind must be waited out.
            // No bound on when B may take over: a system terminated in-process may still let A's singleton leave its
            // oldest state, and Akka's singleton then releases the lease (the release's statement may even land after
            // the termination), so B may take it at once, as after a graceful stop. That a holder which vanishes
            // without a release (kill -9) is waited out for the TTL is PostgresLeaseTests'
            // (The_other_owner_gets_the_lease_once_the_holder_stops_renewing_and_the_ttl_has_passed).
            while (emulator.History().CallCount("SUBSCRIBE") == subscribes)
            {
                Assert.False(runB.IsCompleted, $"node B stopped:\n{consoleB}");
                Assert.True(failover.Elapsed < TimeSpan.FromMinutes(2), $"node B's scheduler did not resubscribe within 2 minutes of A's crash:\n{LogOf("b")}");
                await Task.Delay(100);
            }

            log.WriteLine($"node A crashed; node B's scheduler resubscribed after {failover.Elapsed.TotalSeconds:0.0}s (lease ttl {Ttl})");
            await InProcessRun.DeployCompleteAsync(apiB, runB, consoleB);
            Assert.True(await RunsSchedulerAsync(nodeB), "node B's singleton does not answer after taking the lease");
            Assert.StartsWith($"actorscheduler@127.0.0.1:{portB}#", (string?)PostgresServer.Scalar(journal, $"select owner from {PostgresLease.Table}"));

            // The same framework, the same tasks, none launched again.
            var after = emulator.Snapshot();
            Assert.Equal(framework, Assert.Single(after.Frameworks).Id);
            Assert.Equal(launched, emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList());

            // B stops gracefully: it releases the lease.
            await stopB.CancelAsync();
            Assert.Equal(0, await runB);
            Assert.Equal(0L, PostgresServer.Scalar(journal, $"select count(*) from {PostgresLease.Table}"));
            await stopA.CancelAsync();
            await runA;
        }
        finally
        {
            await stopA.CancelAsync();
            await stopB.CancelAsync();
        }
    }

    /// <summary>
    /// The fence end to end: the lease of a clustered node that runs the scheduler is taken by force (another owner's
    /// row, in a transaction held open so that the order is the test's), and an operator's pod restart is sent to it.
    /// The restart's journal write waits on the server for the take-over, then is refused by the fence: the node says so
    /// on one line, its scheduler stands down (its singleton stops with the lease, no kill is sent, the journal holds no
    /// row of it after the take-over), and <c>run</c> keeps running as a standby, as when it loses its lease, and
    /// stops with 0.
    /// </summary>
    [SkippableFact]
    public async Task A_node_whose_lease_is_taken_by_force_cannot_land_a_write_and_stands_down_without_exiting()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        await using var emulator = await InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var (api, port) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var console = new StringWriter();
        var started = new TaskCompletionSource<Akka.Actor.ActorSystem>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            // A lease of 20 s: the take-over below holds the node's renewals too, and with the tests' 4 s the node counted
            // its lease lost (3 s) and stopped its scheduler before a loaded CI machine had seen the write wait and let it
            // go on, so that no scheduler was left to say the write was refused.
            var run = RunCommand.RunAsync(Node("a", journal, emulator.Url, api, port) with { OnStarted = started.SetResult, ClusterLeaseTtl = "20s" }, console, console, stop.Token);
            await InProcessRun.DeployCompleteAsync(api, run, console);
            var node = await started.Task;
            var kills = emulator.History().CallCount("KILL");
            var ours = (string)PostgresServer.Scalar(journal, $"select owner from {PostgresLease.Table}")!;
            Assert.StartsWith($"actorscheduler@127.0.0.1:{port}#", ours);

            // Another node takes the row, its transaction left open: the node's next write (the restart's, or an offer
            // decision's) and its renewal wait for it on the server.
            await using var thief = new Npgsql.NpgsqlConnection(journal);
            await thief.OpenAsync();
            await using var takeOver = await thief.BeginTransactionAsync();
            await using (var take = new Npgsql.NpgsqlCommand($"update {PostgresLease.Table} set owner = 'actorscheduler@127.0.0.1:1#0badc0de', expires_at = now() + interval '1 hour'", thief, takeOver))
            {
                Assert.Equal(1, await take.ExecuteNonQueryAsync());
            }

            var rows = (long)PostgresServer.Scalar(journal, "select count(*) from journal")!;
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{api}/"), Timeout = TimeSpan.FromSeconds(30) };
            var restart = client.PostAsync("v1/pod/hello-0/restart", null);
            await Polling.AwaitAssertAsync(
                () => Assert.NotEqual(0L, PostgresServer.Scalar(journal, "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query ~* 'insert\\s+into\\s+\"?journal'")),
                TimeSpan.FromSeconds(20));
            await takeOver.CommitAsync();

            // Refused, said on one line; the node's singleton stops with its lease, and run goes on as a standby.
            await Polling.AwaitAssertAsync(
                () => Assert.Matches(
                    $@"A journal write of hello-world/[a-z/]+ was refused because this node no longer holds the scheduler lease: SL001: INSERT on journal refused: this node \[{System.Text.RegularExpressions.Regex.Escape(ours)}\] does not hold the scheduler lease \(held by \[actorscheduler@127\.0\.0\.1:1#0badc0de\] for \d+ ms more\); nothing of it is stored, and the scheduler stands down on this node \(another node runs it\)",
                    LogOf("a")),
                TimeSpan.FromSeconds(20));
            await Polling.AwaitAssertAsync(async () => Assert.False(await RunsSchedulerAsync(node), "the node's singleton still runs"), TimeSpan.FromSeconds(20));
            using (var answer = await restart)
            {
                Assert.NotEqual(System.Net.HttpStatusCode.OK, answer.StatusCode);
            }

            Assert.Equal(rows, (long)PostgresServer.Scalar(journal, "select count(*) from journal")!);
            Assert.Equal(kills, emulator.History().CallCount("KILL"));
            Assert.False(run.IsCompleted, $"run stopped after its write was refused:\n{console}");
            Assert.DoesNotContain("error:", console.ToString(), StringComparison.Ordinal);

            await stop.CancelAsync();
            Assert.Equal(0, await run);
            Assert.Equal(rows, (long)PostgresServer.Scalar(journal, "select count(*) from journal")!);
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    /// <summary>What node <paramref name="name"/> logged so far (<see cref="RunLog.FileName"/> in its data dir), read beside its writer.</summary>
    private string LogOf(string name)
    {
        var path = Path.Combine(_dir, name, RunLog.FileName);
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Whether the scheduler singleton runs in <paramref name="system"/>: it answers Akka's <c>Identify</c> there.</summary>
    private static async Task<bool> RunsSchedulerAsync(Akka.Actor.ActorSystem system)
    {
        var identity = await Akka.Actor.Futures.Ask<Akka.Actor.ActorIdentity>(system.ActorSelection("/user/scheduler/scheduler"), new Akka.Actor.Identify(null), TimeSpan.FromSeconds(10));
        return identity.Subject is not null;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
