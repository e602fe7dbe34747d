namespace ActorScheduler.Mesos;

/// <summary>
/// A data dir (<c>run</c>'s and the emulator's): created with its parents if missing and proven writable, or why not in
/// words an operator acts on — a path (or a parent of it) that is a file is said to be one, not "could not find a part
/// of the path".
/// </summary>
public static class DataDirectory
{
    /// <summary>Creates <paramref name="path"/> (and <paramref name="subdirectory"/> in it) and writes a probe file there.</summary>
    /// <returns>A one-line reason starting with <c>data dir '&lt;path&gt;'</c>, or null when the directory is usable.</returns>
    public static string? Prepare(string path, string? subdirectory = null)
    {
        try
        {
            Directory.CreateDirectory(subdirectory is null ? path : Path.Combine(path, subdirectory));
            var probe = Path.Combine(path, $".write-probe-{System.Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            if (File.Exists(path))
            {
                return $"data dir '{path}' is a file, not a directory";
            }

            for (var parent = Path.GetDirectoryName(Path.GetFullPath(path)); parent is not null; parent = Path.GetDirectoryName(parent))
            {
                if (File.Exists(parent))
                {
                    return $"data dir '{path}' cannot be created: '{parent}' is a file, not a directory";
                }
            }

            return $"data dir '{path}' is not writable: {e.Message}";
        }
    }
}
