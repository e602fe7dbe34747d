using ActorScheduler.Actors.Mesos;
using static ActorScheduler.Messages.MesosV1.Scheduler.Call.Types.Type;

namespace ActorScheduler.Actors.Tests.Mesos;

public sealed class OfferFlowSequencerTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromMinutes(1);

    [Fact]
    public void One_call_at_a_time_and_only_the_latest_wish_waits()
    {
        var sequencer = new OfferFlowSequencer(reviveBurst: 10, reviveRefill: TimeSpan.FromSeconds(1));

        Assert.Equal(Suppress, sequencer.Request(Suppress, T0));
        Assert.Null(sequencer.Request(Revive, T0));
        Assert.Null(sequencer.Request(Suppress, T0));
        Assert.Null(sequencer.Request(Revive, T0));

        Assert.Equal(Revive, sequencer.Completed(T0));
        Assert.Null(sequencer.Completed(T0));
        Assert.Equal(Suppress, sequencer.Request(Suppress, T0));
    }

    [Fact]
    public void An_update_of_the_framework_takes_its_turn_between_suppress_and_revive_and_is_never_folded_away()
    {
        var sequencer = new OfferFlowSequencer(reviveBurst: 10, reviveRefill: TimeSpan.FromSeconds(1));

        // Asked while a SUPPRESS is out: it goes next, before the REVIVE asked after it.
        Assert.Equal(Suppress, sequencer.Request(Suppress, T0));
        Assert.False(sequencer.RequestUpdate());
        Assert.Null(sequencer.Request(Revive, T0));
        Assert.Equal(UpdateFramework, sequencer.Completed(T0));
        Assert.Equal(Revive, sequencer.Completed(T0));
        Assert.Null(sequencer.Completed(T0));

        // Asked with nothing out: it goes at once, and a SUPPRESS asked meanwhile waits for its answer.
        Assert.True(sequencer.RequestUpdate());
        Assert.Null(sequencer.Request(Suppress, T0));
        Assert.Equal(Suppress, sequencer.Completed(T0));

        // A lost subscription forgets a waiting update: the next SUBSCRIBE carries the roles.
        Assert.False(sequencer.RequestUpdate());
        Assert.Null(sequencer.Reset());
        Assert.Null(sequencer.Completed(T0));
    }

    [Fact]
    public void A_lost_subscription_forgets_what_was_in_flight_and_what_waited()
    {
        var sequencer = new OfferFlowSequencer(reviveBurst: 10, reviveRefill: TimeSpan.FromSeconds(1));
        sequencer.Request(Suppress, T0);
        sequencer.Request(Revive, T0);

        // The REVIVE that waited is dropped, and said to be (the router must not believe it went out).
        Assert.Equal(Revive, sequencer.Reset());
        Assert.Null(sequencer.Reset());

        Assert.Null(sequencer.Completed(T0));
        Assert.Equal(Revive, sequencer.Request(Revive, T0));
    }

    [Fact]
    public void A_revive_waits_for_the_declines_sent_before_it_and_not_for_later_ones()
    {
        var sequencer = new OfferFlowSequencer(reviveBurst: 10, reviveRefill: TimeSpan.FromSeconds(1));
        var (first, second) = (sequencer.DeclineSent(), sequencer.DeclineSent());
        Assert.Null(sequencer.DeclineCompleted(first));

        // One DECLINE is still out: the REVIVE is taken (a SUPPRESS asked meanwhile waits behind it) but not sent yet.
        Assert.Null(sequencer.Request(Revive, T0));
        Assert.Null(sequencer.Request(Suppress, T0));
        var later = sequencer.DeclineSent();
        Assert.Null(sequencer.DeclineCompleted(later));
        Assert.Equal(Revive, sequencer.DeclineCompleted(second));

        Assert.Equal(Suppress, sequencer.Completed(T0));
        Assert.Null(sequencer.Completed(T0));

        // Nothing out: a REVIVE goes at once.
        Assert.Equal(Revive, sequencer.Request(Revive, T0));
    }

    [Fact]
    public void A_lost_subscription_drops_the_revive_that_waited_for_declines()
    {
        var sequencer = new OfferFlowSequencer(reviveBurst: 10, reviveRefill: TimeSpan.FromSeconds(1));
        var decline = sequencer.DeclineSent();
        Assert.Null(sequencer.Request(Revive, T0));

        Assert.Equal(Revive, sequencer.Reset());
        Assert.Null(sequencer.DeclineCompleted(decline));
        Assert.Equal(Revive, sequencer.Request(Revive, T0));
    }

    [Fact]
    public void Revives_beyond_the_burst_wait_for_the_next_token_folded_into_one()
    {
        var sequencer = new OfferFlowSequencer(reviveBurst: 2, reviveRefill: TimeSpan.FromSeconds(4));
        Assert.Equal(Revive, sequencer.Request(Revive, T0));
        Assert.Null(sequencer.Completed(T0));
        Assert.Equal(Revive, sequencer.Request(Revive, T0));
        Assert.Null(sequencer.Completed(T0));

        // The bucket is empty: the third waits a whole refill, however often it is asked for.
        Assert.Null(sequencer.Request(Revive, T0));
        Assert.Equal(TimeSpan.FromSeconds(4), sequencer.ReviveWait(T0));
        Assert.Null(sequencer.Request(Revive, T0 + TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(3), sequencer.ReviveWait(T0 + TimeSpan.FromSeconds(1)));
        Assert.Null(sequencer.TokenDue(T0 + TimeSpan.FromSeconds(3)));

        Assert.Equal(Revive, sequencer.TokenDue(T0 + TimeSpan.FromSeconds(4)));
        Assert.Null(sequencer.ReviveWait(T0 + TimeSpan.FromSeconds(4)));
        Assert.Null(sequencer.Completed(T0 + TimeSpan.FromSeconds(4)));
        Assert.Null(sequencer.TokenDue(T0 + TimeSpan.FromSeconds(9)));
    }

    [Fact]
    public void Tokens_come_back_with_time_up_to_the_burst_and_suppress_costs_none()
    {
        var sequencer = new OfferFlowSequencer(reviveBurst: 2, reviveRefill: TimeSpan.FromSeconds(1));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(Revive, sequencer.Request(Revive, T0));
            Assert.Null(sequencer.Request(Suppress, T0));
            Assert.Equal(Suppress, sequencer.Completed(T0));
            Assert.Null(sequencer.Completed(T0));
        }

        // An hour idle refills the bucket to the burst, not beyond.
        var later = T0 + TimeSpan.FromHours(1);
        Assert.Equal(Revive, sequencer.Request(Revive, later));
        sequencer.Completed(later);
        Assert.Equal(Revive, sequencer.Request(Revive, later));
        sequencer.Completed(later);
        Assert.Null(sequencer.Request(Revive, later));
    }

    [Fact]
    public void A_suppress_asked_while_a_revive_waits_for_a_token_goes_out_and_the_revive_does_not()
    {
        var sequencer = new OfferFlowSequencer(reviveBurst: 1, reviveRefill: TimeSpan.FromSeconds(1));
        sequencer.Request(Revive, T0);
        sequencer.Completed(T0);
        Assert.Null(sequencer.Request(Revive, T0));

        Assert.Equal(Suppress, sequencer.Request(Suppress, T0));
        sequencer.Completed(T0);
        Assert.Null(sequencer.ReviveWait(T0));
        Assert.Null(sequencer.TokenDue(T0 + TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void A_budget_without_tokens_or_refill_is_refused(int burst, int refillSeconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OfferFlowSequencer(burst, TimeSpan.FromSeconds(refillSeconds)));
}
