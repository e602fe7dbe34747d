using ActorScheduler.Actors.Mesos;
using static ActorScheduler.Messages.MesosV1.Scheduler.Call.Types.Type;

namespace ActorScheduler.Actors.Tests.Mesos;

public sealed class OfferFlowSequencerTests
{
    [Fact]
    public void One_call_at_a_time_and_only_the_latest_wish_waits()
    {
        var sequencer = new OfferFlowSequencer();

        Assert.Equal(Suppress, sequencer.Request(Suppress));
        Assert.Null(sequencer.Request(Revive));
        Assert.Null(sequencer.Request(Suppress));
        Assert.Null(sequencer.Request(Revive));

        Assert.Equal(Revive, sequencer.Completed());
        Assert.Null(sequencer.Completed());
        Assert.Equal(Suppress, sequencer.Request(Suppress));
    }

    [Fact]
    public void A_lost_subscription_forgets_what_was_in_flight_and_what_waited()
    {
        var sequencer = new OfferFlowSequencer();
        sequencer.Request(Suppress);
        sequencer.Request(Revive);

        sequencer.Reset();

        Assert.Null(sequencer.Completed());
        Assert.Equal(Revive, sequencer.Request(Revive));
    }
}
