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
    public void Prometheus_text_names_counters_and_gauges_with_their_type()
    {
        var metrics = new SchedulerMetrics();
        metrics.Increment(SchedulerMetrics.OffersDeclined, 2);
        var text = MetricsSnapshot.Of(metrics.Counters(), [Plan("deploy", Status.Pending)], reconciled: false).ToPrometheus();

        Assert.Contains("# TYPE actorscheduler_offers_declined_total counter\nactorscheduler_offers_declined_total 2\n", text);
        Assert.Contains("# TYPE actorscheduler_plan_status_deploy gauge\nactorscheduler_plan_status_deploy 1\n", text);
        Assert.Contains("actorscheduler_reconciliation_complete 0\n", text);
    }

    [Fact]
    public void Json_has_the_dropwizard_shape()
    {
        var metrics = new SchedulerMetrics();
        metrics.Increment(SchedulerMetrics.Launches);
        var json = JsonSerializer.Serialize(MetricsSnapshot.Of(metrics.Counters(), [], reconciled: true).ToJson());

        Assert.Equal("""{"counters":{"launches":{"count":1}},"gauges":{"reconciliation.complete":{"value":1}}}""", json);
    }
}
