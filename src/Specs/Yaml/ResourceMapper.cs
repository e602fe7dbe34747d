using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// Reads the resource keys shared by tasks and <c>resource-sets</c> entries: <c>cpus</c>, <c>gpus</c>, <c>memory</c>,
/// <c>resource-limits</c>, <c>ports</c> and <c>volume</c>/<c>volumes</c>.
/// </summary>
internal static class ResourceMapper
{
    private const string Unlimited = "unlimited";

    /// <summary>Reads the resources of <paramref name="owner"/>; cpus and memory are required.</summary>
    public static ResourceSetSpec Read(string id, MappingReader owner, string ownerWhat, VolumeSet volumes, PortMapper ports, MappingContext context)
    {
        var cpusNode = owner.Required("cpus", "a number > 0");
        var cpus = cpusNode is null ? null : ScalarReader.Cpus(cpusNode, owner.PathOf("cpus"), context);
        var memoryNode = owner.Required("memory", "an integer number of MB >= 1");
        var memory = memoryNode is null ? null : ScalarReader.Integer(memoryNode, owner.PathOf("memory"), context, 1);
        var gpusNode = owner.Optional("gpus");
        var gpus = gpusNode is null ? 0 : ScalarReader.Gpus(gpusNode, owner.PathOf("gpus"), context);
        var limits = ReadLimits(owner, context);
        var portSpecs = ports.Read(owner.Optional("ports"), owner.PathOf("ports"));
        var volumeSpecs = volumes.Read(owner, ownerWhat);
        return new ResourceSetSpec(id, cpus ?? 0, gpus ?? 0, memory ?? 0, limits, portSpecs, volumeSpecs);
    }

    /// <summary>Reads <c>resource-sets</c> of a pod.</summary>
    public static ImmutableArray<ResourceSetSpec> ReadSets(MappingReader pod, VolumeSet podVolumes, PortMapper ports, MappingContext context) =>
        NamedMapping.Read(pod.Optional("resource-sets"), pod.PathOf("resource-sets"), context, "resource set ids to resources",
            (key, node, path) =>
            {
                if (!Names.IsIdentifier(key.Value))
                {
                    context.Error(key, path, $"expected a resource set id of {Names.IdentifierRule}, found {SourceQuote.Of(key.Value)}");
                }

                var set = MappingReader.Open(node, path, context, "a resource set", SpecKeys.ResourceSet);
                return set is null ? null : Read(key.Value, set, "a resource set", podVolumes.ForTask(), ports, context);
            });

    private static ResourceLimits? ReadLimits(MappingReader owner, MappingContext context)
    {
        var node = owner.Optional("resource-limits");
        if (node is null or ScalarNode { IsNull: true })
        {
            return null;
        }

        var limits = MappingReader.Open(node, owner.PathOf("resource-limits"), context, "resource limits", SpecKeys.ResourceLimits);
        if (limits is null)
        {
            return null;
        }

        // An empty value ('cpus:') is no limit given, as DC/OS reads it.
        var cpusNode = limits.Optional("cpus") is ScalarNode { IsNull: true } ? null : limits.Optional("cpus");
        var cpusUnlimited = IsUnlimited(cpusNode);
        var cpus = cpusNode is null || cpusUnlimited ? null : ScalarReader.Cpus(cpusNode, limits.PathOf("cpus"), context);
        var memoryNode = limits.Optional("memory") is ScalarNode { IsNull: true } ? null : limits.Optional("memory");
        var memoryUnlimited = IsUnlimited(memoryNode);
        var memory = memoryNode is null || memoryUnlimited ? null : ScalarReader.Integer(memoryNode, limits.PathOf("memory"), context, 1);
        return new ResourceLimits(cpus, cpusUnlimited, memory, memoryUnlimited);
    }

    private static bool IsUnlimited(SpecNode? node) =>
        node is ScalarNode { IsNull: false } scalar && string.Equals(scalar.Value.Trim(), Unlimited, StringComparison.OrdinalIgnoreCase);
}
