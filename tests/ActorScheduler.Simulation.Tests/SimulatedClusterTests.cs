using ActorScheduler.Messages.MesosV1;
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

    // As a Mesos master: an agent outside the master's region is offered only to a framework that declared REGION_AWARE,
    // even by a scripted offer; the scheduler declares it (RegionScenarioTests sees its offers from another region).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Agents_outside_the_masters_region_are_offered_only_to_region_aware_frameworks(bool regionAware)
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false, masterDomain: new FaultDomain("east", "east-a"));
        await using var framework = regionAware
            ? await StormFramework.SubscribeAsync(cluster, FrameworkInfo.Types.Capability.Types.Type.RegionAware)
            : await StormFramework.SubscribeAsync(cluster);
        var east = await cluster.AddAgentsAsync(1, null, new FaultDomain("east", "east-b"));
        var west = await cluster.AddAgentsAsync(1, null, new FaultDomain("west", "west-a"));

        var offered = await cluster.OfferAsync([.. east, .. west]);

        var offers = await framework.SeenAsync(e => e.Type == Event.Types.Type.Offers && e.Offers.Offers_.Any(o => o.Id.Value == offered.Made[0]));
        var agents = offers.Offers.Offers_.Select(o => o.AgentId.Value).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(regionAware ? [east[0], west[0]] : [east[0]], agents);
        Assert.Equal(regionAware ? 2 : 1, offered.Made.Length);
    }

    [Fact]
    public async Task An_agent_marked_gone_is_offered_again_only_once_it_restarted_under_a_new_id_with_its_reservations()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var agents = await cluster.AddAgentsAsync(1);
        var offer = await NextOfferAsync(cluster, framework, agents);
        await framework.ReserveAsync(offer, "cpus", 0.5);

        await cluster.MarkAgentGoneAsync(agents[0]);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => cluster.OfferAsync(agents));
        Assert.Contains(agents[0], error.Message);

        var restarted = await cluster.RestartAgentAsync(agents[0]);
        Assert.NotEqual(agents[0], restarted);
        var again = await NextOfferAsync(cluster, framework, [restarted]);
        Assert.Equal(restarted, again.AgentId.Value);
        Assert.Contains(again.Resources, r => r.Name == "cpus" && r.Role == "storm" && Math.Abs(r.Scalar.Value - 0.5) < 1e-9);
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

    [Fact]
    public async Task A_task_groups_executor_is_counted_once_and_kept_as_the_framework_sent_it()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var agents = await cluster.AddAgentsAsync(1);
        var executor = new ExecutorInfo { Type = ExecutorInfo.Types.Type.Default, ExecutorId = new ExecutorID { Value = "e" } };

        var first = await NextOfferAsync(cluster, framework, agents);
        var cpus = CpusOf(first);
        executor.Resources.Add(StormFramework.Unreserved(first, "cpus", 0.5));
        executor.Resources.Add(StormFramework.Unreserved(first, "mem", 32));
        var sent = executor.Clone();
        await framework.LaunchGroupAsync(first, executor, "a");

        // The executor's 0.5 cpus and the task's 0.1 are in use; a second group joins the running executor.
        var second = await NextOfferAsync(cluster, framework, agents);
        Assert.Equal(cpus - 0.6, CpusOf(second), 3);
        await framework.LaunchGroupAsync(second, executor, "b");

        var third = await NextOfferAsync(cluster, framework, agents);
        Assert.Equal(cpus - 0.7, CpusOf(third), 3);
        Assert.Equal(sent, executor);
        Assert.True(await cluster.IsRunningAsync("a"));
        Assert.True(await cluster.IsRunningAsync("b"));

        // Its tasks ended, the executor's resources come back with theirs (the rest is still in the third offer).
        await cluster.EndTaskAsync("a", 0);
        await cluster.EndTaskAsync("b", 0);
        Assert.Equal(0.7, CpusOf(await NextOfferAsync(cluster, framework, agents)), 3);
    }

    private static async Task<Offer> NextOfferAsync(SimulatedCluster cluster, StormFramework framework, IReadOnlyList<string> agents)
    {
        var offer = await cluster.OfferAsync(agents);
        var id = Assert.Single(offer.Made);
        var seen = await framework.SeenAsync(e => e.Type == Event.Types.Type.Offers && e.Offers.Offers_.Any(o => o.Id.Value == id));
        return seen.Offers.Offers_.Single(o => o.Id.Value == id);
    }

    private static double CpusOf(Offer offer) => offer.Resources.Where(r => r.Name == "cpus").Sum(r => r.Scalar.Value);
}
