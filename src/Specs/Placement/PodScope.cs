namespace ActorScheduler.Specs.Placement;

/// <summary>Which placed tasks a counting rule counts: those of one pod type, or all of the service's when null.</summary>
internal static class PodScope
{
    /// <summary>True when <paramref name="podInstanceName"/> is <c>&lt;podType&gt;-&lt;index&gt;</c>.</summary>
    public static bool Includes(string? podType, string podInstanceName)
    {
        if (podType is null)
        {
            return true;
        }

        return podInstanceName.Length > podType.Length + 1 &&
               podInstanceName.StartsWith(podType, StringComparison.Ordinal) &&
               podInstanceName[podType.Length] == '-' &&
               !podInstanceName.AsSpan(podType.Length + 1).ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>Distinct pod instances in scope per field value (agents without the value are left out).</summary>
    public static Dictionary<string, SortedSet<string>> InstancesByValue(PlacementContext context, PlacementField field, string? podType)
    {
        var byValue = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var task in context.PlacedTasks)
        {
            var value = field.ValueOf(task.Agent);
            if (value is null || !Includes(podType, task.PodInstanceName))
            {
                continue;
            }

            if (!byValue.TryGetValue(value, out var instances))
            {
                instances = new SortedSet<string>(StringComparer.Ordinal);
                byValue[value] = instances;
            }

            instances.Add(task.PodInstanceName);
        }

        return byValue;
    }
}
