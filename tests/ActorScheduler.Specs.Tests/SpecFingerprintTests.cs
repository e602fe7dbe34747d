using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Tests;

public sealed class SpecFingerprintTests
{
    private static readonly TaskSpec _server = new(
        "server",
        GoalState.Running,
        "echo hi",
        0.5,
        256,
        [new("A", "1"), new("B", "2")],
        [new VolumeSpec("data", VolumeType.Root, 10), new VolumeSpec("logs", VolumeType.Root, 5)]);

    private static readonly PodSpec _pod = new("hello", 1, false, [_server], []);

    [Fact]
    public void Fingerprint_should_be_stable_lowercase_sha256_hex()
    {
        var first = SpecFingerprint.Of(_pod);

        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(first, SpecFingerprint.Of(_pod with { Tasks = [_server with { Env = [.. _server.Env] }] }));
    }

    public static TheoryData<string, PodSpec> LaunchChanges => new()
    {
        { "port", _pod with { Tasks = [_server with { Ports = [new PortSpec("http", 0, "HTTP_PORT", false, null, [])] }] } },
        { "health check", _pod with { Tasks = [_server with { HealthCheck = new HealthCheckSpec("true") }] } },
        { "readiness check", _pod with { Tasks = [_server with { ReadinessCheck = new ReadinessCheckSpec("true") }] } },
        { "resource set", _pod with { Tasks = [_server with { ResourceSet = "main" }] } },
        { "gpus", _pod with { Tasks = [_server with { Gpus = 1 }] } },
        { "image", _pod with { Image = "alpine:3" } },
        { "uri", _pod with { Uris = ["https://example.com/app-1.0.tgz"] } },
        { "rlimit", _pod with { Rlimits = [new RlimitSpec("RLIMIT_NOFILE", 1, 2)] } },
        { "secret", _pod with { Secrets = [new SecretSpec("s", "a/b", "S", null)] } },
        { "network", _pod with { Networks = [new NetworkSpec("dcos", [], [], [])] } },
        { "volume profile", _pod with { Tasks = [_server with { Volumes = [_server.Volumes[0] with { Profiles = ["ssd"] }, _server.Volumes[1]] }] } },
    };

    [Theory]
    [MemberData(nameof(LaunchChanges))]
    public void Fingerprint_should_change_with_anything_that_shapes_a_launched_task(string change, PodSpec changed)
    {
        Assert.True(SpecFingerprint.Of(_pod) != SpecFingerprint.Of(changed), $"a {change} change must relaunch the pod");
    }

    [Fact]
    public void Fingerprint_should_change_with_a_new_version_of_a_pod_uri()
    {
        // The fetcher puts the pod's uris in every task's sandbox: a new artifact relaunches the pod.
        Assert.NotEqual(
            SpecFingerprint.Of(_pod with { Uris = ["https://example.com/app-1.0.tgz"] }),
            SpecFingerprint.Of(_pod with { Uris = ["https://example.com/app-1.1.tgz"] }));
    }

    [Fact]
    public void Fingerprint_should_ignore_count_and_allow_decommission()
    {
        Assert.Equal(SpecFingerprint.Of(_pod), SpecFingerprint.Of(_pod with { Count = 5, AllowDecommission = true }));
    }

    [Fact]
    public void Fingerprint_should_ignore_the_order_of_env_volumes_and_tasks()
    {
        var reordered = _server with { Env = [.. _server.Env.Reverse()], Volumes = [.. _server.Volumes.Reverse()] };
        var sidecar = _server with { Name = "sidecar" };

        Assert.Equal(SpecFingerprint.Of(_server), SpecFingerprint.Of(reordered));
        Assert.Equal(SpecFingerprint.Of(_pod with { Tasks = [_server, sidecar] }), SpecFingerprint.Of(_pod with { Tasks = [sidecar, _server] }));
    }

    public static TheoryData<string, TaskSpec> TaskChanges => new()
    {
        { "name", _server with { Name = "other" } },
        { "goal", _server with { Goal = GoalState.Finish } },
        { "cmd", _server with { Command = "echo bye" } },
        { "cpus", _server with { Cpus = 0.50000001 } },
        { "memory", _server with { MemoryMb = 257 } },
        { "env value", _server with { Env = [new("A", "1"), new("B", "3")] } },
        { "env key", _server with { Env = [new("A", "1"), new("C", "2")] } },
        { "env split", _server with { Env = [new("A", "1B"), new("", "2")] } },
        { "volume size", _server with { Volumes = [new VolumeSpec("data", VolumeType.Root, 11), _server.Volumes[1]] } },
        { "volume type", _server with { Volumes = [new VolumeSpec("data", VolumeType.Mount, 10), _server.Volumes[1]] } },
        { "essential", _server with { Essential = false } },
    };

    [Theory]
    [MemberData(nameof(TaskChanges))]
    public void Fingerprint_should_change_when_the_launched_task_changes(string change, TaskSpec changed)
    {
        Assert.True(SpecFingerprint.Of(_server) != SpecFingerprint.Of(changed), change);
        Assert.NotEqual(SpecFingerprint.Of(_pod), SpecFingerprint.Of(_pod with { Tasks = [changed] }));
    }

    [Fact]
    public void Pod_fingerprint_should_change_with_pod_volumes_type_and_tasks()
    {
        var original = SpecFingerprint.Of(_pod);

        Assert.NotEqual(original, SpecFingerprint.Of(_pod with { Volumes = [new VolumeSpec("shared", VolumeType.Root, 1)] }));
        Assert.NotEqual(original, SpecFingerprint.Of(_pod with { Type = "world" }));
        Assert.NotEqual(original, SpecFingerprint.Of(_pod with { Tasks = [_server, _server with { Name = "sidecar" }] }));
    }
}
