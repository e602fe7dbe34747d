using System.Text.Json;
using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// One local agent: its resources, dynamic reservations and persistent volumes, the tasks it runs, and a
/// checkpoint of all of that in its work dir, written (atomically) before the master acts on a change — so a
/// restarted emulator recovers the agent with the same id and re-adopts its live task processes.
/// </summary>
internal sealed class LocalAgent
{
    private const string CheckpointFile = "agent.json";

    private LocalAgent(string id, string hostname, string workDir, Dictionary<string, double> total)
    {
        Id = id;
        Hostname = hostname;
        WorkDir = workDir;
        Total = total;
    }

    public string Id { get; }

    public string Hostname { get; }

    public string WorkDir { get; }

    /// <summary>Total scalar resources (cpus, mem, disk).</summary>
    public Dictionary<string, double> Total { get; }

    /// <summary>Dynamically reserved resources in refined form; volumes carry their disk info.</summary>
    public List<Resource> Reserved { get; } = new();

    public Dictionary<string, LocalTask> Tasks { get; } = new(StringComparer.Ordinal);

    /// <summary>Executors with at least one task not yet terminal, by executor id.</summary>
    public Dictionary<string, (ExecutorInfo Info, string FrameworkId)> Executors { get; } = new(StringComparer.Ordinal);

    public static LocalAgent Create(string workDir, string id, string hostname, Dictionary<string, double> total)
    {
        Directory.CreateDirectory(workDir);
        var agent = new LocalAgent(id, hostname, workDir, total);
        agent.Checkpoint();
        return agent;
    }

    /// <summary>The agent checkpointed in <paramref name="workDir"/>, or null when there is none.</summary>
    public static LocalAgent? Recover(string workDir)
    {
        var path = Path.Combine(workDir, CheckpointFile);
        if (!File.Exists(path))
        {
            return null;
        }

        var saved = JsonSerializer.Deserialize<Saved>(File.ReadAllText(path)) ?? throw new InvalidDataException($"empty checkpoint {path}");
        var agent = new LocalAgent(saved.Id, saved.Hostname, workDir, saved.Total);
        agent.Reserved.AddRange(saved.Reserved.Select(b => Resource.Parser.ParseFrom(Convert.FromBase64String(b))));
        foreach (var e in saved.Executors)
        {
            agent.Executors[e.Id] = (ExecutorInfo.Parser.ParseFrom(Convert.FromBase64String(e.Info)), e.FrameworkId);
        }

        foreach (var t in saved.Tasks)
        {
            var task = new LocalTask
            {
                Info = TaskInfo.Parser.ParseFrom(Convert.FromBase64String(t.Info)),
                FrameworkId = t.FrameworkId,
                ExecutorId = t.ExecutorId,
                Sandbox = t.Sandbox,
                State = (TaskState)t.State,
                Pid = t.Pid,
                StartTime = t.StartTime,
                KillRequested = t.KillRequested,
            };
            task.Pending.AddRange(t.Pending.Select(b => TaskStatus.Parser.ParseFrom(Convert.FromBase64String(b))));
            agent.Tasks[task.Id] = task;
        }

        return agent;
    }

    public string SandboxFor(string taskId) => Path.Combine(WorkDir, "sandboxes", taskId);

    public string VolumePath(Resource volume) =>
        Path.Combine(WorkDir, "volumes", "roles", ResourceMath.Role(volume) ?? "_", volume.Disk.Persistence.Id);

    /// <summary>Writes the whole agent state: temp file, flush, rename.</summary>
    public void Checkpoint()
    {
        var saved = new Saved
        {
            Id = Id,
            Hostname = Hostname,
            Total = Total,
            Reserved = Reserved.Select(r => Convert.ToBase64String(r.ToByteArray())).ToList(),
            Executors = Executors.Select(e => new SavedExecutor { Id = e.Key, Info = Convert.ToBase64String(e.Value.Info.ToByteArray()), FrameworkId = e.Value.FrameworkId }).ToList(),
            Tasks = Tasks.Values.Select(t => new SavedTask
            {
                Info = Convert.ToBase64String(t.Info.ToByteArray()),
                FrameworkId = t.FrameworkId,
                ExecutorId = t.ExecutorId,
                Sandbox = t.Sandbox,
                State = (int)t.State,
                Pid = t.Pid,
                StartTime = t.StartTime,
                KillRequested = t.KillRequested,
                Pending = t.Pending.Select(s => Convert.ToBase64String(s.ToByteArray())).ToList(),
            }).ToList(),
        };
        var path = Path.Combine(WorkDir, CheckpointFile);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, saved);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    private sealed class Saved
    {
        public string Id { get; set; } = string.Empty;

        public string Hostname { get; set; } = string.Empty;

        public Dictionary<string, double> Total { get; set; } = new();

        public List<string> Reserved { get; set; } = new();

        public List<SavedExecutor> Executors { get; set; } = new();

        public List<SavedTask> Tasks { get; set; } = new();
    }

    private sealed class SavedExecutor
    {
        public string Id { get; set; } = string.Empty;

        public string Info { get; set; } = string.Empty;

        public string FrameworkId { get; set; } = string.Empty;
    }

    private sealed class SavedTask
    {
        public string Info { get; set; } = string.Empty;

        public string FrameworkId { get; set; } = string.Empty;

        public string ExecutorId { get; set; } = string.Empty;

        public string Sandbox { get; set; } = string.Empty;

        public int State { get; set; }

        public int? Pid { get; set; }

        public long? StartTime { get; set; }

        public bool KillRequested { get; set; }

        public List<string> Pending { get; set; } = new();
    }
}
