using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Tests.Yaml;

/// <summary>Every kind of spec error, each with its exact position, key path and message.</summary>
public sealed class SpecErrorTests
{
    private static string[] Errors(string yaml)
    {
        var result = ServiceSpecLoader.LoadRendered(yaml, "svc.yml");
        Assert.Null(result.Spec);
        Assert.False(result.IsValid);
        return result.Errors.Select(e => e.ToString()).ToArray();
    }

    /// <summary>A valid spec with one task whose body is given (indented for the task mapping).</summary>
    private static string WithTask(string taskBody) => $"""
        name: svc
        pods:
          hello:
            count: 1
            tasks:
              server:
        {taskBody}
        """;

    private const string ValidTask = """
                goal: RUNNING
                cmd: echo hi
                cpus: 0.1
                memory: 32
        """;

    [Fact]
    public void Spec_with_valid_task_should_load()
    {
        Assert.True(ServiceSpecLoader.LoadRendered(WithTask(ValidTask), "svc.yml").IsValid);
    }

    [Fact]
    public void Missing_required_top_level_keys_should_be_reported_at_the_root_mapping()
    {
        Assert.Equal(
            [
                "svc.yml:1:1: name: required key 'name' is missing; expected the service name",
                "svc.yml:1:1: pods: required key 'pods' is missing; expected a mapping of pod types",
            ],
            Errors("scheduler:\n  user: nobody\n"));
    }

    [Fact]
    public void Empty_spec_should_be_one_error()
    {
        Assert.Equal(["svc.yml:1:1: (root): the spec is empty; expected a mapping with at least 'name' and 'pods'"], Errors(""));
    }

    [Fact]
    public void Root_that_is_not_a_mapping_should_be_reported()
    {
        Assert.Equal(["svc.yml:1:1: (root): expected a service spec (a mapping of name, web-url, scheduler, pods, plans), found a list"], Errors("- a\n- b\n"));
    }

    [Fact]
    public void Unknown_top_level_key_should_be_reported_with_a_suggestion()
    {
        Assert.Equal(
            ["svc.yml:1:1: nmae: unknown key 'nmae' (did you mean 'name'?); expected one of: name, web-url, scheduler, pods, plans"],
            Errors("nmae: svc\n" + WithTask(ValidTask)));
    }

    [Fact]
    public void Unknown_key_inside_a_pod_should_be_an_error()
    {
        var yaml = WithTask(ValidTask).Replace("    count: 1\n", "    count: 1\n    cont: 2\n");

        Assert.Equal(
            ["svc.yml:5:5: pods.hello.cont: unknown key 'cont' (did you mean 'count'?); expected one of: count, allow-decommission, placement, tasks, volume, volumes, resource-sets, image, uris, networks, rlimits, share-pid-namespace, host-volumes, external-volumes, pre-reserved-role, secrets, seccomp-unconfined, seccomp-profile-name, ipc-mode, shm-size"],
            Errors(yaml));
    }

    [Fact]
    public void Unknown_key_inside_a_task_should_be_an_error()
    {
        Assert.Equal(
            ["svc.yml:11:9: pods.hello.tasks.server.colour: unknown key 'colour'; expected one of: goal, cmd, essential, env, labels, kill-grace-period, resource-set, health-check, readiness-check, discovery, transport-encryption, configs, ipc-mode, shm-size, cpus, gpus, memory, resource-limits, ports, volume, volumes"],
            Errors(WithTask(ValidTask + "\n        colour: blue")));
    }

    [Fact]
    public void Every_dcos_pod_key_should_be_accepted()
    {
        var yaml = WithTask(ValidTask).Replace("    count: 1\n", "    count: 1\n    image: alpine:3\n");

        Assert.Equal("alpine:3", ServiceSpecLoader.LoadRendered(yaml, "svc.yml").Spec!.Pods[0].Image);
    }

    [Fact]
    public void Duplicate_key_should_be_reported_where_it_repeats()
    {
        Assert.Equal(
            ["svc.yml:11:9: pods.hello.tasks.server.cpus: duplicate key 'cpus'; it is already defined at line 9"],
            Errors(WithTask(ValidTask + "\n        cpus: 2")));
    }

    [Fact]
    public void Duplicate_pod_should_be_reported()
    {
        var yaml = WithTask(ValidTask) + "\n  hello:\n    count: 1\n";

        Assert.Equal(["svc.yml:11:3: pods.hello: duplicate key 'hello'; it is already defined at line 3"], Errors(yaml));
    }

    [Fact]
    public void Missing_task_keys_should_all_be_reported_at_the_task()
    {
        Assert.Equal(
            [
                "svc.yml:7:9: pods.hello.tasks.server.goal: required key 'goal' is missing; expected RUNNING, FINISH or ONCE",
                "svc.yml:7:9: pods.hello.tasks.server.cmd: required key 'cmd' is missing; expected a shell command",
                "svc.yml:7:9: pods.hello.tasks.server.memory: required key 'memory' is missing; expected an integer number of MB >= 1",
            ],
            Errors(WithTask("        cpus: 1")));
    }

    [Fact]
    public void Wrong_scalar_types_should_say_what_was_found_and_expected()
    {
        var yaml = """
            name: svc
            pods:
              hello:
                count: abc
                allow-decommission: maybe
                tasks:
                  server:
                    goal: RUN
                    cmd:
                    cpus: lots
                    memory: 1.5
                    essential: 1
            """;

        Assert.Equal(
            [
                "svc.yml:4:12: pods.hello.count: expected an integer from 0 to 100000, found 'abc'",
                "svc.yml:5:25: pods.hello.allow-decommission: expected true or false, found 'maybe'",
                "svc.yml:8:15: pods.hello.tasks.server.goal: expected one of RUNNING, FINISH, ONCE, found 'RUN'",
                "svc.yml:9:13: pods.hello.tasks.server.cmd: expected a shell command, found nothing",
                "svc.yml:10:15: pods.hello.tasks.server.cpus: expected a number > 0, found 'lots'",
                "svc.yml:11:17: pods.hello.tasks.server.memory: expected an integer >= 1, found '1.5'",
                "svc.yml:12:20: pods.hello.tasks.server.essential: expected true or false, found '1'",
            ],
            Errors(yaml));
    }

    [Theory]
    [InlineData("count: -1", "svc.yml:4:12: pods.hello.count: expected an integer from 0 to 100000, found '-1'")]
    [InlineData("count: 2147483647", "svc.yml:4:12: pods.hello.count: expected an integer from 0 to 100000, found '2147483647'")]
    [InlineData("count: [1]", "svc.yml:4:12: pods.hello.count: expected an integer from 0 to 100000, found a list")]
    public void Out_of_range_or_mistyped_count_should_be_reported(string count, string error)
    {
        Assert.Equal([error], Errors(WithTask(ValidTask).Replace("count: 1", count)));
    }

    [Theory]
    [InlineData("cpus: 0", "svc.yml:9:15: pods.hello.tasks.server.cpus: expected a number > 0, found '0'")]
    [InlineData("cpus: -0.5", "svc.yml:9:15: pods.hello.tasks.server.cpus: expected a number > 0, found '-0.5'")]
    [InlineData("cpus: .nan", "svc.yml:9:15: pods.hello.tasks.server.cpus: expected a number > 0, found '.nan'")]
    [InlineData("cpus: 0.0004", "svc.yml:9:15: pods.hello.tasks.server.cpus: expected a number >= 0.001 (Mesos counts cpus in thousandths), found '0.0004'")]
    [InlineData("memory: 0", "svc.yml:10:17: pods.hello.tasks.server.memory: expected an integer >= 1, found '0'")]
    public void Out_of_range_resources_should_be_reported(string line, string error)
    {
        var task = ValidTask.Replace("cpus: 0.1", line.StartsWith("cpus") ? line : "cpus: 0.1")
            .Replace("memory: 32", line.StartsWith("memory") ? line : "memory: 32");

        Assert.Equal([error], Errors(WithTask(task)));
    }

    [Fact]
    public void Volume_and_volumes_together_should_be_an_error()
    {
        var task = ValidTask + """

                    volume:
                      path: a
                      type: ROOT
                      size: 10
                    volumes:
                      b:
                        path: b
                        type: ROOT
                        size: 10
            """;

        Assert.Equal(
            ["svc.yml:15:9: pods.hello.tasks.server.volumes: 'volume' and 'volumes' are both set on a task; use one of them"],
            Errors(WithTask(task)));
    }

    [Fact]
    public void Volume_errors_should_each_be_located()
    {
        var task = ValidTask + """

                    volumes:
                      abs:
                        path: /var/data
                        type: ROOT
                        size: 10
                      up:
                        path: data/../../etc
                        type: DISK
                        size: 0
                      nosize:
                        path: ok
                        type: MOUNT
            """;

        Assert.Equal(
            [
                "svc.yml:13:19: pods.hello.tasks.server.volumes.abs.path: expected a path relative to the task sandbox without '..', found '/var/data'",
                "svc.yml:17:19: pods.hello.tasks.server.volumes.up.path: expected a path relative to the task sandbox without '..', found 'data/../../etc'",
                "svc.yml:18:19: pods.hello.tasks.server.volumes.up.type: expected one of ROOT, MOUNT, found 'DISK'",
                "svc.yml:19:19: pods.hello.tasks.server.volumes.up.size: expected an integer >= 1, found '0'",
                "svc.yml:21:13: pods.hello.tasks.server.volumes.nosize.size: required key 'size' is missing; expected an integer number of MB >= 1",
            ],
            Errors(WithTask(task)));
    }

    [Fact]
    public void Task_volume_on_a_path_of_a_pod_volume_should_be_an_error()
    {
        var yaml = """
            name: svc
            pods:
              hello:
                count: 1
                volume: {path: data, type: ROOT, size: 10}
                tasks:
                  server:
                    goal: RUNNING
                    cmd: echo hi
                    cpus: 0.1
                    memory: 32
                    volume: {path: data/, type: ROOT, size: 5}
            """;

        Assert.Equal(
            ["svc.yml:12:24: pods.hello.tasks.server.volume.path: volume path 'data/' is already used by pods.hello.volume.path"],
            Errors(yaml));
    }

    [Theory]
    [InlineData("./logs", "logs")]
    [InlineData("a/./b", "a//b")]
    public void Volume_paths_naming_one_directory_should_be_an_error(string first, string second)
    {
        var task = ValidTask + $"\n        volumes:\n          one: {{path: '{first}', type: ROOT, size: 10}}\n          two: {{path: '{second}', type: ROOT, size: 10}}";

        Assert.Equal(
            [$"svc.yml:13:23: pods.hello.tasks.server.volumes.two.path: volume path '{second}' is already used by pods.hello.tasks.server.volumes.one.path"],
            Errors(WithTask(task)));
    }

    [Fact]
    public void A_volume_on_the_sandbox_itself_should_be_an_error()
    {
        Assert.Equal(
            ["svc.yml:11:24: pods.hello.tasks.server.volume.path: expected a path inside the task sandbox, found '.', which is the sandbox itself"],
            Errors(WithTask(ValidTask + "\n        volume: {path: ., type: ROOT, size: 10}")));
    }

    [Fact]
    public void A_goal_should_be_read_in_any_case_as_DCOS_reads_it()
    {
        var task = ValidTask.Replace("goal: RUNNING", "goal: running");

        Assert.Equal(GoalState.Running, ServiceSpecLoader.LoadRendered(WithTask(task), "svc.yml").Spec!.Pods[0].Tasks[0].Goal);
    }

    [Fact]
    public void Empty_resource_limits_should_be_no_limits()
    {
        var task = ValidTask + "\n        resource-limits: {cpus: , memory: }";

        var limits = ServiceSpecLoader.LoadRendered(WithTask(task), "svc.yml").Spec!.Pods[0].Tasks[0].Limits;

        Assert.Equal(new ResourceLimits(null, false, null, false), limits);
    }

    [Fact]
    public void A_secret_without_env_key_or_file_should_be_a_file_at_its_path()
    {
        var yaml = WithTask(ValidTask).Replace("    count: 1\n", "    count: 1\n    secrets:\n      s: {secret: svc/key}\n");

        var secret = Assert.Single(ServiceSpecLoader.LoadRendered(yaml, "svc.yml").Spec!.Pods[0].Secrets);

        Assert.Equal(new SecretSpec("s", "svc/key", null, "svc/key"), secret);
    }

    [Fact]
    public void Pod_level_volumes_should_be_read()
    {
        var yaml = WithTask(ValidTask).Replace("    count: 1\n", "    count: 1\n    volumes:\n      shared: {path: shared, type: MOUNT, size: 100}\n");

        var pod = ServiceSpecLoader.LoadRendered(yaml, "svc.yml").Spec!.Pods[0];

        Assert.Equal([new VolumeSpec("shared", VolumeType.Mount, 100)], pod.Volumes.ToArray());
    }

    [Fact]
    public void Env_errors_should_be_located()
    {
        var task = ValidTask + """

                    env:
                      GOOD: 1
                      2BAD: x
                      NESTED: {a: b}
            """;

        Assert.Equal(
            [
                "svc.yml:13:11: pods.hello.tasks.server.env.2BAD: expected an environment variable name of letters, digits and '_' not starting with a digit, found '2BAD'",
                "svc.yml:14:19: pods.hello.tasks.server.env.NESTED: expected a single value (a string or number), found a mapping",
            ],
            Errors(WithTask(task)));
    }

    [Fact]
    public void Env_should_keep_declaration_order_and_read_empty_values_as_empty_strings()
    {
        var task = ValidTask + "\n        env:\n          Z: 1\n          A: 'two'\n          EMPTY:\n";

        var env = ServiceSpecLoader.LoadRendered(WithTask(task), "svc.yml").Spec!.Pods[0].Tasks[0].Env;

        Assert.Equal(["Z=1", "A=two", "EMPTY="], env.Select(e => $"{e.Key}={e.Value}"));
    }

    [Fact]
    public void Yaml_syntax_error_should_be_located()
    {
        var yaml = "name: svc\npods:\n  hello:\n    count: 1\n   tasks: [\n";

        Assert.Equal(
            ["svc.yml:5:4: pods.hello: YAML syntax error: While parsing a block mapping, did not find expected key."],
            Errors(yaml));
    }

    [Fact]
    public void A_tab_in_an_indentation_should_be_located_at_the_tab()
    {
        var yaml = "name: svc\npods:\n  p:\n    count: 1\n    tasks:\n      t:\n\tgoal: RUNNING\n";

        var error = Assert.Single(Errors(yaml));

        Assert.StartsWith("svc.yml:7:1: ", error);
        Assert.Contains("tab", error);
    }

    [Fact]
    public void Yaml_syntax_error_should_carry_the_path_being_read()
    {
        var yaml = "name: svc\npods:\n  hello:\n    count: \"1\n";

        Assert.Equal(
            ["svc.yml:4:12: pods.hello.count: YAML syntax error: While scanning a quoted scalar, found unexpected end of stream."],
            Errors(yaml));
    }

    [Fact]
    public void Second_yaml_document_should_be_an_error()
    {
        Assert.Equal(
            ["svc.yml:11:1: (root): found a second YAML document ('---'); a spec is exactly one document"],
            Errors(WithTask(ValidTask) + "\n---\nname: other\n"));
    }

    [Fact]
    public void Anchors_and_aliases_should_be_resolved()
    {
        var yaml = """
            name: svc
            pods:
              hello:
                count: 1
                tasks:
                  server: &server
                    goal: RUNNING
                    cmd: echo hi
                    cpus: 0.1
                    memory: 32
              world:
                count: 2
                tasks:
                  server: *server
            """;

        var spec = ServiceSpecLoader.LoadRendered(yaml, "svc.yml").Spec!;

        Assert.Equal(spec.Pods[0].Tasks[0], spec.Pods[1].Tasks[0]);
    }

    [Fact]
    public void Bad_service_and_pod_names_should_be_reported()
    {
        var yaml = WithTask(ValidTask).Replace("name: svc", "name: my__svc").Replace("  hello:", "  hel lo:");

        Assert.Equal(
            [
                "svc.yml:1:7: name: expected a service name without spaces or '__', with non-empty '/' folders, found 'my__svc'",
                "svc.yml:3:3: pods.hel lo: expected a pod type of letters, digits, '-' or '_', starting with a letter or digit, found 'hel lo'",
            ],
            Errors(yaml));
    }

    [Fact]
    public void Scheduler_user_should_be_read_and_unknown_scheduler_keys_rejected()
    {
        var ok = ServiceSpecLoader.LoadRendered("scheduler:\n  user: nobody\n" + WithTask(ValidTask), "svc.yml");
        Assert.Equal("nobody", ok.Spec!.User);

        Assert.Equal("p", ServiceSpecLoader.LoadRendered("scheduler:\n  principal: p\n" + WithTask(ValidTask), "svc.yml").Spec!.Principal);
        Assert.Equal(
            ["svc.yml:2:3: scheduler.role: unknown key 'role'; expected one of: principal, zookeeper, user"],
            Errors("scheduler:\n  role: r\n" + WithTask(ValidTask)));
    }

    [Fact]
    public void All_errors_of_a_file_should_be_reported_together_in_file_order()
    {
        var yaml = """
            name: svc
            pods:
              hello:
                count: x
                tasks:
                  server:
                    goal: RUNNING
                    cmd: echo
                    cpus: 0
                    memory: 32
              world:
                count: 1
                tasks: {}
            """;

        Assert.Equal(
            [
                "svc.yml:4:12: pods.hello.count: expected an integer from 0 to 100000, found 'x'",
                "svc.yml:9:15: pods.hello.tasks.server.cpus: expected a number > 0, found '0'",
                "svc.yml:13:12: pods.world.tasks: expected a mapping of at least one task, found an empty mapping",
            ],
            Errors(yaml));
    }

    [Fact]
    public void Essential_and_goal_should_be_read()
    {
        var task = ValidTask.Replace("RUNNING", "FINISH") + "\n        essential: false";

        var spec = ServiceSpecLoader.LoadRendered(WithTask(task), "svc.yml").Spec!;

        Assert.Equal(GoalState.Finish, spec.Pods[0].Tasks[0].Goal);
        Assert.False(spec.Pods[0].Tasks[0].Essential);
    }
}
