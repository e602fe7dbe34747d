using System.Globalization;
using System.Net.Sockets;
using Akka.Hosting;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Hosting;
using Npgsql;

namespace ActorScheduler.Hosting.Persistence;

/// <summary>
/// The journal on a PostgreSQL database (remote and HA modes): journal, snapshot store and query journal in the tables
/// <c>journal</c> and <c>snapshot</c> of the connection's current schema, tags stored as CSV in the journal row (the
/// tag table makes every query crawl). The tables are created by <see cref="Prepare"/>, not by the plugin: a row of the
/// <c>&lt;service&gt;/entities</c> stream carries the tags of every event it holds, far beyond the 100 characters the
/// plugin declares for its <c>tags</c> column, so the column must be unbounded whatever a linq2db version makes of that
/// declaration; <see cref="Check"/> refuses a journal table whose <c>tags</c> column is bounded.
/// </summary>
public static class PostgresJournal
{
    /// <summary>The linq2db provider: a fixed version spares the plugin detecting it on every connection (15 serves newer servers too).</summary>
    public const string ProviderName = LinqToDB.ProviderName.PostgreSQL15;

    /// <summary>How long <see cref="Check"/> waits for the server to answer a connection before it calls it unreachable.</summary>
    internal const int CheckTimeoutSeconds = 5;

    /// <summary>
    /// The connection string of <paramref name="text"/>: Npgsql's keywords (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>)
    /// or a URL <c>postgres://user:password@host:port/database?keyword=value</c> (<c>postgresql://</c> too; user, password
    /// and port optional, percent-encoding decoded). Null with a one-line reason in <paramref name="error"/>, starting with
    /// <paramref name="setting"/>, when it is neither, or names no host or no database.
    /// </summary>
    public static string? Parse(string text, string setting, out string? error)
    {
        error = null;
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = text.Contains("://", StringComparison.Ordinal) ? FromUrl(text) : new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            // Npgsql says an unknown keyword as "Couldn't set hots (Parameter 'hots')".
            var why = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            error = $"{setting} is no PostgreSQL connection string ({Cli.CommandGuard.OneLine(why)}): give Host=…;Port=…;Username=…;Password=…;Database=… or postgres://user:password@host:port/database";
            return null;
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            error = $"{setting} names no host: give Host=… (or postgres://user:password@host:port/database)";
            return null;
        }

        if (string.IsNullOrWhiteSpace(builder.Database))
        {
            error = $"{setting} names no database: give Database=… (or postgres://user:password@host:port/database); the journal's tables are created in it";
            return null;
        }

        return builder.ConnectionString;
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string text)
    {
        var url = new Uri(text, UriKind.Absolute);
        if (url.Scheme is not ("postgres" or "postgresql"))
        {
            throw new FormatException($"a URL of scheme '{url.Scheme}', not postgres:// or postgresql://");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = url.Host };
        if (!url.IsDefaultPort && url.Port > 0)
        {
            builder.Port = url.Port;
        }

        if (url.UserInfo.Length > 0)
        {
            var colon = url.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"the query parameter '{pair}' has no value");
            }

            builder[Uri.UnescapeDataString(pair[..equals])] = Uri.UnescapeDataString(pair[(equals + 1)..]);
        }

        return builder;
    }

    /// <summary>The journal as messages name it: <c>postgres://user@host:port/database</c>, never the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgres://{(string.IsNullOrEmpty(builder.Username) ? "" : builder.Username + "@")}{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database}";
    }

    /// <summary>The journal's server as messages name it: <c>host:port</c>.</summary>
    public static string Server(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// Whether the journal's database can be used: the server answers, lets the user in, has the database, and its
    /// tables, where they exist, have our layout. A one-line reason with what to do when not (<paramref name="setting"/>
    /// names the setting to fix), null when it can. Creates nothing.
    /// </summary>
    public static string? Check(string connectionString, string setting)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = CheckTimeoutSeconds, Pooling = false };
        var server = Server(connectionString);
        try
        {
            using var connection = new NpgsqlConnection(builder.ConnectionString);
            connection.Open();
            return CheckLayout(connection, Describe(connectionString), setting);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            return $"journal server {server} refused user '{builder.Username}': {e.MessageText}; fix Username and Password in {setting} (or the server's pg_hba.conf)";
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return $"journal database '{builder.Database}' does not exist on {server}: create it (CREATE DATABASE \"{builder.Database}\"; the scheduler creates its tables in it), or fix Database in {setting}";
        }
        catch (PostgresException e)
        {
            return $"journal {Describe(connectionString)}: {e.MessageText} (SQLSTATE {e.SqlState})";
        }
        catch (NpgsqlException e) when (e.InnerException is SocketException or TimeoutException or IOException || e is NpgsqlException { IsTransient: true })
        {
            return $"journal server {server} is unreachable ({Cli.CommandGuard.OneLine((e.InnerException ?? e).Message)}): start PostgreSQL there, or fix Host and Port in {setting}";
        }
        catch (NpgsqlException e)
        {
            return $"journal {Describe(connectionString)}: {Cli.CommandGuard.OneLine(e.Message)}";
        }
        catch (SocketException e)
        {
            // A host name that does not resolve.
            return $"journal server {server} is unreachable ({e.Message}): start PostgreSQL there, or fix Host and Port in {setting}";
        }
    }

    /// <summary>
    /// The columns the journal plugin reads and writes, by table, as <see cref="Prepare"/> creates them. Columns beyond
    /// those are left alone.
    /// </summary>
    private static readonly (string Table, string[] Columns)[] Layout =
    [
        ("journal", ["ordering", "created", "deleted", "persistence_id", "sequence_number", "message", "tags", "manifest", "identifier", "writer_uuid"]),
        ("snapshot", ["persistence_id", "sequence_number", "created", "snapshot", "manifest", "serializer_id"]),
    ];

    /// <summary>
    /// Whether the tables the plugin uses, where they exist in the current schema, have its columns and an unbounded
    /// <c>tags</c>: a table of another layout fails the plugin's start over and over, and a bounded <c>tags</c> refuses
    /// the first write of the entity stream that touches more than a few pods, stopping the scheduler mid-deploy.
    /// </summary>
    private static string? CheckLayout(NpgsqlConnection connection, string journal, string setting)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            select table_name, column_name, character_maximum_length from information_schema.columns
            where table_schema = current_schema() and table_name in ('journal', 'snapshot')
            """;
        var found = new Dictionary<string, Dictionary<string, int?>>(StringComparer.Ordinal);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var table = reader.GetString(0);
                if (!found.TryGetValue(table, out var columns))
                {
                    found[table] = columns = new Dictionary<string, int?>(StringComparer.Ordinal);
                }

                columns[reader.GetString(1)] = reader.IsDBNull(2) ? null : reader.GetInt32(2);
            }
        }

        foreach (var (table, columns) in Layout)
        {
            if (!found.TryGetValue(table, out var present))
            {
                continue;
            }

            var missing = columns.Where(c => !present.ContainsKey(c)).ToList();
            if (missing.Count > 0)
            {
                return $"journal {journal} has a table '{table}' without the column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}: "
                       + "it is not an actorscheduler journal (another program's tables, or a layout this version does not know); "
                       + $"give {setting} a database of its own (or a user whose search_path names an empty schema)";
            }
        }

        if (found.TryGetValue("journal", out var journalColumns) && journalColumns["tags"] is { } length)
        {
            return $"journal {journal} has a table 'journal' whose tags column holds at most {length.ToString(CultureInfo.InvariantCulture)} characters: "
                   + "a row of the entity stream carries the tags of all its events, far more; make it unbounded (ALTER TABLE journal ALTER COLUMN tags TYPE text), "
                   + $"or give {setting} a database of its own";
        }

        return null;
    }

    /// <summary>
    /// Whether the database holds the streams of another service than <paramref name="service"/> (a journal database
    /// serves one service, as a data dir does): a one-line reason naming that service, null when it holds only this
    /// service's streams or none. Two lookups through the index on the persistence id, whatever the journal's size.
    /// </summary>
    public static string? CheckService(string connectionString, string service)
    {
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "select to_regclass('journal') is not null";
            if (command.ExecuteScalar() is not true)
            {
                return null;
            }

            // The ids before "<service>/" and from "<service>0" on ('0' follows '/'), compared byte by byte: the tables
            // Prepare creates hold the ids under that collation, so the unique index answers both lookups.
            command.CommandText = """
                (select persistence_id from journal where persistence_id collate "C" < @from order by persistence_id collate "C" desc limit 1)
                union all
                (select persistence_id from journal where persistence_id collate "C" >= @to order by persistence_id collate "C" limit 1)
                """;
            command.Parameters.AddWithValue("from", service + "/");
            command.Parameters.AddWithValue("to", service + "0");
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                var other = reader.GetString(0);
                var slash = other.IndexOf('/', StringComparison.Ordinal);
                return $"journal {Describe(connectionString)} holds the service '{(slash < 0 ? other : other[..slash])}', not '{service}': a journal database serves one service; "
                       + "give this one a database of its own (or run the spec of that service on it)";
            }

            return null;
        }
        catch (NpgsqlException e)
        {
            return $"journal {Describe(connectionString)}: {Cli.CommandGuard.OneLine(e.Message)}";
        }
    }

    /// <summary>
    /// The tables of the journal and the snapshot store, as the plugin reads and writes them, but for an unbounded
    /// <c>tags</c> (<c>text</c>) and persistence ids ordered byte by byte (<see cref="CheckService"/> reads a range of
    /// them through the index). The identity column gives the journal's global order (the query journal's offsets).
    /// </summary>
    internal const string Ddl = """
        create table if not exists journal (
          ordering bigint generated always as identity primary key,
          created bigint not null,
          deleted boolean not null,
          persistence_id text collate "C" not null,
          sequence_number bigint not null,
          message bytea not null,
          tags text,
          manifest text,
          identifier integer,
          writer_uuid text,
          constraint journal_uq unique (persistence_id, sequence_number)
        );
        create table if not exists snapshot (
          persistence_id text not null,
          sequence_number bigint not null,
          created bigint not null,
          snapshot bytea,
          manifest text,
          serializer_id integer,
          primary key (persistence_id, sequence_number)
        );
        create index if not exists snapshot_created_idx on snapshot (created);
        """;

    /// <summary>
    /// Creates the tables where they do not exist yet, under a transaction-scoped advisory lock, so that scheduler nodes
    /// starting together on one database do not race each other's <c>create table</c>; the clustered scheduler's lease
    /// table (<see cref="PostgresLease.Ddl"/>) among them, and the fence that checks a clustered node's journal writes
    /// against that lease (<see cref="JournalFence"/>; inert on connections that name no lease owner, such as a single
    /// node's).
    /// </summary>
    /// <exception cref="PostgresJournalException">The server refused (the user may not create tables, say); the reason on one line.</exception>
    public static void Prepare(string connectionString)
    {
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // A key of our own ("actorsch" in ASCII), not shared with other programs' advisory locks by chance.
            command.CommandText = "select pg_advisory_xact_lock(7017280444149917544);" + Ddl + PostgresLease.Ddl + JournalFence.Ddl;
            command.ExecuteNonQuery();
            transaction.Commit();
        }
        catch (NpgsqlException e)
        {
            throw new PostgresJournalException($"journal {Describe(connectionString)}: cannot create its tables: {Cli.CommandGuard.OneLine(e is PostgresException p ? p.MessageText : e.Message)}", e);
        }
    }

    /// <summary>
    /// The plugin's writers with transactions of up to 1,000 rows sent as one multi-row insert with parameters, instead of
    /// 100: the entity journal's group writes then need up to ten times fewer round trips, and Npgsql allocated a quarter less
    /// per placement in the storm (BENCHMARKS, "On the PostgreSQL journal"). Its three concurrent writers stay: unlike
    /// SQLite (<see cref="SqliteJournal.WriterHocon"/>), PostgreSQL commits them side by side. 1,000 rows of the journal's
    /// columns stay far below PostgreSQL's 65,535 parameters a statement.
    /// </summary>
    public const string WriterHocon = """
        akka.persistence.journal.sql {
          batch-size = 1000
          db-round-trip-max-batch-size = 1000
          prefer-parameters-on-multirow-insert = true
        }
        """;

    /// <summary>
    /// How long the driver waits for a command's answer where the connection string sets no <c>Command Timeout</c>
    /// (Npgsql's own default is 30 s). The journal's commands answer in milliseconds: a transaction of 1,000 rows
    /// commits in 30–50 ms on the 2-core build box (BENCHMARKS, <c>raw_pg_inserts_per_s</c>), a whole offer cycle of a
    /// 10,000-pod deploy in at most 0.8 s (p99), and a restart replays 10,000 pods in under 2 s. 10 s is some 200 times
    /// a full batch and 13 times the slowest cycle measured, so a server slowed by a deploy, a checkpoint or a vacuum
    /// is still waited for; and it is what Akka's journal gave a write before (its circuit breaker's 10 s).
    /// </summary>
    public const int DefaultCommandTimeoutSeconds = 10;

    /// <summary>
    /// How long the driver waits for a new connection (TCP, TLS, authentication) where the connection string sets no
    /// <c>Timeout</c> (Npgsql's own default is 15 s): as long as <c>run</c>'s start-up check waits
    /// (<see cref="CheckTimeoutSeconds"/>). A server on a network that answers at all lets a client in far sooner.
    /// </summary>
    public const int DefaultConnectTimeoutSeconds = CheckTimeoutSeconds;

    /// <summary>
    /// <paramref name="connectionString"/> with the driver's waits bounded where it does not bound them itself: a
    /// <c>Command Timeout</c> of <see cref="DefaultCommandTimeoutSeconds"/> and a connect <c>Timeout</c> of
    /// <see cref="DefaultConnectTimeoutSeconds"/>. The operator's own values, aliases included, win (0 among them, which
    /// Npgsql takes for no bound at all). Without a bound a server that stops answering while its connections stay open
    /// (a network partition, a frozen host) would hold a write for as long as TCP keeps the connection, minutes to hours.
    /// TCP keepalive is left as it is: it bounds nothing the command timeout does not (a frozen server's kernel answers
    /// its probes), and the pool's idle connections a partition broke fail their next command within the same bound.
    /// </summary>
    public static string Bounded(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // The canonical keywords of what the string sets (Npgsql writes only those, whatever alias was given).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = builder.ConnectionString };
        if (!given.ContainsKey("Timeout"))
        {
            builder.Timeout = DefaultConnectTimeoutSeconds;
        }

        if (!given.ContainsKey("Command Timeout"))
        {
            builder.CommandTimeout = DefaultCommandTimeoutSeconds;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// How long a journal call may take before Akka gives it up, given the driver's timeouts in
    /// <paramref name="connectionString"/>: the longest the driver takes to fail a call to a server that stopped
    /// answering. That is a new connection (<c>Timeout</c>), then a command (<c>Command Timeout</c>), then the
    /// cancellation of the command that timed out: Npgsql sends its cancel request on a connection of its own, which
    /// against a frozen server fails only after twice <c>Timeout</c> (its SSL request goes unanswered, and Npgsql tries
    /// once more without GSS encryption), or, a server that takes the request, waits <c>Cancellation Timeout</c> (rounded
    /// up to a second) for the command's end. Measured through a frozen proxy: a command with <c>Command Timeout=1</c>
    /// failed after 3 s with <c>Timeout=1</c>, 7 s with 3 and 11 s with 5, whatever its <c>Cancellation Timeout</c>.
    /// Akka's own limits (a journal call's circuit breaker, 10 s; a snapshot store call's, 20 s; the wait for each
    /// replayed event, 30 s) must not come first: their failure is a bare timeout that says nothing of a server, so a
    /// write it ended restarts the scheduler instead of stopping it, and in a replay a frozen server is taken for a journal
    /// that cannot be replayed (exit 1, "restore a backup"), while the driver's error says the connection failed
    /// (<c>JournalFailures.IsServerUnreachable</c>). The plugin's multi-row writes are commands like the others (linq2db
    /// leaves their timeout to the driver), so this holds for them too. Null when one of the three is 0 (no bound):
    /// Akka's limits are then left as they are.
    /// </summary>
    public static TimeSpan? JournalCallTimeout(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Timeout == 0 || builder.CommandTimeout == 0 || builder.CancellationTimeout == 0)
        {
            return null;
        }

        var cancellation = Math.Max(0, (builder.CancellationTimeout + 999) / 1000);
        return TimeSpan.FromSeconds(builder.Timeout + builder.CommandTimeout + 2 * builder.Timeout + cancellation);
    }

    /// <summary>
    /// The HOCON that gives the journal's and the snapshot store's calls and the replay's wait for each event
    /// <see cref="JournalCallTimeout"/>; empty when that is null.
    /// </summary>
    public static string TimeoutHocon(string connectionString)
    {
        if (JournalCallTimeout(connectionString) is not { } timeout)
        {
            return "";
        }

        var seconds = $"{((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s";
        return $$"""
            akka.persistence.journal.sql {
              circuit-breaker.call-timeout = {{seconds}}
              recovery-event-timeout = {{seconds}}
            }
            akka.persistence.snapshot-store.sql.circuit-breaker.call-timeout = {{seconds}}
            """;
    }

    /// <summary>
    /// Journal, snapshot store and query journal on the PostgreSQL database of <paramref name="connectionString"/> (see
    /// <see cref="Parse"/>), its tables created first (<see cref="Prepare"/>), the driver's waits bounded
    /// (<see cref="Bounded"/>) and Akka's journal timeouts set beyond them (<see cref="TimeoutHocon"/>), so that a
    /// server that stops answering stops the scheduler as a lost one does, within a bound its timeouts give. With
    /// <paramref name="leaseOwner"/> (a clustered node's incarnation, <see cref="PostgresLease.NewOwner"/>) the journal's
    /// and the snapshot store's writes are fenced by that owner's scheduler lease (<see cref="JournalFence"/>): the
    /// server refuses them while the lease's row is not that owner's, or expired.
    /// </summary>
    /// <exception cref="PostgresJournalException">The tables cannot be created.</exception>
    public static AkkaConfigurationBuilder WithPostgresJournal(this AkkaConfigurationBuilder builder, string connectionString) =>
        WithPostgresJournal(builder, connectionString, leaseOwner: null);

    /// <inheritdoc cref="WithPostgresJournal(AkkaConfigurationBuilder, string)"/>
    internal static AkkaConfigurationBuilder WithPostgresJournal(this AkkaConfigurationBuilder builder, string connectionString, string? leaseOwner)
    {
        connectionString = Bounded(connectionString);
        Prepare(connectionString);
        if (leaseOwner is not null)
        {
            connectionString = JournalFence.Fenced(connectionString, leaseOwner);
        }

        builder = builder.AddHocon(WriterHocon, HoconAddMode.Prepend);
        if (TimeoutHocon(connectionString) is { Length: > 0 } timeouts)
        {
            builder = builder.AddHocon(timeouts, HoconAddMode.Prepend);
        }

        return builder.WithSqlPersistence(
            connectionString: connectionString,
            providerName: ProviderName,
            autoInitialize: false,
            tagStorageMode: TagMode.Csv);
    }
}

/// <summary>The PostgreSQL journal cannot be used; the message says why on one line.</summary>
public sealed class PostgresJournalException(string message, Exception? inner = null) : Exception(message, inner);
