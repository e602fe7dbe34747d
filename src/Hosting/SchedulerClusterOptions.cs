namespace ActorScheduler.Hosting;

/// <summary>
/// The clustered HA mode (<see cref="ActorSchedulerOptions.Cluster"/>): this node joins an Akka cluster of scheduler
/// nodes, the scheduler root runs on one of them as a cluster singleton, and every node reaches it through a singleton
/// proxy. A crashed node is downed by the split-brain resolver (keep-majority) and its singleton started on the oldest
/// node left; a node that leaves gracefully hands it over at once. The defaults are those of <c>hocon/cluster.conf</c>
/// (a <c>kill -9</c> of the active node's process taken over in 22.5–23.4 s, measured on one loaded 2-core machine,
/// README); <c>run</c> sets the timings with <c>--cluster-stable-after</c>, <c>--cluster-heartbeat-interval</c>,
/// <c>--cluster-heartbeat-pause</c> and <c>--cluster-down-removal-margin</c>, and tests shorten them. The timings are
/// checked as <c>run</c> checks its options (each above zero, at most 24 h, of whole milliseconds; the pause longer than
/// the interval): <see cref="ActorSchedulerHostingExtensions.WithActorScheduler"/> throws an
/// <see cref="ArgumentException"/> naming the property, when the application starts, rather than a cluster that
/// misbehaves later.
/// </summary>
public sealed class SchedulerClusterOptions
{
    /// <summary>The address other nodes reach this one at (Akka remoting's <c>hostname</c>); default 127.0.0.1.</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>The TCP port of Akka remoting on this node (1–65535).</summary>
    public required int Port { get; init; }

    /// <summary>
    /// The nodes this one joins first, as <c>akka.tcp://&lt;system&gt;@host:port</c> (the <c>run</c> command's system is
    /// <c>actorscheduler</c>). At least one; the first node lists itself, so that it forms the cluster the others join.
    /// </summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>
    /// How long membership must stay unchanged before the split-brain resolver downs unreachable nodes (Akka:
    /// <c>split-brain-resolver.stable-after</c>; keep 7 s or more in production, so a long GC pause is no crash).
    /// </summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(7);

    /// <summary>How often nodes exchange heartbeats (Akka: <c>failure-detector.heartbeat-interval</c>).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The silence tolerated before a node is unreachable (Akka: <c>failure-detector.acceptable-heartbeat-pause</c>;
    /// keep 3 s or more in production).
    /// </summary>
    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a downed node's singleton is presumed alive before it is started elsewhere (Akka:
    /// <c>down-removal-margin</c>). Akka's default, off, counts <see cref="StableAfter"/> a second time (46 s failovers).
    /// Zero is refused, not taken as "no margin": Akka.NET reads a zero margin as off (its split-brain resolver's
    /// provider then answers <see cref="StableAfter"/> as the margin), so zero would make a failover a whole stable-after
    /// slower, the opposite of what it reads as.
    /// </summary>
    public TimeSpan DownRemovalMargin { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// TLS on the cluster's remoting: a PKCS#12 (<c>.pfx</c>) file holding the certificate and its private key, the same
    /// file on every node; null: clear text. Each node presents it on every connection and accepts a peer only if it
    /// presents the same certificate (mutual TLS, the certificate pinned by thumbprint; no host name check), so a node
    /// without it cannot join nor read the traffic. The nodes' addresses are then <c>akka.ssl.tcp://</c> ones
    /// (<see cref="SeedNodes"/> included). An unreadable file, a wrong password, no private key or a certificate not
    /// valid now is an <see cref="ArgumentException"/> naming the property when the application starts.
    /// </summary>
    public string? TlsCertificateFile { get; init; }

    /// <summary>
    /// The password of <see cref="TlsCertificateFile"/> (null or empty: a file without one). Take it from a secret store
    /// or the environment, not from source; <c>run</c> reads it from <c>$ACTORSCHEDULER_CLUSTER_TLS_PASSWORD</c> or
    /// <c>--cluster-tls-password-file</c>, never from its command line.
    /// </summary>
    public string? TlsCertificatePassword { get; init; }

    /// <summary>
    /// The cluster's own CA: a file of one or more CA certificates (PEM, or one DER certificate); null: the shared
    /// certificate of <see cref="TlsCertificateFile"/>, pinned. With it each node's <see cref="TlsCertificateFile"/> is its
    /// own certificate, signed by that CA, and a peer is accepted if its certificate chains to one of these CAs and no
    /// other root (the machine's trust store is not consulted), is valid at the handshake, names the TLS client and server
    /// authentication usages when it names usages, and is not in <see cref="TlsRevokedFile"/>; host names are not checked.
    /// A node whose own certificate would be refused so, an unreadable file or no CA in it is an
    /// <see cref="ArgumentException"/> naming the property when the application starts.
    /// </summary>
    public string? TlsCaFile { get; init; }

    /// <summary>
    /// The revoked nodes of <see cref="TlsCaFile"/>'s CA: a text file of certificate serial numbers in hex, one a line
    /// (<c>#</c> starts a comment); null: none. A node refuses every connection with a peer whose certificate is listed,
    /// and does not start with a listed certificate of its own. A list and not a CRL: .NET cannot check a certificate
    /// against a CRL file offline (<see cref="SchedulerClusterTls.LoadRevoked"/> says why). Read once when the node
    /// starts: a node revoked later is shut out by each node once it restarts with the new list (a connection already
    /// open stays until then).
    /// </summary>
    public string? TlsRevokedFile { get; init; }

    /// <summary>
    /// How long the scheduler lease in the journal's database stays its holder's without a renewal
    /// (<see cref="Persistence.PostgresLease"/>): the scheduler's singleton starts on a node only once it holds the lease,
    /// and stops when the node cannot renew it, so that a node cut off by a partition or paused past the failure detector
    /// stops running the scheduler before another node may start it. The holder renews every quarter of it and counts
    /// the lease as lost three quarters of it after the last renewal it sent that the server confirmed. 12 s: no longer
    /// than a crashed active node takes to be replaced anyway (heartbeat pause + stable-after + removal margin, 13 s by
    /// default), so the row of a crashed holder has expired by the time another node asks for it; and a renewal every
    /// 3 s lets two fail in a row (a database restart, a blip) before the scheduler stops. At least 1 s, whole
    /// milliseconds, at most 24 h.
    /// </summary>
    public TimeSpan LeaseTimeToLive { get; init; } = TimeSpan.FromSeconds(12);
}
