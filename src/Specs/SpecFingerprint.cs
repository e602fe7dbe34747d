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
    /// <summary>Lower-case SHA-256 hex of the pod's canonical form.</summary>
    public static string Of(PodSpec pod)
    {
        var text = new CanonicalWriter();
        text.Field("pod", pod.Type);
        WriteVolumes(text, pod.Volumes);
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

        text.Field("end-task", "");
    }

    private static void WriteVolumes(CanonicalWriter text, IEnumerable<VolumeSpec> volumes)
    {
        foreach (var volume in volumes.OrderBy(v => v.Path, StringComparer.Ordinal))
        {
            text.Field("volume", volume.Path);
            text.Field("type", volume.Type.ToString());
            text.Field("size", volume.SizeMb.ToString(CultureInfo.InvariantCulture));
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
