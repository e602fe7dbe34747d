using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// Reads the pod keys beyond count, placement, volumes and tasks: image, uris, networks, rlimits, host and external
/// volumes, secrets, pre-reserved role, seccomp, IPC and shared memory.
/// </summary>
internal static class PodFeatureMapper
{
    private static readonly ImmutableArray<(string, VolumeMode)> _modes = [("RW", VolumeMode.ReadWrite), ("RO", VolumeMode.ReadOnly)];

    private const string DriverOptionsExpected = "driver options as 'k=v,k2=v2'";

    public static readonly ImmutableArray<(string, IpcMode)> IpcModes = [("PRIVATE", IpcMode.Private), ("SHARE_PARENT", IpcMode.ShareParent)];

    /// <summary>The resource limits Linux knows (setrlimit(2)), as Mesos names them.</summary>
    private static readonly ImmutableArray<string> _rlimitNames =
    [
        "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS", "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
    ];

    public static PodSpec Apply(PodSpec pod, MappingReader reader, MappingContext context)
    {
        var imageNode = reader.Optional("image");
        var seccompNode = reader.Optional("seccomp-unconfined");
        var seccompUnconfined = seccompNode is not null && ScalarReader.Boolean(seccompNode, reader.PathOf("seccomp-unconfined"), context) == true;
        var profileNode = reader.Optional("seccomp-profile-name");
        var profile = profileNode is null ? null : ScalarReader.Token(profileNode, reader.PathOf("seccomp-profile-name"), context, "a seccomp profile name");
        if (seccompUnconfined && profile is not null)
        {
            context.Error(profileNode!, reader.PathOf("seccomp-profile-name"),
                "'seccomp-profile-name' cannot be set together with 'seccomp-unconfined: true'; an unconfined pod has no profile");
        }

        var sharePidNode = reader.Optional("share-pid-namespace");
        var (ipcMode, shmSize) = ReadIpc(reader, [IpcModes[0]], context);

        return pod with
        {
            Image = imageNode is null ? null : ScalarReader.Token(imageNode, reader.PathOf("image"), context, "a container image name"),
            Uris = NamedMapping.ReadList(reader.Optional("uris"), reader.PathOf("uris"), context, "URIs", (node, path) => ReadUri(node, path, context)),
            Networks = NamedMapping.Read(reader.Optional("networks"), reader.PathOf("networks"), context, "network names to settings",
                (key, node, path) => ReadNetwork(key, node, path, context)),
            Rlimits = NamedMapping.Read(reader.Optional("rlimits"), reader.PathOf("rlimits"), context, "RLIMIT_* names to limits",
                (key, node, path) => ReadRlimit(key, node, path, context)),
            SharePidNamespace = sharePidNode is not null && ScalarReader.Boolean(sharePidNode, reader.PathOf("share-pid-namespace"), context) == true,
            HostVolumes = NamedMapping.Read(reader.Optional("host-volumes"), reader.PathOf("host-volumes"), context, "names to host volumes",
                (key, node, path) => ReadHostVolume(key, node, path, context)),
            ExternalVolumes = NamedMapping.Read(reader.Optional("external-volumes"), reader.PathOf("external-volumes"), context,
                "names to external volumes", (key, node, path) => ReadExternalVolume(key, node, path, context)),
            PreReservedRole = ReadRole(reader, context),
            Secrets = NamedMapping.Read(reader.Optional("secrets"), reader.PathOf("secrets"), context, "names to secrets",
                (key, node, path) => ReadSecret(key, node, path, context)),
            SeccompUnconfined = seccompUnconfined,
            SeccompProfileName = profile,
            IpcMode = ipcMode,
            ShmSizeMb = shmSize,
        };
    }

    /// <summary><c>ipc-mode</c> and <c>shm-size</c> of a pod or task; a shared-memory size needs a private IPC namespace.</summary>
    public static (IpcMode? Mode, int? ShmSizeMb) ReadIpc(MappingReader owner, ImmutableArray<(string, IpcMode)> modes, MappingContext context)
    {
        var modeNode = owner.Optional("ipc-mode");
        var mode = modeNode is null ? null : ScalarReader.Choice(modeNode, owner.PathOf("ipc-mode"), context, modes);
        var shmNode = owner.Optional("shm-size");
        var shm = shmNode is null ? null : ScalarReader.Integer(shmNode, owner.PathOf("shm-size"), context, 1);
        if (shm is not null && mode != IpcMode.Private)
        {
            context.Error(shmNode!, owner.PathOf("shm-size"), "'shm-size' sizes a private /dev/shm; it needs 'ipc-mode: PRIVATE' beside it");
        }

        return (mode, shm);
    }

    /// <summary>A path inside the container or sandbox: relative, without '..'.</summary>
    public static string? RelativePath(SpecNode node, string path, MappingContext context, string expected)
    {
        var value = ScalarReader.Token(node, path, context, expected);
        if (value is not null && (value.StartsWith('/') || value.Split('/').Contains("..")))
        {
            context.Error(node, path, $"expected {expected} (relative, without '..'), found {SourceQuote.Of(value)}");
            return null;
        }

        return value;
    }

    private static string? ReadUri(SpecNode node, string path, MappingContext context)
    {
        var value = ScalarReader.Token(node, path, context, "a URI");
        if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme.Length < 2))
        {
            context.Error(node, path, $"expected an absolute URI such as https://example.com/app.tgz, found {SourceQuote.Of(value)}");
            return null;
        }

        return value;
    }

    private static NetworkSpec? ReadNetwork(ScalarNode key, SpecNode node, string path, MappingContext context)
    {
        if (key.Value.Trim().Length == 0 || key.Value.Any(char.IsWhiteSpace))
        {
            context.Error(key, path, $"expected a network name without blanks, found {SourceQuote.Of(key.Value)}");
        }

        if (node is ScalarNode { IsNull: true })
        {
            return new NetworkSpec(key.Value, [], [], []);
        }

        var network = MappingReader.Open(node, path, context, "network settings", SpecKeys.Network);
        if (network is null)
        {
            return null;
        }

        var hostPorts = ReadPortList(network, "host-ports", context);
        var containerPorts = ReadPortList(network, "container-ports", context);
        if (key.Value != NetworkSpec.PortMappingNetwork && (hostPorts.Length > 0 || containerPorts.Length > 0))
        {
            // As DC/OS reads a spec: only mesos-bridge maps ports; on the others a task's port is the container's own.
            var mappingKey = hostPorts.Length > 0 ? "host-ports" : "container-ports";
            context.Error(network.Optional(mappingKey)!, network.PathOf(mappingKey),
                $"network '{key.Value}' does not map container ports to host ports (only '{NetworkSpec.PortMappingNetwork}' does); " +
                $"remove 'host-ports' and 'container-ports' and reach the tasks at their container address, or join '{NetworkSpec.PortMappingNetwork}'");
        }

        if (hostPorts.Length != containerPorts.Length && network.Optional("host-ports") is not null && network.Optional("container-ports") is not null)
        {
            context.Error(network.Optional("container-ports")!, network.PathOf("container-ports"),
                $"expected as many container ports as host ports ({hostPorts.Length}), found {containerPorts.Length}; they are mapped pairwise");
        }

        var labelsNode = network.Optional("labels");
        var labels = labelsNode is null ? [] : TaskLabels.Read(labelsNode, network.PathOf("labels"), context);
        return new NetworkSpec(key.Value, hostPorts, containerPorts, labels);
    }

    private static ImmutableArray<int> ReadPortList(MappingReader owner, string key, MappingContext context)
    {
        var node = owner.Optional(key);
        if (node is null or ScalarNode { IsNull: true })
        {
            return [];
        }

        if (node is not SequenceNode list)
        {
            context.Error(node, owner.PathOf(key), $"expected a list of port numbers, found {node.Describe()}");
            return [];
        }

        var ports = ImmutableArray.CreateBuilder<int>();
        for (var i = 0; i < list.Items.Length; i++)
        {
            var port = ScalarReader.Integer(list.Items[i], KeyPath.Item(owner.PathOf(key), i), context, 1, PortMapper.MaxPort);
            if (port is not null)
            {
                ports.Add(port.Value);
            }
        }

        return ports.ToImmutable();
    }

    private static RlimitSpec? ReadRlimit(ScalarNode key, SpecNode node, string path, MappingContext context)
    {
        if (!_rlimitNames.Contains(key.Value))
        {
            context.Error(key, path, $"unknown resource limit '{key.Value}'; expected one of: {string.Join(", ", _rlimitNames)}");
            return null;
        }

        if (node is ScalarNode { IsNull: true })
        {
            return new RlimitSpec(key.Value, null, null);
        }

        var limit = MappingReader.Open(node, path, context, "a resource limit", SpecKeys.Rlimit);
        if (limit is null)
        {
            return null;
        }

        var softNode = limit.Optional("soft");
        var hardNode = limit.Optional("hard");
        if ((softNode is null) != (hardNode is null))
        {
            context.Error(node, path, "expected both 'soft' and 'hard', or neither for unlimited; found only one");
            return null;
        }

        var soft = softNode is null ? null : ScalarReader.Long(softNode, limit.PathOf("soft"), context, 0);
        var hard = hardNode is null ? null : ScalarReader.Long(hardNode, limit.PathOf("hard"), context, 0);
        if (soft > hard)
        {
            context.Error(softNode!, limit.PathOf("soft"), $"expected soft <= hard, found {soft} > {hard}");
            return null;
        }

        return new RlimitSpec(key.Value, soft, hard);
    }

    private static HostVolumeSpec? ReadHostVolume(ScalarNode key, SpecNode node, string path, MappingContext context)
    {
        var volume = MappingReader.Open(node, path, context, "a host volume", SpecKeys.HostVolume);
        if (volume is null)
        {
            return null;
        }

        var hostNode = volume.Required("host-path", "an absolute path on the agent");
        var hostPath = hostNode is null ? null : ScalarReader.Token(hostNode, volume.PathOf("host-path"), context, "an absolute path on the agent");
        if (hostPath is not null && !hostPath.StartsWith('/'))
        {
            context.Error(hostNode!, volume.PathOf("host-path"), $"expected an absolute path on the agent, found {SourceQuote.Of(hostPath)}");
            hostPath = null;
        }

        var containerNode = volume.Required("container-path", "a path in the task sandbox");
        var containerPath = containerNode is null ? null : RelativePath(containerNode, volume.PathOf("container-path"), context, "a path in the task sandbox");
        var mode = ReadMode(volume, "mode", context);
        return hostPath is null || containerPath is null || mode is null ? null : new HostVolumeSpec(key.Value, hostPath, containerPath, mode.Value);
    }

    private static ExternalVolumeSpec? ReadExternalVolume(ScalarNode key, SpecNode node, string path, MappingContext context)
    {
        var volume = MappingReader.Open(node, path, context, "an external volume", SpecKeys.ExternalVolume);
        if (volume is null)
        {
            return null;
        }

        var typeNode = volume.Required("type", "DOCKER");
        var type = typeNode is null ? null : ScalarReader.OneOf(typeNode, volume.PathOf("type"), context, ["DOCKER"]);
        // Without a name, the scheduler makes one up per pod instance (ExternalVolumeProvider), as DC/OS does.
        var nameNode = volume.Optional("volume-name");
        var volumeName = nameNode is null or ScalarNode { IsNull: true } ? null : ScalarReader.Token(nameNode, volume.PathOf("volume-name"), context, "a volume name");
        var driverNode = volume.Required("driver-name", "a Docker volume driver, e.g. pxd");
        var driver = driverNode is null ? null : ScalarReader.Token(driverNode, volume.PathOf("driver-name"), context, "a driver name");
        var optionsNode = volume.Optional("driver-options");
        var options = optionsNode is null or ScalarNode { IsNull: true } ? null : ScalarReader.String(optionsNode, volume.PathOf("driver-options"), context, DriverOptionsExpected);
        if (options is not null && ExternalVolumeSpec.ParseDriverOptions(options).Problem is { } problem)
        {
            context.Error(optionsNode!, volume.PathOf("driver-options"), $"expected {DriverOptionsExpected}; {problem}");
            options = null;
        }

        var containerNode = volume.Required("container-path", "a path in the task sandbox");
        var containerPath = containerNode is null ? null : RelativePath(containerNode, volume.PathOf("container-path"), context, "a path in the task sandbox");
        var mode = ReadMode(volume, "volume-mode", context);
        return type is null || driver is null || containerPath is null || mode is null
            ? null
            : new ExternalVolumeSpec(key.Value, type, volumeName, mode.Value, driver, options, containerPath);
    }

    private static VolumeMode? ReadMode(MappingReader volume, string key, MappingContext context)
    {
        var node = volume.Optional(key);
        return node is null ? VolumeMode.ReadWrite : ScalarReader.Choice(node, volume.PathOf(key), context, _modes);
    }

    private static string ReadRole(MappingReader pod, MappingContext context)
    {
        var node = pod.Optional("pre-reserved-role");
        if (node is null)
        {
            return "*";
        }

        var path = pod.PathOf("pre-reserved-role");
        var role = ScalarReader.Token(node, path, context, "a Mesos role");
        if (role is null)
        {
            return "*";
        }

        if (role != "*" && (role is "." or ".." || role.StartsWith('-') || role.StartsWith('/') || role.EndsWith('/') ||
                            role.Contains("//", StringComparison.Ordinal) || role.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            context.Error(node, path, $"expected a Mesos role ('*' or a name such as 'slave_public' or 'team/a'), found {SourceQuote.Of(role)}");
            return "*";
        }

        return role;
    }

    private static SecretSpec? ReadSecret(ScalarNode key, SpecNode node, string path, MappingContext context)
    {
        var secret = MappingReader.Open(node, path, context, "a secret", SpecKeys.Secret);
        if (secret is null)
        {
            return null;
        }

        var secretNode = secret.Required("secret", "the secret's path in the secret store");
        var secretPath = secretNode is null ? null : ScalarReader.Token(secretNode, secret.PathOf("secret"), context, "a secret path");
        var envNode = secret.Optional("env-key");
        var envKey = envNode is null ? null : ScalarReader.Token(envNode, secret.PathOf("env-key"), context, "an environment variable name");
        if (envKey is not null && !Names.IsEnvironmentName(envKey))
        {
            context.Error(envNode!, secret.PathOf("env-key"), $"expected {Names.EnvironmentNameRule}, found {SourceQuote.Of(envKey)}");
        }

        var fileNode = secret.Optional("file");
        var file = fileNode is null ? null : RelativePath(fileNode, secret.PathOf("file"), context, "a file path in the task sandbox");
        // Neither: DC/OS delivers the secret as a file at the secret's own path.
        return secretPath is null ? null : new SecretSpec(key.Value, secretPath, envKey, envNode is null && fileNode is null ? secretPath : file);
    }
}
