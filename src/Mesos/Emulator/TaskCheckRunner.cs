using System.Diagnostics;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>A health-check result the agent must report (and maybe act on).</summary>
internal sealed record HealthOutcome(HealthVerdict Verdict, string Message);

/// <summary>
/// Runs the health check and the check of one task, as the executor does. A COMMAND run is a real process in the
/// task's sandbox, with the task's environment plus the check command's own, in its own session (killed as a group
/// when it overruns its timeout), its output appended to the sandbox <c>stderr</c>; an HTTP or TCP run is a request
/// to the task's port on the loopback address (<see cref="NetworkCheck"/>), cancelled when it overruns. Times come
/// from the agent's <see cref="TimeProvider"/>; the agent calls <see cref="Poll"/> from its poll loop, which starts
/// due runs and collects finished ones. The decisions are <see cref="HealthCheckTracker"/>'s and
/// <see cref="CheckTracker"/>'s.
/// </summary>
internal sealed class TaskCheckRunner
{
    // Stdio to the sandbox (the executor's stderr), then the command itself: its exit status is the run's.
    private const string Wrapper = "exec </dev/null >>\"$MESOS_SANDBOX/" + TaskProcessRunner.StderrFile + "\" 2>&1\nexec \"$@\"\n";

    private readonly string _sandbox;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly HealthCheckTracker? _health;
    private readonly Probe? _healthProbe;
    private readonly CheckTracker? _check;
    private readonly Probe? _checkProbe;
    private Run? _healthRun;
    private Run? _checkRun;

    private TaskCheckRunner(TaskInfo task, string sandbox, IReadOnlyDictionary<string, string> environment, DateTimeOffset started)
    {
        _sandbox = sandbox;
        _environment = environment;
        if (task.HealthCheck is { } health && Probe.Of(health) is { } healthProbe)
        {
            _health = new HealthCheckTracker(health, started);
            _healthProbe = healthProbe;
        }

        if (task.Check is { } check && Probe.Of(check) is { } checkProbe)
        {
            _check = new CheckTracker(check, started);
            _checkProbe = checkProbe;
        }
    }

    /// <summary>The checks of a task that just started running, or null when it has none to run.</summary>
    public static TaskCheckRunner? For(TaskInfo task, string sandbox, IReadOnlyDictionary<string, string> environment, DateTimeOffset started)
    {
        var runner = new TaskCheckRunner(task, sandbox, environment, started);
        return runner._health is null && runner._check is null ? null : runner;
    }

    /// <summary>
    /// Collects finished (or overdue) runs and starts due ones. Returns the health result to report, if any, and the
    /// check status if it changed.
    /// </summary>
    public (HealthOutcome? Health, CheckStatusInfo? Check) Poll(DateTimeOffset now)
    {
        HealthOutcome? health = null;
        CheckStatusInfo? check = null;
        if (_health is not null)
        {
            if (Collect(ref _healthRun, _healthProbe!, _health.Timing, now) is { } result)
            {
                var failure = result.Status is { } status ? HealthCheckTracker.FailureOf(status) : result.Message;
                if (_health.OnResult(failure is null, now) is { } verdict)
                {
                    var name = _healthProbe!.Type.ToString().ToUpperInvariant();
                    health = new HealthOutcome(verdict, failure is null ? $"{name} health check passed" : $"{name} health check failed: {failure}");
                }
            }

            StartIfDue(ref _healthRun, _health.Timing, _healthProbe!, now);
        }

        if (_check is not null)
        {
            if (Collect(ref _checkRun, _checkProbe!, _check.Timing, now) is { } result)
            {
                check = _check.OnResult(result.Status, now);
            }

            StartIfDue(ref _checkRun, _check.Timing, _checkProbe!, now);
        }

        return (health, check);
    }

    /// <summary>The task is being killed or has ended: no more runs, and runs in flight are killed.</summary>
    public void Stop()
    {
        Abort(ref _healthRun);
        Abort(ref _checkRun);
    }

    private static CheckRunResult? Collect(ref Run? run, Probe probe, CheckTiming timing, DateTimeOffset now)
    {
        if (run is null)
        {
            return null;
        }

        if (run.StartError is { } error)
        {
            run = null;
            return new CheckRunResult(null, error);
        }

        if (run.Process is { HasExited: true } process)
        {
            var code = process.ExitCode;
            process.Dispose();
            run = null;
            return new CheckRunResult(
                new CheckStatusInfo { Type = CheckInfo.Types.Type.Command, Command = new CheckStatusInfo.Types.Command { ExitCode = code } },
                $"Command returned exit status {code}");
        }

        if (run.Request is { IsCompleted: true } request)
        {
            run = null;
            return request.Result;
        }

        if (timing.Timeout is { } timeout && now - run.Started >= timeout)
        {
            Abort(ref run);
            var what = probe.Type switch
            {
                CheckInfo.Types.Type.Http => "HTTP request",
                CheckInfo.Types.Type.Tcp => "TCP connection",
                _ => "Command",
            };
            return new CheckRunResult(null, $"{what} timed out after {timeout.TotalSeconds:0.###}s");
        }

        return null;
    }

    private void StartIfDue(ref Run? run, CheckTiming timing, Probe probe, DateTimeOffset now)
    {
        if (run is not null || now < timing.NextRun)
        {
            return;
        }

        if (probe.Command is null)
        {
            var cancel = new CancellationTokenSource();
            var request = probe.Type == CheckInfo.Types.Type.Http
                ? NetworkCheck.HttpAsync(probe.Url!, cancel.Token)
                : NetworkCheck.TcpAsync(probe.Ipv6, probe.Port, cancel.Token);
            run = new Run(null, null, request, cancel, now, null);
            return;
        }

        try
        {
            var psi = new ProcessStartInfo("setsid") { UseShellExecute = false, WorkingDirectory = _sandbox };
            foreach (var arg in new[] { "/bin/sh", "-c", Wrapper, "mesos-check" }.Concat(LocalAgent.BuildCommand(probe.Command)))
            {
                psi.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in _environment)
            {
                psi.Environment[key] = value;
            }

            foreach (var variable in probe.Command.Environment?.Variables ?? Enumerable.Empty<Messages.MesosV1.Environment.Types.Variable>())
            {
                if (variable.HasName)
                {
                    psi.Environment[variable.Name] = variable.Value;
                }
            }

            psi.Environment["MESOS_SANDBOX"] = _sandbox;
            var process = Process.Start(psi) ?? throw new InvalidOperationException("setsid could not be started");
            run = new Run(process, new ProcessIdentity(process.Id, ProcFs.ReadStat(process.Id)?.StartTime ?? 0), null, null, now, null);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            run = new Run(null, null, null, null, now, $"Failed to create subprocess: {e.Message}");
        }
    }

    private static void Abort(ref Run? run)
    {
        if (run?.Process is { } process)
        {
            if (!process.HasExited && run.Identity is { } identity)
            {
                ProcFs.SignalGroup(identity, ProcFs.SigKill);
            }

            process.Dispose();
        }

        // The request ends on its own once cancelled; its result (it never throws) is dropped.
        run?.Cancel?.Cancel();
        run = null;
    }

    /// <summary>One run in flight: a check process, or an HTTP / TCP request and its cancellation.</summary>
    private sealed record Run(
        Process? Process, ProcessIdentity? Identity, Task<CheckRunResult>? Request, CancellationTokenSource? Cancel, DateTimeOffset Started, string? StartError);

    /// <summary>What one run does: a command, a GET of a URL or a connect to a port.</summary>
    private sealed record Probe(CheckInfo.Types.Type Type, CommandInfo? Command, string? Url, bool Ipv6, uint Port)
    {
        public static Probe? Of(HealthCheck check)
        {
            switch (CheckValidation.TypeOf(check))
            {
                case HealthCheck.Types.Type.Command:
                    return new Probe(CheckInfo.Types.Type.Command, check.Command, null, false, 0);
                case HealthCheck.Types.Type.Http when check.Http is { } http:
                    var ipv6 = http.Protocol == NetworkInfo.Types.Protocol.Ipv6;
                    return new Probe(CheckInfo.Types.Type.Http, null, NetworkCheck.Url(http.Scheme, ipv6, http.Port, http.Path), ipv6, http.Port);
                case HealthCheck.Types.Type.Tcp when check.Tcp is { } tcp:
                    return new Probe(CheckInfo.Types.Type.Tcp, null, null, tcp.Protocol == NetworkInfo.Types.Protocol.Ipv6, tcp.Port);
                default:
                    return null;
            }
        }

        public static Probe? Of(CheckInfo check) => check switch
        {
            { Type: CheckInfo.Types.Type.Command, Command.Command_: { } command } => new Probe(CheckInfo.Types.Type.Command, command, null, false, 0),
            { Type: CheckInfo.Types.Type.Http, Http: { } http } =>
                new Probe(CheckInfo.Types.Type.Http, null, NetworkCheck.Url(null, false, http.Port, http.Path), false, http.Port),
            { Type: CheckInfo.Types.Type.Tcp, Tcp: { } tcp } => new Probe(CheckInfo.Types.Type.Tcp, null, null, false, tcp.Port),
            _ => null,
        };
    }
}
