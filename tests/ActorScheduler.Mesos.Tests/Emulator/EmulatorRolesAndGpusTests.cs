using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>Agents with GPUs and static reservations, offered and refined as a Mesos master does.</summary>
public sealed class EmulatorRolesAndGpusTests
{
    private const string Refined = "slave_public/test-role";

    private static FrameworkInfo Info(bool gpus, params string[] roles)
    {
        var info = new FrameworkInfo { User = "nobody", Name = "test-framework", Principal = "test-principal" };
        info.Roles.AddRange(roles);
        info.Capabilities.Add(new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.MultiRole });
        info.Capabilities.Add(new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.ReservationRefinement });
        if (gpus)
        {
            info.Capabilities.Add(new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.GpuResources });
        }

        return info;
    }

    private static Resource Refine(Resource offered, string role, string resourceId)
    {
        var r = offered.Clone();
        r.Reservations.Add(new Resource.Types.ReservationInfo
        {
            Type = Resource.Types.ReservationInfo.Types.Type.Dynamic,
            Role = role,
            Principal = "test-principal",
            Labels = new Labels { Labels_ = { new Label { Key = "resource_id", Value = resourceId } } },
        });
        return r;
    }

    [Fact]
    public async Task An_agent_with_gpus_is_offered_only_to_frameworks_with_GPU_RESOURCES()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.AgentGpus = 2;
        await using var emulator = await MesosEmulator.StartAsync(options);

        await using var plain = await TestFramework.StartAsync(emulator.Url, Info(gpus: false, "test-role"));
        await Assert.ThrowsAsync<TimeoutException>(() => plain.NextOfferAsync(timeout: TimeSpan.FromMilliseconds(600)));

        await using var gpu = await TestFramework.StartAsync(emulator.Url, Info(gpus: true, "gpu-role"));
        var offer = await gpu.NextOfferAsync();
        Assert.Equal(2, offer.Resources.Single(r => r.Name == "gpus").Scalar.Value);
        Assert.Contains("GpuResources", emulator.Snapshot().Frameworks.Single(f => f.Roles.Contains("gpu-role")).Capabilities);
    }

    [Fact]
    public async Task A_task_or_reservation_with_a_fraction_of_a_gpu_is_refused_as_the_master_refuses_it()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.AgentGpus = 2;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        options.Log = log.Enqueue;
        await using var emulator = await MesosEmulator.StartAsync(options);
        await using var framework = await TestFramework.StartAsync(emulator.Url, Info(gpus: true, "test-role"));

        var offer = await framework.NextOfferAsync();
        var half = CommandTask("half-gpu", offer, "true", Scalar("cpus", 0.1), Scalar("mem", 32), Scalar("gpus", 0.5));
        await framework.AcceptAsync(offer, Launch(half));
        var error = await framework.NextUpdateAsync("half-gpu");
        Assert.Equal((TaskState.TaskError, TaskStatus.Types.Reason.TaskInvalid), (error.State, error.Reason));
        Assert.Equal("Task uses invalid resources: Invalid 'gpus' resource: The 'gpus' resource must be an unsigned integer", error.Message);

        offer = await framework.NextOfferAsync();
        await framework.AcceptAsync(offer, Reserve(Scalar("gpus", 1.5, "test-role", "test-principal")));
        offer = await framework.NextOfferAsync();
        Assert.All(offer.Resources, r => Assert.Empty(r.Reservations));
        Assert.Contains(log, l => l.EndsWith("Invalid resources: Invalid 'gpus' resource: The 'gpus' resource must be an unsigned integer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Static_reservations_are_offered_to_their_role_and_its_sub_roles_refined_and_given_back()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.AgentReserved = "cpus(slave_public):1;mem(slave_public):256";
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        options.Log = log.Enqueue;
        await using var emulator = await MesosEmulator.StartAsync(options);
        await using var framework = await TestFramework.StartAsync(emulator.Url, Info(gpus: false, "test-role", Refined));

        var own = await framework.NextOfferAsync(o => o.AllocationInfo.Role == "test-role");
        var refined = await framework.NextOfferAsync(o => o.AllocationInfo.Role == Refined);
        Assert.All(own.Resources, r => Assert.Empty(r.Reservations));
        var reservedCpus = refined.Resources.Single(r => r.Name == "cpus" && r.Reservations.Count > 0);
        Assert.Equal((Resource.Types.ReservationInfo.Types.Type.Static, "slave_public", 1.0),
            (reservedCpus.Reservations[0].Type, reservedCpus.Reservations[0].Role, reservedCpus.Scalar.Value));

        // A refinement to a role that is no sub-role of the reservation's is dropped; one to the offer's role is made.
        await framework.AcceptAsync(refined, Reserve(Refine(reservedCpus, "other/test-role", "bad")), Reserve(Refine(reservedCpus, Refined, "cpus-1")));
        await framework.DeclineAsync(own);
        var made = await framework.NextOfferAsync(o => o.Resources.Any(r => r.Reservations.Count == 2));
        var cpus = made.Resources.Single(r => r.Reservations.Count == 2);
        Assert.Equal(Refined, made.AllocationInfo.Role);
        Assert.Equal(("slave_public", Refined, "cpus-1"), (cpus.Reservations[0].Role, cpus.Reservations[1].Role, cpus.Reservations[1].Labels.Labels_.Single().Value));
        Assert.DoesNotContain(made.Resources, r => r.Reservations.Any(x => x.Role == "other/test-role"));
        Assert.Contains(log, l => l.EndsWith("Invalid refined reservation: role 'other/test-role' is not a refinement of 'slave_public'", StringComparison.Ordinal));

        // UNRESERVE pops the refinement: the cpus are slave_public's again.
        await framework.AcceptAsync(made, Unreserve(cpus));
        var back = await framework.NextOfferAsync(o => o.AllocationInfo.Role == Refined && o.Resources.Any(r => r.Name == "cpus" && r.Reservations.Count == 1));
        Assert.DoesNotContain(back.Resources, r => r.Reservations.Count == 2);
        Assert.Equal("slave_public", back.Resources.Single(r => r.Name == "cpus" && r.Reservations.Count == 1).Reservations[0].Role);
    }

    [Fact]
    public async Task A_framework_without_the_role_never_sees_its_reservations()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.AgentReserved = "cpus(slave_public):1;mem(slave_public):256";
        await using var emulator = await MesosEmulator.StartAsync(options);
        await using var framework = await TestFramework.StartAsync(emulator.Url, Info(gpus: false, "test-role"));

        var offer = await framework.NextOfferAsync();
        Assert.All(offer.Resources, r => Assert.Empty(r.Reservations));
        Assert.Equal(2, offer.Resources.Single(r => r.Name == "cpus").Scalar.Value);
    }

    [Fact]
    public async Task Statically_reserved_ports_are_carved_out_of_the_agents_unreserved_ports_not_offered_twice()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.AgentReserved = "ports(slave_public):[31000-31010,31500-31500]";
        await using var emulator = await MesosEmulator.StartAsync(options);
        await using var framework = await TestFramework.StartAsync(emulator.Url, Info(gpus: false, "slave_public"));

        var offer = await framework.NextOfferAsync();

        var reserved = offer.Resources.Single(r => r.Name == "ports" && r.Reservations.Count > 0);
        var unreserved = offer.Resources.Single(r => r.Name == "ports" && r.Reservations.Count == 0);
        Assert.Equal([(31000ul, 31010ul), (31500ul, 31500ul)], reserved.Ranges.Range.Select(r => (r.Begin, r.End)));
        Assert.Equal([(31011ul, 31499ul), (31501ul, 32000ul)], unreserved.Ranges.Range.Select(r => (r.Begin, r.End)));
    }

    [Fact]
    public void Unreserved_ranges_lose_the_reserved_ones_of_their_name_and_a_range_reserved_whole_is_not_offered_unreserved()
    {
        var unreserved = new List<Resource>
        {
            new() { Name = "cpus", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 2 } },
            new() { Name = "ports", Type = Value.Types.Type.Ranges, Ranges = RangeMath.ToRanges([(100, 200)]) },
        };
        var reserved = AgentReservedResources.TryParse("cpus(a):1;ports(a):[100-150];ports(b):[151-200]", out _)!;

        var total = AgentReservedResources.AddTo(unreserved, reserved);

        Assert.Equal(2, total.Single(r => r.Name == "cpus" && r.Reservations.Count == 0).Scalar.Value);
        Assert.DoesNotContain(total, r => r.Name == "ports" && r.Reservations.Count == 0);
        Assert.Equal(4, total.Count);
    }

    [Theory]
    [InlineData("ports(slave_public):[4000-4010]", "ports 4000-4010 reserved for 'slave_public' are outside the agents' ports 31000-32000")]
    [InlineData("ports(slave_public):[31990-32010]", "ports 32001-32010 reserved for 'slave_public' are outside the agents' ports 31000-32000")]
    [InlineData("ports(a):[31000-31010];ports(b):[31005-31020]", "ports 31005-31010 are reserved for both 'a' and 'b'")]
    [InlineData("ports(a):[31000-31010];ports(b):[31011-31020];cpus(a):8", null)]
    public void Reserved_ports_must_lie_within_the_agents_ports_and_be_reserved_once(string text, string? error)
    {
        var reserved = AgentReservedResources.TryParse(text, out _)!;

        Assert.Equal(error, AgentReservedResources.FitError(reserved, (31000, 32000)));
    }

    [Fact]
    public async Task Options_reserving_ports_outside_the_agents_ports_refuse_to_start()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.AgentReserved = "ports(slave_public):[4000-4010]";
        var error = await Assert.ThrowsAsync<MesosEmulatorException>(() => MesosEmulator.StartAsync(options));
        Assert.Equal("reserved resources 'ports(slave_public):[4000-4010]': ports 4000-4010 reserved for 'slave_public' are outside the agents' ports 31000-32000", error.Message);
    }

    [Theory]
    [InlineData("cpus(slave_public)2", "'cpus(slave_public)2' is not NAME(ROLE):VALUE, such as cpus(slave_public):2")]
    [InlineData("cpus(*):2", "'cpus(*):2': a reservation needs a role other than '*', got '*'")]
    [InlineData("gpus(r):1.5", "'gpus(r):1.5': gpus take a whole number above 0")]
    [InlineData("bogus(r):1", "'bogus(r):1': the resource must be one of cpus, mem, disk, gpus, ports, got 'bogus'")]
    [InlineData("cpus(a//b):1", "'cpus(a//b):1': role 'a//b' is invalid: its parts, separated by '/', must be non-empty, not '.' or '..', not start with '-', and hold no '*' or blanks")]
    [InlineData("cpus(r):1;cpus(r):2", "'cpus(r):2': cpus(r) is given twice")]
    public void Bad_reserved_resources_are_refused_in_one_line(string text, string error)
    {
        Assert.Null(AgentReservedResources.TryParse(text, out var message));
        Assert.Equal(error, message);
    }

    [Fact]
    public async Task Options_with_bad_reserved_resources_refuse_to_start()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.AgentReserved = "cpus(*):2";
        var error = await Assert.ThrowsAsync<MesosEmulatorException>(() => MesosEmulator.StartAsync(options));
        Assert.Equal("reserved resources 'cpus(*):2': 'cpus(*):2': a reservation needs a role other than '*', got '*'", error.Message);
    }
}
