using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// Reads <c>volume</c> / <c>volumes</c> of a pod or task and remembers the paths already used, so a path is mounted
/// once per task (pod-level volumes are visible to every task of the pod).
/// </summary>
internal sealed class VolumeSet
{
    private static readonly ImmutableArray<(string, VolumeType)> _types = [("ROOT", VolumeType.Root), ("MOUNT", VolumeType.Mount)];

    private readonly MappingContext _context;
    private readonly Dictionary<string, string> _usedPaths;

    public VolumeSet(MappingContext context)
        : this(context, new Dictionary<string, string>(StringComparer.Ordinal))
    {
    }

    private VolumeSet(MappingContext context, Dictionary<string, string> usedPaths)
    {
        _context = context;
        _usedPaths = usedPaths;
    }

    /// <summary>A set for one task: starts with the pod's paths, adds its own without touching the pod's set.</summary>
    public VolumeSet ForTask() => new(_context, new Dictionary<string, string>(_usedPaths, StringComparer.Ordinal));

    public ImmutableArray<VolumeSpec> Read(MappingReader owner, string ownerWhat)
    {
        var single = owner.Optional("volume");
        var many = owner.Optional("volumes");
        if (single is not null && many is not null)
        {
            var key = owner.KeyNode("volumes")!;
            _context.Error(key, owner.PathOf("volumes"), $"'volume' and 'volumes' are both set on {ownerWhat}; use one of them");
            return [];
        }

        if (single is not null)
        {
            var volume = ReadVolume(single, owner.PathOf("volume"));
            return volume is null ? [] : [volume];
        }

        if (many is null or ScalarNode { IsNull: true })
        {
            return [];
        }

        var path = owner.PathOf("volumes");
        if (many is not MappingNode mapping)
        {
            _context.Error(many, path, $"expected a mapping of volume names to volumes, found {many.Describe()}");
            return [];
        }

        var volumes = ImmutableArray.CreateBuilder<VolumeSpec>();
        foreach (var entry in mapping.Entries)
        {
            var volume = ReadVolume(entry.Value, KeyPath.Child(path, entry.Key.Value));
            if (volume is not null)
            {
                volumes.Add(volume);
            }
        }

        return volumes.ToImmutable();
    }

    private VolumeSpec? ReadVolume(SpecNode node, string path)
    {
        var volume = MappingReader.Open(node, path, _context, "a volume", SpecKeys.Volume);
        if (volume is null)
        {
            return null;
        }

        var pathNode = volume.Required("path", "a path relative to the task sandbox");
        var mountPath = pathNode is null ? null : ReadMountPath(pathNode, volume.PathOf("path"));
        var typeNode = volume.Required("type", "ROOT or MOUNT");
        var type = typeNode is null ? null : ScalarReader.Choice(typeNode, volume.PathOf("type"), _context, _types);
        var sizeNode = volume.Required("size", "an integer number of MB >= 1");
        var size = sizeNode is null ? null : ScalarReader.Integer(sizeNode, volume.PathOf("size"), _context, 1);

        var profiles = ReadProfiles(volume, type);
        return mountPath is null || type is null || size is null ? null : new VolumeSpec(mountPath, type.Value, size.Value) { Profiles = profiles };
    }

    private ImmutableArray<string> ReadProfiles(MappingReader volume, VolumeType? type)
    {
        var node = volume.Optional("profiles");
        if (node is null or ScalarNode { IsNull: true })
        {
            return [];
        }

        if (type == VolumeType.Root)
        {
            _context.Error(node, volume.PathOf("profiles"), "'profiles' select a MOUNT disk; a ROOT volume has none (use type: MOUNT)");
            return [];
        }

        return NamedMapping.ReadList(node, volume.PathOf("profiles"), _context, "disk profile names",
            (item, path) => ScalarReader.Token(item, path, _context, "a disk profile name"));
    }

    private string? ReadMountPath(SpecNode node, string path)
    {
        var value = ScalarReader.String(node, path, _context, "a path relative to the task sandbox");
        if (value is null)
        {
            return null;
        }

        if (value.StartsWith('/') || value.StartsWith('\\') || value.Split('/', '\\').Contains(".."))
        {
            _context.Error(node, path, $"expected a path relative to the task sandbox without '..', found {SourceQuote.Of(value)}");
            return null;
        }

        // 'logs', './logs' and 'logs/' are one directory of the sandbox.
        var normalized = string.Join('/', value.Split('/').Where(segment => segment is not ("" or ".")));
        if (normalized.Length == 0)
        {
            _context.Error(node, path, $"expected a path inside the task sandbox, found {SourceQuote.Of(value)}, which is the sandbox itself");
            return null;
        }

        if (_usedPaths.TryGetValue(normalized, out var firstPath))
        {
            _context.Error(node, path, $"volume path '{value}' is already used by {firstPath}");
            return null;
        }

        _usedPaths[normalized] = path;
        return value;
    }
}
