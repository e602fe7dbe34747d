using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;
using Reason = ActorScheduler.Messages.MesosV1.TaskStatus.Types.Reason;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>ACCEPT processing (master <c>accept</c>/<c>_accept</c>): offer validation, then operations in order.</summary>
internal sealed partial class Master
{
    private CallResult Accept(FrameworkState framework, Call.Types.Accept accept)
    {
        var offers = new List<OutstandingOffer>();
        string? error = null;
        if (accept.OfferIds.Count == 0)
        {
            error = "No offers specified";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var offerId in accept.OfferIds)
        {
            if (!seen.Add(offerId.Value))
            {
                error ??= $"Duplicate offer {offerId.Value} in ACCEPT";
                continue;
            }

            if (!_offers.TryGetValue(offerId.Value, out var offer) || offer.FrameworkId != framework.Id)
            {
                error ??= $"Offer {offerId.Value} is no longer valid";
                continue;
            }

            offers.Add(offer);
        }

        if (error is null && offers.Select(o => o.Agent).Distinct().Count() > 1)
        {
            error = "Aggregated offers must belong to one single agent";
        }

        if (error is null && offers.Select(o => o.Role).Distinct().Count() > 1)
        {
            error = "Aggregated offers must be allocated to the same role";
        }

        foreach (var offer in offers)
        {
            _offers.Remove(offer.Id.Value);
        }

        if (error is not null)
        {
            var state = framework.Has(FrameworkInfo.Types.Capability.Types.Type.PartitionAware) ? TaskState.TaskDropped : TaskState.TaskLost;
            foreach (var task in accept.Operations.SelectMany(TasksOf))
            {
                SendMasterUpdate(framework, MasterStatus(task.TaskId, state, Reason.InvalidOffers,
                    $"Task launched with invalid offers: {error}", task.AgentId));
            }

            foreach (var operation in accept.Operations.Where(o => o.Type is not (OperationType.Launch or OperationType.LaunchGroup)))
            {
                OperationError(framework, operation, $"Operation attempted with invalid offers: {error}");
            }

            return CallResult.Accepted;
        }

        var agent = offers[0].Agent;
        _touched.Add(agent);
        var role = offers[0].Role;
        // The offers are gone: their resources are this ACCEPT's to use up (one offer's pool as it is).
        var pool = offers[0].Resources;
        if (offers.Count > 1)
        {
            pool = new ResourcePool();
            foreach (var offer in offers)
            {
                pool.AddAll(offer.Resources.Resources);
            }
        }

        // What is left of this is declined with accept.filters; converted resources come back unfiltered.
        var untouched = pool.Clone();
        foreach (var operation in accept.Operations)
        {
            // Its resources checked first (the pools assume valid ones); a launch refused so has its tasks told here,
            // as Launch and LaunchGroup tell those they refuse.
            var invalid = ResourceValidation.Validate(operation);
            var dropped = invalid ?? operation.Type switch
            {
                OperationType.Reserve => Reserve(framework, agent, role, operation.Reserve, pool, untouched),
                OperationType.Unreserve => Unreserve(agent, operation.Unreserve, pool, untouched),
                OperationType.Create => Create(framework, agent, operation.Create, pool, untouched),
                OperationType.Destroy => Destroy(agent, operation.Destroy, pool, untouched),
                OperationType.Launch => Launch(framework, agent, operation, pool, untouched),
                OperationType.LaunchGroup => LaunchGroup(framework, agent, operation, pool, untouched),
                _ => $"operation {OperationTypeName(operation.Type)} is not supported by the emulator",
            };
            if (dropped is not null)
            {
                Log($"framework {framework.Id}: dropped {operation.Type} on agent {agent.Id.Value}: {dropped}");
                if (operation.Type is not (OperationType.Launch or OperationType.LaunchGroup))
                {
                    OperationError(framework, operation, dropped);
                }
                else if (invalid is not null)
                {
                    var reason = operation.Type == OperationType.Launch ? Reason.TaskInvalid : Reason.TaskGroupInvalid;
                    foreach (var task in TasksOf(operation))
                    {
                        SendMasterUpdate(framework, MasterStatus(task.TaskId, TaskState.TaskError, reason, invalid, agent.Id));
                    }
                }
            }
            else if (operation.Id is not null && operation.Type is not (OperationType.Launch or OperationType.LaunchGroup))
            {
                agent.OperationFinished(framework.Id, operation.Id);
            }
        }

        AddFilter(offers[0], untouched, accept.Filters);
        return CallResult.Accepted;
    }

    /// <summary>The wire name of an operation type, e.g. <c>GROW_VOLUME</c>.</summary>
    private static string OperationTypeName(OperationType type) =>
        Offer.Types.Operation.Descriptor.FindFieldByNumber(Offer.Types.Operation.TypeFieldNumber).EnumType.FindValueByNumber((int)type)?.Name ?? type.ToString();

    private static IEnumerable<TaskInfo> TasksOf(Offer.Types.Operation operation) => operation.Type switch
    {
        OperationType.Launch => operation.Launch?.TaskInfos ?? Enumerable.Empty<TaskInfo>(),
        OperationType.LaunchGroup => operation.LaunchGroup?.TaskGroup?.Tasks ?? Enumerable.Empty<TaskInfo>(),
        _ => [],
    };

    // Each operation returns null when applied, or why it was dropped.

    private string? Reserve(FrameworkState framework, LocalAgent agent, string role, Offer.Types.Operation.Types.Reserve? reserve, ResourcePool pool, ResourcePool untouched)
    {
        if (reserve is null)
        {
            return "'reserve' is missing";
        }

        if (reserve.Source.Count > 0)
        {
            return "'reserve.source' must not be set through the scheduler API";
        }

        if (InvalidGpus(reserve.Resources) is { } gpus)
        {
            return "Invalid resources: " + gpus;
        }

        var reserved = new List<Resource>();
        var unreserved = new List<Resource>();
        foreach (var resource in reserve.Resources)
        {
            var r = ResourceFormat.ToInternal(resource);
            if (r.Reservations.Count == 0)
            {
                return $"resource '{r.Name}' carries no reservation";
            }

            var last = r.Reservations[^1];
            if (last.Type != Resource.Types.ReservationInfo.Types.Type.Dynamic)
            {
                return "only DYNAMIC reservations can be made";
            }

            // As the master validates resources: each reservation pushed onto another refines it to a sub-role (an
            // UNRESERVE pops it and gives the resources back to the role below).
            for (var i = 1; i < r.Reservations.Count; i++)
            {
                if (r.Reservations[i].Type == Resource.Types.ReservationInfo.Types.Type.Static)
                {
                    return "Invalid refined reservation: A refined reservation cannot be STATIC";
                }

                if (!Allocator.IsStrictSubrole(r.Reservations[i].Role, r.Reservations[i - 1].Role))
                {
                    return $"Invalid refined reservation: role '{r.Reservations[i].Role}' is not a refinement of '{r.Reservations[i - 1].Role}'";
                }
            }

            if (r.Reservations.Count > 1 && !framework.Has(FrameworkInfo.Types.Capability.Types.Type.ReservationRefinement))
            {
                return "Invalid reservation: refining a reservation needs the RESERVATION_REFINEMENT capability";
            }

            if (last.Role == ResourceFormat.AnyRole || last.Role != role || !framework.Roles.Contains(last.Role))
            {
                return $"cannot reserve for role '{last.Role}' with an offer allocated to role '{role}'";
            }

            if (framework.Info.HasPrincipal && last.Principal != framework.Info.Principal)
            {
                return $"reservation principal '{last.Principal}' does not match the framework principal '{framework.Info.Principal}'";
            }

            reserved.Add(r);
            unreserved.Add(ResourceFormat.PopReservation(r));
        }

        if (!pool.ContainsAll(unreserved))
        {
            return $"Invalid RESERVE Operation: {Describe(pool.Resources)} does not contain {Describe(unreserved)}{IndivisibleHint(pool, unreserved)}";
        }

        Convert(agent, pool, untouched, unreserved, reserved);
        return null;
    }

    private static string? Unreserve(LocalAgent agent, Offer.Types.Operation.Types.Unreserve? unreserve, ResourcePool pool, ResourcePool untouched)
    {
        if (unreserve is null)
        {
            return "'unreserve' is missing";
        }

        var reserved = unreserve.Resources.Select(ResourceFormat.ToInternal).ToList();
        if (reserved.Any(r => !ResourceFormat.IsReserved(r)))
        {
            return "cannot unreserve unreserved resources";
        }

        if (reserved.Any(ResourceFormat.IsPersistentVolume))
        {
            return "cannot unreserve a persistent volume; DESTROY it first";
        }

        if (!pool.ContainsAll(reserved))
        {
            return "the resources to unreserve are not available in the offers";
        }

        Convert(agent, pool, untouched, reserved, reserved.Select(ResourceFormat.PopReservation).ToList());
        return null;
    }

    private static string? Create(FrameworkState framework, LocalAgent agent, Offer.Types.Operation.Types.Create? create, ResourcePool pool, ResourcePool untouched)
    {
        if (create is null)
        {
            return "'create' is missing";
        }

        var volumes = create.Volumes.Select(ResourceFormat.ToInternal).ToList();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in volumes)
        {
            if (v.Name != "disk" || v.Disk?.Persistence is null || v.Disk.Volume is null)
            {
                return "a volume must be a 'disk' resource with disk.persistence and disk.volume";
            }

            if (!ResourceFormat.IsReserved(v))
            {
                return "persistent volumes can only be created on reserved disk";
            }

            var volume = v.Disk.Volume;
            if (volume.Mode != Volume.Types.Mode.Rw || volume.HasHostPath)
            {
                return "persistent volumes must be RW and must not set host_path";
            }

            if (string.IsNullOrEmpty(volume.ContainerPath) || volume.ContainerPath.StartsWith('/')
                || volume.ContainerPath.Split('/').Contains(".."))
            {
                return $"container_path '{volume.ContainerPath}' must be a relative path inside the sandbox";
            }

            var role = ResourceFormat.ReservationRole(v);
            if (!ids.Add(role + "\n" + v.Disk.Persistence.Id) || agent.HasVolume(role, v.Disk.Persistence.Id))
            {
                return $"persistence id '{v.Disk.Persistence.Id}' is already in use for role '{role}'";
            }

            if (framework.Info.HasPrincipal && v.Disk.Persistence.HasPrincipal && v.Disk.Persistence.Principal != framework.Info.Principal)
            {
                return "volume principal does not match the framework principal";
            }
        }

        var plain = volumes.Select(ResourceFormat.StripVolume).ToList();
        if (!pool.ContainsAll(plain))
        {
            return $"Insufficient disk resources for persistent volume {Describe(volumes)}{IndivisibleHint(pool, plain)}";
        }

        Convert(agent, pool, untouched, plain, volumes);
        return null;
    }

    private static string? Destroy(LocalAgent agent, Offer.Types.Operation.Types.Destroy? destroy, ResourcePool pool, ResourcePool untouched)
    {
        if (destroy is null)
        {
            return "'destroy' is missing";
        }

        var volumes = destroy.Volumes.Select(ResourceFormat.ToInternal).ToList();
        if (volumes.Any(v => !ResourceFormat.IsPersistentVolume(v)))
        {
            return "only persistent volumes can be destroyed";
        }

        if (!pool.ContainsAll(volumes))
        {
            return "Persistent volumes in use or not offered";
        }

        Convert(agent, pool, untouched, volumes, volumes.Select(ResourceFormat.StripVolume).ToList());
        return null;
    }

    private static void Convert(LocalAgent agent, ResourcePool pool, ResourcePool untouched, List<Resource> consumed, List<Resource> converted)
    {
        foreach (var r in consumed)
        {
            pool.TrySubtract(r);
        }

        pool.AddAll(converted);
        untouched.SubtractSaturating(consumed);
        agent.Convert(consumed, converted);
    }

    private string? Launch(FrameworkState framework, LocalAgent agent, Offer.Types.Operation operation, ResourcePool pool, ResourcePool untouched)
    {
        var tasks = operation.Launch?.TaskInfos.ToList() ?? [];
        var launched = new List<TaskInfo>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            var error = operation.Id is not null
                ? "The `id` field cannot be set on LAUNCH operations"
                : ValidateTask(framework, agent, task, ids, groupMember: false);
            var resources = task.Resources.Select(ResourceFormat.AsInternal).ToList();
            if (error is null && !pool.ContainsAll(resources))
            {
                error = $"Total resources {Describe(resources)} required by task and its executor is more than available {Describe(pool.Resources)}";
            }

            if (error is not null)
            {
                SendMasterUpdate(framework, MasterStatus(task.TaskId, TaskState.TaskError, Reason.TaskInvalid, error, agent.Id));
                continue;
            }

            foreach (var r in resources)
            {
                pool.TrySubtract(r);
            }

            untouched.SubtractSaturating(resources);
            launched.Add(task);
        }

        if (launched.Count > 0)
        {
            agent.Launch(framework.Info, launched, executor: null);
            foreach (var info in launched)
            {
                _taskAgents[info.TaskId.Value] = agent;
            }
            RecordLaunches(framework, agent, launched);
        }

        return null;
    }

    private string? LaunchGroup(FrameworkState framework, LocalAgent agent, Offer.Types.Operation operation, ResourcePool pool, ResourcePool untouched)
    {
        var group = operation.LaunchGroup;
        var tasks = group?.TaskGroup?.Tasks.ToList() ?? [];
        string? error = null;
        if (operation.Id is not null)
        {
            error = "The `id` field cannot be set on LAUNCH_GROUP operations";
        }
        else if (group?.Executor is null)
        {
            error = "'launch_group.executor' is missing";
        }
        else if (tasks.Count == 0)
        {
            error = "Task group must contain at least one task";
        }
        else if (group.Executor.Type != ExecutorInfo.Types.Type.Default)
        {
            error = "The emulator runs task groups only on the DEFAULT executor ('ExecutorInfo.type' must be DEFAULT)";
        }
        else if (group.Executor.Command is not null)
        {
            error = "'ExecutorInfo.command' must not be set for the DEFAULT executor";
        }
        else if (group.Executor.FrameworkId is not null && group.Executor.FrameworkId.Value != framework.Id)
        {
            error = "ExecutorInfo has an invalid FrameworkID";
        }
        else
        {
            error = ContainerValidation.ValidateDefaultExecutor(group.Executor);
        }

        var running = group?.Executor is null ? null : agent.RunningExecutor(framework.Id, group.Executor.ExecutorId.Value);
        if (error is null && running is null && group!.Executor.Resources.Count == 0)
        {
            error = "Executor resources must be specified for the DEFAULT executor";
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            error ??= ValidateTask(framework, agent, task, ids, groupMember: true);
        }

        error ??= ShareCgroupsError(agent, framework.Id, group!.Executor, tasks);

        // In internal form: what the pool must hold. A new executor is kept as the framework sent it (as task infos
        // are), its resources in internal form beside it.
        var needed = tasks.SelectMany(t => t.Resources).Select(ResourceFormat.AsInternal).ToList();
        Resource[]? executorResources = null;
        if (running is null && group?.Executor is not null)
        {
            executorResources = group.Executor.Resources.Select(ResourceFormat.AsInternal).ToArray();
            needed.AddRange(executorResources);
        }

        if (error is null && !pool.ContainsAll(needed))
        {
            error = $"Total resources {Describe(needed)} required by task group and its executor is more than available {Describe(pool.Resources)}";
        }

        if (error is not null)
        {
            foreach (var task in tasks)
            {
                SendMasterUpdate(framework, MasterStatus(task.TaskId, TaskState.TaskError, Reason.TaskGroupInvalid, error, agent.Id));
            }

            return null;
        }

        foreach (var r in needed)
        {
            pool.TrySubtract(r);
        }

        untouched.SubtractSaturating(needed);
        agent.Launch(framework.Info, tasks, running?.Executor ?? group!.Executor, running?.ExecutorResources ?? executorResources);
        foreach (var info in tasks)
        {
            _taskAgents[info.TaskId.Value] = agent;
        }
        RecordLaunches(framework, agent, tasks);
        return null;
    }

    private void RecordLaunches(FrameworkState framework, LocalAgent agent, IEnumerable<TaskInfo> tasks)
    {
        foreach (var task in tasks)
        {
            _cluster.History.Launched(new LaunchRecord(Now, framework.Id, agent.Id.Value, task.TaskId.Value, task.Name));
        }
    }

    private string? ValidateTask(FrameworkState framework, LocalAgent agent, TaskInfo task, HashSet<string> idsInOperation, bool groupMember)
    {
        if (task.TaskId is null || string.IsNullOrEmpty(task.TaskId.Value))
        {
            return "Task has no task_id";
        }

        if (task.AgentId is not null && task.AgentId.Value != agent.Id.Value)
        {
            return $"Task uses agent {task.AgentId.Value} but the offer is for agent {agent.Id.Value}";
        }

        if (groupMember)
        {
            if (task.Executor is not null)
            {
                return "'TaskInfo.executor' must not be set for a task in a task group";
            }

            if (task.Command is null)
            {
                return "A task in a task group must have a CommandInfo";
            }
        }
        else
        {
            if ((task.Command is null) == (task.Executor is null))
            {
                return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
            }

            if (task.Executor is not null)
            {
                return "Custom executors are not supported by the emulator; use a command task or LAUNCH_GROUP";
            }
        }

        if (task.Command is { HasValue: false })
        {
            return "'CommandInfo.value' must be set";
        }

        if (!idsInOperation.Add(task.TaskId.Value) || FindAgentOfTask(framework.Id, task.TaskId.Value, agentId: null) is not null)
        {
            return $"Task has duplicate ID: {task.TaskId.Value}";
        }

        if (CheckValidation.Validate(task) is { } checkError)
        {
            return checkError;
        }

        if (task.Resources.Count == 0)
        {
            return "Task uses no resources";
        }

        if (InvalidGpus(task.Resources) is { } gpus)
        {
            return "Task uses invalid resources: " + gpus;
        }

        return ContainerValidation.ValidateTask(task, groupMember) ?? ResourceLimitsError(task, groupMember);
    }

    /// <summary>
    /// The master's rules for <c>TaskInfo.limits</c> (Mesos 1.9) and <c>LinuxInfo.share_cgroups</c> on one task: only
    /// <c>cpus</c> and <c>mem</c>, each at least the task's request (memory may be infinite); a LAUNCH task shares its
    /// executor's cgroups, and a task group's task with limits must not.
    /// </summary>
    private static string? ResourceLimitsError(TaskInfo task, bool groupMember)
    {
        if (task.Limits.Count > 0)
        {
            if (task.Limits.Keys.Any(k => k is not ("cpus" or "mem")))
            {
                return "Only cpus and mem may be included in a task's resource limits";
            }

            if (task.Limits.TryGetValue("cpus", out var cpus))
            {
                if (ScalarRequest(task, "cpus") is not { } requested)
                {
                    return "When a CPU limit is specified, a CPU request must also be specified";
                }

                if (cpus.Value < requested)
                {
                    return "The cpu limit must be greater than or equal to the cpu request";
                }
            }

            if (task.Limits.TryGetValue("mem", out var mem))
            {
                if (ScalarRequest(task, "mem") is not { } requested)
                {
                    return "When a memory limit is specified, a memory request must also be specified";
                }

                if (!double.IsInfinity(mem.Value) && mem.Value < requested)
                {
                    return "The memory limit must be greater than or equal to the memory request";
                }
            }
        }

        var ownCgroups = task.Container?.LinuxInfo is { HasShareCgroups: true, ShareCgroups: false };
        if (!groupMember && ownCgroups)
        {
            return "Only tasks in a task group may have 'share_cgroups' set to 'false'";
        }

        if (groupMember && task.Limits.Count > 0 && !ownCgroups)
        {
            return "Resource limits may only be set for tasks within a task group when the 'share_cgroups' field is set to 'false'.";
        }

        return null;
    }

    /// <summary>The sum of the task's <paramref name="name"/> scalars, or null when it asks for none.</summary>
    private static double? ScalarRequest(TaskInfo task, string name)
    {
        double? sum = null;
        for (var i = 0; i < task.Resources.Count; i++)
        {
            if (task.Resources[i].Name == name && task.Resources[i].Scalar is { } scalar)
            {
                sum = (sum ?? 0) + scalar.Value;
            }
        }

        return sum;
    }

    /// <summary>
    /// The master's <c>share_cgroups</c> rules for a task group: never true on the executor's container, and one value
    /// (unset counting as true) for every task of the group and every task already under its executor.
    /// </summary>
    private static string? ShareCgroupsError(LocalAgent agent, string frameworkId, ExecutorInfo executor, IReadOnlyList<TaskInfo> tasks)
    {
        if (executor.Container?.LinuxInfo is { HasShareCgroups: true, ShareCgroups: true })
        {
            return "The 'share_cgroups' field cannot be set to 'true' on executor containers";
        }

        const string Differ = "If set, the value of 'share_cgroups' must be the same for all tasks in each task group and under a single executor";
        static bool Shares(TaskInfo task) => task.Container?.LinuxInfo is not { HasShareCgroups: true } linux || linux.ShareCgroups;

        var shares = tasks.Count > 0 && Shares(tasks[0]);
        for (var i = 1; i < tasks.Count; i++)
        {
            if (Shares(tasks[i]) != shares)
            {
                return Differ;
            }
        }

        // The tasks already under the executor, if it runs.
        if (tasks.Count > 0 && agent.RunningExecutor(frameworkId, executor.ExecutorId.Value) is not null
            && agent.Tasks.Any(t => t.FrameworkId.Value == frameworkId && t.Executor?.ExecutorId.Value == executor.ExecutorId.Value && !t.IsTerminal && Shares(t.Info) != shares))
        {
            return Differ;
        }

        return null;
    }

    /// <summary>
    /// The master's GPU rule for a set of resources: their <c>gpus</c>, summed, must be whole (counted in thousandths,
    /// as Mesos counts scalars), since a GPU is not shared between containers.
    /// </summary>
    private static string? InvalidGpus(IList<Resource> resources)
    {
        var gpus = 0.0;
        for (var i = 0; i < resources.Count; i++)
        {
            if (resources[i].Name == "gpus" && resources[i].Scalar is { } scalar)
            {
                gpus += scalar.Value;
            }
        }

        return (long)(gpus * 1000.0) % 1000 != 0 ? "Invalid 'gpus' resource: The 'gpus' resource must be an unsigned integer" : null;
    }

    /// <summary>When a MOUNT disk was asked for in part: says it is used whole (the master's rule, spelled out for the log).</summary>
    private static string IndivisibleHint(ResourcePool pool, IEnumerable<Resource> wanted)
    {
        foreach (var r in wanted.Where(ResourceFormat.IsMountDisk))
        {
            var disk = pool.Resources.FirstOrDefault(p => ResourceFormat.MountRoot(p) == ResourceFormat.MountRoot(r) && p.Scalar.Value != r.Scalar.Value);
            if (disk is not null)
            {
                return $" (MOUNT disk {ResourceFormat.MountRoot(r)} is indivisible: {disk.Scalar.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} MB must be used whole, {r.Scalar.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} MB asked)";
            }
        }

        return string.Empty;
    }

    private static string Describe(IEnumerable<Resource> resources) =>
        string.Join("; ", resources.Select(r => r.Type switch
        {
            Value.Types.Type.Scalar => $"{r.Name}({ResourceFormat.ReservationRole(r)}){(ResourceFormat.MountRoot(r) is { } root ? $"[MOUNT:{root}]" : string.Empty)}:{r.Scalar.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            Value.Types.Type.Ranges => $"{r.Name}({ResourceFormat.ReservationRole(r)}):[{string.Join(",", r.Ranges.Range.Select(x => $"{x.Begin}-{x.End}"))}]",
            _ => r.Name,
        }));
}
