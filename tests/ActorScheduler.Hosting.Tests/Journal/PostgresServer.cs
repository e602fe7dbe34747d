using System.Diagnostics;
using Npgsql;

namespace ActorScheduler.Hosting.Tests.Journal;

/// <summary>
/// A throw-away PostgreSQL server for the tests of one collection: a cluster made by <c>initdb</c> in a temp dir, started
/// by <c>pg_ctl</c> on a free port of 127.0.0.1 (its unix socket in that dir too), password authentication over TCP for
/// the superuser <c>postgres</c>, stopped and removed afterwards. PostgreSQL refuses to run as root, so as root the
/// binaries run as the <c>postgres</c> OS user (<c>runuser</c>). Without the binaries <see cref="SkipReason"/> says so,
/// and the tests that need a server report Skipped with it, never passed. The bench's tests link this file (and
/// <see cref="LoopbackPorts"/>) to run a storm on the journal on PostgreSQL.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    /// <summary>The superuser's password (TCP connections authenticate with scram-sha-256).</summary>
    public const string Password = "journal-test";

    private readonly string? _bin;
    private readonly string? _dataDir;
    private readonly bool _asPostgres;
    private int _databases;

    public PostgresServer()
    {
        _bin = FindBinaries();
        if (_bin is null)
        {
            SkipReason = "the PostgreSQL server binaries (initdb, pg_ctl) are not on PATH, in /usr/local/bin or in /usr/lib/postgresql/*/bin: "
                         + "install PostgreSQL (apt-get install postgresql; .ci/run does) to run the PostgreSQL journal tests";
            return;
        }

        _asPostgres = Environment.UserName == "root";
        if (_asPostgres && !File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal)))
        {
            SkipReason = $"the PostgreSQL server binaries are in {_bin}, but there is no postgres OS user to run them as (PostgreSQL refuses root): "
                         + "install the postgresql package, which creates it";
            return;
        }

        // initdb creates the directory itself, owned by the user it runs as.
        _dataDir = Path.Combine(Path.GetTempPath(), $"actorscheduler-pg-{Guid.NewGuid():N}");
        Port = LoopbackPorts.Free();
        var passwordFile = Path.Combine(Path.GetTempPath(), $"actorscheduler-pg-{Guid.NewGuid():N}.pw");
        // Readable by the postgres user (the umask leaves it so); removed once initdb read it.
        File.WriteAllText(passwordFile, Password + "\n");
        try
        {
            Run("initdb", ["-D", _dataDir, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-sync"]);
        }
        finally
        {
            File.Delete(passwordFile);
        }

        try
        {
            Start();
        }
        catch (InvalidOperationException)
        {
            Directory.Delete(_dataDir, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Starts the server (again, after <see cref="Stop"/>) on <see cref="Port"/>; its databases are kept. Throws with the
    /// server's own log when it does not start, which fails the test (or, from the constructor, every test of the collection).
    /// </summary>
    public void Start()
    {
        try
        {
            // No fsync: the tests measure nothing, and a crash of the box loses nothing they need. Commits stay
            // synchronous: an immediate stop (Stop) kills the WAL writer, and a commit answered before its WAL reached
            // the OS would be lost with it — the loss the lost-server test must not see.
            Run("pg_ctl", ["-D", _dataDir!, "-l", Path.Combine(_dataDir!, "server.log"), "-w", "-t", "60", "-o",
                $"-p {Port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start"]);
        }
        catch (InvalidOperationException e)
        {
            var log = Path.Combine(_dataDir!, "server.log");
            var said = File.Exists(log) ? File.ReadAllText(log) : "";
            throw new InvalidOperationException($"{e.Message}\n{said}", e);
        }
    }

    /// <summary>
    /// Stops the server as a crash would (<c>pg_ctl stop -m immediate</c>: every connection cut, no checkpoint), leaving
    /// its data dir for <see cref="Start"/>. A test that stops it starts it again before it ends, so the next one has it.
    /// </summary>
    public void Stop() => Run("pg_ctl", ["-D", _dataDir!, "-m", "immediate", "-w", "stop"]);

    /// <summary>Why there is no server (the binaries are missing); null when there is one.</summary>
    public string? SkipReason { get; }

    public int Port { get; }

    /// <summary>A connection string to the database <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database, string? password = Password) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Password = password, Database = database, Pooling = false }.ConnectionString;

    /// <summary>A new, empty database of its own for one test; its connection string.</summary>
    public string CreateDatabase()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var name = $"journal_{Interlocked.Increment(ref _databases)}";
        Execute("postgres", $"create database {name}");
        return ConnectionString(name);
    }

    /// <summary>Runs <paramref name="sql"/> on <paramref name="database"/>.</summary>
    public void Execute(string database, string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>The value of <paramref name="sql"/>'s first column and row on the database of <paramref name="connectionString"/>.</summary>
    public static object? Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    private static string? FindBinaries()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/local/bin")
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                : []);
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private void Run(string tool, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(_asPostgres ? "runuser" : Path.Combine(_bin!, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The postgres user may not enter the test's working directory.
            WorkingDirectory = Path.GetTempPath(),
        };
        if (_asPostgres)
        {
            foreach (var word in (string[])["-u", "postgres", "--", Path.Combine(_bin!, tool)])
            {
                start.ArgumentList.Add(word);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{tool} did not finish within 90 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} exited {process.ExitCode}: {error.Result}{output.Result}");
        }
    }

    public void Dispose()
    {
        if (_dataDir is null || !Directory.Exists(_dataDir))
        {
            return;
        }

        try
        {
            // Already stopped when a test that stopped it failed before it started it again.
            if (File.Exists(Path.Combine(_dataDir, "postmaster.pid")))
            {
                Stop();
            }
        }
        finally
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
