using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Evaluates one offer for one pod-instance requirement, stage by stage, each stage PASS or FAIL with a reason
/// (DC/OS <c>OfferEvaluator</c>). A pod without reservations gets a new footprint (RESERVE → CREATE →
/// LAUNCH_GROUP) holding each of its resource sets once, ports included; a pod with reservations relaunches in
/// place, consuming exactly the reserved resource ids of the launched tasks' resource sets.
/// </summary>
public static class OfferEvaluator
{
    /// <param name="placed">Where this service's pod instances are (or are being) placed, for placement rules.</param>
    public static OfferEvaluation Evaluate(PodRequirement requirement, Offer offer, EvaluationContext context, PlacedTasks? placed = null)
    {
        // A pod reserves with its own role (refined for a pre-reserved role), which must be the offer's allocation role.
        if (context.RoleRefusal(requirement.Pod, offer) is { } otherRole)
        {
            return OfferEvaluation.Failed([otherRole]);
        }

        context = context.ForPod(requirement.Pod);
        return requirement.Existing is null
            ? EvaluateNewFootprint(requirement, offer, context, placed)
            : EvaluateExistingFootprint(requirement, requirement.Existing, offer, context);
    }

    /// <summary>
    /// Null when the service's region (<see cref="RegionAwareness"/>) and the pod's placement rule admit
    /// <paramref name="agent"/> (or it has none, or it keeps an existing footprint, which stays where it is); otherwise
    /// the reason, shared by every agent refused alike (<c>FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE</c>; of an
    /// AND, its first refusing rule, as the full evaluation names it), so
    /// refusals are counted rather than explained one by one (the full evaluation's line adds which instances the agent
    /// already runs).
    /// </summary>
    public static string? PlacementRefusal(PodRequirement requirement, PlacementAgent agent, PlacedTasks placed, EvaluationContext context) =>
        requirement.Existing is not null ? null
        : RegionAwareness.Refusal(requirement.Pod, agent, context) is { } region ? region
        : requirement.Pod.Placement?.Refuser(Context(requirement, agent, placed)) is { } refuser
            ? Refusals.GetValue(refuser, r => $"FAIL(PlacementRuleEvaluationStage): {r.Describe()}")
            : null;

    // A rule's refusal reason, built once per rule object (the spec's, shared by every instance of the pod).
    private static readonly ConditionalWeakTable<PlacementRule, string> Refusals = new();

    // The pod instance's own placement (a replaced pod's old one) does not count against it.
    private static PlacementContext Context(PodRequirement requirement, PlacementAgent agent, PlacedTasks? placed) =>
        new(agent, placed ?? new PlacedTasks(), requirement.PodInstanceName);

    private static OfferEvaluation EvaluateNewFootprint(PodRequirement requirement, Offer offer, EvaluationContext context, PlacedTasks? placed)
    {
        var explanation = new List<string>();
        var agent = PlacementAgents.Of(offer);
        if (RegionAwareness.Refusal(requirement.Pod, agent, context) is { } outside)
        {
            explanation.Add(outside);
            return OfferEvaluation.Failed(explanation);
        }

        if (RegionAwareness.Admitted(requirement.Pod, agent, context) is { } inside)
        {
            explanation.Add(inside);
        }

        if (requirement.Pod.Placement is { } rule)
        {
            var decision = rule.Evaluate(Context(requirement, agent, placed));
            explanation.Add($"{(decision.Passed ? "PASS" : "FAIL")}(PlacementRuleEvaluationStage): {decision.Rule} — {decision.Reason}");
            if (!decision.Passed)
            {
                return OfferEvaluation.Failed(explanation);
            }
        }

        // The first footprint reserves every resource set of the pod once (DC/OS reserves per resource set), so later
        // steps (custom steps such as [[init], [server]]) launch on it in place; only the requirement's tasks launch now.
        var sets = PodResourceSet.Of(requirement.Pod, requirement.Index);
        var launching = TasksToLaunch(requirement);
        if (SharedSetInOneLaunch(requirement, launching) is { } shared)
        {
            explanation.Add(shared);
            return OfferEvaluation.Failed(explanation);
        }

        if (!Tls.TlsEvaluationStage.Evaluate(requirement, launching, explanation))
        {
            return OfferEvaluation.Failed(explanation);
        }

        var executor = context.Executor;
        var need = OfferFit.NewFootprintNeed(requirement.Pod, executor);
        var role = requirement.Pod.PreReservedRole;
        var unreserved = OfferFit.Unreserved(offer, role);
        if (role != "*" && !offer.Resources.Any(r => Resources.IsReservableBy(r, role)))
        {
            explanation.Add(OfferFit.NoneReservedFor(role));
            return OfferEvaluation.Failed(explanation);
        }

        var failed = !Sufficient("cpus", need.Cpus, unreserved.Cpus, role, explanation)
            | !Sufficient("mem", need.Mem, unreserved.Mem, role, explanation)
            | !Sufficient("disk", need.Disk, unreserved.Disk, role, explanation);
        // GPUs are checked (and explained) only for pods that ask for them, as DC/OS evaluates only the resources a spec names.
        if (need.Gpus > 0)
        {
            failed |= !Sufficient(Resources.GpusName, need.Gpus, unreserved.Gpus, role, explanation);
        }

        var ports = PortEvaluationStage.ForNewFootprint(requirement.Pod, sets, offer);
        explanation.AddRange(ports.Explanation);
        var mounts = VolumeEvaluationStage.ForNewFootprint(sets, offer, requirement.PodInstanceName, requirement.Pod.Volumes, requirement.Pod.PreReservedRole);
        explanation.AddRange(mounts.Explanation);
        if (failed || !ports.Passed || !mounts.Passed)
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
        // The pod's volumes are the executor's (DC/OS PodInfoBuilder): reserved and created with it, relaunched with it by
        // resource id, and seen by every task of the pod through its container (TaskInfoBuilder.ShareExecutorVolumes).
        foreach (var volume in requirement.Pod.Volumes)
        {
            executorResources.Add(ReserveVolume(volume, mounts, reservation, Resources.ExecutorOwner, toReserve, volumes));
        }

        footprint.AddRange(executorResources);

        var setResources = ReserveSets(requirement, sets, ports, mounts, reservation, toReserve, volumes);
        foreach (var set in sets)
        {
            footprint.AddRange(setResources[set.Id]);
        }

        explanation.Add($"PASS(ReservationEvaluationStage): reserving {Count(toReserve.Count, "resource")} for {Count(sets.Length, "resource set")} and creating {Count(volumes.Count, "volume")} for {requirement.PodInstanceName}");

        var executorInfo = TaskInfoBuilder.Executor(requirement, reservation.FrameworkId, executorResources);
        var launches = launching
            .Select(t => TaskInfoBuilder.Task(requirement, t, offer, setResources[t.ResourceSetId], ports.Of(t.ResourceSetId), context))
            .ToImmutableArray();
        TaskInfoBuilder.ShareExecutorVolumes(executorInfo, launches);
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
        // An agent restarted on its work dir comes back with a new id and the same reservations (reference §5.8): the
        // host tells it apart, the reservation ids below prove it.
        if (offer.AgentId?.Value != existing.AgentId && offer.Hostname != existing.Hostname)
        {
            explanation.Add($"FAIL(AgentEvaluationStage): offer is from agent {offer.AgentId?.Value} ({offer.Hostname}); {requirement.PodInstanceName} holds its reservations on agent {existing.AgentId} ({existing.Hostname})");
            return OfferEvaluation.Failed(explanation);
        }

        var restarted = offer.AgentId?.Value == existing.AgentId ? string.Empty : $" (its agent {existing.AgentId} came back as {offer.AgentId?.Value})";
        explanation.Add($"PASS(AgentEvaluationStage): offer is from {existing.Hostname}, where {requirement.PodInstanceName} holds its reservations{restarted}");

        var tasks = TasksToLaunch(requirement);
        if (SharedSetInOneLaunch(requirement, tasks) is { } shared)
        {
            explanation.Add(shared);
            return OfferEvaluation.Failed(explanation);
        }

        if (!Tls.TlsEvaluationStage.Evaluate(requirement, tasks, explanation))
        {
            return OfferEvaluation.Failed(explanation);
        }

        var offered = new Dictionary<string, Resource>();
        foreach (var resource in offer.Resources)
        {
            if (Resources.ResourceId(resource) is { } id)
            {
                offered[id] = resource;
            }
        }

        // Only what this launch uses must be offered: the reservations of the launched tasks' resource sets, and the
        // executor's unless the pod's executor still runs (other tasks of the pod hold it) and the tasks join it.
        var sets = PodResourceSet.Of(requirement.Pod, requirement.Index);
        var launchSets = sets.Where(s => tasks.Any(t => t.ResourceSetId == s.Id)).ToList();
        var running = requirement.RunningExecutor;
        bool Uses(Resource r) =>
            (running is null && Resources.Owner(r) == Resources.ExecutorOwner) || launchSets.Any(s => s.Owns(r));

        var matched = new List<Resource>();
        foreach (var wanted in existing.Resources.Where(Uses))
        {
            var id = Resources.ResourceId(wanted);
            if (id is null || !offered.TryGetValue(id, out var found) || Resources.PersistenceId(found) != Resources.PersistenceId(wanted))
            {
                var volume = wanted.Disk?.Volume is { } v ? $" of volume '{v.ContainerPath}'" : string.Empty;
                explanation.Add($"FAIL(ReservationEvaluationStage): Offer lacks previously reserved '{wanted.Name}'{volume} with resourceId {id} ({Resources.Owner(wanted)})");
                return OfferEvaluation.Failed(explanation);
            }

            matched.Add(found);
        }

        explanation.Add($"PASS(ReservationEvaluationStage): offer carries the {matched.Count} reserved resources this launch of {requirement.PodInstanceName} uses");

        var setResources = new Dictionary<string, List<Resource>>(StringComparer.Ordinal);
        var ports = new List<AssignedPort>();
        var resizes = new List<Offer.Types.Operation>();
        var resized = new Dictionary<string, Resource>(StringComparer.Ordinal);
        var takenPorts = new HashSet<int>();
        var portsDropped = new HashSet<string>(StringComparer.Ordinal);
        var portsAdded = new List<Resource>();
        var unreserved = OfferFit.Unreserved(offer, requirement.Pod.PreReservedRole);
        // A set the footprint holds nothing of is new to the pod (a task a config update added): reserved after the rest.
        var added = launchSets.Where(s => !existing.Resources.Any(s.Owns)).ToList();
        var addedResources = new List<Resource>();
        foreach (var set in launchSets)
        {
            if (added.Contains(set))
            {
                continue;
            }

            var have = matched.Where(set.Owns).ToList();
            foreach (var (name, want) in new[] { ("cpus", set.Spec.Cpus), ("mem", (double)set.Spec.MemoryMb) })
            {
                var resize = ReservationResize.Plan(set.Description, name, have.Where(r => r.Name == name).ToList(), want, name == "cpus" ? unreserved.Cpus : unreserved.Mem);
                explanation.Add(resize.Explanation);
                if (!resize.Passed)
                {
                    return OfferEvaluation.Failed(explanation);
                }

                if (resize.Operation is { } operation)
                {
                    resizes.Add(operation);
                    unreserved = name == "cpus" ? unreserved with { Cpus = unreserved.Cpus - resize.Grown } : unreserved with { Mem = unreserved.Mem - resize.Grown };
                    var id = Resources.ResourceId(resize.Resized!)!;
                    resized[id] = resize.Resized!;
                    have = have.Select(r => Resources.ResourceId(r) == id ? resize.Resized! : r).ToList();
                }
            }

            if (set.Spec.Gpus > 0 || Holds(have, Resources.GpusName))
            {
                var gpus = ResizeGpus(set, have, unreserved.Gpus, context.Reservation);
                explanation.Add(gpus.Explanation);
                if (!gpus.Passed)
                {
                    return OfferEvaluation.Failed(explanation);
                }

                if (gpus.Operation is { } operation)
                {
                    resizes.Add(operation);
                    unreserved = unreserved with { Gpus = unreserved.Gpus - gpus.Grown };
                    // Ids given back leave the footprint and new reservations join it, as ports resized in place do.
                    portsDropped.UnionWith(gpus.Dropped);
                    addedResources.AddRange(gpus.Added);
                    have = [.. have.Where(r => Resources.ResourceId(r) is not { } rid || !gpus.Dropped.Contains(rid)).Select(r => Resources.ResourceId(r) is { } rid && rid == gpus.ResizedId ? gpus.Resized! : r), .. gpus.Added];
                    if (gpus.ResizedId is { } resizedId)
                    {
                        resized[resizedId] = gpus.Resized!;
                    }
                }
            }

            var setPorts = PortEvaluationStage.ForExistingFootprint(requirement.Pod, sets, set, have, offer, context.Reservation, takenPorts);
            explanation.AddRange(setPorts.Explanation);
            if (!setPorts.Passed)
            {
                return OfferEvaluation.Failed(explanation);
            }

            ports.AddRange(setPorts.Ports);
            if (!setPorts.Unreserve.IsEmpty)
            {
                resizes.Add(new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Unreserve, Unreserve = new Offer.Types.Operation.Types.Unreserve { Resources = { setPorts.Unreserve } } });
                var dropped = setPorts.Unreserve.Select(Resources.ResourceId).ToHashSet(StringComparer.Ordinal);
                have = have.Where(r => !dropped.Contains(Resources.ResourceId(r))).ToList();
                portsDropped.UnionWith(dropped.OfType<string>());
            }

            if (!setPorts.Reserve.IsEmpty)
            {
                resizes.Add(new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Reserve, Reserve = new Offer.Types.Operation.Types.Reserve { Resources = { setPorts.Reserve } } });
                have = [.. have, .. setPorts.Reserve];
                portsAdded.AddRange(setPorts.Reserve);
            }

            setResources[set.Id] = have;
        }

        // Pod volumes a footprint made before they were the executor's lacks: reserved with the next new executor.
        var volumesAdded = running is null ? PodVolumesMissing(requirement.Pod, existing) : [];
        List<Resource>? executorAdded = null;
        if (added.Count > 0 || volumesAdded.Length > 0)
        {
            var reserved = ReserveAddedSets(requirement, added, volumesAdded, offer, unreserved, takenPorts, context, explanation);
            if (!reserved.Passed)
            {
                return OfferEvaluation.Failed(explanation);
            }

            resizes.AddRange(reserved.Operations);
            ports.AddRange(reserved.Ports);
            foreach (var (id, resources) in reserved.SetResources)
            {
                setResources[id] = resources;
                addedResources.AddRange(resources);
            }

            executorAdded = reserved.ExecutorVolumes;
            addedResources.AddRange(reserved.ExecutorVolumes);
        }

        var executorInfo = running ?? TaskInfoBuilder.Executor(requirement, context.Reservation.FrameworkId, ExecutorResources(matched, executorAdded));
        ExplainPodVolumes(requirement, running, running is null ? matched : running.Resources, explanation);
        var launches = tasks
            .Select(t => TaskInfoBuilder.Task(requirement, t, offer, setResources[t.ResourceSetId], ports.Where(p => p.SetId == t.ResourceSetId).ToList(), context))
            .ToImmutableArray();
        TaskInfoBuilder.ShareExecutorVolumes(executorInfo, launches);
        explanation.Add($"PASS(LaunchEvaluationStage): relaunching {string.Join(", ", launches.Select(l => l.TaskName))} in place on {offer.Hostname}{(running is null ? string.Empty : $" in running executor {running.ExecutorId.Value}")}");

        // Resized reservations keep their resource ids: the footprint is the same one, with the new amounts; ports given
        // back leave it and ports reserved in place join it.
        var footprint = resized.Count == 0 && portsDropped.Count == 0 && portsAdded.Count == 0 && addedResources.Count == 0
            ? existing.Resources
            : existing.Resources
                .Where(r => Resources.ResourceId(r) is not { } rid || !portsDropped.Contains(rid))
                .Select(r => Resources.ResourceId(r) is { } rid && resized.TryGetValue(rid, out var now) ? now : r)
                .Concat(portsAdded)
                .Concat(addedResources)
                .ToImmutableArray();
        return new OfferEvaluation(
            true,
            explanation.ToImmutableArray(),
            [.. resizes, LaunchGroup(executorInfo, launches)],
            executorInfo,
            launches,
            footprint,
            NewFootprint: false);
    }

    /// <summary>
    /// The reservations of resource sets that hold none yet: cpus, mem, the ports chosen, and each volume's disk (a MOUNT
    /// volume's the disk chosen, whole) made persistent. Adds what to RESERVE and CREATE to <paramref name="toReserve"/>
    /// and <paramref name="volumes"/>; returns each set's resources as its tasks hold them (the volumes as volumes).
    /// </summary>
    private static Dictionary<string, List<Resource>> ReserveSets(PodRequirement requirement, IEnumerable<PodResourceSet> sets, PortStageResult ports, VolumeStageResult mounts,
        ReservationContext reservation, List<Resource> toReserve, List<Resource> volumes)
    {
        var setResources = new Dictionary<string, List<Resource>>(StringComparer.Ordinal);
        foreach (var set in sets)
        {
            var resources = new List<Resource>();
            if (set.Spec.Cpus > 0)
            {
                resources.Add(Resources.Reserved("cpus", set.Spec.Cpus, reservation, set.Owner));
            }

            if (set.Spec.MemoryMb > 0)
            {
                resources.Add(Resources.Reserved("mem", set.Spec.MemoryMb, reservation, set.Owner));
            }

            if (set.Spec.Gpus > 0)
            {
                resources.Add(Resources.Reserved(Resources.GpusName, set.Spec.Gpus, reservation, set.Owner));
            }

            if (!requirement.Pod.UsesVirtualNetwork)
            {
                resources.AddRange(ports.Of(set.Id).Select(p => Resources.ReservedPort(p.Number, p.Spec.Name, reservation, set.Owner)));
            }

            toReserve.AddRange(resources);
            foreach (var volume in set.Spec.Volumes)
            {
                resources.Add(ReserveVolume(volume, mounts, reservation, set.Owner, toReserve, volumes));
            }

            setResources[set.Id] = resources;
        }

        return setResources;
    }

    /// <summary>
    /// One persistent volume reserved for <paramref name="owner"/>: its disk (a ROOT volume's size of the ROOT disk, a
    /// MOUNT volume's disk chosen by the volume stage, whole) added to <paramref name="toReserve"/>, and the volume made
    /// on it added to <paramref name="volumes"/> (to CREATE) and returned, as its holder carries it.
    /// </summary>
    private static Resource ReserveVolume(VolumeSpec volume, VolumeStageResult mounts, ReservationContext reservation, string owner, List<Resource> toReserve, List<Resource> volumes)
    {
        var disk = volume.Type == VolumeType.Mount
            ? Resources.ReservedWhole(mounts.DiskOf(owner, volume), reservation, owner)
            : Resources.Reserved("disk", volume.SizeMb, reservation, owner);
        toReserve.Add(disk);
        var persistent = Resources.AsVolume(disk, volume.Path, reservation.Principal);
        volumes.Add(persistent);
        return persistent;
    }

    /// <summary>
    /// Resource sets the spec gave the pod after its footprint was made (a task added by a config update), and pod
    /// volumes the footprint lacks (<paramref name="volumes"/>, see <see cref="PodVolumesMissing"/>): they are reserved on
    /// the footprint's agent from the offer's unreserved resources (<paramref name="unreserved"/>: what is left of them),
    /// as a new footprint's would be, on ports other than <paramref name="taken"/> (to which it adds theirs); the volumes
    /// for the executor.
    /// </summary>
    private static (bool Passed, Dictionary<string, List<Resource>> SetResources, List<Offer.Types.Operation> Operations, List<AssignedPort> Ports, List<Resource> ExecutorVolumes) ReserveAddedSets(
        PodRequirement requirement, List<PodResourceSet> added, ImmutableArray<VolumeSpec> volumes, Offer offer, OfferFit.Scalars unreserved, ISet<int> taken, EvaluationContext context, List<string> explanation)
    {
        var failed = false;
        double cpus = 0, mem = 0, disk = volumes.Where(v => v.Type == VolumeType.Root).Sum(v => (double)v.SizeMb), gpus = 0;
        foreach (var set in added)
        {
            cpus += set.Spec.Cpus;
            mem += set.Spec.MemoryMb;
            gpus += set.Spec.Gpus;
            disk += set.Spec.Volumes.Where(v => v.Type == VolumeType.Root).Sum(v => (double)v.SizeMb);
        }

        var sets = string.Join(", ", added.Select(s => s.Description).Concat(volumes.Select(v => $"pod volume '{v.Path}'")));
        foreach (var (name, need, available) in new[] { ("cpus", cpus, unreserved.Cpus), ("mem", mem, unreserved.Mem), ("disk", disk, unreserved.Disk), (Resources.GpusName, gpus, unreserved.Gpus) })
        {
            if (need <= 0)
            {
                continue;
            }

            var passed = available + 1e-9 >= need;
            failed |= !passed;
            explanation.Add(passed
                ? $"PASS(ResourceEvaluationStage): Offer has sufficient unreserved '{name}' for {sets}, new to the footprint: {Format(need)} needed, {Format(available)} available"
                : $"FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved '{name}' for {sets}, new to the footprint: {Format(need)} needed, {Format(available)} available");
        }

        var ports = PortEvaluationStage.ForNewFootprint(requirement.Pod, added, offer, taken);
        explanation.AddRange(ports.Explanation);
        var mounts = VolumeEvaluationStage.ForNewFootprint(added, offer, requirement.PodInstanceName, volumes, requirement.Pod.PreReservedRole);
        explanation.AddRange(mounts.Explanation);
        if (failed || !ports.Passed || !mounts.Passed)
        {
            return (false, [], [], [], []);
        }

        var toReserve = new List<Resource>();
        var created = new List<Resource>();
        var setResources = ReserveSets(requirement, added, ports, mounts, context.Reservation, toReserve, created);
        var executorVolumes = volumes.Select(v => ReserveVolume(v, mounts, context.Reservation, Resources.ExecutorOwner, toReserve, created)).ToList();
        taken.UnionWith(ports.Ports.Select(p => p.Number));
        var operations = new List<Offer.Types.Operation>();
        if (toReserve.Count > 0)
        {
            operations.Add(new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Reserve, Reserve = new Offer.Types.Operation.Types.Reserve { Resources = { toReserve } } });
        }

        if (created.Count > 0)
        {
            operations.Add(new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Create, Create = new Offer.Types.Operation.Types.Create { Volumes = { created } } });
        }

        explanation.Add($"PASS(ReservationEvaluationStage): reserving {Count(toReserve.Count, "resource")} and creating {Count(created.Count, "volume")} for {sets}, new to the footprint of {requirement.PodInstanceName}");
        return (true, setResources, operations, [.. ports.Ports], executorVolumes);
    }

    /// <summary>
    /// The pod volumes of the spec that the footprint's executor holds no volume for (by path): none, unless the footprint
    /// was made before pod volumes were reserved with the executor (a pod volume cannot be added to a deployed pod).
    /// </summary>
    private static ImmutableArray<VolumeSpec> PodVolumesMissing(PodSpec pod, Footprint existing) =>
        pod.Volumes.IsDefaultOrEmpty
            ? []
            : [.. pod.Volumes.Where(v => !existing.Resources.Any(r => Resources.Owner(r) == Resources.ExecutorOwner
                && Resources.PersistenceId(r) is not null && r.Disk.Volume?.ContainerPath == v.Path))];

    /// <summary>A relaunch's new executor: the executor's reservations it was offered back, and the volumes it adds.</summary>
    private static IEnumerable<Resource> ExecutorResources(List<Resource> matched, List<Resource>? added)
    {
        var reserved = matched.Where(r => Resources.Owner(r) == Resources.ExecutorOwner);
        return added is null ? reserved : reserved.Concat(added);
    }

    /// <summary>
    /// Where a relaunch finds the pod's volumes, the executor's among <paramref name="resources"/>: offered back with their
    /// ids, or held by the <paramref name="running"/> executor.
    /// </summary>
    private static void ExplainPodVolumes(PodRequirement requirement, ExecutorInfo? running, IList<Resource> resources, List<string> explanation)
    {
        for (var i = 0; i < resources.Count; i++)
        {
            if (resources[i].Disk?.Volume is not { } volume || Resources.PersistenceId(resources[i]) is not { } persistence
                || Resources.Owner(resources[i]) != Resources.ExecutorOwner)
            {
                continue;
            }

            var of = VolumeEvaluationStage.PodVolumesOf(requirement.PodInstanceName);
            explanation.Add(running is not null
                ? $"PASS(VolumeEvaluationStage): volume '{volume.ContainerPath}' of {of} stays with the running executor {running.ExecutorId.Value}"
                : $"PASS(VolumeEvaluationStage): volume '{volume.ContainerPath}' of {of} is offered back (resourceId {Resources.ResourceId(resources[i])}, persistence id {persistence}): relaunched with its data");
        }
    }

    private static bool Holds(List<Resource> resources, string name)
    {
        foreach (var resource in resources)
        {
            if (resource.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The GPUs a resource set holds brought to what its spec asks: resized in place (<see cref="ReservationResize"/>),
    /// or, as a spec may add or drop them (cpus and mem are never 0), reserved anew or given back whole.
    /// </summary>
    private static GpuResize ResizeGpus(PodResourceSet set, List<Resource> have, double unreservedGpus, ReservationContext reservation)
    {
        var held = have.Where(r => r.Name == Resources.GpusName).ToList();
        var want = set.Spec.Gpus;
        if (held.Count == 0)
        {
            if (unreservedGpus + 1e-9 < want)
            {
                return new GpuResize(new ReservationResize.Outcome(false, $"FAIL(ResourceEvaluationStage): reserving {Format(want)} '{Resources.GpusName}' for {set.Description} needs them unreserved on this agent: {Format(want)} needed, {Format(unreservedGpus)} available", null, null, 0), [], []);
            }

            var reserved = Resources.Reserved(Resources.GpusName, want, reservation, set.Owner);
            var operation = new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Reserve, Reserve = new Offer.Types.Operation.Types.Reserve { Resources = { reserved } } };
            return new GpuResize(new ReservationResize.Outcome(true, $"PASS(ResourceEvaluationStage): reserving {Format(want)} '{Resources.GpusName}' for {set.Description} in place", operation, null, want), [reserved], []);
        }

        if (want <= 0)
        {
            var operation = new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Unreserve, Unreserve = new Offer.Types.Operation.Types.Unreserve { Resources = { held } } };
            return new GpuResize(
                new ReservationResize.Outcome(true, $"PASS(ResourceEvaluationStage): {set.Description} gives back its reserved '{Resources.GpusName}' {Format(held.Sum(Resources.Scalar))}: its spec asks none", operation, null, 0),
                [],
                [.. held.Select(Resources.ResourceId).OfType<string>()]);
        }

        return new GpuResize(ReservationResize.Plan(set.Description, Resources.GpusName, held, want, unreservedGpus), [], []);
    }

    /// <summary>A <see cref="ReservationResize.Outcome"/> of GPUs, with the reservations it makes and the ids it gives back.</summary>
    private sealed record GpuResize(ReservationResize.Outcome Outcome, ImmutableArray<Resource> Added, ImmutableHashSet<string> Dropped)
    {
        public bool Passed => Outcome.Passed;

        public string Explanation => Outcome.Explanation;

        public Offer.Types.Operation? Operation => Outcome.Operation;

        public double Grown => Outcome.Grown;

        public Resource? Resized => Outcome.Resized;

        public string? ResizedId => Outcome.Resized is { } resized ? Resources.ResourceId(resized) : null;
    }

    /// <summary>
    /// Whether the offer has <paramref name="need"/> of <paramref name="name"/> for a new footprint, unreserved or (for a
    /// pod of a pre-reserved role) reserved for <paramref name="role"/>; explains either way.
    /// </summary>
    private static bool Sufficient(string name, double need, double available, string role, List<string> explanation)
    {
        if (available + 1e-9 < need)
        {
            explanation.Add(role == "*"
                ? $"FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved '{name}' for new reservation: {Format(need)} needed, {Format(available)} available"
                : $"{OfferFit.LacksReserved(name, role)}: {Format(need)} needed, {Format(available)} available");
            return false;
        }

        explanation.Add(role == "*"
            ? $"PASS(ResourceEvaluationStage): Offer has sufficient unreserved '{name}': {Format(need)} needed, {Format(available)} available"
            : $"PASS(ResourceEvaluationStage): Offer has sufficient '{name}' reserved for role '{role}': {Format(need)} needed, {Format(available)} available");
        return true;
    }

    /// <summary>A resource set serves one task at a time: two tasks of one set cannot launch together.</summary>
    private static string? SharedSetInOneLaunch(PodRequirement requirement, IEnumerable<TaskSpec> tasks)
    {
        var shared = tasks.GroupBy(t => t.ResourceSetId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return shared is null
            ? null
            : $"FAIL(ResourceSetEvaluationStage): {string.Join(", ", shared.Select(t => t.Name))} of {requirement.PodInstanceName} share resource set '{shared.Key}' and cannot launch together";
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

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? string.Empty : "s")}";

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
