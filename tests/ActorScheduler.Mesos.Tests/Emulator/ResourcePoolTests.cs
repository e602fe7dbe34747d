using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

public sealed class ResourcePoolTests
{
    [Fact]
    public void The_version_changes_with_the_content_and_only_then()
    {
        var pool = new ResourcePool([Scalar("cpus", 1)]);
        var seen = new HashSet<long> { pool.Version };

        // Reads, empty additions and refused subtractions change nothing.
        _ = pool.Scalar("cpus");
        _ = pool.ContainsAll([Scalar("cpus", 0.5)]);
        pool.Add(Scalar("cpus", 0));
        Assert.False(pool.TrySubtract(Scalar("mem", 1)));
        Assert.Single(seen, pool.Version);

        // Every change gives a version not seen before.
        pool.Add(Scalar("cpus", 0.5));
        Assert.True(seen.Add(pool.Version));
        pool.Add(Scalar("mem", 64));
        Assert.True(seen.Add(pool.Version));
        Assert.True(pool.TrySubtract(Scalar("cpus", 0.5)));
        Assert.True(seen.Add(pool.Version));
        pool.SubtractSaturating(Scalar("mem", 128));
        Assert.True(seen.Add(pool.Version));
        Assert.Equal(1, pool.Scalar("cpus"));
        Assert.Equal(0, pool.Scalar("mem"));
    }

    [Fact]
    public void Scalars_of_the_same_shape_merge_and_subtract_in_fixed_point()
    {
        var pool = new ResourcePool([Scalar("cpus", 0.1), Scalar("cpus", 0.2)]);

        Assert.Equal(0.3, pool.Scalar("cpus"));
        Assert.True(pool.TrySubtract(Scalar("cpus", 0.3)));
        Assert.True(pool.IsEmpty);
        Assert.False(pool.TrySubtract(Scalar("cpus", 0.001)));
    }

    [Fact]
    public void Contains_all_counts_resources_of_one_shape_together_and_leaves_the_pool_as_it_was()
    {
        var reserved = ResourceFormat.ToInternal(Scalar("mem", 64, "r", null, ("resource_id", "m")));
        var pool = new ResourcePool([Scalar("cpus", 1), Ports((31000, 31001)), reserved]);

        Assert.True(pool.ContainsAll([Scalar("cpus", 0.5), Scalar("cpus", 0.5), Ports((31000, 31000)), Ports((31001, 31001)), reserved]));
        Assert.False(pool.ContainsAll([Scalar("cpus", 0.5), Scalar("cpus", 0.6)]));
        Assert.False(pool.ContainsAll([Scalar("cpus", 1), Scalar("cpus", 0.1)]));
        Assert.False(pool.ContainsAll([Ports((31000, 31001)), Ports((31001, 31001))]));
        Assert.False(pool.ContainsAll([reserved, reserved]));
        Assert.False(pool.ContainsAll([Scalar("mem", 1)]));

        Assert.Equal(1, pool.Scalar("cpus"));
        Assert.Equal(2, pool.RangeCount("ports"));
        Assert.Equal(64, pool.Scalar("mem"));
    }

    [Fact]
    public void A_value_copy_equals_the_original_in_every_field_and_owns_only_its_value()
    {
        // Every field of Resource set: a field the copy forgets (say, one a newer mesos.proto adds) fails the equality.
        var full = ResourceFormat.ToInternal(Scalar("disk", 10, "r", "p", ("resource_id", "v")));
        full.ProviderId = new ResourceProviderID { Value = "provider" };
        full.Role = "legacy";
        full.AllocationInfo = new Resource.Types.AllocationInfo { Role = "r" };
        full.Reservation = new Resource.Types.ReservationInfo { Principal = "p" };
        full.Disk = new Resource.Types.DiskInfo { Persistence = new Resource.Types.DiskInfo.Types.Persistence { Id = "vol" } };
        full.Revocable = new Resource.Types.RevocableInfo();
        full.Shared = new Resource.Types.SharedInfo();
        full.Ranges = new Value.Types.Ranges { Range = { new Value.Types.Range { Begin = 1, End = 2 } } };
        full.Set = new Value.Types.Set { Item = { "a" } };
        var unset = Resource.Descriptor.Fields.InFieldNumberOrder().Where(f => !f.IsRepeated && !f.Accessor.HasValue(full)).Select(f => f.Name);
        Assert.Empty(unset);
        Assert.NotEmpty(full.Reservations);

        var copy = ResourceFormat.CopyValue(full);

        Assert.Equal(full, copy);
        Assert.NotSame(full.Scalar, copy.Scalar);
        Assert.NotSame(full.Ranges, copy.Ranges);
        Assert.NotSame(full.Set, copy.Set);
        copy.Scalar.Value = 3;
        copy.Set.Item.Add("b");
        Assert.Equal(10, full.Scalar.Value);
        Assert.Single(full.Set.Item);
    }

    [Fact]
    public void Port_ranges_split_and_merge()
    {
        var pool = new ResourcePool([Ports((31000, 31010))]);

        Assert.True(pool.TrySubtract(Ports((31003, 31004))));
        Assert.False(pool.Contains(Ports((31003, 31003))));
        Assert.True(pool.Contains(Ports((31000, 31002), (31005, 31010))));
        pool.Add(Ports((31003, 31004)));
        Assert.Equal(11, pool.RangeCount("ports"));
        Assert.Single(pool.Resources.Single().Ranges.Range);
    }

    [Fact]
    public void Reservations_with_different_labels_never_merge()
    {
        var a = ResourceFormat.ToInternal(Scalar("disk", 10, "r", null, ("resource_id", "a")));
        var b = ResourceFormat.ToInternal(Scalar("disk", 10, "r", null, ("resource_id", "b")));
        var pool = new ResourcePool([a, b, Scalar("disk", 5)]);

        Assert.Equal(3, pool.Resources.Count);
        Assert.False(pool.Contains(ResourceFormat.ToInternal(Scalar("disk", 15, "r", null, ("resource_id", "a")))));
    }

    [Fact]
    public void The_shape_ignores_the_value_and_the_allocation_but_not_the_volume()
    {
        var explicitStar = Scalar("cpus", 1);
        explicitStar.Role = "*";
        var allocated = Scalar("cpus", 2);
        allocated.AllocationInfo = new Resource.Types.AllocationInfo { Role = "r" };
        var pool = new ResourcePool([Scalar("cpus", 0.5), explicitStar, allocated]);

        Assert.Single(pool.Resources);
        Assert.Equal(3.5, pool.Scalar("cpus"));

        Resource PersistentVolume(string id)
        {
            var volume = ResourceFormat.ToInternal(Scalar("disk", 10, "r", null, ("resource_id", "v")));
            volume.Disk = new Resource.Types.DiskInfo
            {
                Persistence = new Resource.Types.DiskInfo.Types.Persistence { Id = id },
                Volume = new ActorScheduler.Messages.MesosV1.Volume { ContainerPath = "data", Mode = ActorScheduler.Messages.MesosV1.Volume.Types.Mode.Rw },
            };
            return volume;
        }

        var volumes = new ResourcePool([PersistentVolume("a"), PersistentVolume("b")]);
        Assert.Equal(2, volumes.Resources.Count);
        Assert.True(volumes.TrySubtract(PersistentVolume("a")));
        Assert.False(volumes.Contains(PersistentVolume("a")));
        Assert.True(volumes.Contains(PersistentVolume("b")));
    }

    [Fact]
    public void Pre_refinement_resources_are_upgraded_and_rendered_back_per_framework_capability()
    {
        var wire = Scalar("cpus", 1, "eng", "ops", ("k", "v"));

        var internalForm = ResourceFormat.ToInternal(wire);
        Assert.False(internalForm.HasRole);
        Assert.Null(internalForm.Reservation);
        var reservation = Assert.Single(internalForm.Reservations);
        Assert.Equal(Resource.Types.ReservationInfo.Types.Type.Dynamic, reservation.Type);
        Assert.Equal("eng", reservation.Role);
        Assert.Equal("ops", reservation.Principal);

        var legacy = ResourceFormat.ToFramework(internalForm, refinement: false, allocationRole: null);
        Assert.Equal(wire, legacy);

        var refined = ResourceFormat.ToFramework(internalForm, refinement: true, allocationRole: "eng");
        Assert.Equal("eng", refined.Reservations.Single().Role);
        Assert.Equal("eng", refined.AllocationInfo.Role);
        Assert.False(refined.HasRole);

        var unreserved = ResourceFormat.ToFramework(ResourceFormat.ToInternal(Scalar("mem", 1)), refinement: false, allocationRole: null);
        Assert.True(unreserved.HasRole);
        Assert.Equal("*", unreserved.Role);
    }

    [Fact]
    public void A_task_s_resources_in_internal_form_are_kept_as_sent_and_pre_refinement_ones_are_converted_on_a_copy()
    {
        // As a MULTI_ROLE framework sends them: refined reservations, allocation info set.
        var refined = ResourceFormat.ToInternal(Scalar("cpus", 1, "eng", "ops", ("resource_id", "r1")));
        refined.AllocationInfo = new Resource.Types.AllocationInfo { Role = "eng" };
        Assert.Same(refined, ResourceFormat.AsInternal(refined));
        var unreserved = Scalar("mem", 64);
        Assert.Same(unreserved, ResourceFormat.AsInternal(unreserved));

        // Kept with its allocation info, it still counts against the entry it was drawn from.
        var pool = new ResourcePool([ResourceFormat.ToInternal(Scalar("cpus", 2, "eng", "ops", ("resource_id", "r1")))]);
        Assert.True(pool.ContainsAll([ResourceFormat.AsInternal(refined)]));
        Assert.Equal(1, pool.MinusSaturating([[ResourceFormat.AsInternal(refined)]]).Scalar("cpus"));

        foreach (var legacy in new[] { Scalar("cpus", 1, "eng", "ops", ("k", "v")), Scalar("mem", 1, "*") })
        {
            var before = legacy.Clone();
            var converted = ResourceFormat.AsInternal(legacy);
            Assert.NotSame(legacy, converted);
            Assert.Equal(ResourceFormat.ToInternal(before), converted);
            Assert.Equal(before, legacy);
        }
    }

    [Fact]
    public void The_allocator_offers_reserved_resources_only_to_their_role_and_honours_filters()
    {
        var free = new ResourcePool([Scalar("cpus", 2), Scalar("mem", 256), ResourceFormat.ToInternal(Scalar("cpus", 1, "a"))]);
        var candidates = new[] { new AllocationCandidate("f1", "a"), new AllocationCandidate("f2", "b") };

        var decisions = Allocator.Allocate([new AgentAvailability("s0", free)], candidates, (_, _, _) => false);

        var first = Assert.Single(decisions);
        Assert.Equal("f1", first.FrameworkId);
        Assert.Equal(3, first.Resources.Scalar("cpus"));

        var filtered = Allocator.Allocate([new AgentAvailability("s0", free)], candidates, (c, _, _) => c.FrameworkId == "f1");
        var second = Assert.Single(filtered);
        Assert.Equal("f2", second.FrameworkId);
        Assert.Equal(2, second.Resources.Scalar("cpus"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Minus_saturating_leaves_what_subtracting_each_used_resource_from_a_copy_leaves(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var total = new ResourcePool(Enumerable.Range(0, random.Next(1, 12)).Select(_ => RandomResource(random)).ToList());
            var used = Enumerable.Range(0, random.Next(0, 6))
                .Select(_ => (IReadOnlyList<Resource>)Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomResource(random)).ToList())
                .ToList();
            var reference = total.Clone();
            foreach (var resources in used)
            {
                reference.SubtractSaturating(resources);
            }

            var before = Canonical(total);
            var left = total.MinusSaturating(used);

            Assert.Equal(Canonical(reference), Canonical(left));
            Assert.Equal(before, Canonical(total));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Contains_all_answers_as_subtracting_each_resource_from_a_copy_does(int seed)
    {
        var random = new Random(seed);
        var (yes, no) = (0, 0);
        for (var round = 0; round < 300; round++)
        {
            var pool = new ResourcePool(Enumerable.Range(0, random.Next(1, 12)).Select(_ => RandomResource(random)).ToList());
            var wanted = Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomResource(random)).ToList();
            var copy = pool.Clone();
            var expected = wanted.All(copy.TrySubtract);
            var before = Canonical(pool);

            Assert.Equal(expected, pool.ContainsAll(wanted));
            Assert.Equal(before, Canonical(pool));
            (yes, no) = expected ? (yes + 1, no) : (yes, no + 1);
        }

        // Both answers occur, or the comparison says little.
        Assert.True(yes > 20 && no > 20, $"{yes} contained, {no} not");
    }

    // Few shapes, so that used resources meet the total's entries: cpus and mem unreserved or reserved under one of two
    // resource ids, ports, and a MOUNT disk (indivisible), in amounts of three decimals.
    private static Resource RandomResource(Random random)
    {
        var amount = Math.Round(random.NextDouble() * 4, 3);
        var reserved = random.Next(3) switch { 0 => null, 1 => "a", _ => "b" };
        Resource Reserved(Resource r) => ResourceFormat.ToInternal(r);
        return random.Next(5) switch
        {
            0 => Reserved(reserved is null ? Scalar("cpus", amount) : Scalar("cpus", amount, "r", null, ("resource_id", reserved))),
            1 => Reserved(reserved is null ? Scalar("mem", amount * 100) : Scalar("mem", amount * 100, "r", null, ("resource_id", reserved))),
            2 => Reserved(Ports(((ulong)random.Next(31000, 31010), (ulong)random.Next(31010, 31020)))),
            3 => Reserved(MountDisk("/mnt/a", random.Next(2) == 0 ? 1000 : 400)),
            _ => Reserved(Scalar("cpus", Math.Round(amount / 10, 3))),
        };
    }

    private static string Canonical(ResourcePool pool) =>
        string.Join("\n", pool.Resources.Select(r => r.ToString()).Order(StringComparer.Ordinal));

    private static Resource Ports(params (ulong Begin, ulong End)[] ranges)
    {
        var r = new Resource { Name = "ports", Type = Value.Types.Type.Ranges, Ranges = new Value.Types.Ranges() };
        r.Ranges.Range.AddRange(ranges.Select(x => new Value.Types.Range { Begin = x.Begin, End = x.End }));
        return r;
    }
}
