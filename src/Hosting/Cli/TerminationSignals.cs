using System.Runtime.InteropServices;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// Ctrl+C and SIGTERM for the commands: the first asks the running command to stop (the token its action gets); if it
/// has not returned <see cref="StopTimeout"/> later, or at a second signal, the process ends (exit 130 after SIGINT, 143
/// after SIGTERM). This replaces System.CommandLine's own handler, which cancels a token source it disposes once the
/// command returns: a signal arriving just then aborted the process (an ObjectDisposedException on the signal thread,
/// exit 134 and a core dump; CI saw it once after `kill -INT`). The token source here lives as long as the process.
/// </summary>
internal static class TerminationSignals
{
    /// <summary>How long a command may take to stop after the first signal (System.CommandLine's setting was the same).</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private static readonly CancellationTokenSource Stop = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static int _cancelledExitCode = 130;

    /// <summary>
    /// The exit code of a command that ends because its token was cancelled: 130 after SIGINT, 143 after SIGTERM (130
    /// when no signal came, a token cancelled otherwise).
    /// </summary>
    public static int CancelledExitCode => Volatile.Read(ref _cancelledExitCode);

    /// <summary>Handles SIGINT and SIGTERM from now on; the token is cancelled at the first.</summary>
    public static CancellationToken Register()
    {
        lock (Registrations)
        {
            if (Registrations.Count == 0)
            {
                Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
                Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
            }
        }

        return Stop.Token;
    }

    private static void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        var exitCode = context.Signal == PosixSignal.SIGINT ? 130 : 143;
        if (Stop.IsCancellationRequested)
        {
            Environment.Exit(exitCode);
        }

        Volatile.Write(ref _cancelledExitCode, exitCode);
        _ = Task.Delay(StopTimeout).ContinueWith(_ => Environment.Exit(exitCode), TaskScheduler.Default);
        try
        {
            Stop.Cancel();
        }
        catch (AggregateException e)
        {
            // A stop callback failed: the command goes on stopping; the failure is said, not thrown on the signal thread.
            Console.Error.WriteLine($"error: while stopping: {e.InnerException?.Message ?? e.Message}");
        }
    }
}
