using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorScheduler.Actors;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Hosting.Metrics;
using ActorScheduler.Hosting.Persistence;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Specs;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorScheduler.Hosting.Cli;

/// <summary>What <c>actorscheduler run</c> was asked to do.</summary>
/// <param name="ConfigureEmulator">Shapes the embedded emulator's agents (resources, zones, attributes, MOUNT disks; see
/// <see cref="EmulatorAgentFlags"/>); port, agent count and data dir are set by <c>run</c>. Unused with <c>--master</c>.</param>
public sealed record RunArguments(
    string SpecPath,
    IReadOnlyList<string> Overrides,
    string DataDir,
    int ApiPort,
    int MasterPort,
    int Agents,
    string? Master,
    bool Verbose,
    double ReconcileDelayFactor = 1.0,
    string ApiHost = "127.0.0.1",
    Action<MesosEmulatorOptions>? ConfigureEmulator = null,
    string? ApiToken = null)
{
    /// <summary>Opt-in backoff of failed tasks' relaunches (<c>--enable-backoff</c>).</summary>
    public bool EnableBackoff { get; init; }

    /// <summary>
    /// Replace a pod whose task stayed failed this long (<c>--permanent-failure-timeout</c>, a duration such as
    /// <c>10m</c>, or a number of seconds); null: never.
    /// </summary>
    public string? PermanentFailureTimeout { get; init; }

    /// <summary>Pod instances one offer cycle places at most (<c>--claims-per-cycle</c>).</summary>
    public int MaxClaimsPerCycle { get; init; } = ActorScheduler.Actors.SchedulerSettings.DefaultMaxClaimsPerCycle;

    /// <summary>What a capped offer cycle does with the offers it leaves (<c>--offer-holding</c>): backlog or none.</summary>
    public string OfferHolding { get; init; } = ActorScheduler.Actors.Offers.OfferHoldModes.NameOf(ActorScheduler.Actors.Offers.OfferHoldMode.Backlog);

    /// <summary>
    /// The time between sweeps for reservations nobody owns while idle (<c>--reservation-sweep-interval</c>, a duration
    /// such as <c>1h</c>, or a number of seconds); 0: never; null: <see cref="ActorScheduler.Actors.SchedulerSettings.DefaultReservationSweepInterval"/>.
    /// </summary>
    public string? ReservationSweepInterval { get; init; }

    /// <summary>
    /// How long the master keeps an unreachable agent (<c>--registry-max-agent-age</c>, its <c>--registry_max_agent_age</c>:
    /// a duration such as <c>14d</c>, or a number of seconds); null: <see cref="ActorScheduler.Actors.Mesos.GatewaySettings.DefaultRegistryMaxAgentAge"/>.
    /// </summary>
    public string? RegistryMaxAgentAge { get; init; }

    /// <summary>Offer decision records the journal keeps, the latest (<c>--offer-decisions-kept</c>); 0: all.</summary>
    public long OfferDecisionRecordsKept { get; init; } = ActorScheduler.Actors.SchedulerSettings.DefaultOfferDecisionRecordsKept;

    /// <summary>How a new footprint chooses among the offers it fits (<c>--fitness</c>): binpack, spread or first-fit.</summary>
    public string Fitness { get; init; } = ActorScheduler.Actors.Offers.PlacementFitness.NameOf(ActorScheduler.Actors.Offers.PlacementFitness.Default.Kind);

    /// <summary>Offers that fit compared for one pod (<c>--fitness-candidates</c>).</summary>
    public int FitnessCandidates { get; init; } = ActorScheduler.Actors.Offers.PlacementFitness.DefaultCandidates;

    /// <summary>Pod instances a scale-in decommissions at once (<c>--decommission-parallelism</c>).</summary>
    public int DecommissionParallelism { get; init; } = ActorScheduler.Actors.Plans.DecommissionPlan.DefaultParallelism;

    /// <summary>The operator's CA certificate (PEM) that signs tasks' TLS certificates (<c>--tls-ca-cert</c>); null: a generated CA.</summary>
    public string? TlsCaCertificateFile { get; init; }

    /// <summary>The private key (PEM) of <see cref="TlsCaCertificateFile"/> (<c>--tls-ca-key</c>).</summary>
    public string? TlsCaKeyFile { get; init; }

    /// <summary>
    /// The PostgreSQL database of the journal (<c>--journal-connection</c>: Npgsql keywords or a <c>postgres://</c> URL);
    /// null: the SQLite file <c>journal.db</c> in the data dir.
    /// </summary>
    public string? JournalConnection { get; init; }

    /// <summary>
    /// Run clustered (HA) with Akka remoting on this port (<c>--cluster-port</c>): the scheduler root is a cluster singleton,
    /// this node's API reaches it through a proxy. Needs <see cref="JournalConnection"/> and <c>--master</c>. Null: not clustered.
    /// </summary>
    public int? ClusterPort { get; init; }

    /// <summary>The address other nodes reach this one at (<c>--cluster-hostname</c>); null: 127.0.0.1.</summary>
    public string? ClusterHostname { get; init; }

    /// <summary>The nodes to join (<c>--cluster-seed</c>, repeatable); empty: this node itself, forming the cluster.</summary>
    public IReadOnlyList<string> ClusterSeeds { get; init; } = [];

    /// <summary>
    /// The URL other machines reach this node's API at (<c>--api-advertise-url</c>): the one a standby node redirects to
    /// when this node runs the scheduler, and the one tasks and the master are given. Null: the bound address, or for a
    /// wildcard bind (0.0.0.0) the cluster hostname when clustered and this machine's host name when not.
    /// </summary>
    public string? ApiAdvertiseUrl { get; init; }

    /// <summary>
    /// How long membership must stay unchanged before the split-brain resolver downs an unreachable node
    /// (<c>--cluster-stable-after</c>, a duration such as <c>7s</c>); null: <see cref="SchedulerClusterOptions.StableAfter"/>.
    /// </summary>
    public string? ClusterStableAfter { get; init; }

    /// <summary>How often the nodes exchange heartbeats (<c>--cluster-heartbeat-interval</c>); null: <see cref="SchedulerClusterOptions.HeartbeatInterval"/>.</summary>
    public string? ClusterHeartbeatInterval { get; init; }

    /// <summary>
    /// The silence tolerated before a node is unreachable (<c>--cluster-heartbeat-pause</c>, longer than the interval);
    /// null: <see cref="SchedulerClusterOptions.AcceptableHeartbeatPause"/>.
    /// </summary>
    public string? ClusterHeartbeatPause { get; init; }

    /// <summary>
    /// How long a downed node's scheduler is presumed alive before another node starts it (<c>--cluster-down-removal-margin</c>);
    /// null: <see cref="SchedulerClusterOptions.DownRemovalMargin"/>.
    /// </summary>
    public string? ClusterDownRemovalMargin { get; init; }

    /// <summary>
    /// TLS on the cluster's remoting (<c>--cluster-tls-certificate</c>): the PKCS#12 file of
    /// <see cref="SchedulerClusterOptions.TlsCertificateFile"/>; null: clear text. Its password comes from
    /// <see cref="ClusterTlsPasswordFile"/> or <c>$ACTORSCHEDULER_CLUSTER_TLS_PASSWORD</c>, never the command line.
    /// </summary>
    public string? ClusterTlsCertificate { get; init; }

    /// <summary>A file holding the password of <see cref="ClusterTlsCertificate"/> (<c>--cluster-tls-password-file</c>).</summary>
    public string? ClusterTlsPasswordFile { get; init; }

    /// <summary>
    /// The cluster's CA certificates (<c>--cluster-tls-ca</c>, PEM or DER) of <see cref="SchedulerClusterOptions.TlsCaFile"/>;
    /// null: <see cref="ClusterTlsCertificate"/> is the one certificate every node shares.
    /// </summary>
    public string? ClusterTlsCa { get; init; }

    /// <summary>The revoked serial numbers (<c>--cluster-tls-revoked</c>) of <see cref="SchedulerClusterOptions.TlsRevokedFile"/>.</summary>
    public string? ClusterTlsRevoked { get; init; }

    /// <summary>
    /// How long the scheduler lease stays its holder's without a renewal (<c>--cluster-lease-ttl</c>, a duration such as
    /// <c>12s</c>); null: <see cref="SchedulerClusterOptions.LeaseTimeToLive"/>.
    /// </summary>
    public string? ClusterLeaseTtl { get; init; }

    /// <summary>
    /// HOCON that takes precedence over everything <c>run</c> configures, and a look at the actor system once it started:
    /// tests crash a clustered node in-process with them (no cluster leave on termination, then terminate its system).
    /// </summary>
    internal string? TestHocon { get; init; }

    /// <inheritdoc cref="TestHocon"/>
    internal Action<ActorSystem>? OnStarted { get; init; }

    /// <summary>Reads an environment variable (<c>STATSD_UDP_HOST</c>, …); null: the process's environment.</summary>
    public Func<string, string?>? EnvironmentVariable { get; init; }
}

/// <summary>The durations <c>run</c> read from its options, each given or its default.</summary>
/// <param name="PermanentFailureTimeout">Replace a pod whose task stayed failed this long; null: never.</param>
/// <param name="ReservationSweepInterval">The time between sweeps for reservations nobody owns while idle; zero: never.</param>
/// <param name="RegistryMaxAgentAge">How long the master keeps an unreachable agent.</param>
internal sealed record RunDurations(TimeSpan? PermanentFailureTimeout, TimeSpan ReservationSweepInterval, TimeSpan RegistryMaxAgentAge);

/// <summary>
/// <c>actorscheduler run</c>: the embedded emulator (unless <c>--master</c>), the scheduler and its HTTP API in one
/// process; prints the deploy plan as it progresses and serves until cancelled.
/// </summary>
public static class RunCommand
{
    /// <summary>
    /// How long a stop waits for the API's requests in flight (a slow upload, say) before it cuts them off: half of
    /// <see cref="TerminationSignals.StopTimeout"/>, so that the scheduler and the emulator still stop within it and the
    /// stop ends gracefully (exit 0). The host's default, 30 s, raced the signal's own 30 s: exit 0 or 130/143 at random.
    /// </summary>
    internal static readonly TimeSpan RequestDrainTimeout = TerminationSignals.StopTimeout / 2;

    /// <summary>How long a stop waits for the log file to hold what was logged before it (<see cref="RunLogFlush"/>).</summary>
    internal static readonly TimeSpan LogFlushPatience = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The exit code of a <c>run</c> whose journal server was lost while it ran (a write or a replay could not reach it):
    /// the journal is intact, and starting <c>run</c> again once the server answers recovers from it — so a supervisor
    /// (systemd <c>Restart=on-failure</c>, Marathon, Kubernetes) restarts it, as it would restart the DC/OS scheduler
    /// after it lost ZooKeeper. 1 stays a failure a restart does not cure, 2 a refusal before anything started.
    /// </summary>
    public const int JournalUnavailableExitCode = 3;

    public static async Task<int> RunAsync(RunArguments args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        // The scheduler's log lines go to it too, from another thread.
        output = TextWriter.Synchronized(output);
        if (!Overrides.TryParse(args.Overrides, out var overrides, out var overrideError))
        {
            await error.WriteLineAsync($"error: {overrideError}");
            return 2;
        }

        if (args.MaxClaimsPerCycle < 1)
        {
            await error.WriteLineAsync($"error: --claims-per-cycle expects a positive number of pod instances, got '{args.MaxClaimsPerCycle}'");
            return 2;
        }

        if (!ActorScheduler.Actors.Offers.OfferHoldModes.TryParse(args.OfferHolding, out var offerHold))
        {
            await error.WriteLineAsync($"error: --offer-holding expects one of {string.Join(", ", ActorScheduler.Actors.Offers.OfferHoldModes.Names)}, got '{args.OfferHolding}'");
            return 2;
        }

        var durations = DurationsOf(args, out var durationError);
        if (durations is null)
        {
            await error.WriteLineAsync($"error: {durationError}");
            return 2;
        }

        if (args.OfferDecisionRecordsKept < 0)
        {
            await error.WriteLineAsync($"error: --offer-decisions-kept expects a number of records >= 0 (0: keep every one), got '{args.OfferDecisionRecordsKept}'");
            return 2;
        }

        if (!ActorScheduler.Actors.Offers.PlacementFitness.TryParse(args.Fitness, out var fitness))
        {
            await error.WriteLineAsync($"error: --fitness expects one of {string.Join(", ", ActorScheduler.Actors.Offers.PlacementFitness.Names)}, got '{args.Fitness}'");
            return 2;
        }

        if (args.FitnessCandidates < 1)
        {
            await error.WriteLineAsync($"error: --fitness-candidates expects a positive number of offers, got '{args.FitnessCandidates}'");
            return 2;
        }

        if (args.DecommissionParallelism < 1)
        {
            await error.WriteLineAsync($"error: --decommission-parallelism expects a positive number of pod instances, got '{args.DecommissionParallelism}'");
            return 2;
        }

        // Checked before anything starts (the scheduler's settings load it again).
        ActorSchedulerHostingExtensions.TlsAuthorityOf(args.TlsCaCertificateFile, args.TlsCaKeyFile, "--tls-ca-cert", "--tls-ca-key", out var tlsError);
        if (tlsError is not null)
        {
            await error.WriteLineAsync($"error: {tlsError}");
            return 2;
        }

        string? journalConnection = null;
        if (args.JournalConnection is not null && (journalConnection = PostgresJournal.Parse(args.JournalConnection, "--journal-connection", out var journalFormatError)) is null)
        {
            await error.WriteLineAsync($"error: {journalFormatError}");
            return 2;
        }

        var cluster = ClusterOf(args, journalConnection, out var clusterError);
        if (clusterError is not null)
        {
            await error.WriteLineAsync($"error: {clusterError}");
            return 2;
        }

        var statsd = StatsDTarget.FromEnvironment(args.EnvironmentVariable ?? System.Environment.GetEnvironmentVariable, out var statsdError);
        if (statsdError is not null)
        {
            await error.WriteLineAsync($"error: {statsdError}");
            return 2;
        }

        var loaded = ServiceSpecLoader.LoadFile(args.SpecPath, overrides);
        if (!loaded.IsValid)
        {
            foreach (var e in loaded.Errors)
            {
                await error.WriteLineAsync($"error: {e}");
            }

            return 1;
        }

        var spec = loaded.Spec!;
        var refusals = ActorScheduler.Specs.Validation.SpecValidators.Validate(null, spec);
        if (!refusals.IsEmpty)
        {
            foreach (var refusal in refusals)
            {
                await error.WriteLineAsync($"error: {(object?)loaded.Locate(refusal) ?? refusal}");
            }

            return 1;
        }

        var dataDir = Path.GetFullPath(args.DataDir);
        if (DataDir.Prepare(dataDir) is { } dataDirError)
        {
            await error.WriteLineAsync($"error: {dataDirError}");
            return 2;
        }

        using var dataDirLock = DataDir.Lock(dataDir, out var lockError);
        if (dataDirLock is null)
        {
            await error.WriteLineAsync($"error: {lockError}");
            return 2;
        }

        // Checked before anything starts: the embedded emulator would otherwise run (and its agents start tasks) for a
        // scheduler that cannot.
        var journalPath = Path.Combine(dataDir, "journal.db");
        if ((journalConnection is null ? SqliteJournal.Check(journalPath) : PostgresJournal.Check(journalConnection, "--journal-connection")) is { } journalError)
        {
            await error.WriteLineAsync($"error: {journalError}");
            return 2;
        }

        // A journal of another service: this one would deploy beside that one's records, its tasks left to no scheduler.
        if ((journalConnection is null ? SqliteJournal.CheckService(journalPath, spec.Name) : PostgresJournal.CheckService(journalConnection, spec.Name)) is { } serviceError)
        {
            await error.WriteLineAsync($"error: {serviceError}");
            return 2;
        }

        if (journalConnection is not null)
        {
            try
            {
                PostgresJournal.Prepare(journalConnection);
            }
            catch (PostgresJournalException e)
            {
                await error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }
        }

        if (!System.Net.IPAddress.TryParse(args.ApiHost, out var apiAddress))
        {
            await error.WriteLineAsync($"error: --api-host expects an IP address such as 127.0.0.1 or 0.0.0.0, got '{args.ApiHost}'");
            return 2;
        }

        Uri? apiAdvertised = null;
        if (args.ApiAdvertiseUrl is not null && (apiAdvertised = ActiveSchedulerNode.ParseAdvertiseUrl(args.ApiAdvertiseUrl, "--api-advertise-url", out var advertiseError)) is null)
        {
            await error.WriteLineAsync($"error: {advertiseError}");
            return 2;
        }

        if (args.ApiPort is < 0 or > 65535)
        {
            await error.WriteLineAsync($"error: --api-port expects a port from 0 to 65535, got '{args.ApiPort}'");
            return 2;
        }

        if (args.Master is null && args.MasterPort is < 0 or > 65535)
        {
            await error.WriteLineAsync($"error: --master-port expects a port from 0 to 65535, got '{args.MasterPort}'");
            return 2;
        }

        if (args.Master is null && args.Agents < 0)
        {
            await error.WriteLineAsync($"error: --agents expects a number of agents >= 0, got '{args.Agents}'");
            return 2;
        }

        if (args.Master is null && args.MasterPort == args.ApiPort && args.ApiPort != 0)
        {
            await error.WriteLineAsync($"error: --api-port and --master-port are both {args.ApiPort}: the API and the embedded Mesos emulator need a port each");
            return 2;
        }

        // Bound now, so a port in use is refused before anything starts, and with --api-port 0 the port the system chose
        // is the one the banner, the framework's web UI URL and the tasks (SCHEDULER_API_PORT, config templates) are given.
        using var apiListener = ApiListener.Bind(apiAddress, args.ApiPort, out var apiError);
        if (apiListener is null)
        {
            await error.WriteLineAsync($"error: --api-port: {apiError}");
            return 2;
        }

        Uri? master = null;
        if (args.Master is not null && !TryParseMaster(args.Master, out master))
        {
            await error.WriteLineAsync($"error: --master expects an http:// or https:// URL such as http://127.0.0.1:5050, got '{args.Master}'");
            return 2;
        }

        var started = Stopwatch.StartNew();
        MesosEmulator? emulator = null;
        MesosEmulatorOptions? emulatorOptions = null;
        if (master is null)
        {
            emulatorOptions = new MesosEmulatorOptions
            {
                Port = args.MasterPort,
                Agents = args.Agents,
                DataDir = Path.Combine(dataDir, "mesos"),
                // Tasks find `bootstrap` on their PATH: this binary renders their config templates.
                BootstrapCommand = BootstrapShim.CommandOf(typeof(BootstrapCommand).Assembly.Location),
            };
            args.ConfigureEmulator?.Invoke(emulatorOptions);
            try
            {
                emulator = await MesosEmulator.StartAsync(emulatorOptions, ct);
            }
            catch (MesosEmulatorException e)
            {
                await error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }

            master = emulator.Url;
        }

        var (bindUrl, apiUrl) = ApiUrls(apiAddress, apiListener.Port, cluster?.Hostname);
        apiUrl = apiAdvertised ?? apiUrl;
        await output.WriteLineAsync($"service:     {spec.Name} ({args.SpecPath})");
        await output.WriteLineAsync($"mesos:       {master}{(emulator is null ? string.Empty : $" (embedded emulator, {args.Agents} agents{(emulatorOptions?.Zones > 0 ? $" in {emulatorOptions.Zones} zones" : "")})")}");
        await output.WriteLineAsync($"api:         {apiUrl}{(bindUrl == apiUrl ? "" : $" (listening on {bindUrl})")}");
        await output.WriteLineAsync($"data dir:    {dataDir}");
        if (journalConnection is not null)
        {
            await output.WriteLineAsync($"journal:     {PostgresJournal.Describe(journalConnection)}");
        }
        if (cluster is not null)
        {
            await output.WriteLineAsync($"cluster:     {SchedulerCluster.SelfAddress(cluster.Hostname, cluster.Port, SystemName, cluster.TlsCertificateFile is not null)} (seeds: {string.Join(", ", cluster.SeedNodes)})");
            if (cluster.TlsCertificateFile is not null)
            {
                await output.WriteLineAsync(RunClusterTls.Banner(cluster));
            }

            await output.WriteLineAsync("             any node's API answers: a standby redirects (307) to the node that runs the scheduler");
            await output.WriteLineAsync($"             failover: heartbeat {DurationText.Format(cluster.HeartbeatInterval)}, pause {DurationText.Format(cluster.AcceptableHeartbeatPause)}, stable-after {DurationText.Format(cluster.StableAfter)}, down-removal margin {DurationText.Format(cluster.DownRemovalMargin)}");
            await output.WriteLineAsync($"             lease: the scheduler runs only under the lease in the journal's table {PostgresLease.Table} (ttl {DurationText.Format(cluster.LeaseTimeToLive)}, renewed every {DurationText.Format(PostgresLease.HeartbeatInterval(cluster.LeaseTimeToLive))})");
        }
        if (statsd is not null)
        {
            await output.WriteLineAsync($"statsd:      {statsd}");
        }

        using var log = new RunLog(output, Path.Combine(dataDir, RunLog.FileName));
        // Cancelled once the scheduler stopped for good: the API's requests still waiting for it are answered at once.
        using var schedulerStopped = new CancellationTokenSource();
        var app = BuildApp(args with { JournalConnection = journalConnection }, durations, fitness, offerHold, loaded, master, bindUrl, apiUrl, apiListener, dataDir, statsd, log, cluster, schedulerStopped.Token);
        using (ct.Register(log.FileOnlyFromNow))
        {
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e)
            {
                await error.WriteLineAsync($"error: cannot serve the API on {bindUrl}: {e.Message}");
                await StopAsync(emulator);
                return 2;
            }
            catch (PostgresJournalException e)
            {
                // The server answered the checks above, then stopped answering (or went away) before the scheduler
                // started on it: lost, as mid-run, for a supervisor to start run again once it answers.
                await error.WriteLineAsync($"error: {e.Message}");
                await StopAsync(emulator);
                return JournalUnavailableExitCode;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C while it starts: stopped as after it started, without the failures of what was cut short.
                await output.WriteLineAsync("stopping…");
                await app.StopAsync(CancellationToken.None);
                await StopAsync(emulator);
                return 0;
            }
        }

        var scheduler = app.Services.GetRequiredService<ActorRegistry>().Get<SchedulerRegistryKeys.Scheduler>();
        args.OnStarted?.Invoke(app.Services.GetRequiredService<ActorSystem>());
        SchedulerFailedException? failed = null;
        try
        {
            await FollowDeployAsync(scheduler, app.Services.GetRequiredService<ActorSystem>(), ActiveHere(cluster, app.Services), output, started, app.Lifetime.ApplicationStopping, ct);
        }
        catch (OperationCanceledException)
        {
        }
        catch (SchedulerFailedException e)
        {
            failed = e;
        }

        if (failed is not null)
        {
            // Before the host stops: its graceful stop waits for the requests in flight, and one the stopped scheduler
            // had taken would wait out its ask (10 s) — clustered, holding the node's leaving and so the hand-over.
            await schedulerStopped.CancelAsync();
            // Each failure before it was one line on the console; the log file has them whole, stack traces included.
            var details = $" (details: {log.FilePath})";
            var journal = journalConnection is null ? journalPath : PostgresJournal.Describe(journalConnection);
            await error.WriteLineAsync(
                failed.JournalUnavailable
                    ? $"error: journal {journal} was lost: {failed.Message}; the scheduler stopped, acting on nothing it had not recorded (tasks keep running); "
                      + $"start run again once {(journalConnection is null ? "the journal" : $"the server {PostgresJournal.Server(journalConnection)}")} answers: it recovers from the journal{details}"
                    : failed.UnreadableStream is null
                        ? $"error: {failed.Message}{details}"
                        : $"error: journal {journal}: {failed.Message}{details}");
        }

        // A failed TLS handshake with another node stops the node (Akka's doing): said, and no exit 0.
        var handshakeFailed = RunClusterTls.StoppedByHandshake(CoordinatedShutdown.Get(app.Services.GetRequiredService<ActorSystem>()).ShutdownReason, cluster);
        if (handshakeFailed is not null)
        {
            await error.WriteLineAsync(handshakeFailed);
        }

        // What the scheduler logged on its way here (why it stopped, with the stack traces) is in the file before the
        // actor system stops: stopped, it drops what its logger had not written yet.
        await RunLogFlush.FlushAsync(app.Services.GetRequiredService<ActorSystem>(), LogFlushPatience);
        await output.WriteLineAsync("stopping…");
        await app.StopAsync(CancellationToken.None);
        await StopAsync(emulator);
        if (emulator is not null)
        {
            await output.WriteLineAsync("stopped; tasks keep running and are re-adopted by the next `run` on this data dir");
        }

        return failed switch
        {
            null => handshakeFailed is null ? 0 : 1,
            { JournalUnavailable: true } => JournalUnavailableExitCode,
            _ => 1,
        };
    }

    /// <summary>
    /// The URL the API listens on, and the one tasks and the master are given (<c>SCHEDULER_API_HOSTNAME</c>, config
    /// template URIs, the web UI URL, and clustered the other nodes' redirects): the same, but for a wildcard address
    /// (0.0.0.0, ::), which no task can connect to from another machine, where it is <paramref name="clusterHostname"/>
    /// when clustered (the address the other nodes already reach this one at) and this machine's host name when not.
    /// </summary>
    internal static (Uri Bind, Uri Advertised) ApiUrls(System.Net.IPAddress address, int port, string? clusterHostname = null)
    {
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var bind = new Uri($"http://{host}:{port}/");
        var wildcard = address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any);
        return (bind, wildcard ? new Uri($"http://{clusterHostname ?? System.Net.Dns.GetHostName()}:{port}/") : bind);
    }

    /// <summary>
    /// The clustered mode's settings from <c>--cluster-*</c> (null when not clustered, or with why in
    /// <paramref name="error"/>): it needs the shared PostgreSQL journal, which makes a take-over lose no decision, and an
    /// external master, since an emulator embedded in one node would go with it.
    /// </summary>
    internal static SchedulerClusterOptions? ClusterOf(RunArguments args, string? journalConnection, out string? error)
    {
        error = null;
        if (args.ClusterPort is not { } port)
        {
            var unported = args.ClusterSeeds.Count > 0 ? "--cluster-seed"
                : args.ClusterHostname is not null ? "--cluster-hostname"
                : ClusterTimingOptions(args).FirstOrDefault(t => t.Text is not null).Name ?? RunClusterTls.GivenOption(args);
            if (unported is not null)
            {
                error = $"{unported} needs --cluster-port: the port of this scheduler node in the cluster";
            }

            return null;
        }

        if (port is < 1 or > 65535)
        {
            error = $"--cluster-port expects a port in 1-65535, got '{port}'";
            return null;
        }

        if (journalConnection is null)
        {
            error = "--cluster-port needs --journal-connection: the scheduler nodes share one PostgreSQL journal, so that the node taking over replays every decision (a node's SQLite file cannot be shared)";
            return null;
        }

        if (args.Master is null)
        {
            error = "--cluster-port needs --master URL: the scheduler nodes share one Mesos master, and an emulator embedded in one node would stop with it";
            return null;
        }

        var hostname = args.ClusterHostname ?? "127.0.0.1";
        if (string.IsNullOrWhiteSpace(hostname) || Uri.CheckHostName(hostname) == UriHostNameType.Unknown)
        {
            error = $"--cluster-hostname expects a host name or an IP address, got '{hostname}'";
            return null;
        }

        foreach (var seed in args.ClusterSeeds)
        {
            if (SchedulerCluster.SeedError(seed, "--cluster-seed", SystemName, args.ClusterTlsCertificate is not null) is { } seedError)
            {
                error = seedError;
                return null;
            }
        }

        // Each timing given, or its default; the first that is no duration is the error, then the timings as a whole
        // are checked as an embedding application's are.
        var defaults = new SchedulerClusterOptions { Port = port };
        string? problem = null;
        var (tlsFile, tlsPassword) = RunClusterTls.Read(args, out var tlsError);
        var cluster = new SchedulerClusterOptions
        {
            Port = port,
            Hostname = hostname,
            SeedNodes = args.ClusterSeeds.Count > 0 ? args.ClusterSeeds : [SchedulerCluster.SelfAddress(hostname, port, SystemName, args.ClusterTlsCertificate is not null)],
            StableAfter = Timing(ClusterTimingNames.StableAfter, args.ClusterStableAfter, defaults.StableAfter),
            HeartbeatInterval = Timing(ClusterTimingNames.HeartbeatInterval, args.ClusterHeartbeatInterval, defaults.HeartbeatInterval),
            AcceptableHeartbeatPause = Timing(ClusterTimingNames.AcceptableHeartbeatPause, args.ClusterHeartbeatPause, defaults.AcceptableHeartbeatPause),
            DownRemovalMargin = Timing(ClusterTimingNames.DownRemovalMargin, args.ClusterDownRemovalMargin, defaults.DownRemovalMargin),
            TlsCertificateFile = tlsFile,
            TlsCertificatePassword = tlsPassword,
            TlsCaFile = tlsFile is null ? null : args.ClusterTlsCa,
            TlsRevokedFile = tlsFile is null ? null : args.ClusterTlsRevoked,
            LeaseTimeToLive = Duration(ClusterLeaseTtlName, args.ClusterLeaseTtl, ClusterLeaseTtlBounds, defaults.LeaseTimeToLive, ref problem),
        };
        error = problem ?? SchedulerCluster.TimingError(cluster, ClusterTimingNames) ?? SchedulerCluster.LeaseTimingError(cluster.LeaseTimeToLive, ClusterLeaseTtlName) ?? tlsError;
        return error is null ? cluster : null;

        TimeSpan Timing(string name, string? text, TimeSpan fallback) => Duration(name, text, ClusterTimingBounds, fallback, ref problem);
    }

    /// <summary>The scheduler lease's option (<see cref="SchedulerClusterOptions.LeaseTimeToLive"/>).</summary>
    private const string ClusterLeaseTtlName = "--cluster-lease-ttl";

    /// <summary><c>--cluster-lease-ttl</c>: from <see cref="SchedulerCluster.MinLeaseTimeToLive"/>, at most <see cref="SchedulerCluster.MaxTiming"/>.</summary>
    private static readonly DurationText.Bounds ClusterLeaseTtlBounds = new(SchedulerCluster.MaxTiming) { Min = SchedulerCluster.MinLeaseTimeToLive };

    /// <summary>The cluster timings' options: above zero, at most <see cref="SchedulerCluster.MaxTiming"/>.</summary>
    private static readonly DurationText.Bounds ClusterTimingBounds = new(SchedulerCluster.MaxTiming);

    /// <summary>
    /// Option <paramref name="name"/> read as a duration within <paramref name="bounds"/>, or <paramref name="fallback"/>
    /// when it is not given; the first refusal of the options read one after another goes to <paramref name="problem"/>,
    /// and the options after it are not read.
    /// </summary>
    private static TimeSpan Duration(string name, string? text, DurationText.Bounds bounds, TimeSpan fallback, ref string? problem) =>
        text is null || problem is not null ? fallback : DurationText.Parse(text, name, bounds, out problem) ?? fallback;

    /// <summary>
    /// The longest the options that took a whole number of seconds took (an <see cref="int"/> of them): they take
    /// durations now, and every command line written for them still reads the same.
    /// </summary>
    private static readonly TimeSpan MaxWholeSeconds = TimeSpan.FromSeconds(int.MaxValue);

    /// <summary><c>--permanent-failure-timeout</c>: a second at least, as a number of seconds before; 0 or less would replace a pod, destroying its volumes, on its first failure.</summary>
    internal static readonly DurationText.Bounds PermanentFailureTimeoutBounds = new(MaxWholeSeconds)
    {
        Min = TimeSpan.FromSeconds(1), Bare = TimeSpan.FromSeconds(1), Note = "leave it out to never replace",
    };

    /// <summary><c>--reservation-sweep-interval</c>: 0 never sweeps.</summary>
    internal static readonly DurationText.Bounds ReservationSweepIntervalBounds = new(MaxWholeSeconds)
    {
        Min = TimeSpan.Zero, Bare = TimeSpan.FromSeconds(1), Note = "0: never sweep",
    };

    /// <summary>
    /// <c>--registry-max-agent-age</c>: a second at least; 0 or less would release a removed pod type's role at once,
    /// while its given-up reservations may come back.
    /// </summary>
    internal static readonly DurationText.Bounds RegistryMaxAgentAgeBounds = new(MaxWholeSeconds)
    {
        Min = TimeSpan.FromSeconds(1), Bare = TimeSpan.FromSeconds(1), Note = "the master's --registry_max_agent_age",
    };

    /// <summary>
    /// The durations of <c>--permanent-failure-timeout</c>, <c>--reservation-sweep-interval</c> and
    /// <c>--registry-max-agent-age</c> (each given, or its default), or null with the first refusal in
    /// <paramref name="error"/>: one line naming the option and what it takes.
    /// </summary>
    internal static RunDurations? DurationsOf(RunArguments args, out string? error)
    {
        string? problem = null;
        var durations = new RunDurations(
            args.PermanentFailureTimeout is null ? null : Duration("--permanent-failure-timeout", args.PermanentFailureTimeout, PermanentFailureTimeoutBounds, TimeSpan.Zero, ref problem),
            Duration("--reservation-sweep-interval", args.ReservationSweepInterval, ReservationSweepIntervalBounds, ActorScheduler.Actors.SchedulerSettings.DefaultReservationSweepInterval, ref problem),
            Duration("--registry-max-agent-age", args.RegistryMaxAgentAge, RegistryMaxAgentAgeBounds, ActorScheduler.Actors.Mesos.GatewaySettings.DefaultRegistryMaxAgentAge, ref problem));
        error = problem;
        return error is null ? durations : null;
    }

    /// <summary>The cluster timing options, as <see cref="SchedulerCluster.TimingError"/> names them in <c>run</c>'s refusals.</summary>
    private static readonly SchedulerCluster.TimingNames ClusterTimingNames = new(
        "--cluster-stable-after", "--cluster-heartbeat-interval", "--cluster-heartbeat-pause", "--cluster-down-removal-margin");

    /// <summary>
    /// The failure-detector and split-brain-resolver timing options as given (null: the default), in the order of
    /// <see cref="SchedulerClusterOptions.StableAfter"/>, <see cref="SchedulerClusterOptions.HeartbeatInterval"/>,
    /// <see cref="SchedulerClusterOptions.AcceptableHeartbeatPause"/>, <see cref="SchedulerClusterOptions.DownRemovalMargin"/>.
    /// </summary>
    private static (string Name, string? Text)[] ClusterTimingOptions(RunArguments args) =>
    [
        (ClusterTimingNames.StableAfter, args.ClusterStableAfter),
        (ClusterTimingNames.HeartbeatInterval, args.ClusterHeartbeatInterval),
        (ClusterTimingNames.AcceptableHeartbeatPause, args.ClusterHeartbeatPause),
        (ClusterTimingNames.DownRemovalMargin, args.ClusterDownRemovalMargin),
        (ClusterLeaseTtlName, args.ClusterLeaseTtl),
    ];

    /// <summary>
    /// Whether the scheduler runs on this node: always when not clustered; clustered, when this node's scheduler
    /// singleton answered (<see cref="ActorSchedulerHostingExtensions.GetActiveSchedulerNode"/>). What asks the scheduler
    /// for the node's own use (the console's plan, StatsD) asks only then, so that no query of ours goes to another node.
    /// </summary>
    private static Func<bool> ActiveHere(SchedulerClusterOptions? cluster, IServiceProvider services) =>
        cluster is null ? () => true : () => services.GetRequiredService<ActorSystem>().GetActiveSchedulerNode().IsSelf;

    /// <summary>The actor system's name: the one the nodes' addresses (<c>--cluster-seed</c>) name.</summary>
    internal const string SystemName = "actorscheduler";

    private static WebApplication BuildApp(RunArguments args, RunDurations durations, ActorScheduler.Actors.Offers.FitnessKind fitness, ActorScheduler.Actors.Offers.OfferHoldMode offerHold, SpecLoadResult loaded, Uri master, Uri bindUrl, Uri apiUrl, ApiListener apiListener, string dataDir, StatsDTarget? statsd, RunLog log, SchedulerClusterOptions? cluster, CancellationToken schedulerStopped)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = RequestDrainTimeout);
        builder.WebHost.UseUrls(bindUrl.ToString().TrimEnd('/'));
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = apiListener.HandOver);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new RunLogProvider(log));
        builder.Logging.SetMinimumLevel(args.Verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Services.AddAkka(SystemName, (akka, _) =>
        {
            akka.AddHocon($"akka.loglevel = {(args.Verbose ? "INFO" : "WARNING")}", HoconAddMode.Prepend)
                // One line per event on the console, each whole in the data dir's log file; why the scheduler stopped
                // for good is printed once, as the error: line below, not as a log line too.
                .ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = args.Verbose ? Akka.Event.LogLevel.InfoLevel : Akka.Event.LogLevel.WarningLevel;
                    loggers.ClearLoggers();
                    loggers.AddLogger<RunLogger>();
                })
                .AddSetup(new RunLogSetup(log));
            if (args.TestHocon is not null)
            {
                akka.AddHocon(args.TestHocon, HoconAddMode.Prepend);
            }

            if (args.JournalConnection is null)
            {
                akka.WithSqliteJournal(Path.Combine(dataDir, "journal.db"));
            }

            akka.WithActorScheduler(new ActorSchedulerOptions
                {
                    ServiceName = loaded.Spec!.Name,
                    RenderedSpec = loaded.RenderedText!,
                    SchedulerEnvironment = loaded.SchedulerEnvironment,
                    ConfigTemplates = loaded.ConfigTemplates,
                    SpecSource = Path.GetFullPath(args.SpecPath),
                    MasterUrl = master,
                    ApiUrl = apiUrl,
                    ReconcileDelayFactor = args.ReconcileDelayFactor,
                    EnableBackoff = args.EnableBackoff,
                    PermanentFailureTimeout = durations.PermanentFailureTimeout,
                    MaxClaimsPerCycle = args.MaxClaimsPerCycle,
                    OfferHold = offerHold,
                    ReservationSweepInterval = durations.ReservationSweepInterval,
                    RegistryMaxAgentAge = durations.RegistryMaxAgentAge,
                    OfferDecisionRecordsKept = args.OfferDecisionRecordsKept,
                    Fitness = fitness,
                    FitnessCandidates = args.FitnessCandidates,
                    DecommissionParallelism = args.DecommissionParallelism,
                    TlsCaCertificateFile = args.TlsCaCertificateFile,
                    TlsCaKeyFile = args.TlsCaKeyFile,
                    JournalConnection = args.JournalConnection,
                    JournalConnectionSetting = "--journal-connection",
                    Cluster = cluster,
                });
        });

        if (statsd is not null)
        {
            builder.Services.AddHostedService(services => new StatsDPublisher(
                statsd,
                StatsDPublisher.FromScheduler(() => services.GetRequiredService<ActorRegistry>().Get<SchedulerRegistryKeys.Scheduler>(), ActiveHere(cluster, services)),
                services.GetRequiredService<ILogger<StatsDPublisher>>()));
        }

        var app = builder.Build();
        app.UseJsonErrors(clustered: cluster is not null);
        if (cluster is not null)
        {
            app.UseActiveSchedulerNodeRedirect();
        }

        app.UseServicePrefix(loaded.Spec!.Name);
        app.UseApiToken(args.ApiToken);
        app.UseRouting();
        app.MapSchedulerApi(() => app.Services.GetRequiredService<ActorRegistry>().Get<SchedulerRegistryKeys.Scheduler>(), schedulerStopped);
        return app;
    }

    /// <summary>
    /// Prints the deploy plan tree whenever it changes, and the time to COMPLETE once, until cancelled.
    /// </summary>
    /// <exception cref="SchedulerFailedException">The scheduler stopped for good (its answer to every query then), not with the host.</exception>
    /// <param name="stopping">The host is stopping (Ctrl-C, SIGTERM): the scheduler stops with it, which is no failure.</param>
    /// <param name="system">Its actor system, which may shut down on a signal before <paramref name="stopping"/> or
    /// <paramref name="ct"/> say so (Akka's own process-exit hook): a scheduler stopped by that is no failure either.</param>
    /// <param name="activeHere">Whether the scheduler runs on this node: a standby prints nothing, since its query would
    /// cross to the active node as a message.</param>
    private static async Task FollowDeployAsync(IActorRef scheduler, ActorSystem system, Func<bool> activeHere, TextWriter output, Stopwatch started, CancellationToken stopping, CancellationToken ct)
    {
        bool ShuttingDown() => stopping.IsCancellationRequested || ct.IsCancellationRequested
                               || CoordinatedShutdown.Get(system).ShutdownReason is not null || system.WhenTerminated.IsCompleted;

        string? last = null;
        var reportedComplete = false;
        var stopped = scheduler.WatchAsync(ct);
        // Clustered, the node that should run the scheduler and cannot take its lease for want of the journal's server
        // stops as a scheduler that lost that server does.
        var leaseUnreachable = SchedulerLeaseFailures.Get(system).Unreachable;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (await timer.WaitForNextTickAsync(ct))
        {
            if (leaseUnreachable.IsCompleted && !ShuttingDown())
            {
                throw new SchedulerFailedException($"the journal's server could not be reached: {leaseUnreachable.Result}", journalUnavailable: true);
            }

            if (stopped.IsCompletedSuccessfully && stopped.Result)
            {
                // With the host. (A supervisor that gave up restarting the scheduler stays, and answers why: below.)
                if (ShuttingDown())
                {
                    return;
                }

                throw new SchedulerFailedException("the scheduler stopped (see the errors above)");
            }

            if (!activeHere())
            {
                continue;
            }

            object answer;
            try
            {
                answer = await scheduler.Ask<object>(new PlanProtocol.GetPlan("deploy"), TimeSpan.FromSeconds(5), ct);
            }
            catch (AskTimeoutException)
            {
                continue;
            }
            catch (SchedulerFailedException) when (ShuttingDown())
            {
                // What failed while the actor system shut down is no failure.
                return;
            }

            if (answer is not PlanInfo plan)
            {
                continue;
            }

            var tree = PlanTree.Render(plan);
            if (tree != last)
            {
                await output.WriteLineAsync();
                await output.WriteAsync(tree);
                await output.FlushAsync(ct);
                last = tree;
            }

            if (plan.Status == Status.Complete && !reportedComplete)
            {
                reportedComplete = true;
                await output.WriteLineAsync($"deploy COMPLETE after {started.Elapsed.TotalSeconds:0.0}s");
                await output.FlushAsync(ct);
            }
        }
    }

    private static async Task StopAsync(MesosEmulator? emulator)
    {
        if (emulator is not null)
        {
            await emulator.StopAsync();
            await emulator.DisposeAsync();
        }
    }

    private static bool TryParseMaster(string text, out Uri? master)
    {
        master = Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;
        return master is not null;
    }
}

/// <summary>
/// The API's listening socket, bound by <c>run</c> before anything starts and handed over to Kestrel when the API starts
/// serving (Kestrel then owns it). Disposing it closes it only if Kestrel never took it.
/// </summary>
internal sealed class ApiListener : IDisposable
{
    private Socket? _socket;

    private ApiListener(Socket socket)
    {
        _socket = socket;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>Where it listens: the port the system chose when asked for port 0.</summary>
    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    /// <summary>Binds <paramref name="address"/>:<paramref name="port"/> as Kestrel would; null with a one-line reason when it cannot.</summary>
    public static ApiListener? Bind(IPAddress address, int port, out string? error)
    {
        try
        {
            error = null;
            return new ApiListener(SocketTransportOptions.CreateDefaultBoundListenSocket(new IPEndPoint(address, port)));
        }
        catch (SocketException e)
        {
            error = e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? $"port {port} on {address} is already in use"
                : $"cannot bind port {port} on {address}: {e.Message}";
            return null;
        }
    }

    /// <summary>Kestrel's <see cref="SocketTransportOptions.CreateBoundListenSocket"/>: this socket for its endpoint, once.</summary>
    public Socket HandOver(EndPoint endpoint) =>
        endpoint.Equals(EndPoint) && Interlocked.Exchange(ref _socket, null) is { } socket
            ? socket
            : SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);

    public void Dispose() => Interlocked.Exchange(ref _socket, null)?.Dispose();
}

/// <summary><c>-o KEY=VALUE</c> values.</summary>
public static class Overrides
{
    public static bool TryParse(IEnumerable<string> raw, out Dictionary<string, string> values, out string? error)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        error = null;
        foreach (var item in raw)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = $"-o expects KEY=VALUE, got '{item}'";
                return false;
            }

            values[item[..equals]] = item[(equals + 1)..];
        }

        return true;
    }
}

/// <summary>The data dir: created if missing, proven writable, and held by one scheduler at a time.</summary>
public static class DataDir
{
    /// <summary>
    /// Takes the data dir's lock file (an exclusive lock the kernel drops when the process dies, even by kill -9).
    /// Returns the held lock, or null with a one-line reason when another process holds it.
    /// </summary>
    public static FileStream? Lock(string path, out string? error)
    {
        var lockPath = Path.Combine(path, "lock");
        FileStream? held = null;
        try
        {
            held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

            // The owner's pid sits beside the lock (the locked file itself cannot be read by others).
            File.WriteAllText(lockPath + ".pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            error = null;
            return held;
        }
        catch (UnauthorizedAccessException e)
        {
            // Its lock (or the owner's pid beside it) is another user's: a run of that user left it.
            held?.Dispose();
            error = $"data dir '{path}' is another user's: {e.Message} Run as the user that owns it, or give this one write access to it";
            return null;
        }
        catch (IOException)
        {
            held?.Dispose();
            var owner = File.Exists(lockPath + ".pid") ? File.ReadAllText(lockPath + ".pid").Trim() : "?";
            error = $"data dir '{path}' is in use by another actorscheduler (pid {owner})";
            return null;
        }
    }

    /// <returns>A one-line error, or null when the directory is usable.</returns>
    public static string? Prepare(string path) => ActorScheduler.Mesos.DataDirectory.Prepare(path);
}
