using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>
/// Pod-level volumes (dcos-sdk-behaviour §1.2; DC/OS <c>PodInfoBuilder</c> "volumes for the pod to share"): the
/// executor's resources, reserved and created once per pod instance, relaunched by resource id, and seen by every task
/// through a SANDBOX_PATH PARENT volume in its container.
/// </summary>
public sealed class PodVolumeEvaluationTests
{
    private static readonly VolumeSpec Shared = new("shared", VolumeType.Root, 100);

    /// <summary>Pod "archive": tasks writer and reader (each with inline resources, writer with a volume of its own) and the pod volume "shared".</summary>
    private static PodSpec Archive(params VolumeSpec[] podVolumes)
    {
        TaskSpec Task(string name, ImmutableArray<VolumeSpec> volumes) => new(name, GoalState.Running, "sleep 1000", 0.1, 64, [], volumes);
        return new PodSpec("archive", 1, false, [Task("writer", [new VolumeSpec("own", VolumeType.Root, 20)]), Task("reader", [])], [.. podVolumes]);
    }

    private static PodRequirement Launch(PodSpec pod, Footprint? existing = null, ExecutorInfo? running = null, params string[] tasks) =>
        new("svc", null, pod, 0, tasks.Length == 0 ? ["writer", "reader"] : [.. tasks], "config-1", existing, running);

    [Fact]
    public void A_first_launch_reserves_and_creates_the_pod_volume_once_with_the_executor()
    {
        var evaluation = OfferEvaluator.Evaluate(Launch(Archive(Shared)), TestOffers.Unreserved(), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.Equal([OperationType.Reserve, OperationType.Create, OperationType.LaunchGroup], evaluation.Operations.Select(o => o.Type));

        // Reserved for the executor: its own 256 MB of disk and the volume's 100 MB, each under its own resource id.
        var reserved = evaluation.Operations[0].Reserve.Resources;
        Assert.Equal([100.0, 256.0], reserved.Where(r => r.Name == "disk" && Resources.Owner(r) == Resources.ExecutorOwner).Select(Resources.Scalar).Order());
        Assert.Equal(reserved.Count, reserved.Select(Resources.ResourceId).Distinct().Count());

        // Created once, as the executor's, at its path; the task's own volume beside it.
        var created = evaluation.Operations[1].Create.Volumes;
        var pod = Assert.Single(created, v => v.Disk.Volume.ContainerPath == "shared");
        Assert.Equal((Resources.ExecutorOwner, 100.0, Volume.Types.Mode.Rw), (Resources.Owner(pod), Resources.Scalar(pod), pod.Disk.Volume.Mode));
        Assert.Contains(reserved, r => Resources.ResourceId(r) == Resources.ResourceId(pod));
        Assert.Equal(["own", "shared"], created.Select(v => v.Disk.Volume.ContainerPath).Order());

        // The executor carries it (and the footprint, through it); no task holds it as a resource of its own.
        var launch = evaluation.Operations[2].LaunchGroup;
        Assert.Contains(launch.Executor.Resources, r => Resources.PersistenceId(r) == pod.Disk.Persistence.Id);
        Assert.Contains(evaluation.Footprint, r => Resources.PersistenceId(r) == pod.Disk.Persistence.Id);
        Assert.All(launch.TaskGroup.Tasks, t => Assert.DoesNotContain(t.Resources, r => Resources.PersistenceId(r) == pod.Disk.Persistence.Id));

        Assert.Contains("PASS(VolumeEvaluationStage): ROOT volume 'shared' (100 MB) of pod archive-0 (its executor's, shared by its tasks), carved from the ROOT disk", evaluation.Explanation);
        Assert.Contains("PASS(ReservationEvaluationStage): reserving 9 resources for 2 resource sets and creating 2 volumes for archive-0", evaluation.Explanation);
    }

    [Fact]
    public void Every_task_of_the_pod_sees_the_executor_s_volume_through_a_sandbox_path_parent_volume()
    {
        var evaluation = OfferEvaluator.Evaluate(Launch(Archive(Shared)), TestOffers.Unreserved(), TestOffers.Context);

        Assert.Equal(["archive-0-writer", "archive-0-reader"], evaluation.Tasks.Select(t => t.Info.Name));
        Assert.All(evaluation.Tasks, t =>
        {
            Assert.Equal(ContainerInfo.Types.Type.Mesos, t.Info.Container.Type);
            var volume = Assert.Single(t.Info.Container.Volumes);
            Assert.Equal(("shared", Volume.Types.Mode.Rw), (volume.ContainerPath, volume.Mode));
            Assert.Equal(Volume.Types.Source.Types.Type.SandboxPath, volume.Source.Type);
            Assert.Equal(
                (Volume.Types.Source.Types.SandboxPath.Types.Type.Parent, "shared"),
                (volume.Source.SandboxPath.Type, volume.Source.SandboxPath.Path));
        });
    }

    [Fact]
    public void A_relaunch_reuses_the_pod_volume_s_resource_and_persistence_ids_and_creates_nothing()
    {
        var pod = Archive(Shared);
        var first = OfferEvaluator.Evaluate(Launch(pod), TestOffers.Unreserved(), TestOffers.Context);
        var volume = first.Executor!.Resources.Single(r => Resources.PersistenceId(r) is not null);
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);

        var relaunch = OfferEvaluator.Evaluate(Launch(pod, footprint), TestOffers.WithReserved("agent-1", first.Footprint), TestOffers.Context);

        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        var launch = Assert.Single(relaunch.Operations).LaunchGroup;
        var kept = Assert.Single(launch.Executor.Resources, r => Resources.PersistenceId(r) is not null);
        Assert.Equal(volume, kept);
        Assert.NotEqual(first.Executor.ExecutorId, launch.Executor.ExecutorId);
        Assert.Equal(first.Footprint, relaunch.Footprint);
        Assert.All(relaunch.Tasks, t => Assert.Equal("shared", Assert.Single(t.Info.Container.Volumes).Source.SandboxPath.Path));
        Assert.Contains(
            $"PASS(VolumeEvaluationStage): volume 'shared' of pod archive-0 (its executor's, shared by its tasks) is offered back (resourceId {Resources.ResourceId(volume)}, persistence id {volume.Disk.Persistence.Id}): relaunched with its data",
            relaunch.Explanation);

        // Not offered back, the relaunch waits for it, and says which volume it lacks.
        var without = TestOffers.WithReserved("agent-1", first.Footprint.Where(r => Resources.PersistenceId(r) != volume.Disk.Persistence.Id));
        var missing = OfferEvaluator.Evaluate(Launch(pod, footprint), without, TestOffers.Context);
        Assert.False(missing.Passed);
        Assert.Equal($"FAIL(ReservationEvaluationStage): Offer lacks previously reserved 'disk' of volume 'shared' with resourceId {Resources.ResourceId(volume)} (executor)", missing.FailureReason);
    }

    [Fact]
    public void A_task_joining_the_running_executor_sees_the_volume_it_holds()
    {
        var pod = Archive(Shared);
        var first = OfferEvaluator.Evaluate(Launch(pod, tasks: "writer"), TestOffers.Unreserved(), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);
        var readerOnly = first.Footprint.Where(r => Resources.Owner(r) == "archive-0-reader-resource-set");

        // The writer still runs: the executor and its volume are in use, not offered.
        var joining = OfferEvaluator.Evaluate(Launch(pod, footprint, first.Executor, "reader"), TestOffers.WithReserved("agent-1", readerOnly), TestOffers.Context);

        Assert.True(joining.Passed, string.Join("\n", joining.Explanation));
        Assert.Equal(first.Executor!.ExecutorId, joining.Executor!.ExecutorId);
        Assert.Equal("shared", Assert.Single(Assert.Single(joining.Tasks).Info.Container.Volumes).ContainerPath);
        Assert.Contains(joining.Explanation, l => l.StartsWith("PASS(VolumeEvaluationStage): volume 'shared' of pod archive-0 (its executor's, shared by its tasks) stays with the running executor archive__", StringComparison.Ordinal));
    }

    [Fact]
    public void A_footprint_made_before_pod_volumes_were_the_executor_s_gets_them_with_its_next_new_executor()
    {
        // Made without the volume (an earlier scheduler left pod volumes unattached); the spec has it.
        var first = OfferEvaluator.Evaluate(Launch(Archive()), TestOffers.Unreserved(), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);

        var relaunch = OfferEvaluator.Evaluate(Launch(Archive(Shared), footprint), offer, TestOffers.Context);

        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        Assert.Equal([OperationType.Reserve, OperationType.Create, OperationType.LaunchGroup], relaunch.Operations.Select(o => o.Type));
        var disk = Assert.Single(relaunch.Operations[0].Reserve.Resources);
        Assert.Equal(("disk", 100.0, Resources.ExecutorOwner), (disk.Name, Resources.Scalar(disk), Resources.Owner(disk)));
        var volume = Assert.Single(relaunch.Operations[1].Create.Volumes);
        Assert.Equal(("shared", Resources.ResourceId(disk)), (volume.Disk.Volume.ContainerPath, Resources.ResourceId(volume)));
        Assert.Contains(relaunch.Executor!.Resources, r => Resources.PersistenceId(r) == volume.Disk.Persistence.Id);
        Assert.Equal([.. first.Footprint.Select(Resources.ResourceId), Resources.ResourceId(volume)], relaunch.Footprint.Select(Resources.ResourceId));
        Assert.All(relaunch.Tasks, t => Assert.Equal("shared", Assert.Single(t.Info.Container.Volumes).ContainerPath));
        Assert.Contains("PASS(ReservationEvaluationStage): reserving 1 resource and creating 1 volume for pod volume 'shared', new to the footprint of archive-0", relaunch.Explanation);
        Assert.DoesNotContain(relaunch.Explanation, l => l.Contains("is offered back", StringComparison.Ordinal));

        // Once it holds the volume, a relaunch reserves nothing more.
        var again = OfferEvaluator.Evaluate(Launch(Archive(Shared), new Footprint("agent-1", "agent-1.local", relaunch.Footprint)),
            TestOffers.WithReserved("agent-1", relaunch.Footprint), TestOffers.Context);
        Assert.Equal(OperationType.LaunchGroup, Assert.Single(again.Operations).Type);

        // A task joining the running executor cannot add to it: it runs without the volume until the executor is new.
        var joining = OfferEvaluator.Evaluate(Launch(Archive(Shared), footprint, first.Executor, "reader"),
            TestOffers.WithReserved("agent-1", first.Footprint.Where(r => Resources.Owner(r) == "archive-0-reader-resource-set")), TestOffers.Context);
        Assert.True(joining.Passed, string.Join("\n", joining.Explanation));
        Assert.Equal(OperationType.LaunchGroup, Assert.Single(joining.Operations).Type);
        Assert.Null(Assert.Single(joining.Tasks).Info.Container);
    }

    [Fact]
    public void A_pod_without_volumes_gets_no_container_and_an_executor_of_cpus_mem_and_disk_alone()
    {
        var evaluation = OfferEvaluator.Evaluate(Launch(Archive()), TestOffers.Unreserved(), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.All(evaluation.Tasks, t => Assert.Null(t.Info.Container));
        Assert.Equal(["cpus", "disk", "mem"], evaluation.Executor!.Resources.Select(r => r.Name).Order());
        Assert.DoesNotContain(evaluation.Explanation, l => l.Contains("VolumeEvaluationStage", StringComparison.Ordinal));
        Assert.Equal(["own"], evaluation.Operations.Single(o => o.Type == OperationType.Create).Create.Volumes.Select(v => v.Disk.Volume.ContainerPath));
    }

    [Fact]
    public void The_pod_volume_counts_in_the_disk_a_new_footprint_needs()
    {
        var pod = Archive(Shared);

        Assert.Equal(256 + 20 + 100, OfferFit.NewFootprintNeed(pod, TestOffers.Context.Executor).Disk);
        var small = OfferEvaluator.Evaluate(Launch(pod), TestOffers.Unreserved(disk: 300), TestOffers.Context);
        Assert.False(small.Passed);
        Assert.Equal("FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'disk' for new reservation: 376 needed, 300 available", small.FailureReason);
    }

    [Fact]
    public void A_mount_pod_volume_takes_a_whole_mount_disk_for_the_executor()
    {
        var offer = TestOffers.Unreserved();
        offer.Resources.Add(MountDisk("/mnt/a", 2048));

        var evaluation = OfferEvaluator.Evaluate(Launch(Archive(new VolumeSpec("shared", VolumeType.Mount, 1000))), offer, TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        var volume = Assert.Single(evaluation.Executor!.Resources, r => Resources.PersistenceId(r) is not null);
        Assert.Equal(("/mnt/a", 2048.0, Resources.ExecutorOwner), (volume.Disk.Source.Mount.Root, Resources.Scalar(volume), Resources.Owner(volume)));
        Assert.Contains("PASS(VolumeEvaluationStage): MOUNT disk /mnt/a (2048 MB) for MOUNT volume 'shared' of pod archive-0 (its executor's, shared by its tasks) (1000 MB asked), reserved whole", evaluation.Explanation);
        // Not carved from the ROOT disk: the executor's 256 MB and the writer's 20 MB.
        Assert.Equal(276, evaluation.Operations[0].Reserve.Resources.Where(r => r.Name == "disk" && r.Disk is null).Sum(Resources.Scalar));

        var none = OfferEvaluator.Evaluate(Launch(Archive(new VolumeSpec("shared", VolumeType.Mount, 1000))), TestOffers.Unreserved(), TestOffers.Context);
        Assert.Equal("FAIL(VolumeEvaluationStage): no MOUNT disk >= 1000 MB for MOUNT volume 'shared' of pod archive-0 (its executor's, shared by its tasks): 1000 needed, 0 available — agent agent-1 (agent-1.local) offers no MOUNT disk", none.FailureReason);
    }

    [Fact]
    public void An_unowned_pod_volume_is_destroyed_then_unreserved()
    {
        var first = OfferEvaluator.Evaluate(Launch(Archive(Shared)), TestOffers.Unreserved(), TestOffers.Context);
        var volume = first.Executor!.Resources.Single(r => Resources.PersistenceId(r) is not null);

        var cleanup = UnexpectedResources.Cleanup(TestOffers.WithReserved("agent-1", first.Footprint), new HashSet<string>(), "hello-world-role");

        Assert.Equal([OperationType.Destroy, OperationType.Unreserve], cleanup.Select(o => o.Type));
        Assert.Contains(cleanup[0].Destroy.Volumes, v => v.Disk.Persistence.Id == volume.Disk.Persistence.Id);
        Assert.Contains(cleanup[1].Unreserve.Resources, r => Resources.ResourceId(r) == Resources.ResourceId(volume) && r.Disk is null);
    }

    private static Resource MountDisk(string root, double sizeMb)
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
        return disk;
    }
}
