namespace ActorScheduler.Mesos.Emulator.Faults;

/// <summary>Why a fault could not be injected.</summary>
public enum FaultRejection
{
    /// <summary>The settings or arguments are invalid (HTTP 400).</summary>
    Invalid,

    /// <summary>No such agent or framework (HTTP 404).</summary>
    NotFound,

    /// <summary>The agent or framework is not in a state the fault applies to, e.g. returning a reachable agent (HTTP 409).</summary>
    Conflict,
}

/// <summary>A fault injection was refused; <see cref="Exception.Message"/> says why in one line.</summary>
public sealed class FaultRejectedException : Exception
{
    public FaultRejectedException(FaultRejection rejection, string message)
        : base(message)
    {
        Rejection = rejection;
    }

    /// <summary>The kind of refusal.</summary>
    public FaultRejection Rejection { get; }
}
