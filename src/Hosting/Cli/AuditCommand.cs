using ActorScheduler.Hosting.Audit;
using ActorScheduler.Hosting.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorScheduler.Hosting.Cli;

/// <summary>The options of <c>actorscheduler audit</c>, as given (times still text: they are checked with the rest).</summary>
/// <param name="DataDir">The data dir of a <c>run</c>; its journal is <c>journal.db</c> in it.</param>
/// <param name="Journal">The journal file itself (instead of a data dir).</param>
public sealed record AuditArguments(
    string? DataDir = null,
    string? Journal = null,
    string? Pod = null,
    string? Plan = null,
    string? Step = null,
    bool Offers = false,
    string? Since = null,
    string? Until = null,
    int Limit = AuditQuery.DefaultLimit,
    bool Json = false)
{
    /// <summary>
    /// The PostgreSQL database of the journal (<c>--journal-connection</c>, as <c>run</c> takes it: Npgsql keywords or a
    /// <c>postgres://</c> URL), instead of a data dir's SQLite file.
    /// </summary>
    public string? JournalConnection { get; init; }
}

/// <summary>
/// <c>actorscheduler audit</c>: a scheduler's journal read after the fact, as a timeline — what it decided, when and why,
/// for any pod, plan or offer. The journal, a SQLite file or a PostgreSQL database, is read-only to it
/// (<see cref="JournalFile"/>, <see cref="PostgresJournalRows"/>), so it may run beside the
/// scheduler that writes it; the decoding and the words are <see cref="AuditDecoder"/>'s and <see cref="AuditFacts"/>'s.
/// </summary>
public static class AuditCommand
{
    /// <summary>The data dir <c>run</c> uses when given none.</summary>
    public const string DefaultDataDir = ".actorscheduler";

    /// <param name="now">The time relative <c>--since</c>/<c>--until</c> count back from (tests fix it).</param>
    public static async Task<int> RunAsync(AuditArguments args, TextWriter output, TextWriter error, DateTime? now = null)
    {
        if (args.DataDir is not null && args.Journal is not null)
        {
            await error.WriteLineAsync("error: give --data-dir or --journal, not both (--journal names the journal file itself)");
            return 2;
        }

        if (args.JournalConnection is not null && (args.DataDir is not null || args.Journal is not null))
        {
            await error.WriteLineAsync($"error: give --journal-connection or {(args.DataDir is not null ? "--data-dir" : "--journal")}, not both (--journal-connection reads the journal from PostgreSQL, the others a SQLite file)");
            return 2;
        }

        if (args.Limit < 0)
        {
            await error.WriteLineAsync($"error: --limit expects a number of events >= 0 (0: all), got '{args.Limit}'");
            return 2;
        }

        var at = now ?? DateTime.UtcNow;
        DateTime? since = null, until = null;
        string? problem = null;
        if (args.Since is { } sinceText && (since = AuditQuery.ParseTime(sinceText, at, "--since", out problem)) is null
            || args.Until is { } untilText && (until = AuditQuery.ParseTime(untilText, at, "--until", out problem)) is null)
        {
            await error.WriteLineAsync($"error: {problem}");
            return 2;
        }

        if (since > until)
        {
            await error.WriteLineAsync($"error: --since ({JournalTime.Format(since!.Value)}) is after --until ({JournalTime.Format(until!.Value)}): no event can be in between");
            return 2;
        }

        string? connectionString = null;
        if (args.JournalConnection is { } connectionText
            && (connectionString = PostgresJournal.Parse(connectionText, PostgresJournalRows.Setting, out var connectionProblem)) is null)
        {
            await error.WriteLineAsync($"error: {connectionProblem}");
            return 2;
        }

        string? path = null;
        if (connectionString is not null)
        {
            // The journal is on PostgreSQL: no file to look for.
        }
        else if (args.Journal is { } journalPath)
        {
            path = Path.GetFullPath(journalPath);
        }
        else
        {
            var dataDir = Path.GetFullPath(args.DataDir ?? DefaultDataDir);
            path = Path.Combine(dataDir, "journal.db");
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                await error.WriteLineAsync(Directory.Exists(dataDir)
                    ? $"error: data dir {dataDir} holds no journal (journal.db): give the --data-dir of a run, or the journal file with --journal"
                    : $"error: no data dir {dataDir}: give the --data-dir of a run, or the journal file with --journal");
                return 2;
            }
        }

        string? openProblem;
        using IJournalRows? journal = connectionString is not null
            ? PostgresJournalRows.Open(connectionString, out openProblem)
            : JournalFile.Open(path!, out openProblem);
        if (journal is null)
        {
            await error.WriteLineAsync($"error: {openProblem}");
            return 2;
        }

        var query = new AuditQuery(args.Pod, args.Plan, args.Step, args.Offers, since, until, args.Limit);
        IReadOnlyList<AuditEntry> entries;
        long leftOut;
        try
        {
            (entries, leftOut) = query.Run(journal);
        }
        catch (SqliteException e)
        {
            // Damage found part way (a corrupt page): what was read is not a timeline to trust.
            await error.WriteLineAsync($"error: journal {path} is not a readable SQLite database: {CommandGuard.OneLine(e.Message)}");
            return 2;
        }
        catch (NpgsqlException e)
        {
            // The connection lost, or the server failed, part way: what was read is not the whole timeline.
            await error.WriteLineAsync($"error: journal {journal.Name}: {CommandGuard.OneLine(e is PostgresException p ? p.MessageText : e.Message)}");
            return 2;
        }

        var leftOutLine = AuditOutput.LeftOut(leftOut, args.Limit);
        if (args.Json)
        {
            AuditOutput.WriteJson(entries, output);
            if (leftOutLine is not null)
            {
                // Not in the JSON: it stays one array a program can read.
                await error.WriteLineAsync(leftOutLine);
            }

            return 0;
        }

        if (entries.Count == 0)
        {
            await output.WriteLineAsync($"no event in journal {journal.Name} matches");
            return 0;
        }

        AuditOutput.WriteText(entries, output);
        if (leftOutLine is not null)
        {
            await output.WriteLineAsync(leftOutLine);
        }

        return 0;
    }
}
