using System.Text;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>
/// The containers of a pod's tasks and executor carry the pod's container settings where DC/OS PodInfoBuilder puts
/// them; a pod without such settings launches without any container.
/// </summary>
public sealed class ContainerInfoBuilderTests
{
    private static readonly PodSpec Plain = TestOffers.HelloPod();

    /// <summary>The pod of examples/container-options and examples/volumes together, plus secrets and a VIP.</summary>
    private static PodSpec Everything()
    {
        var server = Plain.Tasks[0] with
        {
            IpcMode = IpcMode.Private,
            ShmSizeMb = 32,
            Ports = [new PortSpec("http", 8080, null, true, new VipSpec("web", 80), [])],
        };
        return Plain with
        {
            Tasks = [server],
            Image = "alpine:3.20",
            Networks = [new NetworkSpec("dcos", [8080], [80], [new("team", "web")])],
            Rlimits = [new RlimitSpec("RLIMIT_NOFILE", 128000, 128000), new RlimitSpec("RLIMIT_CORE", null, null)],
            SharePidNamespace = true,
            SeccompProfileName = "default",
            IpcMode = IpcMode.Private,
            ShmSizeMb = 64,
            HostVolumes = [new HostVolumeSpec("tmp", "/tmp", "host-tmp", VolumeMode.ReadOnly)],
            ExternalVolumes = [new ExternalVolumeSpec("backups", "DOCKER", "svc-backups", VolumeMode.ReadWrite, "rexray", "size=10,repl=2", "backups")],
            Secrets =
            [
                new SecretSpec("api-key", "svc/api-key", "API_KEY", "secrets/api-key"),
                new SecretSpec("token", "svc/token", "TOKEN", null),
            ],
        };
    }

    private static (ExecutorInfo Executor, TaskInfo Task) Launch(PodSpec pod, int index = 0)
    {
        var requirement = TestOffers.Requirement(pod) with { Index = index };
        var evaluation = OfferEvaluator.Evaluate(requirement, TestOffers.Unreserved(), TestOffers.Context);
        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        return (evaluation.Executor!, Assert.Single(evaluation.Tasks).Info);
    }

    [Fact]
    public void A_pod_without_container_settings_launches_its_tasks_and_executor_without_a_container()
    {
        var (executor, task) = Launch(Plain);

        Assert.Null(task.Container);
        Assert.Null(executor.Container);
        Assert.Null(ContainerInfoBuilder.Task("svc", Plain, 0, Plain.Tasks[0]));
        Assert.Null(ContainerInfoBuilder.Executor("svc", Plain, 0));
        Assert.All(task.Command.Environment.Variables, v => Assert.Equal(Messages.MesosV1.Environment.Types.Variable.Types.Type.Value, v.Type));
    }

    [Fact]
    public void A_pod_without_container_settings_costs_its_launches_no_allocation()
    {
        // The storm's pods have none of these settings: the checks on their launch path must not allocate.
        var environment = new Messages.MesosV1.Environment();
        var task = Plain.Tasks[0];
        void Build()
        {
            ContainerInfoBuilder.Task("svc", Plain, 0, task);
            ContainerInfoBuilder.Executor("svc", Plain, 0);
            ContainerInfoBuilder.WithSecrets(environment, Plain);
        }

        Build();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Build();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Resource_limits_reach_the_task_info_and_every_task_of_the_pod_gets_its_own_cgroups()
    {
        var limited = Plain.Tasks[0] with { Limits = new ResourceLimits(2, false, null, MemoryUnlimited: true) };
        var sidecar = Plain.Tasks[0] with { Name = "sidecar" };
        var pod = Plain with { Tasks = [limited, sidecar] };

        var (executor, task) = Launch(pod with { Tasks = [limited] });

        Assert.Equal(2, task.Limits["cpus"].Value);
        Assert.Equal(double.PositiveInfinity, task.Limits["mem"].Value);
        Assert.Equal(2, task.Limits.Count);
        Assert.Equal(ContainerInfo.Types.Type.Mesos, task.Container.Type);
        Assert.True(task.Container.LinuxInfo.HasShareCgroups);
        Assert.False(task.Container.LinuxInfo.ShareCgroups);
        Assert.Null(executor.Container);

        // The master wants one value for all tasks of an executor: a task without limits of the same pod gets its own
        // cgroups too, and no limits.
        var other = ContainerInfoBuilder.Task("svc", pod, 0, sidecar);
        Assert.False(other!.LinuxInfo.ShareCgroups);
        Assert.True(other.LinuxInfo.HasShareCgroups);
    }

    [Fact]
    public void A_cpu_limit_alone_or_empty_limits_give_only_what_is_written()
    {
        var (_, cpusOnly) = Launch(Plain with { Tasks = [Plain.Tasks[0] with { Limits = new ResourceLimits(null, true, null, false) }] });
        Assert.Equal(double.PositiveInfinity, Assert.Single(cpusOnly.Limits, l => l.Key == "cpus").Value.Value);
        Assert.DoesNotContain("mem", cpusOnly.Limits.Keys);

        var (_, none) = Launch(Plain with { Tasks = [Plain.Tasks[0] with { Limits = new ResourceLimits(null, false, null, false) }] });
        Assert.Empty(none.Limits);
        Assert.Null(none.Container);
    }

    [Fact]
    public void The_image_goes_on_the_task_s_MESOS_container_only()
    {
        var (executor, task) = Launch(Plain with { Image = "alpine:3.20" });

        Assert.Equal(ContainerInfo.Types.Type.Mesos, task.Container.Type);
        Assert.Equal(Image.Types.Type.Docker, task.Container.Mesos.Image.Type);
        Assert.Equal("alpine:3.20", task.Container.Mesos.Image.Docker.Name);
        Assert.Null(task.Container.LinuxInfo);
        Assert.Null(task.Container.RlimitInfo);
        Assert.Empty(task.Container.Volumes);
        Assert.Empty(task.Container.NetworkInfos);
        // The default executor may not have an image (Mesos refuses one), and the image alone asks nothing of it.
        Assert.Null(executor.Container);
    }

    [Fact]
    public void Rlimits_go_on_the_task_and_the_executor_and_a_limit_without_bounds_is_unlimited()
    {
        var pod = Plain with { Rlimits = [new RlimitSpec("RLIMIT_NOFILE", 1024, 4096), new RlimitSpec("RLIMIT_CORE", null, null)] };
        var (executor, task) = Launch(pod);

        foreach (var container in new[] { task.Container, executor.Container })
        {
            Assert.Equal(ContainerInfo.Types.Type.Mesos, container.Type);
            var nofile = container.RlimitInfo.Rlimits[0];
            Assert.Equal((RLimitInfo.Types.RLimit.Types.Type.RlmtNofile, 1024UL, 4096UL), (nofile.Type, nofile.Soft, nofile.Hard));
            var core = container.RlimitInfo.Rlimits[1];
            Assert.Equal(RLimitInfo.Types.RLimit.Types.Type.RlmtCore, core.Type);
            Assert.False(core.HasSoft || core.HasHard);
        }

        Assert.Null(executor.Container.Mesos);
    }

    [Theory]
    [InlineData("RLIMIT_AS", RLimitInfo.Types.RLimit.Types.Type.RlmtAs)]
    [InlineData("RLIMIT_MSGQUEUE", RLimitInfo.Types.RLimit.Types.Type.RlmtMsgqueue)]
    [InlineData("RLIMIT_SIGPENDING", RLimitInfo.Types.RLimit.Types.Type.RlmtSigpending)]
    [InlineData("RLIMIT_STACK", RLimitInfo.Types.RLimit.Types.Type.RlmtStack)]
    public void Each_spec_rlimit_name_is_the_Mesos_type(string name, RLimitInfo.Types.RLimit.Types.Type type)
    {
        Assert.Equal(type, ContainerInfoBuilder.RLimits([new RlimitSpec(name, null, null)]).Rlimits[0].Type);
        Assert.Throws<ArgumentException>(() => ContainerInfoBuilder.RLimits([new RlimitSpec("RLIMIT_FOO", null, null)]));
    }

    [Fact]
    public void Pid_namespace_and_seccomp_are_the_task_s_and_the_pod_s_ipc_settings_the_executor_s()
    {
        var pod = Plain with { SharePidNamespace = true, SeccompProfileName = "default", IpcMode = IpcMode.Private, ShmSizeMb = 64 };
        pod = pod with { Tasks = [pod.Tasks[0] with { IpcMode = IpcMode.ShareParent }] };
        var (executor, task) = Launch(pod);

        var taskLinux = task.Container.LinuxInfo;
        Assert.True(taskLinux.SharePidNamespace);
        Assert.Equal("default", taskLinux.Seccomp.ProfileName);
        Assert.False(taskLinux.Seccomp.HasUnconfined);
        Assert.Equal(LinuxInfo.Types.IpcMode.ShareParent, taskLinux.IpcMode);
        Assert.False(taskLinux.HasShmSize);

        var executorLinux = executor.Container.LinuxInfo;
        Assert.Equal((LinuxInfo.Types.IpcMode.Private, 64U), (executorLinux.IpcMode, executorLinux.ShmSize));
        Assert.False(executorLinux.HasSharePidNamespace);
        Assert.Null(executorLinux.Seccomp);
    }

    [Fact]
    public void An_unconfined_pod_s_tasks_run_without_seccomp_and_a_task_s_private_shm_is_its_own()
    {
        var pod = Plain with { SeccompUnconfined = true };
        pod = pod with { Tasks = [pod.Tasks[0] with { IpcMode = IpcMode.Private, ShmSizeMb = 16 }] };
        var (executor, task) = Launch(pod);

        Assert.True(task.Container.LinuxInfo.Seccomp.Unconfined);
        Assert.False(task.Container.LinuxInfo.Seccomp.HasProfileName);
        Assert.False(task.Container.LinuxInfo.HasSharePidNamespace);
        Assert.Equal((LinuxInfo.Types.IpcMode.Private, 16U), (task.Container.LinuxInfo.IpcMode, task.Container.LinuxInfo.ShmSize));
        Assert.Null(executor.Container);
    }

    [Fact]
    public void Host_volumes_mount_the_agent_s_directory_on_the_task_and_the_executor()
    {
        var pod = Plain with
        {
            HostVolumes = [new HostVolumeSpec("tmp", "/tmp", "host-tmp", VolumeMode.ReadOnly), new HostVolumeSpec("logs", "/var/log", "logs", VolumeMode.ReadWrite)],
        };
        var (executor, task) = Launch(pod);

        foreach (var container in new[] { task.Container, executor.Container })
        {
            Assert.Equal(2, container.Volumes.Count);
            var tmp = container.Volumes[0];
            Assert.Equal(("host-tmp", Volume.Types.Mode.Ro, Volume.Types.Source.Types.Type.HostPath, "/tmp"), (tmp.ContainerPath, tmp.Mode, tmp.Source.Type, tmp.Source.HostPath.Path));
            Assert.False(tmp.HasHostPath);
            Assert.Equal(Volume.Types.Mode.Rw, container.Volumes[1].Mode);
        }
    }

    [Fact]
    public void External_volumes_are_Docker_volumes_named_per_instance_with_the_driver_options_as_parameters()
    {
        var named = new ExternalVolumeSpec("backups", "DOCKER", "svc-backups", VolumeMode.ReadOnly, "rexray", "size=10,repl=2", "backups");
        var unnamed = new ExternalVolumeSpec("scratch", "DOCKER", null, VolumeMode.ReadWrite, "rexray", null, "scratch");
        var (executor, task) = Launch(Plain with { ExternalVolumes = [named, unnamed] }, index: 2);

        foreach (var container in new[] { task.Container, executor.Container })
        {
            var backups = container.Volumes[0];
            Assert.Equal(("backups", Volume.Types.Mode.Ro, Volume.Types.Source.Types.Type.DockerVolume), (backups.ContainerPath, backups.Mode, backups.Source.Type));
            Assert.Equal(("rexray", "svc-backups_2"), (backups.Source.DockerVolume.Driver, backups.Source.DockerVolume.Name));
            Assert.Equal(["size=10", "repl=2"], backups.Source.DockerVolume.DriverOptions.Parameter.Select(p => $"{p.Key}={p.Value}"));

            var scratch = container.Volumes[1];
            Assert.Equal("hello-world_hello-scratch_2", scratch.Source.DockerVolume.Name);
            Assert.Equal(Volume.Types.Mode.Rw, scratch.Mode);
            Assert.Null(scratch.Source.DockerVolume.DriverOptions);
        }
    }

    [Fact]
    public void Secrets_reach_the_task_as_secret_variables_and_read_only_secret_volumes_but_not_its_checks()
    {
        var pod = Plain with
        {
            Secrets =
            [
                new SecretSpec("api-key", "svc/api-key", "API_KEY", "secrets/api-key"),
                new SecretSpec("token", "svc/token", "SLEEP_DURATION", null),
                new SecretSpec("cert", "svc/cert", null, "svc/cert"),
            ],
        };
        pod = pod with { Tasks = [pod.Tasks[0] with { HealthCheck = new HealthCheckSpec("true") }] };
        var (executor, task) = Launch(pod);

        var secrets = task.Command.Environment.Variables.Where(v => v.Type == Messages.MesosV1.Environment.Types.Variable.Types.Type.Secret).ToList();
        Assert.Equal(["API_KEY", "SLEEP_DURATION"], secrets.Select(v => v.Name));
        Assert.All(secrets, v => Assert.False(v.HasValue));
        Assert.Equal((Secret.Types.Type.Reference, "svc/api-key"), (secrets[0].Secret.Type, secrets[0].Secret.Reference.Name));
        // A secret takes the place of the spec's value of the same name.
        Assert.Single(task.Command.Environment.Variables, v => v.Name == "SLEEP_DURATION");
        // The health check runs with the task's variables but no secret, as in DC/OS.
        Assert.DoesNotContain(task.HealthCheck.Command.Environment.Variables, v => v.Type == Messages.MesosV1.Environment.Types.Variable.Types.Type.Secret);
        Assert.Equal("1000", task.HealthCheck.Command.Environment.Variables.Single(v => v.Name == "SLEEP_DURATION").Value);

        foreach (var container in new[] { task.Container, executor.Container })
        {
            Assert.Equal(["secrets/api-key", "svc/cert"], container.Volumes.Select(v => v.ContainerPath));
            Assert.All(container.Volumes, v => Assert.Equal((Volume.Types.Mode.Ro, Volume.Types.Source.Types.Type.Secret, Secret.Types.Type.Reference), (v.Mode, v.Source.Type, v.Source.Secret.Type)));
            Assert.Equal(["svc/api-key", "svc/cert"], container.Volumes.Select(v => v.Source.Secret.Reference.Name));
        }
    }

    [Fact]
    public void A_pod_whose_secrets_are_all_variables_needs_no_container()
    {
        var (executor, task) = Launch(Plain with { Secrets = [new SecretSpec("token", "svc/token", "TOKEN", null)] });

        Assert.Null(task.Container);
        Assert.Null(executor.Container);
        Assert.Equal("svc/token", task.Command.Environment.Variables.Single(v => v.Name == "TOKEN").Secret.Reference.Name);
    }

    [Fact]
    public void Networks_go_on_the_executor_with_their_port_mappings_and_labels()
    {
        var pod = Plain with
        {
            Networks = [new NetworkSpec("mesos-bridge", [8080, 8443], [80, 443], [new("team", "web")]), new NetworkSpec("dcos", [], [], [])],
        };
        var (executor, task) = Launch(pod);

        Assert.Null(task.Container);
        Assert.Equal(ContainerInfo.Types.Type.Mesos, executor.Container.Type);
        var bridge = executor.Container.NetworkInfos[0];
        Assert.Equal("mesos-bridge", bridge.Name);
        Assert.Equal(["8080->80", "8443->443"], bridge.PortMappings.Select(m => $"{m.HostPort}->{m.ContainerPort}"));
        Assert.Equal(("team", "web"), (bridge.Labels.Labels_[0].Key, bridge.Labels.Labels_[0].Value));
        var overlay = executor.Container.NetworkInfos[1];
        Assert.Equal("dcos", overlay.Name);
        Assert.Empty(overlay.PortMappings);
        Assert.Null(overlay.Labels);
    }

    [Fact]
    public void A_VIP_port_is_labelled_as_the_DCOS_load_balancer_reads_it()
    {
        var vip = new VipSpec("web", 80);
        var task = Plain.Tasks[0] with { Ports = [new PortSpec("http", 0, null, true, vip, []), TestOffers.Port("admin")] };
        var (_, info) = Launch(Plain with { Tasks = [task] });

        var http = info.Discovery.Ports.Ports_.Single(p => p.Name == "http");
        Assert.Equal(("VIP_http", "web:80"), (http.Labels.Labels_.Single().Key, http.Labels.Labels_.Single().Value));
        Assert.Equal("tcp", http.Protocol);
        Assert.Null(info.Discovery.Ports.Ports_.Single(p => p.Name == "admin").Labels);

        // On a virtual network the label says whose port the number is: the host's on the bridge, else the container's.
        static string Scope(PodSpec pod) => TaskInfoBuilder.VipLabels("http", new VipSpec("web", 80), pod).Labels_.Single(l => l.Key == "network-scope").Value;
        Assert.Equal("container", Scope(Plain with { Networks = [new NetworkSpec("dcos", [], [], [])] }));
        Assert.Equal("host", Scope(Plain with { Networks = [new NetworkSpec("dcos", [], [], []), new NetworkSpec("mesos-bridge", [], [], [])] }));
        Assert.DoesNotContain(TaskInfoBuilder.VipLabels("http", vip, Plain).Labels_, l => l.Key == "network-scope");
        Assert.Equal("web.hello-world.l4lb.thisdcos.directory:80", vip.Address("hello-world"));
    }

    [Fact]
    public void A_task_info_with_every_setting_keeps_it_through_the_masters_JSON()
    {
        var (executor, task) = Launch(Everything());

        foreach (var message in new Google.Protobuf.IMessage[] { task, executor })
        {
            var json = Encoding.UTF8.GetString(MesosCodec.Encode(message, MesosContentType.Json));
            var copy = message is TaskInfo
                ? (Google.Protobuf.IMessage)MesosCodec.Decode<TaskInfo>(Encoding.UTF8.GetBytes(json), MesosContentType.Json)
                : MesosCodec.Decode<ExecutorInfo>(Encoding.UTF8.GetBytes(json), MesosContentType.Json);
            Assert.Equal(message, copy);
        }

        // The wire names a Mesos master reads.
        var taskJson = Encoding.UTF8.GetString(MesosCodec.Encode(task, MesosContentType.Json));
        foreach (var expected in new[]
                 {
                     "\"container\":{\"type\":\"MESOS\"", "\"mesos\":{\"image\":{\"type\":\"DOCKER\",\"docker\":{\"name\":\"alpine:3.20\"}}}",
                     "\"rlimit_info\":{\"rlimits\":[{\"type\":\"RLMT_NOFILE\",\"hard\":128000,\"soft\":128000},{\"type\":\"RLMT_CORE\"}]}",
                     "\"linux_info\":{\"share_pid_namespace\":true,\"seccomp\":{\"profile_name\":\"default\"},\"ipc_mode\":\"PRIVATE\",\"shm_size\":32}",
                     "\"source\":{\"type\":\"HOST_PATH\",\"host_path\":{\"path\":\"/tmp\"}}",
                     "\"source\":{\"type\":\"DOCKER_VOLUME\",\"docker_volume\":{\"driver\":\"rexray\",\"name\":\"svc-backups_0\",\"driver_options\":{\"parameter\":[{\"key\":\"size\",\"value\":\"10\"},{\"key\":\"repl\",\"value\":\"2\"}]}}}",
                     "\"source\":{\"type\":\"SECRET\",\"secret\":{\"type\":\"REFERENCE\",\"reference\":{\"name\":\"svc/api-key\"}}}",
                     "{\"name\":\"TOKEN\",\"type\":\"SECRET\",\"secret\":{\"type\":\"REFERENCE\",\"reference\":{\"name\":\"svc/token\"}}}",
                     "\"labels\":{\"labels\":[{\"key\":\"VIP_http\",\"value\":\"web:80\"},{\"key\":\"network-scope\",\"value\":\"container\"}]}",
                 })
        {
            Assert.Contains(expected, taskJson, StringComparison.Ordinal);
        }

        var executorJson = Encoding.UTF8.GetString(MesosCodec.Encode(executor, MesosContentType.Json));
        Assert.Contains(
            "\"network_infos\":[{\"labels\":{\"labels\":[{\"key\":\"team\",\"value\":\"web\"}]},\"name\":\"dcos\",\"port_mappings\":[{\"host_port\":8080,\"container_port\":80}]}]",
            executorJson, StringComparison.Ordinal);
        Assert.Contains("\"linux_info\":{\"ipc_mode\":\"PRIVATE\",\"shm_size\":64}", executorJson, StringComparison.Ordinal);
        Assert.DoesNotContain("\"image\"", executorJson, StringComparison.Ordinal);
    }
}
