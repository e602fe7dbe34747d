using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs;

/// <summary>
/// Deterministic fingerprints that answer "would this pod's (or task's) launched tasks differ between two spec
/// versions?". Covers everything that shapes the launched task except <see cref="PodSpec.Count"/>,
/// <see cref="PodSpec.AllowDecommission"/> and the placement (it only steers where new instances go, as DC/OS ignores it
/// when relabelling tasks); env, labels and volumes are compared as sets (their order changes nothing), tasks
/// by name. The service-level <see cref="ServiceSpec.User"/> is not part of a pod and must be compared separately.
/// </summary>
public static class SpecFingerprint
{
    // Specs are immutable records: a pod spec's fingerprint is computed once (the scheduler asks for it on every task
    // status of every pod instance; 10,000 instances share one spec object).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PodSpec, string> PodFingerprints = new();

    /// <summary>Lower-case SHA-256 hex of the pod's canonical form.</summary>
    public static string Of(PodSpec pod) => PodFingerprints.GetValue(pod, Compute);

    private static string Compute(PodSpec pod)
    {
        var text = new CanonicalWriter();
        text.Field("pod", pod.Type);
        WriteVolumes(text, pod.Volumes);
        WritePodExtras(text, pod);
        foreach (var task in pod.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            WriteTask(text, task);
        }

        return text.Hash();
    }

    /// <summary>Lower-case SHA-256 hex of the task's canonical form (pod-level volumes not included).</summary>
    public static string Of(TaskSpec task)
    {
        var text = new CanonicalWriter();
        WriteTask(text, task);
        return text.Hash();
    }

    private static void WriteTask(CanonicalWriter text, TaskSpec task)
    {
        text.Field("task", task.Name);
        text.Field("goal", task.Goal.ToString());
        text.Field("cmd", task.Command);
        text.Field("cpus", task.Cpus.ToString("R", CultureInfo.InvariantCulture));
        text.Field("memory", task.MemoryMb.ToString(CultureInfo.InvariantCulture));
        text.Field("essential", task.Essential ? "true" : "false");
        foreach (var (key, value) in task.Env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Field("env", key);
            text.Field("=", value);
        }

        WriteVolumes(text, task.Volumes);

        // Written only when set, so specs without them keep the fingerprints they had before these keys existed.
        foreach (var (key, value) in task.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Field("label", key);
            text.Field("=", value);
        }

        if (task.KillGracePeriodSeconds is { } grace)
        {
            text.Field("kill-grace-period", grace.ToString(CultureInfo.InvariantCulture));
        }

        WriteLaunchExtras(text, task);

        text.Field("end-task", "");
    }

    /// <summary>
    /// Everything else that shapes a launched task. Records print their values (C# record ToString), so a field added to
    /// one of them changes only the fingerprints of specs that use it.
    /// </summary>
    private static void WriteLaunchExtras(CanonicalWriter text, TaskSpec task)
    {
        Optional(text, "resource-set", task.ResourceSet);
        Optional(text, "gpus", task.Gpus == 0 ? null : task.Gpus.ToString("R", CultureInfo.InvariantCulture));
        Optional(text, "limits", task.Limits?.ToString());
        foreach (var port in task.Ports.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            text.Field("port", port.Name);
            text.Field("=", $"{port.Port}|{port.EnvKey}|{port.Advertise}|{port.Vip}|{string.Join(",", port.Ranges)}");
        }

        Optional(text, "health-check", task.HealthCheck?.ToString());
        Optional(text, "readiness-check", task.ReadinessCheck?.ToString());
        Optional(text, "discovery", task.Discovery?.ToString());
        foreach (var item in task.TransportEncryption.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            text.Field("transport-encryption", item.ToString());
        }

        foreach (var config in task.Configs.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            text.Field("config", config.ToString());
            Optional(text, "config-content", config.ContentDigest);
        }

        Optional(text, "ipc-mode", task.IpcMode?.ToString());
        Optional(text, "shm-size", task.ShmSizeMb?.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Pod keys that change every task of the pod.</summary>
    private static void WritePodExtras(CanonicalWriter text, PodSpec pod)
    {
        Optional(text, "image", pod.Image);
        foreach (var uri in pod.Uris)
        {
            text.Field("uri", uri);
        }

        foreach (var network in pod.Networks)
        {
            text.Field("network", $"{network.Name}|{string.Join(",", network.HostPorts)}|{string.Join(",", network.ContainerPorts)}|{string.Join(",", network.Labels)}");
        }

        foreach (var limit in pod.Rlimits.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            text.Field("rlimit", limit.ToString());
        }

        Optional(text, "share-pid-namespace", pod.SharePidNamespace ? "true" : null);
        foreach (var volume in pod.HostVolumes.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            text.Field("host-volume", volume.ToString());
        }

        foreach (var volume in pod.ExternalVolumes.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            text.Field("external-volume", volume.ToString());
        }

        Optional(text, "pre-reserved-role", pod.PreReservedRole == "*" ? null : pod.PreReservedRole);
        foreach (var secret in pod.Secrets.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            text.Field("secret", secret.ToString());
        }

        Optional(text, "seccomp-unconfined", pod.SeccompUnconfined ? "true" : null);
        Optional(text, "seccomp-profile-name", pod.SeccompProfileName);
        Optional(text, "ipc-mode", pod.IpcMode?.ToString());
        Optional(text, "shm-size", pod.ShmSizeMb?.ToString(CultureInfo.InvariantCulture));
    }

    private static void Optional(CanonicalWriter text, string name, string? value)
    {
        if (value is not null)
        {
            text.Field(name, value);
        }
    }

    private static void WriteVolumes(CanonicalWriter text, IEnumerable<VolumeSpec> volumes)
    {
        foreach (var volume in volumes.OrderBy(v => v.Path, StringComparer.Ordinal))
        {
            text.Field("volume", volume.Path);
            text.Field("type", volume.Type.ToString());
            text.Field("size", volume.SizeMb.ToString(CultureInfo.InvariantCulture));
            if (!volume.Profiles.IsDefaultOrEmpty)
            {
                text.Field("profiles", string.Join(",", volume.Profiles));
            }
        }
    }

    /// <summary>Length-prefixed fields, so no value can be confused with a separator.</summary>
    private sealed class CanonicalWriter
    {
        private readonly StringBuilder _text = new();

        public void Field(string name, string value) =>
            _text.Append(name).Append(':').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');

        public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_text.ToString())));
    }
}
