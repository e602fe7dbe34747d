using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Simulation.Tests;

public sealed class SimulatedClusterTests
{
    [Fact]
    public async Task A_scripted_offer_names_the_offers_it_made_and_those_already_out_for_its_agents()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var agents = await cluster.AddAgentsAsync(2);

        var first = await cluster.OfferAsync([agents[0]]);
        Assert.Single(first.Made);
        Assert.Empty(first.Held);

        // The first offer holds all of agent 0: offered again, it has nothing new; agent 1 has everything.
        var second = await cluster.OfferAsync(agents);
        Assert.Equal(first.Made.ToArray(), second.Held.ToArray());
        Assert.Single(second.Made);
        Assert.NotEqual(first.Made[0], second.Made[0]);
        Assert.True(second.Mark >= first.Mark);

        var offered = await framework.SeenAsync(e => e.Type == Event.Types.Type.Offers && e.Offers.Offers_.Any(o => o.Id.Value == second.Made[0]));
        Assert.Equal(agents[1], offered.Offers.Offers_.Single(o => o.Id.Value == second.Made[0]).AgentId.Value);
        Assert.Equal([first.Made[0], second.Made[0]], await cluster.OutstandingOffersAsync());
    }

    [Fact]
    public async Task A_call_is_recorded_with_when_it_was_sent_and_when_the_master_answered_it()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var agents = await cluster.AddAgentsAsync(1);
        var offer = await cluster.OfferAsync(agents);
        var offers = await framework.SeenAsync(e => e.Type == Event.Types.Type.Offers && e.Offers.Offers_.Any(o => o.Id.Value == offer.Made[0]));
        var before = DateTimeOffset.UtcNow;

        await framework.LaunchAsync(offers.Offers.Offers_.Single(o => o.Id.Value == offer.Made[0]), "t");

        var record = cluster.HistorySince(offer.Mark).Single(r => r.Call?.Type == Call.Types.Type.Accept);
        Assert.NotNull(record.SentAt);
        Assert.InRange(record.SentAt!.Value, before, record.RecordedAt);
        Assert.All(cluster.History.Where(r => r.Event is not null), r => Assert.Null(r.SentAt));
    }
}
