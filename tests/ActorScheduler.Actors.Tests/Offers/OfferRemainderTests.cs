using ActorScheduler.Actors.Offers;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class OfferRemainderTests
{
    [Fact]
    public void A_new_footprint_takes_its_reservations_out_of_the_unreserved_resources()
    {
        var offer = TestOffers.Unreserved(cpus: 4, mem: 4096, disk: 10000);
        var claim = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), offer, TestOffers.Context);

        var rest = OfferRemainder.After(offer, claim);

        Assert.Equal(4 - 0.6, rest.Resources.Single(r => r.Name == "cpus").Scalar.Value, 6);
        Assert.Equal(4096 - 256 - 32, rest.Resources.Single(r => r.Name == "mem").Scalar.Value, 6);
        Assert.Equal(10000 - 256 - 25, rest.Resources.Single(r => r.Name == "disk").Scalar.Value, 6);
    }

    [Fact]
    public void A_relaunch_takes_exactly_its_reserved_resources()
    {
        var pod = TestOffers.HelloPod();
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), TestOffers.Context);
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);
        var relaunch = OfferEvaluator.Evaluate(TestOffers.Requirement(pod, new Footprint("agent-1", "agent-1.local", first.Footprint)), offer, TestOffers.Context);

        var rest = OfferRemainder.After(offer, relaunch);

        Assert.DoesNotContain(rest.Resources, r => Resources.ResourceId(r) is not null);
        Assert.Equal(offer.Resources.Count(r => Resources.ResourceId(r) is null), rest.Resources.Count);
    }
}
