using System.Net;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Persistence;
using ActorScheduler.Hosting.Tests.EndToEnd;
using ActorScheduler.Hosting.Tests.Journal;
using Xunit.Abstractions;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The clustered HA scheduler losing its shared PostgreSQL journal server mid-run, as an operator runs it: two
/// <c>actorscheduler run --cluster-port</c> OS processes (<see cref="ClusterNodeProcesses"/>) on one database and one
/// master (the emulator, in this process), and the server stopped as a crash would (<see cref="PostgresServer.Stop"/>).
/// Two nodes are enough: the active node leaves the cluster as it stops, so no split-brain decision is involved, and the
/// standby takes over alone. Reports Skipped without the PostgreSQL server binaries (<see cref="PostgresServer"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterJournalLostEndToEndTests(PostgresServer server, ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static readonly string[] TimelineMarks =
        ["Exiting", "Leader is removing", "ClusterSingletonManager state change", "The scheduler stops", "Subscribing to", "Subscribed as framework"];

    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-cluster-journal-lost-").FullName;

    /// <summary>
    /// The server lost under a deployed two-node cluster: the active node's next write (an operator's pod restart) fails,
    /// its <c>run</c> exits 3 with one <c>error:</c> line and it leaves the cluster; the standby, which noticed nothing while
    /// it stood by, becomes the node to run the scheduler, and cannot take the scheduler lease for want of the same server:
    /// it stops the same way (exit 3, the lease named), without replaying anything. A node started again while the server is away is refused before anything starts (exit 2). Once the server
    /// answers, a node that joins the seed waits for it (503, no subscription) and the seed node started again forms the
    /// cluster anew and recovers the scheduler — the same framework id, no task launched or killed — while the other
    /// stands by and redirects to it.
    /// </summary>
    [SkippableFact]
    public async Task A_journal_server_lost_stops_each_node_that_takes_the_scheduler_with_exit_3_and_the_nodes_started_again_on_the_server_back_recover_it_without_a_relaunch()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        await using var emulator = await InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var apis = new[] { SchedulerProcess.FreePort(), SchedulerProcess.FreePort() };
        var ports = new[] { SchedulerProcess.FreePort(), SchedulerProcess.FreePort() };
        var nodes = new List<SchedulerProcess>();
        var activeA = $"http://127.0.0.1:{apis[0]}/v1/plans/deploy?verbose=true";
        try
        {
            // A lists itself as the seed and forms the cluster, B joins it: A is the oldest and runs the scheduler.
            var a = Start("a", 0);
            var b = Start("b", 1);
            await a.WaitUntilAsync(a.DeployCompleteAsync, Timeout, "deploy COMPLETE on node A");
            await b.WaitUntilAsync(() => Task.FromResult(b.Output.Contains("ClusterSingletonManager state change [Start -> Younger]")), Timeout, "node B Up, standing by");
            await ClusteredSchedulerTests.AnswersWithinAsync(apis[1], HttpStatusCode.TemporaryRedirect, activeA, Timeout);
            var launched = emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList();
            Assert.Equal(["hello-0-server", "world-0-server", "world-1-server"], launched.Select(l => l.TaskName));
            var framework = Assert.Single(emulator.Snapshot().Frameworks).Id;
            var (kills, subscribes) = (emulator.History().CallCount("KILL"), emulator.History().CallCount("SUBSCRIBE"));

            var lostAt = DateTime.UtcNow;
            server.Stop();
            try
            {
                // The operator's pod restart, journaled before its kills, meets the lost server: not answered 200 (or not
                // at all, A's API stopping with its run).
                using (var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) })
                {
                    try
                    {
                        using var answer = await client.PostAsync($"http://127.0.0.1:{apis[0]}/v1/pod/hello-0/restart", null);
                        Assert.NotEqual(HttpStatusCode.OK, answer.StatusCode);
                    }
                    catch (HttpRequestException)
                    {
                    }
                }

                Assert.True(await a.WaitForExitAsync(Timeout) == RunCommand.JournalUnavailableExitCode, $"node A's run did not exit 3:\n{a.Output}");
                var lineA = Assert.Single(ClusterNodeProcesses.ErrorLines(a));
                log.WriteLine($"node A: {lineA}");
                Assert.StartsWith($"error: journal {PostgresJournal.Describe(journal)} was lost: the journal's server could not be reached: the journal stream hello-world/", lineA);
                Assert.Contains($"start run again once the server {PostgresJournal.Server(journal)} answers: it recovers from the journal (details: ", lineA);

                // A left the cluster as it stopped, handing the scheduler over: B would take it over, but its lease is in
                // the server still away.
                Assert.True(await b.WaitForExitAsync(Timeout) == RunCommand.JournalUnavailableExitCode, $"node B's run did not exit 3:\n{b.Output}");
                var lineB = Assert.Single(ClusterNodeProcesses.ErrorLines(b));
                log.WriteLine($"node B: {lineB}");
                Assert.Contains("ClusterSingletonManager state change [Younger -> BecomingOldest]", b.Output);
                Assert.StartsWith($"error: journal {PostgresJournal.Describe(journal)} was lost: the journal's server could not be reached: the scheduler lease could not be taken (", lineB);
                Assert.Contains($"start run again once the server {PostgresJournal.Server(journal)} answers: it recovers from the journal (details: ", lineB);
                ClusterNodeProcesses.WriteTimeline(log, _dir, lostAt, ["a", "b"], TimelineMarks);

                // Nothing acted on that was not recorded: no task launched or killed, no framework subscribed again.
                Assert.Equal(launched, emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList());
                Assert.Equal((kills, subscribes), (emulator.History().CallCount("KILL"), emulator.History().CallCount("SUBSCRIBE")));

                // Started again while the server is away (as a supervisor does): refused before anything starts.
                var refused = Start("a", 0);
                Assert.Equal(2, await refused.WaitForExitAsync(Timeout));
                Assert.StartsWith($"error: journal server {PostgresJournal.Server(journal)} is unreachable (", Assert.Single(ClusterNodeProcesses.ErrorLines(refused)));
                Assert.DoesNotContain("cluster:", refused.Output);
            }
            finally
            {
                server.Start();
            }

            // The server back. B, started first, only joins its seed A, which is down: its API serves, no node runs the
            // scheduler, and nothing subscribes.
            b = Start("b", 1);
            await b.WaitUntilAsync(async () => await b.GetAsync("v1/plans/deploy") is { Code: HttpStatusCode.ServiceUnavailable }, Timeout, "node B's API answering 503 while it waits for its seed");
            Assert.Equal(subscribes, emulator.History().CallCount("SUBSCRIBE"));

            // A started again forms the cluster anew and recovers the scheduler, B joins and stands by.
            a = Start("a", 0);
            await a.WaitUntilAsync(a.DeployCompleteAsync, Timeout, "deploy COMPLETE on node A started again");
            await ClusteredSchedulerTests.AnswersWithinAsync(apis[1], HttpStatusCode.TemporaryRedirect, activeA, Timeout);

            // The same framework (resubscribed with its id, not registered anew), connected, the same tasks running,
            // none launched again or killed.
            var after = emulator.Snapshot();
            var subscribed = Assert.Single(after.Frameworks);
            Assert.Equal(framework, subscribed.Id);
            Assert.True(subscribed.Connected, "node A's scheduler is not subscribed");
            Assert.Equal(launched, emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList());
            Assert.Equal(launched.Select(l => l.TaskId).Order(), after.Tasks.Where(t => t.State == "TASK_RUNNING").Select(t => t.Id).Order());
            Assert.Equal(kills, emulator.History().CallCount("KILL"));
        }
        finally
        {
            // SIGKILL whatever still runs, the test failed or not: no node outlives it.
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }

        SchedulerProcess Start(string name, int i)
        {
            var node = ClusterNodeProcesses.Start(_dir, name, journal, emulator.Url, apis[i], ports[i], seedPort: ports[0]);
            nodes.Add(node);
            return node;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
