using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Yaml;

/// <summary>Maps the tasks of one pod; resources come inline or from one of the pod's <c>resource-sets</c>.</summary>
internal sealed class TaskMapper(MappingContext context, VolumeSet podVolumes, PortMapper ports, ImmutableArray<ResourceSetSpec> resourceSets)
{
    private static readonly ImmutableArray<(string, GoalState)> _goals =
        [("RUNNING", GoalState.Running), ("FINISH", GoalState.Finish), ("ONCE", GoalState.Once)];

    private static readonly ImmutableArray<(string, DiscoveryVisibility)> _visibilities =
        [("FRAMEWORK", DiscoveryVisibility.Framework), ("CLUSTER", DiscoveryVisibility.Cluster), ("EXTERNAL", DiscoveryVisibility.External)];

    private static readonly ImmutableArray<(string, TransportEncryptionType)> _encryptionTypes =
        [("TLS", TransportEncryptionType.Tls), ("KEYSTORE", TransportEncryptionType.Keystore)];

    public MappingContext Context => context;

    public TaskSpec Read(ScalarNode nameNode, SpecNode node, string path)
    {
        var name = nameNode.Value;
        if (!Names.IsIdentifier(name))
        {
            context.Error(nameNode, path, $"expected a task name of {Names.IdentifierRule}, found {SourceQuote.Of(name)}");
        }

        var task = MappingReader.Open(node, path, context, "a task", SpecKeys.Task);
        if (task is null)
        {
            return new TaskSpec(name, GoalState.Running, "", 0, 0, [], []);
        }

        var goalNode = task.Required("goal", "RUNNING, FINISH or ONCE");
        var goal = goalNode is null ? null : ScalarReader.Choice(goalNode, task.PathOf("goal"), context, _goals, ignoreCase: true); // DC/OS upper-cases the goal
        var cmdNode = task.Required("cmd", "a shell command");
        var cmd = cmdNode is null ? null : ScalarReader.String(cmdNode, task.PathOf("cmd"), context, "a shell command");
        var (resources, setId) = ReadResources(task, name);
        var essentialNode = task.Optional("essential");
        var essential = essentialNode is null || ScalarReader.Boolean(essentialNode, task.PathOf("essential"), context) != false;
        var env = ReadEnv(task);
        var labelsNode = task.Optional("labels");
        var labels = labelsNode is null ? [] : TaskLabels.Read(labelsNode, task.PathOf("labels"), context);
        var graceNode = task.Optional("kill-grace-period");
        var grace = graceNode is null or ScalarNode { IsNull: true }
            ? null
            : ScalarReader.Integer(graceNode, task.PathOf("kill-grace-period"), context, 0);
        var (ipcMode, shmSize) = PodFeatureMapper.ReadIpc(task, PodFeatureMapper.IpcModes, context);

        return new TaskSpec(name, goal ?? GoalState.Running, cmd ?? "", resources.Cpus, resources.MemoryMb, env, resources.Volumes, essential)
        {
            Labels = labels,
            KillGracePeriodSeconds = grace,
            ResourceSet = setId,
            Gpus = resources.Gpus,
            Limits = resources.Limits,
            Ports = resources.Ports,
            HealthCheck = CheckMapper.ReadHealth(task, context),
            ReadinessCheck = CheckMapper.ReadReadiness(task, context),
            Discovery = ReadDiscovery(task),
            TransportEncryption = ReadEncryption(task),
            Configs = ReadConfigs(task),
            IpcMode = ipcMode,
            ShmSizeMb = shmSize,
        };
    }

    /// <summary>Inline resources, or those of the named resource set (then no resource key may appear on the task).</summary>
    private (ResourceSetSpec Resources, string? SetId) ReadResources(MappingReader task, string name)
    {
        var setNode = task.Optional("resource-set");
        if (setNode is null)
        {
            return (ResourceMapper.Read(name + "-resource-set", task, "a task", podVolumes.ForTask(), ports, context), null);
        }

        foreach (var key in SpecKeys.Resource.Where(k => task.Optional(k) is not null))
        {
            context.Error(task.KeyNode(key)!, task.PathOf(key),
                $"'{key}' cannot be set on a task that uses 'resource-set'; declare it in the resource set instead");
        }

        var empty = new ResourceSetSpec("", 0, 0, 0, null, [], []);
        var id = ScalarReader.Token(setNode, task.PathOf("resource-set"), context, "the id of one of the pod's resource-sets");
        if (id is null)
        {
            return (empty, null);
        }

        var set = resourceSets.FirstOrDefault(r => r.Id == id);
        if (set is null)
        {
            var known = resourceSets.IsEmpty ? "the pod declares no resource-sets" : "expected one of: " + string.Join(", ", resourceSets.Select(r => r.Id));
            context.Error(setNode, task.PathOf("resource-set"), $"unknown resource set '{id}'; {known}");
            return (empty, null);
        }

        return (set, id);
    }

    private ImmutableArray<KeyValuePair<string, string>> ReadEnv(MappingReader task)
    {
        var node = task.Optional("env");
        if (node is null or ScalarNode { IsNull: true })
        {
            return [];
        }

        var path = task.PathOf("env");
        if (node is not MappingNode mapping)
        {
            context.Error(node, path, $"expected a mapping of environment variables, found {node.Describe()}");
            return [];
        }

        var env = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var entry in mapping.Entries)
        {
            var name = entry.Key.Value;
            var entryPath = KeyPath.Child(path, name);
            if (!Names.IsEnvironmentName(name))
            {
                context.Error(entry.Key, entryPath,
                    $"expected {Names.EnvironmentNameRule}, found {SourceQuote.Of(name)}");
            }

            if (entry.Value is not ScalarNode scalar)
            {
                context.Error(entry.Value, entryPath, $"expected a single value (a string or number), found {entry.Value.Describe()}");
                continue;
            }

            env.Add(new KeyValuePair<string, string>(name, scalar.IsNull ? "" : scalar.Value));
        }

        return env.ToImmutable();
    }

    private DiscoverySpec? ReadDiscovery(MappingReader task)
    {
        var node = task.Optional("discovery");
        if (node is null or ScalarNode { IsNull: true })
        {
            return null;
        }

        var discovery = MappingReader.Open(node, task.PathOf("discovery"), context, "discovery settings", SpecKeys.Discovery);
        if (discovery is null)
        {
            return null;
        }

        var prefixNode = discovery.Optional("prefix");
        var prefix = prefixNode is null ? null : ScalarReader.Token(prefixNode, discovery.PathOf("prefix"), context, "a DNS name prefix");
        if (prefix is not null && !Names.IsDnsLabel(prefix))
        {
            context.Error(prefixNode!, discovery.PathOf("prefix"), $"expected a discovery prefix of {Names.DnsLabelRule}, found {SourceQuote.Of(prefix)}");
            prefix = null;
        }

        var visibilityNode = discovery.Optional("visibility");
        var visibility = visibilityNode is null
            ? DiscoveryVisibility.Cluster
            : ScalarReader.Choice(visibilityNode, discovery.PathOf("visibility"), context, _visibilities) ?? DiscoveryVisibility.Cluster;
        return new DiscoverySpec(prefix, visibility);
    }

    private ImmutableArray<TransportEncryptionSpec> ReadEncryption(MappingReader task)
    {
        var seen = new HashSet<(string, TransportEncryptionType)>();
        return NamedMapping.ReadList(task.Optional("transport-encryption"), task.PathOf("transport-encryption"), context,
            "artifacts such as {name: server, type: TLS}", (node, path) =>
            {
                var entry = MappingReader.Open(node, path, context, "a transport-encryption entry", SpecKeys.TransportEncryption);
                if (entry is null)
                {
                    return null;
                }

                var nameNode = entry.Required("name", "a name for the certificate files");
                var name = nameNode is null ? null : ScalarReader.Token(nameNode, entry.PathOf("name"), context, "a name");
                var typeNode = entry.Required("type", "TLS or KEYSTORE");
                var type = typeNode is null ? null : ScalarReader.Choice(typeNode, entry.PathOf("type"), context, _encryptionTypes);
                if (name is not null && type is not null && !seen.Add((name, type.Value)))
                {
                    context.Error(nameNode!, entry.PathOf("name"), $"transport-encryption '{name}' of type {typeNode!.Describe()} is listed twice");
                    return null;
                }

                return name is null || type is null ? null : new TransportEncryptionSpec(name, type.Value);
            });
    }

    private ImmutableArray<ConfigTemplateSpec> ReadConfigs(MappingReader task) =>
        NamedMapping.Read(task.Optional("configs"), task.PathOf("configs"), context, "config names to templates", (key, node, path) =>
        {
            var config = MappingReader.Open(node, path, context, "a config template", SpecKeys.Config);
            if (config is null)
            {
                return null;
            }

            var templateNode = config.Required("template", "a template file, relative to the spec file");
            var template = templateNode is null ? null : ScalarReader.Token(templateNode, config.PathOf("template"), context, "a template file");
            if (template is not null && context.BaseDirectory is { } baseDirectory && !File.Exists(Path.Combine(baseDirectory, template)))
            {
                context.Error(templateNode!, config.PathOf("template"), $"template file '{template}' does not exist beside the spec ({Path.Combine(baseDirectory, template)})");
            }

            var destNode = config.Required("dest", "a path in the task sandbox");
            var dest = destNode is null ? null : PodFeatureMapper.RelativePath(destNode, config.PathOf("dest"), context, "a path in the task sandbox");
            return template is null || dest is null ? null : new ConfigTemplateSpec(key.Value, template, dest);
        });
}
