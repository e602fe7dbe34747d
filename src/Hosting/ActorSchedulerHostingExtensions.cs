using ActorScheduler.Actors.Pods;
using System.Collections.Immutable;
using System.Globalization;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Tls;
using ActorScheduler.Specs;
using ActorScheduler.Specs.Model;
using Akka.Cluster.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Akka.Hosting;
using Akka.Remote.Hosting;

namespace ActorScheduler.Hosting;

/// <summary>Adds ActorScheduler to an Akka.Hosting application.</summary>
public static class ActorSchedulerHostingExtensions
{
    /// <summary>
    /// Registers the protobuf serializer for our events and starts the scheduler root actor (registered under
    /// <see cref="SchedulerRegistryKeys.Scheduler"/>). With <see cref="ActorSchedulerOptions.JournalConnection"/> the
    /// journal is that PostgreSQL database (checked, its tables created); without, persistence is the application's
    /// choice (see <see cref="Persistence.SqliteJournal"/> for the embedded default).
    /// </summary>
    /// <exception cref="Persistence.PostgresJournalException">
    /// The PostgreSQL journal cannot be used (server unreachable, user refused, database missing, tables of another
    /// layout); the message says why and what to do on one line.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// Options that cannot run, named in the message: among them <see cref="ActorSchedulerOptions.Cluster"/> settings
    /// <c>run</c> would refuse too (a timing of zero or less, over 24 h or of a fraction of a millisecond, a heartbeat
    /// pause not longer than the interval, a malformed seed, a TLS certificate that cannot be used).
    /// </exception>
    public static AkkaConfigurationBuilder WithActorScheduler(this AkkaConfigurationBuilder builder, ActorSchedulerOptions options)
    {
        var settings = ToSettings(options);
        if (options.Cluster is { } cluster)
        {
            RequireClusterable(options, cluster);
        }

        // The clustered node's incarnation, made once: its scheduler lease holds the row under it, and its journal's
        // connections carry it, so that the server refuses their writes unless that row is this incarnation's.
        var leaseOwner = options.Cluster is { } node ? SchedulerCluster.NewLeaseOwner(node) : null;
        string? journalConnectionString = null;
        if (options.JournalConnection is { } journal)
        {
            var connectionString = Persistence.PostgresJournal.Parse(journal, options.JournalConnectionSetting, out var journalError)
                                   ?? throw new ArgumentException(journalError, nameof(options.JournalConnection));
            if (Persistence.PostgresJournal.Check(connectionString, options.JournalConnectionSetting) is { } unusable)
            {
                throw new Persistence.PostgresJournalException(unusable);
            }

            builder = Persistence.PostgresJournal.WithPostgresJournal(builder, connectionString, leaseOwner);
            journalConnectionString = connectionString;
        }

        builder = builder.AddHocon(SchedulerHocon.Text, HoconAddMode.Prepend);
        if (options.Cluster is { } clustered)
        {
            // The root moves between nodes; the proxy, registered under the key, finds it wherever it runs. The node's API
            // URL is a member role, and the watcher finds the node whose singleton answers, so that a standby redirects to
            // the active node's API (ActiveSchedulerNode) instead of sending queries across as messages.
            return builder
                .WithRemoting(clustered.Hostname, clustered.Port)
                .WithClustering(new ClusterOptions { SeedNodes = [.. clustered.SeedNodes] })
                .AddHocon(SchedulerCluster.Hocon(clustered, options.ApiUrl), HoconAddMode.Prepend)
                .WithClusterTls(clustered)
                .AddHocon(Persistence.PostgresLease.ConnectionHocon(journalConnectionString!, leaseOwner!), HoconAddMode.Prepend)
                .WithSingleton<SchedulerRegistryKeys.Scheduler>(SchedulerCluster.SingletonName, SchedulerRootActor.SupervisedProps(settings), SchedulerCluster.SingletonOptions(clustered), createProxyToo: true)
                .WithActors((system, _) => system.ActorOf(ActiveNodeWatcher.Props(SchedulerCluster.SingletonPath), SchedulerCluster.WatcherName));
        }

        return builder
            .WithActors((system, registry) =>
            {
                var root = system.ActorOf(SchedulerRootActor.SupervisedProps(settings), "scheduler");
                registry.Register<SchedulerRegistryKeys.Scheduler>(root);
                ActiveNodes.Get(system).Publish(new ActiveSchedulerNode(true, null, null));
            });
    }

    /// <summary>
    /// Which node runs the scheduler, as this node last found it: <see cref="ActiveSchedulerNode.IsSelf"/> on the node
    /// whose scheduler singleton answered (always when not clustered), the active node's advertised API URL
    /// (<see cref="ActiveSchedulerNode.Api"/>) on a standby, or why no node can answer now. Reading it sends no message:
    /// it is the node's cached answer, refreshed in the background. Clustered, ask
    /// <see cref="SchedulerRegistryKeys.Scheduler"/> only while <see cref="ActiveSchedulerNode.IsSelf"/> holds: from a
    /// standby the query would cross to another node, which the scheduler refuses (its messages never cross as JSON);
    /// send the request to <see cref="ActiveSchedulerNode.Api"/> instead.
    /// </summary>
    public static ActiveSchedulerNode GetActiveSchedulerNode(this Akka.Actor.ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return ActiveNodes.Get(system).Current;
    }

    /// <summary>
    /// For an application embedding a clustered scheduler with an HTTP API of its own, as <c>run</c>'s API does: on a
    /// standby node every request is answered <c>307 Temporary Redirect</c> to the same path and query on the active node's
    /// advertised API (<see cref="ActorSchedulerOptions.ApiUrl"/>), and <c>503</c> with <c>Retry-After</c> while no node
    /// can answer; on the active node (and always when not clustered) the request goes on to the application's endpoints,
    /// which may then ask <see cref="SchedulerRegistryKeys.Scheduler"/>. Reads <see cref="GetActiveSchedulerNode"/>: no
    /// message per request. Put it before the endpoints that ask the scheduler.
    /// </summary>
    public static IApplicationBuilder UseActiveSchedulerNodeRedirect(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolved at the first request: the actor system starts with the host, after the pipeline is built.
        var system = new Lazy<Akka.Actor.ActorSystem>(() => app.ApplicationServices.GetRequiredService<Akka.Actor.ActorSystem>());
        return app.UseActiveNodeRedirect(() => system.Value.GetActiveSchedulerNode());
    }

    /// <exception cref="ArgumentOutOfRangeException">
    /// A setting out of its range (fewer than one claim a cycle, a negative sweep interval, fewer than one fitness
    /// candidate, an unknown fitness, fewer than one pod decommissioned at once, a negative count of decision records kept,
    /// a permanent-failure timeout under a second).
    /// </exception>
    /// <exception cref="ArgumentException">
    /// A URL that is not an absolute http(s) URL, or a spec that does not load (its located errors in the message), or a
    /// <see cref="ActorSchedulerOptions.ServiceName"/> other than the spec's <c>name</c>.
    /// </exception>
    internal static SchedulerSettings ToSettings(ActorSchedulerOptions options)
    {
        // Refused here, where the application configures the scheduler, not when its actors start.
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxClaimsPerCycle, 1, nameof(options.MaxClaimsPerCycle));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReservationSweepInterval, TimeSpan.Zero, nameof(options.ReservationSweepInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FitnessCandidates, 1, nameof(options.FitnessCandidates));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DecommissionParallelism, 1, nameof(options.DecommissionParallelism));
        ArgumentOutOfRangeException.ThrowIfNegative(options.OfferDecisionRecordsKept, nameof(options.OfferDecisionRecordsKept));
        if (options.PermanentFailureTimeout is { } permanentAfter)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(permanentAfter, TimeSpan.FromSeconds(1), nameof(options.PermanentFailureTimeout));
        }
        if (!Enum.IsDefined(options.Fitness))
        {
            throw new ArgumentOutOfRangeException(nameof(options.Fitness), options.Fitness, "Not a FitnessKind.");
        }

        if (!Enum.IsDefined(options.OfferHold))
        {
            throw new ArgumentOutOfRangeException(nameof(options.OfferHold), options.OfferHold, "Not an OfferHoldMode.");
        }

        // A zero or negative failover timeout makes Mesos tear the framework down, killing every task, at the first
        // disconnect; a zero interval would stop the gateway's timer once subscribed.
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FailoverTimeout, TimeSpan.Zero, nameof(options.FailoverTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ImplicitReconcileInterval, TimeSpan.Zero, nameof(options.ImplicitReconcileInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RegistryMaxAgentAge, TimeSpan.Zero, nameof(options.RegistryMaxAgentAge));
        ArgumentOutOfRangeException.ThrowIfNegative(options.ReconcileDelayFactor, nameof(options.ReconcileDelayFactor));
        if (options.Executor is null || options.Executor.Cpus < 0 || options.Executor.MemoryMb < 0 || options.Executor.DiskMb < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options.Executor), options.Executor, "The executor's cpus, memory and disk must be 0 or more.");
        }

        RequireHttpUrl(options.MasterUrl, nameof(options.MasterUrl), required: true);
        RequireHttpUrl(options.ApiUrl, nameof(options.ApiUrl), required: false);
        RequireSpecOf(options);
        var tlsAuthority = TlsAuthorityOf(options.TlsCaCertificateFile, options.TlsCaKeyFile, nameof(options.TlsCaCertificateFile), nameof(options.TlsCaKeyFile), out var tlsError);
        if (tlsError is not null)
        {
            throw new ArgumentException(tlsError, nameof(options.TlsCaCertificateFile));
        }

        var gateway = new GatewaySettings(
            options.MasterUrl,
            options.ServiceName,
            ServiceSpec.RoleOf(options.ServiceName),
            ServiceSpec.PrincipalOf(options.ServiceName),
            options.User ?? Environment.UserName,
            options.FailoverTimeout,
            MaxBackoff: TimeSpan.FromSeconds(15),
            ReconcileDelayFactor: options.ReconcileDelayFactor,
            WebUiUrl: options.ApiUrl?.ToString())
        {
            ImplicitReconcileInterval = options.ImplicitReconcileInterval,
            RegistryMaxAgentAge = options.RegistryMaxAgentAge,
        };
        var env = ImmutableArray<KeyValuePair<string, string>>.Empty;
        if (options.ApiUrl is { } api)
        {
            env = env
                .Add(new("SCHEDULER_API_HOSTNAME", api.Host))
                .Add(new("SCHEDULER_API_PORT", api.Port.ToString(CultureInfo.InvariantCulture)));
        }

        return new SchedulerSettings(options.ServiceName, options.RenderedSpec, options.SpecSource, gateway, options.Executor, env)
        {
            SchedulerEnvironment = options.SchedulerEnvironment,
            SchedulerApi = options.ApiUrl,
            ConfigTemplates = options.ConfigTemplates,
            Recovery = new RecoverySettings(options.EnableBackoff, options.PermanentFailureTimeout),
            MaxClaimsPerCycle = options.MaxClaimsPerCycle,
            OfferHold = options.OfferHold,
            ReservationSweepInterval = options.ReservationSweepInterval,
            Fitness = new PlacementFitness(options.Fitness, options.FitnessCandidates),
            DecommissionParallelism = options.DecommissionParallelism,
            OfferDecisionRecordsKept = options.OfferDecisionRecordsKept,
            TlsAuthority = tlsAuthority,
        };
    }

    /// <summary>
    /// The operator's CA from its certificate and key files, null when neither is given; null with why in
    /// <paramref name="error"/> when only one is, or they are no usable CA (<paramref name="certificateName"/> and
    /// <paramref name="keyName"/> name the settings in the message).
    /// </summary>
    internal static CertificateAuthority? TlsAuthorityOf(string? certificateFile, string? keyFile, string certificateName, string keyName, out string? error)
    {
        error = null;
        if (certificateFile is null && keyFile is null)
        {
            return null;
        }

        if (certificateFile is null || keyFile is null)
        {
            error = $"{certificateName} and {keyName} go together: give the CA's certificate and its private key, or neither (the scheduler then generates a CA)";
            return null;
        }

        try
        {
            return CertificateAuthority.FromPemFiles(certificateFile, keyFile, DateTimeOffset.UtcNow);
        }
        catch (TlsAuthorityException e)
        {
            error = $"{certificateName}: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// Clustered needs the shared PostgreSQL journal: a node taking over replays what the last one journaled, which a
    /// node's own SQLite file cannot give it.
    /// </summary>
    private static void RequireClusterable(ActorSchedulerOptions options, SchedulerClusterOptions cluster)
    {
        if (options.JournalConnection is null)
        {
            throw new ArgumentException("Cluster needs JournalConnection: the scheduler nodes must share one PostgreSQL journal, so that the node taking over replays every decision of the last.", nameof(options.JournalConnection));
        }

        if (SchedulerCluster.Error(cluster, systemName: null) is { } error)
        {
            throw new ArgumentException(error, nameof(options.Cluster));
        }
    }

    private static void RequireHttpUrl(Uri? url, string name, bool required)
    {
        if (url is null ? required : !url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"{name} must be an absolute http:// or https:// URL, got '{url}'.", name);
        }
    }

    /// <summary>The spec must load, and be the service's: its journal streams are named after the service.</summary>
    private static void RequireSpecOf(ActorSchedulerOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.RenderedSpec))
        {
            throw new ArgumentException("RenderedSpec is empty; it must hold the service's rendered svc.yml.", nameof(options.RenderedSpec));
        }

        var loaded = ServiceSpecLoader.LoadRendered(options.RenderedSpec, options.SpecSource);
        if (!loaded.IsValid)
        {
            throw new ArgumentException($"RenderedSpec does not load:{System.Environment.NewLine}{string.Join(System.Environment.NewLine, loaded.Errors)}", nameof(options.RenderedSpec));
        }

        if (options.ServiceName != loaded.Spec!.Name)
        {
            throw new ArgumentException($"ServiceName '{options.ServiceName}' differs from the spec's name '{loaded.Spec.Name}'; they must be the same.", nameof(options.ServiceName));
        }
    }
}
