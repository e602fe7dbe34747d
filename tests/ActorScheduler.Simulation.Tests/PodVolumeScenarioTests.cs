using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// A pod volume over a pod instance's life: reserved and created once with the executor at the first launch, the same
/// one after a relaunch in place, destroyed then unreserved when the instance is decommissioned.
/// </summary>
public sealed class PodVolumeScenarioTests
{
    private const string Spec = """
        name: archive-svc
        pods:
          archive:
            count: {{ARCHIVE_COUNT}}
            allow-decommission: true
            volume:
              path: shared
              type: ROOT
              size: 100
            tasks:
              writer:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
              reader:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
        """;

    private static Dictionary<string, string> Count(int count) => new() { ["ARCHIVE_COUNT"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task The_pod_volume_is_created_once_kept_through_a_relaunch_and_destroyed_then_unreserved_on_decommission()
    {
        await using var scenario = new ServiceScenario(Spec, new ScenarioOptions { Values = Count(2) });
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("archive"),
            Expect.Launched("archive-0-writer", "archive-0-reader"),
            Send.OffersFor("archive"),
            Expect.Launched("archive-1-writer", "archive-1-reader"),
            Expect.AllPlansComplete());
        var cluster = scenario.Cluster!;

        // The first launch of archive-1 created one volume, the executor's, which both tasks see.
        var first = cluster.History.Last(r => r.LaunchedTasks.Any(t => t.Name == "archive-1-writer"));
        var created = Assert.Single(Assert.Single(first.Operations(OperationType.Create)).Create.Volumes);
        Assert.Equal(("shared", Resources.ExecutorOwner), (created.Disk.Volume.ContainerPath, Resources.Owner(created)));
        Assert.Contains(Executor(first).Resources, r => Resources.PersistenceId(r) == created.Disk.Persistence.Id);
        Assert.All(first.LaunchedTasks, t => Assert.Equal("shared", Assert.Single(t.Container.Volumes).Source.SandboxPath.Path));

        // The writer (essential) fails: the reader is killed and the pod relaunched in place, on the same volume,
        // creating nothing.
        await scenario.Run(
            Send.TaskStatus("archive-1-writer", TaskState.TaskFailed),
            Expect.Killed("archive-1-reader"),
            Send.ReofferPod("archive", 1),
            Expect.Launched("archive-1-writer", "archive-1-reader"),
            Expect.AllPlansComplete());
        var relaunch = cluster.History.Last(r => r.LaunchedTasks.Any(t => t.Name == "archive-1-writer"));
        Assert.NotSame(first, relaunch);
        Assert.Empty(relaunch.Operations(OperationType.Create));
        Assert.Empty(relaunch.Operations(OperationType.Reserve));
        var kept = Assert.Single(Executor(relaunch).Resources, r => Resources.PersistenceId(r) is not null);
        Assert.Equal((Resources.ResourceId(created), created.Disk.Persistence.Id), (Resources.ResourceId(kept), kept.Disk.Persistence.Id));

        // Scaled in: archive-1's volume is destroyed, then its disk unreserved, in one ACCEPT.
        await scenario.Run(
            Send.UpdateSpec(Count(1)),
            Expect.UpdateAccepted(),
            Expect.StepStatus("decommission", "archive-1", "unreserve-resources", Status.Starting),
            Send.ReofferAgentOf("archive-1-writer"),
            Expect.UnreservedResources(),
            Send.ReofferAgentOf("archive-1-writer"),
            Expect.PlanStatus("decommission", Status.Complete),
            Expect.PodGone("archive-1"));
        var cleanup = cluster.History.Single(r => r.Operations(OperationType.Destroy).Any());
        var operations = cleanup.Call!.Accept.Operations.Select(o => o.Type).ToList();
        Assert.Equal([OperationType.Destroy, OperationType.Unreserve], operations);
        Assert.Equal(created.Disk.Persistence.Id, Assert.Single(cleanup.Operations(OperationType.Destroy).Single().Destroy.Volumes).Disk.Persistence.Id);
        var unreserved = cleanup.Operations(OperationType.Unreserve).Single().Unreserve.Resources.Select(Resources.ResourceId).ToHashSet();
        Assert.Superset(Executor(relaunch).Resources.Select(Resources.ResourceId).ToHashSet(), unreserved);

        // archive-0 keeps its own volume, untouched.
        var archive0 = Executor(cluster.History.Last(r => r.LaunchedTasks.Any(t => t.Name == "archive-0-writer")));
        Assert.DoesNotContain(archive0.Resources.Select(Resources.ResourceId), unreserved.Contains);
    }

    private static ExecutorInfo Executor(ClusterRecord launch) => launch.Operations(OperationType.LaunchGroup).Single().LaunchGroup.Executor;
}
