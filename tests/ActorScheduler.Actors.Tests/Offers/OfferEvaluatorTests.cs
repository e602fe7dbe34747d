using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class OfferEvaluatorTests
{
    [Fact]
    public void A_new_footprint_reserves_creates_volumes_then_launches_in_that_order()
    {
        var pod = TestOffers.HelloPod();
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.Equal(
            [Offer.Types.Operation.Types.Type.Reserve, Offer.Types.Operation.Types.Type.Create, Offer.Types.Operation.Types.Type.LaunchGroup],
            evaluation.Operations.Select(o => o.Type));
        Assert.True(evaluation.NewFootprint);

        var reserved = evaluation.Operations[0].Reserve.Resources;
        Assert.All(reserved, r => Assert.NotNull(Resources.ResourceId(r)));
        Assert.Equal(reserved.Count, reserved.Select(Resources.ResourceId).Distinct().Count());
        Assert.Equal(0.1 + 0.5, reserved.Where(r => r.Name == "cpus").Sum(Resources.Scalar), 6);

        var volume = Assert.Single(evaluation.Operations[1].Create.Volumes);
        Assert.Equal("data", volume.Disk.Volume.ContainerPath);
        Assert.Equal(Volume.Types.Mode.Rw, volume.Disk.Volume.Mode);
    }

    [Fact]
    public void Launched_tasks_carry_the_dcos_environment_labels_and_their_volume()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context);
        var task = Assert.Single(evaluation.Tasks).Info;

        Assert.Equal("hello-0-server", task.Name);
        Assert.StartsWith("hello-0-server__", task.TaskId.Value);
        Assert.Equal("config-1", TaskInfoBuilder.TargetConfiguration(task));
        var env = task.Command.Environment.Variables.ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal("hello-0-server", env["TASK_NAME"]);
        Assert.Equal("0", env["POD_INSTANCE_INDEX"]);
        Assert.Equal("hello-world", env["FRAMEWORK_NAME"]);
        Assert.Equal("8080", env["SCHEDULER_API_PORT"]);
        Assert.Equal("1000", env["SLEEP_DURATION"]);
        Assert.Contains(task.Resources, r => Resources.PersistenceId(r) is not null);
        Assert.Equal(ExecutorInfo.Types.Type.Default, evaluation.Executor!.Type);
    }

    [Fact]
    public void A_task_carries_its_spec_labels_and_kill_grace_period_and_the_scheduler_keeps_its_own_labels()
    {
        var pod = TestOffers.HelloPod();
        pod = pod with
        {
            Tasks = [pod.Tasks[0] with { Labels = [new("team", "payments"), new("index", "7")], KillGracePeriodSeconds = 10 }],
        };

        var task = Assert.Single(OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), TestOffers.Context).Tasks).Info;

        Assert.Equal("payments", task.Labels.Labels_.Single(l => l.Key == "team").Value);
        Assert.Equal("0", task.Labels.Labels_.Single(l => l.Key == "index").Value);
        Assert.Equal(10_000_000_000L, task.KillPolicy.GracePeriod.Nanoseconds);
        Assert.Null(Assert.Single(OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Tasks).Info.KillPolicy);
    }

    [Fact]
    public void What_the_scheduler_sets_in_the_environment_wins_over_the_spec_env()
    {
        var pod = TestOffers.HelloPod();
        pod = pod with { Tasks = [pod.Tasks[0] with { Env = [new("POD_INSTANCE_INDEX", "spec"), new("TASK_NAME", "spec"), new("MINE", "kept")] }] };

        var task = Assert.Single(OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), TestOffers.Context).Tasks).Info;

        var env = task.Command.Environment.Variables.ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal(("0", "hello-0-server", "kept"), (env["POD_INSTANCE_INDEX"], env["TASK_NAME"], env["MINE"]));
    }

    [Fact]
    public void A_task_on_an_agent_with_a_fault_domain_and_attributes_carries_them_in_its_environment_and_labels()
    {
        var offer = TestOffers.Unreserved();
        offer.Attributes.Add(new Messages.MesosV1.Attribute { Name = "rack", Type = Value.Types.Type.Text, Text = new Value.Types.Text { Value = "r1" } });
        offer.Attributes.Add(new Messages.MesosV1.Attribute { Name = "cores", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 8 } });
        offer.Domain = new DomainInfo
        {
            FaultDomain = new DomainInfo.Types.FaultDomain
            {
                Region = new DomainInfo.Types.FaultDomain.Types.RegionInfo { Name = "eu" },
                Zone = new DomainInfo.Types.FaultDomain.Types.ZoneInfo { Name = "eu-1a" },
            },
        };
        var zoned = TestOffers.HelloPod() with { Placement = ActorScheduler.Specs.Placement.PlacementRuleParser.Parse("[[\"@zone\", \"GROUP_BY\", \"2\"]]", "hello").Rule };

        var plain = Assert.Single(OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), offer, TestOffers.Context).Tasks).Info;
        var spread = Assert.Single(OfferEvaluator.Evaluate(TestOffers.Requirement(zoned), offer, TestOffers.Context).Tasks).Info;

        static Dictionary<string, string> Env(TaskInfo task) => task.Command.Environment.Variables.ToDictionary(v => v.Name, v => v.Value);
        static Dictionary<string, string> Labels(TaskInfo task) => task.Labels.Labels_.ToDictionary(l => l.Key, l => l.Value);
        Assert.Equal(("eu", "eu-1a", "false", "false"), (Env(plain)["REGION"], Env(plain)["ZONE"], Env(plain)["PLACEMENT_REFERENCED_REGION"], Env(plain)["PLACEMENT_REFERENCED_ZONE"]));
        Assert.Equal(("false", "true"), (Env(spread)["PLACEMENT_REFERENCED_REGION"], Env(spread)["PLACEMENT_REFERENCED_ZONE"]));
        Assert.Equal(("eu-1a", "eu", "rack:r1;cores:8"), (Labels(plain)["offer_zone"], Labels(plain)["offer_region"], Labels(plain)["offer_attributes"]));

        // An agent without a domain or attributes: no zone or region, no such labels.
        var bare = Assert.Single(OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Tasks).Info;
        Assert.False(Env(bare).ContainsKey("ZONE") || Env(bare).ContainsKey("REGION"));
        Assert.Equal("false", Env(bare)["PLACEMENT_REFERENCED_ZONE"]);
        Assert.DoesNotContain(bare.Labels.Labels_, l => l.Key is "offer_zone" or "offer_region" or "offer_attributes");
    }

    [Fact]
    public void Each_instance_s_task_carries_its_own_values_and_a_plan_parameter_overrides_the_spec_for_its_tasks_only()
    {
        // Variables and labels shared between task infos (one object for a value every task carries) must never carry
        // one task's values into another's.
        var pod = TestOffers.HelloPod();
        var plain = TestOffers.Requirement(pod) with { Index = 1, ConfigId = "config-2" };
        var overridden = TestOffers.Requirement(pod) with { Index = 2, Parameters = ImmutableDictionary<string, string>.Empty.Add("SLEEP_DURATION", "5") };
        var tasks = new[] { TestOffers.Requirement(pod), plain, overridden, TestOffers.Requirement(pod) with { Index = 3 } }
            .Select(r => Assert.Single(OfferEvaluator.Evaluate(r, TestOffers.Unreserved(), TestOffers.Context).Tasks).Info)
            .ToList();

        static Dictionary<string, string> Env(TaskInfo task) => task.Command.Environment.Variables.ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal(["0", "1", "2", "3"], tasks.Select(t => Env(t)["POD_INSTANCE_INDEX"]));
        Assert.Equal(["hello-0-server", "hello-1-server", "hello-2-server", "hello-3-server"], tasks.Select(t => Env(t)["TASK_NAME"]));
        Assert.Equal(["1000", "1000", "5", "1000"], tasks.Select(t => Env(t)["SLEEP_DURATION"]));
        Assert.Equal(["config-1", "config-2", "config-1", "config-1"], tasks.Select(TaskInfoBuilder.TargetConfiguration));
        Assert.All(tasks, t => Assert.Equal("hello-world.autoip.dcos.thisdcos.directory", Env(t)["FRAMEWORK_HOST"]));
        // A variable every task carries alike is one object, not one a task (a task's own values are its own).
        static Messages.MesosV1.Environment.Types.Variable Variable(TaskInfo task, string name) => task.Command.Environment.Variables.Single(v => v.Name == name);
        Assert.All(tasks, t => Assert.Same(Variable(tasks[0], "FRAMEWORK_HOST"), Variable(t, "FRAMEWORK_HOST")));
        Assert.NotSame(Variable(tasks[0], "TASK_NAME"), Variable(tasks[3], "TASK_NAME"));
        Assert.Equal(["0", "1", "2", "3"], tasks.Select(t => t.Labels.Labels_.Single(l => l.Key == TaskInfoBuilder.IndexLabel).Value));
    }

    [Fact]
    public void Health_and_readiness_checks_run_with_the_task_s_own_environment_object()
    {
        var environment = new Messages.MesosV1.Environment { Variables = { new Messages.MesosV1.Environment.Types.Variable { Name = "A", Value = "1" } } };

        var health = TaskInfoBuilder.HealthCheck(new HealthCheckSpec("true"), environment);
        var readiness = TaskInfoBuilder.ReadinessCheck(new ReadinessCheckSpec("true"), environment);

        Assert.Same(environment, health.Command.Environment);
        Assert.Same(environment, readiness.Command.Command_.Environment);
    }

    [Fact]
    public void Too_few_cpus_fail_with_the_amounts_in_the_reason()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod(cpus: 2)), TestOffers.Unreserved(cpus: 1), TestOffers.Context);

        Assert.False(evaluation.Passed);
        Assert.Empty(evaluation.Operations);
        Assert.Contains("Offer lacks sufficient unreserved 'cpus' for new reservation: 2.1 needed, 1 available", evaluation.FailureReason);
    }

    [Fact]
    public void A_relaunch_consumes_exactly_the_reserved_resource_ids_and_keeps_the_volume()
    {
        var pod = TestOffers.HelloPod();
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);

        var offer = TestOffers.WithReserved("agent-1", first.Footprint);
        var relaunch = OfferEvaluator.Evaluate(TestOffers.Requirement(pod, footprint), offer, TestOffers.Context);

        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        var operation = Assert.Single(relaunch.Operations);
        Assert.Equal(Offer.Types.Operation.Types.Type.LaunchGroup, operation.Type);
        var used = operation.LaunchGroup.TaskGroup.Tasks.SelectMany(t => t.Resources)
            .Concat(operation.LaunchGroup.Executor.Resources)
            .Select(Resources.ResourceId)
            .ToHashSet();
        Assert.True(used.SetEquals(footprint.ResourceIds));
        Assert.Equal(
            Resources.PersistenceId(first.Footprint.Single(r => Resources.PersistenceId(r) is not null)),
            Resources.PersistenceId(relaunch.Tasks[0].Info.Resources.Single(r => Resources.PersistenceId(r) is not null)));
        Assert.NotEqual(first.Tasks[0].Info.TaskId.Value, relaunch.Tasks[0].Info.TaskId.Value);
    }

    [Fact]
    public void A_relaunch_follows_its_reservations_to_an_agent_restarted_on_the_same_host_with_a_new_id()
    {
        var pod = TestOffers.HelloPod();
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);
        var offer = TestOffers.WithReserved("agent-9", first.Footprint);
        offer.Hostname = "agent-1.local";

        var relaunch = OfferEvaluator.Evaluate(TestOffers.Requirement(pod, footprint), offer, TestOffers.Context);

        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        Assert.Contains("PASS(AgentEvaluationStage): offer is from agent-1.local, where hello-0 holds its reservations (its agent agent-1 came back as agent-9)", relaunch.Explanation);
        Assert.Equal("agent-9", relaunch.Tasks[0].Info.AgentId.Value);
    }

    [Fact]
    public void A_relaunch_refuses_offers_from_other_agents_and_offers_missing_a_reservation()
    {
        var pod = TestOffers.HelloPod();
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);

        var elsewhere = OfferEvaluator.Evaluate(TestOffers.Requirement(pod, footprint), TestOffers.Unreserved("agent-2"), TestOffers.Context);
        Assert.False(elsewhere.Passed);
        Assert.Contains("holds its reservations on agent agent-1", elsewhere.FailureReason);

        var partial = OfferEvaluator.Evaluate(TestOffers.Requirement(pod, footprint), TestOffers.WithReserved("agent-1", first.Footprint.Skip(1)), TestOffers.Context);
        Assert.False(partial.Passed);
        Assert.Contains("Offer lacks previously reserved 'cpus' with resourceId", partial.FailureReason);
    }

    private static ActorScheduler.Specs.Model.PodSpec InitAndServer()
    {
        var pod = TestOffers.HelloPod();
        var init = pod.Tasks[0] with { Name = "init", Goal = ActorScheduler.Specs.Model.GoalState.Finish, Cpus = 0.2, Volumes = [] };
        return pod with { Tasks = [init, pod.Tasks[0]] };
    }

    [Fact]
    public void A_first_step_reserves_every_resource_set_of_the_pod_but_launches_only_its_own_task()
    {
        var pod = InitAndServer();
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(pod) with { TasksToLaunch = ["init"] }, TestOffers.Unreserved(), TestOffers.Context);

        Assert.True(first.Passed, string.Join("\n", first.Explanation));
        Assert.Equal(["hello-0-init"], first.Tasks.Select(t => t.Info.Name));
        var owners = first.Footprint.Select(Resources.Owner).Distinct().Order();
        Assert.Equal(["executor", "hello-0-init-resource-set", "hello-0-server-resource-set"], owners);
    }

    [Fact]
    public void A_later_step_needs_only_its_own_reservations_and_joins_the_running_executor()
    {
        var pod = InitAndServer();
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(pod) with { TasksToLaunch = ["init"] }, TestOffers.Unreserved(), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);
        var serverOnly = first.Footprint.Where(r => Resources.Owner(r) == "hello-0-server-resource-set");

        // init still runs: its executor is running and its resources are in use (not offered).
        var joining = OfferEvaluator.Evaluate(
            TestOffers.Requirement(pod, footprint) with { TasksToLaunch = ["server"], RunningExecutor = first.Executor },
            TestOffers.WithReserved("agent-1", serverOnly),
            TestOffers.Context);
        Assert.True(joining.Passed, string.Join("\n", joining.Explanation));
        Assert.Equal(first.Executor!.ExecutorId, joining.Executor!.ExecutorId);
        Assert.Equal(["hello-0-server"], joining.Tasks.Select(t => t.Info.Name));

        // init finished: the executor ended, so its reservations must come back too.
        var alone = OfferEvaluator.Evaluate(
            TestOffers.Requirement(pod, footprint) with { TasksToLaunch = ["server"] },
            TestOffers.WithReserved("agent-1", serverOnly),
            TestOffers.Context);
        Assert.False(alone.Passed);
        Assert.Contains("(executor)", alone.FailureReason);
        Assert.True(OfferEvaluator.Evaluate(
            TestOffers.Requirement(pod, footprint) with { TasksToLaunch = ["server"] },
            TestOffers.WithReserved("agent-1", first.Footprint),
            TestOffers.Context).Passed);
    }
}
