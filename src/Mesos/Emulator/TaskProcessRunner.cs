using System.Diagnostics;
using System.Globalization;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Starts task commands as real processes that outlive the emulator: each runs in its own session
/// (<c>setsid</c>, so pid = process group id) with stdio redirected to files in the sandbox, under a small
/// shell wrapper that records its pid and, when the command ends, its exit status in the sandbox.
/// </summary>
internal static class TaskProcessRunner
{
    public const string PidFile = ".mesos-pid";
    public const string ExitStatusFile = ".mesos-exit-status";
    public const string StdoutFile = "stdout";
    public const string StderrFile = "stderr";

    // $@ is the command; the handler-style trap (not an ignore) keeps the wrapper alive on SIGTERM until
    // the command (which gets the signal too, with default disposition) has ended, so the status is written.
    private const string Wrapper =
        "echo $$ > \"$MESOS_SANDBOX/.mesos-pid.tmp\" && mv -f \"$MESOS_SANDBOX/.mesos-pid.tmp\" \"$MESOS_SANDBOX/" + PidFile + "\"\n" +
        "exec </dev/null >>\"$MESOS_SANDBOX/" + StdoutFile + "\" 2>>\"$MESOS_SANDBOX/" + StderrFile + "\"\n" +
        "trap ':' TERM INT HUP\n" +
        "\"$@\"\n" +
        "code=$?\n" +
        "printf '%s\\n' \"$code\" > \"$MESOS_SANDBOX/.mesos-exit-status.tmp\" && " +
        "mv -f \"$MESOS_SANDBOX/.mesos-exit-status.tmp\" \"$MESOS_SANDBOX/" + ExitStatusFile + "\"\n";

    /// <summary>Removes the wrapper's files from a previous run in the same sandbox.</summary>
    public static void ResetSandbox(string sandbox)
    {
        Directory.CreateDirectory(sandbox);
        File.Delete(Path.Combine(sandbox, ExitStatusFile));
        File.Delete(Path.Combine(sandbox, PidFile));
    }

    /// <summary>Starts the command; returns its identity. Throws on failure to start.</summary>
    public static ProcessIdentity Start(string sandbox, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            WorkingDirectory = sandbox,
        };
        psi.ArgumentList.Add("/bin/sh");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Wrapper);
        psi.ArgumentList.Add("mesos-task");
        foreach (var arg in command)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        psi.Environment["MESOS_SANDBOX"] = sandbox;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("setsid could not be started");
        var pid = process.Id;
        var stat = ProcFs.ReadStat(pid);
        return new ProcessIdentity(pid, stat?.StartTime ?? 0);
    }

    /// <summary>The exit status the wrapper recorded, or null when the command has not ended (or was SIGKILLed).</summary>
    public static int? ReadExitStatus(string sandbox)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(sandbox, ExitStatusFile)).Trim();
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Finds the process of a task whose pid was never checkpointed (crash right after start): the pid file
    /// in the sandbox, accepted only if that process still has the sandbox as its working directory.
    /// </summary>
    public static ProcessIdentity? FindBySandbox(string sandbox)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(sandbox, PidFile)).Trim();
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }

            var stat = ProcFs.ReadStat(pid);
            if (stat is null || ProcFs.ReadCwd(pid) is not { } cwd
                || !string.Equals(Path.TrimEndingDirectorySeparator(cwd), Path.TrimEndingDirectorySeparator(sandbox), StringComparison.Ordinal))
            {
                return null;
            }

            var identity = new ProcessIdentity(pid, stat.Value.StartTime);
            return ProcFs.IsAlive(identity) ? identity : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
