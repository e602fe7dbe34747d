using System.Collections.Immutable;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Garbage collection (DC/OS <c>getUnexpectedResources</c>): resources reserved by us (they carry our
/// <c>resource_id</c> label) that no pod instance owns any more are destroyed (volumes) and unreserved.
/// </summary>
public static class UnexpectedResources
{
    /// <returns>DESTROY (if any) then UNRESERVE operations for the offer, or none.</returns>
    public static ImmutableArray<Offer.Types.Operation> Cleanup(Offer offer, IReadOnlySet<string> ownedResourceIds, string role)
    {
        var unexpected = offer.Resources
            .Where(r => Resources.ResourceId(r) is { } id && !ownedResourceIds.Contains(id) && ReservedFor(r, role))
            .ToList();
        if (unexpected.Count == 0)
        {
            return ImmutableArray<Offer.Types.Operation>.Empty;
        }

        var operations = ImmutableArray.CreateBuilder<Offer.Types.Operation>();
        var volumes = unexpected.Where(r => Resources.PersistenceId(r) is not null).ToList();
        if (volumes.Count > 0)
        {
            operations.Add(new Offer.Types.Operation
            {
                Type = Offer.Types.Operation.Types.Type.Destroy,
                Destroy = new Offer.Types.Operation.Types.Destroy { Volumes = { volumes } },
            });
        }

        // UNRESERVE names the plain reserved resources: volumes lose their persistence once destroyed (a MOUNT disk
        // keeps its source).
        var unreserve = unexpected.Select(r => r.Disk is null ? r : Resources.WithoutVolume(r));
        operations.Add(new Offer.Types.Operation
        {
            Type = Offer.Types.Operation.Types.Type.Unreserve,
            Unreserve = new Offer.Types.Operation.Types.Unreserve { Resources = { unreserve } },
        });
        return operations.ToImmutable();
    }

    // We reserve in the refined format only (RESERVATION_REFINEMENT), so only reservations[] can be ours: for the service
    // role, or for a pod of a pre-reserved role R for R/<service role> (UNRESERVE gives that back to R).
    private static bool ReservedFor(Resource resource, string role)
    {
        if (resource.Reservations.Count == 0)
        {
            return false;
        }

        var reserved = resource.Reservations[^1].Role;
        return reserved == role
            || (reserved.Length > role.Length + 1 && reserved.EndsWith(role, StringComparison.Ordinal) && reserved[reserved.Length - role.Length - 1] == '/');
    }
}
