using System.Runtime.InteropServices;
using System.Text;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// The local counterpart of the DC/OS SDK's <c>bootstrap.zip</c>: a small <c>bootstrap</c> script each local agent writes
/// once into <c>&lt;work dir&gt;/bin</c> and puts first on its tasks' PATH, which runs <c>actorscheduler bootstrap</c> (the
/// binary that hosts the emulator) with the task's arguments.
/// </summary>
public static class BootstrapShim
{
    /// <summary>The directory under an agent's work dir that holds the script.</summary>
    public const string DirectoryName = "bin";

    /// <summary>The script's name, as tasks call it.</summary>
    public const string FileName = "bootstrap";

    /// <summary>
    /// How to run the actorscheduler binary whose main assembly is <paramref name="assembly"/> (<c>actorscheduler.dll</c>):
    /// its apphost when this process is that apphost, else the <c>dotnet</c> host this process runs on with the assembly.
    /// </summary>
    public static IReadOnlyList<string> CommandOf(string assembly)
    {
        var process = Environment.ProcessPath;
        if (process is not null && string.Equals(Path.GetFileNameWithoutExtension(process), Path.GetFileNameWithoutExtension(assembly), StringComparison.Ordinal))
        {
            return [process];
        }

        if (process is not null && string.Equals(Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.Ordinal))
        {
            return [process, assembly];
        }

        // Another host (a test runner's): the dotnet host of this runtime (<root>/shared/Microsoft.NETCore.App/<version>/).
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var dotnet = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return [File.Exists(dotnet) ? dotnet : "dotnet", assembly];
    }

    /// <summary>The script: <c>exec &lt;command&gt; bootstrap "$@"</c>, every word single-quoted.</summary>
    public static string Script(IReadOnlyList<string> command)
    {
        var text = new StringBuilder("#!/bin/sh\n# Written by the actorscheduler Mesos emulator: the local bootstrap (DC/OS SDK bootstrap).\nexec");
        foreach (var word in command)
        {
            text.Append(" '").Append(word.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
        }

        return text.Append(" bootstrap \"$@\"\n").ToString();
    }

    /// <summary>Writes the script into <c>&lt;workDir&gt;/bin</c> unless it is there already; returns that directory.</summary>
    public static string Ensure(string workDir, IReadOnlyList<string> command)
    {
        var dir = Path.Combine(workDir, DirectoryName);
        var path = Path.Combine(dir, FileName);
        var script = Script(command);
        if (File.Exists(path) && File.ReadAllText(path) == script)
        {
            return dir;
        }

        Directory.CreateDirectory(dir);
        var temp = path + ".tmp";
        File.WriteAllText(temp, script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, (UnixFileMode)0b111_101_101);
        }

        File.Move(temp, path, overwrite: true);
        return dir;
    }
}
