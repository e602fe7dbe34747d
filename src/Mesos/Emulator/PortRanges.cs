namespace ActorScheduler.Mesos.Emulator;

/// <summary>Inclusive port ranges, kept sorted and disjoint.</summary>
internal static class PortRanges
{
    public static List<(ulong Begin, ulong End)> Subtract(IEnumerable<(ulong Begin, ulong End)> from, IEnumerable<(ulong Begin, ulong End)> take)
    {
        var result = from.OrderBy(r => r.Begin).ToList();
        foreach (var (b, e) in take)
        {
            var next = new List<(ulong, ulong)>();
            foreach (var (rb, re) in result)
            {
                if (e < rb || b > re)
                {
                    next.Add((rb, re));
                    continue;
                }

                if (rb < b)
                {
                    next.Add((rb, b - 1));
                }

                if (re > e)
                {
                    next.Add((e + 1, re));
                }
            }

            result = next;
        }

        return result;
    }

    /// <summary>Every port of <paramref name="wanted"/> lies in <paramref name="available"/>.</summary>
    public static bool Covers(IEnumerable<(ulong Begin, ulong End)> available, IEnumerable<(ulong Begin, ulong End)> wanted)
    {
        var list = available.ToList();
        return wanted.All(w => list.Any(a => a.Begin <= w.Begin && w.End <= a.End));
    }
}
