using System.Data.Common;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;

namespace ActorScheduler.Actors;

/// <summary>Whether the scheduler runs → <see cref="SchedulerCondition"/>; answered at once, whatever the scheduler is doing.</summary>
public sealed record GetSchedulerCondition
{
    public static GetSchedulerCondition Instance { get; } = new();
}

/// <param name="Failure">
/// Why the scheduler stopped for good (a journal it cannot replay, a framework Mesos removed): it does nothing more and
/// answers every other query with a <see cref="SchedulerFailedException"/>. Null while it runs.
/// </param>
/// <param name="Reconciled">Whether it has subscribed to Mesos and reconciled its tasks since it started.</param>
public sealed record SchedulerCondition(string? Failure, bool Reconciled);

/// <summary>The answer (as a <c>Status.Failure</c>) of a scheduler that stopped for good to any query.</summary>
public sealed class SchedulerFailedException(string reason, string? unreadableStream = null, bool journalUnavailable = false) : Exception(reason)
{
    /// <summary>The journal stream that cannot be replayed, when that is why the scheduler stopped.</summary>
    public string? UnreadableStream { get; } = unreadableStream;

    /// <summary>
    /// Whether it stopped because the journal's database server could not be reached (lost mid-run): what the journal
    /// holds is intact, and a scheduler started again once the server answers recovers from it. <c>run</c> exits with a
    /// code of its own for it, so that a supervisor can tell it from a failure a restart does not cure.
    /// </summary>
    public bool JournalUnavailable { get; } = journalUnavailable;
}

/// <summary>
/// A persistent actor could not replay its journal stream (published on the event stream: the actor may sit anywhere
/// under the scheduler root). The actor stops; the scheduler cannot go on without what the stream holds.
/// </summary>
/// <param name="Unavailable">The journal's server could not be reached (<see cref="JournalFailures.IsServerUnreachable"/>):
/// the stream may be intact, it just could not be read now.</param>
internal sealed record JournalUnreadable(string PersistenceId, string Reason, bool Unavailable = false);

/// <summary>
/// A persistent actor's journal write failed (published on the event stream, as <see cref="JournalUnreadable"/>). The
/// actor stops; the scheduler restarts as a whole and recovers from what the journal holds — unless the journal's server
/// could not be reached (<paramref name="Unavailable"/>): then it stops for good, since its restart could not replay; or
/// unless the journal's fence refused the write (<paramref name="Fenced"/>): this node no longer holds the scheduler
/// lease, so its scheduler stands down, neither restarting nor failing, until its singleton stops.
/// </summary>
/// <param name="Unavailable">The journal's server could not be reached (<see cref="JournalFailures.IsServerUnreachable"/>).</param>
/// <param name="Fenced">The journal's fence refused the write (<see cref="JournalFailures.IsRefusedByLeaseFence"/>).</param>
internal sealed record JournalWriteFailed(string PersistenceId, string Reason, bool Unavailable = false, bool Fenced = false)
{
    /// <summary>The failure of a write to <paramref name="persistenceId"/> that failed with <paramref name="cause"/>, classified.</summary>
    public static JournalWriteFailed Of(string persistenceId, Exception cause) =>
        new(persistenceId, JournalFailures.Describe(cause, null), JournalFailures.IsServerUnreachable(cause), JournalFailures.IsRefusedByLeaseFence(cause));
}

/// <summary>Gateway → scheduler root: Mesos refused the framework for good (an ERROR event).</summary>
internal sealed record GatewayFailed(string Reason);

/// <summary>
/// The log of the one error line that says why the scheduler stopped for good (from the scheduler root, or from its
/// supervisor once that gave up): a log source of its own, so that <c>run</c>, which prints the same reason as its
/// <c>error:</c> line, can leave it out of its console.
/// </summary>
public static class SchedulerFailureLog
{
    /// <summary>The log source of that line.</summary>
    public const string Source = "ActorScheduler.SchedulerFailure";

    internal static ILoggingAdapter For(ActorSystem system) => Logging.GetLogger(system, LogSource.Create(Source, typeof(SchedulerFailureLog)));
}

/// <summary>Why a journal stream could not be replayed, in one line.</summary>
internal static class JournalFailures
{
    /// <summary>The innermost cause's message (what the database or the serializer said), one line.</summary>
    /// <param name="event">The replayed event whose handler failed; null when the journal failed to read it.</param>
    public static string Describe(Exception cause, object? @event)
    {
        var innermost = cause;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        var message = string.Join(' ', innermost.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return @event is null ? message : $"applying a replayed {@event.GetType().Name} failed: {message}";
    }

    /// <summary>
    /// Whether <paramref name="cause"/> says that the journal's database server could not be reached — a lost server, not
    /// a bad row: a database error (<see cref="DbException"/>) of a connection that failed (caused by a socket, an I/O
    /// error or a timeout), or with a SQLSTATE of the connection class <c>08</c> or of a server shutting down
    /// (<c>57P01</c> admin shutdown, <c>57P02</c> crash shutdown, <c>57P03</c> cannot connect now). The whole chain of
    /// causes is searched: the journal plugin wraps what the driver threw. An embedded SQLite file has no server, and its
    /// failures (a full disk, a read-only file) are none of these.
    /// </summary>
    public static bool IsServerUnreachable(Exception cause)
    {
        foreach (var e in Causes(cause))
        {
            if (e is DbException db && (db.SqlState is { } state && (state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03")
                                        || CausedByConnection(db)))
            {
                return true;
            }
        }

        return false;

        static bool CausedByConnection(DbException db)
        {
            for (var inner = db.InnerException; inner is not null; inner = inner.InnerException)
            {
                if (inner is SocketException or IOException or TimeoutException)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// The SQLSTATE with which the clustered journal's fence refuses a write (the PostgreSQL trigger that
    /// <c>JournalFence</c> creates in the Hosting assembly): the writing node does not hold the scheduler lease. A class
    /// of its own (<c>SL</c>, "scheduler lease"; PostgreSQL uses none beginning with S), so no error of the server's is
    /// taken for it.
    /// </summary>
    public const string LeaseFenceSqlState = "SL001";

    /// <summary>
    /// Whether <paramref name="cause"/> is the journal's fence refusing a write because this node does not hold the
    /// scheduler lease (a database error of SQLSTATE <see cref="LeaseFenceSqlState"/> anywhere in the chain of causes):
    /// the statement was rolled back with its transaction, nothing of it is stored, and another node runs (or is about to
    /// run) the scheduler — this node's scheduler must stand down, not restart and not fail for good.
    /// </summary>
    public static bool IsRefusedByLeaseFence(Exception cause)
    {
        foreach (var e in Causes(cause))
        {
            if (e is DbException { SqlState: LeaseFenceSqlState })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <paramref name="cause"/> and every exception under it, the inner exceptions of an <see cref="AggregateException"/>
    /// included: the journal plugin wraps what the driver threw, once or several times.
    /// </summary>
    private static IEnumerable<Exception> Causes(Exception cause)
    {
        var pending = new Stack<Exception>();
        pending.Push(cause);
        while (pending.TryPop(out var e))
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (e.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }
}
