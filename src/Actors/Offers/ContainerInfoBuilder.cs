using System.Collections.Immutable;
using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;
using ActorScheduler.Specs.Model;
using Environment = ActorScheduler.Messages.MesosV1.Environment;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// The Mesos containers of a pod instance's tasks and of its executor: what the pod asks of the agent's container
/// runtime, split between the two as DC/OS <c>PodInfoBuilder.getContainerInfo</c> splits it. A task's container gets the
/// image, the resource limits, its own cgroups when the pod's tasks have <c>resource-limits</c>, the PID namespace and seccomp settings, the task's own IPC / <c>/dev/shm</c> settings and
/// the pod's host, external and secret volumes; the executor's gets the networks (the default executor's tasks join
/// them), the pod-level IPC / <c>/dev/shm</c> settings, the resource limits and the same volumes. A container is built
/// only when the pod asks for something it carries: a pod without these keys launches without one, as before (DC/OS
/// always sets a MESOS container with a <c>/tmp</c> volume, which agents without the <c>filesystem/linux</c> isolator
/// refuse).
/// </summary>
public static class ContainerInfoBuilder
{
    /// <summary>
    /// The task's container, or null when nothing asks for one. (The pod's own volumes join it afterwards, each task
    /// mounting them from the executor's sandbox: <see cref="TaskInfoBuilder.ShareExecutorVolumes"/>.)
    /// </summary>
    public static ContainerInfo? Task(string serviceName, PodSpec pod, int index, TaskSpec task)
    {
        if (!TaskNeedsContainer(pod, task))
        {
            return null;
        }

        var container = new ContainerInfo { Type = ContainerInfo.Types.Type.Mesos };
        if (pod.Image is { } image)
        {
            container.Mesos = new ContainerInfo.Types.MesosInfo
            {
                Image = new Image { Type = Image.Types.Type.Docker, Docker = new Image.Types.Docker { Name = image } },
            };
        }

        if (!pod.Rlimits.IsDefaultOrEmpty)
        {
            container.RlimitInfo = RLimits(pod.Rlimits);
        }

        container.LinuxInfo = Linux(pod.SharePidNamespace, Seccomp(pod), task.IpcMode, task.ShmSizeMb, ownCgroups: HasResourceLimits(pod));
        AddVolumes(container, serviceName, pod, index);
        return container;
    }

    /// <summary>
    /// Some task of the pod has <c>resource-limits</c>. A Mesos master takes a task group's task with limits only when its
    /// container does not share the executor's cgroups (<c>LinuxInfo.share_cgroups</c> false), and the tasks of one
    /// executor must all agree on it: so every task of such a pod gets its own cgroups, as DC/OS gives every task.
    /// </summary>
    public static bool HasResourceLimits(PodSpec pod)
    {
        // Indexed: every launch asks, and an enumerator of the tasks would allocate.
        var tasks = pod.Tasks;
        for (var i = 0; i < tasks.Length; i++)
        {
            if (tasks[i].Limits is { LimitsAnything: true })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The executor's container, or null when nothing asks for one.</summary>
    public static ContainerInfo? Executor(string serviceName, PodSpec pod, int index)
    {
        if (!ExecutorNeedsContainer(pod))
        {
            return null;
        }

        var container = new ContainerInfo { Type = ContainerInfo.Types.Type.Mesos };
        foreach (var network in pod.Networks)
        {
            container.NetworkInfos.Add(Network(network));
        }

        if (!pod.Rlimits.IsDefaultOrEmpty)
        {
            container.RlimitInfo = RLimits(pod.Rlimits);
        }

        container.LinuxInfo = Linux(sharePidNamespace: false, seccomp: null, pod.IpcMode, pod.ShmSizeMb);
        AddVolumes(container, serviceName, pod, index);
        return container;
    }

    /// <summary>
    /// The task command's environment with the pod's secrets that have an <c>env-key</c>: each a SECRET variable that
    /// references the secret (the agent's secret resolver fills it in), in place of a value of the same name, as DC/OS
    /// adds them. The same object when the pod has none.
    /// </summary>
    public static Environment WithSecrets(Environment environment, PodSpec pod) =>
        pod.Secrets.IsDefaultOrEmpty || !pod.Secrets.Any(s => s.EnvKey is not null) ? environment : AddSecrets(environment, pod);

    // Apart, so that a pod without secrets does not pay for the closure the filter below needs.
    private static Environment AddSecrets(Environment environment, PodSpec pod)
    {
        var keys = pod.Secrets.Select(s => s.EnvKey).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var withSecrets = new Environment { Variables = { environment.Variables.Where(v => !keys.Contains(v.Name)) } };
        foreach (var secret in pod.Secrets.Where(s => s.EnvKey is not null))
        {
            withSecrets.Variables.Add(new Environment.Types.Variable
            {
                Name = secret.EnvKey!,
                Type = Environment.Types.Variable.Types.Type.Secret,
                Secret = Reference(secret.SecretPath),
            });
        }

        return withSecrets;
    }

    /// <summary>A network the executor joins: its name, host → container port mappings (pairwise) and labels.</summary>
    public static NetworkInfo Network(NetworkSpec network)
    {
        var info = new NetworkInfo { Name = network.Name };
        foreach (var (host, container) in network.HostPorts.Zip(network.ContainerPorts))
        {
            info.PortMappings.Add(new NetworkInfo.Types.PortMapping { HostPort = (uint)host, ContainerPort = (uint)container });
        }

        if (!network.Labels.IsDefaultOrEmpty)
        {
            info.Labels = new Labels { Labels_ = { network.Labels.Select(l => new Label { Key = l.Key, Value = l.Value }) } };
        }

        return info;
    }

    /// <summary>The pod's <c>rlimits</c>; a limit with neither bound is unlimited (Mesos: both unset).</summary>
    public static RLimitInfo RLimits(IEnumerable<RlimitSpec> limits)
    {
        var info = new RLimitInfo();
        foreach (var limit in limits)
        {
            var rlimit = new RLimitInfo.Types.RLimit { Type = RLimitType(limit.Name) };
            if (limit is { Soft: { } soft, Hard: { } hard })
            {
                rlimit.Soft = (ulong)soft;
                rlimit.Hard = (ulong)hard;
            }

            info.Rlimits.Add(rlimit);
        }

        return info;
    }

    /// <summary>A host volume: the agent's directory mounted at the container path (HOST_PATH source), RW or RO.</summary>
    public static Volume HostVolume(HostVolumeSpec volume) => new()
    {
        Mode = Mode(volume.Mode),
        ContainerPath = volume.ContainerPath,
        Source = new Volume.Types.Source
        {
            Type = Volume.Types.Source.Types.Type.HostPath,
            HostPath = new Volume.Types.Source.Types.HostPath { Path = volume.HostPath },
        },
    };

    /// <summary>An external volume of instance <paramref name="index"/>: a Docker volume of the driver, named and
    /// optioned as <see cref="ExternalVolumeProvider"/> says.</summary>
    public static Volume ExternalVolume(string serviceName, PodSpec pod, int index, ExternalVolumeSpec volume)
    {
        var docker = new Volume.Types.Source.Types.DockerVolume
        {
            Driver = volume.DriverName,
            Name = ExternalVolumeProvider.VolumeName(serviceName, pod, index, volume),
        };
        var options = ExternalVolumeProvider.DriverOptions(volume);
        if (!options.IsEmpty)
        {
            docker.DriverOptions = new Parameters { Parameter = { options.Select(o => new Parameter { Key = o.Key, Value = o.Value }) } };
        }

        return new Volume
        {
            Mode = Mode(volume.Mode),
            ContainerPath = volume.ContainerPath,
            Source = new Volume.Types.Source { Type = Volume.Types.Source.Types.Type.DockerVolume, DockerVolume = docker },
        };
    }

    /// <summary>A secret delivered as a file: a read-only SECRET volume at the file's path that references the secret.</summary>
    public static Volume SecretVolume(SecretSpec secret, string file) => new()
    {
        Mode = Volume.Types.Mode.Ro,
        ContainerPath = file,
        Source = new Volume.Types.Source { Type = Volume.Types.Source.Types.Type.Secret, Secret = Reference(secret.SecretPath) },
    };

    /// <summary>
    /// The TLS artifacts of <paramref name="task"/>'s <c>transport-encryption</c> as read-only secret files in its
    /// sandbox (DC/OS <c>TLSEvaluationStage</c>): <c>&lt;name&gt;.crt</c>, <c>.key</c> and <c>.ca</c> for TLS,
    /// <c>&lt;name&gt;.keystore</c> and <c>.truststore</c> for KEYSTORE. The files' contents travel in the task info as
    /// VALUE secrets (there is no secret store to keep them in); the task gets a MESOS container if it had none.
    /// </summary>
    public static void AddTransportEncryption(TaskInfo info, TaskSpec task, ImmutableArray<Tls.IssuedTls> issued)
    {
        foreach (var entry in task.TransportEncryption)
        {
            if (issued.FirstOrDefault(t => t.Task == task.Name && t.Name == entry.Name) is not { } artifacts)
            {
                continue;
            }

            info.Container ??= new ContainerInfo { Type = ContainerInfo.Types.Type.Mesos };
            foreach (var (path, contents) in artifacts.Artifacts.Files(entry.Name, entry.Type))
            {
                info.Container.Volumes.Add(ValueSecretVolume(path, contents));
            }
        }
    }

    /// <summary>A file whose contents the task info carries: a read-only SECRET volume with a VALUE secret.</summary>
    public static Volume ValueSecretVolume(string file, ByteString contents) => new()
    {
        Mode = Volume.Types.Mode.Ro,
        ContainerPath = file,
        Source = new Volume.Types.Source
        {
            Type = Volume.Types.Source.Types.Type.Secret,
            Secret = new Secret { Type = Secret.Types.Type.Value, Value = new Secret.Types.Value { Data = contents } },
        },
    };

    /// <summary>A secret by its path in the secret store (REFERENCE: the agent's resolver reads it).</summary>
    public static Secret Reference(string path) => new()
    {
        Type = Secret.Types.Type.Reference,
        Reference = new Secret.Types.Reference { Name = path },
    };

    private static bool TaskNeedsContainer(PodSpec pod, TaskSpec task) =>
        pod.Image is not null || pod.SharePidNamespace || pod.SeccompUnconfined || pod.SeccompProfileName is not null
        || task.IpcMode is not null || task.ShmSizeMb is not null || HasRlimitsOrVolumes(pod) || HasResourceLimits(pod);

    private static bool ExecutorNeedsContainer(PodSpec pod) =>
        !pod.Networks.IsDefaultOrEmpty || pod.IpcMode is not null || pod.ShmSizeMb is not null || HasRlimitsOrVolumes(pod);

    private static bool HasRlimitsOrVolumes(PodSpec pod)
    {
        if (!pod.Rlimits.IsDefaultOrEmpty || !pod.HostVolumes.IsDefaultOrEmpty || !pod.ExternalVolumes.IsDefaultOrEmpty)
        {
            return true;
        }

        return !pod.Secrets.IsDefaultOrEmpty && pod.Secrets.Any(s => s.File is not null);
    }

    /// <summary>The pod's volumes in DC/OS's order: host, external, then secret files.</summary>
    private static void AddVolumes(ContainerInfo container, string serviceName, PodSpec pod, int index)
    {
        foreach (var volume in pod.HostVolumes)
        {
            container.Volumes.Add(HostVolume(volume));
        }

        foreach (var volume in pod.ExternalVolumes)
        {
            container.Volumes.Add(ExternalVolume(serviceName, pod, index, volume));
        }

        foreach (var secret in pod.Secrets)
        {
            if (secret.File is { } file)
            {
                container.Volumes.Add(SecretVolume(secret, file));
            }
        }
    }

    /// <summary>The Linux settings asked for, or null when none is; <paramref name="ownCgroups"/>: share_cgroups false.</summary>
    private static LinuxInfo? Linux(bool sharePidNamespace, SeccompInfo? seccomp, IpcMode? ipcMode, int? shmSizeMb, bool ownCgroups = false)
    {
        if (!sharePidNamespace && seccomp is null && ipcMode is null && shmSizeMb is null && !ownCgroups)
        {
            return null;
        }

        var linux = new LinuxInfo();
        if (ownCgroups)
        {
            linux.ShareCgroups = false;
        }

        if (sharePidNamespace)
        {
            linux.SharePidNamespace = true;
        }

        if (seccomp is not null)
        {
            linux.Seccomp = seccomp;
        }

        if (ipcMode is { } mode)
        {
            linux.IpcMode = mode == IpcMode.Private ? LinuxInfo.Types.IpcMode.Private : LinuxInfo.Types.IpcMode.ShareParent;
        }

        if (shmSizeMb is { } shm)
        {
            linux.ShmSize = (uint)shm;
        }

        return linux;
    }

    private static SeccompInfo? Seccomp(PodSpec pod) =>
        pod.SeccompUnconfined ? new SeccompInfo { Unconfined = true }
        : pod.SeccompProfileName is { } profile ? new SeccompInfo { ProfileName = profile }
        : null;

    private static Volume.Types.Mode Mode(VolumeMode mode) => mode == VolumeMode.ReadOnly ? Volume.Types.Mode.Ro : Volume.Types.Mode.Rw;

    /// <exception cref="ArgumentException">Not a resource limit Mesos knows (the spec loader refuses those).</exception>
    private static RLimitInfo.Types.RLimit.Types.Type RLimitType(string name) =>
        name.StartsWith("RLIMIT_", StringComparison.Ordinal)
        && Enum.TryParse<RLimitInfo.Types.RLimit.Types.Type>("Rlmt" + name["RLIMIT_".Length..], ignoreCase: true, out var type)
        && type != RLimitInfo.Types.RLimit.Types.Type.Unknown
            ? type
            : throw new ArgumentException($"'{name}' is not a resource limit Mesos knows", nameof(name));
}
