using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class UnexpectedResourcesTests
{
    [Fact]
    public void Reservations_nobody_owns_are_destroyed_then_unreserved()
    {
        var footprint = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Footprint;
        var offer = TestOffers.WithReserved("agent-1", footprint);

        var operations = UnexpectedResources.Cleanup(offer, new HashSet<string>(), "hello-world-role");

        Assert.Equal([Offer.Types.Operation.Types.Type.Destroy, Offer.Types.Operation.Types.Type.Unreserve], operations.Select(o => o.Type));
        Assert.Single(operations[0].Destroy.Volumes);
        Assert.Equal(footprint.Length, operations[1].Unreserve.Resources.Count);
        Assert.All(operations[1].Unreserve.Resources, r => Assert.Null(r.Disk));
    }

    [Fact]
    public void Owned_reservations_and_unreserved_resources_are_left_alone()
    {
        var footprint = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Footprint;
        var owned = footprint.Select(Resources.ResourceId).OfType<string>().ToHashSet();

        Assert.Empty(UnexpectedResources.Cleanup(TestOffers.WithReserved("agent-1", footprint), owned, "hello-world-role"));
        Assert.Empty(UnexpectedResources.Cleanup(TestOffers.Unreserved(), new HashSet<string>(), "hello-world-role"));
    }

    [Fact]
    public void Reservations_of_other_roles_are_never_touched()
    {
        var footprint = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Footprint;
        Assert.Empty(UnexpectedResources.Cleanup(TestOffers.WithReserved("agent-1", footprint), new HashSet<string>(), "other-role"));
    }
}
