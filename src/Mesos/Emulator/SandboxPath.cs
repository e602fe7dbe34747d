namespace ActorScheduler.Mesos.Emulator;

/// <summary>Paths a task names relative to its sandbox (fetcher output files, rendered config templates).</summary>
public static class SandboxPath
{
    /// <summary>
    /// The full path of <paramref name="relative"/> in <paramref name="sandbox"/>, or null when it is empty, absolute, or
    /// leads out of the sandbox (<c>..</c>).
    /// </summary>
    public static string? Resolve(string sandbox, string relative)
    {
        if (relative.Length == 0 || Path.IsPathRooted(relative))
        {
            return null;
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sandbox));
        var full = Path.GetFullPath(Path.Combine(root, relative));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }
}
