namespace ActorScheduler.Specs.Tests.Schema;

/// <summary>
/// Small specs on which the loader and the schema must agree: each rejected one is rejected by both, at the same key,
/// and each accepted one (the loader reads every scalar as text, so quoted numbers and unquoted words are fine) by both.
/// </summary>
public sealed class SchemaParityTests
{
    /// <summary>A valid spec with one pod 'hello' and one task 'server'; <paramref name="task"/> and <paramref name="pod"/> add lines.</summary>
    private static string Spec(string task = "", string pod = "", string top = "", string resources = "cpus: 0.1\n        memory: 32") =>
        $"""
        name: svc
        pods:
          hello:
            count: 2
        {Indent(pod, 4)}
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                {resources}
        {Indent(task, 8)}
        {top}
        """;

    private static string Indent(string lines, int spaces) =>
        string.Join("\n", lines.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    public static TheoryData<string, string, string> Rejected() => new()
    {
        // name, spec, JSON pointer of the offending key
        { "unknown key inside a task", Spec(task: "bogus: 1"), "/pods/hello/tasks/server/bogus" },
        { "cpus 0", Spec(resources: "cpus: 0\n        memory: 32"), "/pods/hello/tasks/server/cpus" },
        { "negative cpus", Spec(resources: "cpus: -1\n        memory: 32"), "/pods/hello/tasks/server/cpus" },
        { "fractional gpus", Spec(task: "gpus: 0.5"), "/pods/hello/tasks/server/gpus" },
        { "fractional gpus of a resource set", Spec(pod: "resource-sets: {rs: {cpus: 1, gpus: 1.5, memory: 32}}", resources: "resource-set: rs"), "/pods/hello/resource-sets/rs/gpus" },
        { "memory 0", Spec(resources: "cpus: 1\n        memory: 0"), "/pods/hello/tasks/server/memory" },
        { "fractional memory", Spec(resources: "cpus: 1\n        memory: 1.5"), "/pods/hello/tasks/server/memory" },
        { "missing memory", Spec(resources: "cpus: 1"), "/pods/hello/tasks/server" },
        { "goal RUN", Spec().Replace("goal: RUNNING", "goal: RUN"), "/pods/hello/tasks/server/goal" },
        { "missing cmd", Spec().Replace("cmd: sleep 1000", ""), "/pods/hello/tasks/server" },
        { "volume and volumes together", Spec(task: "volume: {path: a, type: ROOT, size: 1}\nvolumes: {b: {path: b, type: ROOT, size: 1}}"), "/pods/hello/tasks/server/volumes" },
        { "volume and volumes on a pod", Spec(pod: "volume: {path: a, type: ROOT, size: 1}\nvolumes: {b: {path: b, type: ROOT, size: 1}}"), "/pods/hello/volumes" },
        { "resource-set with cpus", Spec(pod: "resource-sets: {rs: {cpus: 1, memory: 32}}", resources: "resource-set: rs\n        cpus: 1"), "/pods/hello/tasks/server/cpus" },
        { "port 70000", Spec(task: "ports: {http: {port: 70000}}"), "/pods/hello/tasks/server/ports/http/port" },
        { "port as a word", Spec(task: "ports: {http: {port: eighty}}"), "/pods/hello/tasks/server/ports/http/port" },
        { "ranges on a static port", Spec(task: "ports: {http: {port: 80, ranges: [{begin: 1000}]}}"), "/pods/hello/tasks/server/ports/http/ranges" },
        { "empty range", Spec(task: "ports: {http: {port: 0, ranges: [{}]}}"), "/pods/hello/tasks/server/ports/http/ranges/0" },
        { "vip port 0", Spec(task: "ports: {http: {port: 0, vip: {port: 0}}}"), "/pods/hello/tasks/server/ports/http/vip/port" },
        { "bad env-key", Spec(task: "ports: {http: {env-key: 9PORT}}"), "/pods/hello/tasks/server/ports/http/env-key" },
        { "unlimited written wrong", Spec(task: "resource-limits: {cpus: lots}"), "/pods/hello/tasks/server/resource-limits/cpus" },
        { "bad phase strategy", Spec(top: "plans: {deploy: {phases: {p: {pod: hello, strategy: random}}}}"), "/plans/deploy/phases/p/strategy" },
        { "depends-on not a list", Spec(top: "plans: {deploy: {strategy: dependency, phases: {a: {pod: hello}, b: {pod: hello, depends-on: a}}}}"), "/plans/deploy/phases/b/depends-on" },
        { "canary is a phase strategy only", Spec(top: "plans: {deploy: {strategy: canary, phases: {p: {pod: hello}}}}"), "/plans/deploy/strategy" },
        { "plan without phases", Spec(top: "plans: {deploy: {strategy: serial}}"), "/plans/deploy" },
        { "step entry with two keys", Spec(top: "plans: {deploy: {phases: {p: {pod: hello, steps: [{0: [[server]], 1: [[server]]}]}}}}"), "/plans/deploy/phases/p/steps/0" },
        { "step entry keyed by a word", Spec(top: "plans: {deploy: {phases: {p: {pod: hello, steps: [{first: [[server]]}]}}}}"), "/plans/deploy/phases/p/steps/0/first" },
        { "step that is not a list of lists", Spec(top: "plans: {deploy: {phases: {p: {pod: hello, steps: [{default: [server]}]}}}}"), "/plans/deploy/phases/p/steps/0/default/0" },
        { "task twice in one step", Spec(top: "plans: {deploy: {phases: {p: {pod: hello, steps: [{default: [[server, server]]}]}}}}"), "/plans/deploy/phases/p/steps/0/default/0" },
        { "bad plan name", Spec(top: "plans: {'-x': {phases: {p: {pod: hello}}}}"), "/plans/-x" },
        { "negative count", Spec().Replace("count: 2", "count: -1"), "/pods/hello/count" },
        { "count too large", Spec().Replace("count: 2", "count: 99999999999"), "/pods/hello/count" },
        { "bad pod name", Spec().Replace("  hello:", "  'hello world':"), "/pods/hello world" },
        { "bad env name", Spec(task: "env: {'MY-VAR': x}"), "/pods/hello/tasks/server/env/MY-VAR" },
        { "env value that is a mapping", Spec(task: "env: {X: {a: 1}}"), "/pods/hello/tasks/server/env/X" },
        { "unknown rlimit", Spec(pod: "rlimits: {RLIMIT_FOO: {soft: 1, hard: 2}}"), "/pods/hello/rlimits/RLIMIT_FOO" },
        { "rlimit with soft only", Spec(pod: "rlimits: {RLIMIT_NOFILE: {soft: 1}}"), "/pods/hello/rlimits/RLIMIT_NOFILE" },
        { "pod ipc-mode SHARE_PARENT", Spec(pod: "ipc-mode: SHARE_PARENT"), "/pods/hello/ipc-mode" },
        { "shm-size without ipc-mode", Spec(task: "shm-size: 64"), "/pods/hello/tasks/server" },
        { "shm-size with SHARE_PARENT", Spec(task: "ipc-mode: SHARE_PARENT\nshm-size: 64"), "/pods/hello/tasks/server/ipc-mode" },
        { "seccomp unconfined with a profile", Spec(pod: "seccomp-unconfined: true\nseccomp-profile-name: default"), "/pods/hello/seccomp-profile-name" },
        { "ROOT volume with profiles", Spec(task: "volume: {path: a, type: ROOT, size: 1, profiles: [fast]}"), "/pods/hello/tasks/server/volume/profiles" },
        { "absolute volume path", Spec(task: "volume: {path: /data, type: ROOT, size: 1}"), "/pods/hello/tasks/server/volume/path" },
        { "volume path with ..", Spec(task: "volume: {path: a/../b, type: ROOT, size: 1}"), "/pods/hello/tasks/server/volume/path" },
        { "discovery prefix with capitals", Spec(task: "discovery: {prefix: Web}"), "/pods/hello/tasks/server/discovery/prefix" },
        { "bad visibility", Spec(task: "discovery: {visibility: PUBLIC}"), "/pods/hello/tasks/server/discovery/visibility" },
        { "relative host path", Spec(pod: "host-volumes: {h: {host-path: data, container-path: data}}"), "/pods/hello/host-volumes/h/host-path" },
        { "external volume of another type", Spec(pod: "external-volumes: {e: {type: NFS, volume-name: v, driver-name: d, container-path: c}}"), "/pods/hello/external-volumes/e/type" },
        { "boolean written as yes", Spec(task: "essential: yes"), "/pods/hello/tasks/server/essential" },
        { "labels without a colon", Spec(task: "labels: team"), "/pods/hello/tasks/server/labels" },
        { "config dest outside the sandbox", Spec(task: "configs: {c: {template: c.tpl, dest: /etc/c}}"), "/pods/hello/tasks/server/configs/c/dest" },
        { "transport-encryption of unknown type", Spec(task: "transport-encryption: [{name: s, type: PEM}]"), "/pods/hello/tasks/server/transport-encryption/0/type" },
        { "health check without cmd", Spec(task: "health-check: {interval: 5}"), "/pods/hello/tasks/server/health-check" },
        { "readiness interval 0", Spec(task: "readiness-check: {cmd: 'true', interval: 0}"), "/pods/hello/tasks/server/readiness-check/interval" },
        { "network port 0", Spec(pod: "networks: {mesos-bridge: {host-ports: [0], container-ports: [80]}}"), "/pods/hello/networks/mesos-bridge/host-ports/0" },
        { "port mapping on an overlay network", Spec(pod: "networks: {dcos: {host-ports: [8080], container-ports: [80]}}"), "/pods/hello/networks/dcos/host-ports" },
        { "bad uri", Spec(pod: "uris: [app.tgz]"), "/pods/hello/uris/0" },
        { "bad pre-reserved-role", Spec(pod: "pre-reserved-role: /team"), "/pods/hello/pre-reserved-role" },
        { "unknown pod key", Spec(pod: "user: nobody"), "/pods/hello/user" },
        { "unknown top-level key", Spec(top: "region: us"), "/region" },
        { "web-url that is not http", Spec(top: "web-url: ftp://x"), "/web-url" },
        { "service name with __", Spec().Replace("name: svc", "name: my__svc"), "/name" },
        { "placement as a YAML list", Spec(pod: "placement: [[hostname, UNIQUE]]"), "/pods/hello/placement" },
        { "empty tasks", "name: svc\npods:\n  hello:\n    count: 1\n    tasks: {}\n", "/pods/hello/tasks" },
        { "no pods", "name: svc\npods: {}\n", "/pods" },
        { "missing name", "pods:\n  hello:\n    count: 1\n    tasks: {t: {goal: ONCE, cmd: x, cpus: 1, memory: 1}}\n", "" },
    };

    public static TheoryData<string, string> Accepted() => new()
    {
        { "the base spec", Spec() },
        { "quoted numbers (a quoted template renders so)", Spec(resources: "cpus: '0.5'\n        memory: \"64\"").Replace("count: 2", "count: ' 3'") },
        { "words the loader reads as text", Spec(task: "env: {A: 1, B: true, C: ~, D: 1.5, E: x}").Replace("cmd: sleep 1000", "cmd: true").Replace("name: svc", "name: 123") },
        { "goal in any case", Spec().Replace("goal: RUNNING", "goal: running") },
        { "goal in mixed case", Spec().Replace("goal: RUNNING", "goal: Once") },
        { "booleans in any case", Spec(pod: "allow-decommission: True\nshare-pid-namespace: 'FALSE'", task: "essential: false") },
        { "unlimited resource limits", Spec(task: "resource-limits: {cpus: unlimited, memory: UNLIMITED}") },
        { "numeric resource limits", Spec(task: "resource-limits: {cpus: 2, memory: 64}") },
        { "dynamic ports with open ranges", Spec(task: "ports:\n  http: {port: 0, env-key: PORT_HTTP, advertise: true, ranges: [{begin: 10000}, {end: 2000}, {begin: 3000, end: 4000}]}\n  admin: {vip: {port: 8080, prefix: admin, protocol: udp}}\n  fixed: {port: 65535}") },
        { "empty optional mappings", Spec(pod: "placement:\nvolumes:\nresource-sets:\nuris:\nnetworks:\nrlimits:\nhost-volumes:\nexternal-volumes:\nsecrets:", task: "env:\nlabels:\nkill-grace-period:\nhealth-check:\nreadiness-check:\ndiscovery:\ntransport-encryption:\nconfigs:\nresource-limits:\nports:\nvolumes:").Replace("name: svc", "name: svc\nweb-url:\nscheduler:\nplans:") },
        { "scheduler settings", Spec(top: "scheduler: {principal: p, zookeeper: 'master.mesos:2181', user: nobody}\nweb-url: https://example.com/ui") },
        { "service folders", Spec().Replace("name: svc", "name: /team/svc") },
        { "resource sets", Spec(pod: "resource-sets:\n  rs: {cpus: 1, gpus: 0, memory: 32, ports: {p: {port: 0}}, volume: {path: d, type: MOUNT, size: 10, profiles: [fast]}}", resources: "resource-set: rs") },
        { "checks and discovery", Spec(task: "health-check: {cmd: 'exit 0', interval: 5, grace-period: 0, max-consecutive-failures: 3, delay: 0, timeout: 10}\nreadiness-check: {cmd: 'exit 0', interval: 5, delay: 0, timeout: 10}\ndiscovery: {prefix: web, visibility: EXTERNAL}\nkill-grace-period: 0") },
        { "pod features", Spec(pod: "image: alpine:3\nuris: ['https://example.com/app.tgz']\nnetworks: {dcos: ~, mesos-bridge: {host-ports: [8080], container-ports: [80], labels: 'a:b'}}\nrlimits: {RLIMIT_NOFILE: {soft: 128000, hard: 128000}, RLIMIT_CORE: ~, RLIMIT_AS: {soft: 3000000000, hard: 3000000000}}\nhost-volumes: {h: {host-path: /var/data, container-path: data, mode: RO}}\nexternal-volumes: {e: {type: DOCKER, volume-name: v, driver-name: pxd, driver-options: 'size=10', container-path: ext, volume-mode: RW}}\npre-reserved-role: slave_public\nsecrets: {s: {secret: team/s, env-key: S, file: secrets/s}}\nseccomp-profile-name: default\nipc-mode: PRIVATE\nshm-size: 64") },
        { "external volume named by the scheduler, options as DC/OS writes them", Spec(pod: "external-volumes: {e: {type: DOCKER, driver-name: pxd, driver-options: 'shared=true;size=10;', container-path: ext}}") },
        { "task features", Spec(task: "labels: 'team:a, url:http://x:80,empty:'\ntransport-encryption: [{name: server, type: TLS}, {name: ks, type: KEYSTORE}]\nconfigs: {c: {template: c.tpl, dest: conf/c.yml}}\nipc-mode: PRIVATE\nshm-size: 16\ngpus: 1") },
        { "whole gpus written with a decimal point", Spec(task: "gpus: '2.0'") },
        { "custom plans and steps", Spec(pod: "", task: "").Replace("goal: RUNNING", "goal: FINISH") + "plans:\n  deploy:\n    strategy: parallel\n    phases:\n      p: {pod: hello, strategy: parallel-canary, steps: [{0: [[server]]}, {default: [[server]]}]}\n  other:\n    phases:\n      q: {pod: hello, strategy: canary}\n  ordered:\n    strategy: dependency\n    phases:\n      a: {pod: hello}\n      b: {pod: hello, depends-on: [a]}\n" },
        { "quoted placeholders while editing a template", Spec(resources: "cpus: '{{CPUS}}'\n        memory: '{{MEM}}'", task: "essential: '{{ESSENTIAL}}'").Replace("count: 2", "count: '{{COUNT}}'").Replace("goal: RUNNING", "goal: '{{GOAL}}'") },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Spec_rejected_by_the_loader_should_be_rejected_by_the_schema(string name, string spec, string location)
    {
        var loaded = ServiceSpecLoader.LoadRendered(spec, "svc.yml");
        Assert.False(loaded.IsValid, $"{name}: the loader accepts this spec, so the case proves nothing");

        var errors = SpecSchema.Validate(spec);

        Assert.True(errors.Any(e => e.InstanceLocation == location),
            $"{name}: expected a schema error at '{location}', found:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Spec_accepted_by_the_loader_should_be_accepted_by_the_schema(string name, string spec)
    {
        var errors = SpecSchema.Validate(spec);
        Assert.True(errors.Count == 0, $"{name}:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");

        // Placeholders are for editing templates: the loader sees rendered values, never '{{'.
        if (!spec.Contains("{{", StringComparison.Ordinal))
        {
            var loaded = ServiceSpecLoader.LoadRendered(spec, "svc.yml");
            Assert.True(loaded.IsValid, $"{name}:{Environment.NewLine}{string.Join(Environment.NewLine, loaded.Errors)}");
        }
    }
}
