using System.Globalization;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Simulation;

/// <summary>The unreserved resources a fresh simulated agent starts with.</summary>
/// <param name="Cpus">cpus.</param>
/// <param name="MemoryMb">mem, in MB.</param>
/// <param name="DiskMb">disk (ROOT), in MB; 0 for none.</param>
/// <param name="PortsBegin">First port of the agent's <c>ports</c> range.</param>
/// <param name="PortsEnd">Last port of the agent's <c>ports</c> range.</param>
public sealed record AgentResources(
    double Cpus = 8,
    double MemoryMb = 32768,
    double DiskMb = 65536,
    ulong PortsBegin = 10000,
    ulong PortsEnd = 20000)
{
    /// <summary>The defaults: plenty for any one pod instance of the examples.</summary>
    public static AgentResources Default { get; } = new();

    /// <summary>GPUs (a whole number; 0: none). Offered only to frameworks with GPU_RESOURCES, as a Mesos master does.</summary>
    public int Gpus { get; init; }

    /// <summary>
    /// Static reservations in the Mesos agent's text (<c>cpus(slave_public):2;mem(slave_public):1024</c>): scalars on top
    /// of the unreserved resources, ports taken out of the agent's range (and within it); null: none.
    /// </summary>
    public string? Reserved { get; init; }

    internal List<Resource> ToResources()
    {
        if (Cpus < 0 || MemoryMb < 0 || DiskMb < 0 || PortsEnd < PortsBegin)
        {
            throw new ArgumentException($"Agent resources must not be negative and ports must be a range: {this}");
        }

        var resources = new List<Resource> { Scalar("cpus", Cpus), Scalar("mem", MemoryMb) };
        if (DiskMb > 0)
        {
            resources.Add(Scalar("disk", DiskMb));
        }

        if (Gpus < 0)
        {
            throw new ArgumentException($"Agent gpus must not be negative: {this}");
        }

        if (Gpus > 0)
        {
            resources.Add(Scalar("gpus", Gpus));
        }

        var ports = new Resource { Name = "ports", Type = Value.Types.Type.Ranges, Ranges = new Value.Types.Ranges() };
        ports.Ranges.Range.Add(new Value.Types.Range { Begin = PortsBegin, End = PortsEnd });
        resources.Add(ports);
        if (string.IsNullOrWhiteSpace(Reserved))
        {
            return resources;
        }

        // As the emulator's agents: reserved ports lie within the agent's and are not offered unreserved too.
        var reserved = Mesos.Emulator.AgentReservedResources.TryParse(Reserved, out var error)
            ?? throw new ArgumentException($"Agent reserved resources '{Reserved}': {error}");
        if (Mesos.Emulator.AgentReservedResources.FitError(reserved, (PortsBegin, PortsEnd)) is { } fitError)
        {
            throw new ArgumentException($"Agent reserved resources '{Reserved}': {fitError}");
        }

        return Mesos.Emulator.AgentReservedResources.AddTo(resources, reserved);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"cpus={Cpus} mem={MemoryMb} disk={DiskMb} ports=[{PortsBegin}-{PortsEnd}]{(Gpus > 0 ? $" gpus={Gpus}" : string.Empty)}{(Reserved is null ? string.Empty : $" reserved={Reserved}")}");

    private static Resource Scalar(string name, double value) =>
        new() { Name = name, Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = value } };
}
