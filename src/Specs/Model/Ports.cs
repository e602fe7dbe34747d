using System.Collections.Immutable;

namespace ActorScheduler.Specs.Model;

/// <summary>
/// A named port of a task or resource set (<c>ports.&lt;name&gt;</c>). <see cref="Port"/> 0 asks for any offered port,
/// optionally within <see cref="Ranges"/>; the chosen port reaches the task as <see cref="EnvKey"/> when set.
/// </summary>
/// <param name="Advertise">Listed by the endpoints API.</param>
/// <param name="Vip">A load-balanced name for the port, when set.</param>
public sealed record PortSpec(
    string Name,
    int Port,
    string? EnvKey,
    bool Advertise,
    VipSpec? Vip,
    ImmutableArray<PortRange> Ranges)
{
    public bool IsDynamic => Port == 0;
}

/// <summary>Bounds for a dynamic port; either side may be open (null).</summary>
public sealed record PortRange(int? Begin, int? End);

/// <summary>A virtual IP: <c>&lt;prefix&gt;.&lt;service&gt;.l4lb.thisdcos.directory:&lt;port&gt;</c>.</summary>
public sealed record VipSpec(string Prefix, int Port, string Protocol = "tcp");
