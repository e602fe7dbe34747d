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

    public sealed record PlanNames(ImmutableArray<string> Names);

    /// <summary>One plan's tree → <see cref="PlanInfo"/> or <see cref="PlanNotFound"/>.</summary>
    public sealed record GetPlan(string Name);

    public sealed record PlanNotFound(string Name);
}

/// <summary>A plan as the HTTP API shows it (DC/OS PlanInfo shape).</summary>
public sealed record PlanInfo(
    string Name,
    Status Status,
    string Strategy,
    ImmutableArray<PhaseInfo> Phases,
    ImmutableArray<string> Errors);

public sealed record PhaseInfo(string Id, string Name, Status Status, string Strategy, ImmutableArray<StepInfo> Steps);

public sealed record StepInfo(string Id, string Name, Status Status, string Message);
