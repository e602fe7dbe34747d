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

    /// <param name="plans">Every plan's tree; empty while the scheduler starts.</param>
    public static ServiceHealthStatus Evaluate(IReadOnlyCollection<PlanInfo> plans)
    {
        var deploy = plans.FirstOrDefault(p => p.Name == PlanGenerator.DeployPlanName);
        if (deploy is null)
        {
            return Initializing;
        }

        if (plans.Any(p => !p.Errors.IsEmpty || p.Status == Status.Error))
        {
            return ErrorCreatingService;
        }

        if (plans.FirstOrDefault(p => p.Name == "recovery") is { Status: not Status.Complete } recovery)
        {
            return recovery.Status == Status.Pending ? RecoveringPending : RecoveringStarting;
        }

        if (deploy.Status != Status.Complete)
        {
            return deploy.Status switch
            {
                Status.Waiting => WaitingUser,
                Status.Delayed => Delayed,
                Status.Pending => DeployingPending,
                _ => DeployingStarting,
            };
        }

        var running = plans.Where(p => PlanCommands.IsRunning(p.Status)).Select(p => p.Name.ToLowerInvariant()).ToList();
        if (running.Any(n => n.Contains("back", StringComparison.Ordinal)))
        {
            return BackingUp;
        }

        return running.Any(n => n.Contains("restor", StringComparison.Ordinal)) ? Restoring : Running;
    }
}
