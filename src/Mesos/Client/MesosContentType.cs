namespace ActorScheduler.Mesos.Client;

/// <summary>The two encodings of the Mesos v1 scheduler API.</summary>
public enum MesosContentType
{
    /// <summary><c>application/x-protobuf</c>.</summary>
    Protobuf,

    /// <summary><c>application/json</c> with proto field names (snake_case).</summary>
    Json,
}
