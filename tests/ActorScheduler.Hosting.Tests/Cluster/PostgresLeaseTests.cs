using System.Diagnostics;
using ActorScheduler.Hosting.Persistence;
using ActorScheduler.Hosting.Tests.Journal;
using Akka.Actor;
using Akka.Configuration;
using Akka.Coordination;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The scheduler lease (<see cref="PostgresLease"/>) against a real PostgreSQL server, two owners standing for two
/// scheduler nodes: one takes it and the other is refused while the first renews; the other gets it once the first
/// stops renewing (its actor system gone, as a crashed node's) and the TTL has passed, or at once after a release; the
/// holder's lease-lost callback fires when its row is taken by force, and when its server stops answering; a lease
/// whose server cannot be reached is not taken, and says so to <c>run</c> (<see cref="SchedulerLeaseFailures"/>).
/// Reports Skipped without the PostgreSQL server binaries (<see cref="PostgresServer"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLeaseTests(PostgresServer server) : Akka.TestKit.Xunit2.TestKit()
{
    // Renewed every second and lost 3 s after the last renewal sent: a loaded machine's stalls do not lose it (with 2 s, a
    // CI run's holder lost it while renewing).
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Heartbeat = PostgresLease.HeartbeatInterval(Ttl);

    // The driver's waits (a new connection, a statement): 2 s rather than the heartbeat's 1 s that run would derive from
    // this TTL, since every statement of the lease opens a connection of its own, and on a loaded CI machine the server's
    // fork of a backend once took longer than 1 s (a refused owner's ask failed with "Timeout during connection attempt").
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(2);

    private static PostgresLease Lease(ActorSystem system, string connectionString, string owner) =>
        new(new LeaseSettings("actorscheduler-singleton-test", owner, new TimeoutSettings(Heartbeat, Ttl, OperationTimeout),
                ConfigurationFactory.ParseString(PostgresLease.ConnectionHocon(connectionString, PostgresLease.NewOwner(owner))).GetConfig(PostgresLease.ConfigPath)),
            (ExtendedActorSystem)system);

    /// <summary>A journal database with its tables, the lease's among them, as <c>run</c> prepares it.</summary>
    private string Database()
    {
        var journal = server.CreateDatabase();
        PostgresJournal.Prepare(journal);
        return journal;
    }

    /// <summary>An actor system that stops without its coordinated shutdown, as a crashed node's process does.</summary>
    private static ActorSystem CrashableSystem() =>
        ActorSystem.Create("lease-node", "akka.coordinated-shutdown.run-by-actor-system-terminate = off");

    [SkippableFact]
    public async Task One_owner_takes_the_lease_and_the_other_is_refused_while_it_renews_beyond_the_ttl()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = Database();
        var a = Lease(Sys, journal, "10.0.0.11:25520");
        var b = Lease(Sys, journal, "10.0.0.12:25520");

        Assert.True(await a.Acquire(_ => { }));
        Assert.True(a.CheckLease());
        Assert.StartsWith("10.0.0.11:25520#", a.Owner);
        Assert.Equal(a.Owner, PostgresServer.Scalar(journal, $"select owner from {PostgresLease.Table}"));

        // B asks over twice the TTL: A's renewals keep the row A's all along.
        var asking = Stopwatch.StartNew();
        var attempts = 0;
        while (asking.Elapsed < Ttl * 2)
        {
            Assert.False(await b.Acquire(_ => { }));
            Assert.False(b.CheckLease());
            attempts++;
            await Task.Delay(Heartbeat / 2);
        }

        Assert.True(attempts > 4, $"B asked only {attempts} times");
        Assert.True(a.CheckLease(), "A no longer holds the lease it renews");

        // Taking it again is re-entrant for its owner.
        Assert.True(await a.Acquire(_ => { }));
        Assert.True(await a.Release());
    }

    [SkippableFact]
    public async Task The_other_owner_gets_the_lease_once_the_holder_stops_renewing_and_the_ttl_has_passed()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = Database();
        var crashing = CrashableSystem();
        var a = Lease(crashing, journal, "10.0.0.11:25520");
        var b = Lease(Sys, journal, "10.0.0.12:25520");
        Assert.True(await a.Acquire(_ => { }));

        // A's node stops without a release: its row stays until the TTL has passed since its last renewal.
        await crashing.Terminate();
        var stopped = Stopwatch.StartNew();
        Assert.False(await b.Acquire(_ => { }));
        await AwaitAssertAsync(async () => Assert.True(await b.Acquire(_ => { })), TimeSpan.FromSeconds(15), Heartbeat);

        Assert.True(stopped.Elapsed >= Ttl - Heartbeat, $"B took the lease {stopped.Elapsed.TotalMilliseconds:0} ms after A stopped renewing, before A's TTL could have passed");
        Assert.True(b.CheckLease());
        Assert.Equal(b.Owner, PostgresServer.Scalar(journal, $"select owner from {PostgresLease.Table}"));
        Assert.True(await b.Release());
    }

    [SkippableFact]
    public async Task Two_processes_given_the_same_address_are_two_owners_and_only_one_holds_the_lease()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = Database();
        var crashing = CrashableSystem();
        var first = Lease(crashing, journal, "actorscheduler@127.0.0.1:25520");
        var second = Lease(Sys, journal, "actorscheduler@127.0.0.1:25520");

        Assert.True(await first.Acquire(_ => { }));
        Assert.False(await second.Acquire(_ => { }));

        // The same address started again after a crash waits out its predecessor's row as any other node would.
        await crashing.Terminate();
        Assert.False(await second.Acquire(_ => { }));
        await AwaitAssertAsync(async () => Assert.True(await second.Acquire(_ => { })), TimeSpan.FromSeconds(15), Heartbeat);
        Assert.True(await second.Release());
    }

    [SkippableFact]
    public async Task A_released_lease_is_taken_by_the_other_owner_at_once()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = Database();
        var a = Lease(Sys, journal, "10.0.0.11:25520");
        var b = Lease(Sys, journal, "10.0.0.12:25520");
        Assert.True(await a.Acquire(_ => { }));
        Assert.False(await b.Acquire(_ => { }));

        Assert.True(await a.Release());

        Assert.False(a.CheckLease());
        Assert.True(await b.Acquire(_ => { }));
        Assert.Equal(0L, PostgresServer.Scalar(journal, $"select count(*) from {PostgresLease.Table} where owner = '{a.Owner}'"));
    }

    [SkippableFact]
    public async Task The_holder_is_told_it_lost_the_lease_when_its_row_is_taken_by_force()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = Database();
        var a = Lease(Sys, journal, "10.0.0.11:25520");
        var lost = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(await a.Acquire(e => lost.TrySetResult(e)));

        server.Execute(new Npgsql.NpgsqlConnectionStringBuilder(journal).Database!, $"update {PostgresLease.Table} set owner = 'thief:1', expires_at = now() + interval '1 hour'");

        var reason = await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.IsType<LeaseException>(reason);
        Assert.Contains("the server refused its renewal: the row expired or another node took it", reason.Message);
        Assert.False(a.CheckLease());
        // The release the singleton sends as it stops leaves the thief's row alone.
        Assert.True(await a.Release());
        Assert.Equal("thief:1", PostgresServer.Scalar(journal, $"select owner from {PostgresLease.Table}"));
    }

    [SkippableFact]
    public async Task A_lease_whose_server_cannot_be_reached_is_not_taken_and_run_is_told_so()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = Database();
        var nowhere = new Npgsql.NpgsqlConnectionStringBuilder(journal) { Port = LoopbackPorts.Free() }.ConnectionString;
        var a = Lease(Sys, nowhere, "10.0.0.11:25520");

        var refused = await Assert.ThrowsAsync<LeaseException>(() => a.Acquire(_ => { }));

        Assert.StartsWith($"Cannot take the scheduler lease [actorscheduler-singleton-test] for [{a.Owner}] in postgres://postgres@127.0.0.1:", refused.Message);
        Assert.False(a.CheckLease());
        var why = await SchedulerLeaseFailures.Get(Sys).Unreachable.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.StartsWith("the scheduler lease could not be taken (", why);
    }

    [SkippableFact]
    public async Task The_holder_is_told_it_lost_the_lease_before_its_ttl_when_its_server_stops_answering()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var journal = Database();
        await using var proxy = FreezingProxy.Start(server.Port);
        var throughProxy = new Npgsql.NpgsqlConnectionStringBuilder(journal) { Port = proxy.Port }.ConnectionString;
        var a = Lease(Sys, throughProxy, "10.0.0.11:25520");
        var lost = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(await a.Acquire(e => lost.TrySetResult(e)));

        proxy.Freeze();
        var frozen = Stopwatch.StartNew();
        var reason = await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Lost by its own deadline, before the server's expiry could let another node take the row.
        Assert.True(frozen.Elapsed < Ttl, $"the lease was lost {frozen.Elapsed.TotalMilliseconds:0} ms after the server froze, not before its TTL of {Ttl.TotalMilliseconds:0} ms");
        Assert.Contains("no renewal was confirmed within", reason.Message);
        Assert.False(a.CheckLease());
        // The release the singleton sends as it stops says it could not, rather than throw.
        Assert.False(await a.Release().WaitAsync(TimeSpan.FromSeconds(30)));
        proxy.Thaw();
    }
}
