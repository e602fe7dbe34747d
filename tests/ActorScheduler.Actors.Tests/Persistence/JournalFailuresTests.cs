using System.Net.Sockets;

namespace ActorScheduler.Actors.Tests.Persistence;

/// <summary>
/// Which journal failures say that the journal's server could not be reached (the scheduler then stops for good, for
/// its supervisor to start it again), and which are the journal's own trouble (a restart, or an unreadable stream).
/// </summary>
public sealed class JournalFailuresTests
{
    public static TheoryData<string, Exception, bool> Failures => new()
    {
        { "connection refused", UnreachableServerException.Refused(), true },
        { "wrapped by the journal plugin", new InvalidOperationException("write failed", UnreachableServerException.Refused()), true },
        { "one of several", new AggregateException(new InvalidOperationException("other"), UnreachableServerException.Refused()), true },
        { "stream cut mid-command", new UnreachableServerException("Exception while reading from stream", new IOException("Unable to read data", new SocketException((int)SocketError.ConnectionReset))), true },
        { "connect timeout", new UnreachableServerException("The operation has timed out", new TimeoutException()), true },
        { "admin shutdown", new UnreachableServerException("terminating connection due to administrator command", sqlState: "57P01"), true },
        { "crash shutdown", new UnreachableServerException("terminating connection because of crash of another server process", sqlState: "57P02"), true },
        { "starting up", new UnreachableServerException("the database system is starting up", sqlState: "57P03"), true },
        { "connection failure", new UnreachableServerException("connection failure", sqlState: "08006"), true },
        // A server that stops answering (a partition, a frozen host): the driver's command timeout, the connection then
        // broken, so that the plugin's rollback fails too and both come wrapped together.
        { "command timed out, its rollback failed", new AggregateException("Exception thrown when rolling back database transaction", new ObjectDisposedException("NpgsqlTransaction"), new UnreachableServerException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt"))), true },
        // Akka's own limit on a journal call (its circuit breaker) says nothing of a server: the scheduler restarts, and
        // its replay, bounded by the driver's timeouts, tells.
        { "Akka's circuit breaker timed the call out", new TimeoutException("The operation has timed out."), false },
        { "unique violation", new UnreachableServerException("duplicate key value violates unique constraint", sqlState: "23505"), false },
        { "a full disk (SQLite)", new UnreachableServerException("SQLite Error 13: 'database or disk is full'."), false },
        { "not a database error", new IOException("the journal's disk is full"), false },
        { "a socket error outside any database error", new InvalidOperationException("x", new SocketException((int)SocketError.ConnectionRefused)), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_is_a_lost_server_only_when_a_database_error_says_its_connection_failed(string what, Exception failure, bool unreachable) =>
        Assert.True(JournalFailures.IsServerUnreachable(failure) == unreachable, what);

    public static TheoryData<string, Exception, bool> FenceRefusals => new()
    {
        { "the fence's SQLSTATE", new UnreachableServerException("INSERT refused: this node [a] does not hold the scheduler lease", sqlState: JournalFailures.LeaseFenceSqlState), true },
        { "wrapped by the journal plugin", new InvalidOperationException("write failed", new UnreachableServerException("refused", sqlState: JournalFailures.LeaseFenceSqlState)), true },
        { "with its failed rollback", new AggregateException(new ObjectDisposedException("NpgsqlTransaction"), new UnreachableServerException("refused", sqlState: JournalFailures.LeaseFenceSqlState)), true },
        { "PL/pgSQL's own raise_exception", new UnreachableServerException("some other trigger refused", sqlState: "P0001"), false },
        { "a lost server", UnreachableServerException.Refused(), false },
        { "not a database error, whatever it says", new InvalidOperationException("SL001"), false },
    };

    [Theory]
    [MemberData(nameof(FenceRefusals))]
    public void A_failure_is_the_lease_fence_refusing_a_write_only_by_its_sqlstate(string what, Exception failure, bool fenced)
    {
        Assert.True(JournalFailures.IsRefusedByLeaseFence(failure) == fenced, what);
        // A refusal is not a lost server: the scheduler stands down, it does not stop run for good.
        Assert.False(fenced && JournalFailures.IsServerUnreachable(failure), what);
    }
}
