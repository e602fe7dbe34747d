using System.Collections.Immutable;

namespace ActorScheduler.Specs.Model;

/// <summary>A network the pod joins (<c>networks.&lt;name&gt;</c>); joining any makes the pod's ports virtual.</summary>
/// <param name="HostPorts">Host ports mapped, pairwise, to <paramref name="ContainerPorts"/>.</param>
public sealed record NetworkSpec(
    string Name,
    ImmutableArray<int> HostPorts,
    ImmutableArray<int> ContainerPorts,
    ImmutableArray<KeyValuePair<string, string>> Labels)
{
    /// <summary>
    /// The one virtual network that maps container ports to host ports (DC/OS <c>DcosConstants.networkSupportsPortMapping</c>):
    /// a port on it is the host's; on any other (the <c>dcos</c> overlay, a CNI network) it is the container's own.
    /// </summary>
    public const string PortMappingNetwork = "mesos-bridge";

    /// <summary>This network maps container ports to host ports (<see cref="PortMappingNetwork"/>).</summary>
    public bool SupportsPortMapping => Name == PortMappingNetwork;
}

/// <summary>A resource limit (<c>rlimits.RLIMIT_NOFILE: {soft, hard}</c>); both null means unlimited.</summary>
public sealed record RlimitSpec(string Name, long? Soft, long? Hard);

public enum VolumeMode
{
    ReadWrite,
    ReadOnly,
}

/// <summary>A directory of the agent mounted into every task of the pod (<c>host-volumes</c>).</summary>
public sealed record HostVolumeSpec(string Name, string HostPath, string ContainerPath, VolumeMode Mode);

/// <summary>A volume provided by a Docker volume driver (<c>external-volumes</c>).</summary>
/// <param name="VolumeName">The volume's name at the provider as written; null lets the scheduler name it
/// (<see cref="ExternalVolumeProvider.VolumeName"/>).</param>
/// <param name="DriverOptions">Options passed to the driver, as written (<c>k=v,k2=v2</c>; see <see cref="ParseDriverOptions"/>).</param>
public sealed record ExternalVolumeSpec(
    string Name,
    string Type,
    string? VolumeName,
    VolumeMode Mode,
    string DriverName,
    string? DriverOptions,
    string ContainerPath)
{
    /// <summary>
    /// Reads <c>driver-options</c>: <c>key=value</c> items separated by <c>,</c> (or by <c>;</c>, as DC/OS specs write
    /// them: <c>shared=true;size=10;</c>), each trimmed, empty items skipped; a value may contain <c>=</c>. A key may
    /// appear once, and not as <c>name</c>, which DC/OS refuses because the volume is named by <c>volume-name</c>.
    /// </summary>
    /// <returns>The options in the order written, or the first problem (and no options).</returns>
    public static (ImmutableArray<KeyValuePair<string, string>> Options, string? Problem) ParseDriverOptions(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return ([], null);
        }

        var options = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var item in text.Split([',', ';']).Select(i => i.Trim()).Where(i => i.Length > 0))
        {
            var equals = item.IndexOf('=');
            var key = equals < 0 ? item : item[..equals].Trim();
            var value = equals < 0 ? string.Empty : item[(equals + 1)..].Trim();
            var problem = equals < 0 ? $"'{item}' has no '=' between key and value"
                : key.Length == 0 ? $"'{item}' has an empty key"
                : value.Length == 0 ? $"'{item}' has an empty value"
                : key == "name" ? "'name' cannot be a driver option: the volume's name is 'volume-name' (or made up by the scheduler)"
                : options.Any(o => o.Key == key) ? $"the key '{key}' is given twice"
                : null;
            if (problem is not null)
            {
                return ([], problem);
            }

            options.Add(new KeyValuePair<string, string>(key, value));
        }

        return (options.ToImmutable(), null);
    }
}

/// <summary>A secret from the secret store, exposed as <see cref="EnvKey"/> and/or written to <see cref="File"/>.</summary>
public sealed record SecretSpec(string Name, string SecretPath, string? EnvKey, string? File);

public enum IpcMode
{
    Private,
    ShareParent,
}

public enum DiscoveryVisibility
{
    Framework,
    Cluster,
    External,
}

/// <summary>DNS name <c>&lt;prefix&gt;-&lt;index&gt;.&lt;service&gt;…</c> for a task (<c>discovery</c>).</summary>
public sealed record DiscoverySpec(string? Prefix, DiscoveryVisibility Visibility);

public enum TransportEncryptionType
{
    Tls,
    Keystore,
}

/// <summary>A TLS artifact the task asks for (<c>transport-encryption</c>).</summary>
public sealed record TransportEncryptionSpec(string Name, TransportEncryptionType Type);

/// <summary>A config template rendered into the task sandbox (<c>configs.&lt;name&gt;: {template, dest}</c>).</summary>
/// <param name="Template">Path of the template, relative to the spec file.</param>
/// <param name="Destination">Path in the task sandbox the rendered file is written to.</param>
public sealed record ConfigTemplateSpec(string Name, string Template, string Destination)
{
    /// <summary>
    /// SHA-256 (lower-case hex) of the template's text as stored with the config version, so a changed template changes
    /// the task's fingerprint and relaunches it (DC/OS keeps the text in the spec); null where the text is not at hand
    /// (a spec just loaded). Not printed: the fingerprint writes it as a field of its own.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? ContentDigest { get; init; }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name).Append(", Template = ").Append(Template).Append(", Destination = ").Append(Destination);
        return true;
    }
}
