namespace ActorScheduler.Mesos.Emulator;

/// <summary>The emulator cannot start or run; the message is one line meant for an operator.</summary>
public sealed class MesosEmulatorException : Exception
{
    public MesosEmulatorException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
