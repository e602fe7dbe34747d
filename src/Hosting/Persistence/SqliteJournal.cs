using Akka.Hosting;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Hosting;
using Microsoft.Data.Sqlite;

namespace ActorScheduler.Hosting.Persistence;

/// <summary>
/// The embedded journal: one SQLite file, in WAL mode (6× the throughput of the rollback journal with many
/// writers), tags stored as CSV in the journal row (the tag table makes every query crawl).
/// </summary>
public static class SqliteJournal
{
    public static string ConnectionString(string databasePath) =>
        new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();

    /// <summary>Creates the database file if needed and switches it to WAL (the mode is stored in the file).</summary>
    public static void Prepare(string databasePath)
    {
        using var connection = new SqliteConnection(ConnectionString(databasePath));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteScalar();
    }

    /// <summary>How long <see cref="Check"/> waits for a journal another process has locked before it says so.</summary>
    internal const int CheckBusySeconds = 5;

    /// <summary>
    /// Whether an existing journal file is a readable SQLite database (it opens, and <c>PRAGMA quick_check</c> finds its
    /// pages and indexes sound) whose tables, where they exist, have the plugin's layout: a one-line reason with what to
    /// do when not (also when the path is a directory), null when it is or does not exist yet. A journal another process
    /// holds locked is said as such — it is no damage, and moving it away would lose it.
    /// </summary>
    public static string? Check(string databasePath)
    {
        if (Directory.Exists(databasePath))
        {
            return $"journal {databasePath} is a directory, not a SQLite database file; move it away (the journal is created anew)";
        }

        if (!File.Exists(databasePath))
        {
            return null;
        }

        const string Damaged = "; restore a backup of it, or move it away to start afresh";
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString(databasePath)) { DefaultTimeout = CheckBusySeconds }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check;";
            var problems = new List<string>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    // A row may hold several problems, one a line.
                    problems.AddRange(reader.GetString(0).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                }
            }

            return problems is ["ok"]
                ? CheckLayout(connection, databasePath) ?? CheckWritable(connection, databasePath)
                : $"journal {databasePath} is not a readable SQLite database: {string.Join("; ", problems.Take(3))}{(problems.Count > 3 ? $" (and {problems.Count - 3} more)" : "")}{Damaged}";
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
        {
            // SQLITE_BUSY, SQLITE_LOCKED: for longer than the check waits.
            return $"journal {databasePath} is locked by another process ({e.Message}): stop what holds it (a sqlite3 shell, a backup tool), then run again";
        }
        catch (SqliteException e)
        {
            return $"journal {databasePath} is not a readable SQLite database: {e.Message}{Damaged}";
        }
        finally
        {
            // The pool would keep the file open, and the journal plugin opens it anew.
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>The columns of the journal plugin's <c>journal</c> table (its SQLite layout with CSV tags).</summary>
    internal static IReadOnlyList<string> JournalColumns { get; } =
        ["ordering", "created", "deleted", "persistence_id", "sequence_number", "message", "tags", "manifest", "identifier", "writer_uuid"];

    /// <summary>The columns the journal plugin reads and writes, by table (its SQLite layout with CSV tags).</summary>
    private static readonly (string Table, IReadOnlyList<string> Columns)[] Layout =
    [
        ("journal", JournalColumns),
        ("snapshot", ["persistence_id", "sequence_number", "created", "snapshot", "manifest", "serializer_id"]),
    ];

    /// <summary>
    /// Whether the tables the journal plugin uses, where they exist, have the columns it needs: a table of another layout
    /// (another program's database, a layout this version does not know) fails the plugin's start over and over, the
    /// scheduler restarting without end. A one-line reason, or null when the layout is the plugin's or the tables are
    /// still to be created. Columns beyond those are left alone.
    /// </summary>
    private static string? CheckLayout(SqliteConnection connection, string databasePath)
    {
        using var command = connection.CreateCommand();
        foreach (var (table, columns) in Layout)
        {
            command.CommandText = $"select name from pragma_table_info('{table}')";
            var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    found.Add(reader.GetString(0));
                }
            }

            var missing = found.Count == 0 ? [] : columns.Where(c => !found.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                return $"journal {databasePath} has a table '{table}' without the column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}: "
                       + "it is not an actorscheduler journal (another program's database, or a layout this version does not know); "
                       + "give --data-dir a directory of its own, or move the file away to start afresh";
            }
        }

        return null;
    }

    /// <summary>
    /// Whether this process may write the journal: SQLite opens a file it may not write read-only, the scheduler then
    /// starts and every write fails, restarting it ten times over minutes before it gives up. A write rolled back tells.
    /// </summary>
    private static string? CheckWritable(SqliteConnection connection, string databasePath)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "begin immediate; create table actorscheduler_write_probe (x); rollback;";
        try
        {
            command.ExecuteNonQuery();
            return null;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 8)
        {
            // SQLITE_READONLY.
            return $"journal {databasePath} cannot be written by this user ({e.Message}): give it, its -wal and -shm files and the data dir write access, or run as their owner";
        }
    }

    /// <summary>
    /// Whether the journal holds the streams of another service than <paramref name="service"/> (a data dir serves one
    /// service; its streams are named <c>&lt;service&gt;/…</c>): a one-line reason naming that service when it does, null
    /// when it holds only this service's streams, none, or does not exist yet. Read through the journal's index on the
    /// persistence id: two lookups, whatever the journal's size.
    /// </summary>
    public static string? CheckService(string databasePath, string service)
    {
        if (!File.Exists(databasePath))
        {
            return null;
        }

        try
        {
            using var connection = new SqliteConnection(ConnectionString(databasePath));
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "select count(*) from sqlite_master where type = 'table' and name = 'journal'";
            if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return null;
            }

            // The ids before "<service>/" and from "<service>0" on ('0' follows '/'): those of other services.
            command.CommandText = """
                select persistence_id from (select persistence_id from journal where persistence_id < $from order by persistence_id desc limit 1)
                union all
                select persistence_id from (select persistence_id from journal where persistence_id >= $to order by persistence_id limit 1)
                """;
            command.Parameters.AddWithValue("$from", service + "/");
            command.Parameters.AddWithValue("$to", service + "0");
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            var other = reader.GetString(0);
            var slash = other.IndexOf('/', StringComparison.Ordinal);
            return $"journal {databasePath} holds the service '{(slash < 0 ? other : other[..slash])}', not '{service}': a data dir serves one service; "
                   + "give this one a --data-dir of its own (or run the spec of that service here)";
        }
        catch (SqliteException e)
        {
            return $"journal {databasePath} is not a readable SQLite database: {e.Message}";
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>
    /// SQLite has one writer at a time: the plugin's three concurrent writers only contend for the file lock, and its
    /// 100-row transactions pay one fsync per 100 rows. One writer with transactions of up to 1,000 rows commits the
    /// group writes of the entity journal in far fewer fsyncs.
    /// </summary>
    public const string WriterHocon = """
        akka.persistence.journal.sql {
          parallelism = 1
          batch-size = 1000
          db-round-trip-max-batch-size = 1000
          prefer-parameters-on-multirow-insert = true
        }
        """;

    /// <summary>Journal, snapshot store and query journal on the SQLite file.</summary>
    public static AkkaConfigurationBuilder WithSqliteJournal(this AkkaConfigurationBuilder builder, string databasePath)
    {
        Prepare(databasePath);
        return builder.AddHocon(WriterHocon, HoconAddMode.Prepend).WithSqlPersistence(
            connectionString: ConnectionString(databasePath),
            providerName: LinqToDB.ProviderName.SQLiteMS,
            autoInitialize: true,
            tagStorageMode: TagMode.Csv);
    }
}
