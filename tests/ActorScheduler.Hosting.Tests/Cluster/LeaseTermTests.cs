using ActorScheduler.Hosting.Persistence;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The scheduler lease's decisions (<see cref="LeaseTerm"/>) on a fake monotonic clock: held from a take until the
/// conservative deadline (send time + TTL − heartbeat), renewed every heartbeat, lost by a refused renewal at once, by
/// renewals that fail or answer late at the deadline, and not brought back by a confirmation after it.
/// </summary>
public sealed class LeaseTermTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(12), Heartbeat = TimeSpan.FromSeconds(3);

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void A_lease_never_taken_is_not_held_and_asks_for_nothing()
    {
        var term = new LeaseTerm(Ttl, Heartbeat);

        Assert.False(term.IsHeld(S(0)));
        Assert.Equal(LeaseTerm.Step.Idle, term.Next(S(100)));
        Assert.Null(term.NextWake());
    }

    [Fact]
    public void A_taken_lease_is_held_until_ttl_minus_a_heartbeat_after_the_take_was_sent()
    {
        var term = new LeaseTerm(Ttl, Heartbeat);

        // Sent at 10 s, the answer came at 11 s: the deadline counts from the sending.
        term.Taken(sentAt: S(10));

        Assert.Equal(S(19), term.Deadline);
        Assert.True(term.IsHeld(S(11)));
        Assert.True(term.IsHeld(S(18.999)));
        Assert.False(term.IsHeld(S(19)));
    }

    [Fact]
    public void The_holder_renews_every_heartbeat_and_a_confirmed_renewal_moves_the_deadline()
    {
        var term = new LeaseTerm(Ttl, Heartbeat);
        term.Taken(S(0));

        Assert.Equal(S(3), term.NextWake());
        Assert.Equal(LeaseTerm.Step.Wait, term.Next(S(2.9)));
        Assert.Equal(LeaseTerm.Step.Renew, term.Next(S(3)));
        term.RenewalSent(S(3));

        // While it is in flight no second renewal goes out, and the holder wakes at its deadline.
        Assert.Equal(LeaseTerm.Step.Wait, term.Next(S(6.5)));
        Assert.Equal(S(9), term.NextWake());

        Assert.True(term.RenewalConfirmed(sentAt: S(3), now: S(7)));
        Assert.Equal(S(12), term.Deadline);
        Assert.Equal(S(6), term.NextWake());
        Assert.Equal(LeaseTerm.Step.Renew, term.Next(S(7)));
    }

    [Fact]
    public void A_refused_renewal_loses_the_lease_at_once()
    {
        var term = new LeaseTerm(Ttl, Heartbeat);
        term.Taken(S(0));
        Assert.Equal(LeaseTerm.Step.Renew, term.Next(S(3)));
        term.RenewalSent(S(3));

        term.Refused();

        Assert.False(term.IsHeld(S(3.1)));
        Assert.Equal(LeaseTerm.Step.Idle, term.Next(S(3.1)));
    }

    [Fact]
    public void Renewals_that_fail_are_retried_every_heartbeat_and_the_lease_is_lost_at_the_deadline()
    {
        var term = new LeaseTerm(Ttl, Heartbeat);
        term.Taken(S(0));

        foreach (var at in new[] { 3.0, 6.0 })
        {
            Assert.Equal(LeaseTerm.Step.Renew, term.Next(S(at)));
            term.RenewalSent(S(at));
            term.RenewalFailed();
            Assert.True(term.IsHeld(S(at + 0.5)));
        }

        Assert.Equal(S(9), term.NextWake());
        Assert.Equal(LeaseTerm.Step.Lost, term.Next(S(9)));
        Assert.False(term.IsHeld(S(9)));
        // Said once: the next look finds nothing held.
        Assert.Equal(LeaseTerm.Step.Idle, term.Next(S(9.1)));
    }

    [Fact]
    public void A_renewal_that_never_answers_loses_the_lease_at_the_deadline_counted_from_the_last_confirmed_one()
    {
        var term = new LeaseTerm(Ttl, Heartbeat);
        term.Taken(S(0));
        Assert.Equal(LeaseTerm.Step.Renew, term.Next(S(3)));
        term.RenewalSent(S(3));
        Assert.True(term.RenewalConfirmed(S(3), S(3.01)));
        Assert.Equal(LeaseTerm.Step.Renew, term.Next(S(6)));
        term.RenewalSent(S(6));

        // The renewal sent at 6 s hangs (a frozen server): no new one goes out, and the deadline of the one sent at 3 s holds.
        Assert.Equal(LeaseTerm.Step.Wait, term.Next(S(11.9)));
        Assert.Equal(LeaseTerm.Step.Lost, term.Next(S(12)));
    }

    [Fact]
    public void A_renewal_confirmed_after_the_deadline_does_not_bring_the_lease_back()
    {
        var term = new LeaseTerm(Ttl, Heartbeat);
        term.Taken(S(0));
        Assert.Equal(LeaseTerm.Step.Renew, term.Next(S(3)));
        term.RenewalSent(S(3));

        // The answer arrives at 9.5 s, past the deadline of 9 s, before the holder looked again.
        Assert.False(term.RenewalConfirmed(sentAt: S(3), now: S(9.5)));
        Assert.False(term.IsHeld(S(9.5)));
        Assert.Equal(LeaseTerm.Step.Idle, term.Next(S(9.5)));
    }

    [Fact]
    public void A_late_answer_to_an_older_renewal_never_moves_the_deadline_back()
    {
        var term = new LeaseTerm(Ttl, Heartbeat);
        term.Taken(S(5));

        Assert.True(term.RenewalConfirmed(sentAt: S(1), now: S(6)));

        Assert.Equal(S(14), term.Deadline);
    }

    [Fact]
    public void A_released_lease_is_not_held_and_a_renewal_confirmed_after_the_release_does_not_take_it_again()
    {
        var term = new LeaseTerm(Ttl, Heartbeat);
        term.Taken(S(0));
        Assert.Equal(LeaseTerm.Step.Renew, term.Next(S(3)));
        term.RenewalSent(S(3));

        term.Released();

        Assert.False(term.RenewalConfirmed(S(3), S(3.1)));
        Assert.False(term.IsHeld(S(3.1)));
        Assert.Equal(LeaseTerm.Step.Idle, term.Next(S(4)));
    }

    [Fact]
    public void A_heartbeat_not_shorter_than_the_ttl_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeaseTerm(Ttl, Ttl));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeaseTerm(Ttl, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(12_000, 3_000)]
    [InlineData(2_000, 500)]
    [InlineData(1_001, 250)]
    public void The_heartbeat_is_a_quarter_of_the_ttl_in_whole_milliseconds(int ttlMs, int heartbeatMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(heartbeatMs), PostgresLease.HeartbeatInterval(TimeSpan.FromMilliseconds(ttlMs)));
    }
}
