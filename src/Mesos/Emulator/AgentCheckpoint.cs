using System.Text.Json.Nodes;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>What an agent writes to <c>&lt;work dir&gt;/agent.json</c> (protobuf parts as proto JSON).</summary>
internal sealed class AgentCheckpoint
{
    public int Version { get; set; } = 1;

    public string AgentId { get; set; } = string.Empty;

    public string Hostname { get; set; } = string.Empty;

    /// <summary>All resources of the agent in internal form, reservations and volumes included.</summary>
    public List<JsonNode> Resources { get; set; } = [];

    /// <summary>FrameworkInfo by framework id, for frameworks with tasks here.</summary>
    public Dictionary<string, JsonNode> Frameworks { get; set; } = [];

    public List<TaskCheckpoint> Tasks { get; set; } = [];

    /// <summary>Operation status updates not yet acknowledged (operation feedback).</summary>
    public List<OperationCheckpoint> Operations { get; set; } = [];
}

internal sealed class OperationCheckpoint
{
    public string FrameworkId { get; set; } = string.Empty;

    /// <summary>The update in flight (an OperationStatus).</summary>
    public JsonNode Status { get; set; } = new JsonObject();
}

internal sealed class TaskCheckpoint
{
    public string FrameworkId { get; set; } = string.Empty;

    public JsonNode TaskInfo { get; set; } = new JsonObject();

    public JsonNode? Executor { get; set; }

    public string Sandbox { get; set; } = string.Empty;

    public string State { get; set; } = string.Empty;

    public int? Pid { get; set; }

    public ulong StartTime { get; set; }

    public bool KillRequested { get; set; }

    /// <summary>Killed by its health check (its terminal update says healthy=false).</summary>
    public bool Unhealthy { get; set; }

    public bool Orphaned { get; set; }

    /// <summary>Its URIs were being fetched (no process yet): recovery fails it, as Mesos destroys such containers.</summary>
    public bool Fetching { get; set; }

    /// <summary>Status updates not yet acknowledged, oldest (in flight) first.</summary>
    public List<JsonNode> PendingUpdates { get; set; } = [];
}
