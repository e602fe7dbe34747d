using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Offers;

/// <summary>Reading and building Mesos resources the way this scheduler labels them.</summary>
public static class Resources
{
    public const string ResourceIdLabel = "resource_id";
    public const string FrameworkIdLabel = "framework_id";

    /// <summary>
    /// Which resource set (<c>&lt;pod&gt;-&lt;index&gt;-&lt;set id&gt;</c>, see <see cref="PodResourceSet"/>) or "executor" a
    /// reservation was made for. Footprints recorded before resource sets were keyed name the task instead.
    /// </summary>
    public const string OwnerLabel = "owner";

    /// <summary>On a reserved port: the name of the spec port (<c>ports.&lt;name&gt;</c>) it was reserved for.</summary>
    public const string PortNameLabel = "port_name";

    public const string ExecutorOwner = "executor";

    public const string PortsName = "ports";

    /// <summary>A scalar, reserved and resized like cpus; offered only to frameworks with the GPU_RESOURCES capability.</summary>
    public const string GpusName = "gpus";

    public static bool IsReserved(Resource resource) =>
        resource.Reservations.Count > 0 || (resource.HasRole && resource.Role != "*");

    /// <summary>
    /// Whether a pod of pre-reserved role <paramref name="preReservedRole"/> may reserve from the offered
    /// <paramref name="resource"/>: a pod of <c>*</c> only unreserved resources, a pod of role R only those an operator
    /// reserved statically for R (the reservation stack ends in a STATIC reservation for R), never ones of another role.
    /// </summary>
    public static bool IsReservableBy(Resource resource, string preReservedRole)
    {
        if (preReservedRole == "*")
        {
            return !IsReserved(resource);
        }

        var reservations = resource.Reservations;
        return reservations.Count > 0
            && reservations[^1].Type == Resource.Types.ReservationInfo.Types.Type.Static
            && reservations[^1].Role == preReservedRole;
    }

    /// <summary>
    /// The role a reservation of ours was made from: <c>*</c>, or the pre-reserved role whose static reservation it
    /// refines (where an UNRESERVE returns it).
    /// </summary>
    public static string PreReservedRoleOf(Resource reserved) =>
        reserved.Reservations.Count > 1 ? reserved.Reservations[^2].Role : "*";

    /// <summary>Our <c>resource_id</c> label on the resource's (last) dynamic reservation, or null.</summary>
    public static string? ResourceId(Resource resource) => Label(resource, ResourceIdLabel);

    public static string? Owner(Resource resource) => Label(resource, OwnerLabel);

    /// <summary>The spec port name a reserved port was reserved for, or null.</summary>
    public static string? PortName(Resource resource) => Label(resource, PortNameLabel);

    /// <summary>The (first) port number of a <c>ports</c> resource, or null for other resources.</summary>
    public static int? PortNumber(Resource resource) =>
        resource.Name == PortsName && resource.Ranges is { Range.Count: > 0 } ranges ? (int)ranges.Range[0].Begin : null;

    public static string? PersistenceId(Resource resource) =>
        resource.Disk?.Persistence is { } persistence && persistence.HasId ? persistence.Id : null;

    public static double Scalar(Resource resource) => resource.Scalar?.Value ?? 0;

    public static Resource Scalar(string name, double value) => new()
    {
        Name = name,
        Type = Value.Types.Type.Scalar,
        Scalar = new Value.Types.Scalar { Value = value },
    };

    /// <summary>A dynamically reserved scalar, labelled so it can be found again in later offers.</summary>
    public static Resource Reserved(string name, double value, ReservationContext context, string owner) =>
        Reserve(Scalar(name, value), context, owner);

    /// <summary>One dynamically reserved port, labelled like the other reservations and with the spec port's name.</summary>
    public static Resource ReservedPort(int port, string portName, ReservationContext context, string owner)
    {
        var resource = new Resource
        {
            Name = PortsName,
            Type = Value.Types.Type.Ranges,
            Ranges = new Value.Types.Ranges { Range = { new Value.Types.Range { Begin = (ulong)port, End = (ulong)port } } },
        };
        return Reserve(resource, context, owner, new Label { Key = PortNameLabel, Value = portName });
    }

    /// <summary>
    /// A whole offered (unreserved) resource dynamically reserved as it is, labelled like the other reservations: a
    /// MOUNT disk, which Mesos reserves only whole, keeps its size and <c>disk.source</c>.
    /// </summary>
    public static Resource ReservedWhole(Resource offered, ReservationContext context, string owner)
    {
        var resource = offered.Clone();
        resource.ClearRole();
        resource.Reservation = null;
        resource.Reservations.Clear();
        return Reserve(resource, context, owner);
    }

    private static Resource Reserve(Resource resource, ReservationContext context, string owner, params Label[] extra)
    {
        // The allocation info and the framework and owner labels are the same for every reservation of a framework (of a
        // pod's resource set): one object each, shared, as a parsed message would not share them. Nothing changes them
        // in place (a pod's reservations live as long as the pod, in its footprint and task infos: 3 objects fewer each).
        var shared = Shared.For(context, owner);
        resource.AllocationInfo = shared.Allocation;
        var labels = new Labels();
        // Sized to fit: a repeated field grows to 8 slots at its first element, and every reservation a pod holds (in its
        // footprint, its task infos and the journal's copy of them) lives as long as the pod.
        labels.Labels_.Capacity = 3 + extra.Length;
        labels.Labels_.Add(new Label { Key = ResourceIdLabel, Value = Uuids.NewString() });
        labels.Labels_.Add(shared.Framework);
        labels.Labels_.Add(shared.Owner);
        labels.Labels_.Add(extra);
        resource.Reservations.Capacity = resource.Reservations.Count + (shared.PreReserved is null ? 1 : 2);
        if (shared.PreReserved is not null)
        {
            // Refinement: the operator's static reservation for the pre-reserved role stays below ours (UNRESERVE pops
            // ours and gives the resources back to that role).
            resource.Reservations.Add(shared.PreReserved);
        }

        resource.Reservations.Add(new Resource.Types.ReservationInfo
        {
            Type = Resource.Types.ReservationInfo.Types.Type.Dynamic,
            Role = context.Role,
            Principal = context.Principal,
            Labels = labels,
        });
        return resource;
    }

    /// <summary>
    /// The parts of the last reservation made that the next one most likely shares (a pod's reservations are made one
    /// after the other): kept in one immutable object, so threads that race only build one more.
    /// </summary>
    private sealed record Shared(string Role, string FrameworkId, string OwnerName, Resource.Types.AllocationInfo Allocation, Label Framework, Label Owner, Resource.Types.ReservationInfo? PreReserved)
    {
        private static readonly Label ExecutorOwner = new() { Key = Resources.OwnerLabel, Value = Resources.ExecutorOwner };
        private static Shared? _last;

        public static Shared For(ReservationContext context, string owner)
        {
            var last = _last;
            if (last is not null && last.Role == context.Role && last.FrameworkId == context.FrameworkId && last.OwnerName == owner)
            {
                return last;
            }

            var sameFramework = last is not null && last.Role == context.Role && last.FrameworkId == context.FrameworkId;
            var next = new Shared(
                context.Role,
                context.FrameworkId,
                owner,
                sameFramework ? last!.Allocation : new Resource.Types.AllocationInfo { Role = context.Role },
                sameFramework ? last!.Framework : new Label { Key = Resources.FrameworkIdLabel, Value = context.FrameworkId },
                owner == Resources.ExecutorOwner ? ExecutorOwner : new Label { Key = Resources.OwnerLabel, Value = owner },
                sameFramework ? last!.PreReserved
                : context.PreReservedRole == "*" ? null
                : new Resource.Types.ReservationInfo { Type = Resource.Types.ReservationInfo.Types.Type.Static, Role = context.PreReservedRole });
            _last = next;
            return next;
        }
    }

    /// <summary>The reserved disk turned into a persistent volume at <paramref name="containerPath"/> (on the same disk source).</summary>
    public static Resource AsVolume(Resource reservedDisk, string containerPath, string principal)
    {
        var volume = reservedDisk.Clone();
        volume.Disk = new Resource.Types.DiskInfo
        {
            Persistence = new Resource.Types.DiskInfo.Types.Persistence { Id = Uuids.NewString(), Principal = principal },
            Volume = new Volume { Mode = Volume.Types.Mode.Rw, ContainerPath = containerPath },
            Source = reservedDisk.Disk?.Source?.Clone(),
        };
        return volume;
    }

    /// <summary>A persistent volume as the plain reserved disk it was created on (DESTROY gives that back; UNRESERVE names it).</summary>
    public static Resource WithoutVolume(Resource volume)
    {
        var plain = volume.Clone();
        plain.Disk = volume.Disk?.Source is { } source ? new Resource.Types.DiskInfo { Source = source.Clone() } : null;
        return plain;
    }

    private static string? Label(Resource resource, string key)
    {
        var reservation = resource.Reservations.Count > 0 ? resource.Reservations[^1] : resource.Reservation;
        if (reservation?.Labels is null)
        {
            return null;
        }

        // Indexed: a RepeatedField's enumerator is an object, and every offer, claim and footprint reads labels.
        var labels = reservation.Labels.Labels_;
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i].Key == key)
            {
                return labels[i].HasValue ? labels[i].Value : string.Empty;
            }
        }

        return null;
    }
}

/// <summary>Who reserves: our role, principal and framework id.</summary>
/// <param name="Role">The role reservations are made for: the service role, or a pod's refined role (<see cref="ForPreReserved"/>).</param>
public sealed record ReservationContext(string Role, string Principal, string FrameworkId)
{
    /// <summary>The role whose static reservations are refined (<c>*</c>: unreserved resources are reserved).</summary>
    public string PreReservedRole { get; init; } = "*";

    /// <summary>
    /// How a pod of pre-reserved role <paramref name="preReservedRole"/> reserves: this context for <c>*</c>, else with the
    /// refined role <c>&lt;pre-reserved&gt;/&lt;service role&gt;</c> (DC/OS <c>ResourceBuilder</c>) on top of the static one.
    /// </summary>
    public ReservationContext ForPreReserved(string preReservedRole) =>
        preReservedRole == PreReservedRole ? this
        : this with { Role = Mesos.FrameworkRoles.PodRole(preReservedRole, ServiceRole), PreReservedRole = preReservedRole };

    /// <summary>The service role (<see cref="Role"/> of a context not refined).</summary>
    public string ServiceRole => PreReservedRole == "*" ? Role : Role[(PreReservedRole.Length + 1)..];
}
