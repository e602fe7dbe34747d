using System.Collections.Immutable;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// The keys each kind of mapping in a spec may have, in the order error messages list them. The mappers open their
/// mappings with these lists and <c>schema/svc.schema.json</c> must declare exactly the same properties (a test in
/// ActorScheduler.Specs.Tests compares them), so adding a key means adding it here, in a mapper and in the schema.
/// </summary>
internal static class SpecKeys
{
    /// <summary>The top level of a spec.</summary>
    public static readonly ImmutableArray<string> Top = ["name", "web-url", "scheduler", "pods", "plans"];

    /// <summary><c>scheduler</c>.</summary>
    public static readonly ImmutableArray<string> Scheduler = ["principal", "zookeeper", "user"];

    /// <summary>A pod under <c>pods</c>.</summary>
    public static readonly ImmutableArray<string> Pod =
    [
        "count", "allow-decommission", "placement", "tasks", "volume", "volumes", "resource-sets", "image", "uris", "networks",
        "rlimits", "share-pid-namespace", "host-volumes", "external-volumes", "pre-reserved-role", "secrets",
        "seccomp-unconfined", "seccomp-profile-name", "ipc-mode", "shm-size",
    ];

    /// <summary>The resource keys shared by tasks and <c>resource-sets</c> entries.</summary>
    public static readonly ImmutableArray<string> Resource = ["cpus", "gpus", "memory", "resource-limits", "ports", "volume", "volumes"];

    /// <summary>The keys of a task other than its <see cref="Resource"/> keys.</summary>
    public static readonly ImmutableArray<string> TaskOwn =
    [
        "goal", "cmd", "essential", "env", "labels", "kill-grace-period", "resource-set", "health-check", "readiness-check",
        "discovery", "transport-encryption", "configs", "ipc-mode", "shm-size",
    ];

    /// <summary>A task under a pod's <c>tasks</c>: its own keys, then the resource keys.</summary>
    public static readonly ImmutableArray<string> Task = [.. TaskOwn, .. Resource];

    /// <summary>An entry of a pod's <c>resource-sets</c>.</summary>
    public static readonly ImmutableArray<string> ResourceSet = Resource;

    /// <summary><c>resource-limits</c> of a task or resource set.</summary>
    public static readonly ImmutableArray<string> ResourceLimits = ["cpus", "memory"];

    /// <summary>An entry of <c>ports</c>.</summary>
    public static readonly ImmutableArray<string> Port = ["port", "env-key", "advertise", "vip", "ranges"];

    /// <summary>A port's <c>vip</c>.</summary>
    public static readonly ImmutableArray<string> Vip = ["port", "prefix", "protocol"];

    /// <summary>An item of a port's <c>ranges</c>.</summary>
    public static readonly ImmutableArray<string> Range = ["begin", "end"];

    /// <summary>A persistent volume: <c>volume</c> or an entry of <c>volumes</c>.</summary>
    public static readonly ImmutableArray<string> Volume = ["path", "type", "size", "profiles"];

    /// <summary>A task's <c>health-check</c>.</summary>
    public static readonly ImmutableArray<string> HealthCheck = ["cmd", "interval", "grace-period", "max-consecutive-failures", "delay", "timeout"];

    /// <summary>A task's <c>readiness-check</c>.</summary>
    public static readonly ImmutableArray<string> ReadinessCheck = ["cmd", "interval", "delay", "timeout"];

    /// <summary>A task's <c>discovery</c>.</summary>
    public static readonly ImmutableArray<string> Discovery = ["prefix", "visibility"];

    /// <summary>An entry of a pod's <c>networks</c>.</summary>
    public static readonly ImmutableArray<string> Network = ["host-ports", "container-ports", "labels"];

    /// <summary>An entry of a pod's <c>rlimits</c>.</summary>
    public static readonly ImmutableArray<string> Rlimit = ["soft", "hard"];

    /// <summary>An entry of a pod's <c>host-volumes</c>.</summary>
    public static readonly ImmutableArray<string> HostVolume = ["host-path", "container-path", "mode"];

    /// <summary>An entry of a pod's <c>external-volumes</c>.</summary>
    public static readonly ImmutableArray<string> ExternalVolume =
        ["type", "volume-name", "volume-mode", "driver-name", "driver-options", "container-path"];

    /// <summary>An entry of a pod's <c>secrets</c>.</summary>
    public static readonly ImmutableArray<string> Secret = ["secret", "env-key", "file"];

    /// <summary>An item of a task's <c>transport-encryption</c>.</summary>
    public static readonly ImmutableArray<string> TransportEncryption = ["name", "type"];

    /// <summary>An entry of a task's <c>configs</c>.</summary>
    public static readonly ImmutableArray<string> Config = ["template", "dest"];

    /// <summary>A plan under <c>plans</c>.</summary>
    public static readonly ImmutableArray<string> Plan = ["strategy", "phases"];

    /// <summary>A phase under a plan's <c>phases</c>.</summary>
    public static readonly ImmutableArray<string> Phase = ["pod", "strategy", "steps", "depends-on"];
}
