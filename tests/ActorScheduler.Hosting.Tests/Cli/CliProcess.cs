namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>Runs the real <c>actorscheduler</c> executable with a command line to its end: its exit code and what it printed.</summary>
internal static class CliProcess
{
    public static Task<(int Code, string Output, string Error)> RunAsync(params string[] arguments) =>
        RunAsync(new System.Diagnostics.ProcessStartInfo("dotnet"), [Path.Combine(AppContext.BaseDirectory, "actorscheduler.dll"), .. arguments]);

    /// <summary>
    /// The same as user <c>nobody</c> (setpriv; the tests run as root, whom file modes do not stop), with
    /// <paramref name="home"/> as its home; killed if it has not ended within a minute.
    /// </summary>
    public static Task<(int Code, string Output, string Error)> RunAsNobodyAsync(string home, params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo("setpriv");
        info.Environment["HOME"] = home;
        info.Environment["DOTNET_CLI_HOME"] = home;
        return RunAsync(info, ["--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", Path.Combine(AppContext.BaseDirectory, "actorscheduler.dll"), .. arguments]);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(System.Diagnostics.ProcessStartInfo info, string[] arguments)
    {
        (info.RedirectStandardOutput, info.RedirectStandardError, info.UseShellExecute) = (true, true, false);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        finally
        {
            // A command that did not end (a run that started where it should have refused to) is not left behind.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await output, await error);
    }
}
