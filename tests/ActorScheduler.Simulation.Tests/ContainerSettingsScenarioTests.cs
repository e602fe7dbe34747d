using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// A spec with every container key deploys through the whole scheduler to task and executor infos that carry them, as
/// a real Mesos master receives them; a relaunch after a scheduler restart carries them again.
/// </summary>
public sealed class ContainerSettingsScenarioTests
{
    private const string Spec = """
        name: /team/store
        pods:
          app:
            count: 1
            image: alpine:3.20
            networks:
              dcos:
                labels: "team:web"
            rlimits:
              RLIMIT_NOFILE: {soft: 1024, hard: 4096}
              RLIMIT_CORE:
            share-pid-namespace: true
            seccomp-unconfined: true
            ipc-mode: PRIVATE
            shm-size: 64
            host-volumes:
              certs: {host-path: /etc/ssl/certs, container-path: certs, mode: RO}
            external-volumes:
              backups: {type: DOCKER, driver-name: rexray, driver-options: 'size=10', container-path: backups}
            secrets:
              api-key: {secret: store/api-key, env-key: API_KEY, file: secrets/api-key}
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
                ipc-mode: SHARE_PARENT
                resource-limits: {cpus: 0.5, memory: unlimited}
                ports:
                  http: {port: 8080, vip: {port: 80, prefix: web}}
        """;

    [Fact]
    public async Task Launched_infos_carry_the_pod_s_container_settings_and_keep_them_across_a_restart()
    {
        await using var scenario = new ServiceScenario(Spec, new ScenarioOptions { ExpectTimeout = TimeSpan.FromSeconds(20) });

        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Send.OffersFor("app"),
            Expect.Launched("app-0-server"),
            Send.TaskStatus("app-0-server", TaskState.TaskRunning),
            Expect.AllPlansComplete());
        AssertCarriesTheSettings(scenario.Cluster!);

        var launches = scenario.Cluster!.History.Count(r => r.LaunchedTasks.Any());
        await scenario.Run(
            Send.RestartScheduler(),
            Expect.ReconciledExplicitly("app-0-server"),
            Send.TaskStatus("app-0-server", TaskState.TaskFailed),
            Send.ReofferPod("app", 0),
            Expect.Launched("app-0-server"),
            Expect.AllPlansComplete());
        Assert.Equal(launches + 1, scenario.Cluster.History.Count(r => r.LaunchedTasks.Any()));
        AssertCarriesTheSettings(scenario.Cluster);
    }

    private static void AssertCarriesTheSettings(SimulatedCluster cluster)
    {
        var group = cluster.History.Last(r => r.LaunchedTasks.Any()).Operations(Offer.Types.Operation.Types.Type.LaunchGroup).Single().LaunchGroup;
        var task = group.TaskGroup.Tasks.Single();

        var container = task.Container;
        Assert.Equal(ContainerInfo.Types.Type.Mesos, container.Type);
        Assert.Equal("alpine:3.20", container.Mesos.Image.Docker.Name);
        Assert.Equal(["RlmtNofile:1024-4096", "RlmtCore:-"], container.RlimitInfo.Rlimits.Select(r => $"{r.Type}:{(r.HasSoft ? r.Soft : "")}-{(r.HasHard ? r.Hard : "")}"));
        Assert.True(container.LinuxInfo.SharePidNamespace);
        Assert.True(container.LinuxInfo.Seccomp.Unconfined);
        Assert.Equal(LinuxInfo.Types.IpcMode.ShareParent, container.LinuxInfo.IpcMode);
        Assert.Equal((true, false), (container.LinuxInfo.HasShareCgroups, container.LinuxInfo.ShareCgroups));
        Assert.Equal(["cpus=0.5", "mem=Infinity"], task.Limits.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
        Assert.Equal(["certs", "backups", "secrets/api-key"], container.Volumes.Select(v => v.ContainerPath));
        Assert.Equal("/etc/ssl/certs", container.Volumes[0].Source.HostPath.Path);
        Assert.Equal("team__store_app_0", container.Volumes[1].Source.DockerVolume.Name);
        Assert.Equal("store/api-key", container.Volumes[2].Source.Secret.Reference.Name);
        var apiKey = task.Command.Environment.Variables.Single(v => v.Name == "API_KEY");
        Assert.Equal((Messages.MesosV1.Environment.Types.Variable.Types.Type.Secret, "store/api-key"), (apiKey.Type, apiKey.Secret.Reference.Name));
        var http = task.Discovery.Ports.Ports_.Single();
        Assert.Equal(["VIP_http=web:80", "network-scope=container"], http.Labels.Labels_.Select(l => $"{l.Key}={l.Value}"));

        var executor = group.Executor.Container;
        Assert.Equal(ContainerInfo.Types.Type.Mesos, executor.Type);
        Assert.Equal("dcos", executor.NetworkInfos.Single().Name);
        Assert.Equal((LinuxInfo.Types.IpcMode.Private, 64U), (executor.LinuxInfo.IpcMode, executor.LinuxInfo.ShmSize));
        Assert.Null(executor.Mesos);
        Assert.Equal(["certs", "backups", "secrets/api-key"], executor.Volumes.Select(v => v.ContainerPath));
    }
}
