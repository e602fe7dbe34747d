namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>Runs the real <c>actorscheduler</c> executable with a command line to its end: its exit code and what it printed.</summary>
internal static class CliProcess
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actorscheduler.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
