using System.Collections.Immutable;
using System.Globalization;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Pods;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Pods;

/// <summary>One advertised endpoint (DC/OS <c>/v1/endpoints/{name}</c>).</summary>
/// <param name="Address">host:port of every live task serving it.</param>
/// <param name="Dns">The tasks' <c>autoip</c> DNS names with the port.</param>
/// <param name="Vip">The load-balanced name when the port has a VIP.</param>
public sealed record ServiceEndpoint(string Name, ImmutableArray<string> Address, ImmutableArray<string> Dns, string? Vip);

/// <summary>
/// The endpoints a service advertises (DC/OS <c>EndpointsQueries</c>): every port marked <c>advertise: true</c> of a
/// live task, named by the port name, with the task's address and DNS name, and the VIP when the port has one.
/// </summary>
public static class ServiceEndpoints
{
    public static ImmutableArray<ServiceEndpoint> From(ServiceSpec spec, IEnumerable<PodInstanceInfo> pods)
    {
        var service = ServiceSpec.DnsLabelOf(spec.Name);
        var byName = new SortedDictionary<string, (List<string> Address, List<string> Dns, string? Vip)>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            foreach (var task in pod.Tasks.Where(t => t.Status is null || !TaskStates.IsTerminal(t.Status.State)))
            {
                if (task.Info.Discovery?.Ports is not { } ports)
                {
                    continue;
                }

                foreach (var port in ports.Ports_.Where(p => p.Visibility == DiscoveryInfo.Types.Visibility.External))
                {
                    var number = port.Number.ToString(CultureInfo.InvariantCulture);
                    var vip = VipOf(spec, port.Name);
                    if (!byName.TryGetValue(port.Name, out var endpoint))
                    {
                        endpoint = (new List<string>(), new List<string>(), vip?.Address(spec.Name));
                        byName[port.Name] = endpoint;
                    }

                    if (pod.Hostname is { } host)
                    {
                        endpoint.Address.Add($"{host}:{number}");
                    }

                    endpoint.Dns.Add($"{task.Info.Discovery.Name}.{service}.autoip.dcos.thisdcos.directory:{number}");
                }
            }
        }

        return byName.Select(e => new ServiceEndpoint(e.Key, e.Value.Address.ToImmutableArray(), e.Value.Dns.ToImmutableArray(), e.Value.Vip)).ToImmutableArray();
    }

    private static VipSpec? VipOf(ServiceSpec spec, string portName) =>
        spec.Pods
            .SelectMany(pod => pod.Tasks.SelectMany(t => t.Ports).Concat(pod.ResourceSets.SelectMany(r => r.Ports)))
            .FirstOrDefault(p => p.Name == portName && p.Vip is not null)?.Vip;
}
