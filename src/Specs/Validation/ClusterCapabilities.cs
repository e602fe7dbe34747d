namespace ActorScheduler.Specs.Validation;

/// <summary>
/// What the Mesos cluster the service runs on can do (DC/OS <c>Capabilities</c>). Validators refuse a spec that needs a
/// capability the cluster lacks, rather than letting its tasks fail at launch.
/// </summary>
/// <param name="Gpus">Agents offer <c>gpus</c> and frameworks may ask for them (GPU_RESOURCES).</param>
/// <param name="PreReservedRoles">Resources statically reserved for another role can be consumed (reservation refinement).</param>
/// <param name="Rlimits">Tasks may carry <c>rlimits</c> (the posix/rlimits isolator).</param>
/// <param name="CniPortMapping">Virtual networks may map host ports to container ports (CNI port-mapper plugin).</param>
/// <param name="Domains">Agents report fault domains (region and zone) that placement rules can use.</param>
/// <param name="SharedMemory">Pods and tasks may get their own IPC namespace and <c>/dev/shm</c> size (namespaces/ipc isolator).</param>
public sealed record ClusterCapabilities(
    bool Gpus,
    bool PreReservedRoles,
    bool Rlimits,
    bool CniPortMapping,
    bool Domains,
    bool SharedMemory)
{
    /// <summary>Everything available: what our Mesos emulator and a modern Mesos (1.9+) provide.</summary>
    public static ClusterCapabilities All { get; } = new(true, true, true, true, true, true);

    /// <summary>Nothing optional available: an old or minimal cluster.</summary>
    public static ClusterCapabilities None { get; } = new(false, false, false, false, false, false);
}
