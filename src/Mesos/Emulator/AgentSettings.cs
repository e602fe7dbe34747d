namespace ActorScheduler.Mesos.Emulator;

/// <summary>Knobs of local agents (internal: tests shrink the timings).</summary>
internal sealed record AgentSettings(
    TimeProvider Time,
    TimeSpan StatusUpdateRetryInterval,
    TimeSpan MaxStatusUpdateRetryInterval,
    TimeSpan DefaultKillGracePeriod,
    Action<string> Log)
{
    /// <summary>How tasks run: real processes unless the simulation kit sets its own runner.</summary>
    public ITaskRunner Runner { get; init; } = ProcessTaskRunner.Instance;

    /// <summary>How to run <c>actorscheduler</c>: host agents put a <c>bootstrap</c> running it on their tasks' PATH; null: none.</summary>
    public IReadOnlyList<string>? BootstrapCommand { get; init; }

    /// <summary>Where SECRET environment variables and volumes are resolved.</summary>
    public SecretStore Secrets { get; init; } = SecretStore.Empty;

    /// <summary>
    /// Whether host tasks are held to their memory (<see cref="MemoryLimit"/>), as Mesos' <c>cgroups/mem</c> isolator
    /// holds them; checked every <see cref="MemoryCheckInterval"/>. Off by default, as Mesos' default <c>posix/mem</c>
    /// isolator only measures.
    /// </summary>
    public bool EnforceMemory { get; init; }

    /// <summary>How often an agent enforcing memory measures its tasks.</summary>
    public TimeSpan MemoryCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The emulator's Docker volume driver: one directory per driver and name under it, shared by every agent; null: none.</summary>
    public string? DockerVolumeRoot { get; init; }
}
