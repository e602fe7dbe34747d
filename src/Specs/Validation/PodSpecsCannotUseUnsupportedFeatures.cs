using ActorScheduler.Specs.Model;
using static ActorScheduler.Specs.Validation.SpecValues;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// Pods may only use optional Mesos features the cluster has (<see cref="ClusterCapabilities"/>): <c>gpus</c> (on a task
/// or a resource set), a <c>pre-reserved-role</c> other than <c>*</c>, <c>rlimits</c>, and networks that map
/// <c>host-ports</c> to <c>container-ports</c>. Checked on every deploy, the first included: without the capability the
/// tasks could never launch.
/// </summary>
public sealed class PodSpecsCannotUseUnsupportedFeatures(ClusterCapabilities capabilities) : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        var errors = new List<SpecValidationError>();
        foreach (var pod in next.Pods)
        {
            var old = previous?.FindPod(pod.Type);
            if (!capabilities.Gpus)
            {
                CheckGpus(pod, old, errors);
            }

            if (!capabilities.PreReservedRoles && pod.PreReservedRole != "*")
            {
                errors.Add(SpecValidationError.Change($"pods.{pod.Type}.pre-reserved-role", old?.PreReservedRole, pod.PreReservedRole,
                    $"Pod '{pod.Type}' uses resources pre-reserved for role '{pod.PreReservedRole}', but this cluster cannot consume " +
                    "pre-reserved resources (it lacks reservation refinement): remove 'pre-reserved-role' to use unreserved resources, " +
                    "or deploy to a cluster that supports it"));
            }

            if (!capabilities.Rlimits && !pod.Rlimits.IsDefaultOrEmpty)
            {
                errors.Add(SpecValidationError.Change($"pods.{pod.Type}.rlimits", Rlimits(old), Rlimits(pod),
                    $"Pod '{pod.Type}' sets rlimits ({Rlimits(pod)}), but this cluster cannot apply resource limits to tasks: " +
                    "remove 'rlimits', or deploy to a cluster whose agents run the posix/rlimits isolator"));
            }

            if (!capabilities.CniPortMapping)
            {
                foreach (var network in pod.Networks.Where(n => !n.HostPorts.IsDefaultOrEmpty || !n.ContainerPorts.IsDefaultOrEmpty))
                {
                    var oldNetwork = old?.Networks.FirstOrDefault(n => n.Name == network.Name);
                    errors.Add(SpecValidationError.Change($"pods.{pod.Type}.networks.{network.Name}", PortMapping(oldNetwork), PortMapping(network),
                        $"Pod '{pod.Type}' maps ports on network '{network.Name}', but this cluster does not support CNI port mapping: " +
                        "remove 'host-ports' and 'container-ports' and reach the tasks at their container address, or deploy to a " +
                        "cluster that supports port mapping"));
                }
            }
        }

        return errors;
    }

    private static void CheckGpus(PodSpec pod, PodSpec? old, List<SpecValidationError> errors)
    {
        foreach (var set in pod.ResourceSets.Where(s => s.Gpus > 0))
        {
            var before = old?.FindResourceSet(set.Id)?.Gpus;
            errors.Add(SpecValidationError.Change($"pods.{pod.Type}.resource-sets.{set.Id}.gpus", before is { } b ? Number(b) : null, Number(set.Gpus),
                $"Resource set '{set.Id}' of pod '{pod.Type}' asks for {Gpus(set.Gpus)}, but this cluster offers no GPUs: " +
                "remove 'gpus' (or set it to 0), or deploy to a cluster whose agents offer GPUs"));
        }

        // A task on a named resource set carries that set's GPUs; it was reported above.
        foreach (var task in pod.Tasks.Where(t => t.ResourceSet is null && t.Gpus > 0))
        {
            var before = old?.FindTask(task.Name)?.Gpus;
            errors.Add(SpecValidationError.Change($"pods.{pod.Type}.tasks.{task.Name}.gpus", before is { } b ? Number(b) : null, Number(task.Gpus),
                $"Task '{task.Name}' of pod '{pod.Type}' asks for {Gpus(task.Gpus)}, but this cluster offers no GPUs: " +
                "remove 'gpus' (or set it to 0), or deploy to a cluster whose agents offer GPUs"));
        }
    }

    private static string Gpus(double count) => count == 1 ? "1 GPU" : $"{Number(count)} GPUs";

    private static string? Rlimits(PodSpec? pod) =>
        pod is null || pod.Rlimits.IsDefaultOrEmpty ? null : string.Join(", ", pod.Rlimits.Select(r => r.Name));

    private static string? PortMapping(NetworkSpec? network) =>
        network is null || (network.HostPorts.IsDefaultOrEmpty && network.ContainerPorts.IsDefaultOrEmpty)
            ? null
            : $"host-ports [{string.Join(", ", network.HostPorts)}], container-ports [{string.Join(", ", network.ContainerPorts)}]";
}
