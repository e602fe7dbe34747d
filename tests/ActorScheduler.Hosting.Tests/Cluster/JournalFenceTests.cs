using ActorScheduler.Actors;
using ActorScheduler.Hosting.Persistence;
using ActorScheduler.Hosting.Tests.Journal;
using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;
using Npgsql;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The journal's fence (<see cref="JournalFence"/>) on the real server: a clustered node's journal connections (their
/// <c>actorscheduler.lease_owner</c> setting) write only while the scheduler lease's row is theirs and unexpired; a
/// connection without the setting writes regardless; a write that passed the check holds another node's take-over of
/// the lease until it commits, while the holder's renewal does not wait for it. Reports Skipped without the PostgreSQL
/// server binaries (<see cref="PostgresServer"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class JournalFenceTests(PostgresServer server) : Akka.TestKit.Xunit2.TestKit()
{
    private const string LeaseName = "actorscheduler-singleton-akka://actorscheduler/user/scheduler";

    /// <summary>A journal database with its tables, the lease's and the fence among them, as <c>run</c> prepares it.</summary>
    private string Database()
    {
        var journal = server.CreateDatabase();
        PostgresJournal.Prepare(journal);
        return journal;
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Two events of <paramref name="stream"/> in one multi-row insert, as the journal plugin writes a batch.</summary>
    private static string Insert(string stream, long first) =>
        $"insert into journal (created, deleted, persistence_id, sequence_number, message) values (0, false, '{stream}', {first}, '\\x00'), (0, false, '{stream}', {first + 1}, '\\x00')";

    private static long Rows(string connectionString, string table = "journal") => (long)PostgresServer.Scalar(connectionString, $"select count(*) from {table}")!;

    private static void Hold(string connectionString, string owner, string expiresIn) =>
        Execute(connectionString, $"insert into {PostgresLease.Table} (name, owner, expires_at) values ('{LeaseName}', '{owner}', now() + interval '{expiresIn}') "
                                  + "on conflict (name) do update set owner = excluded.owner, expires_at = excluded.expires_at");

    [SkippableFact]
    public void A_fenced_connection_writes_while_its_node_holds_the_lease_and_is_refused_once_another_node_took_it()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = Database();
        var ours = PostgresLease.NewOwner("actorscheduler@10.0.0.11:25520");
        var theirs = PostgresLease.NewOwner("actorscheduler@10.0.0.12:25520");
        var fenced = JournalFence.Fenced(journal, ours);
        Hold(journal, ours, "1 hour");

        Execute(fenced, Insert("svc/entities", 1));
        Execute(fenced, "insert into snapshot (persistence_id, sequence_number, created, snapshot) values ('svc/entities', 2, 0, '\\x00')");
        Assert.Equal(2L, Rows(journal));

        // Another node takes the row by force (a partition's other side, or a frozen holder's row taken once expired).
        Hold(journal, theirs, "1 hour");
        var refused = Assert.Throws<PostgresException>(() => Execute(fenced, Insert("svc/entities", 3)));

        Assert.Equal(JournalFailures.LeaseFenceSqlState, refused.SqlState);
        Assert.StartsWith($"INSERT on journal refused: this node [{ours}] does not hold the scheduler lease (held by [{theirs}] for ", refused.MessageText);
        Assert.EndsWith(" ms more)", refused.MessageText);
        Assert.True(JournalFailures.IsRefusedByLeaseFence(new InvalidOperationException("the write failed", refused)));
        Assert.Equal(2L, Rows(journal));
        // Whatever the plugin issues: the deleted flag's update, a delete, a snapshot's insert or delete.
        Assert.StartsWith("UPDATE on journal refused", Assert.Throws<PostgresException>(() => Execute(fenced, "update journal set deleted = true")).MessageText);
        Assert.StartsWith("DELETE on journal refused", Assert.Throws<PostgresException>(() => Execute(fenced, "delete from journal")).MessageText);
        Assert.StartsWith("INSERT on snapshot refused", Assert.Throws<PostgresException>(() => Execute(fenced, "insert into snapshot (persistence_id, sequence_number, created, snapshot) values ('svc/entities', 4, 0, '\\x00')")).MessageText);
        Assert.StartsWith("DELETE on snapshot refused", Assert.Throws<PostgresException>(() => Execute(fenced, "delete from snapshot")).MessageText);
        Assert.Equal((2L, 1L, 0L), (Rows(journal), Rows(journal, "snapshot"), (long)PostgresServer.Scalar(journal, "select count(*) from journal where deleted")!));

        // A connection without the setting (a single node's, audit's, a DBA's) is not checked.
        Execute(journal, Insert("svc/entities", 3));
        Assert.Equal(4L, Rows(journal));
    }

    [SkippableFact]
    public void A_fenced_connection_is_refused_when_the_row_of_its_own_node_expired_or_no_node_holds_the_lease()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = Database();
        var ours = PostgresLease.NewOwner("actorscheduler@10.0.0.11:25520");
        var fenced = JournalFence.Fenced(journal, ours);

        Assert.Equal($"INSERT on journal refused: this node [{ours}] does not hold the scheduler lease (no node holds it)",
            Assert.Throws<PostgresException>(() => Execute(fenced, Insert("svc/entities", 1))).MessageText);

        // Frozen past its TTL: no other node took the row yet, but it is no longer this node's to write under.
        Hold(journal, ours, "-2 seconds");
        var refused = Assert.Throws<PostgresException>(() => Execute(fenced, Insert("svc/entities", 1)));
        Assert.StartsWith($"INSERT on journal refused: this node [{ours}] does not hold the scheduler lease (its own row expired ", refused.MessageText);
        Assert.Equal(0L, Rows(journal));

        // The same incarnation's address with another incarnation's digits is another owner.
        Hold(journal, PostgresLease.NewOwner("actorscheduler@10.0.0.11:25520"), "1 hour");
        Assert.Contains("does not hold the scheduler lease (held by [actorscheduler@10.0.0.11:25520#", Assert.Throws<PostgresException>(() => Execute(fenced, Insert("svc/entities", 1))).MessageText);

        Hold(journal, ours, "1 hour");
        Execute(fenced, Insert("svc/entities", 1));
        Assert.Equal(2L, Rows(journal));
    }

    /// <summary>
    /// The take-over race, ordered by explicit transactions: the old holder's write passes the check and stays
    /// uncommitted; its row is then made expired (a non-key update, as a renewal is: it does not wait for the write);
    /// the other node's take-over — the lease's own statement — waits on the server for the write's transaction, and
    /// takes the row only once that committed, so the new holder reads the write; the old holder's next write is refused.
    /// </summary>
    [SkippableFact]
    public async Task A_write_that_passed_the_check_holds_the_take_over_until_it_commits_and_a_renewal_does_not_wait_for_it()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = Database();
        var ours = PostgresLease.NewOwner("actorscheduler@10.0.0.11:25520");
        var fenced = JournalFence.Fenced(journal, ours);
        Hold(journal, ours, "1 hour");

        await using var writer = new NpgsqlConnection(fenced);
        await writer.OpenAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(Insert("svc/entities", 1), writer, transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        // A renewal's kind of update (expires_at only) goes through at once; a lock wait would fail it after 5 s.
        Execute(journal, $"set lock_timeout = '5s'; update {PostgresLease.Table} set expires_at = now() - interval '1 second' where owner = '{ours}'");

        // The other node's take-over of the now expired row, by the lease itself: its statement waits for the write.
        var other = Lease(journal, "actorscheduler@10.0.0.12:25520");
        var takeOver = other.Acquire(_ => { });
        await AwaitAssertAsync(
            () => Assert.Equal(1L, PostgresServer.Scalar(journal, $"select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into {PostgresLease.Table}%'")),
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(50));
        Assert.False(takeOver.IsCompleted, "the take-over did not wait for the write that passed the fence's check");
        Assert.Equal(ours, PostgresServer.Scalar(journal, $"select owner from {PostgresLease.Table}"));

        await transaction.CommitAsync();

        Assert.True(await takeOver.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(other.Owner, PostgresServer.Scalar(journal, $"select owner from {PostgresLease.Table}"));
        // What the new holder replays holds the write, and the old holder's next one is refused.
        Assert.Equal(2L, Rows(journal));
        await using (var next = new NpgsqlCommand(Insert("svc/entities", 3), writer))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => next.ExecuteNonQueryAsync());
            Assert.Equal(JournalFailures.LeaseFenceSqlState, refused.SqlState);
        }

        Assert.Equal(2L, Rows(journal));
        Assert.True(await other.Release());
    }

    [Theory]
    [InlineData("Host=db;Database=j", "actorscheduler@10.0.0.11:25520#5f0c2a9e", "-c actorscheduler.lease_owner=actorscheduler@10.0.0.11:25520#5f0c2a9e")]
    [InlineData("Host=db;Database=j;Options=-c statement_timeout=5s", "actorscheduler@10.0.0.11:25520#5f0c2a9e", "-c statement_timeout=5s -c actorscheduler.lease_owner=actorscheduler@10.0.0.11:25520#5f0c2a9e")]
    [InlineData("Host=db;Database=j", "odd name@h:1#0000abcd", "-c actorscheduler.lease_owner=odd\\ name@h:1#0000abcd")]
    [InlineData("Host=db;Database=j", "back\\slash@h:1#0000abcd", "-c actorscheduler.lease_owner=back\\\\slash@h:1#0000abcd")]
    public void The_owner_is_a_start_up_option_beside_the_operators_own_escaped_as_the_server_splits_them(string connectionString, string owner, string options) =>
        Assert.Equal(options, new NpgsqlConnectionStringBuilder(JournalFence.Fenced(connectionString, owner)).Options);

    /// <summary>The scheduler lease as a node takes it, with a TTL long enough that its statement waits for the write (a heartbeat).</summary>
    private PostgresLease Lease(string connectionString, string address)
    {
        var ttl = TimeSpan.FromMinutes(1);
        var heartbeat = PostgresLease.HeartbeatInterval(ttl);
        return new PostgresLease(
            new LeaseSettings(LeaseName, address, new TimeoutSettings(heartbeat, ttl, heartbeat),
                ConfigurationFactory.ParseString(PostgresLease.ConnectionHocon(connectionString, PostgresLease.NewOwner(address))).GetConfig(PostgresLease.ConfigPath)),
            (ExtendedActorSystem)Sys);
    }
}
