using System.Collections.Immutable;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// The router's constant-time pre-check before a full evaluation, so a storm of offers is not evaluated in full against
/// every waiting pod: a pod with a footprint can only use offers from its agent, and a new footprint only offers with
/// enough unreserved cpus, mem and disk left. Only offers the full evaluation would fail are skipped, and the reason is
/// the one the full evaluation gives (as grouped by <see cref="OfferOutcomeTracker.ReasonOf"/>).
/// </summary>
public static class OfferFit
{
    /// <summary>Scalar amounts: cpus, mem (MB), disk (MB), gpus.</summary>
    public readonly record struct Scalars(double Cpus, double Mem, double Disk, double Gpus = 0);

    /// <summary>
    /// What a new footprint of any instance of the pod reserves: every resource set once (its first task's resources,
    /// as <see cref="PodResourceSet.Of"/> takes them), plus the executor and the pod's ROOT volumes, which it holds.
    /// Computed per registration and per evaluation: a loop, no names built.
    /// </summary>
    public static Scalars NewFootprintNeed(PodSpec pod, ExecutorResources executor)
    {
        double cpus = executor.Cpus, mem = executor.MemoryMb, disk = executor.DiskMb, gpus = 0;
        foreach (var volume in pod.Volumes)
        {
            if (volume.Type == VolumeType.Root)
            {
                disk += volume.SizeMb;
            }
        }

        var tasks = pod.Tasks;
        for (var i = 0; i < tasks.Length; i++)
        {
            if (!FirstOfItsSet(tasks, i))
            {
                continue;
            }

            cpus += tasks[i].Cpus;
            mem += tasks[i].MemoryMb;
            gpus += tasks[i].Gpus;
            foreach (var volume in tasks[i].Volumes)
            {
                if (volume.Type == VolumeType.Root)
                {
                    disk += volume.SizeMb;
                }
            }
        }

        return new Scalars(cpus, mem, disk, gpus);
    }

    private static bool FirstOfItsSet(ImmutableArray<TaskSpec> tasks, int index)
    {
        for (var i = 0; i < index; i++)
        {
            if (tasks[i].ResourceSetId == tasks[index].ResourceSetId)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The unreserved cpus, mem, (non-volume) disk and gpus of an offer.</summary>
    public static Scalars Unreserved(Offer offer) => Unreserved(offer, "*");

    /// <summary>
    /// The cpus, mem, (non-volume) disk and gpus of an offer a pod of pre-reserved role <paramref name="preReservedRole"/>
    /// may reserve (<see cref="Resources.IsReservableBy"/>): unreserved ones for <c>*</c>, those statically reserved for
    /// the role otherwise.
    /// </summary>
    public static Scalars Unreserved(Offer offer, string preReservedRole)
    {
        double cpus = 0, mem = 0, disk = 0, gpus = 0;
        foreach (var resource in offer.Resources)
        {
            if (!Resources.IsReservableBy(resource, preReservedRole) || resource.Disk is not null)
            {
                continue;
            }

            switch (resource.Name)
            {
                case "cpus":
                    cpus += Resources.Scalar(resource);
                    break;
                case "mem":
                    mem += Resources.Scalar(resource);
                    break;
                case "disk":
                    disk += Resources.Scalar(resource);
                    break;
                case Resources.GpusName:
                    gpus += Resources.Scalar(resource);
                    break;
            }
        }

        return new Scalars(cpus, mem, disk, gpus);
    }

    /// <summary>
    /// Null when a full evaluation of <paramref name="requirement"/> against the offer may pass; otherwise the reason it
    /// fails. <paramref name="need"/> is <see cref="NewFootprintNeed"/> of the requirement (unused with a footprint),
    /// <paramref name="available"/> the offer's <see cref="Unreserved"/>.
    /// </summary>
    public static string? Skip(PodRequirement requirement, Scalars need, Offer offer, Scalars available)
    {
        if (requirement.Existing is { } existing)
        {
            return offer.AgentId?.Value != existing.AgentId && offer.Hostname != existing.Hostname ? OtherAgent : null;
        }

        const double epsilon = 1e-9;
        if (requirement.Pod.PreReservedRole is var role && role != "*")
        {
            // Counted per offer and pod: the router's per-offer figures are the unreserved ones.
            available = Unreserved(offer, role);
            var reasons = ReasonsOf(role);
            return available == default && !HasReservedFor(offer, role) ? reasons.NoneReserved
                : available.Cpus + epsilon < need.Cpus ? reasons.Cpus
                : available.Mem + epsilon < need.Mem ? reasons.Mem
                : available.Disk + epsilon < need.Disk ? reasons.Disk
                : available.Gpus + epsilon < need.Gpus ? reasons.Gpus
                : null;
        }

        return available.Cpus + epsilon < need.Cpus ? LacksCpus
            : available.Mem + epsilon < need.Mem ? LacksMem
            : available.Disk + epsilon < need.Disk ? LacksDisk
            : available.Gpus + epsilon < need.Gpus ? LacksGpus
            : null;
    }

    /// <summary>
    /// Null when a full evaluation of <paramref name="requirement"/> against the offer may pass; otherwise the reason it
    /// fails, checked in the full evaluation's order (<see cref="OfferEvaluator"/>): the offer's allocation role
    /// (<see cref="EvaluationContext.RoleRefusal"/>), the service's region and the pod's
    /// placement rule (<see cref="OfferEvaluator.PlacementRefusal"/>), then the agent or the resources (<see cref="Skip"/>),
    /// so a skipped offer is counted under the reason its full evaluation would give.
    /// </summary>
    public static string? Refusal(PodRequirement requirement, Scalars need, Offer offer, Scalars available, PlacementAgent agent, PlacedTasks placed, EvaluationContext context) =>
        context.RoleRefusal(requirement.Pod, offer)
        ?? OfferEvaluator.PlacementRefusal(requirement, agent, placed, context)
        ?? Skip(requirement, need, offer, available);

    /// <summary>Why a pod with reservations skips an offer of another agent (<see cref="Skip"/>).</summary>
    public const string OtherAgent = "FAIL(AgentEvaluationStage): offer is from another agent than the pod's reservations";

    /// <summary>
    /// The amount of the resource <paramref name="reason"/> (as <see cref="Skip"/> gives it for a pod without a
    /// pre-reserved role) says a new footprint lacked, out of <paramref name="scalars"/> (a need, or an offer's
    /// <see cref="Unreserved"/>); NaN for other reasons. No allocation: called for every skipped offer.
    /// </summary>
    public static double AmountOf(string reason, Scalars scalars) =>
        ReferenceEquals(reason, LacksCpus) ? scalars.Cpus
        : ReferenceEquals(reason, LacksMem) ? scalars.Mem
        : ReferenceEquals(reason, LacksDisk) ? scalars.Disk
        : ReferenceEquals(reason, LacksGpus) ? scalars.Gpus
        : double.NaN;

    /// <summary>
    /// <see cref="AmountOf(string, Scalars)"/> for a pod of pre-reserved role <paramref name="preReservedRole"/>
    /// (<c>*</c>: none), whose lacks name the role: out of <paramref name="scalars"/> read as what is reserved for it.
    /// </summary>
    public static double AmountOf(string reason, string preReservedRole, Scalars scalars)
    {
        if (preReservedRole == "*")
        {
            return AmountOf(reason, scalars);
        }

        var reasons = ReasonsOf(preReservedRole);
        return ReferenceEquals(reason, reasons.Cpus) ? scalars.Cpus
            : ReferenceEquals(reason, reasons.Mem) ? scalars.Mem
            : ReferenceEquals(reason, reasons.Disk) ? scalars.Disk
            : ReferenceEquals(reason, reasons.Gpus) ? scalars.Gpus
            : double.NaN;
    }

    /// <summary>
    /// How much of the resource <paramref name="reason"/> says a new footprint lacked the offer had for the pod, as
    /// <see cref="Skip"/> counted it: of the unreserved <paramref name="available"/>, or for a pod of a pre-reserved role
    /// what the offer reserves for that role (read from the offer only then: such pods are few); NaN for other reasons.
    /// </summary>
    public static double OfferedAmountOf(string reason, string preReservedRole, Offer offer, Scalars available)
    {
        if (preReservedRole == "*")
        {
            return AmountOf(reason, available);
        }

        var amount = AmountOf(reason, preReservedRole, default);
        return double.IsNaN(amount) ? amount : AmountOf(reason, preReservedRole, Unreserved(offer, preReservedRole));
    }

    // Built once: a cycle skips thousands of offers.
    private static readonly string LacksCpus = Lacks("cpus");
    private static readonly string LacksMem = Lacks("mem");
    private static readonly string LacksDisk = Lacks("disk");
    private static readonly string LacksGpus = Lacks(Resources.GpusName);

    private static string Lacks(string name) => $"FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved '{name}' for new reservation";

    /// <summary>
    /// The reasons of a pod of pre-reserved role <paramref name="role"/>, built once per role (a spec names few): the
    /// same strings every time, so <see cref="AmountOf(string, string, Scalars)"/> knows them by reference, and a skip
    /// builds nothing.
    /// </summary>
    private static RoleReasons ReasonsOf(string role) => ReasonsByRole.GetOrAdd(role, static r => new RoleReasons(
        LacksReserved("cpus", r), LacksReserved("mem", r), LacksReserved("disk", r), LacksReserved(Resources.GpusName, r),
        NoneReservedFor(r)));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, RoleReasons> ReasonsByRole = new(StringComparer.Ordinal);

    private sealed record RoleReasons(string Cpus, string Mem, string Disk, string Gpus, string NoneReserved);

    /// <summary>The reason of a pod of a pre-reserved role lacking a resource reserved for it (<see cref="OfferEvaluator"/>'s words).</summary>
    internal static string LacksReserved(string name, string role) =>
        $"FAIL(ResourceEvaluationStage): Offer lacks sufficient '{name}' reserved for role '{role}' for new reservation";

    /// <summary>The reason of a pod of a pre-reserved role given an offer with nothing reserved for it (<see cref="OfferEvaluator"/>'s words).</summary>
    internal static string NoneReservedFor(string role) => $"FAIL(ResourceEvaluationStage): offer has no resources reserved for role '{role}'";

    // Whether any resource of the offer (ports and volumes too) is reserved for the role: a loop, no enumerator boxed.
    private static bool HasReservedFor(Offer offer, string role)
    {
        var resources = offer.Resources;
        for (var i = 0; i < resources.Count; i++)
        {
            if (Resources.IsReservableBy(resources[i], role))
            {
                return true;
            }
        }

        return false;
    }
}
