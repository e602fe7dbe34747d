using System.Diagnostics;
using System.Globalization;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Runs a task command as a real process that outlives us: its own session (so a signal to our process group or
/// our death does not touch it), stdio in sandbox files (never pipes to us), and a wrapper that writes the exit
/// status into the sandbox so whoever adopts the process later learns how it ended.
/// </summary>
internal static class TaskProcess
{
    public const string ExitStatusFile = ".exit_status";

    private const string Wrapper =
        "exec </dev/null >>stdout 2>>stderr; " +
        "/bin/sh -c \"$ACTORSCHEDULER_TASK_COMMAND\"; code=$?; " +
        "echo $code > .exit_status.tmp && mv .exit_status.tmp " + ExitStatusFile + "; exit $code";

    private static readonly string? Setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    public static (int Pid, long StartTime) Start(string sandbox, string command, IReadOnlyList<KeyValuePair<string, string>> environment)
    {
        var info = new ProcessStartInfo(Setsid ?? "/bin/sh") { WorkingDirectory = sandbox, UseShellExecute = false };
        if (Setsid is not null)
        {
            info.ArgumentList.Add("/bin/sh");
        }

        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Wrapper);
        info.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "LANG", "TMPDIR" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                info.Environment[name] = value;
            }
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.Environment["ACTORSCHEDULER_TASK_COMMAND"] = command;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start /bin/sh");
        return (process.Id, StartTimeOf(process.Id) ?? 0);
    }

    /// <summary>True while the process with this pid and start time is alive (not gone, not a zombie, not a reused pid).</summary>
    public static bool IsAlive(int pid, long startTime)
    {
        var stat = ReadStat(pid);
        return stat is not null && stat.Value.State != 'Z' && (startTime == 0 || stat.Value.StartTime == startTime);
    }

    /// <summary>The exit code the wrapper recorded, or null when it never got to (killed by a signal).</summary>
    public static int? ExitCode(string sandbox)
    {
        var path = Path.Combine(sandbox, ExitStatusFile);
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, out var code) ? code : null;
    }

    /// <summary>Signals the task's whole process group (its session).</summary>
    public static void Signal(int pid, bool kill)
    {
        try
        {
            using var signal = Process.Start(new ProcessStartInfo("kill", [kill ? "-KILL" : "-TERM", "--", $"-{pid}"]) { UseShellExecute = false, RedirectStandardError = true });
            signal?.WaitForExit(5000);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
        }
    }

    public static long? StartTimeOf(int pid) => ReadStat(pid)?.StartTime;

    private static (char State, long StartTime)? ReadStat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], long.Parse(fields[19], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
