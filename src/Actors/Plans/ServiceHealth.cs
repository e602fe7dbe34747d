using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Plans;

namespace ActorScheduler.Actors.Plans;

/// <summary>A service's health as <c>GET /v1/health</c> reports it: a DC/OS status name and its HTTP code.</summary>
public sealed record ServiceHealthStatus(string Name, int Code);

/// <summary>
/// The service's health from its plans (DC/OS <c>ServiceStatusEvaluator</c>): the first matching rule wins, from
/// "not up yet" through errors, recovery, deployment and backup/restore plans to RUNNING.
/// </summary>
public static class ServiceHealth
{
    public static readonly ServiceHealthStatus Initializing = new("INITIALIZING", 318);
    public static readonly ServiceHealthStatus ErrorCreatingService = new("ERROR_CREATING_SERVICE", 500);
    public static readonly ServiceHealthStatus RecoveringPending = new("RECOVERING_PENDING", 203);
    public static readonly ServiceHealthStatus RecoveringStarting = new("RECOVERING_STARTING", 205);
    public static readonly ServiceHealthStatus WaitingUser = new("WAITING_USER", 207);
    public static readonly ServiceHealthStatus Delayed = new("DELAYED", 208);
    public static readonly ServiceHealthStatus DeployingPending = new("DEPLOYING_PENDING", 204);
    public static readonly ServiceHealthStatus DeployingStarting = new("DEPLOYING_STARTING", 202);
    public static readonly ServiceHealthStatus BackingUp = new("BACKING_UP", 320);
    public static readonly ServiceHealthStatus Restoring = new("RESTORING", 321);
    public static readonly ServiceHealthStatus Running = new("RUNNING", 200);

    /// <summary>The scheduler stopped for good (the DC/OS SDK's 503: no scheduler to answer); the reason says why.</summary>
    public static readonly ServiceHealthStatus Unavailable = new("UNAVAILABLE", 503);

    /// <param name="plans">Every plan's tree; empty while the scheduler starts.</param>
    /// <param name="scheduler">Whether the scheduler stopped, and whether it reconciled since it started.</param>
    public static ServiceHealthStatus Evaluate(IReadOnlyCollection<PlanInfo> plans, SchedulerCondition scheduler) => Explain(plans, scheduler).Status;

    /// <summary>The health and why: the rule that decided it (<c>GET /v1/health?verbose=true</c>).</summary>
    public static (ServiceHealthStatus Status, string Reason) Explain(IReadOnlyCollection<PlanInfo> plans, SchedulerCondition scheduler)
    {
        if (scheduler.Failure is { } failure)
        {
            return (Unavailable, $"the scheduler stopped: {failure}");
        }

        var deploy = plans.FirstOrDefault(p => p.Name == PlanGenerator.DeployPlanName);
        if (deploy is null)
        {
            return (Initializing, "the scheduler has no deploy plan yet");
        }

        if (plans.FirstOrDefault(p => !p.Errors.IsEmpty || p.Status == Status.Error) is { } failed)
        {
            return (ErrorCreatingService, $"plan {failed.Name} has errors");
        }

        // The plans' statuses come from the journal until Mesos confirmed which tasks still run.
        if (!scheduler.Reconciled)
        {
            return (Initializing, "the scheduler has not yet subscribed to Mesos and reconciled its tasks");
        }

        if (plans.FirstOrDefault(p => p.Name == "recovery") is { Status: not Status.Complete } recovery)
        {
            return (recovery.Status == Status.Pending ? RecoveringPending : RecoveringStarting, $"the recovery plan is {recovery.Status.ToWireName()}");
        }

        if (deploy.Status != Status.Complete)
        {
            var status = deploy.Status switch
            {
                Status.Waiting => WaitingUser,
                Status.Delayed => Delayed,
                Status.Pending => DeployingPending,
                _ => DeployingStarting,
            };
            return (status, $"the deploy plan is {deploy.Status.ToWireName()}");
        }

        var running = plans.Where(p => PlanCommands.IsRunning(p.Status)).ToList();
        if (running.FirstOrDefault(p => p.Name.Contains("back", StringComparison.OrdinalIgnoreCase)) is { } backup)
        {
            return (BackingUp, $"plan {backup.Name} is {backup.Status.ToWireName()}");
        }

        return running.FirstOrDefault(p => p.Name.Contains("restor", StringComparison.OrdinalIgnoreCase)) is { } restore
            ? (Restoring, $"plan {restore.Name} is {restore.Status.ToWireName()}")
            : (Running, "the deploy plan is COMPLETE and no recovery, backup or restore plan runs");
    }
}
