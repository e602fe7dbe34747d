using System.Diagnostics;
using System.Net;
using ActorScheduler.Hosting.Tests.EndToEnd;
using ActorScheduler.Hosting.Tests.Journal;
using Xunit.Abstractions;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The clustered HA scheduler as an operator runs it: three <c>actorscheduler run --cluster-port</c> OS processes on one
/// PostgreSQL journal and one master (the emulator, in this process), and a real <c>kill -9</c> of the process of the
/// node that runs the scheduler. Unlike <see cref="ClusteredSchedulerTests"/>, whose crash terminates an actor system in
/// the test process, nothing of the killed node runs its shutdown: its sockets to the other nodes, the master and
/// PostgreSQL are cut by the kernel mid-stream. The processes run with the shorter timings of the in-process cluster tests
/// (<see cref="ClusteredSchedulerTests.TestTimingOptions"/>), given as <c>run</c>'s <c>--cluster-*</c> timing options, as
/// an operator would give them.
/// Reports Skipped without the PostgreSQL server binaries (<see cref="PostgresServer"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterKillEndToEndTests(PostgresServer server, ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Where the take-over's seconds went, in the survivors' logs: the failure detector, the split-brain resolver, the
    /// singleton and the Mesos subscription.
    /// </summary>
    private static readonly string[] TimelineMarks =
        ["as UNREACHABLE", "SBR took decision", "as [Down]", "Leader is removing", "ClusterSingletonManager state change", "Subscribing to", "Subscribed as framework"];

    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-cluster-kill-").FullName;

    [SkippableFact]
    public async Task A_kill_9_of_the_active_node_process_is_taken_over_by_a_survivor_with_the_same_framework_and_no_relaunch()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        await using var emulator = await InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var apis = new[] { SchedulerProcess.FreePort(), SchedulerProcess.FreePort(), SchedulerProcess.FreePort() };
        var ports = new[] { SchedulerProcess.FreePort(), SchedulerProcess.FreePort(), SchedulerProcess.FreePort() };
        var nodes = new List<SchedulerProcess>();
        try
        {
            // All three start at once: A lists itself as the seed and forms the cluster, B and C only join it, so A is
            // the oldest Up member and runs the scheduler.
            foreach (var (name, i) in new[] { ("a", 0), ("b", 1), ("c", 2) })
            {
                nodes.Add(ClusterNodeProcesses.Start(_dir, name, journal, emulator.Url, apis[i], ports[i], seedPort: ports[0]));
            }

            var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
            await a.WaitUntilAsync(a.DeployCompleteAsync, Timeout, "deploy COMPLETE on node A");
            Assert.Contains("failover: heartbeat 250ms, pause 2500ms, stable-after 2s, down-removal margin 500ms", a.Output);
            var launched = emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList();
            Assert.Equal(["hello-0-server", "world-0-server", "world-1-server"], launched.Select(l => l.TaskName));
            var framework = Assert.Single(emulator.Snapshot().Frameworks).Id;

            // B and C are Up and stand by (their singleton managers left Start for Younger once their node was Up), and
            // redirect to A: a node still joining when A dies would keep membership changing, and the split-brain
            // resolver downs every node of a cluster that does not settle.
            foreach (var standby in new[] { b, c })
            {
                await standby.WaitUntilAsync(() => Task.FromResult(standby.Output.Contains("ClusterSingletonManager state change [Start -> Younger]")), Timeout, "the node Up, standing by");
            }

            // A node just Up redirects once its watcher has heard A's singleton answer (asked at once, then every 250 ms).
            await ClusteredSchedulerTests.AnswersWithinAsync(apis[1], HttpStatusCode.TemporaryRedirect, $"http://127.0.0.1:{apis[0]}/v1/plans/deploy?verbose=true", Timeout);
            await ClusteredSchedulerTests.AnswersWithinAsync(apis[2], HttpStatusCode.TemporaryRedirect, $"http://127.0.0.1:{apis[0]}/v1/plans/deploy?verbose=true", Timeout);
            var subscribes = emulator.History().CallCount("SUBSCRIBE");

            // kill -9 of the active node's process: no cluster leave, no hand-over, no goodbye to the master or PostgreSQL.
            // Once A is unreachable and until a survivor's singleton answers, B answers 503 with Retry-After, not a
            // redirect to the dead node. B's API is asked beside the wait for the resubscription, which a request the API holds (it
            // waits for a singleton that is starting) would otherwise delay.
            var killedAt = DateTime.UtcNow;
            var takeOver = Stopwatch.StartNew();
            a.Crash();
            log.WriteLine($"node A (pid {a.Pid}) killed with SIGKILL");
            using var stopAsking = new CancellationTokenSource();
            var unavailable = AnswersUnavailableAsync(apis[1], stopAsking.Token);
            await b.WaitUntilAsync(() => Task.FromResult(emulator.History().CallCount("SUBSCRIBE") > subscribes), Timeout, $"a survivor resubscribing; node C:\n{c.Output}");
            var resubscribed = takeOver.Elapsed;
            await stopAsking.CancelAsync();
            Assert.True(await unavailable, $"node B never answered 503 with Retry-After while node A was unreachable:\n{b.Output}");
            var (active, _) = await ServingAndRedirectingAsync(apis[1], apis[2], [b, c]);
            var answering = takeOver.Elapsed;
            log.WriteLine($"kill -9 take-over (test cluster timings: {string.Join(' ', ClusteredSchedulerTests.TestTimingOptions)}): a survivor's scheduler resubscribed {resubscribed.TotalSeconds:0.0}s after the kill; "
                          + $"the survivors' APIs answered (active {active}, standby 307 to it) after {answering.TotalSeconds:0.0}s");
            ClusterNodeProcesses.WriteTimeline(log, _dir, killedAt, ["b", "c"], TimelineMarks);

            // The same framework (resubscribed with its id, not registered anew), connected, the same tasks running, none
            // launched twice, and the deploy plan COMPLETE on the survivor that serves.
            var survivor = nodes[Array.IndexOf(apis, active)];
            await survivor.WaitUntilAsync(survivor.DeployCompleteAsync, Timeout, "deploy COMPLETE on the survivor");
            var after = emulator.Snapshot();
            var subscribed = Assert.Single(after.Frameworks);
            Assert.Equal(framework, subscribed.Id);
            Assert.True(subscribed.Connected, "no survivor's scheduler is subscribed");
            Assert.Equal(launched, emulator.History().Launches.Select(l => (l.TaskName, l.TaskId)).Order().ToList());
            Assert.Equal(launched.Select(l => l.TaskId).Order(), after.Tasks.Where(t => t.State == "TASK_RUNNING").Select(t => t.Id).Order());
        }
        finally
        {
            // SIGKILL whatever still runs, the test failed or not: no node outlives it.
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    /// <summary>
    /// Waits until one of the two APIs serves the deploy plan itself (200) and the other redirects (307) to the same
    /// path on it: the survivors agree on the node that runs the scheduler. Which one that is, is Akka's age ordering
    /// of two nodes the leader may have moved Up in one pass; the test reads it from their answers. Returns the
    /// serving API's port, then the redirecting one's.
    /// </summary>
    private static async Task<(int Active, int Standby)> ServingAndRedirectingAsync(int first, int second, IReadOnlyList<SchedulerProcess> processes)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) };
        var deadline = DateTime.UtcNow + Timeout;
        var seen = new Dictionary<int, (HttpStatusCode, string?)>();
        while (true)
        {
            foreach (var port in new[] { first, second })
            {
                try
                {
                    using var answer = await client.GetAsync($"http://127.0.0.1:{port}/v1/plans/deploy?verbose=true");
                    seen[port] = (answer.StatusCode, answer.Headers.Location?.ToString());
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    seen[port] = (0, e.Message);
                }
            }

            foreach (var (active, standby) in new[] { (first, second), (second, first) })
            {
                if (seen[active].Item1 == HttpStatusCode.OK
                    && seen[standby] == (HttpStatusCode.TemporaryRedirect, $"http://127.0.0.1:{active}/v1/plans/deploy?verbose=true"))
                {
                    return (active, standby);
                }
            }

            Assert.True(
                DateTime.UtcNow < deadline,
                $"the survivors did not agree within {Timeout.TotalSeconds}s: {string.Join(", ", seen.Select(s => $"{s.Key} answered {s.Value}"))}\n"
                + string.Join("\n----\n", processes.Select(p => p.Output)));
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Asks the API on <paramref name="apiPort"/> for the deploy plan until it answers <c>503</c> with <c>Retry-After: 2</c>
    /// (true) or <paramref name="ct"/> is cancelled first (false).
    /// </summary>
    private static async Task<bool> AnswersUnavailableAsync(int apiPort, CancellationToken ct)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) };
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var answer = await client.GetAsync($"http://127.0.0.1:{apiPort}/v1/plans/deploy", ct);
                if (answer.StatusCode == HttpStatusCode.ServiceUnavailable && answer.Headers.RetryAfter?.Delta == TimeSpan.FromSeconds(2))
                {
                    return true;
                }

                await Task.Delay(200, ct);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
            }
        }

        return false;
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
