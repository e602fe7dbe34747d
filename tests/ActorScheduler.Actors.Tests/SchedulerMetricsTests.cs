using System.Collections.Immutable;
using System.Text.Json;
using ActorScheduler.Messages.Plans;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests;

public sealed class SchedulerMetricsTests
{
    private static PlanInfo Plan(string name, Status status, params Status[] steps) => new(
        name,
        status,
        "serial",
        [new PhaseInfo("p", "phase", status, "serial", steps.Select((s, i) => new StepInfo($"s{i}", $"step-{i}", s, string.Empty)).ToImmutableArray())],
        []);

    [Fact]
    public void Counters_add_up_and_gauges_show_plan_and_step_statuses_and_reconciliation()
    {
        var metrics = new SchedulerMetrics();
        metrics.Increment(SchedulerMetrics.OffersReceived, 3);
        metrics.Increment(SchedulerMetrics.OffersReceived);
        metrics.Increment(SchedulerMetrics.Operation("launch_group"));
        metrics.Increment(SchedulerMetrics.TaskStatus("TASK_RUNNING"));

        var snapshot = MetricsSnapshot.Of(
            metrics.Counters(),
            [Plan("deploy", Status.Complete, Status.Complete, Status.Complete), Plan("decommission", Status.InProgress, Status.Complete, Status.Starting), Plan("backup", Status.Error)],
            reconciled: true);

        Assert.Equal(4, snapshot.Counters["offers.received"]);
        Assert.Equal(1, snapshot.Counters["operation.launch_group"]);
        Assert.Equal(1, snapshot.Counters["task_status.task_running"]);
        Assert.Equal(0, snapshot.Gauges["plan_status.deploy"]);
        Assert.Equal(2, snapshot.Gauges["plan_status.decommission"]);
        Assert.Equal(-1, snapshot.Gauges["plan_status.backup"]);
        Assert.Equal(3, snapshot.Gauges["steps.status.complete"]);
        Assert.Equal(1, snapshot.Gauges["steps.status.starting"]);
        Assert.Equal(1, snapshot.Gauges["reconciliation.complete"]);
    }

    [Fact]
    public void The_offers_in_the_routers_hand_are_gauges_when_given()
    {
        var metrics = new SchedulerMetrics();

        var withHand = MetricsSnapshot.Of(metrics.Counters(), [], reconciled: true, offersInHand: (6, 2));
        var without = MetricsSnapshot.Of(metrics.Counters(), [], reconciled: true);

        Assert.Equal((6.0, 2.0), (withHand.Gauges["offers.kept_now"], withHand.Gauges["offers.claimed_now"]));
        Assert.Contains("actorscheduler_offers_kept_now 6", withHand.ToPrometheus());
        Assert.False(without.Gauges.ContainsKey("offers.kept_now"));
    }

    [Fact]
    public void Prometheus_text_names_counters_and_gauges_with_their_type()
    {
        var metrics = new SchedulerMetrics();
        metrics.Increment(SchedulerMetrics.OffersDeclined, 2);
        var text = MetricsSnapshot.Of(metrics.Counters(), [Plan("deploy", Status.Pending)], reconciled: false).ToPrometheus();

        Assert.Contains("# TYPE actorscheduler_offers_declined_total counter\nactorscheduler_offers_declined_total 2\n", text);
        Assert.Contains("# TYPE actorscheduler_plan_status gauge\nactorscheduler_plan_status{plan=\"deploy\"} 1\n", text);
        Assert.Contains("actorscheduler_reconciliation_complete 0\n", text);
    }

    [Fact]
    public void Prometheus_text_has_one_family_for_plans_whose_names_differ_by_dash_and_underscore()
    {
        var text = MetricsSnapshot.Of(ImmutableSortedDictionary<string, long>.Empty, [Plan("back-up", Status.Error), Plan("back_up", Status.Complete)], reconciled: true).ToPrometheus();

        var typeLines = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).ToList();
        Assert.Equal(typeLines.Count, typeLines.Distinct().Count());
        Assert.Contains("actorscheduler_plan_status{plan=\"back-up\"} -1\n", text);
        Assert.Contains("actorscheduler_plan_status{plan=\"back_up\"} 0\n", text);
    }

    [Fact]
    public void Json_has_the_dropwizard_shape()
    {
        var metrics = new SchedulerMetrics();
        metrics.Increment(SchedulerMetrics.Launches);
        var json = JsonSerializer.Serialize(MetricsSnapshot.Of(metrics.Counters(), [], reconciled: true).ToJson());

        Assert.Equal("""{"counters":{"launches":{"count":1}},"gauges":{"is_suppressed":{"value":0},"reconciliation.complete":{"value":1}},"timers":{}}""", json);
    }

    [Fact]
    public void A_timer_counts_and_sums_everything_and_takes_its_distribution_from_the_latest_durations()
    {
        var metrics = new SchedulerMetrics();
        for (var ms = 1; ms <= 100; ms++)
        {
            metrics.Record(SchedulerMetrics.OffersProcess, TimeSpan.FromMilliseconds(ms));
        }

        var timer = metrics.Timers()[SchedulerMetrics.OffersProcess];
        Assert.Equal(100, timer.Count);
        Assert.Equal(5.05, timer.SumSeconds, 9);
        Assert.Equal((0.001, 0.1, 0.0505), (timer.Min, timer.Max, Math.Round(timer.Mean, 9)));
        Assert.Equal((0.05, 0.095, 0.099), (timer.Percentile(0.5), timer.Percentile(0.95), timer.Percentile(0.99)));

        // Past the window, the oldest durations leave the distribution but not the count or the sum.
        for (var i = 0; i < MetricTimer.Window; i++)
        {
            metrics.Record(SchedulerMetrics.OffersProcess, TimeSpan.FromSeconds(1));
        }

        timer = metrics.Timers()[SchedulerMetrics.OffersProcess];
        Assert.Equal(100 + MetricTimer.Window, timer.Count);
        Assert.Equal(5.05 + MetricTimer.Window, timer.SumSeconds, 6);
        Assert.Equal((1.0, 1.0), (timer.Min, timer.Percentile(0.5)));
    }

    [Fact]
    public void Timers_are_served_as_dropwizard_timers_and_prometheus_summaries_in_seconds()
    {
        var metrics = new SchedulerMetrics();
        metrics.Record(SchedulerMetrics.OffersProcess, TimeSpan.FromMilliseconds(250));
        metrics.Record(SchedulerMetrics.OffersProcess, TimeSpan.FromMilliseconds(750));
        var snapshot = MetricsSnapshot.Of(metrics.Counters(), [], reconciled: true, suppressed: true, metrics.Timers());

        var json = JsonDocument.Parse(JsonSerializer.Serialize(snapshot.ToJson())).RootElement;
        var timer = json.GetProperty("timers").GetProperty("offers.process");
        Assert.Equal(2, timer.GetProperty("count").GetInt64());
        Assert.Equal(0.25, timer.GetProperty("p50").GetDouble());
        Assert.Equal(0.75, timer.GetProperty("p99").GetDouble());
        Assert.Equal(0.5, timer.GetProperty("mean").GetDouble());
        Assert.Equal("seconds", timer.GetProperty("duration_units").GetString());
        Assert.Equal(1, json.GetProperty("gauges").GetProperty("is_suppressed").GetProperty("value").GetDouble());

        var text = snapshot.ToPrometheus();
        Assert.Contains("# TYPE actorscheduler_offers_process_seconds summary\n", text);
        Assert.Contains("actorscheduler_offers_process_seconds{quantile=\"0.5\"} 0.25\n", text);
        Assert.Contains("actorscheduler_offers_process_seconds{quantile=\"0.99\"} 0.75\n", text);
        Assert.Contains("actorscheduler_offers_process_seconds_sum 1\nactorscheduler_offers_process_seconds_count 2\n", text);
        Assert.Contains("actorscheduler_is_suppressed 1\n", text);
    }
}
