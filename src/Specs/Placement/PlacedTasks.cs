namespace ActorScheduler.Specs.Placement;

/// <summary>
/// Where the service's pod instances are placed, indexed for the counting rules (MAX_PER, UNIQUE, GROUP_BY): for each
/// field and pod-type scope a rule asks about, the distinct instances per field value. A view is built the first time
/// it is asked for and then kept up to date as instances are placed, moved or removed, so a rule's evaluation costs
/// a lookup, not a pass over every placed task (which made a 2,000-pod storm with a MAX_PER rule place ~50 pods a
/// second). Mutable and not thread-safe: one owner (the offer router) updates it between evaluations.
/// </summary>
public sealed class PlacedTasks
{
    private readonly Dictionary<string, PlacedTask> _byInstance = new(StringComparer.Ordinal);
    private readonly Dictionary<(PlacementField Field, string? PodType), Dictionary<string, SortedSet<string>>> _views = new();

    public PlacedTasks()
    {
    }

    public PlacedTasks(IEnumerable<PlacedTask> tasks)
    {
        foreach (var task in tasks)
        {
            Set(task);
        }
    }

    /// <summary>Placed pod instances.</summary>
    public int Count => _byInstance.Count;

    /// <summary>Every placed instance, in no particular order.</summary>
    public IEnumerable<PlacedTask> All => _byInstance.Values;

    public bool TryGet(string podInstance, out PlacedTask task) => _byInstance.TryGetValue(podInstance, out task!);

    /// <summary>Places <paramref name="task"/>'s pod instance (moving it if it was placed elsewhere).</summary>
    public void Set(PlacedTask task)
    {
        Remove(task.PodInstanceName);
        _byInstance[task.PodInstanceName] = task;
        foreach (var ((field, podType), view) in _views)
        {
            Add(view, field, podType, task);
        }
    }

    /// <summary>Forgets the pod instance's placement; false when it had none.</summary>
    public bool Remove(string podInstance)
    {
        if (!_byInstance.Remove(podInstance, out var task))
        {
            return false;
        }

        foreach (var ((field, _), view) in _views)
        {
            if (field.ValueOf(task.Agent) is { } value && view.TryGetValue(value, out var instances) && instances.Remove(podInstance) && instances.Count == 0)
            {
                view.Remove(value);
            }
        }

        return true;
    }

    /// <summary>
    /// The distinct pod instances in scope (<paramref name="podType"/>'s, or all when null) per value of
    /// <paramref name="field"/>; agents without a value are left out. A live view: do not change it.
    /// </summary>
    internal IReadOnlyDictionary<string, SortedSet<string>> InstancesByValue(PlacementField field, string? podType)
    {
        if (!_views.TryGetValue((field, podType), out var view))
        {
            view = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            foreach (var task in _byInstance.Values)
            {
                Add(view, field, podType, task);
            }

            _views[(field, podType)] = view;
        }

        return view;
    }

    private static void Add(Dictionary<string, SortedSet<string>> view, PlacementField field, string? podType, PlacedTask task)
    {
        if (field.ValueOf(task.Agent) is not { } value || !PodScope.Includes(podType, task.PodInstanceName))
        {
            return;
        }

        if (!view.TryGetValue(value, out var instances))
        {
            view[value] = instances = new SortedSet<string>(StringComparer.Ordinal);
        }

        instances.Add(task.PodInstanceName);
    }
}
