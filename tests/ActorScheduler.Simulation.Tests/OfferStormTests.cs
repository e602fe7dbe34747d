using System.Collections.Immutable;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Simulation.Tests;

public sealed class OfferStormTests
{
    private static OfferStormOptions Stormy(int seed) => new()
    {
        Agents = 50,
        OffersPerSecond = 20,
        RescindProbability = 0.3,
        AgentLossProbability = 0.05,
        AgentGoneProbability = 0.03,
        AgentReturnAfter = TimeSpan.FromSeconds(1),
        Seed = seed,
    };

    private static async Task<IReadOnlyList<string>> RunStormAsync(OfferStormOptions options, TimeSpan duration)
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var storm = new OfferStorm(cluster, options);
        await storm.RunAsync(duration);
        return storm.Actions.Select(a => a.ToString()).ToList();
    }

    [Fact]
    public async Task OfferStorm_should_repeat_its_actions_with_the_same_seed_and_not_with_another()
    {
        var first = await RunStormAsync(Stormy(seed: 7), TimeSpan.FromSeconds(5));
        var again = await RunStormAsync(Stormy(seed: 7), TimeSpan.FromSeconds(5));
        var other = await RunStormAsync(Stormy(seed: 8), TimeSpan.FromSeconds(5));

        // A storm worth comparing: every kind of action happened.
        foreach (var kind in Enum.GetNames<StormActionKind>())
        {
            Assert.Contains(first, a => a.Split(' ')[2] == kind);
        }

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task OfferStorm_should_not_offer_a_lost_agent_until_it_returns_nor_a_gone_one_until_it_restarts_under_a_new_id()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var storm = new OfferStorm(cluster, Stormy(seed: 3));

        await storm.RunAsync(TimeSpan.FromSeconds(5));

        var lost = new HashSet<string>();
        var gone = new HashSet<string>();
        var retired = new HashSet<string>();
        var (losses, restarts) = (0, 0);
        foreach (var action in storm.Actions)
        {
            switch (action.Kind)
            {
                case StormActionKind.AgentLost:
                    Assert.True(lost.Add(action.AgentId), $"{action.AgentId} lost twice: {action}");
                    losses++;
                    break;
                case StormActionKind.AgentReturned:
                    Assert.True(lost.Remove(action.AgentId), $"{action.AgentId} returned without being lost: {action}");
                    break;
                case StormActionKind.AgentGone:
                    Assert.False(lost.Contains(action.AgentId), $"a lost agent marked gone: {action}");
                    Assert.True(gone.Add(action.AgentId), $"{action.AgentId} marked gone twice: {action}");
                    break;
                case StormActionKind.AgentRestarted:
                    Assert.True(gone.Remove(action.Detail!), $"{action.Detail} restarted without being gone: {action}");
                    Assert.NotEqual(action.Detail, action.AgentId);
                    retired.Add(action.Detail!);
                    restarts++;
                    break;
                case StormActionKind.Offer:
                    Assert.False(lost.Contains(action.AgentId) || gone.Contains(action.AgentId) || retired.Contains(action.AgentId),
                        $"offered a lost or gone agent, or one under the id it had before it restarted: {action}");
                    break;
            }
        }

        Assert.True(losses > 0, "the storm lost no agent");
        Assert.True(restarts > 0, "no gone agent restarted");

        // The master agrees: the restarted agents are registered under their new ids, the storm names those.
        var registered = (await cluster.SnapshotAsync()).Agents.Where(a => a.State == Mesos.Emulator.AgentSnapshot.Registered).Select(a => a.Id).ToHashSet();
        Assert.Empty(retired.Intersect(storm.AgentIds));
        Assert.Subset(registered, storm.AgentIds.Except(lost).Except(gone).ToHashSet());
    }

    [Fact]
    public async Task OfferStorm_should_spread_agents_over_every_zone_of_every_region()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var storm = new OfferStorm(cluster, new OfferStormOptions
        {
            Agents = 60,
            Regions = 2,
            ZonesPerRegion = 3,
            Attributes = "rack:r{index%2};dc:{region}",
            OffersPerSecond = 60,
        });

        await storm.RunAsync(TimeSpan.FromSeconds(1));

        // Read back from the offers the framework received: the master put the agents' domains and attributes in them.
        var offers = new List<Offer>();
        while (offers.Count < 60)
        {
            offers.AddRange((await framework.NextAsync(e => e.Type == Event.Types.Type.Offers)).Offers.Offers_);
        }

        Assert.Equal(60, offers.Select(o => o.AgentId.Value).Distinct().Count());
        var zones = offers.GroupBy(o => (o.Domain.FaultDomain.Region.Name, o.Domain.FaultDomain.Zone.Name)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(
            new[] { "region-1/region-1-zone-1", "region-1/region-1-zone-2", "region-1/region-1-zone-3", "region-2/region-2-zone-1", "region-2/region-2-zone-2", "region-2/region-2-zone-3" },
            zones.Keys.Select(k => $"{k.Item1}/{k.Item2}").Order());
        Assert.All(zones.Values, count => Assert.Equal(10, count));
        Assert.All(offers, o => Assert.Equal(o.Domain.FaultDomain.Region.Name, o.Attributes.Single(a => a.Name == "dc").Text.Value));
        Assert.Equal(30, offers.Count(o => o.Attributes.Single(a => a.Name == "rack").Text.Value == "r0"));

        // The shapes vary (seeded): more than one cpus figure among the offers.
        Assert.True(offers.Select(o => o.Resources.Single(r => r.Name == "cpus").Scalar.Value).Distinct().Count() > 1);
    }

    [Fact]
    public async Task A_rescinded_offer_should_be_refused_by_the_master()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var storm = new OfferStorm(cluster, new OfferStormOptions { Agents = 20, OffersPerSecond = 20, RescindProbability = 0.5, Seed = 5 });

        await storm.RunAsync(TimeSpan.FromSeconds(1));

        var offers = new Dictionary<string, Offer>();
        var made = storm.Actions.Count(a => a.Kind == StormActionKind.Offer);
        while (offers.Count < made)
        {
            foreach (var offer in (await framework.NextAsync(e => e.Type == Event.Types.Type.Offers)).Offers.Offers_)
            {
                offers[offer.Id.Value] = offer;
            }
        }

        var rescinded = storm.Actions.First(a => a.Kind == StormActionKind.Rescind).Detail!;
        var outstanding = await cluster.OutstandingOffersAsync();
        Assert.DoesNotContain(rescinded, outstanding);
        Assert.NotEmpty(outstanding);
        var rescind = await framework.SeenAsync(e => e.Type == Event.Types.Type.Rescind && e.Rescind.OfferId.Value == rescinded);
        Assert.NotNull(rescind);

        await framework.LaunchAsync(offers[rescinded], "late");
        var refused = await framework.NextAsync(e => e.Type == Event.Types.Type.Update && e.Update.Status.TaskId.Value == "late-id");
        Assert.Equal(TaskState.TaskLost, refused.Update.Status.State);
        Assert.Contains($"Offer {rescinded} is no longer valid", refused.Update.Status.Message);
        Assert.False(await cluster.IsRunningAsync("late"));

        // The same launch on an offer still outstanding runs.
        await framework.LaunchAsync(offers[outstanding[0]], "timely");
        var first = await framework.SeenAsync(e => e.Type == Event.Types.Type.Update && e.Update.Status.TaskId.Value == "timely-id");
        Assert.True(first.Update.Status.State is TaskState.TaskStarting or TaskState.TaskRunning,
            $"{first.Update.Status.State}: {first.Update.Status.Message}; master log: {string.Join(" | ", cluster.Log.TakeLast(5))}");
        Assert.True(await cluster.IsRunningAsync("timely"));
        Assert.False(await cluster.RescindOfferAsync(rescinded));
    }

    [Theory]
    [InlineData(25.0, 100, 10, 250)]
    [InlineData(3.5, 1000, 4, 14)]
    [InlineData(0.5, 250, 6, 3)]
    public async Task OfferStorm_should_make_rate_times_duration_offers_in_virtual_time(double rate, int stepMs, int seconds, int expected)
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var storm = new OfferStorm(cluster, new OfferStormOptions { Agents = 1000, OffersPerSecond = rate });
        await storm.CreateAgentsAsync();
        var start = cluster.Clock.GetUtcNow();

        await storm.RunAsync(TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(stepMs));

        Assert.Equal(TimeSpan.FromSeconds(seconds), cluster.Clock.GetUtcNow() - start);
        var offers = storm.Actions.Where(a => a.Kind == StormActionKind.Offer).ToList();
        Assert.InRange(offers.Count, expected - 1, expected); // fractions carried over; the last one may be due a hair later
        Assert.Equal(0, storm.OffersMissed);

        // Evenly: each whole second of virtual time has its share (± 1 for the carried fraction).
        if (rate >= 1)
        {
            foreach (var second in Enumerable.Range(0, seconds))
            {
                var inSecond = offers.Count(a => a.At > TimeSpan.FromSeconds(second) && a.At <= TimeSpan.FromSeconds(second + 1));
                Assert.InRange(inSecond, Math.Floor(rate) - 1, Math.Ceiling(rate) + 1);
            }
        }

        // The master really sent them.
        var received = 0;
        while (received < offers.Count)
        {
            received += (await framework.NextAsync(e => e.Type == Event.Types.Type.Offers)).Offers.Offers_.Count;
        }

        Assert.Equal(offers.Count, received);
    }

    [Fact]
    public async Task OfferStorm_should_count_offers_it_could_not_make()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var storm = new OfferStorm(cluster, new OfferStormOptions { Agents = 5, OffersPerSecond = 10 });

        await storm.RunAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        // The framework holds its offers, and an agent with an outstanding offer is not offered again.
        Assert.Equal(5, storm.Actions.Count(a => a.Kind == StormActionKind.Offer));
        Assert.Equal(5, storm.OffersMissed);
    }

    [Fact]
    public async Task A_master_allocating_storm_should_offer_every_agent_each_interval_and_honour_filters_and_suppression()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var storm = new OfferStorm(cluster, new OfferStormOptions { Agents = 6, Allocation = StormAllocation.Master });
        var agents = await storm.CreateAgentsAsync();
        var seen = 0;

        // Offers made by the latest allocation, as (agent, offer id).
        List<(string Agent, string Offer)> Allocated()
        {
            var offers = storm.Actions.Skip(seen).Where(a => a.Kind == StormActionKind.Offer).Select(a => (a.AgentId, a.Detail!)).ToList();
            seen = storm.Actions.Count;
            return offers;
        }

        // Nothing before the first interval ends; then every agent once.
        await storm.AdvanceAsync(TimeSpan.FromMilliseconds(900));
        Assert.Empty(Allocated());
        await storm.AdvanceAsync(TimeSpan.FromMilliseconds(100));
        var first = Allocated();
        Assert.Equal(agents.Order(), first.Select(o => o.Agent).Order());

        // An agent whose offer is held is not offered again; one declined for 1.5 s is left out until its filter expires.
        await storm.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Empty(Allocated());
        await framework.DeclineAsync([first[0].Offer], refuseSeconds: 1.5);
        await framework.DeclineAsync(first.Skip(1).Select(o => o.Offer), refuseSeconds: 0.1);
        await storm.AdvanceAsync(TimeSpan.FromSeconds(1));
        var second = Allocated();
        Assert.Equal(agents.Where(a => a != first[0].Agent).Order(), second.Select(o => o.Agent).Order());
        await framework.DeclineAsync(second.Select(o => o.Offer), refuseSeconds: 0.1);
        await storm.AdvanceAsync(TimeSpan.FromSeconds(1));
        var third = Allocated();
        Assert.Equal(agents.Order(), third.Select(o => o.Agent).Order());

        // A framework that suppressed gets nothing.
        await framework.DeclineAsync(third.Select(o => o.Offer), refuseSeconds: 0.1);
        await framework.SuppressAsync();
        await storm.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.Empty(Allocated());
    }

    [Fact]
    public async Task A_master_allocating_storm_should_offer_what_a_task_freed_while_the_rest_of_its_agent_is_held()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var storm = new OfferStorm(cluster, new OfferStormOptions { Agents = 1, Shapes = [new AgentResources(Cpus: 2, MemoryMb: 4096)], Allocation = StormAllocation.Master });
        await storm.CreateAgentsAsync();
        await storm.AdvanceAsync(TimeSpan.FromSeconds(1));
        var whole = (await framework.NextAsync(e => e.Type == Event.Types.Type.Offers)).Offers.Offers_.Single();

        // A task of 0.1 cpus runs; the rest of the agent comes back once the ACCEPT's default 5 s filter expires, and is held.
        await framework.LaunchAsync(whole, "t1");
        await AdvanceUntilAsync(TaskState.TaskRunning);
        await storm.AdvanceAsync(TimeSpan.FromSeconds(6));
        var rest = (await framework.NextAsync(e => e.Type == Event.Types.Type.Offers)).Offers.Offers_.Single();
        Assert.Equal(1.9, Cpus(rest), 6);

        // While nothing changes the allocations offer nothing. The task ends: an allocation offers what it freed, once.
        await storm.AdvanceAsync(TimeSpan.FromSeconds(2));
        await framework.KillAsync("t1-id", whole.AgentId);
        await AdvanceUntilAsync(TaskState.TaskKilled);
        await storm.AdvanceAsync(TimeSpan.FromSeconds(3));
        var freed = (await framework.NextAsync(e => e.Type == Event.Types.Type.Offers)).Offers.Offers_.Single();
        Assert.Equal(0.1, Cpus(freed), 6);
        Assert.Equal(3, storm.Actions.Count(a => a.Kind == StormActionKind.Offer));

        async Task AdvanceUntilAsync(TaskState state)
        {
            // The agent sends a task's next update once the last one is acknowledged.
            for (var i = 0; i < 100 && !framework.HasSeen(e => e.Type == Event.Types.Type.Update && e.Update.Status.State == state); i++)
            {
                await framework.AcknowledgeAllAsync();
                await storm.AdvanceAsync(TimeSpan.FromMilliseconds(100));
            }

            await framework.SeenAsync(e => e.Type == Event.Types.Type.Update && e.Update.Status.State == state);
        }

        static double Cpus(Offer offer) => offer.Resources.Where(r => r.Name == "cpus").Sum(r => r.Scalar.Value);
    }

    [Fact]
    public async Task A_forced_storm_should_rescind_at_its_next_step_and_lose_and_mark_gone_agents_once_tasks_run_there()
    {
        // Dice that never fault: whatever faults the storm makes are the forced ones.
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster, FrameworkInfo.Types.Capability.Types.Type.PartitionAware);
        var storm = new OfferStorm(cluster, new OfferStormOptions { Agents = 6, OffersPerSecond = 60, AgentReturnAfter = TimeSpan.FromSeconds(1), Seed = 4 });
        await storm.RunAsync(TimeSpan.FromMilliseconds(100));
        var offers = (await framework.NextAsync(e => e.Type == Event.Types.Type.Offers)).Offers.Offers_.ToList();
        Assert.Equal(6, offers.Count);

        // Forced before any task runs: the rescind is made at the next step, the agent faults wait for tasks to run.
        storm.Force(StormActionKind.AgentGone, StormActionKind.AgentLost, StormActionKind.Rescind);
        await storm.AdvanceAsync(TimeSpan.FromMilliseconds(100));
        var rescind = Assert.Single(Faults(storm));
        Assert.Equal(StormActionKind.Rescind, rescind.Kind);
        Assert.True(rescind.Forced);
        Assert.EndsWith("(forced)", rescind.ToString(), StringComparison.Ordinal);

        // Two tasks run, on agents whose offers were not rescinded: one of them is lost, the other marked gone.
        var launched = offers.Where(o => o.Id.Value != rescind.Detail).Take(2).ToList();
        await framework.LaunchAsync(launched[0], "t0");
        await framework.LaunchAsync(launched[1], "t1");
        for (var i = 0; i < 100 && Faults(storm).Count < 3; i++)
        {
            await framework.AcknowledgeAllAsync();
            await storm.AdvanceAsync(TimeSpan.FromMilliseconds(100));
        }

        var faults = Faults(storm);
        Assert.Equal([StormActionKind.Rescind, StormActionKind.AgentLost, StormActionKind.AgentGone], faults.Select(f => f.Kind));
        Assert.All(faults, f => Assert.True(f.Forced));
        Assert.Equal(launched.Select(o => o.AgentId.Value).Order(), faults.Skip(1).Select(f => f.AgentId).Order());
        await framework.SeenAsync(e => e.Type == Event.Types.Type.Update && e.Update.Status.State == TaskState.TaskUnreachable
            && e.Update.Status.AgentId.Value == faults[1].AgentId);
        await framework.SeenAsync(e => e.Type == Event.Types.Type.Update && e.Update.Status.State == TaskState.TaskGoneByOperator
            && e.Update.Status.AgentId.Value == faults[2].AgentId);

        // Once each: later steps make no more.
        await storm.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(3, Faults(storm).Count);

        static List<StormAction> Faults(OfferStorm storm) =>
            storm.Actions.Where(a => a.Kind is StormActionKind.Rescind or StormActionKind.AgentLost or StormActionKind.AgentGone).ToList();
    }

    [Fact]
    public async Task A_forced_storm_should_hit_only_agents_where_a_task_it_is_told_of_runs()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster, FrameworkInfo.Types.Capability.Types.Type.PartitionAware);
        var storm = new OfferStorm(cluster, new OfferStormOptions { Agents = 4, OffersPerSecond = 40, Seed = 2 });
        await storm.RunAsync(TimeSpan.FromMilliseconds(100));
        var offers = (await framework.NextAsync(e => e.Type == Event.Types.Type.Offers)).Offers.Offers_.ToList();
        await framework.LaunchAsync(offers[0], "t0");
        await framework.LaunchAsync(offers[1], "t1");
        for (var i = 0; i < 100 && !(Running("t0-id") && Running("t1-id")); i++)
        {
            await framework.AcknowledgeAllAsync();
            await storm.AdvanceAsync(TimeSpan.FromMilliseconds(100));
        }

        // Only t1's agent qualifies: it is lost, and the agent gone waits, whatever else runs.
        storm.Force(task => task == "t1", StormActionKind.AgentLost, StormActionKind.AgentGone);
        await storm.AdvanceAsync(TimeSpan.FromSeconds(1));

        var lost = Assert.Single(storm.Actions, a => a.Kind is StormActionKind.AgentLost or StormActionKind.AgentGone);
        Assert.Equal(StormActionKind.AgentLost, lost.Kind);
        Assert.Equal(offers[1].AgentId.Value, lost.AgentId);

        bool Running(string taskId) => framework.HasSeen(e => e.Type == Event.Types.Type.Update
            && e.Update.Status.TaskId.Value == taskId && e.Update.Status.State == TaskState.TaskRunning);
    }

    [Fact]
    public async Task A_forced_rescind_should_offer_an_agent_to_rescind_when_no_offer_is_outstanding()
    {
        // The master allocates and the framework suppressed offers: nothing is outstanding, and no allocation offers anything.
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var storm = new OfferStorm(cluster, new OfferStormOptions { Agents = 3, Allocation = StormAllocation.Master, Seed = 6 });
        await storm.RunAsync(TimeSpan.FromSeconds(1));
        var offers = (await framework.NextAsync(e => e.Type == Event.Types.Type.Offers)).Offers.Offers_.Select(o => o.Id.Value).ToList();
        await framework.DeclineAsync(offers, refuseSeconds: 0.1);
        await framework.SuppressAsync();
        await storm.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Empty(await cluster.OutstandingOffersAsync());

        storm.Force(StormActionKind.Rescind);
        await storm.AdvanceAsync(TimeSpan.FromMilliseconds(100));

        var rescind = Assert.Single(storm.Actions, a => a.Kind == StormActionKind.Rescind);
        Assert.True(rescind.Forced);
        Assert.Equal(storm.Actions[rescind.Index - 1], storm.Actions.Single(a => a.Kind == StormActionKind.Offer && a.Detail == rescind.Detail));
        await framework.SeenAsync(e => e.Type == Event.Types.Type.Rescind && e.Rescind.OfferId.Value == rescind.Detail);
        Assert.Empty(await cluster.OutstandingOffersAsync());
    }

    [Fact]
    public async Task OfferStorm_should_refuse_to_force_what_is_not_a_fault()
    {
        await using var cluster = new SimulatedCluster();
        var storm = new OfferStorm(cluster);

        var error = Assert.Throws<ArgumentException>(() => storm.Force(StormActionKind.Rescind, StormActionKind.AgentReturned));

        Assert.Contains("not AgentReturned", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, OfferStormOptions, string> BadOptions() => new()
    {
        { "no agents", new OfferStormOptions { Agents = 0 }, "Agents must be at least 1 (got 0)" },
        { "no regions", new OfferStormOptions { Regions = 0 }, "Regions must be at least 1 (got 0)" },
        { "no zones", new OfferStormOptions { ZonesPerRegion = -1 }, "ZonesPerRegion must be at least 1 (got -1)" },
        { "no shapes", new OfferStormOptions { Shapes = ImmutableArray<AgentResources>.Empty }, "Shapes must name at least one agent shape" },
        { "negative shape", new OfferStormOptions { Shapes = [new AgentResources(Cpus: -1)] }, "Shapes must not have negative resources" },
        { "zero rate", new OfferStormOptions { OffersPerSecond = 0 }, "OffersPerSecond must be a positive number (got 0)" },
        { "NaN rate", new OfferStormOptions { OffersPerSecond = double.NaN }, "OffersPerSecond must be a positive number (got NaN)" },
        { "unknown allocation", new OfferStormOptions { Allocation = (StormAllocation)7 }, "Allocation must be Random or Master (got 7)" },
        { "zero interval", new OfferStormOptions { AllocationInterval = TimeSpan.Zero }, "AllocationInterval must be positive (got 00:00:00)" },
        { "rescind > 1", new OfferStormOptions { RescindProbability = 1.5 }, "RescindProbability must be between 0 and 1 (got 1.5)" },
        { "loss < 0", new OfferStormOptions { AgentLossProbability = -0.1 }, "AgentLossProbability must be between 0 and 1 (got -0.1)" },
        { "gone > 1", new OfferStormOptions { AgentGoneProbability = 2 }, "AgentGoneProbability must be between 0 and 1 (got 2)" },
        { "zero return", new OfferStormOptions { AgentReturnAfter = TimeSpan.Zero }, "AgentReturnAfter must be positive when set" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task OfferStorm_should_reject_bad_options_with_a_clear_message(string what, OfferStormOptions options, string expected)
    {
        await using var cluster = new SimulatedCluster();

        var error = Assert.Throws<ArgumentException>(() => new OfferStorm(cluster, options));

        Assert.StartsWith("Bad offer storm options: ", error.Message);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public async Task SimulatedCluster_should_reject_bad_agent_attributes_and_domains()
    {
        await using var cluster = new SimulatedCluster();

        var attributes = await Assert.ThrowsAsync<ArgumentException>(() => cluster.AddAgentsAsync(1, null, null, "rack:{zone}"));
        Assert.Contains("{zone}", attributes.Message);
        var domain = await Assert.ThrowsAsync<ArgumentException>(() => cluster.AddAgentsAsync(1, null, new FaultDomain("east", "")));
        Assert.Contains("zone name must be non-empty", domain.Message);
    }

    [Fact]
    public async Task SimulatedCluster_should_keep_sequences_when_history_is_discarded()
    {
        await using var cluster = new SimulatedCluster(timedAllocation: false);
        await using var framework = await StormFramework.SubscribeAsync(cluster);
        var storm = new OfferStorm(cluster, new OfferStormOptions { Agents = 10, OffersPerSecond = 10 });
        await storm.RunAsync(TimeSpan.FromSeconds(1));
        await framework.SeenAsync(e => e.Type == Event.Types.Type.Offers);
        var all = cluster.History;
        Assert.True(all.Count >= 3, $"history too short: {all.Count}");

        cluster.DiscardHistory(all[0].Sequence);

        // The framework may still be reading events: later records may have joined, but the kept ones start after the
        // discarded one, keep their numbers and run on without a gap.
        Assert.Equal(all[1], cluster.History[0]);
        Assert.Equal(all[1], cluster.HistorySince(0)[0]);
        Assert.Equal(all[2], cluster.HistorySince(all[1].Sequence)[0]);
        await framework.LaunchAsync(new Offer { Id = new OfferID { Value = "no-such-offer" }, AgentId = new AgentID { Value = storm.AgentIds[0] }, Resources = { Cpu(), Mem() } }, "x");
        var kept = cluster.History;
        Assert.All(kept.Zip(kept.Skip(1)), pair => Assert.Equal(pair.First.Sequence + 1, pair.Second.Sequence));
        Assert.Contains(kept, r => r.Call?.Type == Call.Types.Type.Accept);
    }

    private static Resource Cpu() => new() { Name = "cpus", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 1 } };

    private static Resource Mem() => new() { Name = "mem", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 64 } };
}
