using System.Data.Common;
using System.Net.Sockets;

namespace ActorScheduler.Actors.Tests.Persistence;

/// <summary>
/// What a database driver throws when the journal's server cannot be reached (as Npgsql's <c>NpgsqlException</c> does:
/// a <see cref="DbException"/> caused by the socket's error), or, with a SQLSTATE and no cause, what the server says as
/// it goes away (<c>57P01</c>, admin shutdown) — or any other database error.
/// </summary>
public sealed class UnreachableServerException(string message, Exception? cause = null, string? sqlState = null) : DbException(message, cause)
{
    /// <summary>Connection refused by 127.0.0.1:5432, as a lost server's next connection is.</summary>
    public static UnreachableServerException Refused() =>
        new("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));

    public override string? SqlState => sqlState;
}
