using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorScheduler.Actors;
using ActorScheduler.Hosting.Metrics;
using ActorScheduler.Messages.Plans;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorScheduler.Hosting.Tests.Metrics;

public sealed class StatsDTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void The_target_comes_from_the_sdk_variables_with_a_ten_second_default()
    {
        Assert.Null(StatsDTarget.FromEnvironment(Env(), out var none));
        Assert.Null(none);

        var target = StatsDTarget.FromEnvironment(Env(("STATSD_UDP_HOST", "metrics.local"), ("STATSD_UDP_PORT", "8125")), out var error);
        Assert.Null(error);
        Assert.Equal(new StatsDTarget("metrics.local", 8125, TimeSpan.FromSeconds(10)), target);

        var every = StatsDTarget.FromEnvironment(Env(("STATSD_UDP_HOST", "h"), ("STATSD_UDP_PORT", "1"), ("STATSD_POLL_INTERVAL_S", "0.5")), out _);
        Assert.Equal(TimeSpan.FromMilliseconds(500), every!.Interval);
    }

    [Theory]
    [InlineData("h", null, null, "STATSD_UDP_PORT is not set, but STATSD_UDP_HOST is: StatsD needs both")]
    [InlineData(null, "8125", null, "STATSD_UDP_HOST is not set, but STATSD_UDP_PORT is: StatsD needs both")]
    [InlineData("h", "eighty", null, "STATSD_UDP_PORT expects a UDP port number 1–65535, got 'eighty'")]
    [InlineData("h", "0", null, "STATSD_UDP_PORT expects a UDP port number 1–65535, got '0'")]
    [InlineData("h", "70000", null, "STATSD_UDP_PORT expects a UDP port number 1–65535, got '70000'")]
    [InlineData("h", "-1", null, "STATSD_UDP_PORT expects a UDP port number 1–65535, got '-1'")]
    [InlineData("h", "8125", "0", "STATSD_POLL_INTERVAL_S expects a number of seconds above 0 (at most 86400), got '0'")]
    [InlineData("h", "8125", "soon", "STATSD_POLL_INTERVAL_S expects a number of seconds above 0 (at most 86400), got 'soon'")]
    public void A_bad_variable_is_one_clear_error(string? host, string? port, string? interval, string expected)
    {
        var variables = new List<(string, string)>();
        if (host is not null) variables.Add(("STATSD_UDP_HOST", host));
        if (port is not null) variables.Add(("STATSD_UDP_PORT", port));
        if (interval is not null) variables.Add(("STATSD_POLL_INTERVAL_S", interval));

        Assert.Null(StatsDTarget.FromEnvironment(Env([.. variables]), out var error));
        Assert.Equal(expected, error);
    }

    private static MetricsSnapshot Snapshot()
    {
        var metrics = new SchedulerMetrics();
        metrics.Increment(SchedulerMetrics.OffersReceived, 12);
        metrics.Record(SchedulerMetrics.OffersProcess, TimeSpan.FromMilliseconds(20));
        metrics.Record(SchedulerMetrics.OffersProcess, TimeSpan.FromMilliseconds(40));
        return MetricsSnapshot.Of(metrics.Counters(), [], reconciled: true, suppressed: false, metrics.Timers());
    }

    [Fact]
    public void Counters_gauges_and_timers_are_gauges_as_the_sdk_reporter_sent_them()
    {
        var lines = StatsDFormat.Lines(Snapshot()).ToList();

        Assert.Equal(
            [
                "offers.received.count:12|g",
                "is_suppressed:0|g",
                "reconciliation.complete:1|g",
                "offers.process.count:2|g",
                "offers.process.min:20|g",
                "offers.process.max:40|g",
                "offers.process.mean:30|g",
                "offers.process.p50:20|g",
                "offers.process.p75:40|g",
                "offers.process.p95:40|g",
                "offers.process.p98:40|g",
                "offers.process.p99:40|g",
                "offers.process.p999:40|g",
            ],
            lines);
    }

    [Fact]
    public void A_negative_gauge_is_reset_to_zero_first_in_the_same_datagram()
    {
        var snapshot = MetricsSnapshot.Of(ImmutableSortedDictionary<string, long>.Empty, [ErroredPlan("deploy")], reconciled: true);

        var line = Assert.Single(StatsDFormat.Lines(snapshot), l => l.Contains("plan_status.deploy"));
        Assert.Equal("plan_status.deploy:0|g\nplan_status.deploy:-1|g", line);

        // Packed tight, the pair still shares a datagram.
        var datagrams = StatsDFormat.Datagrams(["a:1|g", line], maxBytes: 30);
        Assert.Contains(datagrams, d => Encoding.UTF8.GetString(d) == line);
    }

    private static PlanInfo ErroredPlan(string name) =>
        new(name, Status.Error, "serial", [], ["refused"], false);

    [Fact]
    public void Lines_are_packed_into_datagrams_that_fit_the_limit()
    {
        var lines = Enumerable.Range(0, 100).Select(i => $"metric.{i:D3}:{i}|g").ToList(); // 15–16 bytes each

        var datagrams = StatsDFormat.Datagrams(lines, maxBytes: 100);

        Assert.All(datagrams, d => Assert.InRange(d.Length, 1, 100));
        Assert.Equal(lines, datagrams.SelectMany(d => Encoding.UTF8.GetString(d).Split('\n')).ToList());
        Assert.True(datagrams.Count is >= 16 and <= 20, $"{datagrams.Count} datagrams");
        // A line longer than the limit goes alone.
        var alone = StatsDFormat.Datagrams([new string('x', 150), "a:1|g"], maxBytes: 100);
        Assert.Equal(2, alone.Count);
    }

    [Fact]
    public async Task The_publisher_sends_the_snapshot_every_interval_and_survives_a_failed_read()
    {
        using var listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)listener.Client.LocalEndPoint!).Port;
        var reads = 0;
        var publisher = new StatsDPublisher(
            new StatsDTarget("127.0.0.1", port, TimeSpan.FromMilliseconds(50)),
            _ => ++reads == 1 ? throw new InvalidOperationException("not started yet") : Task.FromResult<MetricsSnapshot?>(Snapshot()),
            NullLogger<StatsDPublisher>.Instance);

        await publisher.StartAsync(CancellationToken.None);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var received = await listener.ReceiveAsync(timeout.Token);
            var text = Encoding.UTF8.GetString(received.Buffer);
            Assert.StartsWith("offers.received.count:12|g\n", text);
            Assert.Contains("offers.process.p99:40|g", text);
            Assert.True(reads >= 2);
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
        }
    }
}
