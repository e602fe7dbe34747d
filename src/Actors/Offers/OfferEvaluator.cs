using System.Collections.Immutable;
using System.Globalization;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Evaluates one offer for one pod-instance requirement, stage by stage, each stage PASS or FAIL with a reason
/// (DC/OS <c>OfferEvaluator</c>). A pod without reservations gets a new footprint (RESERVE → CREATE →
/// LAUNCH_GROUP); a pod with reservations relaunches in place, consuming exactly its reserved resource ids.
/// </summary>
public static class OfferEvaluator
{
    /// <param name="placed">Where this service's pod instances are (or are being) placed, for placement rules.</param>
    public static OfferEvaluation Evaluate(PodRequirement requirement, Offer offer, EvaluationContext context, IReadOnlyCollection<PlacedTask>? placed = null) =>
        requirement.Existing is null
            ? EvaluateNewFootprint(requirement, offer, context, placed ?? [])
            : EvaluateExistingFootprint(requirement, requirement.Existing, offer, context);

    private static OfferEvaluation EvaluateNewFootprint(PodRequirement requirement, Offer offer, EvaluationContext context, IReadOnlyCollection<PlacedTask> placed)
    {
        var explanation = new List<string>();
        if (requirement.Pod.Placement is { } rule)
        {
            var others = placed.Where(p => p.PodInstanceName != requirement.PodInstanceName).ToImmutableArray();
            var decision = rule.Evaluate(new PlacementContext(PlacementAgents.Of(offer), others));
            explanation.Add($"{(decision.Passed ? "PASS" : "FAIL")}(PlacementRuleEvaluationStage): {decision.Rule} — {decision.Reason}");
            if (!decision.Passed)
            {
                return OfferEvaluation.Failed(explanation);
            }
        }

        // The first footprint reserves for every task of the pod, so later steps (custom steps such as
        // [[init], [server]]) relaunch in place; only the requirement's tasks are launched now.
        var tasks = requirement.Pod.Tasks.ToList();
        var launching = TasksToLaunch(requirement);
        var executor = context.Executor;

        var needCpus = executor.Cpus + tasks.Sum(t => t.Cpus);
        var needMem = executor.MemoryMb + tasks.Sum(t => (double)t.MemoryMb);
        var needDisk = executor.DiskMb + tasks.SelectMany(t => t.Volumes).Sum(v => (double)v.SizeMb);

        var unreserved = offer.Resources.Where(r => !Resources.IsReserved(r) && r.Disk is null)
            .GroupBy(r => r.Name)
            .ToDictionary(g => g.Key, g => g.Sum(Resources.Scalar));

        var failed = false;
        foreach (var (name, need) in new[] { ("cpus", needCpus), ("mem", needMem), ("disk", needDisk) })
        {
            var available = unreserved.GetValueOrDefault(name);
            if (available + 1e-9 < need)
            {
                explanation.Add($"FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved '{name}' for new reservation: {Format(need)} needed, {Format(available)} available");
                failed = true;
            }
            else
            {
                explanation.Add($"PASS(ResourceEvaluationStage): Offer has sufficient unreserved '{name}': {Format(need)} needed, {Format(available)} available");
            }
        }

        if (failed)
        {
            return OfferEvaluation.Failed(explanation);
        }

        var reservation = context.Reservation;
        var toReserve = new List<Resource>();
        var volumes = new List<Resource>();
        var footprint = new List<Resource>();

        var executorResources = new List<Resource>
        {
            Resources.Reserved("cpus", executor.Cpus, reservation, Resources.ExecutorOwner),
            Resources.Reserved("mem", executor.MemoryMb, reservation, Resources.ExecutorOwner),
            Resources.Reserved("disk", executor.DiskMb, reservation, Resources.ExecutorOwner),
        };
        toReserve.AddRange(executorResources);
        footprint.AddRange(executorResources);

        var taskResources = new Dictionary<string, List<Resource>>();
        foreach (var task in tasks)
        {
            var owner = PodNames.Task(requirement.Pod.Type, requirement.Index, task.Name);
            var resources = new List<Resource>
            {
                Resources.Reserved("cpus", task.Cpus, reservation, owner),
                Resources.Reserved("mem", task.MemoryMb, reservation, owner),
            };
            toReserve.AddRange(resources);
            foreach (var volume in task.Volumes)
            {
                var disk = Resources.Reserved("disk", volume.SizeMb, reservation, owner);
                toReserve.Add(disk);
                var persistent = Resources.AsVolume(disk, volume.Path, reservation.Principal);
                volumes.Add(persistent);
                resources.Add(persistent);
            }

            taskResources[task.Name] = resources;
            footprint.AddRange(resources);
        }

        explanation.Add($"PASS(ReservationEvaluationStage): reserving {toReserve.Count} resources and creating {volumes.Count} volumes for {requirement.PodInstanceName}");

        var executorInfo = TaskInfoBuilder.Executor(requirement, reservation.FrameworkId, executorResources);
        var launches = launching
            .Select(t => TaskInfoBuilder.Task(requirement, t, offer, taskResources[t.Name], context))
            .ToImmutableArray();
        explanation.Add($"PASS(LaunchEvaluationStage): launching {string.Join(", ", launches.Select(l => l.TaskName))} on {offer.Hostname}");

        var operations = ImmutableArray.CreateBuilder<Offer.Types.Operation>();
        operations.Add(new Offer.Types.Operation
        {
            Type = Offer.Types.Operation.Types.Type.Reserve,
            Reserve = new Offer.Types.Operation.Types.Reserve { Resources = { toReserve } },
        });
        if (volumes.Count > 0)
        {
            operations.Add(new Offer.Types.Operation
            {
                Type = Offer.Types.Operation.Types.Type.Create,
                Create = new Offer.Types.Operation.Types.Create { Volumes = { volumes } },
            });
        }

        operations.Add(LaunchGroup(executorInfo, launches));
        return new OfferEvaluation(true, explanation.ToImmutableArray(), operations.ToImmutable(), executorInfo, launches, footprint.ToImmutableArray(), NewFootprint: true);
    }

    private static OfferEvaluation EvaluateExistingFootprint(PodRequirement requirement, Footprint existing, Offer offer, EvaluationContext context)
    {
        var explanation = new List<string>();
        if (offer.AgentId?.Value != existing.AgentId)
        {
            explanation.Add($"FAIL(AgentEvaluationStage): offer is from agent {offer.AgentId?.Value} ({offer.Hostname}); {requirement.PodInstanceName} holds its reservations on agent {existing.AgentId} ({existing.Hostname})");
            return OfferEvaluation.Failed(explanation);
        }

        explanation.Add($"PASS(AgentEvaluationStage): offer is from {existing.Hostname}, where {requirement.PodInstanceName} holds its reservations");

        var offered = new Dictionary<string, Resource>();
        foreach (var resource in offer.Resources)
        {
            if (Resources.ResourceId(resource) is { } id)
            {
                offered[id] = resource;
            }
        }

        // Only what this launch uses must be offered: the launched tasks' reservations, and the executor's unless
        // the pod's executor still runs (other tasks of the pod hold it) and the tasks join it.
        var tasks = TasksToLaunch(requirement);
        var owners = tasks.Select(t => PodNames.Task(requirement.Pod.Type, requirement.Index, t.Name)).ToHashSet(StringComparer.Ordinal);
        var running = requirement.RunningExecutor;
        if (running is null)
        {
            owners.Add(Resources.ExecutorOwner);
        }

        var matched = new List<Resource>();
        foreach (var wanted in existing.Resources.Where(r => owners.Contains(Resources.Owner(r) ?? string.Empty)))
        {
            var id = Resources.ResourceId(wanted);
            if (id is null || !offered.TryGetValue(id, out var found) || Resources.PersistenceId(found) != Resources.PersistenceId(wanted))
            {
                explanation.Add($"FAIL(ReservationEvaluationStage): Offer lacks previously reserved '{wanted.Name}' with resourceId {id} ({Resources.Owner(wanted)})");
                return OfferEvaluation.Failed(explanation);
            }

            matched.Add(found);
        }

        explanation.Add($"PASS(ReservationEvaluationStage): offer carries the {matched.Count} reserved resources this launch of {requirement.PodInstanceName} uses");

        var byOwner = matched.ToLookup(r => Resources.Owner(r) ?? string.Empty);
        foreach (var task in tasks)
        {
            var owner = PodNames.Task(requirement.Pod.Type, requirement.Index, task.Name);
            var have = byOwner[owner].ToList();
            var cpus = have.Where(r => r.Name == "cpus").Sum(Resources.Scalar);
            var mem = have.Where(r => r.Name == "mem").Sum(Resources.Scalar);
            if (Math.Abs(cpus - task.Cpus) > 1e-9 || Math.Abs(mem - task.MemoryMb) > 1e-9)
            {
                explanation.Add($"FAIL(ResourceEvaluationStage): {owner} holds cpus {Format(cpus)} / mem {Format(mem)} but its spec asks cpus {Format(task.Cpus)} / mem {task.MemoryMb}; resizing reservations in place is not supported yet");
                return OfferEvaluation.Failed(explanation);
            }
        }

        var executorInfo = running ?? TaskInfoBuilder.Executor(requirement, context.Reservation.FrameworkId, byOwner[Resources.ExecutorOwner]);
        var launches = tasks
            .Select(t => TaskInfoBuilder.Task(requirement, t, offer, byOwner[PodNames.Task(requirement.Pod.Type, requirement.Index, t.Name)], context))
            .ToImmutableArray();
        explanation.Add($"PASS(LaunchEvaluationStage): relaunching {string.Join(", ", launches.Select(l => l.TaskName))} in place on {offer.Hostname}{(running is null ? string.Empty : $" in running executor {running.ExecutorId.Value}")}");

        return new OfferEvaluation(
            true,
            explanation.ToImmutableArray(),
            ImmutableArray.Create(LaunchGroup(executorInfo, launches)),
            executorInfo,
            launches,
            existing.Resources,
            NewFootprint: false);
    }

    private static List<TaskSpec> TasksToLaunch(PodRequirement requirement) =>
        requirement.TasksToLaunch.Select(name => requirement.Pod.FindTask(name)
            ?? throw new InvalidOperationException($"pod {requirement.Pod.Type} has no task '{name}'")).ToList();

    private static Offer.Types.Operation LaunchGroup(ExecutorInfo executor, IEnumerable<TaskLaunch> launches) => new()
    {
        Type = Offer.Types.Operation.Types.Type.LaunchGroup,
        LaunchGroup = new Offer.Types.Operation.Types.LaunchGroup
        {
            Executor = executor,
            TaskGroup = new TaskGroupInfo { Tasks = { launches.Select(l => l.Info) } },
        },
    };

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
