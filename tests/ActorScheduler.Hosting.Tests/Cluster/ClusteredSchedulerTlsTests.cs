using System.Net;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.Journal;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// Two scheduler nodes (<c>run --cluster-port --cluster-tls-certificate</c>) in this process sharing a certificate, one
/// PostgreSQL journal, the emulator as the master: the cluster forms over TLS with the real scheduler singleton, and the
/// standby finds it across the TLS link and redirects to the active node's API.
/// Reports Skipped without the PostgreSQL server binaries (<see cref="PostgresServer"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusteredSchedulerTlsTests(PostgresServer server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-cluster-tls-run-").FullName;

    private RunArguments Node(string name, string journal, Uri master, int apiPort, int clusterPort, int seedPort, string certificate) =>
        ClusteredSchedulerTests.TestNode(Path.Combine(_dir, name), journal, master, apiPort, clusterPort, $"akka.ssl.tcp://actorscheduler@127.0.0.1:{seedPort}") with
        {
            ClusterTlsCertificate = certificate,
            EnvironmentVariable = variable => variable == RunClusterTls.PasswordVariable ? ClusterTlsTests.Password : null,
        };

    [SkippableFact]
    public async Task Two_run_nodes_sharing_a_certificate_form_a_tls_cluster_whose_standby_redirects_to_the_active_node()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        var certificate = ClusterTlsTests.WritePfx(_dir, "cluster");
        await using var emulator = await InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var (apiA, apiB) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        var (portA, portB) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        using var stopA = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var stopB = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var (consoleA, consoleB) = (new StringWriter(), new StringWriter());

        // Node A forms the cluster over TLS, runs the scheduler and deploys.
        var runA = RunCommand.RunAsync(Node("a", journal, emulator.Url, apiA, portA, portA, certificate), consoleA, consoleA, stopA.Token);
        await InProcessRun.DeployCompleteAsync(apiA, runA, consoleA);
        Assert.Contains($"cluster:     akka.ssl.tcp://actorscheduler@127.0.0.1:{portA}", consoleA.ToString());
        Assert.Contains($"TLS: every node presents and accepts only the certificate of {certificate} (mutual, pinned)", consoleA.ToString());

        // Node B joins over TLS and stands by: it finds A's singleton across the link and redirects to A's API.
        var runB = RunCommand.RunAsync(Node("b", journal, emulator.Url, apiB, portB, portA, certificate), consoleB, consoleB, stopB.Token);
        await InProcessRun.DeployCompleteAsync(apiB, runB, consoleB);
        await ClusteredSchedulerTests.AnswersAsync(apiB, HttpStatusCode.TemporaryRedirect, $"http://127.0.0.1:{apiA}/v1/plans/deploy?verbose=true");

        await stopB.CancelAsync();
        Assert.Equal(0, await runB);
        await stopA.CancelAsync();
        Assert.Equal(0, await runA);
    }

    [SkippableFact]
    public async Task A_run_node_with_another_certificate_is_stopped_by_the_failed_handshake_says_why_exits_1_and_never_joins()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        var certificate = ClusterTlsTests.WritePfx(_dir, "cluster");
        var other = ClusterTlsTests.WritePfx(_dir, "other");
        await using var emulator = await InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var (apiA, apiB) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        var (portA, portB) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        using var stopA = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var stopB = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var (consoleA, outputB, errorB) = (new StringWriter(), new StringWriter(), new StringWriter());
        var systemA = new TaskCompletionSource<Akka.Actor.ActorSystem>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runA = RunCommand.RunAsync(Node("a", journal, emulator.Url, apiA, portA, portA, certificate) with { OnStarted = systemA.SetResult }, consoleA, consoleA, stopA.Token);
        await InProcessRun.DeployCompleteAsync(apiA, runA, consoleA);

        // B dials A, refuses A's certificate (and A would refuse B's): Akka stops B, which says why and exits 1 by itself.
        var code = await RunCommand.RunAsync(Node("b", journal, emulator.Url, apiB, portB, portA, other), outputB, errorB, stopB.Token);

        Assert.False(stopB.IsCancellationRequested, "node B did not stop by itself");
        Assert.Equal(1, code);
        Assert.Contains($"error: Akka stopped this node: a TLS handshake with another node of the cluster failed (", errorB.ToString());
        Assert.Contains($"every node needs the same --cluster-tls-certificate ({other} here) and TLS (see the lines above)", errorB.ToString());
        var members = Akka.Cluster.Cluster.Get(await systemA.Task).State.Members;
        Assert.Equal([portA], members.Select(m => m.Address.Port!.Value));
        await ClusteredSchedulerTests.AnswersAsync(apiA, HttpStatusCode.OK, location: null);

        await stopA.CancelAsync();
        Assert.Equal(0, await runA);
    }

    [SkippableFact]
    public async Task Run_nodes_with_their_own_certificates_of_the_cluster_ca_form_the_cluster_and_a_revoked_node_never_becomes_a_member()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        using var ca = new TestClusterCa("cluster-ca");
        using var revokedCertificate = ca.Node("node-c", serial: [0x0C, 0x0C]);
        var caFile = ca.WritePem(Path.Combine(_dir, "ca.crt"));
        var revoked = Path.Combine(_dir, "revoked.txt");
        File.WriteAllText(revoked, "# node-c, retired\n0C0C\n");
        await using var emulator = await InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var (apiA, apiB, apiC) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        var (portA, portB, portC) = (EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort(), EndToEnd.SchedulerProcess.FreePort());
        using var stopA = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var stopB = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var stopC = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var (consoleA, consoleB, consoleC) = (new StringWriter(), new StringWriter(), new StringWriter());
        var (systemA, systemC) = (NewSystem(), NewSystem());
        RunArguments CaNode(string name, int api, int port, string certificate, string? revokedList) =>
            Node(name, journal, emulator.Url, api, port, portA, certificate) with { ClusterTlsCa = caFile, ClusterTlsRevoked = revokedList };

        // A forms the cluster with its own certificate of the CA, and deploys; B joins with its own and stands by.
        var runA = RunCommand.RunAsync(CaNode("a", apiA, portA, NodePfx(ca, "node-a"), revoked) with { OnStarted = systemA.SetResult }, consoleA, consoleA, stopA.Token);
        await InProcessRun.DeployCompleteAsync(apiA, runA, consoleA);
        Assert.Contains($"TLS: this node presents {Path.Combine(_dir, "node-a.pfx")} and accepts a node whose certificate the CA of {caFile} signed, unless {revoked} revokes it (mutual)", consoleA.ToString());
        var log = ClusterTlsTests.LogOf(await systemA.Task);
        var runB = RunCommand.RunAsync(CaNode("b", apiB, portB, NodePfx(ca, "node-b"), revoked), consoleB, consoleB, stopB.Token);
        await InProcessRun.DeployCompleteAsync(apiB, runB, consoleB);
        await ClusteredSchedulerTests.AnswersAsync(apiB, HttpStatusCode.TemporaryRedirect, $"http://127.0.0.1:{apiA}/v1/plans/deploy?verbose=true");

        // C's certificate is of the CA but on A's list (C's own node was given no list): A refuses it at every attempt.
        var runC = RunCommand.RunAsync(
            CaNode("c", apiC, portC, TestClusterCa.WritePfx(revokedCertificate, Path.Combine(_dir, "node-c.pfx")), revokedList: null) with { OnStarted = systemC.SetResult },
            consoleC, consoleC, stopC.Token);
        var c = await systemC.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await Polling.AwaitAssertAsync(
            () => Assert.Contains(log, line => line.Contains("Cluster TLS: refused the certificate of ", StringComparison.Ordinal)
                                               && line.Contains("the certificate 'CN=node-c, O=ActorScheduler tests' (serial C0C) is revoked", StringComparison.Ordinal)),
            TimeSpan.FromMinutes(1));

        Assert.Equal(new[] { portA, portB }.Order(), Akka.Cluster.Cluster.Get(await systemA.Task).State.Members.Select(m => m.Address.Port!.Value).Order());
        Assert.NotEqual(Akka.Cluster.MemberStatus.Up, Akka.Cluster.Cluster.Get(c).SelfMember.Status);
        await stopC.CancelAsync();
        await runC;
        await ClusteredSchedulerTests.AnswersAsync(apiA, HttpStatusCode.OK, location: null);

        await stopB.CancelAsync();
        Assert.Equal(0, await runB);
        await stopA.CancelAsync();
        Assert.Equal(0, await runA);
    }

    private static TaskCompletionSource<Akka.Actor.ActorSystem> NewSystem() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private string NodePfx(TestClusterCa ca, string name)
    {
        using var node = ca.Node(name);
        return TestClusterCa.WritePfx(node, Path.Combine(_dir, name + ".pfx"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
