using System.Globalization;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using Environment = ActorScheduler.Messages.MesosV1.Environment;

namespace ActorScheduler.Actors.Offers;

/// <summary>Builds the Mesos task and executor infos of a pod instance (DC/OS <c>PodInfoBuilder</c>).</summary>
public static class TaskInfoBuilder
{
    public const string TargetConfigurationLabel = "target_configuration";
    public const string TaskTypeLabel = "task_type";
    public const string IndexLabel = "index";
    public const string OfferHostnameLabel = "offer_hostname";

    public static ExecutorInfo Executor(PodRequirement requirement, string frameworkId, IEnumerable<Resource> resources) => new()
    {
        Type = ExecutorInfo.Types.Type.Default,
        ExecutorId = new ExecutorID { Value = $"{requirement.Pod.Type}__{Uuids.New()}" },
        FrameworkId = new FrameworkID { Value = frameworkId },
        Name = requirement.PodInstanceName,
        Resources = { resources },
    };

    /// <param name="ports">The numbers of the task's ports (those of its resource set).</param>
    public static TaskLaunch Task(PodRequirement requirement, TaskSpec task, Offer offer, IEnumerable<Resource> resources, IReadOnlyList<AssignedPort> ports, EvaluationContext context)
    {
        var name = PodNames.Task(requirement.Pod.Type, requirement.Index, task.Name);
        var environment = new Environment { Variables = { LastWins(Environment(requirement, name, ports, context)).Select(Variable) } };
        var command = new CommandInfo
        {
            Value = task.Command,
            Shell = true,
            Environment = environment,
        };
        if (requirement.User is { } user)
        {
            command.User = user;
        }

        var info = new TaskInfo
        {
            Name = name,
            TaskId = new TaskID { Value = PodNames.NewTaskId(name) },
            AgentId = new AgentID { Value = offer.AgentId.Value },
            Resources = { resources },
            Command = command,
            Labels = new Labels
            {
                Labels_ =
                {
                    Label(TargetConfigurationLabel, requirement.ConfigId),
                    Label(TaskTypeLabel, requirement.Pod.Type),
                    Label(IndexLabel, requirement.Index.ToString(CultureInfo.InvariantCulture)),
                    Label(OfferHostnameLabel, offer.Hostname),
                },
            },
        };
        if (ports.Count > 0 || task.Discovery is not null)
        {
            info.Discovery = Discovery(requirement, task, name, ports);
        }

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
    /// A <c>health-check</c> as a Mesos COMMAND health check, run with the task's environment (DC/OS
    /// <c>PodInfoBuilder</c>): Mesos kills the task after the consecutive failures, and recovery relaunches it.
    /// </summary>
    public static HealthCheck HealthCheck(HealthCheckSpec spec, Environment environment) => new()
    {
        Type = Messages.MesosV1.HealthCheck.Types.Type.Command,
        Command = new CommandInfo { Value = spec.Command, Shell = true, Environment = environment.Clone() },
        DelaySeconds = spec.DelaySeconds,
        IntervalSeconds = spec.IntervalSeconds,
        TimeoutSeconds = spec.TimeoutSeconds,
        GracePeriodSeconds = spec.GracePeriodSeconds,
        ConsecutiveFailures = (uint)spec.MaxConsecutiveFailures,
    };

    /// <summary>
    /// A <c>readiness-check</c> as a Mesos COMMAND check, run with the task's environment: the task's step is only
    /// COMPLETE once a status reports the check's exit code 0.
    /// </summary>
    public static CheckInfo ReadinessCheck(ReadinessCheckSpec spec, Environment environment) => new()
    {
        Type = CheckInfo.Types.Type.Command,
        Command = new CheckInfo.Types.Command
        {
            Command_ = new CommandInfo { Value = spec.Command, Shell = true, Environment = environment.Clone() },
        },
        DelaySeconds = spec.DelaySeconds,
        IntervalSeconds = spec.IntervalSeconds,
        TimeoutSeconds = spec.TimeoutSeconds,
    };

    /// <summary>The target config a launched task was labelled with.</summary>
    public static string? TargetConfiguration(TaskInfo info) =>
        info.Labels?.Labels_.FirstOrDefault(l => l.Key == TargetConfigurationLabel)?.Value;

    /// <summary>
    /// The environment of every task (DC/OS <c>PodInfoBuilder.getTaskEnvironment</c>), then the spec's own, then each
    /// port's number under its <c>env-key</c> (only when one is set, as DC/OS does since the <c>PORT_&lt;NAME&gt;</c>
    /// default was dropped), then the plan's start parameters.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string>> Environment(PodRequirement requirement, string taskName, IReadOnlyList<AssignedPort> ports, EvaluationContext context)
    {
        var service = ServiceSpec.DnsLabelOf(requirement.ServiceName);
        yield return new("TASK_NAME", taskName);
        yield return new(taskName, "true");
        yield return new("POD_INSTANCE_INDEX", requirement.Index.ToString(CultureInfo.InvariantCulture));
        yield return new("FRAMEWORK_NAME", requirement.ServiceName);
        yield return new("FRAMEWORK_HOST", $"{service}.autoip.dcos.thisdcos.directory");
        yield return new("FRAMEWORK_VIP_HOST", $"{service}.l4lb.thisdcos.directory");
        foreach (var pair in context.ExtraEnv)
        {
            yield return pair;
        }

        var task = requirement.Pod.Tasks.First(t => PodNames.Task(requirement.Pod.Type, requirement.Index, t.Name) == taskName);
        foreach (var pair in task.Env)
        {
            yield return pair;
        }

        foreach (var port in ports.Where(p => p.Spec.EnvKey is not null))
        {
            yield return new(port.Spec.EnvKey!, port.Number.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var pair in requirement.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            yield return pair;
        }
    }

    /// <summary>One variable per name, in first-seen order, with the last value given (plan parameters override the spec).</summary>
    private static IEnumerable<KeyValuePair<string, string>> LastWins(IEnumerable<KeyValuePair<string, string>> variables)
    {
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            if (!values.ContainsKey(name))
            {
                order.Add(name);
            }

            values[name] = value;
        }

        return order.Select(name => new KeyValuePair<string, string>(name, values[name]));
    }

    /// <summary>Mesos discovery info: the task's DNS name and its named ports (advertised ones EXTERNAL).</summary>
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
                }),
            },
        },
    };

    private static DiscoveryInfo.Types.Visibility Visibility(DiscoveryVisibility visibility) => visibility switch
    {
        DiscoveryVisibility.Framework => DiscoveryInfo.Types.Visibility.Framework,
        DiscoveryVisibility.External => DiscoveryInfo.Types.Visibility.External,
        _ => DiscoveryInfo.Types.Visibility.Cluster,
    };

    private static Environment.Types.Variable Variable(KeyValuePair<string, string> pair) =>
        new() { Name = pair.Key, Value = pair.Value };

    private static Label Label(string key, string value) => new() { Key = key, Value = value };
}
