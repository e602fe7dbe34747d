namespace ActorScheduler.Mesos.Client;

/// <summary>Bytes could not be decoded into a Mesos message in the given encoding.</summary>
public sealed class MesosDecodeException : Exception
{
    public MesosDecodeException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
