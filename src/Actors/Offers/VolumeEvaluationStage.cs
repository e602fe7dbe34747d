using System.Collections.Immutable;
using System.Globalization;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// A MOUNT volume and the offered MOUNT disk chosen for it (unreserved, as offered). <paramref name="Owner"/> is the
/// reservation owner (<see cref="Resources.OwnerLabel"/>) the volume is reserved for: its resource set's
/// (<see cref="PodResourceSet.Owner"/>), or the executor's for a pod volume.
/// </summary>
public sealed record AssignedMountDisk(string Owner, VolumeSpec Volume, Resource Disk);

/// <summary>What the volume stage decided: PASS/FAIL lines and, when it passed, the disk of every MOUNT volume.</summary>
public sealed record VolumeStageResult(bool Passed, ImmutableArray<string> Explanation, ImmutableArray<AssignedMountDisk> MountDisks)
{
    /// <summary>The disk chosen for <paramref name="volume"/> reserved for <paramref name="owner"/>.</summary>
    public Resource DiskOf(string owner, VolumeSpec volume) =>
        MountDisks.First(m => m.Owner == owner && m.Volume == volume).Disk;
}

/// <summary>
/// MOUNT volumes of a new footprint (DC/OS <c>VolumeEvaluationStage</c> with a MOUNT disk): each needs an unreserved
/// MOUNT disk of the offer at least as large as its <c>size</c> (and, with <c>profiles</c>, of one of those profiles),
/// not taken by another volume of the pod. The smallest disk that fits is chosen, and reserved and made a volume
/// whole, as Mesos requires (a MOUNT disk is indivisible); the volume's size is then the disk's. ROOT volumes need no
/// choice: they are carved from the offered ROOT disk by the resource stage. A relaunch finds its volume by resource id.
/// The pod's own volumes (pod-level <c>volume(s)</c>) are chosen alike, for the executor, which holds them for every
/// task of the pod (DC/OS <c>PodInfoBuilder</c>: "volumes for the pod to share").
/// </summary>
public static class VolumeEvaluationStage
{
    private const string Stage = "VolumeEvaluationStage";

    /// <summary>
    /// Chooses a MOUNT disk of <paramref name="offer"/> for every MOUNT volume of <paramref name="sets"/> and of
    /// <paramref name="podVolumes"/>, the pod volumes of <paramref name="podInstance"/> (a ROOT pod volume is said to come
    /// from the ROOT disk): an unreserved one, or for a pod of a pre-reserved role one statically reserved for
    /// <paramref name="preReservedRole"/>.
    /// </summary>
    public static VolumeStageResult ForNewFootprint(IReadOnlyList<PodResourceSet> sets, Offer offer, string? podInstance = null, ImmutableArray<VolumeSpec> podVolumes = default, string preReservedRole = "*")
    {
        var wanted = sets.SelectMany(s => s.Spec.Volumes.Where(v => v.Type == VolumeType.Mount).Select(v => (s.Owner, Of: s.Description, Volume: v)))
            .ToList();
        List<string>? rootLines = null;
        if (!podVolumes.IsDefaultOrEmpty)
        {
            var of = PodVolumesOf(podInstance);
            foreach (var volume in podVolumes)
            {
                if (volume.Type == VolumeType.Mount)
                {
                    wanted.Add((Resources.ExecutorOwner, of, volume));
                }
                else
                {
                    (rootLines ??= []).Add($"PASS({Stage}): ROOT volume '{volume.Path}' ({Mb(volume.SizeMb)}) of {of}, carved from the ROOT disk");
                }
            }
        }

        if (wanted.Count == 0)
        {
            return new VolumeStageResult(true, rootLines is null ? [] : [.. rootLines], []);
        }

        if (wanted.Count > 1)
        {
            // The biggest first (a stable sort), so a small volume never takes the one disk a big one fits.
            wanted = [.. wanted.OrderByDescending(w => w.Volume.SizeMb)];
        }

        var unreserved = offer.Resources.Where(r => IsMountDisk(r) && Resources.IsReservableBy(r, preReservedRole)).ToList();
        if (Matching(wanted, unreserved) is { } matched)
        {
            var chosen = wanted.Zip(matched).ToList();
            return new VolumeStageResult(
                true,
                [.. rootLines ?? [], .. chosen.Select(c => Chosen(c.First.Of, c.First.Volume, c.Second))],
                [.. chosen.Select(c => new AssignedMountDisk(c.First.Owner, c.First.Volume, c.Second))]);
        }

        // None: each volume's smallest fitting disk in turn shows which volumes find none.
        var free = unreserved.ToList();
        var explanation = rootLines ?? [];
        foreach (var (_, of, volume) in wanted)
        {
            if (Candidates(free, volume).FirstOrDefault() is { } disk)
            {
                free.Remove(disk);
                explanation.Add(Chosen(of, volume, disk));
                continue;
            }

            // The amounts as a lacked resource's ("500 needed, 100 available": the largest free disk of the volume's
            // profiles), so a pod's summary says them (OfferOutcomeTracker.ReasonOf); the disks follow the dash.
            var profiles = volume.Profiles.IsDefaultOrEmpty ? string.Empty : $" with profile {string.Join(" or ", volume.Profiles)}";
            var largest = free.Where(d => HasProfile(d, volume.Profiles)).Select(Resources.Scalar).DefaultIfEmpty(0).Max();
            explanation.Add($"FAIL({Stage}): no MOUNT disk >= {Mb(volume.SizeMb)}{profiles} for MOUNT volume '{volume.Path}' of {of}: " +
                $"{Number(volume.SizeMb)} needed, {Number(largest)} available — agent {offer.AgentId?.Value} ({offer.Hostname}) offers {Describe(offer, unreserved, free)}");
        }

        return new VolumeStageResult(false, [.. explanation], []);
    }

    /// <summary>How explanations name the pod volumes of <paramref name="podInstance"/>: held by its executor, seen by every task.</summary>
    public static string PodVolumesOf(string? podInstance) => $"pod {podInstance} (its executor's, shared by its tasks)";

    private static string Chosen(string of, VolumeSpec volume, Resource disk) =>
        $"PASS({Stage}): MOUNT disk {MountRoot(disk)} ({Mb(Resources.Scalar(disk))}{ProfileText(disk)}) for MOUNT volume '{volume.Path}' of {of} ({Mb(volume.SizeMb)} asked), reserved whole";

    /// <summary>The disks of <paramref name="disks"/> <paramref name="volume"/> fits on (size, profile), the smallest first.</summary>
    private static IEnumerable<Resource> Candidates(IEnumerable<Resource> disks, VolumeSpec volume) => disks
        .Where(d => Resources.Scalar(d) + 1e-9 >= volume.SizeMb && HasProfile(d, volume.Profiles))
        .OrderBy(Resources.Scalar)
        .ThenBy(MountRoot, StringComparer.Ordinal);

    /// <summary>
    /// A disk for each of <paramref name="wanted"/> (in its order), each disk used once: each volume takes its smallest
    /// fitting disk, and only where that leaves a later volume without one is another tried (a volume without a profile
    /// must not take the one disk a profiled volume needs); null when there is none. A pod has a handful of volumes and
    /// an agent a handful of MOUNT disks.
    /// </summary>
    private static List<Resource>? Matching(List<(string Owner, string Of, VolumeSpec Volume)> wanted, List<Resource> disks)
    {
        var chosen = new List<Resource>();
        bool Assign(int next)
        {
            if (next == wanted.Count)
            {
                return true;
            }

            foreach (var disk in Candidates(disks.Where(d => !chosen.Contains(d, ReferenceEqualityComparer.Instance)), wanted[next].Volume).ToList())
            {
                chosen.Add(disk);
                if (Assign(next + 1))
                {
                    return true;
                }

                chosen.RemoveAt(chosen.Count - 1);
            }

            return false;
        }

        return Assign(0) ? chosen : null;
    }

    /// <summary>A disk resource whose source is a MOUNT disk.</summary>
    public static bool IsMountDisk(Resource resource) =>
        resource.Name == "disk" && resource.Disk?.Source is { Type: Resource.Types.DiskInfo.Types.Source.Types.Type.Mount };

    /// <summary>The root of a MOUNT disk (its identity on the agent), or empty.</summary>
    public static string MountRoot(Resource resource) => resource.Disk?.Source?.Mount?.Root ?? string.Empty;

    private static bool HasProfile(Resource disk, ImmutableArray<string> profiles) =>
        profiles.IsDefaultOrEmpty || (disk.Disk.Source.HasProfile && profiles.Contains(disk.Disk.Source.Profile));

    private static string Describe(Offer offer, IReadOnlyCollection<Resource> unreserved, IReadOnlyCollection<Resource> free)
    {
        if (free.Count > 0)
        {
            return "unreserved MOUNT disks " + List(free);
        }

        if (unreserved.Count > 0)
        {
            return $"unreserved MOUNT disks {List(unreserved)}, all taken by the pod's other MOUNT volumes";
        }

        return offer.Resources.Any(IsMountDisk) ? "no unreserved MOUNT disk (all are reserved)" : "no MOUNT disk";
    }

    private static string List(IEnumerable<Resource> disks) =>
        string.Join(", ", disks.OrderBy(Resources.Scalar).Select(d => Mb(Resources.Scalar(d)) + ProfileText(d)));

    private static string ProfileText(Resource disk) => disk.Disk.Source.HasProfile ? $" {disk.Disk.Source.Profile}" : string.Empty;

    private static string Mb(double value) => Number(value) + " MB";

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
