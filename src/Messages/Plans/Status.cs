namespace ActorScheduler.Messages.Plans;

/// <summary>
/// Status of a plan, phase or step, as in the DC/OS SDK. <see cref="Waiting"/> is display-only (interrupted) and
/// <see cref="InProgress"/> is aggregate-only.
/// </summary>
public enum Status
{
    Error,
    Waiting,
    Pending,
    Prepared,
    Starting,
    Started,
    Complete,
    InProgress,
    Delayed,
}

public static class StatusExtensions
{
    /// <summary>The wire and display name: <c>IN_PROGRESS</c>, <c>COMPLETE</c>, …</summary>
    public static string ToWireName(this Status status) => status switch
    {
        Status.Error => "ERROR",
        Status.Waiting => "WAITING",
        Status.Pending => "PENDING",
        Status.Prepared => "PREPARED",
        Status.Starting => "STARTING",
        Status.Started => "STARTED",
        Status.Complete => "COMPLETE",
        Status.InProgress => "IN_PROGRESS",
        Status.Delayed => "DELAYED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParseWireName(string name, out Status status)
    {
        foreach (var candidate in Enum.GetValues<Status>())
        {
            if (candidate.ToWireName() == name)
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }
}
