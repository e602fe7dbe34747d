using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Offers;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>
/// Every kind of failure a new footprint meets, through the pure evaluator and the outcome tracker: each is one line in a
/// pod's summary (and so in its PREPARED step's message), with the amounts it lacked or the rule's own words (issue #5:
/// "every decision explained").
/// </summary>
public sealed class NotPlacedReasonTests
{
    public static TheoryData<string> Kinds => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_failure_is_one_line_with_its_amounts_or_its_rules_words(string kind)
    {
        var (requirement, offer, placed, why) = Cases[kind]();
        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context, placed);
        Assert.False(evaluation.Passed);
        var tracker = new OfferOutcomeTracker();
        tracker.Record(new OfferOutcome(DateTime.UtcNow, requirement.PodInstanceName, offer.Id.Value, offer.AgentId.Value, offer.Hostname, false, evaluation.Explanation));

        var failure = Assert.Single(Assert.Single(tracker.Query(requirement.PodInstanceName, 1).Summaries).Failures);

        Assert.Equal(why, failure.Why);
        Assert.Equal(why, tracker.TopFailure(requirement.PodInstanceName)?.Why);
        Assert.DoesNotContain('\n', failure.Line);
    }

    private static readonly PodSpec Hello = TestOffers.HelloPod();

    private static PodSpec Placed(string rule) => Hello with { Placement = PlacementRuleParser.Parse(rule, "hello").Rule, PlacementText = rule };

    private static PodSpec WithPorts(params PortSpec[] ports) => Hello with { Tasks = [Hello.Tasks[0] with { Ports = [.. ports] }] };

    private static PodSpec WithVolume(VolumeType type, int sizeMb) => Hello with { Tasks = [Hello.Tasks[0] with { Volumes = [new VolumeSpec("data", type, sizeMb)] }] };

    private static Offer InZone(string agent, string region, string zone)
    {
        var offer = TestOffers.Unreserved(agent);
        offer.Domain = new DomainInfo { FaultDomain = new() { Region = new() { Name = region }, Zone = new() { Name = zone } } };
        return offer;
    }

    private static Offer WithMountDisk(double sizeMb)
    {
        var offer = TestOffers.Unreserved();
        var disk = Resources.Scalar("disk", sizeMb);
        disk.Disk = new Resource.Types.DiskInfo
        {
            Source = new Resource.Types.DiskInfo.Types.Source
            {
                Type = Resource.Types.DiskInfo.Types.Source.Types.Type.Mount,
                Mount = new Resource.Types.DiskInfo.Types.Source.Types.Mount { Root = "/mnt/a" },
            },
        };
        offer.Resources.Add(disk);
        return offer;
    }

    private static PlacedTasks On(params (string Pod, string Host)[] pods) =>
        new([.. pods.Select(p => new PlacedTask(p.Pod, PlacementAgent.OnHost(p.Host)))]);

    private static PodRequirement Instance(PodSpec pod, int index) => TestOffers.Requirement(pod) with { Index = index };

    /// <summary>
    /// A relaunch in place of hello-0 on agent-1, whose footprint holds 0.5 cpus (and the executor's): the offer brings
    /// it back with 1 cpu unreserved and no GPU.
    /// </summary>
    private static (PodRequirement, Offer, PlacedTasks) InPlace(PodSpec pod)
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(Hello), TestOffers.Unreserved("agent-1"), TestOffers.Context);
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);
        return (TestOffers.Requirement(pod, new Footprint(offer.AgentId.Value, offer.Hostname, first.Footprint)), offer, On());
    }

    private static readonly Dictionary<string, Func<(PodRequirement Requirement, Offer Offer, PlacedTasks Placed, string Why)>> Cases = new()
    {
        ["hostname UNIQUE"] = () => (Instance(Placed("hostname:UNIQUE"), 1), TestOffers.Unreserved("agent-1"), On(("hello-0", "agent-1.local")),
            "FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE"),
        ["hostname MAX_PER"] = () => (Instance(Placed("hostname:MAX_PER:2"), 2), TestOffers.Unreserved("agent-1"), On(("hello-0", "agent-1.local"), ("hello-1", "agent-1.local")),
            "FAIL(PlacementRuleEvaluationStage): hostname:MAX_PER:2"),
        ["hostname GROUP_BY"] = () => (Instance(Placed("hostname:GROUP_BY:2"), 1), TestOffers.Unreserved("agent-1"), On(("hello-0", "agent-1.local")),
            "FAIL(PlacementRuleEvaluationStage): hostname:GROUP_BY:2"),
        ["hostname LIKE"] = () => (Instance(Placed("hostname:LIKE:agent-9.*"), 0), TestOffers.Unreserved("agent-1"), On(),
            "FAIL(PlacementRuleEvaluationStage): hostname:LIKE:agent-9.*"),
        ["zone IS"] = () => (Instance(Placed("@zone:IS:eu-1a"), 0), InZone("agent-1", "eu", "eu-1b"), On(),
            "FAIL(PlacementRuleEvaluationStage): @zone:IS:eu-1a"),
        ["region IS"] = () => (Instance(Placed("@region:IS:us"), 0), InZone("agent-1", "eu", "eu-1b"), On(),
            "FAIL(PlacementRuleEvaluationStage): @region:IS:us"),
        ["static port not offered"] = () => (Instance(WithPorts(TestOffers.Port("http", 8080)), 0), TestOffers.Unreserved("agent-1"), On(),
            "FAIL(PortEvaluationStage): port 8080 for 'http' (hello-0-server) is not offered"),
        ["no port left in ranges"] = () => (Instance(WithPorts(TestOffers.Port("dyn", 0, "DYN", new PortRange(10000, 10010))), 0), TestOffers.Unreserved("agent-1"), On(),
            "FAIL(PortEvaluationStage): no free port within 10000-10010 for dynamic 'dyn' (hello-0-server)"),
        ["ROOT disk too small"] = () => (Instance(WithVolume(VolumeType.Root, 5000), 0), TestOffers.Unreserved("agent-1", disk: 1000), On(),
            "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'disk' for new reservation (needs 5256, offers had at most 1000)"),
        ["no MOUNT disk"] = () => (Instance(WithVolume(VolumeType.Mount, 500), 0), TestOffers.Unreserved("agent-1"), On(),
            "FAIL(VolumeEvaluationStage): no MOUNT disk >= 500 MB for MOUNT volume 'data' of hello-0-server (needs 500, offers had at most 0)"),
        ["MOUNT disk too small"] = () => (Instance(WithVolume(VolumeType.Mount, 500), 0), WithMountDisk(100), On(),
            "FAIL(VolumeEvaluationStage): no MOUNT disk >= 500 MB for MOUNT volume 'data' of hello-0-server (needs 500, offers had at most 100)"),
        ["executor cpus"] = () => (Instance(Hello, 0), TestOffers.Unreserved("agent-1", cpus: 0.5), On(),
            "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation (needs 0.6, offers had at most 0.5)"),
        ["mem"] = () => (Instance(Hello, 0), TestOffers.Unreserved("agent-1", mem: 100), On(),
            "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'mem' for new reservation (needs 288, offers had at most 100)"),
        ["pre-reserved role lacks"] = () => (Instance(Hello with { PreReservedRole = "slave_public" }, 0), TestOffers.ReservedFor("slave_public", mem: 100), On(),
            "FAIL(ResourceEvaluationStage): Offer lacks sufficient 'mem' reserved for role 'slave_public' for new reservation (needs 288, offers had at most 100)"),
        ["growing a reservation in place"] = () => InPlace(TestOffers.HelloPod(cpus: 2)) is var (r, o, p)
            ? (r, o, p, "FAIL(ResourceEvaluationStage): growing hello-0-server's reserved 'cpus' from 0.5 to 2 needs more unreserved on this agent (needs 1.5, offers had at most 1)") : default,
        ["adding gpus in place"] = () => InPlace(Hello with { Tasks = [Hello.Tasks[0] with { Gpus = 1 }] }) is var (r, o, p)
            ? (r, o, p, "FAIL(ResourceEvaluationStage): reserving 1 'gpus' for hello-0-server needs them unreserved on this agent (needs 1, offers had at most 0)") : default,
    };
}
