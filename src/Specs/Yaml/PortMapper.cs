using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// Reads <c>ports</c> of a task or resource set. One <see cref="PortMapper"/> serves a whole pod, so a static port, a
/// port name or a VIP used twice in the pod is reported where it is used the second time.
/// </summary>
internal sealed class PortMapper(MappingContext context)
{
    public const int MaxPort = 65535;

    private static readonly ImmutableArray<string> _protocols = ["tcp", "udp"];

    private readonly Dictionary<int, string> _staticPorts = [];
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _vips = new(StringComparer.Ordinal);

    public ImmutableArray<PortSpec> Read(SpecNode? node, string path)
    {
        var envKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        var portNames = node is MappingNode mapping ? mapping.Entries.Select(e => e.Key.Value).ToHashSet(StringComparer.Ordinal) : [];
        return NamedMapping.Read(node, path, context, "port names to ports", (key, value, portPath) => ReadPort(key, value, portPath, envKeys, portNames));
    }

    private PortSpec? ReadPort(ScalarNode nameNode, SpecNode node, string path, Dictionary<string, string> envKeys, HashSet<string> portNames)
    {
        var name = nameNode.Value;
        if (!Names.IsIdentifier(name))
        {
            context.Error(nameNode, path, $"expected a port name of {Names.IdentifierRule}, found {SourceQuote.Of(name)}");
        }
        else if (!_names.TryAdd(name, path))
        {
            context.Error(nameNode, path, $"port name '{name}' is already used by {_names[name]}; port names are unique in a pod");
        }

        var port = MappingReader.Open(node, path, context, "a port", SpecKeys.Port);
        if (port is null)
        {
            return null;
        }

        var numberNode = port.Optional("port");
        var number = numberNode is null ? 0 : ScalarReader.Integer(numberNode, port.PathOf("port"), context, 0, MaxPort);
        if (number > 0 && numberNode is not null && !_staticPorts.TryAdd(number.Value, port.PathOf("port")))
        {
            context.Error(numberNode, port.PathOf("port"), $"static port {number} is already used by {_staticPorts[number.Value]}; " +
                                                           "tasks of one pod share the agent's ports, so each static port may appear once (use port: 0 for any free port)");
        }

        var envKey = ReadEnvKey(port, envKeys);
        var advertiseNode = port.Optional("advertise");
        var advertise = advertiseNode is not null && ScalarReader.Boolean(advertiseNode, port.PathOf("advertise"), context) == true;
        var vip = ReadVip(port, name, portNames);
        var ranges = ReadRanges(port, number);

        return number is null ? null : new PortSpec(name, number.Value, envKey, advertise, vip, ranges);
    }

    private string? ReadEnvKey(MappingReader port, Dictionary<string, string> envKeys)
    {
        var node = port.Optional("env-key");
        if (node is null or ScalarNode { IsNull: true })
        {
            return null;
        }

        var path = port.PathOf("env-key");
        var value = ScalarReader.String(node, path, context, "an environment variable name");
        if (value is null)
        {
            return null;
        }

        if (!Names.IsEnvironmentName(value))
        {
            context.Error(node, path, $"expected {Names.EnvironmentNameRule}, found {SourceQuote.Of(value)}");
            return null;
        }

        if (!envKeys.TryAdd(value, path))
        {
            context.Error(node, path, $"env-key '{value}' is already used by {envKeys[value]}; each port needs its own variable");
            return null;
        }

        return value;
    }

    private VipSpec? ReadVip(MappingReader port, string portName, HashSet<string> portNames)
    {
        var node = port.Optional("vip");
        if (node is null or ScalarNode { IsNull: true })
        {
            return null;
        }

        var vip = MappingReader.Open(node, port.PathOf("vip"), context, "a VIP", SpecKeys.Vip);
        if (vip is null)
        {
            return null;
        }

        var numberNode = vip.Required("port", $"an integer from 1 to {MaxPort}");
        var number = numberNode is null ? null : ScalarReader.Integer(numberNode, vip.PathOf("port"), context, 1, MaxPort);
        var prefixNode = vip.Optional("prefix");
        var prefix = prefixNode is null ? portName : ScalarReader.Token(prefixNode, vip.PathOf("prefix"), context, "a VIP name prefix");
        if (prefix is not null && prefixNode is not null && !Names.IsDnsLabel(prefix))
        {
            context.Error(prefixNode, vip.PathOf("prefix"), $"expected a VIP prefix of {Names.DnsLabelRule}, found {SourceQuote.Of(prefix)}");
            prefix = null;
        }
        else if (prefix is not null && prefixNode is not null && prefix != portName && portNames.Contains(prefix))
        {
            // Endpoints are named by port name or VIP prefix, so the two would show as one (DC/OS refuses it too).
            context.Error(prefixNode, vip.PathOf("prefix"), $"VIP prefix '{prefix}' is the name of another port of this task; expected a prefix that names no other port");
            prefix = null;
        }

        var protocolNode = vip.Optional("protocol");
        var protocol = protocolNode is null ? "tcp" : ScalarReader.OneOf(protocolNode, vip.PathOf("protocol"), context, _protocols);
        if (number is null || prefix is null || protocol is null)
        {
            return null;
        }

        var address = $"{prefix}:{number}";
        if (!_vips.TryAdd(address, vip.Path))
        {
            context.Error(node, vip.Path, $"VIP {address} is already used by {_vips[address]}; a VIP names one port");
            return null;
        }

        return new VipSpec(prefix, number.Value, protocol);
    }

    private ImmutableArray<PortRange> ReadRanges(MappingReader port, int? number)
    {
        var node = port.Optional("ranges");
        if (node is null or ScalarNode { IsNull: true })
        {
            return [];
        }

        if (number > 0)
        {
            context.Error(node, port.PathOf("ranges"), $"'ranges' bound a dynamic port, but this port is static ({number}); set port: 0 or remove 'ranges'");
            return [];
        }

        return NamedMapping.ReadList(node, port.PathOf("ranges"), context, "ranges such as {begin: 10000, end: 20000}", ReadRange);
    }

    private PortRange? ReadRange(SpecNode node, string path)
    {
        var range = MappingReader.Open(node, path, context, "a port range", SpecKeys.Range);
        if (range is null)
        {
            return null;
        }

        var beginNode = range.Optional("begin");
        var endNode = range.Optional("end");
        if (beginNode is null && endNode is null)
        {
            context.Error(node, path, "expected a port range with 'begin', 'end' or both, found neither");
            return null;
        }

        var begin = beginNode is null ? null : ScalarReader.Integer(beginNode, range.PathOf("begin"), context, 1, MaxPort);
        var end = endNode is null ? null : ScalarReader.Integer(endNode, range.PathOf("end"), context, 1, MaxPort);
        if ((beginNode is not null && begin is null) || (endNode is not null && end is null))
        {
            return null;
        }

        if (begin > end)
        {
            context.Error(node, path, $"expected begin <= end, found {begin} > {end}");
            return null;
        }

        return new PortRange(begin, end);
    }
}
