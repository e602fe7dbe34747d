using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs;

/// <summary>
/// A stable hash of everything in a pod or task spec that affects a launched task. <see cref="PodSpec.Count"/>
/// and <see cref="PodSpec.AllowDecommission"/> are left out: changing them relaunches nothing.
/// </summary>
public static class SpecFingerprint
{
    public static string Of(PodSpec pod)
    {
        var text = new StringBuilder();
        text.Append("pod\n").Append(pod.Type).Append('\n');
        foreach (var volume in pod.Volumes)
        {
            Append(text, volume);
        }

        foreach (var task in pod.Tasks)
        {
            Append(text, task);
        }

        return Hash(text);
    }

    public static string Of(TaskSpec task)
    {
        var text = new StringBuilder();
        Append(text, task);
        return Hash(text);
    }

    private static void Append(StringBuilder text, TaskSpec task)
    {
        text.Append("task\n").Append(task.Name).Append('\n')
            .Append(task.Goal).Append('\n')
            .Append(task.Command.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(task.Command).Append('\n')
            .Append(task.Cpus.ToString("R", CultureInfo.InvariantCulture)).Append('\n')
            .Append(task.MemoryMb.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(task.Essential).Append('\n');
        foreach (var (key, value) in task.Env)
        {
            text.Append("env ").Append(key.Length).Append(':').Append(key).Append('=').Append(value.Length).Append(':').Append(value).Append('\n');
        }

        foreach (var volume in task.Volumes)
        {
            Append(text, volume);
        }
    }

    private static void Append(StringBuilder text, VolumeSpec volume) =>
        text.Append("volume ").Append(volume.Path).Append(' ').Append(volume.Type).Append(' ').Append(volume.SizeMb.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static string Hash(StringBuilder text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
}
