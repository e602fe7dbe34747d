using System.Globalization;
using System.Runtime.InteropServices;
using ActorScheduler.Messages.MesosV1;
using LimitType = ActorScheduler.Messages.MesosV1.RLimitInfo.Types.RLimit.Types.Type;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// A task's <c>container.rlimit_info</c> (the Mesos <c>posix/rlimits</c> isolator) applied to its command by running it
/// under util-linux <c>prlimit</c>, which sets the limits with <c>setrlimit(2)</c> and then executes the command, so the
/// command and its children start with them. Soft and hard both set give those values; both unset, unlimited; one
/// without the other is refused, as Mesos refuses it. Limits the host would refuse (a hard limit above the agent's own
/// without privilege, RLMT_NOFILE above <c>fs.nr_open</c>, soft above hard) are refused before the command starts, with
/// Mesos's <c>Failed to set RLMT_… limit: …</c> and why.
/// </summary>
internal static class ProcessLimits
{
    /// <summary>What the host allows: the agent's own hard limits (null: unlimited), whether it may raise them, <c>fs.nr_open</c>.</summary>
    public sealed record HostLimits(Func<LimitType, ulong?> Hard, bool Privileged, ulong NrOpen);

    /// <summary>The <c>prlimit</c> options for <paramref name="info"/>, or null with the reason in <paramref name="error"/>.</summary>
    public static List<string>? Options(RLimitInfo info, HostLimits host, out string? error)
    {
        error = null;
        var options = new List<string>(info.Rlimits.Count);
        foreach (var limit in info.Rlimits)
        {
            var name = Name(limit.Type);
            if (Flag(limit.Type) is not { } flag)
            {
                error = $"Failed to set {name} limit: Could not convert rlimit: Unknown rlimit type";
                return null;
            }

            if (limit.HasSoft != limit.HasHard)
            {
                error = $"Failed to set {name} limit: Invalid rlimit values (set both 'soft' and 'hard', or neither for unlimited)";
                return null;
            }

            ulong? soft = limit.HasSoft ? limit.Soft : null;
            ulong? hard = limit.HasHard ? limit.Hard : null;
            if (soft > hard)
            {
                error = $"Failed to set {name} limit: Invalid argument (soft limit {soft} is above hard limit {hard})";
                return null;
            }

            var ceiling = host.Hard(limit.Type);
            if (!host.Privileged && ceiling is { } own && (hard is null || hard > own))
            {
                error = $"Failed to set {name} limit: Operation not permitted (hard limit {Text(hard)} is above the agent's own {own}, "
                    + "which only a privileged agent may raise)";
                return null;
            }

            if (limit.Type == LimitType.RlmtNofile && (hard ?? ulong.MaxValue) > host.NrOpen)
            {
                error = $"Failed to set {name} limit: Operation not permitted (hard limit {Text(hard)} is above fs.nr_open, {host.NrOpen} on this host)";
                return null;
            }

            options.Add($"--{flag}={Text(soft)}:{Text(hard)}");
        }

        return options;
    }

    /// <summary>argv of <paramref name="command"/> under <c>prlimit</c> with <paramref name="options"/>.</summary>
    public static List<string> Wrap(List<string> options, IReadOnlyList<string> command)
    {
        var argv = new List<string>(options.Count + command.Count + 2) { "prlimit" };
        argv.AddRange(options);
        argv.Add("--");
        argv.AddRange(command);
        return argv;
    }

    /// <summary>The limits of this process (which its task processes inherit), read once.</summary>
    public static HostLimits Host => LazyHost.Value;

    /// <summary>Whether <c>prlimit</c> is on this host's PATH (looked up once).</summary>
    public static bool PrlimitAvailable => LazyPrlimit.Value;

    private static readonly Lazy<HostLimits> LazyHost = new(() => new HostLimits(OwnHardLimit, MayRaiseHardLimits(), ReadNrOpen()));

    /// <summary>
    /// Whether this process may raise a hard limit: it holds CAP_SYS_RESOURCE (bit 24 of <c>CapEff</c> in
    /// <c>/proc/self/status</c>). Root alone is not enough: a container's root often runs without it, and then
    /// <c>prlimit</c> fails with "Operation not permitted" after the task started.
    /// </summary>
    internal static bool MayRaiseHardLimits()
    {
        const int capSysResource = 24;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                {
                    return ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps)
                        && (caps & (1UL << capSysResource)) != 0;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return geteuid() == 0;
    }

    private static readonly Lazy<bool> LazyPrlimit = new(() =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "prlimit"))));

    private static string Text(ulong? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "unlimited";

    private static string Name(LimitType type) => type switch
    {
        LimitType.RlmtAs => "RLMT_AS",
        LimitType.RlmtCore => "RLMT_CORE",
        LimitType.RlmtCpu => "RLMT_CPU",
        LimitType.RlmtData => "RLMT_DATA",
        LimitType.RlmtFsize => "RLMT_FSIZE",
        LimitType.RlmtLocks => "RLMT_LOCKS",
        LimitType.RlmtMemlock => "RLMT_MEMLOCK",
        LimitType.RlmtMsgqueue => "RLMT_MSGQUEUE",
        LimitType.RlmtNice => "RLMT_NICE",
        LimitType.RlmtNofile => "RLMT_NOFILE",
        LimitType.RlmtNproc => "RLMT_NPROC",
        LimitType.RlmtRss => "RLMT_RSS",
        LimitType.RlmtRtprio => "RLMT_RTPRIO",
        LimitType.RlmtRttime => "RLMT_RTTIME",
        LimitType.RlmtSigpending => "RLMT_SIGPENDING",
        LimitType.RlmtStack => "RLMT_STACK",
        _ => "UNKNOWN",
    };

    // prlimit's option for each type, and Linux's RLIMIT_* number (asm-generic/resource.h) to read the agent's own.
    private static (string Flag, int Resource)? Of(LimitType type) => type switch
    {
        LimitType.RlmtCpu => ("cpu", 0),
        LimitType.RlmtFsize => ("fsize", 1),
        LimitType.RlmtData => ("data", 2),
        LimitType.RlmtStack => ("stack", 3),
        LimitType.RlmtCore => ("core", 4),
        LimitType.RlmtRss => ("rss", 5),
        LimitType.RlmtNproc => ("nproc", 6),
        LimitType.RlmtNofile => ("nofile", 7),
        LimitType.RlmtMemlock => ("memlock", 8),
        LimitType.RlmtAs => ("as", 9),
        LimitType.RlmtLocks => ("locks", 10),
        LimitType.RlmtSigpending => ("sigpending", 11),
        LimitType.RlmtMsgqueue => ("msgqueue", 12),
        LimitType.RlmtNice => ("nice", 13),
        LimitType.RlmtRtprio => ("rtprio", 14),
        LimitType.RlmtRttime => ("rttime", 15),
        _ => null,
    };

    private static string? Flag(LimitType type) => Of(type)?.Flag;

    private static ulong? OwnHardLimit(LimitType type)
    {
        if (Of(type) is not { } known || getrlimit(known.Resource, out var limit) != 0)
        {
            return null;
        }

        return limit.Max == ulong.MaxValue ? null : limit.Max;
    }

    private static ulong ReadNrOpen()
    {
        try
        {
            return ulong.TryParse(File.ReadAllText("/proc/sys/fs/nr_open").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1048576;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 1048576;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out RLimit limit);

    [DllImport("libc")]
    private static extern uint geteuid();
}
