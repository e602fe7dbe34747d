using System.Globalization;

namespace ActorScheduler.Mesos.Tests.Support;

/// <summary>Looks at live processes through /proc.</summary>
internal static class ProcessProbe
{
    /// <summary>(pid, session id) of every live process whose working directory is the given directory.</summary>
    public static List<(int Pid, int Session)> InDirectory(string directory)
    {
        var found = new List<(int, int)>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (new FileInfo(Path.Combine(dir, "cwd")).LinkTarget is not { } cwd || Path.TrimEndingDirectorySeparator(cwd) != Path.TrimEndingDirectorySeparator(directory))
                {
                    continue;
                }

                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[0] is "Z" or "X")
                {
                    continue;
                }

                found.Add((pid, int.Parse(fields[3], CultureInfo.InvariantCulture)));
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
