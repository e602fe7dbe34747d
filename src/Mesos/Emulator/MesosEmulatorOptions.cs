namespace ActorScheduler.Mesos.Emulator;

/// <summary>Options of <see cref="MesosEmulator"/> (and of the <c>mesos-local</c> command).</summary>
public sealed class MesosEmulatorOptions
{
    /// <summary>Address to listen on.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Port to listen on; 0 picks a free one (see <see cref="MesosEmulator.Url"/>).</summary>
    public int Port { get; set; } = 5050;

    /// <summary>The most local agents an emulator runs.</summary>
    public const int MaxAgents = AgentSlots.MaxAgents;

    /// <summary>Number of local agents (agents recovered from the data dir count towards it); at most <see cref="MaxAgents"/>.</summary>
    public int Agents { get; set; } = 3;

    /// <summary>
    /// How to run the <c>actorscheduler</c> binary (<see cref="BootstrapShim.CommandOf"/>): each local agent then writes
    /// a <c>bootstrap</c> script running <c>actorscheduler bootstrap</c> into its work dir and puts it first on its tasks'
    /// PATH, so tasks render their config templates as on DC/OS. Null (the default): no <c>bootstrap</c> on the PATH.
    /// </summary>
    public IReadOnlyList<string>? BootstrapCommand { get; set; }

    /// <summary>Where agents keep their checkpoints, sandboxes and persistent volumes.</summary>
    public required string DataDir { get; set; }

    /// <summary>cpus of each new agent.</summary>
    public double AgentCpus { get; set; } = 4;

    /// <summary>mem (MB) of each new agent.</summary>
    public double AgentMemMb { get; set; } = 8192;

    /// <summary>ROOT disk (MB) of each new agent; 0 offers no ROOT disk.</summary>
    public double AgentDiskMb { get; set; } = 20480;

    /// <summary>
    /// GPUs of each new agent (a whole number; 0, the default, none). As on a Mesos master, an agent with GPUs is offered
    /// only to frameworks with the GPU_RESOURCES capability.
    /// </summary>
    public int AgentGpus { get; set; }

    /// <summary>
    /// Static reservations of each new agent in the Mesos agent's text (<c>cpus(slave_public):2;mem(slave_public):1024</c>,
    /// see <see cref="AgentReservedResources"/>), on top of its unreserved resources; null or empty: none.
    /// </summary>
    public string? AgentReserved { get; set; }

    /// <summary>
    /// MOUNT disks of each new agent, one per entry: a <c>disk</c> resource with <c>disk.source</c> of type MOUNT
    /// rooted at <c>&lt;work dir&gt;/mounts/disk-N</c> (created when first used). MOUNT disks are indivisible.
    /// </summary>
    public IReadOnlyList<AgentMountDisk> MountDisks { get; set; } = [];

    /// <summary>
    /// Agent attributes in Mesos text form (<c>rack:r1;ssd:true;cores:8;slots:[1-4]</c>), sent in every offer of the
    /// agent. Placeholders vary them per agent: <c>{index}</c> (0-based), <c>{index%N}</c>, <c>{zone}</c>,
    /// <c>{region}</c> (with <see cref="Zones"/>). Null or empty: no attributes.
    /// </summary>
    public string? Attributes { get; set; }

    /// <summary>
    /// The port range of the local agents. All agents run on this one host, so each agent offers its own
    /// disjoint slice of the range (tasks on different agents never collide on a port).
    /// </summary>
    public (ulong Begin, ulong End) AgentPorts { get; set; } = (31000, 32000);

    /// <summary>
    /// Number of fault-domain zones the agents are spread over, round-robin (agent 127.0.0.1 in <c>zone-1</c>, .2 in
    /// <c>zone-2</c>, …); offers then carry the agent's domain, so <c>@zone</c>/<c>@region</c> placement works.
    /// 0 (default) gives agents no domain.
    /// </summary>
    public int Zones { get; set; }

    /// <summary>Region of every agent when <see cref="Zones"/> is set.</summary>
    public string Region { get; set; } = "local";

    public TimeSpan AllocationInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Faults applied to agent status updates from the start (see <see cref="Faults.StatusUpdateFaults"/>); change them
    /// at run time through <see cref="MesosEmulator.Faults"/>.
    /// </summary>
    public Faults.StatusUpdateFaults StatusUpdateFaults { get; set; } = Faults.StatusUpdateFaults.None;

    /// <summary>Seed of the fault injection's random draws; null picks one (logged, so a run can be repeated).</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Secrets by name for the agents' secret resolver: a SECRET environment variable or volume whose reference names one
    /// gets its value (names are taken without a leading <c>/</c>). Looked up before <see cref="SecretsDir"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Secrets { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// A directory of secrets, one file per secret, its path under the directory being the secret's name
    /// (<c>app/db-password</c>); read at each launch, so secrets added while the emulator runs are found. Null: none.
    /// </summary>
    public string? SecretsDir { get; set; }

    /// <summary>
    /// Whether the agents hold each task to its memory, as Mesos' <c>cgroups/mem</c> isolator does: a task whose processes'
    /// resident memory passes its <c>mem</c> (or its larger <c>limits.mem</c>) is killed and fails with
    /// <c>REASON_CONTAINER_LIMITATION_MEMORY</c>. Measured once a second. False (default): tasks may use any amount, as with
    /// Mesos' default <c>posix/mem</c> isolator, which only measures.
    /// </summary>
    public bool EnforceMemory { get; set; }

    /// <summary>How often agents enforcing memory measure their tasks (tests shorten it).</summary>
    internal TimeSpan MemoryCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When false (default), task processes outlive <see cref="MesosEmulator.StopAsync"/> and are re-adopted on restart.</summary>
    public bool KillTasksOnStop { get; set; }

    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>How often task processes are polled and timers checked.</summary>
    internal TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>First resend delay of an unacknowledged status update (doubles up to 10 minutes).</summary>
    internal TimeSpan StatusUpdateRetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>SIGTERM-to-SIGKILL grace when neither the KILL call nor the task has a kill policy.</summary>
    internal TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Receives one line per notable event (mesos-local prints them).</summary>
    internal Action<string>? Log { get; set; }

    /// <summary>A copy, so a caller's options object is never changed.</summary>
    internal MesosEmulatorOptions Clone() => (MesosEmulatorOptions)MemberwiseClone();
}
