namespace ActorScheduler.Specs.Tests;

/// <summary>A throw-away directory for spec files; deleted on dispose.</summary>
internal sealed class TempSpecDirectory : IDisposable
{
    public TempSpecDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "actorscheduler-specs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

internal static class RepositoryFiles
{
    /// <summary>Finds a file under the repository root by walking up from the test binaries.</summary>
    public static string Find(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relativePath} not found above {AppContext.BaseDirectory}");
    }
}
