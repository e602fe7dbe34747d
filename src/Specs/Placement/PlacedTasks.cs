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
    private readonly Dictionary<(PlacementField Field, string? PodType), ValueView> _views = new();

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

    /// <summary>Makes room for <paramref name="instances"/> placed instances at once (not through ever larger arrays).</summary>
    public void EnsureCapacity(int instances) => _byInstance.EnsureCapacity(instances);

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
            if (field.ValueOf(task.Agent) is { } value)
            {
                view.Remove(value, podInstance);
            }
        }

        return true;
    }

    /// <summary>
    /// The distinct pod instances in scope (<paramref name="podType"/>'s, or all when null) per value of
    /// <paramref name="field"/>; agents without a value are left out. A live view: do not change it.
    /// </summary>
    internal IReadOnlyDictionary<string, SortedSet<string>> InstancesByValue(PlacementField field, string? podType) => View(field, podType).ByValue;

    /// <summary>
    /// How many instances in scope (<paramref name="podType"/>'s, or all when null) are placed where <paramref name="field"/>
    /// is <paramref name="value"/>, leaving <paramref name="excluding"/> out: a lookup.
    /// </summary>
    public int CountAt(PlacementField field, string? podType, string value, string? excluding = null) =>
        View(field, podType).ByValue.TryGetValue(value, out var instances)
            ? instances.Count - (excluding is not null && instances.Contains(excluding) ? 1 : 0)
            : 0;

    /// <summary>
    /// How many values of <paramref name="field"/> hold instances in scope, and the fewest any of them holds (0 when
    /// none does), leaving <paramref name="excluding"/> out: a lookup, however many values there are.
    /// </summary>
    internal (int Values, int Least) Spread(PlacementField field, string? podType, string? excluding)
    {
        var view = View(field, podType);
        var values = view.ByValue.Count;
        if (values == 0)
        {
            return (0, 0);
        }

        var least = view.Counts.Min;
        if (excluding is null || !_byInstance.TryGetValue(excluding, out var self) || field.ValueOf(self.Agent) is not { } at
            || !view.ByValue.TryGetValue(at, out var instances) || !instances.Contains(excluding))
        {
            return (values, least);
        }

        // Without the pod being placed, its value holds one instance fewer (and none: it is no longer in use).
        var count = instances.Count;
        if (count == 1 && --values == 0)
        {
            return (0, 0);
        }

        if (count == least && view.ValuesWithCount[count] == 1)
        {
            // Its value was the only least used one: the next count up, unless it keeps instances (then fewer still).
            return (values, count > 1 ? count - 1 : view.Counts.GetViewBetween(count + 1, int.MaxValue).Min);
        }

        return (values, count > 1 ? Math.Min(least, count - 1) : least);
    }

    private ValueView View(PlacementField field, string? podType)
    {
        if (!_views.TryGetValue((field, podType), out var view))
        {
            view = new ValueView();
            foreach (var task in _byInstance.Values)
            {
                Add(view, field, podType, task);
            }

            _views[(field, podType)] = view;
        }

        return view;
    }

    private static void Add(ValueView view, PlacementField field, string? podType, PlacedTask task)
    {
        if (field.ValueOf(task.Agent) is { } value && PodScope.Includes(podType, task.PodInstanceName))
        {
            view.Add(value, task.PodInstanceName);
        }
    }

    /// <summary>One field's values in one scope: the instances at each, and how many values hold each count.</summary>
    private sealed class ValueView
    {
        public Dictionary<string, SortedSet<string>> ByValue { get; } = new(StringComparer.Ordinal);

        /// <summary>Values by the number of instances they hold (counts above 0 only).</summary>
        public Dictionary<int, int> ValuesWithCount { get; } = new();

        /// <summary>The counts some value holds, in order: the least used value's count is the first.</summary>
        public SortedSet<int> Counts { get; } = new();

        public void Add(string value, string instance)
        {
            if (!ByValue.TryGetValue(value, out var instances))
            {
                ByValue[value] = instances = new SortedSet<string>(StringComparer.Ordinal);
            }

            if (instances.Add(instance))
            {
                Move(instances.Count - 1, instances.Count);
            }
        }

        public void Remove(string value, string instance)
        {
            if (!ByValue.TryGetValue(value, out var instances) || !instances.Remove(instance))
            {
                return;
            }

            Move(instances.Count + 1, instances.Count);
            if (instances.Count == 0)
            {
                ByValue.Remove(value);
            }
        }

        private void Move(int from, int to)
        {
            if (from > 0 && --ValuesWithCount[from] == 0)
            {
                ValuesWithCount.Remove(from);
                Counts.Remove(from);
            }

            if (to > 0)
            {
                ValuesWithCount[to] = ValuesWithCount.GetValueOrDefault(to) + 1;
                Counts.Add(to);
            }
        }
    }
}
