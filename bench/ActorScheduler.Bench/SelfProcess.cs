using System.Diagnostics;

namespace ActorScheduler.Bench;

/// <summary>This bench's executable started again as a child process (run directly or through <c>dotnet</c>).</summary>
internal static class SelfProcess
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }
}
