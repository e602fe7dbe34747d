using System.Net;
using ActorScheduler.Hosting.Tests.EndToEnd;
using ActorScheduler.Hosting.Tests.Journal;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// TLS with the cluster's own CA as an operator runs it: <c>actorscheduler run</c> OS processes, each with its own
/// certificate of one CA (made in the test) in a PKCS#12 file opened by a password file, the CA as
/// <c>--cluster-tls-ca</c>, and a revocation list. Two nodes form the cluster over TLS; a third whose certificate the
/// list revokes is refused by the node it dials, at every attempt, and never becomes a member.
/// Reports Skipped without the PostgreSQL server binaries (<see cref="PostgresServer"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTlsCaEndToEndTests(PostgresServer server) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-cluster-tls-ca-").FullName;

    [SkippableFact]
    public async Task Run_processes_with_their_own_certificates_of_the_cluster_ca_form_the_cluster_and_a_revoked_one_stays_out()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = server.CreateDatabase();
        using var ca = new TestClusterCa("cluster-ca");
        using var revokedCertificate = ca.Node("node-c", serial: [0x0C, 0xAF, 0xE0]);
        var caFile = ca.WritePem(Path.Combine(_dir, "ca.crt"));
        var revoked = Path.Combine(_dir, "revoked.txt");
        File.WriteAllText(revoked, "# node-c, retired\nserial=0CAFE0\n");
        var password = Path.Combine(_dir, "node.pass");
        File.WriteAllText(password, ClusterTlsTests.Password + "\n");
        await using var emulator = await InProcessRun.StartEmulatorAsync(Path.Combine(_dir, "mesos"));
        var apis = new[] { SchedulerProcess.FreePort(), SchedulerProcess.FreePort(), SchedulerProcess.FreePort() };
        var ports = new[] { SchedulerProcess.FreePort(), SchedulerProcess.FreePort(), SchedulerProcess.FreePort() };
        var nodes = new List<SchedulerProcess>();
        try
        {
            string[] Tls(string pfx, string? list) =>
                ["--cluster-tls-certificate", pfx, "--cluster-tls-password-file", password, "--cluster-tls-ca", caFile, .. list is null ? Array.Empty<string>() : ["--cluster-tls-revoked", list]];
            string NodePfx(string name)
            {
                using var node = ca.Node(name);
                return TestClusterCa.WritePfx(node, Path.Combine(_dir, name + ".pfx"));
            }

            nodes.Add(ClusterNodeProcesses.Start(_dir, "a", journal, emulator.Url, apis[0], ports[0], seedPort: ports[0], Tls(NodePfx("node-a"), revoked)));
            var a = nodes[0];
            await a.WaitUntilAsync(a.DeployCompleteAsync, Timeout, "deploy COMPLETE on node A");
            Assert.Contains($"cluster:     akka.ssl.tcp://actorscheduler@127.0.0.1:{ports[0]}", a.Output);
            Assert.Contains($"accepts a node whose certificate the CA of {caFile} signed, unless {revoked} revokes it (mutual)", a.Output);

            nodes.Add(ClusterNodeProcesses.Start(_dir, "b", journal, emulator.Url, apis[1], ports[1], seedPort: ports[0], Tls(NodePfx("node-b"), revoked)));
            var b = nodes[1];
            await b.WaitUntilAsync(() => Task.FromResult(b.Output.Contains("ClusterSingletonManager state change [Start -> Younger]")), Timeout, "node B Up, standing by");
            await ClusteredSchedulerTests.AnswersWithinAsync(apis[1], HttpStatusCode.TemporaryRedirect, $"http://127.0.0.1:{apis[0]}/v1/plans/deploy?verbose=true", Timeout);

            // C was given no list, so it starts and accepts A; A's list revokes C's certificate, so A refuses it.
            nodes.Add(ClusterNodeProcesses.Start(_dir, "c", journal, emulator.Url, apis[2], ports[2], seedPort: ports[0], Tls(TestClusterCa.WritePfx(revokedCertificate, Path.Combine(_dir, "node-c.pfx")), list: null)));
            var c = nodes[2];
            var aLog = Path.Combine(_dir, "a", "actorscheduler.log");
            await a.WaitUntilAsync(() => Task.FromResult(File.Exists(aLog) && ReadShared(aLog).Contains("the certificate 'CN=node-c, O=ActorScheduler tests' (serial CAFE0) is revoked", StringComparison.Ordinal)),
                Timeout, "node A refusing node C's certificate");
            await c.WaitUntilAsync(() => Task.FromResult(c.Output.Contains($"Association failed with akka.ssl.tcp://actorscheduler@127.0.0.1:{ports[0]}", StringComparison.Ordinal)
                                                          || ReadShared(Path.Combine(_dir, "c", "actorscheduler.log")).Contains($"Association failed with akka.ssl.tcp://actorscheduler@127.0.0.1:{ports[0]}", StringComparison.Ordinal)),
                Timeout, "node C's association with A failing");

            // B stayed the only node A moved Up besides itself, and A still serves while C keeps being refused.
            Assert.Contains($"Leader is moving node [akka.ssl.tcp://actorscheduler@127.0.0.1:{ports[1]}] to [Up]", a.Output);
            Assert.DoesNotContain($"127.0.0.1:{ports[2]}] to [Up]", a.Output);
            await ClusteredSchedulerTests.AnswersWithinAsync(apis[0], HttpStatusCode.OK, null, Timeout);
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    /// <summary>The text of a log file another process is writing.</summary>
    private static string ReadShared(string file)
    {
        if (!File.Exists(file))
        {
            return string.Empty;
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
