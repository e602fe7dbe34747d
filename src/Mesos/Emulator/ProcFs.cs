using System.Globalization;
using System.Runtime.InteropServices;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>Linux process inspection through /proc and signals through libc <c>kill(2)</c>.</summary>
internal static class ProcFs
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Start time (field 22 of /proc/&lt;pid&gt;/stat) and state letter, or null if there is no such process.</summary>
    public static (ulong StartTime, char State)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); field 22 is fields[19].
        if (fields.Length < 20 || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }

        return (start, fields[0][0]);
    }

    /// <summary>
    /// The resident memory of every process group on the host, in bytes, from one pass over <c>/proc</c> (fields 5,
    /// <c>pgrp</c>, and 24, <c>rss</c> in pages, of each <c>/proc/&lt;pid&gt;/stat</c>), added into
    /// <paramref name="rssByGroup"/> after clearing it. A task's processes are the group its <c>setsid</c> leader leads.
    /// </summary>
    public static void ReadRssByGroup(Dictionary<int, long> rssByGroup)
    {
        rssByGroup.Clear();
        var pageSize = Environment.SystemPageSize;
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories("/proc");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var dir in entries)
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (name.IsEmpty || !char.IsAsciiDigit(name[0]))
            {
                continue;
            }

            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Ended since the directory was listed.
                continue;
            }

            var close = text.LastIndexOf(')');
            if (close < 0)
            {
                continue;
            }

            // After the command name: fields[0] is field 3 (state), fields[2] field 5 (pgrp), fields[21] field 24 (rss).
            var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 21
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var group)
                && long.TryParse(fields[21], NumberStyles.None, CultureInfo.InvariantCulture, out var pages))
            {
                rssByGroup[group] = rssByGroup.GetValueOrDefault(group) + pages * pageSize;
            }
        }
    }

    /// <summary>True when the process exists, is not a zombie, and (if known) started at the recorded time.</summary>
    public static bool IsAlive(ProcessIdentity identity)
    {
        var stat = ReadStat(identity.Pid);
        if (stat is null)
        {
            return false;
        }

        if (stat.Value.State is 'Z' or 'X' or 'x')
        {
            return false;
        }

        return identity.StartTime == 0 || stat.Value.StartTime == identity.StartTime;
    }

    /// <summary>The current working directory of a process, or null.</summary>
    public static string? ReadCwd(int pid)
    {
        try
        {
            var info = new FileInfo($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cwd");
            return info.LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Sends a signal to the whole process group led by the process (its session, via setsid).</summary>
    public static void SignalGroup(ProcessIdentity identity, int signal)
    {
        if (!IsAlive(identity))
        {
            return;
        }

        if (kill(-identity.Pid, signal) != 0)
        {
            // Not a group leader (should not happen): signal the process itself.
            _ = kill(identity.Pid, signal);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
