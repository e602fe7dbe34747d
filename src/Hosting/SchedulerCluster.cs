using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Hosting;

namespace ActorScheduler.Hosting;

/// <summary>
/// The one place that checks <see cref="SchedulerClusterOptions"/> and turns them into Akka configuration, for the
/// <c>run</c> command and for <see cref="ActorSchedulerHostingExtensions.WithActorScheduler"/> alike.
/// </summary>
internal static class SchedulerCluster
{
    /// <summary>
    /// The singleton's name: its manager's under <c>/user</c>, and (as Akka.Hosting names it) the scheduler root's under
    /// its manager; the proxy is <c>/user/scheduler-proxy</c>.
    /// </summary>
    internal const string SingletonName = "scheduler";

    /// <summary>The elements of the scheduler root's path under a node's root, where the singleton runs on that node.</summary>
    internal static readonly string[] SingletonPath = ["user", SingletonName, SingletonName];

    /// <summary>The name under <c>/user</c> of the node's <see cref="ActiveNodeWatcher"/>.</summary>
    internal const string WatcherName = "scheduler-active-node";

    /// <summary>
    /// Why <paramref name="seed"/> is no seed node address (null when it is one): an <c>akka.tcp://system@host:port</c>
    /// with a port in 1–65535; <paramref name="systemName"/>, when known, must be its system. <paramref name="name"/>
    /// names the setting in the message. With <paramref name="tls"/> (TLS on the cluster's remoting) the address is an
    /// <c>akka.ssl.tcp://</c> one, the protocol Akka gives its nodes then: an <c>akka.tcp://</c> seed would never answer.
    /// </summary>
    internal static string? SeedError(string seed, string name, string? systemName, bool tls = false)
    {
        var shape = tls ? $"{SchedulerClusterTls.Protocol}://actorscheduler@host:port" : "akka.tcp://actorscheduler@host:port";
        if (!Address.TryParse(seed, out var address) || address.Host is null || address.Port is null)
        {
            return $"{name} expects a node address such as {shape}, got '{seed}'";
        }

        if (tls && address.Protocol != SchedulerClusterTls.Protocol)
        {
            return $"{name} expects an {SchedulerClusterTls.Protocol}:// address (TLS is on the cluster's remoting, so every node's address is one), got '{seed}'";
        }

        if (!tls && address.Protocol == SchedulerClusterTls.Protocol)
        {
            return $"{name} names an {SchedulerClusterTls.Protocol}:// (TLS) address, but this node has no TLS certificate: give every node the same certificate, or akka.tcp:// addresses, got '{seed}'";
        }

        if (!tls && address.Protocol != "akka.tcp")
        {
            return $"{name} expects an akka.tcp:// address (the scheduler's remoting is TCP), got '{seed}'";
        }

        if (address.Port is < 1 or > 65535)
        {
            return $"{name} expects a port in 1-65535, got '{seed}'";
        }

        return systemName is not null && address.System != systemName
            ? $"{name} names the actor system '{address.System}', but the scheduler nodes' system is '{systemName}': {shape.Replace("actorscheduler", systemName, StringComparison.Ordinal)}"
            : null;
    }

    /// <summary>
    /// Why <paramref name="options"/> cannot run (null when they can), the first problem on one line; the settings are
    /// named as <see cref="ActorSchedulerOptions"/> names them.
    /// </summary>
    internal static string? Error(SchedulerClusterOptions options, string? systemName)
    {
        if (options.Port is < 1 or > 65535)
        {
            return $"Cluster.Port must be in 1-65535, got {options.Port}";
        }

        if (string.IsNullOrWhiteSpace(options.Hostname) || Uri.CheckHostName(options.Hostname) == UriHostNameType.Unknown)
        {
            return $"Cluster.Hostname must be a host name or an IP address, got '{options.Hostname}'";
        }

        if (options.SeedNodes.Count == 0)
        {
            return "Cluster.SeedNodes is empty: list the nodes to join, or this node's own address to form the cluster the others join";
        }

        foreach (var seed in options.SeedNodes)
        {
            if (SeedError(seed, "Cluster.SeedNodes", systemName, options.TlsCertificateFile is not null) is { } error)
            {
                return error;
            }
        }

        return TimingError(options, TimingNames.Embedded) ?? LeaseTimingError(options.LeaseTimeToLive, "Cluster.LeaseTimeToLive") ?? SchedulerClusterTls.Error(options, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// The longest failure-detector or split-brain timing taken: longer is a typo (a day's wait to replace a crashed
    /// scheduler is no failover).
    /// </summary>
    internal static readonly TimeSpan MaxTiming = TimeSpan.FromHours(24);

    /// <summary>How a surface names the four cluster timings in its refusals: <c>run</c>'s options, or the properties.</summary>
    internal sealed record TimingNames(string StableAfter, string HeartbeatInterval, string AcceptableHeartbeatPause, string DownRemovalMargin)
    {
        /// <summary>The names of <see cref="SchedulerClusterOptions"/> as <see cref="ActorSchedulerOptions.Cluster"/> holds them.</summary>
        internal static readonly TimingNames Embedded = new("Cluster.StableAfter", "Cluster.HeartbeatInterval", "Cluster.AcceptableHeartbeatPause", "Cluster.DownRemovalMargin");
    }

    /// <summary>
    /// Why the timings of <paramref name="options"/> would not make a failover (null when they would), the first problem
    /// on one line, the settings named by <paramref name="names"/>; the one check of them, for <c>run</c> and for
    /// <see cref="ActorSchedulerHostingExtensions.WithActorScheduler"/>. Each is above zero, at most
    /// <see cref="MaxTiming"/> and of whole milliseconds (the HOCON written of it has no finer unit), and the heartbeat
    /// pause is longer than the interval (<see cref="PauseError"/>). A zero <see cref="SchedulerClusterOptions.DownRemovalMargin"/>
    /// is refused too: Akka.NET reads a zero <c>down-removal-margin</c> as <c>off</c>, and the split-brain resolver then
    /// gives the singleton <see cref="SchedulerClusterOptions.StableAfter"/> as its margin, so zero would start the
    /// scheduler elsewhere not sooner but a whole stable-after later (the 46 s failover of Akka's defaults).
    /// </summary>
    internal static string? TimingError(SchedulerClusterOptions options, TimingNames names) =>
        RangeError(options.StableAfter, names.StableAfter)
        ?? RangeError(options.HeartbeatInterval, names.HeartbeatInterval)
        ?? RangeError(options.AcceptableHeartbeatPause, names.AcceptableHeartbeatPause)
        ?? (options.DownRemovalMargin == TimeSpan.Zero
            ? $"{names.DownRemovalMargin} must be above zero: Akka reads a zero down-removal-margin as off, which waits {names.StableAfter} a second time before starting the scheduler on another node"
            : RangeError(options.DownRemovalMargin, names.DownRemovalMargin))
        ?? PauseError(options.HeartbeatInterval, options.AcceptableHeartbeatPause, names.HeartbeatInterval, names.AcceptableHeartbeatPause);

    private static string? RangeError(TimeSpan value, string name) =>
        value <= TimeSpan.Zero || value > MaxTiming
            ? $"{name} must be above zero and at most {Cli.DurationText.Format(MaxTiming)}, got {Cli.DurationText.Format(value)}"
            : value.Ticks % TimeSpan.TicksPerMillisecond != 0
                ? $"{name} must be whole milliseconds, got {value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms"
                : null;

    /// <summary>
    /// Why a failure detector with this heartbeat <paramref name="interval"/> and acceptable <paramref name="pause"/>
    /// would not do (null when it would): Akka takes any pause of zero or more, but a pause no longer than the interval
    /// tolerates not even one heartbeat arriving late, so a node under a little load or a GC pause is marked unreachable
    /// and, once membership is stable, downed by the split-brain resolver. The settings are named as the caller names them.
    /// </summary>
    private static string? PauseError(TimeSpan interval, TimeSpan pause, string intervalName, string pauseName) =>
        pause > interval
            ? null
            : $"{pauseName} must be longer than {intervalName} (a node would be marked unreachable as soon as one heartbeat is late), got {Cli.DurationText.Format(pause)} with an interval of {Cli.DurationText.Format(interval)}";

    /// <summary>
    /// The shortest scheduler lease taken (<see cref="SchedulerClusterOptions.LeaseTimeToLive"/>): it is renewed every
    /// quarter of it, and a shorter one would be renewed more often than a loaded database is sure to answer.
    /// </summary>
    internal static readonly TimeSpan MinLeaseTimeToLive = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Why a scheduler lease of <paramref name="timeToLive"/> would not do (null when it would), named
    /// <paramref name="name"/>: at least <see cref="MinLeaseTimeToLive"/>, at most <see cref="MaxTiming"/>, whole milliseconds.
    /// </summary>
    internal static string? LeaseTimingError(TimeSpan timeToLive, string name) =>
        timeToLive < MinLeaseTimeToLive || timeToLive > MaxTiming
            ? $"{name} must be at least {Cli.DurationText.Format(MinLeaseTimeToLive)} and at most {Cli.DurationText.Format(MaxTiming)}, got {Cli.DurationText.Format(timeToLive)}"
            : RangeError(timeToLive, name);

    /// <summary>
    /// This node's own address (the <c>run</c> command's seed when none is given); <c>akka.ssl.tcp://</c> with
    /// <paramref name="tls"/>.
    /// </summary>
    internal static string SelfAddress(string hostname, int port, string systemName, bool tls = false) =>
        $"{(tls ? SchedulerClusterTls.Protocol : "akka.tcp")}://{systemName}@{hostname}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// A new incarnation of this node as the scheduler lease's owner (<see cref="Persistence.PostgresLease.NewOwner"/>):
    /// the node's <c>system@host:port</c>, as Akka names it (the system is the seeds', which must be this node's own for
    /// it to join them), <c>#</c> and eight random hex digits.
    /// </summary>
    internal static string NewLeaseOwner(SchedulerClusterOptions options) =>
        Persistence.PostgresLease.NewOwner(string.Create(CultureInfo.InvariantCulture, $"{Address.Parse(options.SeedNodes[0]).System}@{options.Hostname}:{options.Port}"));

    /// <summary>
    /// The scheduler's singleton: started only under the scheduler lease (<see cref="Persistence.PostgresLease"/>, configured
    /// by <see cref="Hocon"/>), asked for again every lease heartbeat while another node holds it. Given to that one
    /// singleton, not written as Akka's default for every singleton: an application that embeds the scheduler keeps its own
    /// singletons free of it.
    /// </summary>
    internal static ClusterSingletonOptions SingletonOptions(SchedulerClusterOptions options) => new()
    {
        LeaseImplementation = Persistence.SchedulerLeaseOption.Instance,
        LeaseRetryInterval = Persistence.PostgresLease.HeartbeatInterval(options.LeaseTimeToLive),
    };

    /// <summary>
    /// The split-brain resolver, failure detector and singleton settings (akka-notes §2.4): keep-majority, so a cluster of
    /// three or more survives losing one node; a removal margin set, so a crash is not counted twice; the singleton's
    /// hand-over and the proxy's search retried every 250 ms, so a graceful leave moves the scheduler within about a second;
    /// the scheduler lease's settings (<see cref="Persistence.PostgresLease"/>, which <see cref="SingletonOptions"/> puts the
    /// scheduler's singleton under; its connection string is <see cref="Persistence.PostgresLease.ConnectionHocon"/>),
    /// each statement given a heartbeat to answer; the guard that refuses to serialize a message of ours as JSON
    /// (<see cref="OurMessagesNotAsJson"/>); and, with a <see cref="SchedulerClusterOptions.TlsCertificateFile"/>, TLS on
    /// the remoting (<see cref="SchedulerClusterTls"/>).
    /// <paramref name="api"/>, the node's advertised API URL, is its member role (<see cref="ActiveSchedulerNode.Role"/>),
    /// quoted here: Akka.Cluster.Hosting's <c>ClusterOptions.Roles</c> writes roles unquoted, which a URL's ':' breaks.
    /// Durations are written as <c>hocon/cluster.conf</c> has them and <c>run</c>'s options read them (<c>7s</c>, <c>2500ms</c>).
    /// </summary>
    internal static string Hocon(SchedulerClusterOptions options, Uri? api = null) => string.Create(CultureInfo.InvariantCulture, $$"""
        {{OurMessagesNotAsJson.Hocon}}
        akka.cluster.roles = [{{(api is null ? string.Empty : $"\"{ActiveSchedulerNode.Role(api)}\"")}}]
        akka.cluster {
          downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
          split-brain-resolver {
            active-strategy = keep-majority
            stable-after = {{Cli.DurationText.Format(options.StableAfter)}}
          }
          down-removal-margin = {{Cli.DurationText.Format(options.DownRemovalMargin)}}
          failure-detector {
            heartbeat-interval = {{Cli.DurationText.Format(options.HeartbeatInterval)}}
            acceptable-heartbeat-pause = {{Cli.DurationText.Format(options.AcceptableHeartbeatPause)}}
          }
          singleton.hand-over-retry-interval = 250ms
          singleton-proxy.singleton-identification-interval = 250ms
        }
        {{Persistence.PostgresLease.ConfigPath}} {
          lease-class = "{{typeof(Persistence.PostgresLease).FullName}}, {{typeof(Persistence.PostgresLease).Assembly.GetName().Name}}"
          heartbeat-timeout = {{Cli.DurationText.Format(options.LeaseTimeToLive)}}
          heartbeat-interval = {{Cli.DurationText.Format(Persistence.PostgresLease.HeartbeatInterval(options.LeaseTimeToLive))}}
          lease-operation-timeout = {{Cli.DurationText.Format(Persistence.PostgresLease.HeartbeatInterval(options.LeaseTimeToLive))}}
        }
        {{(options.TlsCertificateFile is null ? string.Empty : SchedulerClusterTls.Hocon)}}
        """);
}
