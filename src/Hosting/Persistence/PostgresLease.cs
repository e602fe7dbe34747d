using System.Diagnostics;
using System.Globalization;
using Akka;
using Akka.Actor;
using Akka.Coordination;
using Akka.Event;
using Npgsql;

namespace ActorScheduler.Hosting.Persistence;

/// <summary>
/// A lease in the journal's own PostgreSQL database, the second guard (after the split-brain resolver) that keeps two
/// scheduler nodes from running the scheduler at once: the clustered scheduler's singleton starts only once its node
/// holds this lease, and stops when the node loses it (Akka's singleton <c>use-lease</c>,
/// <see cref="SchedulerCluster.Hocon"/>). A node on the wrong side of a partition, or one paused past the failure
/// detector (a long GC, a frozen VM), cannot renew the row while the other side's node waits for it to expire, so
/// whichever side runs the scheduler, only one does.
/// <para>
/// One row per lease name in the table <see cref="Table"/> (created by <see cref="PostgresJournal.Prepare"/> with the
/// journal's tables): its owner (the node's <c>system@host:port</c>, as Akka's singleton names it, and <c>#</c> and
/// eight hex digits that tell this process from another given the same address) and its expiry by the
/// <em>server's</em> clock (<c>now() + ttl</c>), so the nodes' clocks do not matter. One atomic statement takes it: an
/// insert, or an update only when the row is expired or already this owner's. The holder renews it every heartbeat
/// interval, and counts it as lost (the lease-lost callback stops the singleton) when a renewal is refused, or when none
/// is confirmed before its own conservative deadline, measured on a monotonic clock from before the renewal was sent
/// (<see cref="LeaseTerm"/> holds those decisions). Released on a graceful stop; a crashed holder's row expires after the TTL.
/// </para>
/// Created by Akka's <see cref="LeaseProvider"/> from the configuration at <see cref="ConfigPath"/>.
/// </summary>
public sealed class PostgresLease : Lease
{
    /// <summary>The table of the leases, one row per lease name.</summary>
    public const string Table = "scheduler_lease";

    /// <summary>Where the lease's configuration lives (Akka's singleton <c>use-lease</c> names it).</summary>
    public const string ConfigPath = "actor-scheduler.cluster.lease";

    /// <summary>
    /// The table of the leases, as <see cref="PostgresJournal.Prepare"/> creates it where it does not exist. The unique
    /// index on <c>(name, owner)</c> adds no constraint (the name is the key) but makes <c>owner</c> a key column, so
    /// that taking the row over is a key update, which waits for the journal fence's key-share locks, while a renewal
    /// is not (<see cref="JournalFence"/>).
    /// </summary>
    internal const string Ddl = """
        create table if not exists scheduler_lease (
          name text primary key,
          owner text not null,
          expires_at timestamptz not null
        );
        create unique index if not exists scheduler_lease_owner_key on scheduler_lease (name, owner);
        """;

    // Taken when free, expired or already ours, in one statement; the scalar sub-selects read the row as it was before
    // (the statement's snapshot), which is the holder that refused it, for the log.
    private const string TakeSql = """
        with taken as (
          insert into scheduler_lease as l (name, owner, expires_at) values (@name, @owner, now() + @ttl)
          on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at
            where l.owner = excluded.owner or l.expires_at <= now()
          returning 1)
        select exists (select 1 from taken),
               (select owner from scheduler_lease where name = @name),
               (select greatest(expires_at - now(), interval '0') from scheduler_lease where name = @name)
        """;

    // Only a live row of ours is renewed: an expired one may have been taken, or be about to be.
    private const string RenewSql = "update scheduler_lease set expires_at = now() + @ttl where name = @name and owner = @owner and expires_at > now()";

    private const string ReleaseSql = "delete from scheduler_lease where name = @name and owner = @owner";

    private readonly string _connectionString;
    private readonly string _owner;
    private readonly TimeSpan _timeToLive;
    private readonly Func<TimeSpan> _clock;
    private readonly ILoggingAdapter _log;
    private readonly SchedulerLeaseFailures _failures;
    private readonly LeaseTerm _term;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private Action<Exception>? _lost;
    private CancellationTokenSource? _heartbeat;
    private int _generation;
    private bool _holding;
    private string? _lastHolderLogged;

    /// <summary>The lease as Akka's <see cref="LeaseProvider"/> creates it, on the monotonic clock of <see cref="Stopwatch"/>.</summary>
    public PostgresLease(LeaseSettings settings, ExtendedActorSystem system)
        : this(settings, system, MonotonicClock)
    {
    }

    /// <summary>The lease on <paramref name="clock"/>, a monotonic clock (tests give their own).</summary>
    internal PostgresLease(LeaseSettings settings, ActorSystem system, Func<TimeSpan> clock)
        : base(settings)
    {
        var given = settings.LeaseConfig.GetString("connection-string", null);
        if (string.IsNullOrWhiteSpace(given))
        {
            throw new ArgumentException($"{ConfigPath}.connection-string is empty: the lease lives in the journal's PostgreSQL database (ActorSchedulerOptions.JournalConnection)", nameof(settings));
        }

        var owner = settings.LeaseConfig.GetString("owner", null);
        if (string.IsNullOrWhiteSpace(owner))
        {
            throw new ArgumentException($"{ConfigPath}.owner is empty: the node's incarnation (NewOwner), which its journal's fence checks too", nameof(settings));
        }

        _timeToLive = settings.TimeoutSettings.HeartbeatTimeout;
        _term = new LeaseTerm(_timeToLive, settings.TimeoutSettings.HeartbeatInterval);
        var seconds = (int)Math.Max(1, Math.Ceiling(settings.TimeoutSettings.OperationTimeout.TotalSeconds));
        // A connection of its own for each statement: a pooled one the server's restart broke would fail a renewal, or a
        // take whose failure stops run, though the server answers again.
        _connectionString = new NpgsqlConnectionStringBuilder(given) { Timeout = seconds, CommandTimeout = seconds, Pooling = false }.ConnectionString;
        _failures = SchedulerLeaseFailures.Get(system);
        _clock = clock;
        // Made once for the node's actor system (NewOwner), before its journal's connections, which carry it for the fence.
        _owner = owner;
        _log = Logging.GetLogger(system, typeof(PostgresLease));

        // A graceful stop releases the row (the singleton does too, as it leaves its oldest state; this covers a stop
        // that does not get there). A system that terminates without (a crash as the tests make one) renews no more,
        // and its row expires after the TTL, as a killed process's does.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "release-scheduler-lease", async () =>
        {
            bool held;
            lock (_gate)
            {
                held = _holding;
            }

            if (held)
            {
                // False when the server does not answer: said by Release, and the row expires after the TTL.
                await Release().ConfigureAwait(false);
            }

            return Done.Instance;
        });
        system.WhenTerminated.ContinueWith(_ => StopHeartbeat(), TaskScheduler.Default);
    }

    /// <summary>The owner this lease writes in its row: the node's address and <c>#</c> and this incarnation's eight hex digits.</summary>
    internal string Owner => _owner;

    /// <summary>
    /// A new incarnation of the node at <paramref name="address"/> (<c>system@host:port</c>, as Akka names a node): the
    /// address, <c>#</c> and eight random hex digits. Two processes that were given the same address (two machines left
    /// at the default <c>--cluster-hostname</c>, say) must never both count as the holder, and a node restarted after a
    /// crash waits out the TTL of its predecessor's row as any other node would. Made once per actor system, where both
    /// its users get it: the lease (<see cref="ConnectionHocon"/>) and the journal's connections, whose writes the fence
    /// checks against the row of this very owner (<see cref="JournalFence.Fenced"/>).
    /// </summary>
    internal static string NewOwner(string address) => $"{address}#{Guid.NewGuid():N}"[..(address.Length + 9)];

    private static TimeSpan MonotonicClock() => Stopwatch.GetElapsedTime(0);

    /// <summary>
    /// How often the holder renews a lease of <paramref name="timeToLive"/>: a quarter of it (in whole milliseconds). The
    /// holder then counts the lease as lost three quarters of the TTL after the last renewal it sent that the server
    /// confirmed, so two renewals in a row may fail (a server restart, a blip) before the scheduler stops; and the last
    /// quarter is the margin for its singleton to stop before another node may take the expired row.
    /// </summary>
    public static TimeSpan HeartbeatInterval(TimeSpan timeToLive) =>
        TimeSpan.FromMilliseconds(Math.Max(1, Math.Floor(timeToLive.TotalMilliseconds / 4)));

    /// <inheritdoc />
    public override Task<bool> Acquire() => Acquire(null!);

    /// <inheritdoc />
    public override async Task<bool> Acquire(Action<Exception> leaseLostCallback)
    {
        var sentAt = _clock();
        bool taken;
        string? holder;
        TimeSpan? remaining;
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = Command(connection, TakeSql, withTtl: true);
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            await reader.ReadAsync().ConfigureAwait(false);
            taken = reader.GetBoolean(0);
            holder = reader.IsDBNull(1) ? null : reader.GetString(1);
            remaining = reader.IsDBNull(2) ? null : reader.GetTimeSpan(2);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            var why = $"Cannot take the scheduler lease [{Settings.LeaseName}] for [{_owner}] in {PostgresJournal.Describe(_connectionString)}: {Cli.CommandGuard.OneLine(e.Message)}; the scheduler does not start on this node until it can";
            _log.Warning(why);
            if (ActorScheduler.Actors.JournalFailures.IsServerUnreachable(e))
            {
                _failures.ServerUnreachable($"the scheduler lease could not be taken ({Cli.CommandGuard.OneLine(e.Message)})");
            }

            throw new LeaseException(why, e);
        }

        if (!taken)
        {
            var message = "The scheduler lease [{0}] is held by [{1}] for {2} more (server time): the scheduler waits on this node [{3}] until that node stops renewing it";
            var left = remaining is { } r ? Cli.DurationText.Format(TimeSpan.FromMilliseconds(Math.Ceiling(r.TotalMilliseconds))) : "?";
            lock (_gate)
            {
                // A warning the first time for each holder: only the node that should run the scheduler asks, so one that
                // is refused is on the other side of a partition, or waits for a crashed holder's row to expire.
                if (_lastHolderLogged != holder)
                {
                    _lastHolderLogged = holder;
                    _log.Warning(message, Settings.LeaseName, holder, left, _owner);
                }
                else
                {
                    _log.Debug(message, Settings.LeaseName, holder, left, _owner);
                }
            }

            return false;
        }

        CancellationTokenSource? heartbeat = null;
        lock (_gate)
        {
            _term.Taken(sentAt);
            _lost = leaseLostCallback;
            _lastHolderLogged = null;
            if (!_holding)
            {
                _holding = true;
                _generation++;
                _heartbeat?.Cancel();
                _heartbeat = heartbeat = new CancellationTokenSource();
            }
        }

        if (heartbeat is not null)
        {
            _log.Info("Took the scheduler lease [{0}] for [{1}] ({2}, renewed every {3}); the scheduler may start on this node",
                Settings.LeaseName, _owner, Cli.DurationText.Format(_timeToLive), Cli.DurationText.Format(Settings.TimeoutSettings.HeartbeatInterval));
            _ = HeartbeatAsync(_generation, heartbeat.Token);
        }

        return true;
    }

    /// <summary>
    /// Stops renewing and deletes the row where it is still this owner's. False, with a warning, when the server cannot
    /// be reached: another node then takes the lease once its TTL has passed (Akka's singleton logs that too).
    /// </summary>
    public override async Task<bool> Release()
    {
        lock (_gate)
        {
            _holding = false;
            _generation++;
            _term.Released();
        }

        StopHeartbeat();
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = Command(connection, ReleaseSql, withTtl: false);
            var deleted = await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            if (deleted > 0)
            {
                _log.Info("Released the scheduler lease [{0}] held by [{1}]", Settings.LeaseName, _owner);
            }

            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            _log.Warning("Cannot release the scheduler lease [{0}] of [{1}]: {2}; another node can take it once its TTL ({3}) has passed",
                Settings.LeaseName, _owner, Cli.CommandGuard.OneLine(e.Message), Cli.DurationText.Format(_timeToLive));
            return false;
        }
    }

    /// <inheritdoc />
    public override bool CheckLease()
    {
        lock (_gate)
        {
            return _holding && _term.IsHeld(_clock());
        }
    }

    private void StopHeartbeat()
    {
        CancellationTokenSource? heartbeat;
        lock (_gate)
        {
            heartbeat = _heartbeat;
            _heartbeat = null;
        }

        heartbeat?.Cancel();
    }

    /// <summary>
    /// Renews every heartbeat while the lease of <paramref name="generation"/> is held, and loses it at its deadline; the
    /// renewals run beside it, so that one the server does not answer does not hold the deadline back.
    /// </summary>
    private async Task HeartbeatAsync(int generation, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            LeaseTerm.Step step;
            TimeSpan now;
            TimeSpan? wake;
            lock (_gate)
            {
                if (generation != _generation)
                {
                    return;
                }

                now = _clock();
                step = _term.Next(now);
                if (step == LeaseTerm.Step.Renew)
                {
                    _term.RenewalSent(now);
                }

                wake = _term.NextWake();
            }

            switch (step)
            {
                case LeaseTerm.Step.Idle:
                    return;
                case LeaseTerm.Step.Lost:
                    Lose(generation, $"no renewal was confirmed within {Cli.DurationText.Format(_timeToLive - Settings.TimeoutSettings.HeartbeatInterval)} of being sent (the server unreachable or too slow)");
                    return;
                case LeaseTerm.Step.Renew:
                    _ = RenewAsync(generation, now, stop);
                    break;
            }

            var delay = (wake ?? now) - _clock();
            try
            {
                await _wake.WaitAsync(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RenewAsync(int generation, TimeSpan sentAt, CancellationToken stop)
    {
        string? lost = null;
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync(stop).ConfigureAwait(false);
            await using var command = Command(connection, RenewSql, withTtl: true);
            var renewed = await command.ExecuteNonQueryAsync(stop).ConfigureAwait(false) > 0;
            lock (_gate)
            {
                if (generation != _generation)
                {
                    return;
                }

                if (!renewed)
                {
                    _term.Refused();
                    lost = "the server refused its renewal: the row expired or another node took it";
                }
                else if (!_term.RenewalConfirmed(sentAt, _clock()))
                {
                    lost = "its renewal was confirmed only after the holder's deadline";
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            TimeSpan? left;
            lock (_gate)
            {
                if (generation != _generation)
                {
                    return;
                }

                _term.RenewalFailed();
                left = _term.Deadline - _clock();
            }

            _log.Warning("Cannot renew the scheduler lease [{0}] of [{1}]: {2}; retried every {3}, the scheduler stops on this node in {4} unless a renewal succeeds",
                Settings.LeaseName, _owner, Cli.CommandGuard.OneLine(e.Message), Cli.DurationText.Format(Settings.TimeoutSettings.HeartbeatInterval),
                left is { } l && l > TimeSpan.Zero ? Cli.DurationText.Format(TimeSpan.FromMilliseconds(Math.Ceiling(l.TotalMilliseconds))) : "0ms");
        }

        if (lost is not null)
        {
            Lose(generation, lost);
        }

        _wake.Release();
    }

    /// <summary>The lease of <paramref name="generation"/> is lost: said once, and the lease-lost callback told (the singleton stops).</summary>
    private void Lose(int generation, string why)
    {
        Action<Exception>? callback;
        lock (_gate)
        {
            if (generation != _generation || !_holding)
            {
                return;
            }

            _holding = false;
            _generation++;
            _term.Released();
            callback = _lost;
        }

        StopHeartbeat();
        var message = $"Lost the scheduler lease [{Settings.LeaseName}] of [{_owner}]: {why}; the scheduler stops on this node, and starts here again only once it takes the lease again";
        _log.Warning(message);
        callback?.Invoke(new LeaseException(message));
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql, bool withTtl)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("name", Settings.LeaseName);
        command.Parameters.AddWithValue("owner", _owner);
        if (withTtl)
        {
            command.Parameters.AddWithValue("ttl", _timeToLive);
        }

        return command;
    }

    /// <summary>
    /// The lease's configuration for <paramref name="connectionString"/> (the journal's) and <paramref name="owner"/>
    /// (<see cref="NewOwner"/>): quoted for HOCON, under <see cref="ConfigPath"/>; the rest of it is
    /// <see cref="SchedulerCluster.Hocon"/>'s.
    /// </summary>
    internal static string ConnectionHocon(string connectionString, string owner) =>
        string.Create(CultureInfo.InvariantCulture, $"{ConfigPath}.connection-string = {Quoted(connectionString)}\n{ConfigPath}.owner = {Quoted(owner)}");

    private static string Quoted(string text) =>
        $"\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}

/// <summary>
/// The scheduler lease as Akka.Hosting names a singleton's lease (<c>ClusterSingletonOptions.LeaseImplementation</c>):
/// <see cref="PostgresLease"/> at <see cref="PostgresLease.ConfigPath"/>, whose settings <see cref="SchedulerCluster.Hocon"/>
/// and <see cref="PostgresLease.ConnectionHocon"/> write (they depend on the cluster's options, which this does not hold).
/// </summary>
internal sealed class SchedulerLeaseOption : Akka.Hosting.Coordination.LeaseOptionBase
{
    public static SchedulerLeaseOption Instance { get; } = new();

    public override string ConfigPath => PostgresLease.ConfigPath;

    public override Type Class => typeof(PostgresLease);

    public override void Apply(Akka.Hosting.AkkaConfigurationBuilder builder, Akka.Actor.Setup.Setup? setup = null)
    {
    }
}
