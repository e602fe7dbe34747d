using System.Collections.Immutable;

namespace ActorScheduler.Messages.Plans;

/// <summary>Queries answered by the plan coordinator (and, through it, the HTTP API and CLI).</summary>
public static class PlanProtocol
{
    /// <summary>List plan names → <see cref="PlanNames"/>.</summary>
    public sealed record GetPlans
    {
        public static GetPlans Instance { get; } = new();

        private GetPlans()
        {
        }
    }

    /// <summary>The plans, in priority order.</summary>
    public sealed record PlanNames(ImmutableArray<string> Names)
    {
        /// <summary>
        /// The list is the whole picture: every listed plan has reported its tree (until then <see cref="GetPlan"/> answers
        /// <see cref="PlanNotFound"/> for it), and the <c>decommission</c> plan knows whether it has pods to decommission
        /// (it is listed only when it has). False for a moment after a start or an update, while the plans recover.
        /// </summary>
        public bool Settled { get; init; }
    }

    /// <summary>One plan's tree → <see cref="PlanInfo"/> or <see cref="PlanNotFound"/>.</summary>
    public sealed record GetPlan(string Name);

    public sealed record PlanNotFound(string Name);

    /// <summary>
    /// An operator command on a plan, or on one of its phases or steps (by name or id) → <see cref="CommandResult"/>.
    /// <paramref name="Parameters"/> are only read by <see cref="PlanCommandKind.Start"/>: they become environment
    /// variables of the tasks the plan launches.
    /// </summary>
    public sealed record Command(
        string Plan,
        PlanCommandKind Kind,
        string? Phase = null,
        string? Step = null,
        ImmutableDictionary<string, string>? Parameters = null);

    /// <summary>What became of a <see cref="Command"/>, with the DC/OS message.</summary>
    public sealed record CommandResult(PlanCommandOutcome Outcome, string Message);
}

/// <summary>The operator commands of the DC/OS plans API.</summary>
public enum PlanCommandKind
{
    /// <summary>Set parameters, restart the plan if it is complete, and proceed.</summary>
    Start,

    /// <summary>Interrupt the plan and reset all its steps to PENDING.</summary>
    Stop,

    /// <summary>Proceed (resume) the plan or phase; on a canary phase, let the next canary step run.</summary>
    Continue,

    /// <summary>Interrupt (pause) the plan or phase: nothing new starts until continued.</summary>
    Interrupt,

    /// <summary>Mark the plan, phase or step COMPLETE without running it.</summary>
    ForceComplete,

    /// <summary>Reset the plan, phase or step to PENDING (its tasks relaunch) and proceed.</summary>
    Restart,
}

/// <summary>How a plan command was taken; the HTTP API maps it to its status code.</summary>
public enum PlanCommandOutcome
{
    /// <summary>Applied (HTTP 200).</summary>
    Accepted,

    /// <summary>Nothing to do: already in the asked state (HTTP 208).</summary>
    AlreadyReported,

    /// <summary>No such plan, phase or step (HTTP 404).</summary>
    NotFound,

    /// <summary>The command is malformed, e.g. a step without its phase (HTTP 400).</summary>
    BadRequest,
}

/// <summary>A plan as the HTTP API shows it (DC/OS PlanInfo shape).</summary>
/// <param name="Interrupted">Paused by an operator (or a custom plan not started yet).</param>
/// <param name="Parameters">What the last <c>start</c> set: environment of the tasks this plan launches.</param>
public sealed record PlanInfo(
    string Name,
    Status Status,
    string Strategy,
    ImmutableArray<PhaseInfo> Phases,
    ImmutableArray<string> Errors,
    bool Interrupted = false,
    ImmutableDictionary<string, string>? Parameters = null);

/// <param name="Interrupted">Paused by an operator.</param>
public sealed record PhaseInfo(string Id, string Name, Status Status, string Strategy, ImmutableArray<StepInfo> Steps, bool Interrupted = false);

public sealed record StepInfo(string Id, string Name, Status Status, string Message);
