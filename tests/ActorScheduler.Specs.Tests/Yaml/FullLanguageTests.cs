using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Tests.Yaml;

/// <summary>The whole DC/OS pod and task language: a spec using every key loads into the model; each rule has a failing case.</summary>
public sealed class FullLanguageTests
{
    private const string Exhaustive = """
        name: /data/store
        web-url: http://store.example.com/ui
        scheduler:
          principal: store-principal
          zookeeper: master.mesos:2181
          user: nobody
        pods:
          node:
            count: 2
            placement: '[["@zone", "GROUP_BY", "3"]]'
            image: alpine:3.20
            uris:
              - https://example.com/app.tgz
            networks:
              mesos-bridge:
                host-ports: [8080]
                container-ports: [80]
                labels: "team:storage"
            rlimits:
              RLIMIT_NOFILE:
                soft: 128000
                hard: 128000
              RLIMIT_CORE:
            share-pid-namespace: true
            host-volumes:
              certs:
                host-path: /etc/ssl/certs
                container-path: certs
                mode: RO
            external-volumes:
              shared:
                type: DOCKER
                volume-name: store-shared
                volume-mode: RW
                driver-name: pxd
                driver-options: size=10,repl=2
                container-path: shared
            pre-reserved-role: slave_public
            secrets:
              password:
                secret: store/password
                env-key: PASSWORD
                file: secrets/password
            seccomp-profile-name: default.json
            ipc-mode: PRIVATE
            shm-size: 64
            resource-sets:
              main:
                cpus: 0.5
                gpus: 1
                memory: 256
                resource-limits:
                  cpus: unlimited
                  memory: 512
                ports:
                  http:
                    port: 0
                    env-key: PORT_HTTP
                    advertise: true
                    vip:
                      port: 80
                      prefix: store
                    ranges:
                      - begin: 10000
                        end: 10100
                  admin:
                    port: 9000
                volume:
                  path: data
                  type: MOUNT
                  size: 1024
                  profiles: [ssd]
            tasks:
              init:
                goal: FINISH
                cmd: ./init.sh
                resource-set: main
              server:
                goal: RUNNING
                cmd: ./server.sh
                resource-set: main
                essential: false
                kill-grace-period: 30
                health-check:
                  cmd: curl -f localhost:$PORT_HTTP/health
                  interval: 5
                  grace-period: 30
                  max-consecutive-failures: 3
                  delay: 0
                  timeout: 10
                readiness-check:
                  cmd: curl -f localhost:$PORT_HTTP/ready
                  interval: 5
                  delay: 0
                  timeout: 10
                discovery:
                  prefix: store
                  visibility: EXTERNAL
                transport-encryption:
                  - name: server
                    type: TLS
                  - name: keystore
                    type: KEYSTORE
                ipc-mode: SHARE_PARENT
        plans:
          deploy:
            phases:
              nodes:
                pod: node
                strategy: parallel-canary
                steps:
                  - default: [[init], [server]]
        """;

    [Fact]
    public void A_spec_using_every_key_should_load_into_the_model()
    {
        var result = ServiceSpecLoader.LoadRendered(Exhaustive, "svc.yml");
        Assert.Empty(result.Errors);
        var spec = result.Spec!;
        Assert.Equal(("http://store.example.com/ui", "store-principal", "master.mesos:2181", "nobody"), (spec.WebUrl, spec.Principal, spec.Zookeeper, spec.User));

        var pod = spec.Pods[0];
        Assert.Equal("alpine:3.20", pod.Image);
        Assert.Equal(["https://example.com/app.tgz"], pod.Uris.AsEnumerable());
        Assert.True(pod.UsesVirtualNetwork);
        Assert.Equal(new NetworkSpec("mesos-bridge", [8080], [80], [new("team", "storage")]).ToString(), pod.Networks[0].ToString());
        Assert.Equal([new RlimitSpec("RLIMIT_NOFILE", 128000, 128000), new RlimitSpec("RLIMIT_CORE", null, null)], pod.Rlimits.AsEnumerable());
        Assert.True(pod.SharePidNamespace);
        Assert.Equal([new HostVolumeSpec("certs", "/etc/ssl/certs", "certs", VolumeMode.ReadOnly)], pod.HostVolumes.AsEnumerable());
        Assert.Equal([new ExternalVolumeSpec("shared", "DOCKER", "store-shared", VolumeMode.ReadWrite, "pxd", "size=10,repl=2", "shared")], pod.ExternalVolumes.AsEnumerable());
        Assert.Equal("slave_public", pod.PreReservedRole);
        Assert.Equal([new SecretSpec("password", "store/password", "PASSWORD", "secrets/password")], pod.Secrets.AsEnumerable());
        Assert.Equal(("default.json", IpcMode.Private, 64), (pod.SeccompProfileName, pod.IpcMode, pod.ShmSizeMb));

        var set = pod.ResourceSets.Single();
        Assert.Equal(("main", 0.5, 1.0, 256), (set.Id, set.Cpus, set.Gpus, set.MemoryMb));
        Assert.Equal(new ResourceLimits(null, true, 512, false), set.Limits);
        var http = set.Ports[0];
        Assert.Equal(("http", 0, "PORT_HTTP", true, new VipSpec("store", 80)), (http.Name, http.Port, http.EnvKey, http.Advertise, http.Vip));
        Assert.Equal([new PortRange(10000, 10100)], http.Ranges.AsEnumerable());
        Assert.Equal(9000, set.Ports[1].Port);
        Assert.Equal(["ssd"], set.Volumes.Single().Profiles.AsEnumerable());

        var init = pod.FindTask("init")!;
        var server = pod.FindTask("server")!;
        Assert.Equal(("main", 0.5, 256, 2), (init.ResourceSet, init.Cpus, init.MemoryMb, init.Ports.Length));
        Assert.Equal(init.ResourceSetId, server.ResourceSetId);
        Assert.Equal(new HealthCheckSpec("curl -f localhost:$PORT_HTTP/health", 5, 30, 3, 0, 10), server.HealthCheck);
        Assert.Equal(new ReadinessCheckSpec("curl -f localhost:$PORT_HTTP/ready", 5, 0, 10), server.ReadinessCheck);
        Assert.Equal(new DiscoverySpec("store", DiscoveryVisibility.External), server.Discovery);
        Assert.Equal([new TransportEncryptionSpec("server", TransportEncryptionType.Tls), new TransportEncryptionSpec("keystore", TransportEncryptionType.Keystore)],
            server.TransportEncryption.AsEnumerable());
        Assert.Equal(IpcMode.ShareParent, server.IpcMode);
        Assert.False(server.Essential);

        var phase = spec.FindPlan("deploy")!.Phases[0];
        Assert.Equal(StrategyKind.ParallelCanary, phase.Strategy);
        Assert.Equal(["node-0:[init]", "node-0:[server]", "node-1:[init]", "node-1:[server]"], phase.Steps.Select(s => s.Name));
    }

    [Fact]
    public void Checks_without_timings_should_take_the_mesos_defaults()
    {
        var yaml = Task("    health-check:\n      cmd: \"true\"\n    readiness-check:\n      cmd: \"true\"");

        var task = ServiceSpecLoader.LoadRendered(yaml, "svc.yml").Spec!.Pods[0].Tasks[0];

        Assert.Equal(new HealthCheckSpec("true", 10, 10, 3, 15, 20), task.HealthCheck);
        Assert.Equal(new ReadinessCheckSpec("true", 10, 15, 20), task.ReadinessCheck);
    }

    public static TheoryData<string, string> BadTasks => new()
    {
        { "    ports: {http: {port: 70000}}", "svc.yml:12:30: pods.web.tasks.server.ports.http.port: expected an integer from 0 to 65535, found '70000'" },
        { "    ports: {a: {port: 8080}, b: {port: 8080}}", "svc.yml:12:44: pods.web.tasks.server.ports.b.port: static port 8080 is already used by pods.web.tasks.server.ports.a.port; tasks of one pod share the agent's ports, so each static port may appear once (use port: 0 for any free port)" },
        { "    ports: {a: {port: 8080, ranges: [{begin: 1}]}}", "svc.yml:12:41: pods.web.tasks.server.ports.a.ranges: 'ranges' bound a dynamic port, but this port is static (8080); set port: 0 or remove 'ranges'" },
        { "    ports: {a: {port: 0, ranges: [{begin: 20, end: 10}]}}", "svc.yml:12:39: pods.web.tasks.server.ports.a.ranges[0]: expected begin <= end, found 20 > 10" },
        { "    ports: {a: {env-key: P}, b: {env-key: P}}", "svc.yml:12:47: pods.web.tasks.server.ports.b.env-key: env-key 'P' is already used by pods.web.tasks.server.ports.a.env-key; each port needs its own variable" },
        { "    ports: {a: {vip: {port: 80, prefix: x}}, b: {vip: {port: 80, prefix: x}}}", "svc.yml:12:59: pods.web.tasks.server.ports.b.vip: VIP x:80 is already used by pods.web.tasks.server.ports.a.vip; a VIP names one port" },
        { "    ports: {a: {vip: {port: 80, prefix: b}}, b: {port: 0}}", "svc.yml:12:45: pods.web.tasks.server.ports.a.vip.prefix: VIP prefix 'b' is the name of another port of this task; expected a prefix that names no other port" },
        { "    ports: {a: {vip: {prefix: Bad_Name, port: 1}}}", "svc.yml:12:35: pods.web.tasks.server.ports.a.vip.prefix: expected a VIP prefix of lower-case letters, digits and '-', at most 63 characters, not starting or ending with '-', found 'Bad_Name'" },
        { "    health-check: {interval: 5}", "svc.yml:12:23: pods.web.tasks.server.health-check.cmd: required key 'cmd' is missing; expected a shell command that exits 0 when the check passes" },
        { "    readiness-check: {cmd: x, timeout: 0}", "svc.yml:12:44: pods.web.tasks.server.readiness-check.timeout: expected an integer >= 1, found '0'" },
        { "    discovery: {visibility: PUBLIC}", "svc.yml:12:33: pods.web.tasks.server.discovery.visibility: expected one of FRAMEWORK, CLUSTER, EXTERNAL, found 'PUBLIC'" },
        { "    transport-encryption: [{name: a, type: TLS}, {name: a, type: TLS}]", "svc.yml:12:61: pods.web.tasks.server.transport-encryption[1].name: transport-encryption 'a' of type 'TLS' is listed twice" },
        { "    resource-limits: {cpus: lots}", "svc.yml:12:33: pods.web.tasks.server.resource-limits.cpus: expected a number > 0, found 'lots'" },
        { "    gpus: -1", "svc.yml:12:15: pods.web.tasks.server.gpus: expected a whole number of GPUs >= 0 (Mesos does not share a GPU between tasks), found '-1'" },
        { "    gpus: 0.5", "svc.yml:12:15: pods.web.tasks.server.gpus: expected a whole number of GPUs >= 0 (Mesos does not share a GPU between tasks), found '0.5'" },
        { "    shm-size: 64", "svc.yml:12:19: pods.web.tasks.server.shm-size: 'shm-size' sizes a private /dev/shm; it needs 'ipc-mode: PRIVATE' beside it" },
        { "    configs: {conf: {template: a.tmpl, dest: /etc/a}}", "svc.yml:12:50: pods.web.tasks.server.configs.conf.dest: expected a path in the task sandbox (relative, without '..'), found '/etc/a'" },
    };

    [Theory]
    [MemberData(nameof(BadTasks))]
    public void A_bad_task_key_should_be_reported_where_it_is(string taskLines, string expected)
    {
        var result = ServiceSpecLoader.LoadRendered(Task(taskLines), "svc.yml");
        Assert.Equal([expected], result.Errors.Select(e => e.ToString()));
    }

    public static TheoryData<string, string> BadPods => new()
    {
        { "    uris: [not a uri]", "svc.yml:4:12: pods.web.uris[0]: expected an absolute URI such as https://example.com/app.tgz, found 'not a uri'" },
        { "    rlimits: {RLIMIT_FOO: {soft: 1, hard: 1}}", "svc.yml:4:15: pods.web.rlimits.RLIMIT_FOO: unknown resource limit 'RLIMIT_FOO'; expected one of: RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS, RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK" },
        { "    rlimits: {RLIMIT_NOFILE: {soft: 1}}", "svc.yml:4:30: pods.web.rlimits.RLIMIT_NOFILE: expected both 'soft' and 'hard', or neither for unlimited; found only one" },
        { "    rlimits: {RLIMIT_NOFILE: {soft: 2, hard: 1}}", "svc.yml:4:37: pods.web.rlimits.RLIMIT_NOFILE.soft: expected soft <= hard, found 2 > 1" },
        { "    networks: {mesos-bridge: {host-ports: [1, 2], container-ports: [1]}}", "svc.yml:4:68: pods.web.networks.mesos-bridge.container-ports: expected as many container ports as host ports (2), found 1; they are mapped pairwise" },
        { "    networks: {dcos: {host-ports: [8080], container-ports: [80]}}", "svc.yml:4:35: pods.web.networks.dcos.host-ports: network 'dcos' does not map container ports to host ports (only 'mesos-bridge' does); remove 'host-ports' and 'container-ports' and reach the tasks at their container address, or join 'mesos-bridge'" },
        { "    networks: {calico: {container-ports: [80]}}", "svc.yml:4:42: pods.web.networks.calico.container-ports: network 'calico' does not map container ports to host ports (only 'mesos-bridge' does); remove 'host-ports' and 'container-ports' and reach the tasks at their container address, or join 'mesos-bridge'" },
        { "    host-volumes: {h: {host-path: etc, container-path: etc}}", "svc.yml:4:35: pods.web.host-volumes.h.host-path: expected an absolute path on the agent, found 'etc'" },
        { "    external-volumes: {e: {type: NFS, volume-name: v, driver-name: d, container-path: c}}", "svc.yml:4:34: pods.web.external-volumes.e.type: expected one of DOCKER, found 'NFS'" },
        { "    external-volumes: {e: {type: DOCKER, driver-name: d, driver-options: 'size=10,repl', container-path: c}}", "svc.yml:4:74: pods.web.external-volumes.e.driver-options: expected driver options as 'k=v,k2=v2'; 'repl' has no '=' between key and value" },
        { "    external-volumes: {e: {type: DOCKER, driver-name: d, driver-options: 'name=v', container-path: c}}", "svc.yml:4:74: pods.web.external-volumes.e.driver-options: expected driver options as 'k=v,k2=v2'; 'name' cannot be a driver option: the volume's name is 'volume-name' (or made up by the scheduler)" },
        { "    external-volumes: {e: {type: DOCKER, driver-name: d, driver-options: 'a=1;a=2', container-path: c}}", "svc.yml:4:74: pods.web.external-volumes.e.driver-options: expected driver options as 'k=v,k2=v2'; the key 'a' is given twice" },
        { "    pre-reserved-role: /bad", "svc.yml:4:24: pods.web.pre-reserved-role: expected a Mesos role ('*' or a name such as 'slave_public' or 'team/a'), found '/bad'" },
        { "    seccomp-unconfined: true\n    seccomp-profile-name: p", "svc.yml:5:27: pods.web.seccomp-profile-name: 'seccomp-profile-name' cannot be set together with 'seccomp-unconfined: true'; an unconfined pod has no profile" },
        { "    ipc-mode: SHARE_PARENT", "svc.yml:4:15: pods.web.ipc-mode: expected one of PRIVATE, found 'SHARE_PARENT'" },
        { "    resource-sets: {s: {cpus: 1}}", "svc.yml:4:24: pods.web.resource-sets.s.memory: required key 'memory' is missing; expected an integer number of MB >= 1" },
    };

    [Theory]
    [MemberData(nameof(BadPods))]
    public void A_bad_pod_key_should_be_reported_where_it_is(string podLines, string expected)
    {
        var result = ServiceSpecLoader.LoadRendered(Pod(podLines), "svc.yml");
        Assert.Equal([expected], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void An_external_volume_may_leave_its_name_to_the_scheduler_and_write_its_options_as_DCOS_does()
    {
        var result = ServiceSpecLoader.LoadRendered(
            Pod("    external-volumes: {e: {type: DOCKER, driver-name: pxd, driver-options: 'shared=true; size=10;', container-path: c}}"), "svc.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var volume = Assert.Single(result.Spec!.Pods[0].ExternalVolumes);
        Assert.Null(volume.VolumeName);
        Assert.Equal([new("shared", "true"), new("size", "10")], ExternalVolumeSpec.ParseDriverOptions(volume.DriverOptions).Options.AsEnumerable());
    }

    [Fact]
    public void A_task_using_a_resource_set_should_not_declare_resources_of_its_own()
    {
        var yaml = """
            name: svc
            pods:
              web:
                count: 1
                resource-sets:
                  main: {cpus: 1, memory: 64}
                tasks:
                  server:
                    goal: RUNNING
                    cmd: sleep 1
                    resource-set: main
                    cpus: 2
            """;

        Assert.Equal(
            ["svc.yml:12:9: pods.web.tasks.server.cpus: 'cpus' cannot be set on a task that uses 'resource-set'; declare it in the resource set instead"],
            ServiceSpecLoader.LoadRendered(yaml, "svc.yml").Errors.Select(e => e.ToString()));
        Assert.Equal(
            ["svc.yml:11:23: pods.web.tasks.server.resource-set: unknown resource set 'other'; expected one of: main"],
            ServiceSpecLoader.LoadRendered(yaml.Replace("resource-set: main", "resource-set: other").Replace("\n        cpus: 2", ""), "svc.yml").Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Tasks_sharing_a_resource_set_need_separate_steps()
    {
        var shared = """
            name: svc
            pods:
              web:
                count: 1
                resource-sets:
                  main: {cpus: 1, memory: 64}
                tasks:
                  init: {goal: FINISH, cmd: "true", resource-set: main}
                  server: {goal: RUNNING, cmd: sleep 1, resource-set: main}
            """;
        var oneStep = shared + """

            plans:
              deploy:
                phases:
                  web:
                    pod: web
                    steps:
                      - default: [[init, server]]
            """;

        Assert.Equal(
            ["svc.yml:3:3: pods.web: without 'steps', each instance of pod 'web' launches all its tasks in one step, but tasks 'init' and 'server' both use resource set 'main', which serves one task at a time; give the phase steps such as '- default: [[init], [server]]'"],
            ServiceSpecLoader.LoadRendered(shared, "svc.yml").Errors.Select(e => e.ToString()));
        Assert.Equal(
            ["svc.yml:16:23: plans.deploy.phases.web.steps[0].default[0]: these tasks cannot launch in one step: tasks 'init' and 'server' both use resource set 'main', which serves one task at a time; put them in separate steps"],
            ServiceSpecLoader.LoadRendered(oneStep, "svc.yml").Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_discovery_prefix_should_name_tasks_of_one_pod_type_only()
    {
        var yaml = """
            name: svc
            pods:
              a:
                count: 1
                tasks:
                  t: {goal: RUNNING, cmd: sleep 1, cpus: 1, memory: 32, discovery: {prefix: node}}
              b:
                count: 1
                tasks:
                  t: {goal: RUNNING, cmd: sleep 1, cpus: 1, memory: 32, discovery: {prefix: node}}
            """;

        Assert.Equal(
            ["svc.yml:7:3: pods.b.tasks.t.discovery.prefix: discovery prefix 'node' is already used by pod 'a'; prefixes name tasks service-wide"],
            ServiceSpecLoader.LoadRendered(yaml, "svc.yml").Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_config_template_should_exist_beside_the_spec()
    {
        using var dir = new TempSpecDirectory();
        dir.Write("server.conf.tmpl", "port={{PORT_HTTP}}\n");
        var good = dir.Write("svc.yml", Task("    configs: {conf: {template: server.conf.tmpl, dest: conf/server.conf}}"));
        Assert.Equal(new ConfigTemplateSpec("conf", "server.conf.tmpl", "conf/server.conf"),
            ServiceSpecLoader.LoadFile(good, null, new Dictionary<string, string>()).Spec!.Pods[0].Tasks[0].Configs.Single());

        var bad = dir.Write("bad.yml", Task("    configs: {conf: {template: missing.tmpl, dest: conf/server.conf}}"));
        var error = Assert.Single(ServiceSpecLoader.LoadFile(bad, null, new Dictionary<string, string>()).Errors);
        Assert.Equal("pods.web.tasks.server.configs.conf.template", error.Path);
        Assert.StartsWith("template file 'missing.tmpl' does not exist beside the spec", error.Message);
    }

    /// <summary>A one-task spec; <paramref name="extraTaskLines"/> are indented by four spaces and become task keys.</summary>
    private static string Task(string extraTaskLines) =>
        "name: svc\npods:\n  web:\n    count: 1\n    tasks:\n      server:\n        goal: RUNNING\n        cmd: sleep 1\n" +
        "        cpus: 0.1\n        memory: 32\n        env: {A: b}\n" +
        string.Concat(extraTaskLines.Split('\n').Select(line => "    " + line + "\n"));

    private static string Pod(string extraPodLines) => $"""
        name: svc
        pods:
          web:
        {extraPodLines}
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1
                cpus: 0.1
                memory: 32
        """;
}
