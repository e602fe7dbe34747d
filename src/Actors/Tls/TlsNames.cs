using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tls;

/// <summary>
/// The names on a task's certificate, as DC/OS <c>CertificateNamesGenerator</c> makes them: the common name
/// <c>&lt;pod&gt;-&lt;index&gt;-&lt;task&gt;.&lt;service&gt;</c> (dots folded to dashes, slashes dropped, at most the last
/// 64 characters), and the DNS subject alternative names: the task's autoip name (from its discovery prefix when it
/// has one) and the name of each of its VIPs.
/// </summary>
/// <param name="TaskInstance">The task's full name (<c>hello-0-server</c>).</param>
/// <param name="SansHash">SHA-1 (hex) of the SANs joined by <c>;</c>: a certificate is issued once per SAN set.</param>
public sealed record TlsNames(string TaskInstance, string CommonName, ImmutableArray<string> Sans, string SansHash)
{
    /// <summary>RFC 5280's upper bound of a common name.</summary>
    public const int MaxCommonNameLength = 64;

    public static TlsNames Of(string serviceName, string podType, int index, TaskSpec task)
    {
        var instance = PodNames.Task(podType, index, task.Name);
        var commonName = $"{Fold(instance)}.{Fold(serviceName)}";
        if (commonName.Length > MaxCommonNameLength)
        {
            commonName = commonName[^MaxCommonNameLength..];
        }

        var host = task.Discovery?.Prefix is { } prefix ? $"{prefix}-{index.ToString(CultureInfo.InvariantCulture)}" : instance;
        var sans = ImmutableArray.CreateBuilder<string>();
        sans.Add($"{host.Replace('.', '-')}.{ServiceSpec.DnsLabelOf(serviceName)}.autoip.dcos.thisdcos.directory");
        foreach (var port in task.Ports)
        {
            if (port.Vip is { } vip)
            {
                sans.Add($"{vip.Prefix.Replace("/", string.Empty, StringComparison.Ordinal)}.{ServiceSpec.VipDomainOf(serviceName)}");
            }
        }

        var all = sans.ToImmutable();
        var hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(string.Join(';', all))));
        return new TlsNames(instance, commonName, all, hash);
    }

    private static string Fold(string name) => name.Replace('.', '-').Replace("/", string.Empty, StringComparison.Ordinal);
}
