// The deprecated role/reservation fields are the pre-refinement wire format: reading and writing them is the point.
#pragma warning disable CS0612

using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>Resource identity and format conversions the master applies.</summary>
internal static class ResourceMath
{
    public const double Epsilon = 1e-6;

    public static bool IsReserved(Resource r) => r.Reservations.Count > 0;

    public static string? Role(Resource r) => r.Reservations.Count > 0 ? r.Reservations[^1].Role : null;

    public static double Scalar(Resource r) => r.Scalar?.Value ?? 0;

    /// <summary>Identity of a reserved resource: name, reservation stack (role, principal, labels) and volume id.</summary>
    public static string Key(Resource r)
    {
        var reservations = new Resource { Name = "k", Type = Value.Types.Type.Scalar };
        foreach (var reservation in r.Reservations)
        {
            var copy = reservation.Clone();
            reservations.Reservations.Add(copy);
        }

        var persistence = r.Disk?.Persistence?.Id ?? string.Empty;
        return $"{r.Name}|{Convert.ToBase64String(reservations.ToByteArray())}|{persistence}";
    }

    /// <summary>Pre-refinement input (<c>role</c> + <c>reservation</c>) in the refined <c>reservations[]</c> form.</summary>
    public static Resource ToRefined(Resource r)
    {
        if (r.Reservations.Count > 0 || r.Reservation is null)
        {
            var copy = r.Clone();
            copy.ClearRole();
            copy.AllocationInfo = null;
            return copy;
        }

        var refined = r.Clone();
        refined.Reservations.Add(new Resource.Types.ReservationInfo
        {
            Type = Resource.Types.ReservationInfo.Types.Type.Dynamic,
            Role = r.Role,
            Principal = r.Reservation.HasPrincipal ? r.Reservation.Principal : string.Empty,
            Labels = r.Reservation.Labels,
        });
        refined.Reservation = null;
        refined.ClearRole();
        refined.AllocationInfo = null;
        return refined;
    }

    /// <summary>A resource as a framework sees it: refined or pre-refinement format, with or without allocation info.</summary>
    public static Resource ForFramework(Resource r, FrameworkInfo framework, string role)
    {
        var copy = r.Clone();
        if (Has(framework, FrameworkInfo.Types.Capability.Types.Type.MultiRole))
        {
            copy.AllocationInfo = new Resource.Types.AllocationInfo { Role = role };
        }

        if (!Has(framework, FrameworkInfo.Types.Capability.Types.Type.ReservationRefinement) && copy.Reservations.Count > 0)
        {
            var last = copy.Reservations[^1];
            copy.Role = last.Role;
            copy.Reservation = new Resource.Types.ReservationInfo { Labels = last.Labels };
            if (last.HasPrincipal)
            {
                copy.Reservation.Principal = last.Principal;
            }

            copy.Reservations.Clear();
        }

        return copy;
    }

    public static bool Has(FrameworkInfo framework, FrameworkInfo.Types.Capability.Types.Type capability) =>
        framework.Capabilities.Any(c => c.Type == capability);

    public static Resource Scalar(string name, double value) => new()
    {
        Name = name,
        Type = Value.Types.Type.Scalar,
        Scalar = new Value.Types.Scalar { Value = value },
    };
}
