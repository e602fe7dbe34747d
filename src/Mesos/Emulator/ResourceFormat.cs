using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Converts resources between the master's internal form (post-refinement <c>reservations[]</c>, no
/// <c>role</c>, no <c>allocation_info</c>) and what a given framework sees on the wire.
/// </summary>
internal static class ResourceFormat
{
    public const string AnyRole = "*";

    /// <summary>Upgrades pre-refinement <c>role</c> + <c>reservation</c> and strips allocation info (on a copy).</summary>
    public static Resource ToInternal(Resource resource) => MakeInternal(CopyValue(resource));

    /// <summary>
    /// A resource a task or executor holds, as the master computes with it: <paramref name="resource"/> itself when it is
    /// in internal form already (refined reservations, no pre-refinement <c>role</c> or <c>reservation</c>) — its
    /// allocation info, which <see cref="ToInternal"/> would strip, is ignored by every comparison of shapes
    /// (<see cref="ResourcePool.ShapeComparer"/>) — otherwise a <see cref="ToInternal"/> copy. Never to be changed or put
    /// into a pool as it is: the framework's ACCEPT shares it (a launched task keeps its resources for its whole life).
    /// </summary>
    public static Resource AsInternal(Resource resource) =>
        resource.HasRole || resource.Reservation is not null ? ToInternal(resource) : resource;

    /// <summary>
    /// <see cref="ToInternal"/> in place, for a resource the master already owns (part of its own copy, or a
    /// <see cref="CopyValue"/>); returns it.
    /// </summary>
    public static Resource MakeInternal(Resource r)
    {
        r.AllocationInfo = null;
        if (r.Reservations.Count == 0 && r.HasRole && r.Role != AnyRole)
        {
            var info = r.Reservation?.Clone() ?? new Resource.Types.ReservationInfo();
            info.Type = r.Reservation is null
                ? Resource.Types.ReservationInfo.Types.Type.Static
                : Resource.Types.ReservationInfo.Types.Type.Dynamic;
            info.Role = r.Role;
            r.Reservations.Add(info);
        }

        r.ClearRole();
        r.Reservation = null;
        return r;
    }

    /// <summary>The wire form for a framework with or without RESERVATION_REFINEMENT / MULTI_ROLE.</summary>
    public static Resource ToFramework(Resource resource, bool refinement, string? allocationRole)
    {
        var r = resource.Clone();
        if (!refinement)
        {
            if (r.Reservations.Count > 0)
            {
                var last = r.Reservations[^1];
                r.Role = last.Role;
                if (last.Type == Resource.Types.ReservationInfo.Types.Type.Dynamic)
                {
                    var info = new Resource.Types.ReservationInfo();
                    if (last.HasPrincipal)
                    {
                        info.Principal = last.Principal;
                    }

                    if (last.Labels is not null)
                    {
                        info.Labels = last.Labels.Clone();
                    }

                    r.Reservation = info;
                }

                r.Reservations.Clear();
            }
            else
            {
                r.Role = AnyRole;
            }
        }

        if (allocationRole is not null)
        {
            r.AllocationInfo = new Resource.Types.AllocationInfo { Role = allocationRole };
        }

        return r;
    }

    /// <summary>The role a resource is reserved for, or <c>*</c>.</summary>
    public static string ReservationRole(Resource internalResource) =>
        internalResource.Reservations.Count > 0 ? internalResource.Reservations[^1].Role : AnyRole;

    public static bool IsReserved(Resource internalResource) => internalResource.Reservations.Count > 0;

    public static bool IsPersistentVolume(Resource internalResource) => internalResource.Disk?.Persistence is not null;

    /// <summary>A disk resource of a MOUNT disk (<c>disk.source.type</c> MOUNT): indivisible, used whole or not at all.</summary>
    public static bool IsMountDisk(Resource resource) =>
        resource.Disk?.Source is { Type: Resource.Types.DiskInfo.Types.Source.Types.Type.Mount };

    /// <summary>The root directory of a MOUNT disk resource, or null for other resources.</summary>
    public static string? MountRoot(Resource resource) =>
        IsMountDisk(resource) && resource.Disk.Source.Mount is { HasRoot: true } mount ? mount.Root : null;

    /// <summary>
    /// A copy that owns its value (scalar, ranges, set) and its list of reservations, and shares every other part (the
    /// reservations themselves and their labels, disk, ...) with <paramref name="r"/>: pools change only the values of
    /// their entries, and nothing in the master changes those other parts of a resource in place (what must, deep-copies
    /// first). An agent's resources are copied for every offer and every ACCEPT; deep copies of their labelled
    /// reservations were most of what the emulator allocated.
    /// </summary>
    public static Resource CopyValue(Resource r)
    {
        var copy = new Resource
        {
            Scalar = r.Scalar?.Clone(),
            Ranges = r.Ranges?.Clone(),
            Set = r.Set?.Clone(),
            ProviderId = r.ProviderId,
            AllocationInfo = r.AllocationInfo,
            Reservation = r.Reservation,
            Disk = r.Disk,
            Revocable = r.Revocable,
            Shared = r.Shared,
        };
        if (r.HasName)
        {
            copy.Name = r.Name;
        }

        if (r.HasType)
        {
            copy.Type = r.Type;
        }

        if (r.HasRole)
        {
            copy.Role = r.Role;
        }

        if (r.Reservations.Count > 0)
        {
            // Sized to fit (a repeated field grows to 8 slots at its first element): agents keep thousands of these.
            copy.Reservations.Capacity = r.Reservations.Count;
            copy.Reservations.Add(r.Reservations);
        }

        return copy;
    }

    /// <summary>The resource with its innermost reservation popped.</summary>
    public static Resource PopReservation(Resource internalResource)
    {
        var r = CopyValue(internalResource);
        r.Reservations.RemoveAt(r.Reservations.Count - 1);
        return r;
    }

    /// <summary>The plain reserved disk a persistent volume was created from.</summary>
    public static Resource StripVolume(Resource internalResource)
    {
        var r = internalResource.Clone();
        if (r.Disk is not null)
        {
            r.Disk.Persistence = null;
            r.Disk.Volume = null;
            if (r.Disk.Source is null)
            {
                r.Disk = null;
            }
        }

        return r;
    }
}
