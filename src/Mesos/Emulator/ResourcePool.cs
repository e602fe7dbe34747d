using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// A bag of resources in internal form with Mesos arithmetic: resources of the same shape (name, type,
/// reservations, disk info, ...) merge; scalars add (fixed point, 3 decimals), ranges and sets union. A MOUNT disk
/// is indivisible: it is contained in (and subtracted from) a pool only whole.
/// Pure and not thread-safe.
/// </summary>
internal sealed class ResourcePool
{
    internal const double Epsilon = 0.0005;

    // Merged resources by shape (the key is the merged resource itself: its shape never changes, only its value).
    private readonly Dictionary<Resource, Resource> _entries = new(ShapeComparer.Instance);

    public ResourcePool()
    {
    }

    public ResourcePool(IEnumerable<Resource> resources)
    {
        AddAll(resources);
    }

    public bool IsEmpty => _entries.Count == 0;

    /// <summary>Changes every time the pool's content changes (never otherwise): a cache of what it held compares it.</summary>
    public long Version { get; private set; }

    public IReadOnlyCollection<Resource> Resources => _entries.Values;

    public ResourcePool Clone() => new(_entries.Values);

    public List<Resource> ToList() => _entries.Values.Select(r => r.Clone()).ToList();

    public void AddAll(IEnumerable<Resource> resources)
    {
        foreach (var r in resources)
        {
            Add(r);
        }
    }

    public void Add(Resource resource) => Add(resource, owned: false);

    /// <summary>
    /// <see cref="Add"/> of a resource nobody else holds (a <see cref="ResourceFormat.CopyValue"/> made for this pool):
    /// a new shape takes it as its entry instead of a copy of it.
    /// </summary>
    public void AddOwned(Resource resource) => Add(resource, owned: true);

    public void AddAllOwned(IEnumerable<Resource> resources)
    {
        foreach (var r in resources)
        {
            Add(r, owned: true);
        }
    }

    /// <summary>
    /// This pool less <paramref name="used"/>, saturating (as <see cref="SubtractSaturating(Resource)"/> of each on a
    /// <see cref="Clone"/>): scalars other than MOUNT disks are summed by shape first, so an entry they use up — each
    /// reservation a task holds, on an agent running dozens — is never copied.
    /// </summary>
    public ResourcePool MinusSaturating(IEnumerable<IReadOnlyList<Resource>> used)
    {
        var usedScalars = new Dictionary<Resource, double>(ShapeComparer.Instance);
        List<Resource>? others = null;
        foreach (var resources in used)
        {
            for (var i = 0; i < resources.Count; i++)
            {
                var r = resources[i];
                if (r.Type == Value.Types.Type.Scalar && r.Scalar is not null && !ResourceFormat.IsMountDisk(r))
                {
                    ref var sum = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(usedScalars, r, out _);
                    sum = Round(sum + r.Scalar.Value);
                }
                else
                {
                    (others ??= []).Add(r);
                }
            }
        }

        var left = new ResourcePool();
        foreach (var entry in _entries.Values)
        {
            if (!usedScalars.TryGetValue(entry, out var sum))
            {
                left.Add(entry);
                continue;
            }

            var value = Round(entry.Scalar.Value - sum);
            if (value > Epsilon)
            {
                var part = ResourceFormat.CopyValue(entry);
                part.Scalar.Value = value;
                left.AddOwned(part);
            }
        }

        if (others is not null)
        {
            left.SubtractSaturating(others);
        }

        return left;
    }

    private void Add(Resource resource, bool owned)
    {
        if (IsEmptyValue(resource))
        {
            return;
        }

        Version++;
        if (!_entries.TryGetValue(resource, out var existing))
        {
            var merged = Normalize(owned ? resource : ResourceFormat.CopyValue(resource));
            _entries[merged] = merged;
            return;
        }

        switch (existing.Type)
        {
            case Value.Types.Type.Scalar:
                existing.Scalar.Value = Round(existing.Scalar.Value + resource.Scalar.Value);
                break;
            case Value.Types.Type.Ranges:
                existing.Ranges = RangeMath.Union(existing.Ranges, resource.Ranges);
                break;
            case Value.Types.Type.Set:
                var items = existing.Set.Item.Union(resource.Set.Item).ToList();
                existing.Set.Item.Clear();
                existing.Set.Item.AddRange(items);
                break;
            default:
                break;
        }
    }

    public bool Contains(Resource resource)
    {
        if (IsEmptyValue(resource))
        {
            return true;
        }

        if (!_entries.TryGetValue(resource, out var existing))
        {
            return false;
        }

        return existing.Type switch
        {
            // A MOUNT disk is indivisible (Mesos: only an equal MOUNT disk is contained in one).
            Value.Types.Type.Scalar when ResourceFormat.IsMountDisk(existing) => Math.Abs(existing.Scalar.Value - resource.Scalar.Value) <= Epsilon,
            Value.Types.Type.Scalar => existing.Scalar.Value + Epsilon >= resource.Scalar.Value,
            Value.Types.Type.Ranges => RangeMath.Contains(existing.Ranges, resource.Ranges),
            Value.Types.Type.Set => resource.Set.Item.All(existing.Set.Item.Contains),
            _ => true,
        };
    }

    public bool ContainsAll(IEnumerable<Resource> resources)
    {
        // Draws the resources from what is left of just the entries they take from (an agent's pool holds an entry per
        // reservation; an ACCEPT asks for a few of them): a scalar's amount by entry, other values from copies.
        Dictionary<Resource, double>? scalarsLeft = null;
        ResourcePool? drawn = null;
        HashSet<Resource>? copied = null;
        foreach (var r in resources)
        {
            if (IsEmptyValue(r))
            {
                continue;
            }

            if (!_entries.TryGetValue(r, out var entry))
            {
                return false;
            }

            if (entry.Type == Value.Types.Type.Scalar && !ResourceFormat.IsMountDisk(entry))
            {
                // As TrySubtract on a copy would: contained within epsilon, then rounded; an entry drawn down to nothing
                // is gone for the resources after (-1: contains nothing).
                scalarsLeft ??= new Dictionary<Resource, double>(ReferenceEqualityComparer.Instance);
                ref var left = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(scalarsLeft, entry, out var drawnBefore);
                if (!drawnBefore)
                {
                    left = entry.Scalar.Value;
                }

                if (left + Epsilon < r.Scalar.Value)
                {
                    return false;
                }

                left = Round(left - r.Scalar.Value);
                if (left <= Epsilon)
                {
                    left = -1;
                }

                continue;
            }

            drawn ??= new ResourcePool();
            copied ??= new HashSet<Resource>(ShapeComparer.Instance);
            if (copied.Add(r))
            {
                drawn.Add(entry);
            }

            // A copied entry that is gone from the draw was used up by the resources before.
            if (!drawn.TrySubtract(r))
            {
                return false;
            }
        }

        return true;
    }

    public bool ContainsAll(ResourcePool other) => ContainsAll(other.Resources);

    /// <summary>Subtracts when contained; returns false and leaves the pool untouched otherwise.</summary>
    public bool TrySubtract(Resource resource)
    {
        if (!Contains(resource))
        {
            return false;
        }

        if (IsEmptyValue(resource))
        {
            return true;
        }

        Version++;
        var existing = _entries[resource];
        switch (existing.Type)
        {
            case Value.Types.Type.Scalar:
                existing.Scalar.Value = Round(existing.Scalar.Value - resource.Scalar.Value);
                break;
            case Value.Types.Type.Ranges:
                existing.Ranges = RangeMath.Subtract(existing.Ranges, resource.Ranges);
                break;
            case Value.Types.Type.Set:
                var left = existing.Set.Item.Except(resource.Set.Item).ToList();
                existing.Set.Item.Clear();
                existing.Set.Item.AddRange(left);
                break;
            default:
                break;
        }

        if (IsEmptyValue(existing))
        {
            _entries.Remove(existing);
        }

        return true;
    }

    /// <summary>Subtracts what is there (saturating), for bookkeeping that must not fail.</summary>
    public void SubtractSaturating(Resource resource)
    {
        if (TrySubtract(resource) || IsEmptyValue(resource))
        {
            return;
        }

        if (!_entries.TryGetValue(resource, out var existing))
        {
            return;
        }

        var part = ResourceFormat.CopyValue(resource);
        switch (existing.Type)
        {
            case Value.Types.Type.Scalar:
                part.Scalar.Value = Math.Min(existing.Scalar.Value, resource.Scalar.Value);
                break;
            case Value.Types.Type.Ranges:
                part.Ranges = RangeMath.Intersect(existing.Ranges, resource.Ranges);
                break;
            case Value.Types.Type.Set:
                var common = existing.Set.Item.Intersect(resource.Set.Item).ToList();
                part.Set.Item.Clear();
                part.Set.Item.AddRange(common);
                break;
            default:
                break;
        }

        TrySubtract(part);
    }

    public void SubtractSaturating(IEnumerable<Resource> resources)
    {
        foreach (var r in resources)
        {
            SubtractSaturating(r);
        }
    }

    public double Scalar(string name, Func<Resource, bool>? predicate = null) =>
        _entries.Values
            .Where(r => r.Name == name && r.Type == Value.Types.Type.Scalar && (predicate is null || predicate(r)))
            .Sum(r => r.Scalar.Value);

    public long RangeCount(string name, Func<Resource, bool>? predicate = null) =>
        _entries.Values
            .Where(r => r.Name == name && r.Type == Value.Types.Type.Ranges && (predicate is null || predicate(r)))
            .Sum(r => r.Ranges.Range.Sum(x => (long)(x.End - x.Begin + 1)));

    /// <summary>
    /// Resources merge when they have the same shape: everything but the value (scalar, ranges, set) and the allocation
    /// info. Compared field by field on the resources themselves, so a lookup allocates nothing.
    /// </summary>
    internal sealed class ShapeComparer : IEqualityComparer<Resource>
    {
        public static ShapeComparer Instance { get; } = new();

        public bool Equals(Resource? x, Resource? y) =>
            ReferenceEquals(x, y)
            || (x is not null && y is not null
                && x.Name == y.Name
                && x.Type == y.Type
                && x.Role == y.Role
                && Equals(x.ProviderId, y.ProviderId)
                && Equals(x.Reservation, y.Reservation)
                && x.Reservations.Equals(y.Reservations)
                && Equals(x.Disk, y.Disk)
                && Equals(x.Revocable, y.Revocable)
                && Equals(x.Shared, y.Shared));

        // Of the reservations, only what tells them apart in practice: how many, the innermost role, and its labels'
        // values (a scheduler's resource id among them). Equal shapes still hash equal; the rest of each reservation
        // (principal, label keys, ...) is left to Equals, instead of hashing every string of it per lookup.
        public int GetHashCode(Resource r)
        {
            var hash = new HashCode();
            hash.Add(r.Name);
            hash.Add(r.Type);
            hash.Add(r.Role);
            hash.Add(r.Reservations.Count);
            if (r.Reservations.Count > 0 && r.Reservations[^1] is { } last)
            {
                hash.Add(last.Role);
                if (last.Labels is { } labels)
                {
                    // By index: a RepeatedField's enumerator is an allocated iterator.
                    for (var i = 0; i < labels.Labels_.Count; i++)
                    {
                        hash.Add(labels.Labels_[i].Value);
                    }
                }
            }

            hash.Add(r.Disk?.GetHashCode() ?? 0);
            return hash.ToHashCode();
        }
    }

    private static Resource Normalize(Resource r)
    {
        if (r.Type == Value.Types.Type.Scalar)
        {
            r.Scalar.Value = Round(r.Scalar.Value);
        }
        else if (r.Type == Value.Types.Type.Ranges)
        {
            r.Ranges = RangeMath.Union(new Value.Types.Ranges(), r.Ranges);
        }

        return r;
    }

    private static bool IsEmptyValue(Resource r) => r.Type switch
    {
        Value.Types.Type.Scalar => r.Scalar is null || r.Scalar.Value <= Epsilon,
        Value.Types.Type.Ranges => r.Ranges is null || r.Ranges.Range.Count == 0,
        Value.Types.Type.Set => r.Set is null || r.Set.Item.Count == 0,
        _ => false,
    };

    internal static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);
}
