using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// examples/secrets-and-tls: the gateway's task finds its TLS artifacts in its sandbox, signed by the service CA the
/// scheduler generated, and a relaunch after a scheduler restart finds the same ones.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TransportEncryptionEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static string[] Arguments(TempDataDir data, int apiPort, int masterPort, params string[] extra) =>
    [
        "run", Path.Combine(SchedulerProcess.RepoRoot, "examples", "secrets-and-tls", "svc.yml"),
        "--data-dir", data.Path, "--api-port", apiPort.ToString(), "--master-port", masterPort.ToString(),
        "-o", "SLEEP_DURATION=600", "--secret", "secrets-and-tls/api-key=local-key", .. extra,
    ];

    [Fact]
    public async Task The_task_gets_its_certificate_key_and_stores_and_a_relaunch_after_a_restart_the_same_ones()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        string certificate;
        using (var first = SchedulerProcess.Launch(apiPort, Arguments(data, apiPort, masterPort)))
        {
            await first.WaitUntilAsync(first.DeployCompleteAsync, Timeout, "deploy COMPLETE");
            var sandbox = Path.GetDirectoryName(Assert.Single(data.Files("server.crt")))!;
            string File(string name) => Path.Combine(sandbox, name);
            if (!OperatingSystem.IsWindows())
            {
                foreach (var name in new[] { "server.crt", "server.key", "server.ca", "server.keystore", "server.truststore" })
                {
                    Assert.Equal(UnixFileMode.UserRead, System.IO.File.GetUnixFileMode(File(name)));
                }
            }

            certificate = System.IO.File.ReadAllText(File("server.crt"));
            var leaf = X509Certificate2.CreateFromPem(certificate);
            var root = X509Certificate2.CreateFromPem(System.IO.File.ReadAllText(File("server.ca")));
            Assert.Equal("gateway-0-server.secrets-and-tls", leaf.GetNameInfo(X509NameType.SimpleName, false));
            Assert.Equal(
                ["gateway-0-server.secrets-and-tls.autoip.dcos.thisdcos.directory"],
                leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
            using (var chain = new X509Chain())
            {
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(root);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
            }

            using var key = RSA.Create();
            key.ImportFromPem(System.IO.File.ReadAllText(File("server.key")));
            Assert.Equal(leaf.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
            var keystore = X509CertificateLoader.LoadPkcs12CollectionFromFile(File("server.keystore"), "notsecure");
            Assert.Equal(leaf.Thumbprint, Assert.Single(keystore, c => c.HasPrivateKey).Thumbprint);
            var truststore = X509CertificateLoader.LoadPkcs12CollectionFromFile(File("server.truststore"), "notsecure");
            Assert.Equal(root.Thumbprint, Assert.Single(truststore).Thumbprint);

            // The pod's task infos show the secret files without their bytes.
            var info = (await first.GetAsync("v1/pod/gateway-0/info"))!.Value.Body.GetRawText();
            Assert.Contains("\"server.key\"", info, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(System.IO.File.ReadAllBytes(File("server.key")))[..40], info, StringComparison.Ordinal);

            // The decision journal explains the stage.
            var explanation = (await first.GetAsync("v2/debug/offers?pod=gateway-0"))!.Value.Body.GetProperty("outcomes").EnumerateArray()
                .SelectMany(o => o.GetProperty("explanation").EnumerateArray().Select(l => l.GetString()!));
            Assert.Contains(
                "PASS(TLSEvaluationStage): gateway-0-server gets server.crt, server.key, server.ca, server.keystore, server.truststore (certificate signed by the service CA for its SAN set)",
                explanation);
            first.Crash();
        }

        using var scheduler = SchedulerProcess.Launch(apiPort, Arguments(data, apiPort, masterPort));
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, Timeout, "deploy COMPLETE after the restart");
        var before = (await scheduler.TasksAsync())["gateway-0-server"].Id;
        using var http = new HttpClient { BaseAddress = scheduler.ApiUrl };
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("v1/pod/gateway-0/restart", null)).StatusCode);
        await scheduler.WaitUntilAsync(
            async () => (await scheduler.TasksAsync()).TryGetValue("gateway-0-server", out var now) && now.Id != before && now.Status == "TASK_RUNNING",
            Timeout,
            "gateway-0-server relaunched");

        // Every sandbox the task had holds the same certificate.
        var certificates = data.Files("server.crt");
        Assert.True(certificates.Count >= 2, $"one sandbox per launch, got {certificates.Count}");
        Assert.All(certificates, f => Assert.Equal(certificate, System.IO.File.ReadAllText(f)));
    }
}
