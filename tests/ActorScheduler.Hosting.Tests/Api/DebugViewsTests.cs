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
    public void A_plan_without_phases_or_a_phase_without_steps_selects_no_pods_rather_than_not_found()
    {
        // A healthy recovery plan has no phases; a phase of a pod with count 0 has no steps.
        var recovery = new ActorScheduler.Messages.Plans.PlanInfo("recovery", ActorScheduler.Messages.Plans.Status.Complete, "serial", [], []);
        var deploy = new ActorScheduler.Messages.Plans.PlanInfo("deploy", ActorScheduler.Messages.Plans.Status.Complete, "serial",
            [new("p1", "hello", ActorScheduler.Messages.Plans.Status.Complete, "serial", [])], []);

        Assert.Equal((0, null), (DebugViews.PodsOf(recovery, null, null).Pods?.Count, DebugViews.PodsOf(recovery, null, null).NotFound));
        Assert.Equal((0, null), (DebugViews.PodsOf(deploy, "hello", null).Pods?.Count, DebugViews.PodsOf(deploy, "hello", null).NotFound));
        Assert.Equal((0, null), (DebugViews.PodsOf(deploy, null, null).Pods?.Count, DebugViews.PodsOf(deploy, null, null).NotFound));
        // What was asked for and is not there is still not found.
        Assert.Equal("Phase hello not found in plan recovery", DebugViews.PodsOf(recovery, "hello", null).NotFound);
        Assert.Equal("Step hello-0:[server] not found in plan deploy", DebugViews.PodsOf(deploy, "hello", "hello-0:[server]").NotFound);
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

    [Fact]
    public void The_zone_of_a_pod_on_an_agent_is_found_by_pod_type_or_instance_and_by_hostname_or_task_ip()
    {
        static PodInstanceInfo Pod(string name, string host, string? zone, string? ip = null)
        {
            var status = new TaskStatus { TaskId = new TaskID { Value = $"{name}-server__1" }, State = TaskState.TaskRunning };
            if (ip is not null)
            {
                status.ContainerStatus = new ContainerStatus { NetworkInfos = { new NetworkInfo { IpAddresses = { new NetworkInfo.Types.IPAddress { IpAddress = ip } } } } };
            }

            return new PodInstanceInfo(name, [new PodTaskInfo(new TaskInfo { Name = $"{name}-server" }, status)], host, zone);
        }

        var pods = new[] { Pod("world-0", "127.0.0.1", "zone-1"), Pod("world-1", "127.0.0.2", "zone-2", ip: "10.0.0.7"), Pod("hello-0", "127.0.0.3", null) };

        Assert.Equal("zone-2", DebugViews.ZoneOf(pods, "world", "127.0.0.2"));
        Assert.Equal("zone-2", DebugViews.ZoneOf(pods, "world-1", "10.0.0.7"));
        Assert.Equal("zone-1", DebugViews.ZoneOf(pods, "world", "127.0.0.1"));
        Assert.Null(DebugViews.ZoneOf(pods, "world-0", "127.0.0.2")); // world-0 is not on that agent
        Assert.Null(DebugViews.ZoneOf(pods, "hello", "127.0.0.3"));   // no zone there
        Assert.Null(DebugViews.ZoneOf(pods, "nope", "127.0.0.1"));
    }

    [Fact]
    public void The_threads_dump_shows_the_process_the_thread_pool_and_the_actor_system()
    {
        var runtime = new ActorScheduler.Actors.SchedulerRuntime(
            "actorscheduler",
            TimeSpan.FromSeconds(75),
            [new ActorScheduler.Actors.DispatcherInfo("default-dispatcher", "fork-join-executor", 30)],
            ["config-store", "mesos", "pods"],
            3);

        var text = DebugViews.Threads(runtime, ProcessRuntime.Now());

        Assert.Matches(@"^process \d+: up \d+\.\d\d:\d\d:\d\d, \d+ OS threads, managed heap [\d.]+ MiB, GC gen0/1/2 \d+/\d+/\d+\n", text);
        Assert.Matches(@"\nthread pool: \d+ threads \(min \d+, max \d+\), \d+ work items queued, \d+ completed\n", text);
        Assert.Contains("actor system actorscheduler: up 0.00:01:15\n  dispatcher default-dispatcher: fork-join-executor, throughput 30\n", text);
        Assert.Contains("  scheduler root children (3): config-store, mesos, pods\n  pod instance actors: 3\nOS threads (id, state, cpu time):\n  ", text);
    }
}
