using System.Collections.Immutable;
using System.Globalization;

namespace ActorScheduler.Specs.Model;

/// <summary>
/// What each pod instance asks a Docker volume driver for (DC/OS <c>ExternalVolumeProviderFactory</c>): the volume's
/// name at the provider and the driver options. Portworx (<c>pxd</c>) gets names and options of its own, as in DC/OS;
/// every other driver the generic ones. The name is per instance, so instances never share a volume unless Portworx is
/// told <c>shared=true</c>.
/// </summary>
public static class ExternalVolumeProvider
{
    /// <summary>The Portworx driver, which DC/OS names volumes for differently.</summary>
    public const string Portworx = "pxd";

    /// <summary>
    /// The volume's name at the provider for instance <paramref name="index"/> of <paramref name="pod"/>. The
    /// <c>volume-name</c> when given, else <c>&lt;service&gt;_&lt;pod type&gt;</c> (Portworx: <c>-</c>), and then, when
    /// the pod's external volumes have more than one container path, <c>-&lt;container-path&gt;</c> so that they do
    /// not share one name (as dcos-commons' last change to its providers did); slashes escaped as DC/OS escapes them
    /// in service names (<c>/data/kafka</c> → <c>data__kafka</c>); then <c>_&lt;index&gt;</c> (Portworx: <c>-</c>,
    /// and none for a <c>shared=true</c> volume, which every instance mounts).
    /// </summary>
    public static string VolumeName(string serviceName, PodSpec pod, int index, ExternalVolumeSpec volume)
    {
        var portworx = volume.DriverName == Portworx;
        var separator = portworx ? '-' : '_';
        var name = volume.VolumeName;
        if (name is null)
        {
            name = $"{serviceName}{separator}{pod.Type}";
            if (pod.ExternalVolumes.Select(v => v.ContainerPath).Distinct(StringComparer.Ordinal).Skip(1).Any())
            {
                name += "-" + volume.ContainerPath;
            }
        }

        var escaped = ServiceSpec.EscapeSlashes(name);
        return portworx && Options(volume).Any(o => o is { Key: "shared", Value: "true" })
            ? escaped
            : $"{escaped}{separator}{index.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The driver options sent with the volume: the spec's, and for Portworx <c>nodes=LocalNode</c> (over any
    /// given), which DC/OS adds so that the volume is created on the agent the task runs on.</summary>
    public static ImmutableArray<KeyValuePair<string, string>> DriverOptions(ExternalVolumeSpec volume)
    {
        var options = Options(volume);
        return volume.DriverName == Portworx
            ? [.. options.Where(o => o.Key != "nodes"), new KeyValuePair<string, string>("nodes", "LocalNode")]
            : options;
    }

    private static ImmutableArray<KeyValuePair<string, string>> Options(ExternalVolumeSpec volume) =>
        ExternalVolumeSpec.ParseDriverOptions(volume.DriverOptions).Options;
}
