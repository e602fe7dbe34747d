using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Pods;
using TaskStatus = ActorScheduler.Messages.MesosV1.TaskStatus;

namespace ActorScheduler.Hosting.Tests.Api;

public sealed class DebugViewsTests
{
    private static readonly ReservationContext Reservation = new("hello-world-role", "hello-world-principal", "fw-1");

    [Fact]
    public void Reservations_list_each_reserved_resource_once_with_its_id_owner_and_value()
    {
        var cpus = Resources.Reserved("cpus", 0.5, Reservation, "hello-resources");
        var port = Resources.ReservedPort(31005, "http", Reservation, "hello-resources");
        var executorMem = Resources.Reserved("mem", 32, Reservation, Resources.ExecutorOwner);
        var task = new TaskInfo
        {
            Name = "hello-0-server",
            TaskId = new TaskID { Value = "hello-0-server__1" },
            AgentId = new AgentID { Value = "agent-1" },
            Resources = { cpus, port, Resources.Scalar("disk", 5) },
            Executor = new ExecutorInfo { Resources = { executorMem } },
        };
        var pod = new PodInstanceInfo("hello-0", [new PodTaskInfo(task, null), new PodTaskInfo(task, null)], "host-1");

        var view = Assert.Single(DebugViews.Reservations([pod]));

        Assert.Equal(("hello-0", "agent-1", "host-1"), (view.Pod, view.Agent, view.Hostname));
        Assert.Equal(3, view.Resources.Count);
        Assert.Contains(view.Resources, r => r is { Name: "cpus", Value: "0.5", Owner: "hello-resources", Role: "hello-world-role" } && r.ResourceId == Resources.ResourceId(cpus));
        Assert.Contains(view.Resources, r => r is { Name: "ports", Value: "31005" });
        Assert.Contains(view.Resources, r => r is { Name: "mem", Value: "32" } && r.Owner == Resources.ExecutorOwner);
    }

    [Fact]
    public void Task_statuses_show_the_latest_state_or_staging_before_any_update()
    {
        var launched = new TaskInfo { Name = "world-0-server", TaskId = new TaskID { Value = "world-0-server__1" }, AgentId = new AgentID { Value = "agent-2" } };
        var failed = new TaskInfo { Name = "hello-0-server", TaskId = new TaskID { Value = "hello-0-server__1" }, AgentId = new AgentID { Value = "agent-1" } };
        var status = new TaskStatus { TaskId = failed.TaskId, State = TaskState.TaskFailed, Message = "exit 3", Reason = TaskStatus.Types.Reason.CommandExecutorFailed, Healthy = false };
        ImmutableArray<PodInstanceInfo> pods =
        [
            new("world-0", [new PodTaskInfo(launched, null)]),
            new("hello-0", [new PodTaskInfo(failed, status)]),
        ];

        var views = DebugViews.TaskStatuses(pods);

        Assert.Equal(["hello-0", "world-0"], views.Select(v => v.Pod));
        Assert.Equal(new TaskStatusView("hello-0", "hello-0-server", "hello-0-server__1", "TASK_FAILED", false, "CommandExecutorFailed", "exit 3", "agent-1"), views[0]);
        Assert.Equal("TASK_STAGING", views[1].State);
        Assert.Null(views[1].Healthy);
    }

    [Fact]
    public void A_plan_selection_names_the_pods_of_its_steps_by_name_or_id()
    {
        var plan = new ActorScheduler.Messages.Plans.PlanInfo("deploy", ActorScheduler.Messages.Plans.Status.Complete, "serial",
        [
            new("p1", "hello", ActorScheduler.Messages.Plans.Status.Complete, "serial", [new("s1", "hello-0:[server]", ActorScheduler.Messages.Plans.Status.Complete, "")]),
            new("p2", "world", ActorScheduler.Messages.Plans.Status.Complete, "serial",
            [
                new("s2", "world-0:[server]", ActorScheduler.Messages.Plans.Status.Complete, ""),
                new("s3", "world-1:[server]", ActorScheduler.Messages.Plans.Status.Complete, ""),
            ]),
        ], []);

        Assert.Equal(["hello-0", "world-0", "world-1"], DebugViews.PodsOf(plan, null, null).Pods!.Order());
        Assert.Equal(["world-0", "world-1"], DebugViews.PodsOf(plan, "p2", null).Pods!.Order());
        Assert.Equal(["world-1"], DebugViews.PodsOf(plan, "world", "s3").Pods!);
        Assert.Equal("Phase nope not found in plan deploy", DebugViews.PodsOf(plan, "nope", null).NotFound);
        Assert.Equal("Step hello-0:[server] not found in plan deploy", DebugViews.PodsOf(plan, "world", "hello-0:[server]").NotFound);
    }

    [Fact]
    public void Task_zones_come_from_the_pods_agents_and_leave_out_pods_without_a_zone()
    {
        TaskInfo Task(string name) => new() { Name = name, TaskId = new TaskID { Value = name + "__1" } };
        ImmutableArray<PodInstanceInfo> pods =
        [
            new("web-0", [new PodTaskInfo(Task("web-0-server"), null), new PodTaskInfo(Task("web-0-sidecar"), null)], "h1", "zone-b", "us-east"),
            new("web-1", [new PodTaskInfo(Task("web-1-server"), null)], "h2"),
        ];

        var zones = DebugViews.TaskZones(pods);

        Assert.Equal(new Dictionary<string, string> { ["web-0-server"] = "zone-b", ["web-0-sidecar"] = "zone-b" }, zones);
    }
}
