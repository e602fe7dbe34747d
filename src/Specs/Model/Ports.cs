using System.Collections.Immutable;
using System.Globalization;

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
public sealed record VipSpec(string Prefix, int Port, string Protocol = "tcp")
{
    /// <summary>
    /// <c>&lt;prefix&gt;:&lt;port&gt;</c>: how the VIP is named on the task's discovery port (the value of DC/OS's
    /// <c>VIP_</c> label, which the DC/OS load balancer reads as a named VIP of the service). A method, so that the
    /// record's text (which the spec fingerprint reads) stays as it is.
    /// </summary>
    public string LabelValue() => string.Create(CultureInfo.InvariantCulture, $"{Prefix}:{Port}");

    /// <summary>The address clients use: <c>&lt;prefix&gt;.&lt;service's VIP domain&gt;:&lt;port&gt;</c>.</summary>
    public string Address(string serviceName) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}.{ServiceSpec.VipDomainOf(serviceName)}:{Port}");
}
