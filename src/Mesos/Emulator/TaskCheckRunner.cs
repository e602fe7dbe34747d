using System.Diagnostics;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>A health-check result the agent must report (and maybe act on).</summary>
internal sealed record HealthOutcome(HealthVerdict Verdict, string Message);

/// <summary>
/// Runs the COMMAND health check and the COMMAND check of one task, as the executor does: each run is a real
/// process in the task's sandbox, with the task's environment plus the check command's own, in its own session
/// (killed as a group when it overruns its timeout), its output appended to the sandbox <c>stderr</c>. Times come
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
    private readonly CommandInfo? _healthCommand;
    private readonly CheckTracker? _check;
    private readonly CommandInfo? _checkCommand;
    private Run? _healthRun;
    private Run? _checkRun;

    private TaskCheckRunner(TaskInfo task, string sandbox, IReadOnlyDictionary<string, string> environment, DateTimeOffset started)
    {
        _sandbox = sandbox;
        _environment = environment;
        if (task.HealthCheck is { } health && CheckValidation.TypeOf(health) == HealthCheck.Types.Type.Command)
        {
            _health = new HealthCheckTracker(health, started);
            _healthCommand = health.Command;
        }

        if (task.Check is { Type: CheckInfo.Types.Type.Command, Command.Command_: { } command } check)
        {
            _check = new CheckTracker(check, started);
            _checkCommand = command;
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
            if (Collect(ref _healthRun, _health.Timing, now) is { } result)
            {
                var passed = result.ExitCode == 0;
                if (_health.OnResult(passed, now) is { } verdict)
                {
                    health = new HealthOutcome(verdict, passed ? "COMMAND health check passed" : $"COMMAND health check failed: {result.Message}");
                }
            }

            StartIfDue(ref _healthRun, _health.Timing, _healthCommand!, now);
        }

        if (_check is not null)
        {
            if (Collect(ref _checkRun, _check.Timing, now) is { } result)
            {
                check = _check.OnResult(result.ExitCode, now);
            }

            StartIfDue(ref _checkRun, _check.Timing, _checkCommand!, now);
        }

        return (health, check);
    }

    /// <summary>The task is being killed or has ended: no more runs, and runs in flight are killed.</summary>
    public void Stop()
    {
        Abort(ref _healthRun);
        Abort(ref _checkRun);
    }

    private static RunResult? Collect(ref Run? run, CheckTiming timing, DateTimeOffset now)
    {
        if (run is null)
        {
            return null;
        }

        if (run.Process is null)
        {
            var failed = new RunResult(null, run.StartError!);
            run = null;
            return failed;
        }

        if (run.Process.HasExited)
        {
            var code = run.Process.ExitCode;
            run.Process.Dispose();
            run = null;
            return new RunResult(code, $"Command returned exit status {code}");
        }

        if (timing.Timeout is { } timeout && now - run.Started >= timeout)
        {
            Abort(ref run);
            return new RunResult(null, $"Command timed out after {timeout.TotalSeconds:0.###}s");
        }

        return null;
    }

    private void StartIfDue(ref Run? run, CheckTiming timing, CommandInfo command, DateTimeOffset now)
    {
        if (run is not null || now < timing.NextRun)
        {
            return;
        }

        try
        {
            var psi = new ProcessStartInfo("setsid") { UseShellExecute = false, WorkingDirectory = _sandbox };
            foreach (var arg in new[] { "/bin/sh", "-c", Wrapper, "mesos-check" }.Concat(LocalAgent.BuildCommand(command)))
            {
                psi.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in _environment)
            {
                psi.Environment[key] = value;
            }

            foreach (var variable in command.Environment?.Variables ?? Enumerable.Empty<Messages.MesosV1.Environment.Types.Variable>())
            {
                if (variable.HasName)
                {
                    psi.Environment[variable.Name] = variable.Value;
                }
            }

            psi.Environment["MESOS_SANDBOX"] = _sandbox;
            var process = Process.Start(psi) ?? throw new InvalidOperationException("setsid could not be started");
            run = new Run(process, new ProcessIdentity(process.Id, ProcFs.ReadStat(process.Id)?.StartTime ?? 0), now, null);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            run = new Run(null, null, now, $"Failed to create subprocess: {e.Message}");
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

        run = null;
    }

    private sealed record Run(Process? Process, ProcessIdentity? Identity, DateTimeOffset Started, string? StartError);

    private readonly record struct RunResult(int? ExitCode, string Message);
}
