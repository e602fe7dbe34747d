using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using ActorScheduler.Hosting.Persistence;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorScheduler.Bench;

/// <summary>
/// Where the storm's journal lives, set up as <c>actorscheduler run</c> sets it up: a SQLite file
/// (<see cref="SqliteStormJournal"/>) or a PostgreSQL database (<see cref="PostgresStormJournal"/>). Besides the
/// journal the storm reads its rows as it grows (events counted, progress) and measures the database's raw insert
/// rate with the journal's own table layout, batch size and durability, the ceiling the scheduler's rate is compared
/// with. Disposing removes what the bench created and was not asked to keep.
/// </summary>
internal abstract class StormJournal : IDisposable
{
    /// <summary>The journal as the bench's messages name it (never a password).</summary>
    public abstract string Name { get; }

    /// <summary>The RESULT line's key for the raw insert rate; it says which database the rate is of.</summary>
    public abstract string RawInsertsKey { get; }

    /// <summary>Adds the journal, snapshot store and query journal to an actor system as <c>run</c> does.</summary>
    public abstract AkkaConfigurationBuilder Configure(AkkaConfigurationBuilder akka);

    /// <summary>A new open connection to the journal's database, with the journal's tables in its search path.</summary>
    public abstract DbConnection Open();

    /// <summary>Whether the journal's table <paramref name="table"/> exists yet (the plugin's first write creates it on SQLite).</summary>
    protected abstract bool TableExists(DbConnection connection, string table);

    /// <summary>
    /// Inserts rows like the journal's (one per event, <paramref name="messageBytes"/> each, persistence ids of
    /// <paramref name="idChars"/> characters) into a table of the journal's layout apart from the journal,
    /// <paramref name="batchSize"/> per transaction, for <paramref name="duration"/>, with the durability the journal's
    /// connections have.
    /// </summary>
    protected abstract RawInsertRate InsertRaw(int batchSize, double messageBytes, double idChars, TimeSpan duration);

    /// <summary>A journal of the same kind of its own (the warm-up's), removed when disposed.</summary>
    public abstract StormJournal Scratch();

    public abstract void Dispose();

    /// <summary>Rows in a table of the journal (0 before it exists).</summary>
    public long CountRows(string table)
    {
        using var connection = Open();
        if (!TableExists(connection, table))
        {
            return 0;
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The raw insert loop: one row per event, each the size of the journal's mean event
    /// (<paramref name="meanEventBytes"/>; the entity stream's rows hold many events each), ids as long as the journal's.
    /// </summary>
    public RawInsertRate RawInserts(int batchSize, double meanEventBytes, TimeSpan duration)
    {
        double idChars;
        using (var connection = Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT AVG(LENGTH(persistence_id)) FROM journal";
            idChars = command.ExecuteScalar() is { } chars and not DBNull ? Convert.ToDouble(chars, CultureInfo.InvariantCulture) : 30;
        }

        return InsertRaw(batchSize, meanEventBytes > 0 ? meanEventBytes : 200, idChars, duration);
    }

    /// <summary>Rows per second of the raw insert loop, how durable its commits were (the database's own words), and its message size.</summary>
    internal readonly record struct RawInsertRate(double RowsPerSecond, string Durability, double RowBytes);
}

/// <summary>
/// The journal on a SQLite file (<see cref="SqliteJournal"/>: WAL, CSV tags); the raw inserts go to a file of their own
/// beside it with the same schema and pragmas. A file the bench named itself is deleted afterwards, one given with
/// <c>--journal</c> is kept.
/// </summary>
internal sealed class SqliteStormJournal(string path, bool keep) : StormJournal
{
    public override string Name => path;

    public override string RawInsertsKey => "raw_sqlite_inserts_per_s";

    public override AkkaConfigurationBuilder Configure(AkkaConfigurationBuilder akka) => akka.WithSqliteJournal(path);

    public override DbConnection Open()
    {
        var connection = new SqliteConnection(SqliteJournal.ConnectionString(path));
        connection.Open();
        return connection;
    }

    protected override bool TableExists(DbConnection connection, string table)
    {
        using var command = (SqliteCommand)connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $table";
        command.Parameters.AddWithValue("$table", table);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    public override StormJournal Scratch() =>
        new SqliteStormJournal(Path.Combine(Path.GetTempPath(), $"actorscheduler-storm-warmup-{Guid.NewGuid():N}.db"), keep: false);

    /// <summary>
    /// Into a copy of the journal's table (same schema and indexes, read from the journal file) in a separate WAL
    /// file; the connection keeps the synchronous setting it opens with, as Akka.Persistence.Sql's do.
    /// </summary>
    protected override RawInsertRate InsertRaw(int batchSize, double messageBytes, double idChars, TimeSpan duration)
    {
        var scratch = path + ".raw-insert.db";
        Delete(scratch);
        try
        {
            List<string> schema = [];
            using (var source = Open())
            using (var command = source.CreateCommand())
            {
                command.CommandText = "SELECT sql FROM sqlite_master WHERE tbl_name = 'journal' AND sql IS NOT NULL ORDER BY type DESC";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    schema.Add(reader.GetString(0));
                }
            }

            SqliteJournal.Prepare(scratch);
            using var connection = new SqliteConnection(SqliteJournal.ConnectionString(scratch));
            connection.Open();
            foreach (var statement in schema)
            {
                using var create = connection.CreateCommand();
                create.CommandText = statement;
                create.ExecuteNonQuery();
            }

            long synchronous;
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous";
                synchronous = Convert.ToInt64(pragma.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            var payload = new byte[(int)Math.Round(messageBytes)];
            new Random(1).NextBytes(payload);
            var idPrefix = new string('p', Math.Max(1, (int)Math.Round(idChars) - 8));
            var rows = 0L;
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < duration)
            {
                using var transaction = connection.BeginTransaction();
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT INTO journal (persistence_id, sequence_number, deleted, created, manifest, message, identifier, tags, writer_uuid)
                    VALUES ($id, $seq, 0, $created, 'E1', $message, 4100, 'tag-a', 'writer')
                    """;
                var id = insert.Parameters.Add("$id", SqliteType.Text);
                var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
                var created = insert.Parameters.Add("$created", SqliteType.Integer);
                insert.Parameters.AddWithValue("$message", payload);
                for (var i = 0; i < batchSize; i++, rows++)
                {
                    id.Value = idPrefix + (rows % 10_000).ToString("D8", CultureInfo.InvariantCulture);
                    seq.Value = (rows / 10_000) + 1;
                    created.Value = DateTime.UtcNow.Ticks;
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
            }

            return new RawInsertRate(rows / watch.Elapsed.TotalSeconds, $"synchronous={synchronous}, journal_mode=wal, row by row", messageBytes);
        }
        finally
        {
            Delete(scratch);
        }
    }

    public override void Dispose()
    {
        if (!keep)
        {
            Delete(path);
        }
    }

    private static void Delete(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>
/// The journal on a PostgreSQL database (<c>--journal-connection</c>), in a schema of its own that the bench creates
/// in that database and drops afterwards: every run starts on empty tables (as a deploy on a fresh database does) and
/// leaves no journal behind, whatever else the database holds. The tables are created by
/// <see cref="PostgresJournal.WithPostgresJournal"/>, as <c>run</c> creates them; the raw inserts go to a second schema
/// of their own with the same tables, over connections to the same server, so with its durability
/// (<c>synchronous_commit</c>) too.
/// </summary>
internal sealed class PostgresStormJournal : StormJournal
{
    /// <summary>The setting the errors name.</summary>
    internal const string Setting = "--journal-connection";

    private readonly string _database;
    private readonly string _schema;
    private readonly string _connectionString;

    private PostgresStormJournal(string database, string schema)
    {
        _database = database;
        _schema = schema;
        _connectionString = new NpgsqlConnectionStringBuilder(database) { SearchPath = schema }.ConnectionString;
    }

    public override string Name => $"{PostgresJournal.Describe(_database)} schema {_schema}";

    public override string RawInsertsKey => "raw_pg_inserts_per_s";

    /// <summary>
    /// The connection string of <paramref name="text"/> (as <c>run --journal-connection</c> takes it), its server
    /// reachable, the user let in and the database there (<see cref="PostgresJournal.Parse"/>, <see cref="PostgresJournal.Check"/>).
    /// Creates nothing.
    /// </summary>
    /// <exception cref="BenchRefusedException">It is none, or the database cannot be used; the reason is <c>run</c>'s.</exception>
    public static string Check(string text)
    {
        var database = PostgresJournal.Parse(text, Setting, out var error) ?? throw new BenchRefusedException(error!);
        // Checked on a schema that does not exist yet, as the bench's will be: tables of the database's public schema are
        // none of the bench's business.
        var fresh = new NpgsqlConnectionStringBuilder(database) { SearchPath = NewSchemaName() }.ConnectionString;
        return PostgresJournal.Check(fresh, Setting) is { } refused ? throw new BenchRefusedException(refused) : database;
    }

    /// <summary>A journal in a new schema of the database of <paramref name="database"/> (as <see cref="Check"/> gave it).</summary>
    /// <exception cref="BenchRefusedException">The schema cannot be created (the user may not, say).</exception>
    public static PostgresStormJournal Create(string database)
    {
        var journal = new PostgresStormJournal(database, NewSchemaName());
        journal.CreateSchema(journal._schema);
        return journal;
    }

    public override AkkaConfigurationBuilder Configure(AkkaConfigurationBuilder akka)
    {
        try
        {
            return akka.WithPostgresJournal(_connectionString);
        }
        catch (PostgresJournalException e)
        {
            throw new BenchRefusedException(e.Message);
        }
    }

    public override DbConnection Open()
    {
        var connection = new NpgsqlConnection(_connectionString);
        connection.Open();
        return connection;
    }

    protected override bool TableExists(DbConnection connection, string table)
    {
        using var command = (NpgsqlCommand)connection.CreateCommand();
        command.CommandText = "select to_regclass(@table) is not null";
        command.Parameters.AddWithValue("table", table);
        return command.ExecuteScalar() is true;
    }

    public override StormJournal Scratch() => Create(_database);

    /// <summary>
    /// Into the tables <see cref="PostgresJournal.Prepare"/> creates, in a second new schema; each transaction's rows
    /// sent together as one batch of inserts (one round trip, as a batched writer sends them).
    /// </summary>
    protected override RawInsertRate InsertRaw(int batchSize, double messageBytes, double idChars, TimeSpan duration)
    {
        var schema = _schema + "_raw";
        CreateSchema(schema);
        try
        {
            var raw = new NpgsqlConnectionStringBuilder(_connectionString) { SearchPath = schema }.ConnectionString;
            PostgresJournal.Prepare(raw);
            using var connection = new NpgsqlConnection(raw);
            connection.Open();
            string durability;
            using (var show = new NpgsqlCommand("show synchronous_commit", connection))
            {
                durability = $"synchronous_commit={show.ExecuteScalar()}";
            }

            var payload = new byte[(int)Math.Round(messageBytes)];
            new Random(1).NextBytes(payload);
            var idPrefix = new string('p', Math.Max(1, (int)Math.Round(idChars) - 8));
            using var batch = new NpgsqlBatch(connection);
            for (var i = 0; i < batchSize; i++)
            {
                var insert = new NpgsqlBatchCommand("""
                    insert into journal (created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid)
                    values ($1, false, $2, $3, $4, 'tag-a', 'E1', 4100, 'writer')
                    """);
                insert.Parameters.Add(new NpgsqlParameter<long>());
                insert.Parameters.Add(new NpgsqlParameter<string>());
                insert.Parameters.Add(new NpgsqlParameter<long>());
                insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = payload });
                batch.BatchCommands.Add(insert);
            }

            var rows = 0L;
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < duration)
            {
                using var transaction = connection.BeginTransaction();
                batch.Transaction = transaction;
                foreach (var insert in batch.BatchCommands)
                {
                    ((NpgsqlParameter<long>)insert.Parameters[0]).TypedValue = DateTime.UtcNow.Ticks;
                    ((NpgsqlParameter<string>)insert.Parameters[1]).TypedValue = idPrefix + (rows % 10_000).ToString("D8", CultureInfo.InvariantCulture);
                    ((NpgsqlParameter<long>)insert.Parameters[2]).TypedValue = (rows / 10_000) + 1;
                    rows++;
                }

                batch.ExecuteNonQuery();
                transaction.Commit();
            }

            return new RawInsertRate(rows / watch.Elapsed.TotalSeconds, $"{durability}, one batch of inserts a transaction", messageBytes);
        }
        finally
        {
            DropSchema(schema);
        }
    }

    public override void Dispose() => DropSchema(_schema);

    /// <summary>A name no other run chose: <c>actorscheduler_storm_</c> and 12 hex digits.</summary>
    private static string NewSchemaName() => $"actorscheduler_storm_{Guid.NewGuid():N}"[..33];

    private void CreateSchema(string schema)
    {
        try
        {
            Execute($"create schema \"{schema}\"");
        }
        catch (NpgsqlException e)
        {
            throw new BenchRefusedException($"journal {PostgresJournal.Describe(_database)}: cannot create the schema {schema} the storm's journal goes in: "
                                            + $"{(e is PostgresException p ? p.MessageText : e.Message)}; give a user that may (GRANT CREATE ON DATABASE), or another database");
        }
    }

    private void DropSchema(string schema)
    {
        try
        {
            Execute($"drop schema if exists \"{schema}\" cascade");
        }
        catch (NpgsqlException e)
        {
            Console.Error.WriteLine($"storm: the schema {schema} of {PostgresJournal.Describe(_database)} was left behind: {e.Message}");
        }
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_database);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// The bench cannot run as asked for a reason its options' syntax does not show (the journal's server unreachable,
/// say): the bench prints the message as one <c>error:</c> line and exits 2, before anything runs.
/// </summary>
internal sealed class BenchRefusedException(string message) : Exception(message);
