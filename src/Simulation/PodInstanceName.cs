namespace ActorScheduler.Simulation;

/// <summary>
/// Pod instance names (<c>&lt;podType&gt;-&lt;index&gt;</c>, e.g. <c>web-0</c>) and the names built on them (steps such as
/// <c>web-0:[server]</c>), matched by pod type: pod <c>web</c> does not match <c>web-admin-0</c>.
/// </summary>
internal static class PodInstanceName
{
    /// <summary><paramref name="name"/> is an instance of <paramref name="podType"/>: <c>&lt;podType&gt;-&lt;digits&gt;</c>.</summary>
    public static bool IsInstanceOf(string name, string podType) => IndexEnd(name, podType) == name.Length;

    /// <summary>
    /// <paramref name="name"/> is an instance of <paramref name="podType"/> or names something of one: <c>&lt;podType&gt;-&lt;digits&gt;</c>
    /// followed by the end or <c>:</c> (a step name).
    /// </summary>
    public static bool IsOf(string name, string podType) =>
        IndexEnd(name, podType) is var end and > 0 && (end == name.Length || name[end] == ':');

    /// <summary>Where the digits after <c>&lt;podType&gt;-</c> end in <paramref name="name"/>; -1 when it does not start so.</summary>
    private static int IndexEnd(string name, string podType)
    {
        var start = podType.Length + 1;
        if (name.Length <= start || !name.StartsWith(podType, StringComparison.Ordinal) || name[podType.Length] != '-')
        {
            return -1;
        }

        var end = start;
        while (end < name.Length && char.IsAsciiDigit(name[end]))
        {
            end++;
        }

        return end > start ? end : -1;
    }
}
