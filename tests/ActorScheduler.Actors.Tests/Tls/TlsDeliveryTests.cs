using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Tests.Offers;
using ActorScheduler.Actors.Tls;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using Akka.Actor;

namespace ActorScheduler.Actors.Tests.Tls;

/// <summary>
/// A task with transport-encryption launches with its artifacts as read-only VALUE secret files in its sandbox, as
/// DC/OS TLSEvaluationStage adds them; the service CA issues them once, keeps them across restarts and issues new ones
/// only for a new SAN set.
/// </summary>
public sealed class TlsDeliveryTests : ActorTestKit
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);
    private static readonly CertificateAuthority Authority = CertificateAuthority.Generate("svc", At);

    private static PodSpec TlsPod()
    {
        var plain = TestOffers.HelloPod();
        var server = plain.Tasks[0] with
        {
            TransportEncryption = [new TransportEncryptionSpec("server", TransportEncryptionType.Tls), new TransportEncryptionSpec("server", TransportEncryptionType.Keystore)],
        };
        return plain with { Tasks = [server] };
    }

    private static ImmutableArray<IssuedTls> Issued(PodSpec pod) =>
        [new IssuedTls(pod.Tasks[0].Name, "server", Authority.Issue(TlsNames.Of("svc", pod.Type, 0, pod.Tasks[0]), At))];

    [Fact]
    public void The_artifacts_are_read_only_value_secret_files_named_after_the_entry_and_the_stage_says_so()
    {
        var pod = TlsPod();
        var issued = Issued(pod);
        var requirement = TestOffers.Requirement(pod) with { Tls = issued };

        var evaluation = OfferEvaluator.Evaluate(requirement, TestOffers.Unreserved(), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.Contains($"PASS(TLSEvaluationStage): hello-0-{pod.Tasks[0].Name} gets server.crt, server.key, server.ca, server.keystore, server.truststore (certificate signed by the service CA for its SAN set)", evaluation.Explanation);
        var volumes = Assert.Single(evaluation.Tasks).Info.Container.Volumes;
        Assert.Equal(["server.crt", "server.key", "server.ca", "server.keystore", "server.truststore"], volumes.Select(v => v.ContainerPath));
        Assert.All(volumes, v =>
        {
            Assert.Equal(Volume.Types.Mode.Ro, v.Mode);
            Assert.Equal(Volume.Types.Source.Types.Type.Secret, v.Source.Type);
            Assert.Equal(Secret.Types.Type.Value, v.Source.Secret.Type);
        });
        var artifacts = issued[0].Artifacts;
        Assert.Equal([artifacts.Certificate, artifacts.PrivateKey, artifacts.RootCaCertificate, artifacts.Keystore, artifacts.Truststore], volumes.Select(v => v.Source.Secret.Value.Data));
        Assert.Null(evaluation.Executor!.Container);
    }

    [Fact]
    public void A_task_without_its_artifacts_fails_the_stage_with_why()
    {
        var requirement = TestOffers.Requirement(TlsPod()) with { TlsRefusal = "the scheduler has no certificate authority" };

        var evaluation = OfferEvaluator.Evaluate(requirement, TestOffers.Unreserved(), TestOffers.Context);

        Assert.False(evaluation.Passed);
        Assert.Equal(
            $"FAIL(TLSEvaluationStage): no TLS artifacts for hello-0-{TlsPod().Tasks[0].Name} (server TLS, server KEYSTORE): the scheduler has no certificate authority",
            evaluation.Explanation[^1]);
    }

    [Fact]
    public void A_pod_without_transport_encryption_has_no_tls_stage()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context);

        Assert.DoesNotContain(evaluation.Explanation, e => e.Contains("TLSEvaluationStage", StringComparison.Ordinal));
        Assert.False(TlsEvaluationStage.Uses(TlsPod(), ["other"]));
        Assert.True(TlsEvaluationStage.Uses(TlsPod(), [TlsPod().Tasks[0].Name]));
    }

    [Fact]
    public void The_authority_generates_its_ca_once_issues_once_per_san_set_and_keeps_both_across_a_restart()
    {
        var task = TlsPod().Tasks[0];
        var names = TlsNames.Of("svc", "hello", 0, task);
        var request = new TlsProtocol.Issue("hello-0", [new TlsProtocol.Request(task.Name, "server", names)]);
        var authority = Sys.ActorOf(TlsAuthorityActor.Props("svc", null));
        authority.Tell(request);
        var first = Assert.Single(ExpectMsg<TlsProtocol.Issued>(TimeSpan.FromSeconds(30)).Artifacts);
        authority.Tell(request);
        Assert.Same(first.Artifacts, Assert.Single(ExpectMsg<TlsProtocol.Issued>().Artifacts).Artifacts);
        Watch(authority);
        authority.Tell(PoisonPill.Instance);
        ExpectTerminated(authority);

        var restarted = Sys.ActorOf(TlsAuthorityActor.Props("svc", null));
        restarted.Tell(request);
        var again = Assert.Single(ExpectMsg<TlsProtocol.Issued>(TimeSpan.FromSeconds(30)).Artifacts).Artifacts;
        Assert.Equal(first.Artifacts, again);

        // A VIP added: new SANs, a new certificate from the same CA.
        var withVip = task with { Ports = [new PortSpec("http", 8080, null, true, new VipSpec("web", 80), [])] };
        restarted.Tell(new TlsProtocol.Issue("hello-0", [new TlsProtocol.Request(task.Name, "server", TlsNames.Of("svc", "hello", 0, withVip))]));
        var renewed = Assert.Single(ExpectMsg<TlsProtocol.Issued>(TimeSpan.FromSeconds(30)).Artifacts).Artifacts;
        Assert.NotEqual(first.Artifacts.PrivateKey, renewed.PrivateKey);
        Assert.Equal(first.Artifacts.RootCaCertificate, renewed.RootCaCertificate);
    }

    [Fact]
    public void Artifacts_that_cannot_be_made_are_refused_with_why_and_the_next_request_is_served()
    {
        var task = TlsPod().Tasks[0];
        var authority = Sys.ActorOf(TlsAuthorityActor.Props("svc", Authority));

        authority.Tell(new TlsProtocol.Issue("hello-0", [new TlsProtocol.Request(task.Name, "server", new TlsNames("hello-0-server", "cn", [""], "h"))]));
        var refused = ExpectMsg<TlsProtocol.Refused>(TimeSpan.FromSeconds(30));
        authority.Tell(new TlsProtocol.Issue("hello-0", [new TlsProtocol.Request(task.Name, "server", TlsNames.Of("svc", "hello", 0, task))]));

        Assert.StartsWith("the service CA could not issue the TLS artifacts (1 for hello-0): ", refused.Reason, StringComparison.Ordinal);
        Assert.Single(ExpectMsg<TlsProtocol.Issued>(TimeSpan.FromSeconds(30)).Artifacts);
    }

    [Fact]
    public void An_operator_ca_signs_instead_of_a_generated_one()
    {
        var task = TlsPod().Tasks[0];
        var authority = Sys.ActorOf(TlsAuthorityActor.Props("svc", Authority));

        authority.Tell(new TlsProtocol.Issue("hello-0", [new TlsProtocol.Request(task.Name, "server", TlsNames.Of("svc", "hello", 0, task))]));

        var artifacts = Assert.Single(ExpectMsg<TlsProtocol.Issued>(TimeSpan.FromSeconds(30)).Artifacts).Artifacts;
        Assert.Equal(Authority.Fingerprint, artifacts.Authority);
    }
}
