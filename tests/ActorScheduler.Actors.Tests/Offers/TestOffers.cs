using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>Builders for offers, specs and requirements used across offer tests.</summary>
internal static class TestOffers
{
    public static readonly EvaluationContext Context = new(
        new ReservationContext("hello-world-role", "hello-world-principal", "fw-1"),
        new ExecutorResources(0.1, 32, 256),
        ImmutableArray.Create(new KeyValuePair<string, string>("SCHEDULER_API_PORT", "8080")));

    public static PodSpec HelloPod(double cpus = 0.5, int mem = 256) => new(
        "hello",
        1,
        false,
        ImmutableArray.Create(new TaskSpec(
            "server",
            GoalState.Running,
            "echo hello >> data/output && sleep 1000",
            cpus,
            mem,
            ImmutableArray.Create(new KeyValuePair<string, string>("SLEEP_DURATION", "1000")),
            ImmutableArray.Create(new VolumeSpec("data", VolumeType.Root, 25)))),
        ImmutableArray<VolumeSpec>.Empty);

    public static PodRequirement Requirement(PodSpec pod, Footprint? existing = null) =>
        new("hello-world", null, pod, 0, ImmutableArray.Create("server"), "config-1", existing);

    public static Offer Unreserved(string agent = "agent-1", double cpus = 4, double mem = 4096, double disk = 10000) => new()
    {
        Id = new OfferID { Value = $"offer-{Guid.NewGuid():N}" },
        FrameworkId = new FrameworkID { Value = "fw-1" },
        AgentId = new AgentID { Value = agent },
        Hostname = $"{agent}.local",
        Resources = { Resources.Scalar("cpus", cpus), Resources.Scalar("mem", mem), Resources.Scalar("disk", disk) },
    };

    /// <summary>An offer from <paramref name="agent"/> carrying the given reserved resources back.</summary>
    public static Offer WithReserved(string agent, IEnumerable<Resource> reserved)
    {
        var offer = Unreserved(agent, 1, 512, 1000);
        offer.Resources.AddRange(reserved.Select(r => r.Clone()));
        return offer;
    }
}
