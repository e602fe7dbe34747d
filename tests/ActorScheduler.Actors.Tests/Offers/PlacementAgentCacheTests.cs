using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using Attribute = ActorScheduler.Messages.MesosV1.Attribute;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class PlacementAgentCacheTests
{
    [Fact]
    public void Offers_of_one_agent_that_describe_it_alike_share_one_view()
    {
        var cache = new PlacementAgentCache();

        var first = cache.Of(Offer("agent-1", "rack", "r1", "zone-a"));
        var again = cache.Of(Offer("agent-1", "rack", "r1", "zone-a"));

        Assert.Same(first, again);
        Assert.Equal("r1", first.Attributes["rack"]);
        Assert.Equal("zone-a", first.Zone);
        Assert.Equal(1, cache.Count);
    }

    [Theory]
    [InlineData("agent-1.other", "rack", "r1", "zone-a")]
    [InlineData("agent-1.local", "rack", "r2", "zone-a")]
    [InlineData("agent-1.local", "pool", "r1", "zone-a")]
    [InlineData("agent-1.local", "rack", "r1", "zone-b")]
    public void An_agent_whose_offer_describes_it_differently_gets_a_view_as_now_offered(string hostname, string attribute, string value, string zone)
    {
        var cache = new PlacementAgentCache();
        var before = cache.Of(Offer("agent-1", "rack", "r1", "zone-a"));

        var offer = Offer("agent-1", attribute, value, zone);
        offer.Hostname = hostname;
        var now = cache.Of(offer);

        Assert.NotSame(before, now);
        Assert.True(now.SamePlaceAs(PlacementAgents.Of(offer)));
        Assert.Same(now, cache.Of(offer));
    }

    [Fact]
    public void Each_agent_has_its_own_view_and_the_cache_stays_bounded()
    {
        var cache = new PlacementAgentCache();

        var one = cache.Of(Offer("agent-1", "rack", "r1", "zone-a"));
        var two = cache.Of(Offer("agent-2", "rack", "r1", "zone-a"));
        Assert.NotSame(one, two);
        Assert.Equal("agent-2.local", two.Hostname);

        for (var i = 0; i < PlacementAgentCache.MaxAgents + 10; i++)
        {
            cache.Of(Offer($"agent-{i}", "rack", "r1", "zone-a"));
        }

        Assert.InRange(cache.Count, 1, PlacementAgentCache.MaxAgents);
    }

    [Fact]
    public void An_agent_without_attributes_or_domain_is_seen_with_none()
    {
        var cache = new PlacementAgentCache();
        var offer = TestOffers.Unreserved("agent-9");

        var agent = cache.Of(offer);

        Assert.Empty(agent.Attributes);
        Assert.Null(agent.Zone);
        Assert.Null(agent.Region);
        Assert.Same(agent, cache.Of(TestOffers.Unreserved("agent-9")));
    }

    private static Offer Offer(string agent, string attribute, string value, string zone)
    {
        var offer = TestOffers.Unreserved(agent);
        offer.Attributes.Add(new Attribute { Name = attribute, Type = Value.Types.Type.Text, Text = new Value.Types.Text { Value = value } });
        offer.Domain = new DomainInfo
        {
            FaultDomain = new DomainInfo.Types.FaultDomain
            {
                Region = new DomainInfo.Types.FaultDomain.Types.RegionInfo { Name = "eu" },
                Zone = new DomainInfo.Types.FaultDomain.Types.ZoneInfo { Name = zone },
            },
        };
        return offer;
    }
}
