using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;

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
    public void A_claims_disk_comes_out_of_the_root_disk_even_when_a_path_disk_is_listed_first()
    {
        var offer = TestOffers.Unreserved(cpus: 4, mem: 4096, disk: 400);
        var path = Resources.Scalar("disk", 1000);
        path.Disk = new Resource.Types.DiskInfo
        {
            Source = new Resource.Types.DiskInfo.Types.Source
            {
                Type = Resource.Types.DiskInfo.Types.Source.Types.Type.Path,
                Path = new Resource.Types.DiskInfo.Types.Source.Types.Path { Root = "/mnt/path-1" },
            },
        };
        offer.Resources.Insert(0, path);
        var claim = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), offer, TestOffers.Context);

        var rest = OfferRemainder.After(offer, claim);

        Assert.Equal(1000, rest.Resources.Single(r => r.Name == "disk" && r.Disk is not null).Scalar.Value, 6);
        Assert.Equal(400 - 256 - 25, rest.Resources.Single(r => r.Name == "disk" && r.Disk is null).Scalar.Value, 6);
        Assert.Equal(400 - 256 - 25, OfferFit.Unreserved(rest).Disk, 6);
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

    [Fact]
    public void The_remainder_keeps_every_field_of_the_offer_and_the_untouched_resources_as_they_are()
    {
        var offer = TestOffers.Unreserved(cpus: 4, mem: 4096, disk: 10000);
        offer.Url = new URL { Scheme = "http", Address = new Address { Hostname = "agent-1.local", Port = 5051 }, Path = "/slave(1)" };
        offer.Domain = new DomainInfo { FaultDomain = new DomainInfo.Types.FaultDomain { Region = new() { Name = "r1" }, Zone = new() { Name = "z1" } } };
        offer.Attributes.Add(new ActorScheduler.Messages.MesosV1.Attribute { Name = "rack", Type = Value.Types.Type.Text, Text = new Value.Types.Text { Value = "r-7" } });
        offer.ExecutorIds.Add(new ExecutorID { Value = "hello__1" });
        offer.Unavailability = new Unavailability { Start = new TimeInfo { Nanoseconds = 42 } };
        offer.AllocationInfo = new Resource.Types.AllocationInfo { Role = "hello-world-role" };

        // Every field but the resources is set here: a field added to Offer fails this until the test sets it too.
        var fields = Offer.Descriptor.Fields.InDeclarationOrder().Where(f => f.FieldNumber != Offer.ResourcesFieldNumber).ToList();
        Assert.All(fields, f => Assert.True(
            f.IsRepeated ? ((System.Collections.IList)f.Accessor.GetValue(offer)).Count > 0 : f.Accessor.HasValue(offer), f.Name));

        var nothingTaken = new OfferEvaluation(true, [], [], null, [], [], false);
        var rest = OfferRemainder.After(offer, nothingTaken);
        Assert.Equal(offer, rest);
        Assert.All(rest.Resources.Zip(offer.Resources), pair => Assert.Same(pair.Second, pair.First));

        // What a claim takes changes the remainder, never the offer it came from.
        var before = offer.Clone();
        var claim = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), offer, TestOffers.Context);
        var smaller = OfferRemainder.After(offer, claim);
        Assert.Equal(before, offer);
        Assert.NotEqual(offer.Resources.Single(r => r.Name == "cpus"), smaller.Resources.Single(r => r.Name == "cpus"));
        Assert.Equal(offer.Hostname, smaller.Hostname);
    }
}
