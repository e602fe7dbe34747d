namespace ActorScheduler.Mesos.Client;

/// <summary>A RecordIO stream is malformed (bad length line) or ends inside a record.</summary>
public sealed class RecordIoException : IOException
{
    public RecordIoException(string message)
        : base(message)
    {
    }
}
