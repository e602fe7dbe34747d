using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Pods;

/// <summary>
/// How a <see cref="TaskLaunchRecorded"/> holds the pod's footprint: most of it is the executor's and the launched
/// tasks' own resources, already in the event, so the event lists the footprint's resource ids in order and writes out
/// only the entries found nowhere else (a launch journals ~1 KB less of its ~2.6 KB). Pure.
/// </summary>
public static class LaunchFootprint
{
    /// <summary>Sets the footprint of <paramref name="launch"/> (its executor and tasks already set).</summary>
    public static void Write(TaskLaunchRecorded launch, IReadOnlyList<Resource> footprint)
    {
        var written = WrittenResources(launch);
        var order = new List<string>(footprint.Count);
        var rest = new List<Resource>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in footprint)
        {
            // Every entry needs an id of its own to be named; otherwise the footprint goes out whole, as it always did.
            if (Resources.ResourceId(resource) is not { } id || !ids.Add(id))
            {
                launch.Footprint.Clear();
                launch.FootprintOrder.Clear();
                launch.Footprint.AddRange(footprint);
                return;
            }

            order.Add(id);
            if (!(written.TryGetValue(id, out var same) && same.Equals(resource)))
            {
                rest.Add(resource);
            }
        }

        launch.FootprintOrder.AddRange(order);
        launch.Footprint.AddRange(rest);
    }

    /// <summary>The footprint <see cref="Write"/> recorded (or the whole <c>footprint</c> of an event without an order).</summary>
    /// <exception cref="InvalidOperationException">An id of the order names no resource of the event.</exception>
    public static ImmutableArray<Resource> Read(TaskLaunchRecorded launch)
    {
        if (launch.FootprintOrder.Count == 0)
        {
            return launch.Footprint.ToImmutableArray();
        }

        var byId = WrittenResources(launch);
        foreach (var resource in launch.Footprint)
        {
            if (Resources.ResourceId(resource) is { } id)
            {
                byId[id] = resource;
            }
        }

        var footprint = ImmutableArray.CreateBuilder<Resource>(launch.FootprintOrder.Count);
        foreach (var id in launch.FootprintOrder)
        {
            footprint.Add(byId.TryGetValue(id, out var resource)
                ? resource
                : throw new InvalidOperationException($"The launch on offer {launch.OfferId} names footprint resource {id}, which it does not hold"));
        }

        return footprint.MoveToImmutable();
    }

    /// <summary>The executor's and the task infos' resources, by resource id.</summary>
    private static Dictionary<string, Resource> WrittenResources(TaskLaunchRecorded launch)
    {
        // Sized for them and the footprint's own entries (Read adds those): a launch's few resources, no resizing.
        var count = launch.Footprint.Count + (launch.Executor?.Resources.Count ?? 0);
        foreach (var task in launch.Tasks)
        {
            count += task.TaskInfo?.Resources.Count ?? 0;
        }

        var byId = new Dictionary<string, Resource>(count, StringComparer.Ordinal);
        if (launch.Executor is { } executor)
        {
            Add(executor.Resources);
        }

        foreach (var task in launch.Tasks)
        {
            if (task.TaskInfo is { } info)
            {
                Add(info.Resources);
            }
        }

        return byId;

        void Add(Google.Protobuf.Collections.RepeatedField<Resource> resources)
        {
            for (var i = 0; i < resources.Count; i++)
            {
                if (Resources.ResourceId(resources[i]) is { } id)
                {
                    byId.TryAdd(id, resources[i]);
                }
            }
        }
    }
}
