using System.Net;
using System.Text.Json;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>Agent options: attributes in offers and on the status page, MOUNT disks (§5.5), many agents, bad options.</summary>
public sealed class AgentOptionsTests
{
    [Fact]
    public async Task Offers_carry_each_agents_attributes_and_the_status_page_shows_them()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path, agents: 3);
        options.Attributes = "rack:rack-{index%2};node:{index};ssd:true;cores:8;slots:[1-4]";
        await using var emulator = await MesosEmulator.StartAsync(options);
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info(), MesosContentType.Json);

        var seen = new Dictionary<string, Offer>();
        while (seen.Count < 3)
        {
            var offers = await framework.NextAsync(e => e.Type == Event.Types.Type.Offers);
            foreach (var offer in offers.Offers.Offers_)
            {
                seen[offer.Hostname] = offer;
            }
        }

        Assert.Equal(
            ["127.0.0.1 rack:rack-0;node:0;ssd:true;cores:8;slots:[1-4]", "127.0.0.2 rack:rack-1;node:1;ssd:true;cores:8;slots:[1-4]", "127.0.0.3 rack:rack-0;node:2;ssd:true;cores:8;slots:[1-4]"],
            seen.OrderBy(s => s.Key).Select(s => $"{s.Key} {AttributeText.Of(s.Value.Attributes)}"));
        var first = seen["127.0.0.1"].Attributes;
        Assert.Equal(Value.Types.Type.Text, first.Single(a => a.Name == "rack").Type);
        Assert.Equal(Value.Types.Type.Scalar, first.Single(a => a.Name == "cores").Type);
        Assert.Equal(Value.Types.Type.Ranges, first.Single(a => a.Name == "slots").Type);

        using var http = new HttpClient();
        using var status = JsonDocument.Parse(await http.GetStringAsync(emulator.Url));
        var agent = status.RootElement.GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("hostname").GetString() == "127.0.0.2");
        Assert.Equal("rack-1", agent.GetProperty("attributes").GetProperty("rack").GetString());
        Assert.Equal("[1-4]", agent.GetProperty("attributes").GetProperty("slots").GetString());
    }

    [Fact]
    public async Task Mount_disks_are_offered_with_their_source_and_no_agent_directory_exists_before_first_use()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path, agents: 2);
        options.MountDisks = [new AgentMountDisk(1024), new AgentMountDisk(512, "fast")];
        await using var emulator = await MesosEmulator.StartAsync(options);
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());

        var offer = await framework.NextOfferAsync();
        var agent = emulator.Snapshot().Agents.Single(a => a.Id == offer.AgentId.Value);
        var mounts = offer.Resources.Where(r => r.Disk?.Source is not null).OrderBy(r => r.Disk.Source.Mount.Root).ToList();
        Assert.Equal(2, mounts.Count);
        Assert.All(mounts, m => Assert.Equal(Resource.Types.DiskInfo.Types.Source.Types.Type.Mount, m.Disk.Source.Type));
        Assert.Equal([Path.Combine(agent.WorkDir, "mounts", "disk-1"), Path.Combine(agent.WorkDir, "mounts", "disk-2")], mounts.Select(m => m.Disk.Source.Mount.Root));
        Assert.Equal([1024.0, 512.0], mounts.Select(m => m.Scalar.Value));
        Assert.Equal([false, true], mounts.Select(m => m.Disk.Source.HasProfile));
        Assert.Equal("fast", mounts[1].Disk.Source.Profile);
        Assert.Equal(2048, ScalarOf(offer, "disk", r => r.Disk is null), 3);
        Assert.Equal(2048 + 1024 + 512, agent.Total.DiskMb, 3);
        Assert.Equal([1024.0, 512.0], agent.MountDisks.Select(m => m.SizeMb));

        // Lazy: two idle agents wrote nothing.
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(dir.Path, "agents")));
    }

    [Fact]
    public async Task A_mount_disk_is_indivisible_and_its_volume_lives_at_its_root_across_task_death()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.MountDisks = [new AgentMountDisk(1024)];
        await using var emulator = await MesosEmulator.StartAsync(options);
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info(failoverTimeout: 60), MesosContentType.Json);

        var offer = await framework.NextOfferAsync();
        var root = offer.Resources.Single(r => r.Disk?.Source is not null).Disk.Source.Mount.Root;

        // RESERVE of part of it is dropped: the next offer has the whole disk, unreserved.
        await framework.AcceptAsync(offer, Reserve(MountDisk(root, 500, "test-role", ("resource_id", "part"))));
        offer = await framework.NextOfferAsync();
        Assert.Equal(1024, offer.Resources.Single(r => r.Disk?.Source is not null && r.Role == "*").Scalar.Value);
        Assert.DoesNotContain(emulator.Snapshot().Agents.Single().MountDisks, m => m.ReservedRole is not null);

        // A task may not use part of it either: TASK_ERROR from the master.
        var partTask = CommandTask("part-task", offer, "true", Scalar("cpus", 0.1), Scalar("mem", 32), MountDisk(root, 500));
        await framework.AcceptAsync(offer, Launch(partTask));
        var error = await framework.NextUpdateAsync("part-task");
        Assert.Equal(TaskState.TaskError, error.State);
        Assert.Equal(TaskStatus.Types.Reason.TaskInvalid, error.Reason);
        Assert.Contains("more than available", error.Message, StringComparison.Ordinal);
        Assert.False(error.HasUuid);

        // Reserved whole; a CREATE of part of it is dropped, a CREATE of all of it works.
        offer = await framework.NextOfferAsync();
        var reserved = MountDisk(root, 1024, "test-role", ("resource_id", "mount-1"));
        await framework.AcceptAsync(offer, Reserve(reserved), Create(Volume(MountDisk(root, 500, "test-role", ("resource_id", "mount-1")), "part-vol", "data")));
        offer = await framework.NextOfferAsync(o => o.Resources.Any(r => r.Role == "test-role"));
        var offeredReserved = offer.Resources.Single(r => r.Role == "test-role" && r.Disk?.Source is not null);
        Assert.Null(offeredReserved.Disk.Persistence);
        Assert.Equal(1024, offeredReserved.Scalar.Value);

        var volume = Volume(reserved, "vol-1", "data");
        var task = CommandTask("writer", offer, "echo \"$MESOS_TASK_ID\" >> data/log", Scalar("cpus", 0.1), Scalar("mem", 32), volume);
        await framework.AcceptAsync(offer, Create(volume), LaunchGroup(DefaultExecutor("exec-1"), task));
        await framework.AwaitStateAcknowledgingAsync("writer", TaskState.TaskFinished);
        Assert.Equal("writer", File.ReadAllText(Path.Combine(root, "log")).Trim());
        var snapshotDisk = emulator.Snapshot().Agents.Single().MountDisks.Single();
        Assert.Equal(("test-role", "vol-1"), (snapshotDisk.ReservedRole, snapshotDisk.VolumeId));

        // The volume comes back whole after the task died, with its source; a second task sees the first one's data.
        offer = await framework.NextOfferAsync(o => o.Resources.Any(r => r.Disk?.Persistence?.Id == "vol-1"));
        var offeredVolume = offer.Resources.Single(r => r.Disk?.Persistence?.Id == "vol-1");
        Assert.Equal(1024, offeredVolume.Scalar.Value);
        Assert.Equal(root, offeredVolume.Disk.Source.Mount.Root);
        var again = CommandTask("writer-2", offer, "echo \"$MESOS_TASK_ID\" >> data/log", Scalar("cpus", 0.1), Scalar("mem", 32), offeredVolume);
        await framework.AcceptAsync(offer, LaunchGroup(DefaultExecutor("exec-2"), again));
        await framework.AwaitStateAcknowledgingAsync("writer-2", TaskState.TaskFinished);
        Assert.Equal(["writer", "writer-2"], File.ReadAllLines(Path.Combine(root, "log")));

        // DESTROY empties the disk and returns it reserved and plain; UNRESERVE returns it to '*'.
        offer = await framework.NextOfferAsync(o => o.Resources.Any(r => r.Disk?.Persistence?.Id == "vol-1"));
        offeredVolume = offer.Resources.Single(r => r.Disk?.Persistence?.Id == "vol-1");
        var destroy = new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Destroy, Destroy = new Offer.Types.Operation.Types.Destroy { Volumes = { offeredVolume } } };
        await framework.AcceptAsync(offer, destroy, Unreserve(reserved));
        offer = await framework.NextOfferAsync(o => o.Resources.Any(r => r.Disk?.Source is not null && r.Role == "*"));
        Assert.Equal(1024, offer.Resources.Single(r => r.Disk?.Source is not null).Scalar.Value);
        Assert.True(Directory.Exists(root));
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public void A_mount_disk_is_contained_in_a_pool_only_whole()
    {
        var pool = new ResourcePool([MountDisk("/m/1", 1024), Scalar("disk", 2048)]);

        Assert.False(pool.Contains(MountDisk("/m/1", 500)));
        Assert.False(pool.TrySubtract(MountDisk("/m/1", 500)));
        Assert.False(pool.Contains(MountDisk("/m/2", 1024)));
        Assert.True(pool.Contains(Scalar("disk", 500)));
        Assert.True(pool.TrySubtract(MountDisk("/m/1", 1024)));
        Assert.Equal(2048, pool.Scalar("disk"));
    }

    [Fact]
    public async Task A_thousand_agents_are_offered_in_one_cycle_with_distinct_hostnames()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path, agents: 1000);
        options.Zones = 3;
        await using var emulator = await MesosEmulator.StartAsync(options);
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());

        var offers = (await framework.NextAsync(e => e.Type == Event.Types.Type.Offers)).Offers.Offers_;

        Assert.Equal(1000, offers.Count);
        Assert.Equal(1000, offers.Select(o => o.Hostname).Distinct().Count());
        Assert.Equal(1000, offers.Select(o => o.AgentId.Value).Distinct().Count());
        var last = offers.Single(o => o.Hostname == "127.0.3.250");
        Assert.Equal("zone-1", last.Domain.FaultDomain.Zone.Name); // slot 999, 999 % 3 == 0
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(dir.Path, "agents")));
    }

    [Theory]
    [InlineData("rack", null, "attributes 'rack': 'rack' is not name:value")]
    [InlineData("zone:{zone}", null, "attributes 'zone:{zone}': {zone} needs agents with fault domains (--zones N)")]
    [InlineData(null, -5.0, "a MOUNT disk needs a positive size in MB, got -5")]
    public async Task Bad_agent_options_are_refused_in_one_line(string? attributes, double? mountSize, string expected)
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.Attributes = attributes;
        options.MountDisks = mountSize is { } size ? [new AgentMountDisk(size)] : [];

        var error = await Assert.ThrowsAsync<MesosEmulatorException>(() => MesosEmulator.StartAsync(options));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task More_agents_than_loopback_slots_are_refused()
    {
        using var dir = new TempDir();

        var error = await Assert.ThrowsAsync<MesosEmulatorException>(() => MesosEmulator.StartAsync(TestEmulator.Options(dir.Path, agents: 300_000)));

        Assert.Equal("agent count 300000 is out of range 0-256000", error.Message);
    }
}
