namespace ActorScheduler.Messages.MesosV1;

/// <summary>Inclusive uint64 range arithmetic for <c>ports</c>-like resources (the emulator's agents and the offer evaluator).</summary>
public static class RangeMath
{
    public static List<(ulong Begin, ulong End)> Normalize(IEnumerable<Value.Types.Range> ranges)
    {
        var sorted = ranges.Select(r => (Begin: Math.Min(r.Begin, r.End), End: Math.Max(r.Begin, r.End)))
            .OrderBy(r => r.Begin)
            .ToList();
        var merged = new List<(ulong Begin, ulong End)>();
        foreach (var r in sorted)
        {
            if (merged.Count > 0 && (merged[^1].End == ulong.MaxValue || r.Begin <= merged[^1].End + 1))
            {
                merged[^1] = (merged[^1].Begin, Math.Max(merged[^1].End, r.End));
            }
            else
            {
                merged.Add(r);
            }
        }

        return merged;
    }

    public static Value.Types.Ranges ToRanges(IEnumerable<(ulong Begin, ulong End)> ranges)
    {
        var result = new Value.Types.Ranges();
        result.Range.AddRange(ranges.Select(r => new Value.Types.Range { Begin = r.Begin, End = r.End }));
        return result;
    }

    public static Value.Types.Ranges Union(Value.Types.Ranges a, Value.Types.Ranges b) =>
        ToRanges(Normalize(a.Range.Concat(b.Range)));

    public static bool Contains(Value.Types.Ranges outer, Value.Types.Ranges inner)
    {
        var o = Normalize(outer.Range);
        return Normalize(inner.Range).All(i => o.Any(x => x.Begin <= i.Begin && i.End <= x.End));
    }

    public static Value.Types.Ranges Subtract(Value.Types.Ranges a, Value.Types.Ranges b)
    {
        var result = Normalize(a.Range);
        foreach (var cut in Normalize(b.Range))
        {
            var next = new List<(ulong Begin, ulong End)>();
            foreach (var r in result)
            {
                if (cut.End < r.Begin || cut.Begin > r.End)
                {
                    next.Add(r);
                    continue;
                }

                if (cut.Begin > r.Begin)
                {
                    next.Add((r.Begin, cut.Begin - 1));
                }

                if (cut.End < r.End)
                {
                    next.Add((cut.End + 1, r.End));
                }
            }

            result = next;
        }

        return ToRanges(result);
    }

    public static Value.Types.Ranges Intersect(Value.Types.Ranges a, Value.Types.Ranges b)
    {
        var left = Normalize(a.Range);
        var result = new List<(ulong Begin, ulong End)>();
        foreach (var r in Normalize(b.Range))
        {
            foreach (var l in left)
            {
                var begin = Math.Max(l.Begin, r.Begin);
                var end = Math.Min(l.End, r.End);
                if (begin <= end)
                {
                    result.Add((begin, end));
                }
            }
        }

        return ToRanges(Normalize(result.Select(x => new Value.Types.Range { Begin = x.Begin, End = x.End })));
    }
}
