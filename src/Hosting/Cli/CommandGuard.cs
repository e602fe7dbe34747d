namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// The last line of defence of every command: an unexpected exception becomes one line on stderr and exit code
/// 70 (EX_SOFTWARE), never a stack trace. Bad input is handled (and located) before it gets here.
/// </summary>
public static class CommandGuard
{
    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"error: {e.GetType().Name}: {e.Message} (this is a bug in actorscheduler; run with --verbose for details)");
            return 70;
        }
    }
}
