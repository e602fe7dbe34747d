namespace ActorScheduler.Actors;

/// <summary>
/// A timer of <see cref="SchedulerMetrics"/> (a Dropwizard <c>Timer</c>, as DC/OS <c>offers.process</c>): how many
/// durations were recorded and their sum since the process started, and the distribution of the last
/// <see cref="Window"/> of them. Thread-safe.
/// </summary>
public sealed class MetricTimer
{
    /// <summary>Durations the distribution is taken from: the most recent ones (Dropwizard's reservoir size).</summary>
    public const int Window = 1028;

    private readonly object _lock = new();
    private readonly double[] _recent = new double[Window];
    private int _next;
    private long _count;
    private double _sumSeconds;

    public void Record(TimeSpan duration)
    {
        var seconds = Math.Max(duration.TotalSeconds, 0);
        lock (_lock)
        {
            _recent[_next] = seconds;
            _next = (_next + 1) % Window;
            _count++;
            _sumSeconds += seconds;
        }
    }

    public TimerSnapshot Snapshot()
    {
        double[] recent;
        long count;
        double sum;
        lock (_lock)
        {
            count = _count;
            sum = _sumSeconds;
            recent = _recent[..(int)Math.Min(count, Window)];
        }

        Array.Sort(recent);
        return new TimerSnapshot(count, sum, recent);
    }

    /// <summary>The nearest-rank percentile of <paramref name="sorted"/> (ascending): the smallest value with at least
    /// <paramref name="p"/> of the values at or below it; 0 when there are none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>A <see cref="MetricTimer"/> at one moment, in seconds.</summary>
/// <param name="Count">Durations recorded since the process started.</param>
/// <param name="SumSeconds">Their sum.</param>
/// <param name="Recent">The last (at most <see cref="MetricTimer.Window"/>) durations, ascending.</param>
public sealed record TimerSnapshot(long Count, double SumSeconds, IReadOnlyList<double> Recent)
{
    /// <summary>The quantiles served (Dropwizard's p50 … p999), over <see cref="Recent"/>.</summary>
    public static readonly IReadOnlyList<(string Name, double Quantile)> Quantiles =
        [("p50", 0.5), ("p75", 0.75), ("p95", 0.95), ("p98", 0.98), ("p99", 0.99), ("p999", 0.999)];

    public double Min => Recent.Count == 0 ? 0 : Recent[0];

    public double Max => Recent.Count == 0 ? 0 : Recent[^1];

    public double Mean => Recent.Count == 0 ? 0 : Recent.Average();

    public double Percentile(double p) => MetricTimer.Percentile(Recent, p);
}
