namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// The last line of defence of every command: an unexpected exception becomes one line on stderr, never a stack trace.
/// Bad input is handled (and located) before it gets here. An API answer of a shape the command does not know (a
/// scheduler of another version, a server that is none) is said as such, exit 1; anything else is a bug: exit 70
/// (EX_SOFTWARE), its stack trace written to a file the line names.
/// </summary>
public static class CommandGuard
{
    public static Task<int> RunAsync(Func<Task<int>> command) => RunAsync(command, Console.Error);

    internal static async Task<int> RunAsync(Func<Task<int>> command, TextWriter error)
    {
        try
        {
            return await command();
        }
        catch (OperationCanceledException)
        {
            // Stopped by Ctrl-C or SIGTERM: no error line, the signal's exit code.
            return TerminationSignals.CancelledExitCode;
        }
        catch (Exception e) when (IsUnexpectedJson(e))
        {
            await error.WriteLineAsync($"error: the scheduler's API answered JSON this actorscheduler does not know ({OneLine(e.Message)}): is --api the API of a scheduler of this version?");
            return 1;
        }
        catch (Exception e)
        {
            var details = Path.Combine(Path.GetTempPath(), $"actorscheduler-error-{Environment.ProcessId}.log");
            try
            {
                await File.WriteAllTextAsync(details, $"{DateTime.UtcNow:O} {Environment.CommandLine}{Environment.NewLine}{e}{Environment.NewLine}");
            }
            catch (Exception write) when (write is IOException or UnauthorizedAccessException)
            {
                details = "nowhere: " + write.Message;
            }

            await error.WriteLineAsync($"error: {e.GetType().Name}: {OneLine(e.Message)} (this is a bug in actorscheduler; details in {details})");
            return 70;
        }
    }

    /// <summary>
    /// Reading a JSON answer as a shape it does not have: a property missing (<see cref="KeyNotFoundException"/>), a
    /// value of another kind or none (<see cref="InvalidOperationException"/>), thrown by System.Text.Json's element
    /// accessors.
    /// </summary>
    private static bool IsUnexpectedJson(Exception e) =>
        e is KeyNotFoundException or InvalidOperationException or FormatException
        && e.TargetSite?.DeclaringType?.Namespace == "System.Text.Json";

    /// <summary>A message on one line (exception messages may span several).</summary>
    internal static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
