using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Tests.Plans;

/// <summary>Plans from YAML (custom steps, strategies) and the generated deploy plan.</summary>
public sealed class PlanSpecTests
{
    private const string Pods = """
        name: svc
        pods:
          hello:
            count: 3
            tasks:
              init:
                goal: ONCE
                cmd: echo init
                cpus: 0.1
                memory: 32
              server:
                goal: RUNNING
                cmd: echo server
                cpus: 0.1
                memory: 32
          world:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: echo world
                cpus: 0.1
                memory: 32

        """;

    private static ServiceSpec Load(string plans)
    {
        var result = ServiceSpecLoader.LoadRendered(Pods + plans, "svc.yml");
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return result.Spec!;
    }

    private static string[] Errors(string plans) =>
        ServiceSpecLoader.LoadRendered(Pods + plans, "svc.yml").Errors.Select(e => e.ToString()).ToArray();

    [Fact]
    public void Default_deploy_plan_should_have_one_step_per_instance_with_all_tasks_in_declaration_order()
    {
        var plan = Assert.Single(Load("").Plans);

        Assert.Equal("deploy", plan.Name);
        Assert.Equal(["hello", "world"], plan.Phases.Select(p => p.Name));
        Assert.Equal(["hello", "world"], plan.Phases.Select(p => p.Pod));
        Assert.Equal(
            ["hello-0:[init, server]", "hello-1:[init, server]", "hello-2:[init, server]"],
            plan.Phases[0].Steps.Select(s => s.Name));
        Assert.Equal(["init", "server"], plan.Phases[0].Steps[2].Tasks.ToArray());
        Assert.Equal(2, plan.Phases[0].Steps[2].PodIndex);
    }

    [Fact]
    public void Pod_with_count_zero_should_get_a_phase_without_steps()
    {
        var spec = ServiceSpecLoader.LoadRendered(Pods.Replace("count: 1", "count: 0"), "svc.yml").Spec!;

        Assert.Empty(spec.FindPlan("deploy")!.Phases[1].Steps);
    }

    [Fact]
    public void Custom_steps_should_use_index_entries_over_default_and_name_each_step()
    {
        var spec = Load("""
            plans:
              deploy:
                strategy: parallel
                phases:
                  hello-phase:
                    pod: hello
                    strategy: parallel
                    steps:
                      - default: [[init], [server]]
                      - 1: [[init, server]]
                  world-phase:
                    pod: world
            """);

        var plan = Assert.Single(spec.Plans);
        Assert.Equal(StrategyKind.Parallel, plan.Strategy);
        var hello = plan.Phases[0];
        Assert.Equal(("hello-phase", "hello", StrategyKind.Parallel), (hello.Name, hello.Pod, hello.Strategy));
        Assert.Equal(
            ["hello-0:[init]", "hello-0:[server]", "hello-1:[init, server]", "hello-2:[init]", "hello-2:[server]"],
            hello.Steps.Select(s => s.Name));
        Assert.Equal([0, 0, 1, 2, 2], hello.Steps.Select(s => s.PodIndex));
        Assert.Equal(["init", "server"], hello.Steps[2].Tasks.ToArray());
        var world = plan.Phases[1];
        Assert.Equal(("world-phase", StrategyKind.Serial), (world.Name, world.Strategy));
        Assert.Equal(["world-0:[server]"], world.Steps.Select(s => s.Name));
    }

    [Fact]
    public void Custom_steps_should_accept_index_entries_only_when_every_instance_has_one()
    {
        var spec = Load("""
            plans:
              deploy:
                phases:
                  p:
                    pod: hello
                    steps:
                      - 2: [[server]]
                      - 0: [[server]]
                      - 1: [[init]]
            """);

        Assert.Equal(["hello-0:[server]", "hello-1:[init]", "hello-2:[server]"], spec.Plans[0].Phases[0].Steps.Select(s => s.Name));
    }

    [Theory]
    [InlineData("serial", StrategyKind.Serial)]
    [InlineData("parallel", StrategyKind.Parallel)]
    [InlineData("canary", StrategyKind.SerialCanary)]
    [InlineData("serial-canary", StrategyKind.SerialCanary)]
    [InlineData("parallel-canary", StrategyKind.ParallelCanary)]
    public void Phase_strategy_should_parse_including_the_canary_alias(string text, StrategyKind kind)
    {
        var spec = Load($"plans:\n  deploy:\n    phases:\n      p:\n        pod: hello\n        strategy: {text}\n");

        Assert.Equal(kind, spec.Plans[0].Phases[0].Strategy);
    }

    [Fact]
    public void Unknown_phase_strategy_should_list_the_valid_ones()
    {
        Assert.Equal(
            ["svc.yml:29:19: plans.deploy.phases.p.strategy: expected one of serial, parallel, serial-canary, parallel-canary, found 'random'"],
            Errors("plans:\n  deploy:\n    phases:\n      p:\n        pod: hello\n        strategy: random\n"));
    }

    [Fact]
    public void Dependency_plan_should_give_each_phase_the_phases_it_depends_on()
    {
        var spec = Load("plans:\n  deploy:\n    strategy: dependency\n    phases:\n      a:\n        pod: hello\n      b:\n        pod: world\n        depends-on: [a]\n      c:\n        pod: world\n        depends-on: [a, b]\n");

        var plan = spec.Plans[0];
        Assert.Equal(StrategyKind.Dependency, plan.Strategy);
        Assert.Equal([[], ["a"], ["a", "b"]], plan.Phases.Select(p => p.DependsOn.ToArray()));
    }

    [Fact]
    public void Depends_on_errors_should_each_be_located()
    {
        Assert.Equal(
            [
                "svc.yml:32:22: plans.deploy.phases.b.depends-on[0]: unknown phase 'x'; expected one of: a, c",
                "svc.yml:32:25: plans.deploy.phases.b.depends-on[1]: phase 'b' cannot depend on itself",
                "svc.yml:35:25: plans.deploy.phases.c.depends-on[1]: phase 'a' is listed twice",
            ],
            Errors("plans:\n  deploy:\n    strategy: dependency\n    phases:\n      a:\n        pod: hello\n      b:\n        pod: world\n        depends-on: [x, b]\n      c:\n        pod: world\n        depends-on: [a, a]\n"));
    }

    [Fact]
    public void A_dependency_cycle_should_be_an_error_naming_it()
    {
        Assert.Equal(
            ["svc.yml:30:21: plans.deploy.phases.a.depends-on: phases depend on each other in a cycle: a → c → b → a"],
            Errors("plans:\n  deploy:\n    strategy: dependency\n    phases:\n      a:\n        pod: hello\n        depends-on: [c]\n      b:\n        pod: world\n        depends-on: [a]\n      c:\n        pod: world\n        depends-on: [b]\n"));
    }

    [Fact]
    public void Depends_on_should_need_the_dependency_strategy()
    {
        Assert.Equal(
            ["svc.yml:31:9: plans.deploy.phases.b.depends-on: 'depends-on' needs the plan's 'strategy: dependency'"],
            Errors("plans:\n  deploy:\n    phases:\n      a:\n        pod: hello\n      b:\n        pod: world\n        depends-on: [a]\n"));
    }

    [Fact]
    public void Plan_strategy_should_not_accept_canary()
    {
        Assert.Equal(
            ["svc.yml:26:15: plans.deploy.strategy: expected one of serial, parallel, dependency, found 'canary'"],
            Errors("plans:\n  deploy:\n    strategy: canary\n    phases:\n      p:\n        pod: hello\n"));
    }

    [Fact]
    public void Custom_plans_should_come_after_a_generated_deploy_plan()
    {
        var spec = Load("plans:\n  backup:\n    phases:\n      b:\n        pod: world\n        steps:\n          - default: [[server]]\n");

        Assert.Equal(["deploy", "backup"], spec.Plans.Select(p => p.Name));
        Assert.Equal(["hello", "world"], spec.Plans[0].Phases.Select(p => p.Name));
        Assert.Equal(["world-0:[server]"], spec.Plans[1].Phases[0].Steps.Select(s => s.Name));
    }

    [Fact]
    public void Phase_naming_an_unknown_pod_should_be_an_error()
    {
        Assert.Equal(
            ["svc.yml:28:14: plans.deploy.phases.p.pod: unknown pod 'hallo'; expected one of: hello, world"],
            Errors("plans:\n  deploy:\n    phases:\n      p:\n        pod: hallo\n"));
    }

    [Fact]
    public void Step_errors_should_each_be_located()
    {
        var plans = """
            plans:
              deploy:
                phases:
                  p:
                    pod: hello
                    steps:
                      - default: [[server, srv], []]
                      - 7: [[server]]
                      - first: [[server]]
                      - 0: [[init, init]]
                        1: [[init]]
                      - 2: server
            """;

        Assert.Equal(
            [
                "svc.yml:30:32: plans.deploy.phases.p.steps[0].default[0][1]: unknown task 'srv' in pod 'hello'; expected one of: init, server",
                "svc.yml:30:38: plans.deploy.phases.p.steps[0].default[1]: expected a non-empty list of task names, found an empty list",
                "svc.yml:31:13: plans.deploy.phases.p.steps[1].7: pod instance index 7 is out of range; pod 'hello' has count 3",
                "svc.yml:32:13: plans.deploy.phases.p.steps[2].first: expected a pod instance index (an integer >= 0) or 'default', found 'first'",
                "svc.yml:33:13: plans.deploy.phases.p.steps[3]: expected one entry '<index>|default: [[task, …], …]', found a mapping with 2 entries",
                "svc.yml:35:16: plans.deploy.phases.p.steps[4].2: expected a list of task lists such as [[first-task], [second-task, third-task]], found 'server'",
            ],
            Errors(plans));
    }

    [Fact]
    public void Instance_without_steps_and_without_default_should_be_an_error()
    {
        Assert.Equal(
            [
                "svc.yml:30:11: plans.deploy.phases.p.steps: no steps for pod instance 1 of 'hello'; add a '- 1: [[…]]' or a '- default: [[…]]' entry",
                "svc.yml:30:11: plans.deploy.phases.p.steps: no steps for pod instance 2 of 'hello'; add a '- 2: [[…]]' or a '- default: [[…]]' entry",
            ],
            Errors("plans:\n  deploy:\n    phases:\n      p:\n        pod: hello\n        steps:\n          - 0: [[server]]\n"));
    }

    [Fact]
    public void Repeated_task_or_step_or_entry_should_be_an_error()
    {
        var plans = """
            plans:
              deploy:
                phases:
                  p:
                    pod: hello
                    steps:
                      - default: [[init, init], [server], [server]]
                      - default: [[server]]
            """;

        Assert.Equal(
            [
                "svc.yml:30:30: plans.deploy.phases.p.steps[0].default[0][1]: task 'init' appears twice in one step",
                "svc.yml:30:47: plans.deploy.phases.p.steps[0].default[2]: step [server] is listed twice for the same pod instance",
                "svc.yml:31:13: plans.deploy.phases.p.steps[1].default: steps for 'default' are already given in plans.deploy.phases.p.steps[0]",
            ],
            Errors(plans));
    }

    [Fact]
    public void An_index_written_with_a_leading_zero_should_be_the_same_instance()
    {
        var plans = """
            plans:
              deploy:
                phases:
                  p:
                    pod: hello
                    steps:
                      - default: [[server]]
                      - 1: [[server]]
                      - 01: [[init]]
            """;

        Assert.Equal(
            ["svc.yml:32:13: plans.deploy.phases.p.steps[2].01: steps for '01' are already given in plans.deploy.phases.p.steps[1]"],
            Errors(plans));
    }

    [Fact]
    public void A_plan_named_decommission_should_be_an_error()
    {
        Assert.Equal(
            ["svc.yml:25:3: plans.decommission: 'decommission' is the scheduler's own plan for removing the pods a scale-in drops; give this plan another name"],
            Errors("plans:\n  decommission:\n    phases:\n      p:\n        pod: hello\n"));
    }

    [Fact]
    public void Plan_keys_should_be_checked()
    {
        Assert.Equal(
            [
                "svc.yml:26:5: plans.deploy.phase: unknown key 'phase' (did you mean 'phases'?); expected one of: strategy, phases",
                "svc.yml:26:5: plans.deploy.phases: required key 'phases' is missing; expected a mapping of phase names to phases",
            ],
            Errors("plans:\n  deploy:\n    phase:\n      p:\n        pod: hello\n"));
    }
}
