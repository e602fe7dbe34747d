using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Tests.Support;

/// <summary>Builders for resources and operations in the pre-refinement wire format.</summary>
internal static class Resources
{
    public static Resource Scalar(string name, double value, string? role = null, string? principal = null, params (string Key, string Value)[] labels)
    {
        var r = new Resource { Name = name, Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = value } };
        if (role is not null)
        {
            r.Role = role;
            r.Reservation = new Resource.Types.ReservationInfo();
            if (principal is not null)
            {
                r.Reservation.Principal = principal;
            }

            if (labels.Length > 0)
            {
                r.Reservation.Labels = new Labels();
                r.Reservation.Labels.Labels_.AddRange(labels.Select(l => new Label { Key = l.Key, Value = l.Value }));
            }
        }

        return r;
    }

    public static Resource Ports((ulong Begin, ulong End) range, string? role = null, params (string Key, string Value)[] labels)
    {
        var r = Scalar("ports", 0, role, null, labels);
        r.Type = Value.Types.Type.Ranges;
        r.Scalar = null;
        r.Ranges = new Value.Types.Ranges { Range = { new Value.Types.Range { Begin = range.Begin, End = range.End } } };
        return r;
    }

    /// <summary>A persistent volume on <paramref name="reservedDisk"/>, keeping its <c>disk.source</c> (a MOUNT disk's).</summary>
    public static Resource Volume(Resource reservedDisk, string persistenceId, string containerPath)
    {
        var v = reservedDisk.Clone();
        v.Disk = new Resource.Types.DiskInfo
        {
            Persistence = new Resource.Types.DiskInfo.Types.Persistence { Id = persistenceId },
            Volume = new ActorScheduler.Messages.MesosV1.Volume { ContainerPath = containerPath, Mode = ActorScheduler.Messages.MesosV1.Volume.Types.Mode.Rw },
            Source = reservedDisk.Disk?.Source?.Clone(),
        };
        return v;
    }

    /// <summary>A disk resource of the MOUNT disk at <paramref name="root"/>, of <paramref name="sizeMb"/> MB (whole or not).</summary>
    public static Resource MountDisk(string root, double sizeMb, string? role = null, params (string Key, string Value)[] labels)
    {
        var disk = Scalar("disk", sizeMb, role, null, labels);
        disk.Disk = new Resource.Types.DiskInfo
        {
            Source = new Resource.Types.DiskInfo.Types.Source
            {
                Type = Resource.Types.DiskInfo.Types.Source.Types.Type.Mount,
                Mount = new Resource.Types.DiskInfo.Types.Source.Types.Mount { Root = root },
            },
        };
        return disk;
    }

    /// <summary>The operation with <c>id</c> set: it asks for operation feedback.</summary>
    public static Offer.Types.Operation WithId(this Offer.Types.Operation operation, string id)
    {
        operation.Id = new OperationID { Value = id };
        return operation;
    }

    public static Offer.Types.Operation Reserve(params Resource[] resources)
    {
        var op = new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Reserve, Reserve = new Offer.Types.Operation.Types.Reserve() };
        op.Reserve.Resources.AddRange(resources);
        return op;
    }

    public static Offer.Types.Operation Unreserve(params Resource[] resources)
    {
        var op = new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Unreserve, Unreserve = new Offer.Types.Operation.Types.Unreserve() };
        op.Unreserve.Resources.AddRange(resources);
        return op;
    }

    public static Offer.Types.Operation Create(params Resource[] volumes)
    {
        var op = new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Create, Create = new Offer.Types.Operation.Types.Create() };
        op.Create.Volumes.AddRange(volumes);
        return op;
    }

    public static Offer.Types.Operation Launch(params TaskInfo[] tasks)
    {
        var op = new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Launch, Launch = new Offer.Types.Operation.Types.Launch() };
        op.Launch.TaskInfos.AddRange(tasks);
        return op;
    }

    public static Offer.Types.Operation LaunchGroup(ExecutorInfo executor, params TaskInfo[] tasks)
    {
        var op = new Offer.Types.Operation
        {
            Type = Offer.Types.Operation.Types.Type.LaunchGroup,
            LaunchGroup = new Offer.Types.Operation.Types.LaunchGroup { Executor = executor, TaskGroup = new TaskGroupInfo() },
        };
        op.LaunchGroup.TaskGroup.Tasks.AddRange(tasks);
        return op;
    }

    public static TaskInfo CommandTask(string id, Offer offer, string command, params Resource[] resources)
    {
        var task = new TaskInfo
        {
            Name = id,
            TaskId = new TaskID { Value = id },
            AgentId = offer.AgentId,
            Command = new CommandInfo { Value = command },
        };
        task.Resources.AddRange(resources.Length > 0 ? resources : [Scalar("cpus", 0.1), Scalar("mem", 32)]);
        return task;
    }

    public static ExecutorInfo DefaultExecutor(string id, params Resource[] resources)
    {
        var executor = new ExecutorInfo { Type = ExecutorInfo.Types.Type.Default, ExecutorId = new ExecutorID { Value = id } };
        executor.Resources.AddRange(resources.Length > 0 ? resources : [Scalar("cpus", 0.1), Scalar("mem", 32)]);
        return executor;
    }

    public static double ScalarOf(Offer offer, string name, Func<Resource, bool>? predicate = null) =>
        offer.Resources.Where(r => r.Name == name && (predicate is null || predicate(r))).Sum(r => r.Scalar.Value);
}
