namespace ActorScheduler.Mesos.Client;

/// <summary>The master could not be reached, a request timed out, or the event stream broke.</summary>
public sealed class MesosConnectionException : Exception
{
    public MesosConnectionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
