using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ActorScheduler.Actors;
using Akka.Actor;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorScheduler.Hosting.Metrics;

/// <summary>
/// Where <c>run</c> pushes its metrics over StatsD (UDP), as the DC/OS SDK did when its task was given
/// <c>STATSD_UDP_HOST</c> and <c>STATSD_UDP_PORT</c>, every <c>STATSD_POLL_INTERVAL_S</c> seconds (default 10).
/// </summary>
public sealed record StatsDTarget(string Host, int Port, TimeSpan Interval)
{
    /// <summary>Where to push, checked when made (a zero interval would stop the host once the publisher started).</summary>
    public TimeSpan Interval { get; } = Interval > TimeSpan.Zero ? Interval : throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "The push interval must be above 0.");

    public int Port { get; } = Port is >= 1 and <= 65535 ? Port : throw new ArgumentOutOfRangeException(nameof(Port), Port, "A UDP port is 1 to 65535.");

    public const string HostVariable = "STATSD_UDP_HOST";
    public const string PortVariable = "STATSD_UDP_PORT";
    public const string IntervalVariable = "STATSD_POLL_INTERVAL_S";

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The target the environment names; null without one (neither host nor port set) or with an error: a host without a
    /// port or the other way round, a port outside 1–65535, an interval that is not a positive number of seconds.
    /// </summary>
    public static StatsDTarget? FromEnvironment(Func<string, string?> variable, out string? error)
    {
        error = null;
        var (host, port, interval) = (Value(HostVariable), Value(PortVariable), Value(IntervalVariable));
        if (host is null && port is null)
        {
            return null;
        }

        if (host is null || port is null)
        {
            error = $"{(host is null ? HostVariable : PortVariable)} is not set, but {(host is null ? PortVariable : HostVariable)} is: StatsD needs both";
            return null;
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            error = $"{PortVariable} expects a UDP port number 1–65535, got '{port}'";
            return null;
        }

        var every = DefaultInterval;
        if (interval is not null)
        {
            if (!double.TryParse(interval, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > 86_400)
            {
                error = $"{IntervalVariable} expects a number of seconds above 0 (at most 86400), got '{interval}'";
                return null;
            }

            every = TimeSpan.FromSeconds(seconds);
        }

        return new StatsDTarget(host, number, every);

        string? Value(string name) => variable(name) is { Length: > 0 } value ? value.Trim() : null;
    }

    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)} every {Interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
}

/// <summary>
/// The StatsD lines of a metrics snapshot, all gauges as the SDK's Dropwizard StatsD reporter sent them: a counter as
/// <c>&lt;name&gt;.count</c>, a gauge under its name, a timer as <c>&lt;name&gt;.count</c> and its <c>min</c>, <c>max</c>,
/// <c>mean</c> and <c>p50</c> … <c>p999</c> in milliseconds.
/// </summary>
public static class StatsDFormat
{
    /// <summary>Payload bytes per datagram at most: fits an Ethernet MTU with the IP and UDP headers.</summary>
    public const int MaxDatagramBytes = 1432;

    public static IEnumerable<string> Lines(MetricsSnapshot snapshot)
    {
        foreach (var (name, count) in snapshot.Counters)
        {
            yield return Gauge($"{name}.count", count);
        }

        foreach (var (name, value) in snapshot.Gauges)
        {
            yield return Gauge(name, value);
        }

        foreach (var (name, timer) in snapshot.Timers)
        {
            yield return Gauge($"{name}.count", timer.Count);
            yield return Gauge($"{name}.min", 1000 * timer.Min);
            yield return Gauge($"{name}.max", 1000 * timer.Max);
            yield return Gauge($"{name}.mean", 1000 * timer.Mean);
            foreach (var (quantile, q) in TimerSnapshot.Quantiles)
            {
                yield return Gauge($"{name}.{quantile}", 1000 * timer.Percentile(q));
            }
        }
    }

    /// <summary>
    /// The lines packed into datagrams of at most <paramref name="maxBytes"/> (newline-separated; a longer line alone; a
    /// line of two, a negative gauge's, never split).
    /// </summary>
    public static List<byte[]> Datagrams(IEnumerable<string> lines, int maxBytes = MaxDatagramBytes)
    {
        var datagrams = new List<byte[]>();
        var current = new StringBuilder();
        var bytes = 0;
        foreach (var line in lines)
        {
            var lineBytes = Encoding.UTF8.GetByteCount(line);
            if (current.Length > 0 && bytes + 1 + lineBytes > maxBytes)
            {
                datagrams.Add(Encoding.UTF8.GetBytes(current.ToString()));
                current.Clear();
                bytes = 0;
            }

            bytes += (current.Length > 0 ? 1 : 0) + lineBytes;
            current.Append(current.Length > 0 ? "\n" : string.Empty).Append(line);
        }

        if (current.Length > 0)
        {
            datagrams.Add(Encoding.UTF8.GetBytes(current.ToString()));
        }

        return datagrams;
    }

    /// <summary>
    /// A gauge line. StatsD reads a signed gauge value as a change of the gauge, so a negative value (a plan's -1 for
    /// ERROR) is sent as a reset to 0 and then the change, as one unit that stays in one datagram.
    /// </summary>
    private static string Gauge(string name, double value)
    {
        var text = Math.Round(value, 6).ToString("0.######", CultureInfo.InvariantCulture);
        return value < 0 && text != "0" ? $"{name}:0|g\n{name}:{text}|g" : $"{name}:{text}|g";
    }
}

/// <summary>
/// Pushes the scheduler's metrics to a <see cref="StatsDTarget"/> every interval; a failed push is logged and retried at
/// the next; no snapshot (null: a standby node of a cluster, whose scheduler runs elsewhere) pushes nothing.
/// </summary>
public sealed class StatsDPublisher(StatsDTarget target, Func<CancellationToken, Task<MetricsSnapshot?>> metrics, ILogger<StatsDPublisher> log) : BackgroundService
{
    /// <summary>
    /// Reads the metrics from the scheduler root actor <paramref name="scheduler"/> gives, while <paramref name="activeHere"/>
    /// (default: always): a standby node of a cluster does not ask, since its query would cross to the active node as a
    /// message; the active node pushes the metrics.
    /// </summary>
    public static Func<CancellationToken, Task<MetricsSnapshot?>> FromScheduler(Func<IActorRef> scheduler, Func<bool>? activeHere = null) =>
        async ct => activeHere is null || activeHere()
            ? await scheduler().Ask<MetricsSnapshot>(GetMetrics.Instance, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false)
            : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var udp = new UdpClient();
        using var timer = new PeriodicTimer(target.Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if (await metrics(stoppingToken).ConfigureAwait(false) is not { } snapshot)
                    {
                        continue;
                    }

                    foreach (var datagram in StatsDFormat.Datagrams(StatsDFormat.Lines(snapshot)))
                    {
                        await udp.SendAsync(datagram, target.Host, target.Port, stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning("StatsD push to {Target} failed: {Reason}", target, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
