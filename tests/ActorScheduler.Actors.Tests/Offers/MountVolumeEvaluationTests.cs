using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>MOUNT volumes (dcos-sdk-behaviour §4.2; Mesos §5.5): a whole MOUNT disk, reserved and CREATEd, kept on relaunch.</summary>
public sealed class MountVolumeEvaluationTests
{
    [Fact]
    public void A_mount_volume_reserves_and_creates_the_smallest_mount_disk_that_fits_whole()
    {
        var offer = WithMountDisks(("/mnt/a", 200, null), ("/mnt/b", 1024, null), ("/mnt/c", 600, null));

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(MountPod(500)), offer, TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.Contains("PASS(VolumeEvaluationStage): MOUNT disk /mnt/c (600 MB) for MOUNT volume 'data' of hello-0-server (500 MB asked), reserved whole", evaluation.Explanation);
        var reserve = evaluation.Operations.Single(o => o.Type == OperationType.Reserve).Reserve.Resources;
        var disk = Assert.Single(reserve, r => r.Name == "disk" && r.Disk is not null);
        Assert.Equal(600, disk.Scalar.Value);
        Assert.Equal("/mnt/c", disk.Disk.Source.Mount.Root);
        Assert.NotNull(Resources.ResourceId(disk));
        Assert.Equal("hello-world-role", disk.Reservations.Single().Role);

        // The ROOT disk only covers the executor: the MOUNT volume is not carved from it.
        Assert.Equal(256, reserve.Where(r => r.Name == "disk" && r.Disk is null).Sum(Resources.Scalar));

        var volume = Assert.Single(evaluation.Operations.Single(o => o.Type == OperationType.Create).Create.Volumes);
        Assert.Equal((600.0, "/mnt/c", "data"), (volume.Scalar.Value, volume.Disk.Source.Mount.Root, volume.Disk.Volume.ContainerPath));
        Assert.Equal(Resources.ResourceId(disk), Resources.ResourceId(volume));
        Assert.Contains(evaluation.Tasks.Single().Info.Resources, r => Resources.PersistenceId(r) == volume.Disk.Persistence.Id && r.Disk.Source is not null);
    }

    [Fact]
    public void Without_a_big_enough_mount_disk_the_evaluation_says_what_is_offered()
    {
        var small = OfferEvaluator.Evaluate(TestOffers.Requirement(MountPod(500)), WithMountDisks(("/mnt/a", 200, null), ("/mnt/b", 300, "ssd")), TestOffers.Context);
        var none = OfferEvaluator.Evaluate(TestOffers.Requirement(MountPod(500)), TestOffers.Unreserved(), TestOffers.Context);

        Assert.False(small.Passed);
        Assert.Equal(
            "FAIL(VolumeEvaluationStage): no MOUNT disk >= 500 MB for MOUNT volume 'data' of hello-0-server: 500 needed, 300 available — agent agent-1 (agent-1.local) offers unreserved MOUNT disks 200 MB, 300 MB ssd",
            small.FailureReason);
        Assert.Empty(small.Operations);
        Assert.Equal(
            "FAIL(VolumeEvaluationStage): no MOUNT disk >= 500 MB for MOUNT volume 'data' of hello-0-server: 500 needed, 0 available — agent agent-1 (agent-1.local) offers no MOUNT disk",
            none.FailureReason);
    }

    [Fact]
    public void Profiles_select_the_disk_and_every_volume_gets_its_own_disk()
    {
        var set = new ResourceSetSpec("db", 0.5, 0, 256, null, [], [
            new VolumeSpec("data", VolumeType.Mount, 500) { Profiles = ["ssd"] },
            new VolumeSpec("log", VolumeType.Mount, 100),
            new VolumeSpec("tmp", VolumeType.Root, 10),
        ]);
        var pod = new PodSpec("db", 1, false, [new TaskSpec("server", GoalState.Running, "sleep 1", 0.5, 256, [], set.Volumes) { ResourceSet = "db" }], []) { ResourceSets = [set] };
        var offer = WithMountDisks(("/mnt/hdd", 600, "hdd"), ("/mnt/ssd", 2000, "ssd"));

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server"), offer, TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        var volumes = evaluation.Operations.Single(o => o.Type == OperationType.Create).Create.Volumes
            .ToDictionary(v => v.Disk.Volume.ContainerPath, v => v.Disk.Source?.Mount?.Root);
        Assert.Equal("/mnt/ssd", volumes["data"]);
        Assert.Equal("/mnt/hdd", volumes["log"]);
        Assert.Null(volumes["tmp"]);

        var noSsd = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server"), WithMountDisks(("/mnt/hdd", 600, "hdd"), ("/mnt/hdd2", 2000, null)), TestOffers.Context);
        Assert.Contains("no MOUNT disk >= 500 MB with profile ssd for MOUNT volume 'data' of resource set 'db' of db-0 (db-0-server): 500 needed, 0 available — ", noSsd.FailureReason);
        var oneDisk = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server"), WithMountDisks(("/mnt/ssd", 2000, "ssd")), TestOffers.Context);
        Assert.Contains("no MOUNT disk >= 100 MB for MOUNT volume 'log' of resource set 'db' of db-0 (db-0-server): 100 needed, 0 available — agent agent-1 (agent-1.local) offers unreserved MOUNT disks 2000 MB ssd, all taken by the pod's other MOUNT volumes", oneDisk.FailureReason);
    }

    [Fact]
    public void A_volume_without_a_profile_leaves_the_one_disk_of_its_profile_to_the_volume_that_needs_it()
    {
        // The smallest fitting disk for each volume in turn would give 'data' (the first, no profile) the ssd disk and
        // leave 'wal' (ssd only) none; the other way round both fit.
        var set = new ResourceSetSpec("db", 0.5, 0, 256, null, [], [
            new VolumeSpec("data", VolumeType.Mount, 100),
            new VolumeSpec("wal", VolumeType.Mount, 100) { Profiles = ["ssd"] },
        ]);
        var pod = new PodSpec("db", 1, false, [new TaskSpec("server", GoalState.Running, "sleep 1", 0.5, 256, [], set.Volumes) { ResourceSet = "db" }], []) { ResourceSets = [set] };

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Launch(pod, "server"), WithMountDisks(("/mnt/a", 100, "ssd"), ("/mnt/b", 100, "hdd")), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        var volumes = evaluation.Operations.Single(o => o.Type == OperationType.Create).Create.Volumes
            .ToDictionary(v => v.Disk.Volume.ContainerPath, v => v.Disk.Source?.Mount?.Root);
        Assert.Equal(("/mnt/b", "/mnt/a"), (volumes["data"], volumes["wal"]));
        Assert.Contains(evaluation.Explanation, l => l == "PASS(VolumeEvaluationStage): MOUNT disk /mnt/a (100 MB ssd) for MOUNT volume 'wal' of resource set 'db' of db-0 (db-0-server) (100 MB asked), reserved whole");
    }

    [Fact]
    public void A_relaunch_keeps_the_mount_volume_by_resource_id()
    {
        var pod = MountPod(500);
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), WithMountDisks(("/mnt/a", 1024, null)), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);
        var volume = first.Footprint.Single(r => Resources.PersistenceId(r) is not null);

        // The agent offers the volume back (and a fresh MOUNT disk it must leave alone).
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);
        offer.Resources.Add(MountDisk("/mnt/b", 4096, null));
        var relaunch = OfferEvaluator.Evaluate(TestOffers.Requirement(pod, footprint), offer, TestOffers.Context);

        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        var operation = Assert.Single(relaunch.Operations);
        Assert.Equal(OperationType.LaunchGroup, operation.Type);
        var used = Assert.Single(relaunch.Tasks.Single().Info.Resources, r => Resources.PersistenceId(r) is not null);
        Assert.Equal(volume, used);
        Assert.Equal("/mnt/a", used.Disk.Source.Mount.Root);
    }

    [Fact]
    public void The_remainder_of_an_offer_loses_the_reserved_mount_disk_whole_and_only_root_disk_shrinks()
    {
        var offer = WithMountDisks(("/mnt/a", 600, null), ("/mnt/b", 1024, null));
        var claim = OfferEvaluator.Evaluate(TestOffers.Requirement(MountPod(500)), offer, TestOffers.Context);

        var rest = OfferRemainder.After(offer, claim);

        Assert.Equal(["/mnt/b"], rest.Resources.Where(VolumeEvaluationStage.IsMountDisk).Select(VolumeEvaluationStage.MountRoot));
        Assert.Equal(10000 - 256, rest.Resources.Where(r => r.Name == "disk" && r.Disk is null).Sum(Resources.Scalar));
        var second = OfferEvaluator.Evaluate(TestOffers.Requirement(MountPod(500)) with { Index = 1 }, rest, TestOffers.Context);
        Assert.Contains("MOUNT disk /mnt/b (1024 MB)", string.Join("\n", second.Explanation));
    }

    [Fact]
    public void An_unowned_mount_volume_is_destroyed_then_unreserved_keeping_its_disk_source()
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(MountPod(500)), WithMountDisks(("/mnt/a", 1024, null)), TestOffers.Context);
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);

        var cleanup = UnexpectedResources.Cleanup(offer, new HashSet<string>(), "hello-world-role");

        Assert.Equal([OperationType.Destroy, OperationType.Unreserve], cleanup.Select(o => o.Type));
        var destroyed = Assert.Single(cleanup[0].Destroy.Volumes);
        Assert.Equal("/mnt/a", destroyed.Disk.Source.Mount.Root);
        var unreserved = cleanup[1].Unreserve.Resources.Single(r => r.Disk is not null);
        Assert.Null(unreserved.Disk.Persistence);
        Assert.Null(unreserved.Disk.Volume);
        Assert.Equal(("/mnt/a", 1024.0), (unreserved.Disk.Source.Mount.Root, unreserved.Scalar.Value));
    }

    private static PodSpec MountPod(int sizeMb) => TestOffers.HelloPod() with
    {
        Tasks = [TestOffers.HelloPod().Tasks[0] with { Volumes = [new VolumeSpec("data", VolumeType.Mount, sizeMb)] }],
    };

    private static Offer WithMountDisks(params (string Root, double SizeMb, string? Profile)[] disks)
    {
        var offer = TestOffers.Unreserved();
        offer.Resources.AddRange(disks.Select(d => MountDisk(d.Root, d.SizeMb, d.Profile)));
        return offer;
    }

    private static Resource MountDisk(string root, double sizeMb, string? profile)
    {
        var disk = Resources.Scalar("disk", sizeMb);
        disk.Disk = new Resource.Types.DiskInfo
        {
            Source = new Resource.Types.DiskInfo.Types.Source
            {
                Type = Resource.Types.DiskInfo.Types.Source.Types.Type.Mount,
                Mount = new Resource.Types.DiskInfo.Types.Source.Types.Mount { Root = root },
            },
        };
        if (profile is not null)
        {
            disk.Disk.Source.Profile = profile;
        }

        return disk;
    }
}
