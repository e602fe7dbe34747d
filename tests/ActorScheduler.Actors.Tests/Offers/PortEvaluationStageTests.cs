using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>Ports are reserved from the offer's <c>ports</c> ranges on a new footprint and kept on relaunch.</summary>
public sealed class PortEvaluationStageTests
{
    [Fact]
    public void A_static_port_is_reserved_exactly_and_reaches_the_task_under_its_env_key()
    {
        var pod = TestOffers.SharedSetPod(TestOffers.Port("http", 8080, "HTTP_PORT"));

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server"), TestOffers.WithPorts("agent-1", (8000, 9000)), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        var port = Assert.Single(evaluation.Operations[0].Reserve.Resources, r => r.Name == "ports");
        Assert.Equal(8080, Resources.PortNumber(port));
        Assert.Equal("http", Resources.PortName(port));
        Assert.Equal("db-0-db-resources", Resources.Owner(port));
        Assert.NotNull(Resources.ResourceId(port));
        Assert.Contains("PASS(PortEvaluationStage): reserving port 8080 for 'http' (resource set 'db-resources' of db-0 (db-0-init, db-0-server))", evaluation.Explanation);

        var task = evaluation.Tasks[0].Info;
        Assert.Equal("8080", ResourceSetEvaluationTests.Env(task)["HTTP_PORT"]);
        Assert.Contains(task.Resources, r => r.Name == "ports" && Resources.PortNumber(r) == 8080);
        var discovered = Assert.Single(task.Discovery.Ports.Ports_);
        Assert.Equal((8080u, "http", "tcp"), (discovered.Number, discovered.Name, discovered.Protocol));
    }

    [Fact]
    public void A_static_port_the_offer_lacks_fails_the_offer_with_the_offered_ports_in_the_reason()
    {
        var hello = TestOffers.HelloPod();
        var pod = hello with { Tasks = [hello.Tasks[0] with { Ports = [TestOffers.Port("http", 8080)] }] };

        var absent = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), TestOffers.Context);
        var taken = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.WithPorts("agent-1", (8000, 8079), (8081, 8200)), TestOffers.Context);
        var none = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.WithPorts("agent-1"), TestOffers.Context);

        Assert.False(absent.Passed);
        Assert.Empty(absent.Operations);
        Assert.Equal("FAIL(PortEvaluationStage): port 8080 for 'http' (hello-0-server) is not offered: agent agent-1 (agent-1.local) offers ports 31000-31999", absent.FailureReason);
        Assert.Equal("FAIL(PortEvaluationStage): port 8080 for 'http' (hello-0-server) is not offered: agent agent-1 (agent-1.local) offers ports 8000-8079, 8081-8200", taken.FailureReason);
        Assert.EndsWith("offers no ports", none.FailureReason);
        Assert.Equal("FAIL(PortEvaluationStage): port 8080 for 'http' (hello-0-server) is not offered", OfferOutcomeTracker.ReasonOf(absent.Explanation));
    }

    [Fact]
    public void A_dynamic_port_takes_the_lowest_free_offered_port_within_its_ranges()
    {
        var pod = TestOffers.SharedSetPod(TestOffers.Port("http", envKey: "PORT_HTTP", ranges: new PortRange(31500, 31600)));

        var first = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "init"), TestOffers.Unreserved(), TestOffers.Context);
        var gap = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "init"), TestOffers.WithPorts("agent-1", (31000, 31501), (31503, 32000)), TestOffers.Context);
        var outside = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "init"), TestOffers.WithPorts("agent-1", (31000, 31499), (31601, 32000)), TestOffers.Context);

        Assert.Equal("31500", ResourceSetEvaluationTests.Env(first.Tasks[0].Info)["PORT_HTTP"]);
        Assert.Contains("PASS(PortEvaluationStage): reserving port 31500 for 'http' (resource set 'db-resources' of db-0 (db-0-init, db-0-server)), the lowest free offered port within 31500-31600", first.Explanation);
        Assert.Equal("31500", ResourceSetEvaluationTests.Env(gap.Tasks[0].Info)["PORT_HTTP"]);
        Assert.False(outside.Passed);
        Assert.StartsWith("FAIL(PortEvaluationStage): no free port within 31500-31600 for dynamic 'http'", outside.FailureReason);
    }

    [Fact]
    public void Ports_of_one_pod_never_share_a_number_and_static_ports_are_placed_first()
    {
        // The dynamic port is declared first, but 31000 belongs to the static one.
        var set = TestOffers.SharedSetPod(TestOffers.Port("dyn", envKey: "DYN"), TestOffers.Port("admin", 31000, "ADMIN"));
        var other = new TaskSpec("sidecar", GoalState.Running, "sleep 1000", 0.1, 32, [], []) { Ports = [TestOffers.Port("side", envKey: "SIDE")] };
        var pod = set with { Tasks = [.. set.Tasks, other] };

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server"), TestOffers.WithPorts("agent-1", (31000, 31010)), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        var ports = evaluation.Operations[0].Reserve.Resources.Where(r => r.Name == "ports").ToDictionary(r => Resources.PortName(r)!, r => Resources.PortNumber(r));
        Assert.Equal(new Dictionary<string, int?> { ["admin"] = 31000, ["dyn"] = 31001, ["side"] = 31002 }, ports);
        var env = ResourceSetEvaluationTests.Env(evaluation.Tasks[0].Info);
        Assert.Equal(("31001", "31000"), (env["DYN"], env["ADMIN"]));
        Assert.False(env.ContainsKey("SIDE"));
    }

    [Fact]
    public void A_port_without_env_key_gets_no_environment_variable()
    {
        var pod = TestOffers.SharedSetPod(TestOffers.Port("http"));

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server"), TestOffers.Unreserved(), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.DoesNotContain(ResourceSetEvaluationTests.Env(evaluation.Tasks[0].Info).Keys, k => k.StartsWith("PORT", StringComparison.Ordinal));
    }

    [Fact]
    public void A_relaunch_keeps_the_reserved_port()
    {
        var pod = TestOffers.SharedSetPod(TestOffers.Port("http", envKey: "PORT_HTTP"));
        var first = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server"), TestOffers.WithPorts("agent-1", (31007, 31999)), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);

        // The relaunch offer has other unreserved ports; the reserved one comes back with its reservation.
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);
        var relaunch = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server", footprint), offer, TestOffers.Context);

        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        Assert.Equal("31007", ResourceSetEvaluationTests.Env(relaunch.Tasks[0].Info)["PORT_HTTP"]);
        Assert.Contains("PASS(PortEvaluationStage): 'http' (resource set 'db-resources' of db-0 (db-0-init, db-0-server)) keeps its reserved port 31007", relaunch.Explanation);
        var reservedPort = first.Footprint.Single(r => r.Name == "ports");
        Assert.Contains(relaunch.Tasks[0].Info.Resources, r => Resources.ResourceId(r) == Resources.ResourceId(reservedPort));
    }

    [Fact]
    public void A_pod_on_a_virtual_network_reserves_no_host_ports()
    {
        var set = TestOffers.SharedSetPod(TestOffers.Port("http", 8080, "HTTP"), TestOffers.Port("dyn", envKey: "DYN"));
        var pod = set with { Networks = [new NetworkSpec("dcos", [], [], [])] };

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "init"), TestOffers.WithPorts("agent-1"), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.DoesNotContain(evaluation.Footprint, r => r.Name == "ports");
        Assert.Contains("PASS(PortEvaluationStage): db joins virtual network dcos: no host ports are reserved", evaluation.Explanation);
        var env = ResourceSetEvaluationTests.Env(evaluation.Tasks[0].Info);
        Assert.Equal(("8080", "1025"), (env["HTTP"], env["DYN"]));

        // The relaunch numbers them the same way.
        var relaunch = OfferEvaluator.Evaluate(
            TestOffers.Launch(pod, "server", new Footprint("agent-1", "agent-1.local", evaluation.Footprint)),
            TestOffers.WithReserved("agent-1", evaluation.Footprint),
            TestOffers.Context);
        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        Assert.Equal(("8080", "1025"), (ResourceSetEvaluationTests.Env(relaunch.Tasks[0].Info)["HTTP"], ResourceSetEvaluationTests.Env(relaunch.Tasks[0].Info)["DYN"]));
    }

    [Fact]
    public void Pods_packed_into_one_offer_get_different_ports()
    {
        var pod = TestOffers.SharedSetPod(TestOffers.Port("http", envKey: "PORT_HTTP"));
        var offer = TestOffers.WithPorts("agent-1", (31000, 31001));

        var first = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server", index: 0), offer, TestOffers.Context);
        var rest = OfferRemainder.After(offer, first);
        var second = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server", index: 1), rest, TestOffers.Context);
        var third = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server", index: 2), OfferRemainder.After(rest, second), TestOffers.Context);

        Assert.Equal("31000", ResourceSetEvaluationTests.Env(first.Tasks[0].Info)["PORT_HTTP"]);
        Assert.Equal("31001", ResourceSetEvaluationTests.Env(second.Tasks[0].Info)["PORT_HTTP"]);
        Assert.False(third.Passed);
        Assert.EndsWith("offers no ports", third.FailureReason);
    }

    [Fact]
    public void Offered_ports_are_merged_sorted_and_exclude_reserved_ones()
    {
        var offer = TestOffers.WithPorts("agent-1", (31010, 31020), (31000, 31009), (31030, 31030));
        offer.Resources.Add(Resources.ReservedPort(31040, "x", TestOffers.Context.Reservation, "someone"));

        Assert.Equal([(31000, 31020), (31030, 31030)], PortEvaluationStage.OfferedPorts(offer));
        Assert.Equal("ports 31000-31020, 31030", PortEvaluationStage.Describe(PortEvaluationStage.OfferedPorts(offer)));
    }

    /// <summary>db-0's server deployed with <paramref name="before"/>, then relaunched on its footprint with <paramref name="after"/>.</summary>
    private static (OfferEvaluation First, OfferEvaluation Relaunch) Relaunch(PortSpec[] before, PortSpec[] after)
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Launch(TestOffers.SharedSetPod(before), "server"), TestOffers.Unreserved(), TestOffers.Context);
        Assert.True(first.Passed, string.Join("\n", first.Explanation));
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);
        var relaunch = OfferEvaluator.Evaluate(
            TestOffers.Launch(TestOffers.SharedSetPod(after), "server", footprint), TestOffers.WithReserved("agent-1", first.Footprint), TestOffers.Context);
        return (first, relaunch);
    }

    private static IEnumerable<(string? Name, int? Number)> PortsOf(IEnumerable<Resource> resources) =>
        resources.Where(r => r.Name == "ports").Select(r => (Resources.PortName(r), Resources.PortNumber(r))).OrderBy(p => p.Item1);

    [Fact]
    public void A_port_added_to_a_deployed_pod_is_reserved_in_place_and_joins_the_footprint()
    {
        var (first, relaunch) = Relaunch([TestOffers.Port("http", 31080)], [TestOffers.Port("http", 31080), TestOffers.Port("admin", 0, "ADMIN_PORT")]);

        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        Assert.Equal([Offer.Types.Operation.Types.Type.Reserve, Offer.Types.Operation.Types.Type.LaunchGroup], relaunch.Operations.Select(o => o.Type));
        var added = Assert.Single(relaunch.Operations[0].Reserve.Resources);
        Assert.Equal(("admin", (int?)31000), (Resources.PortName(added), Resources.PortNumber(added)));
        Assert.Contains("PASS(PortEvaluationStage): adding 'admin' (resource set 'db-resources' of db-0 (db-0-init, db-0-server)): reserving port 31000 in place (RESERVE)", relaunch.Explanation);
        Assert.Equal("31000", ResourceSetEvaluationTests.Env(relaunch.Tasks[0].Info)["ADMIN_PORT"]);
        Assert.Equal([("admin", 31000), ("http", 31080)], PortsOf(relaunch.Tasks[0].Info.Resources));
        // The footprint is the old one plus the new port: every other resource id is kept.
        Assert.Equal(first.Footprint.Select(Resources.ResourceId).Append(Resources.ResourceId(added)).Order(), relaunch.Footprint.Select(Resources.ResourceId).Order());
    }

    [Fact]
    public void A_static_port_moved_by_the_spec_reserves_the_new_number_and_gives_the_old_back()
    {
        var (first, relaunch) = Relaunch([TestOffers.Port("http", 31080)], [TestOffers.Port("http", 31500)]);

        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        Assert.Equal(
            [Offer.Types.Operation.Types.Type.Unreserve, Offer.Types.Operation.Types.Type.Reserve, Offer.Types.Operation.Types.Type.LaunchGroup],
            relaunch.Operations.Select(o => o.Type));
        Assert.Equal([("http", 31080)], PortsOf(relaunch.Operations[0].Unreserve.Resources));
        Assert.Equal([("http", 31500)], PortsOf(relaunch.Operations[1].Reserve.Resources));
        Assert.Equal([("http", 31500)], PortsOf(relaunch.Tasks[0].Info.Resources));
        Assert.Equal([("http", 31500)], PortsOf(relaunch.Footprint));
        Assert.DoesNotContain(Resources.ResourceId(first.Footprint.Single(r => r.Name == "ports")), relaunch.Footprint.Select(Resources.ResourceId));
    }

    [Fact]
    public void A_port_removed_from_the_spec_is_given_back_and_leaves_the_footprint()
    {
        var (_, relaunch) = Relaunch([TestOffers.Port("http", 31080), TestOffers.Port("debug", 31090)], [TestOffers.Port("http", 31080)]);

        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        Assert.Equal([Offer.Types.Operation.Types.Type.Unreserve, Offer.Types.Operation.Types.Type.LaunchGroup], relaunch.Operations.Select(o => o.Type));
        Assert.Equal([("debug", 31090)], PortsOf(relaunch.Operations[0].Unreserve.Resources));
        Assert.Equal([("http", 31080)], PortsOf(relaunch.Tasks[0].Info.Resources));
        Assert.Equal([("http", 31080)], PortsOf(relaunch.Footprint));
        Assert.Contains("PASS(PortEvaluationStage): 'debug' (resource set 'db-resources' of db-0 (db-0-init, db-0-server)) is no longer in the spec: its reserved port 31090 is given back (UNRESERVE)", relaunch.Explanation);
    }

    [Fact]
    public void A_port_added_that_the_agent_does_not_offer_fails_the_relaunch_with_what_it_offers()
    {
        var (_, relaunch) = Relaunch([TestOffers.Port("http", 31080)], [TestOffers.Port("http", 31080), TestOffers.Port("metrics", 9100)]);

        Assert.False(relaunch.Passed);
        Assert.Contains("FAIL(PortEvaluationStage): adding 'metrics' (resource set 'db-resources' of db-0 (db-0-init, db-0-server)) needs port 9100 unreserved on this agent: agent agent-1 (agent-1.local) offers ports 31000-31999", relaunch.Explanation);
    }
}
