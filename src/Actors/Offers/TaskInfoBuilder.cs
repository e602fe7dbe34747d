using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using Google.Protobuf.Collections;
using Environment = ActorScheduler.Messages.MesosV1.Environment;

namespace ActorScheduler.Actors.Offers;

/// <summary>Builds the Mesos task and executor infos of a pod instance (DC/OS <c>PodInfoBuilder</c>).</summary>
public static class TaskInfoBuilder
{
    public const string TargetConfigurationLabel = "target_configuration";
    public const string TaskTypeLabel = "task_type";
    public const string IndexLabel = "index";
    public const string OfferHostnameLabel = "offer_hostname";
    public const string OfferAttributesLabel = "offer_attributes";
    public const string OfferZoneLabel = "offer_zone";
    public const string OfferRegionLabel = "offer_region";

    /// <summary>The start of the key of a discovery port's VIP label.</summary>
    public const string VipLabelPrefix = "VIP_";

    /// <summary>Whether a VIP port's number is the host's or the container's (on a virtual network).</summary>
    public const string NetworkScopeLabel = "network-scope";

    private static readonly HashSet<string> _ownLabels =
        [TargetConfigurationLabel, TaskTypeLabel, IndexLabel, OfferHostnameLabel, OfferAttributesLabel, OfferZoneLabel, OfferRegionLabel];

    public static ExecutorInfo Executor(PodRequirement requirement, string frameworkId, IEnumerable<Resource> resources) => new()
    {
        Type = ExecutorInfo.Types.Type.Default,
        ExecutorId = new ExecutorID { Value = $"{requirement.Pod.Type}__{Uuids.New()}" },
        FrameworkId = new FrameworkID { Value = frameworkId },
        Name = requirement.PodInstanceName,
        Resources = { resources },
        Container = ContainerInfoBuilder.Executor(requirement.ServiceName, requirement.Pod, requirement.Index),
    };

    /// <summary>
    /// The pod's volumes, which its executor holds, shared with the launched tasks (DC/OS
    /// <c>PodInfoBuilder.setExecutorVolume</c>): each persistent volume of <paramref name="executor"/> is added to every
    /// task's MESOS container as a SANDBOX_PATH volume of type PARENT at the volume's path, read-write, so the nested
    /// containers see the executor's directory. A pod without volumes gets no container from this (nothing allocated).
    /// </summary>
    public static void ShareExecutorVolumes(ExecutorInfo executor, ImmutableArray<TaskLaunch> launches)
    {
        // Indexed: a RepeatedField's enumerator is an object, and every launch passes here.
        var resources = executor.Resources;
        for (var i = 0; i < resources.Count; i++)
        {
            if (resources[i].Disk?.Volume is not { } volume || Resources.PersistenceId(resources[i]) is null)
            {
                continue;
            }

            // One object for every task of the launch (a task info is never changed once built).
            var shared = new Volume
            {
                Mode = Volume.Types.Mode.Rw,
                ContainerPath = volume.ContainerPath,
                Source = new Volume.Types.Source
                {
                    Type = Volume.Types.Source.Types.Type.SandboxPath,
                    SandboxPath = new Volume.Types.Source.Types.SandboxPath
                    {
                        Type = Volume.Types.Source.Types.SandboxPath.Types.Type.Parent,
                        Path = volume.ContainerPath,
                    },
                },
            };
            for (var t = 0; t < launches.Length; t++)
            {
                var info = launches[t].Info;
                info.Container ??= new ContainerInfo { Type = ContainerInfo.Types.Type.Mesos };
                info.Container.Volumes.Add(shared);
            }
        }
    }

    /// <param name="ports">The numbers of the task's ports (those of its resource set).</param>
    public static TaskLaunch Task(PodRequirement requirement, TaskSpec task, Offer offer, IEnumerable<Resource> resources, IReadOnlyList<AssignedPort> ports, EvaluationContext context)
    {
        var name = PodNames.Task(requirement.Pod.Type, requirement.Index, task.Name);
        var environment = new Environment();
        AddLastWins(environment.Variables, Environment(requirement, name, ports, offer.Domain?.FaultDomain, context));
        var command = new CommandInfo
        {
            Value = task.Command,
            Shell = true,
            Environment = ContainerInfoBuilder.WithSecrets(environment, requirement.Pod),
        };
        if (requirement.User is { } user)
        {
            command.User = user;
        }

        // The pod's uris go to every task of the pod, for the fetcher to put in its sandbox (DC/OS PodInfoBuilder); Mesos
        // defaults apply (extracted, not executable), and the last segment of the URI names the file.
        foreach (var uri in requirement.Pod.Uris.IsDefault ? [] : requirement.Pod.Uris)
        {
            command.Uris.Add(new CommandInfo.Types.URI { Value = uri });
        }

        // Only tasks with configs pay for this (the storm's tasks have none).
        if (!task.Configs.IsDefaultOrEmpty && context.SchedulerApi is { } api)
        {
            foreach (var config in task.Configs)
            {
                command.Uris.Add(ConfigTemplateUris.FetchUri(api, requirement.ConfigId, requirement.Pod.Type, task.Name, config));
            }
        }

        var info = new TaskInfo
        {
            Name = name,
            TaskId = new TaskID { Value = PodNames.NewTaskId(name) },
            AgentId = new AgentID { Value = offer.AgentId.Value },
            Resources = { resources },
            Command = command,
            Container = ContainerInfoBuilder.Task(requirement.ServiceName, requirement.Pod, requirement.Index, task),
            Labels = new Labels
            {
                Labels_ =
                {
                    Shared.Label(TargetConfigurationLabel, requirement.ConfigId),
                    Shared.Label(TaskTypeLabel, requirement.Pod.Type),
                    new Label { Key = IndexLabel, Value = requirement.Index.ToString(CultureInfo.InvariantCulture) },
                    new Label { Key = OfferHostnameLabel, Value = offer.Hostname },
                },
            },
        };
        if (offer.Attributes.Count > 0)
        {
            info.Labels.Labels_.Add(Shared.Label(OfferAttributesLabel, AttributeText.Of(offer.Attributes)));
        }

        if (offer.Domain?.FaultDomain is { } domain)
        {
            info.Labels.Labels_.Add(Shared.Label(OfferZoneLabel, domain.Zone.Name));
            info.Labels.Labels_.Add(Shared.Label(OfferRegionLabel, domain.Region.Name));
        }

        // The spec's own labels (DC/OS sets them first and its own over them: a key of ours keeps our value).
        foreach (var (key, value) in task.Labels)
        {
            if (!_ownLabels.Contains(key))
            {
                info.Labels.Labels_.Add(new Label { Key = key, Value = value });
            }
        }

        if (task.Limits is { LimitsAnything: true } limits)
        {
            AddLimits(info, limits);
        }

        if (!task.TransportEncryption.IsDefaultOrEmpty)
        {
            ContainerInfoBuilder.AddTransportEncryption(info, task, requirement.Tls);
        }

        if (task.KillGracePeriodSeconds is { } grace)
        {
            info.KillPolicy = new KillPolicy { GracePeriod = new DurationInfo { Nanoseconds = grace * 1_000_000_000L } };
        }

        if (ports.Count > 0 || task.Discovery is not null)
        {
            info.Discovery = Discovery(requirement, task, name, ports);
        }

        // The checks run with the task's environment without its secrets, as in DC/OS.
        if (task.HealthCheck is { } health)
        {
            info.HealthCheck = HealthCheck(health, environment);
        }

        if (task.ReadinessCheck is { } readiness)
        {
            info.Check = ReadinessCheck(readiness, environment);
        }

        return new TaskLaunch(task.Name, info);
    }

    /// <summary>
    /// <c>resource-limits</c> as Mesos (1.9 and later) takes them, in <c>TaskInfo.limits</c> (DC/OS
    /// <c>PodInfoBuilder</c>): <c>cpus</c>, and <c>mem</c> in MB; <c>unlimited</c> is infinity. The master takes them only
    /// from a task whose container has cgroups of its own (<see cref="ContainerInfoBuilder.HasResourceLimits"/>).
    /// </summary>
    private static void AddLimits(TaskInfo info, ResourceLimits limits)
    {
        if (limits.CpusUnlimited || limits.Cpus is not null)
        {
            info.Limits["cpus"] = new Value.Types.Scalar { Value = limits.CpusUnlimited ? double.PositiveInfinity : limits.Cpus!.Value };
        }

        if (limits.MemoryUnlimited || limits.MemoryMb is not null)
        {
            info.Limits["mem"] = new Value.Types.Scalar { Value = limits.MemoryUnlimited ? double.PositiveInfinity : limits.MemoryMb!.Value };
        }
    }

    /// <summary>
    /// A <c>health-check</c> as a Mesos COMMAND health check, run with the task's environment (DC/OS
    /// <c>PodInfoBuilder</c>): Mesos kills the task after the consecutive failures, and recovery relaunches it. The
    /// environment is the task command's own object (without the pod's secret variables, as in DC/OS), shared: a task
    /// info is never changed once built.
    /// </summary>
    public static HealthCheck HealthCheck(HealthCheckSpec spec, Environment environment) => new()
    {
        Type = Messages.MesosV1.HealthCheck.Types.Type.Command,
        Command = new CommandInfo { Value = spec.Command, Shell = true, Environment = environment },
        DelaySeconds = spec.DelaySeconds,
        IntervalSeconds = spec.IntervalSeconds,
        TimeoutSeconds = spec.TimeoutSeconds,
        GracePeriodSeconds = spec.GracePeriodSeconds,
        ConsecutiveFailures = (uint)spec.MaxConsecutiveFailures,
    };

    /// <summary>
    /// A <c>readiness-check</c> as a Mesos COMMAND check, run with the task's environment: the task's step is only
    /// COMPLETE once a status reports the check's exit code 0. The environment is shared, as the health check's.
    /// </summary>
    public static CheckInfo ReadinessCheck(ReadinessCheckSpec spec, Environment environment) => new()
    {
        Type = CheckInfo.Types.Type.Command,
        Command = new CheckInfo.Types.Command
        {
            Command_ = new CommandInfo { Value = spec.Command, Shell = true, Environment = environment },
        },
        DelaySeconds = spec.DelaySeconds,
        IntervalSeconds = spec.IntervalSeconds,
        TimeoutSeconds = spec.TimeoutSeconds,
    };

    /// <summary>The target config a launched task was labelled with.</summary>
    public static string? TargetConfiguration(TaskInfo info) =>
        info.Labels?.Labels_.FirstOrDefault(l => l.Key == TargetConfigurationLabel)?.Value;

    /// <summary>
    /// The environment of every task: the spec's own, then (over it) DC/OS <c>PodInfoBuilder.getTaskEnvironment</c>'s:
    /// names, hosts, whether the pod's placement refers to zones or regions, and the zone and region of the agent when
    /// it has a fault domain; then each port's number under its <c>env-key</c> (only when one is set, as DC/OS does
    /// since the <c>PORT_&lt;NAME&gt;</c> default was dropped), then the plan's start parameters.
    /// </summary>
    private static IEnumerable<(string Name, string Value, bool Shared)> Environment(PodRequirement requirement, string taskName, IReadOnlyList<AssignedPort> ports,
        DomainInfo.Types.FaultDomain? domain, EvaluationContext context)
    {
        // The spec's own first (with TASKCFG_* routed into it), so that what the scheduler sets wins, as in DC/OS.
        var task = requirement.Pod.Tasks.First(t => PodNames.Task(requirement.Pod.Type, requirement.Index, t.Name) == taskName);
        foreach (var (name, value) in task.Env)
        {
            yield return (name, value, true);
        }

        // Shared: the same for every task of the service (or of the pod type, or of the plan).
        var service = ServiceSpec.DnsLabelOf(requirement.ServiceName);
        yield return ("TASK_NAME", taskName, false);
        yield return (taskName, "true", false);
        yield return ("POD_INSTANCE_INDEX", requirement.Index.ToString(CultureInfo.InvariantCulture), false);
        yield return ("FRAMEWORK_NAME", requirement.ServiceName, true);
        yield return ("FRAMEWORK_HOST", $"{service}.autoip.dcos.thisdcos.directory", true);
        yield return ("FRAMEWORK_VIP_HOST", ServiceSpec.VipDomainOf(requirement.ServiceName), true);
        yield return ("PLACEMENT_REFERENCED_REGION", References(requirement.Pod, Specs.Placement.PlacementField.Region), true);
        yield return ("PLACEMENT_REFERENCED_ZONE", References(requirement.Pod, Specs.Placement.PlacementField.Zone), true);
        if (domain is not null)
        {
            yield return ("REGION", domain.Region.Name, true);
            yield return ("ZONE", domain.Zone.Name, true);
        }

        foreach (var (name, value) in context.ExtraEnv)
        {
            yield return (name, value, true);
        }

        // For the task's bootstrap: where the fetcher put each template and where to render it (DC/OS PodInfoBuilder);
        // the same for every instance of the pod type, so shared.
        foreach (var config in task.Configs)
        {
            yield return (ConfigTemplateUris.VariableName(config.Name), ConfigTemplateUris.VariableValue(config), true);
        }

        foreach (var port in ports.Where(p => p.Spec.EnvKey is not null))
        {
            yield return (port.Spec.EnvKey!, port.Number.ToString(CultureInfo.InvariantCulture), false);
        }

        foreach (var (name, value) in requirement.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            yield return (name, value, true);
        }
    }

    private static string References(PodSpec pod, Specs.Placement.PlacementField field) => pod.Placement?.References(field) == true ? "true" : "false";

    /// <summary>
    /// Adds <paramref name="variables"/> in the order each name first comes, each with the value it comes with last. A
    /// task has a few dozen: those added so far are scanned for the name (an index is built only past
    /// <see cref="IndexedFrom"/>), where a dictionary and a list of names were built for every task launched.
    /// </summary>
    internal static void AddLastWins(RepeatedField<Environment.Types.Variable> into, IEnumerable<(string Name, string Value, bool Shared)> variables)
    {
        var start = into.Count;
        Dictionary<string, int>? index = null;
        foreach (var (name, value, shared) in variables)
        {
            var variable = shared ? Shared.Variable(name, value) : new Environment.Types.Variable { Name = name, Value = value };
            var at = -1;
            if (index is not null)
            {
                at = index.GetValueOrDefault(name, -1);
            }
            else
            {
                for (var i = start; i < into.Count; i++)
                {
                    if (string.Equals(into[i].Name, name, StringComparison.Ordinal))
                    {
                        at = i;
                        break;
                    }
                }
            }

            if (at >= 0)
            {
                into[at] = variable;
                continue;
            }

            into.Add(variable);
            if (index is not null)
            {
                index[name] = into.Count - 1;
            }
            else if (into.Count - start == IndexedFrom)
            {
                index = new Dictionary<string, int>(2 * IndexedFrom, StringComparer.Ordinal);
                for (var i = start; i < into.Count; i++)
                {
                    index[into[i].Name] = i;
                }
            }
        }
    }

    /// <summary>Variables past which <see cref="AddLastWins"/> looks names up in an index rather than scanning.</summary>
    internal const int IndexedFrom = 64;

    /// <summary>
    /// Mesos discovery info: the task's DNS name and its named ports (advertised ones EXTERNAL, those with a VIP
    /// labelled).
    /// </summary>
    private static DiscoveryInfo Discovery(PodRequirement requirement, TaskSpec task, string taskName, IReadOnlyList<AssignedPort> ports) => new()
    {
        Visibility = Visibility(task.Discovery?.Visibility ?? DiscoveryVisibility.Cluster),
        Name = task.Discovery?.Prefix is { } prefix ? $"{prefix}-{requirement.Index.ToString(CultureInfo.InvariantCulture)}" : taskName,
        Ports = new Ports
        {
            Ports_ =
            {
                ports.Select(p => new Port
                {
                    Number = (uint)p.Number,
                    Name = p.Spec.Name,
                    Protocol = p.Spec.Vip?.Protocol ?? "tcp",
                    Visibility = p.Spec.Advertise ? DiscoveryInfo.Types.Visibility.External : DiscoveryInfo.Types.Visibility.Cluster,
                    Labels = p.Spec.Vip is { } vip ? VipLabels(p.Spec.Name, vip, requirement.Pod) : null,
                }),
            },
        },
    };

    /// <summary>
    /// The labels of a discovery port with a VIP, as DC/OS writes them (<c>AuxLabelAccess.setVIPLabels</c>) and its load
    /// balancer reads them: <c>VIP_&lt;port name&gt;</c> = <c>&lt;prefix&gt;:&lt;port&gt;</c> (DC/OS puts a random UUID
    /// after <c>VIP_</c>; readers look at the prefix only, and the port name keeps task infos reproducible), and on a
    /// virtual network <c>network-scope</c>: <c>host</c> when a network maps ports to the host (DC/OS's
    /// <c>mesos-bridge</c>), else <c>container</c> (the port is the container's own).
    /// </summary>
    public static Labels VipLabels(string portName, VipSpec vip, PodSpec pod)
    {
        var labels = new Labels { Labels_ = { Shared.Label(VipLabelPrefix + portName, vip.LabelValue()) } };
        if (pod.UsesVirtualNetwork)
        {
            var scope = pod.Networks.Any(n => n.SupportsPortMapping) ? "host" : "container";
            labels.Labels_.Add(Shared.Label(NetworkScopeLabel, scope));
        }

        return labels;
    }

    private static DiscoveryInfo.Types.Visibility Visibility(DiscoveryVisibility visibility) => visibility switch
    {
        DiscoveryVisibility.Framework => DiscoveryInfo.Types.Visibility.Framework,
        DiscoveryVisibility.External => DiscoveryInfo.Types.Visibility.External,
        _ => DiscoveryInfo.Types.Visibility.Cluster,
    };

    /// <summary>
    /// Variables and labels every task of a service or pod type carries alike (the framework's host names, the spec's
    /// environment, the target config): one object each, shared by the task infos that carry them — a task info is
    /// never changed once built — instead of one a task (a 10,000-pod service holds every one of them). Bounded: past
    /// <see cref="MaxShared"/> pairs, new ones are not kept.
    /// </summary>
    private static class Shared
    {
        private const int MaxShared = 4096;
        private static readonly ConcurrentDictionary<(string, string), Environment.Types.Variable> Variables = new();
        private static readonly ConcurrentDictionary<(string, string), Label> Labels = new();

        public static Environment.Types.Variable Variable(string name, string value) =>
            Get(Variables, name, value, static (n, v) => new Environment.Types.Variable { Name = n, Value = v });

        public static Label Label(string key, string value) =>
            Get(Labels, key, value, static (k, v) => new Label { Key = k, Value = v });

        private static T Get<T>(ConcurrentDictionary<(string, string), T> kept, string key, string value, Func<string, string, T> make)
        {
            if (kept.TryGetValue((key, value), out var found))
            {
                return found;
            }

            var made = make(key, value);
            return kept.Count < MaxShared ? kept.GetOrAdd((key, value), made) : made;
        }
    }
}
