using System.Globalization;
using ActorScheduler.Hosting.Persistence;
using Microsoft.Data.Sqlite;

namespace ActorScheduler.Hosting.Audit;

/// <summary>
/// A scheduler's SQLite journal opened for reading only: it may be read while the scheduler runs (WAL mode lets a reader
/// see every committed row without blocking the writer), never written, never created, and the data dir's lock is not
/// taken. Only the <c>journal</c> table is read: snapshots are compactions of state, not events.
/// </summary>
internal sealed class JournalFile : IJournalRows
{
    private readonly SqliteConnection _connection;

    private JournalFile(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    public string Path { get; }

    /// <inheritdoc />
    public string Name => Path;

    /// <summary>
    /// Opens the journal <paramref name="path"/> read-only and checks that it is a SQLite database with the journal
    /// plugin's <c>journal</c> table: the journal, or null with a one-line reason (what is wrong and what to do).
    /// </summary>
    public static JournalFile? Open(string path, out string? problem)
    {
        if (Directory.Exists(path))
        {
            problem = $"journal {path} is a directory, not a SQLite database file";
            return null;
        }

        if (!File.Exists(path))
        {
            problem = $"no journal {path}";
            return null;
        }

        // Mode=ReadOnly: SQLite neither creates nor writes the file; no pooling, so nothing keeps it open after Dispose.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DataSource(path),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = SqliteJournal.CheckBusySeconds,
        }.ToString());
        try
        {
            connection.Open();
            var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using (var command = connection.CreateCommand())
            {
                // The first read of the file: a file that is no database fails here.
                command.CommandText = "select name from pragma_table_info('journal')";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    found.Add(reader.GetString(0));
                }
            }

            if (found.Count == 0)
            {
                problem = $"journal {path} has no journal table: it is not an actorscheduler journal (or no scheduler has written to it yet)";
                connection.Dispose();
                return null;
            }

            var missing = SqliteJournal.JournalColumns.Where(c => !found.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                problem = $"journal {path} has a table 'journal' without the column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}: "
                          + "it is not an actorscheduler journal (another program's database, or a layout this version does not know)";
                connection.Dispose();
                return null;
            }

            problem = null;
            return new JournalFile(path, connection);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
        {
            connection.Dispose();
            problem = $"journal {path} is locked by another process ({e.Message}): stop what holds it (a sqlite3 shell in exclusive mode, a backup tool), then run again";
            return null;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            problem = $"journal {path} is not a readable SQLite database: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// The journal's SQLite data source. While a scheduler has the journal open (in WAL mode) its <c>-wal</c> file exists,
    /// and a reader opens it as usual, to see the rows committed to the WAL. Without one, no writer has it open: it is
    /// opened immutable, so that SQLite creates no <c>-wal</c> and <c>-shm</c> beside it — created by an auditor of
    /// another user (root), they would be files the scheduler's user could not write, and its next start would fail.
    /// </summary>
    internal static string DataSource(string path) =>
        File.Exists(path + "-wal") ? path : new Uri(System.IO.Path.GetFullPath(path)).AbsoluteUri + "?immutable=1";

    /// <inheritdoc />
    /// <remarks><paramref name="pod"/> is not used: a local file is read fast enough whole.</remarks>
    /// <exception cref="SqliteException">The file turned out damaged part way (a corrupt page).</exception>
    public IEnumerable<JournalRow> Rows(DateTime? since = null, DateTime? until = null, string? pod = null)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            select ordering, created, persistence_id, sequence_number, tags, identifier, manifest, message
            from journal
            where deleted = 0 and created >= $since and created < $until
            order by ordering
            """;
        command.Parameters.AddWithValue("$since", since is { } from ? JournalTime.ToStored(from) : long.MinValue);
        command.Parameters.AddWithValue("$until", until is { } to ? JournalTime.ToStored(to) : long.MaxValue);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return JournalRow.Read(reader);
        }
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>How the journal plugin stores a row's write time (<c>created</c>): .NET ticks of UTC.</summary>
internal static class JournalTime
{
    public static long ToStored(DateTime utc) => utc.Ticks;

    /// <summary>
    /// The write time of a stored value; one outside what a <see cref="DateTime"/> holds (a damaged row: -1, say) reads
    /// as the nearest date, year 1 or 9999, so that audit shows the row — its event may be intact — instead of failing.
    /// </summary>
    public static DateTime FromStored(long stored) =>
        new(Math.Clamp(stored, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);

    /// <summary>ISO-8601 UTC to the millisecond, as the timeline prints it.</summary>
    public static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
