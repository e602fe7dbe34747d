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

    /// <summary>An offer of unreserved resources, with ports 31000-31999 like an emulator agent's slice.</summary>
    public static Offer Unreserved(string agent = "agent-1", double cpus = 4, double mem = 4096, double disk = 10000)
    {
        var offer = WithPorts(agent);
        offer.Resources.Clear();
        offer.Resources.Add(Resources.Scalar("cpus", cpus));
        offer.Resources.Add(Resources.Scalar("mem", mem));
        offer.Resources.Add(Resources.Scalar("disk", disk));
        offer.Resources.Add(Ports((31000, 31999)));
        return offer;
    }

    /// <summary>A roomy offer whose unreserved ports are exactly <paramref name="ranges"/> (none when empty).</summary>
    public static Offer WithPorts(string agent, params (ulong Begin, ulong End)[] ranges)
    {
        var offer = new Offer
        {
            Id = new OfferID { Value = $"offer-{Guid.NewGuid():N}" },
            FrameworkId = new FrameworkID { Value = "fw-1" },
            AgentId = new AgentID { Value = agent },
            Hostname = $"{agent}.local",
            Resources = { Resources.Scalar("cpus", 4), Resources.Scalar("mem", 4096), Resources.Scalar("disk", 10000) },
        };
        if (ranges.Length > 0)
        {
            offer.Resources.Add(Ports(ranges));
        }

        return offer;
    }

    private static Resource Ports(params (ulong Begin, ulong End)[] ranges)
    {
        var resource = new Resource { Name = "ports", Type = Value.Types.Type.Ranges, Ranges = new Value.Types.Ranges() };
        resource.Ranges.Range.AddRange(ranges.Select(r => new Value.Types.Range { Begin = r.Begin, End = r.End }));
        return resource;
    }

    /// <summary>
    /// Pod "db" whose init (FINISH) and server (RUNNING) tasks share resource set "db-resources": 0.5 cpus, 256 MB, a
    /// 25 MB volume "data" and the given ports.
    /// </summary>
    public static PodSpec SharedSetPod(params PortSpec[] ports)
    {
        var set = new ResourceSetSpec("db-resources", 0.5, 0, 256, null, [.. ports], [new VolumeSpec("data", VolumeType.Root, 25)]);
        TaskSpec Task(string name, GoalState goal, string cmd) =>
            new(name, goal, cmd, set.Cpus, set.MemoryMb, [], set.Volumes) { ResourceSet = set.Id, Ports = set.Ports };
        return new PodSpec(
            "db",
            2,
            false,
            [Task("init", GoalState.Finish, "echo init >> data/log"), Task("server", GoalState.Running, "sleep 1000")],
            []) { ResourceSets = [set] };
    }

    public static PortSpec Port(string name, int port = 0, string? envKey = null, params PortRange[] ranges) =>
        new(name, port, envKey, false, null, [.. ranges]);

    /// <summary>A requirement of instance <paramref name="index"/> of <paramref name="pod"/> to launch <paramref name="tasks"/>.</summary>
    public static PodRequirement Launch(PodSpec pod, string task, Footprint? existing = null, int index = 0) =>
        new("svc", null, pod, index, [task], "config-1", existing);

    /// <summary>An offer from <paramref name="agent"/> carrying the given reserved resources back.</summary>
    public static Offer WithReserved(string agent, IEnumerable<Resource> reserved)
    {
        var offer = Unreserved(agent, 1, 512, 1000);
        offer.Resources.AddRange(reserved.Select(r => r.Clone()));
        return offer;
    }

    /// <summary>
    /// An offer allocated to the refined role <c><paramref name="role"/>/hello-world-role</c> of the
    /// <see cref="Context"/>'s service, with 1 cpu and 512 MB unreserved and the given scalars statically reserved for
    /// <paramref name="role"/> (a Mesos agent's <c>--resources='cpus(role):…'</c>).
    /// </summary>
    public static Offer ReservedFor(string role, string agent = "agent-1", double cpus = 2, double mem = 2048, double disk = 1000)
    {
        var offer = Unreserved(agent, cpus: 1, mem: 512, disk: 0);
        foreach (var (name, amount) in new[] { ("cpus", cpus), ("mem", mem), ("disk", disk) })
        {
            var resource = Resources.Scalar(name, amount);
            resource.Reservations.Add(new Resource.Types.ReservationInfo { Type = Resource.Types.ReservationInfo.Types.Type.Static, Role = role });
            offer.Resources.Add(resource);
        }

        offer.AllocationInfo = new Resource.Types.AllocationInfo { Role = $"{role}/hello-world-role" };
        return offer;
    }
}
