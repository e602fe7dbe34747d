using System.Text.Json;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Atomic checkpoint file of one agent: written to a temporary file, flushed to disk, then renamed over
/// the old one, so a crash at any moment leaves either the old or the new state.
/// </summary>
internal sealed class AgentCheckpointStore
{
    public const string FileName = "agent.json";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public AgentCheckpointStore(string workDir)
    {
        WorkDir = workDir;
        Path = System.IO.Path.Combine(workDir, FileName);
    }

    public string WorkDir { get; }

    public string Path { get; }

    public static bool Exists(string workDir) => File.Exists(System.IO.Path.Combine(workDir, FileName));

    public void Save(AgentCheckpoint checkpoint)
    {
        Directory.CreateDirectory(WorkDir);
        var temp = Path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, checkpoint, JsonOptions);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, Path, overwrite: true);
    }

    /// <exception cref="MesosEmulatorException">The file exists but cannot be read.</exception>
    public AgentCheckpoint Load()
    {
        try
        {
            using var stream = File.OpenRead(Path);
            return JsonSerializer.Deserialize<AgentCheckpoint>(stream, JsonOptions)
                ?? throw new MesosEmulatorException($"agent checkpoint {Path} is empty");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new MesosEmulatorException($"agent checkpoint {Path} cannot be read: {e.Message}", e);
        }
    }
}
