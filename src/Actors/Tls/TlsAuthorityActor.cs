using System.Collections.Immutable;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Events;
using Akka.Actor;
using Akka.Event;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Tls;

/// <summary>
/// The service's certificate authority and the TLS artifacts it issued (DC/OS: the DC/OS CA and the secret store the
/// SDK keeps them in), journaled under <c>&lt;service&gt;/tls</c>: a generated CA (made on first need, when the
/// operator gave none) and each task's artifacts survive restarts, and a task gets the artifacts issued for its SAN set
/// and CA again on every launch (DC/OS never overwrites them); a changed SAN set or CA gets new ones. Keys are made off
/// the actor's thread; requests that come meanwhile wait in the stash.
/// </summary>
internal sealed class TlsAuthorityActor : SchedulerPersistentActor, IWithUnboundedStash
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _service;
    private readonly CertificateAuthority? _operatorAuthority;
    private readonly TimeProvider _clock;
    private CertificateAuthority? _generated;
    private readonly Dictionary<(string Task, string Name), TlsArtifacts> _issued = new();
    private bool _busy;

    public TlsAuthorityActor(string service, CertificateAuthority? operatorAuthority, TimeProvider clock)
    {
        _service = service;
        _operatorAuthority = operatorAuthority;
        _clock = clock;
        PersistenceId = $"{service}/tls";

        Recover<TlsCaGenerated>(e => _generated = CertificateAuthority.FromStored(e.CertificateDer.Span, e.PrivateKeyPkcs8.Span));
        Recover<TlsArtifactsIssued>(e => _issued[(e.TaskInstance, e.Name)] = Artifacts(e));

        Command<TlsProtocol.Issue>(Issue);
        Command<Generated>(Store);
        Command<Status.Failure>(f => f.State is (IActorRef, string), f =>
        {
            var (replyTo, what) = ((IActorRef, string))f.State!;
            _log.Error(f.Cause, "Could not issue TLS artifacts ({0}): {1}", what, f.Cause.Message);
            replyTo.Tell(new TlsProtocol.Refused($"the service CA could not issue the TLS artifacts ({what}): {f.Cause.Message}"));
            Done();
        });
    }

    public override string PersistenceId { get; }

    public static Props Props(string service, CertificateAuthority? operatorAuthority, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new TlsAuthorityActor(service, operatorAuthority, clock ?? TimeProvider.System));

    private CertificateAuthority? Authority => _operatorAuthority ?? _generated;

    private void Issue(TlsProtocol.Issue request)
    {
        if (_busy)
        {
            Stash.Stash();
            return;
        }

        var authority = Authority;
        var missing = request.Requests.Where(r => !Current(r, authority)).ToImmutableArray();
        if (missing.IsEmpty)
        {
            Sender.Tell(Reply(request));
            return;
        }

        _busy = true;
        var (replyTo, service, now) = (Sender, _service, _clock.GetUtcNow());
        Task.Run(() =>
        {
            var ca = authority ?? CertificateAuthority.Generate(service, now);
            var issued = missing.Select(r => (r, ca.Issue(r.Names, now))).ToImmutableArray();
            return new Generated(request, replyTo, authority is null ? ca : null, issued);
        }).PipeTo(Self, failure: e => new Status.Failure(e, (replyTo, $"{missing.Length} for {request.PodInstance}")));
    }

    private void Store(Generated generated)
    {
        var events = new List<object>();
        if (generated.NewAuthority is { } ca)
        {
            events.Add(new TlsCaGenerated
            {
                CertificateDer = ByteString.CopyFrom(ca.CertificateDer),
                PrivateKeyPkcs8 = ByteString.CopyFrom(ca.PrivateKeyPkcs8),
                At = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()),
            });
        }

        foreach (var (request, artifacts) in generated.Issued)
        {
            events.Add(new TlsArtifactsIssued
            {
                TaskInstance = request.Names.TaskInstance,
                Name = request.Name,
                SansHash = artifacts.SansHash,
                Authority = artifacts.Authority,
                Certificate = artifacts.Certificate,
                PrivateKey = artifacts.PrivateKey,
                RootCaCertificate = artifacts.RootCaCertificate,
                Keystore = artifacts.Keystore,
                Truststore = artifacts.Truststore,
                At = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()),
            });
        }

        var left = events.Count;
        PersistAll(events, e =>
        {
            switch (e)
            {
                case TlsCaGenerated:
                    _generated = generated.NewAuthority;
                    _log.Info("Generated the service CA of {0} ({1})", _service, _generated!.Fingerprint);
                    break;
                case TlsArtifactsIssued issued:
                    _issued[(issued.TaskInstance, issued.Name)] = Artifacts(issued);
                    _log.Info("Issued TLS artifacts '{0}' of {1} (SANs {2})", issued.Name, issued.TaskInstance, issued.SansHash);
                    break;
            }

            if (--left == 0)
            {
                generated.ReplyTo.Tell(Reply(generated.Request));
                Done();
            }
        });
    }

    private void Done()
    {
        _busy = false;
        Stash.UnstashAll();
    }

    private bool Current(TlsProtocol.Request request, CertificateAuthority? authority) =>
        authority is not null
        && _issued.TryGetValue((request.Names.TaskInstance, request.Name), out var artifacts)
        && artifacts.SansHash == request.Names.SansHash
        && artifacts.Authority == authority.Fingerprint;

    private TlsProtocol.Issued Reply(TlsProtocol.Issue request) =>
        new(request.Requests.Select(r => new IssuedTls(r.Task, r.Name, _issued[(r.Names.TaskInstance, r.Name)])).ToImmutableArray());

    private static TlsArtifacts Artifacts(TlsArtifactsIssued e) =>
        new(e.SansHash, e.Authority, e.Certificate, e.PrivateKey, e.RootCaCertificate, e.Keystore, e.Truststore);

    private sealed record Generated(TlsProtocol.Issue Request, IActorRef ReplyTo, CertificateAuthority? NewAuthority, ImmutableArray<(TlsProtocol.Request Request, TlsArtifacts Artifacts)> Issued);
}

/// <summary>What pod instances ask the <see cref="TlsAuthorityActor"/>.</summary>
internal static class TlsProtocol
{
    /// <summary>The artifacts of one task for one <c>transport-encryption</c> name.</summary>
    /// <param name="Task">The task's name within the pod.</param>
    public sealed record Request(string Task, string Name, TlsNames Names);

    /// <summary>Issue (or give again) the artifacts of <paramref name="Requests"/>; answered by <see cref="Issued"/> or <see cref="Refused"/>.</summary>
    public sealed record Issue(string PodInstance, ImmutableArray<Request> Requests);

    /// <summary>The artifacts, one per request, in the requests' order.</summary>
    public sealed record Issued(ImmutableArray<IssuedTls> Artifacts);

    /// <summary>The artifacts could not be made.</summary>
    public sealed record Refused(string Reason);
}
