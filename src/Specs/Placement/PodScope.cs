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
}
