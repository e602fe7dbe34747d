using System.Data;
using ActorScheduler.Hosting.Persistence;
using Npgsql;

namespace ActorScheduler.Hosting.Audit;

/// <summary>
/// A scheduler's journal on PostgreSQL (<c>run --journal-connection</c>) opened for reading only: one read-only
/// transaction (<c>SET TRANSACTION READ ONLY</c>, the server refuses any write in it) at repeatable read, so the timeline
/// is one consistent snapshot even while the scheduler writes. It creates nothing: a database without the
/// <c>journal</c> table is refused, not prepared. Only the <c>journal</c> table is read, as from the SQLite file.
/// </summary>
internal sealed class PostgresJournalRows : IJournalRows
{
    /// <summary>The option the connection comes from, named by the errors that say what to fix.</summary>
    public const string Setting = "--journal-connection";

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private PostgresJournalRows(string name, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        Name = name;
        _connection = connection;
        _transaction = transaction;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>
    /// Opens the journal of <paramref name="connectionString"/> (as <see cref="PostgresJournal.Parse"/> gives it) in a
    /// read-only transaction: the journal, or null with a one-line reason — the server unreachable, the user refused,
    /// the database missing, tables of another layout (as <see cref="PostgresJournal.Check"/> says them), or no
    /// <c>journal</c> table at all.
    /// </summary>
    public static PostgresJournalRows? Open(string connectionString, out string? problem)
    {
        if (PostgresJournal.Check(connectionString, Setting) is { } refused)
        {
            problem = refused;
            return null;
        }

        var name = PostgresJournal.Describe(connectionString);
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        try
        {
            connection.Open();
            var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "set transaction read only";
            command.ExecuteNonQuery();
            command.CommandText = "select to_regclass('journal') is not null";
            if (command.ExecuteScalar() is not true)
            {
                connection.Dispose();
                problem = $"journal {name} has no journal table: it is not an actorscheduler journal (or no scheduler has written to it yet); check Database in {Setting}";
                return null;
            }

            problem = null;
            return new PostgresJournalRows(name, connection, transaction);
        }
        catch (NpgsqlException e)
        {
            connection.Dispose();
            problem = $"journal {name}: {Cli.CommandGuard.OneLine(e is PostgresException p ? p.MessageText : e.Message)}";
            return null;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The window is a range on <c>created</c> in the query, and so is <paramref name="pod"/>: the entity journal, most of
    /// a journal's rows, is narrowed to the rows tagged with the pod on the server. The rows come off the wire one by one.
    /// </remarks>
    /// <exception cref="NpgsqlException">The connection was lost, or the server failed, part way.</exception>
    public IEnumerable<JournalRow> Rows(DateTime? since = null, DateTime? until = null, string? pod = null)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        // Tags are stored as CSV (;tag;tag;): the tag is looked for between separators, so pod:hello-1 is no pod:hello-10.
        command.CommandText = """
            select ordering, created, persistence_id, sequence_number, tags, identifier, manifest, message
            from journal
            where not deleted and created >= @since and created < @until
              and (@tag is null or persistence_id not like '%/entities' or strpos(';' || coalesce(tags, '') || ';', @tag) > 0)
            order by ordering
            """;
        command.Parameters.AddWithValue("since", since is { } from ? JournalTime.ToStored(from) : long.MinValue);
        command.Parameters.AddWithValue("until", until is { } to ? JournalTime.ToStored(to) : long.MaxValue);
        command.Parameters.Add(new NpgsqlParameter<string?>("tag", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = pod is null ? null : $";pod:{pod};" });
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return JournalRow.Read(reader);
        }
    }

    public void Dispose()
    {
        _transaction.Dispose();
        _connection.Dispose();
    }
}
