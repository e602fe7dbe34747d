using System.Collections.Immutable;

namespace ActorScheduler.Specs.Model;

/// <summary>A network the pod joins (<c>networks.&lt;name&gt;</c>); joining any makes the pod's ports virtual.</summary>
/// <param name="HostPorts">Host ports mapped, pairwise, to <paramref name="ContainerPorts"/>.</param>
public sealed record NetworkSpec(
    string Name,
    ImmutableArray<int> HostPorts,
    ImmutableArray<int> ContainerPorts,
    ImmutableArray<KeyValuePair<string, string>> Labels);

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
/// <param name="DriverOptions">Options passed to the driver, as written (<c>k=v,k2=v2</c>).</param>
public sealed record ExternalVolumeSpec(
    string Name,
    string Type,
    string VolumeName,
    VolumeMode Mode,
    string DriverName,
    string? DriverOptions,
    string ContainerPath);

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
