using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// What is left of an offer once a claim took its share, so one offer can carry several pod instances: unreserved
/// scalars shrink by what the claim reserves, reserved ports leave the unreserved port ranges, a reserved MOUNT disk
/// leaves whole, and reserved resources the claim uses disappear. The remainder shares the offer's other fields and the
/// resources the claim left untouched (offers are never changed once received: evaluations read them and build new
/// resources); only resources that shrink are new.
/// </summary>
public static class OfferRemainder
{
    /// <summary>
    /// The offer with its fields (shared, not copied) and no resources; field by field, as the emulator's
    /// <c>ResourceFormat.CopyValue</c> copies a resource (a test pins every field). The remainder's copies — the whole offer
    /// cloned per claim, then its untouched resources — were most of the fifth of the router's allocation it took in a
    /// storm (a big agent's offer carries hundreds of claims).
    /// </summary>
    internal static Offer Shell(Offer offer)
    {
        var shell = new Offer
        {
            Id = offer.Id,
            FrameworkId = offer.FrameworkId,
            AgentId = offer.AgentId,
            Url = offer.Url,
            Domain = offer.Domain,
            Attributes = { offer.Attributes },
            ExecutorIds = { offer.ExecutorIds },
            Unavailability = offer.Unavailability,
            AllocationInfo = offer.AllocationInfo,
        };
        if (offer.HasHostname)
        {
            shell.Hostname = offer.Hostname;
        }

        return shell;
    }

    public static Offer After(Offer offer, OfferEvaluation claim)
    {
        var takenUnreserved = new Dictionary<string, double>(StringComparer.Ordinal);
        var takenReserved = new HashSet<string>(StringComparer.Ordinal);
        var takenRanges = new Dictionary<string, Value.Types.Ranges>(StringComparer.Ordinal);
        var takenMountDisks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in claim.Operations)
        {
            switch (operation.Type)
            {
                case Offer.Types.Operation.Types.Type.Reserve:
                    foreach (var r in operation.Reserve.Resources)
                    {
                        if (VolumeEvaluationStage.IsMountDisk(r))
                        {
                            takenMountDisks.Add(VolumeEvaluationStage.MountRoot(r));
                            continue;
                        }

                        // What a pod of a pre-reserved role reserves comes from that role's static reservations.
                        var source = r.Reservations.Count > 1 ? SourceKey(r.Name, Resources.PreReservedRoleOf(r)) : r.Name;
                        if (r.Ranges is not null)
                        {
                            takenRanges[source] = takenRanges.TryGetValue(source, out var cuts) ? RangeMath.Union(cuts, r.Ranges) : r.Ranges;
                            continue;
                        }

                        takenUnreserved[source] = takenUnreserved.GetValueOrDefault(source) + Resources.Scalar(r);
                    }

                    break;
                case Offer.Types.Operation.Types.Type.LaunchGroup:
                    var launched = operation.LaunchGroup.TaskGroup.Tasks.SelectMany(t => t.Resources).Concat(operation.LaunchGroup.Executor.Resources);
                    foreach (var r in launched)
                    {
                        if (Resources.ResourceId(r) is { } id)
                        {
                            takenReserved.Add(id);
                        }
                    }

                    break;
            }
        }

        var rest = Shell(offer);
        foreach (var resource in offer.Resources)
        {
            if (Resources.ResourceId(resource) is { } id)
            {
                if (!takenReserved.Contains(id))
                {
                    rest.Resources.Add(resource);
                }

                continue;
            }

            if (!Resources.IsReserved(resource) && VolumeEvaluationStage.IsMountDisk(resource))
            {
                if (!takenMountDisks.Contains(VolumeEvaluationStage.MountRoot(resource)))
                {
                    rest.Resources.Add(resource);
                }

                continue;
            }

            // Unreserved resources are keyed by name, statically reserved ones by name and role (a claim's refined RESERVE
            // takes from those).
            var key = !Resources.IsReserved(resource) ? resource.Name
                : StaticRole(resource) is { } role && (takenUnreserved.Count > 0 || takenRanges.Count > 0) ? SourceKey(resource.Name, role)
                : null;
            if (key is not null && resource.Ranges is not null && takenRanges.TryGetValue(key, out var taken))
            {
                var left = RangeMath.Subtract(resource.Ranges, taken);
                if (left.Range.Count > 0)
                {
                    var smaller = resource.Clone();
                    smaller.Ranges = left;
                    rest.Resources.Add(smaller);
                }

                continue;
            }

            // A PATH, BLOCK or RAW disk is not what a claim's disk comes from (OfferFit.Unreserved leaves them out too).
            if (key is null || resource.Scalar is null || resource.Disk is not null
                || !takenUnreserved.TryGetValue(key, out var take) || take <= 0)
            {
                rest.Resources.Add(resource);
                continue;
            }

            var remaining = Resources.Scalar(resource) - take;
            takenUnreserved[key] = Math.Max(0, take - Resources.Scalar(resource));
            if (remaining > 1e-9)
            {
                var smaller = resource.Clone();
                smaller.Scalar = new Value.Types.Scalar { Value = remaining };
                rest.Resources.Add(smaller);
            }
        }

        return rest;
    }

    private static string SourceKey(string name, string role) => $"{name}({role})";

    /// <summary>The role of a static reservation nobody refined yet (the one offered resource a refined RESERVE takes from), or null.</summary>
    private static string? StaticRole(Resource resource) =>
        resource.Reservations.Count > 0 && resource.Reservations[^1].Type == Resource.Types.ReservationInfo.Types.Type.Static
            ? resource.Reservations[^1].Role
            : null;
}
