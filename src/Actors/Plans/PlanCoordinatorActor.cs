using System.Collections.Immutable;
using ActorScheduler.Messages.Plans;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// Parent of the plan managers. Starts one per plan of the target config (deploy runs at once, custom plans start
/// interrupted) and answers plan queries from the trees its plans report.
/// </summary>
internal sealed class PlanCoordinatorActor : ReceiveActor
{
    private readonly ImmutableArray<string> _order;
    private readonly Dictionary<string, PlanInfo> _plans = new(StringComparer.Ordinal);

    public PlanCoordinatorActor(TargetConfig target, IActorRef pods, ImmutableArray<string> deployErrors)
    {
        _order = target.Spec.Plans.Select(p => p.Name).ToImmutableArray();
        foreach (var plan in target.Spec.Plans)
        {
            var isDeploy = plan.Name == "deploy";
            Context.ActorOf(
                PlanActor.Props(target.Spec.Name, plan, target, pods, startInterrupted: !isDeploy, isDeploy ? deployErrors : ImmutableArray<string>.Empty),
                $"plan-{plan.Name}");
        }

        Receive<PlanReport>(m => _plans[m.Info.Name] = m.Info);
        Receive<PlanProtocol.GetPlans>(_ => Sender.Tell(new PlanProtocol.PlanNames(_order)));
        Receive<PlanProtocol.GetPlan>(m =>
        {
            if (_plans.TryGetValue(m.Name, out var info))
            {
                Sender.Tell(info);
            }
            else
            {
                Sender.Tell(new PlanProtocol.PlanNotFound(m.Name));
            }
        });
    }

    public static Props Props(TargetConfig target, IActorRef pods, ImmutableArray<string> deployErrors) =>
        Akka.Actor.Props.Create(() => new PlanCoordinatorActor(target, pods, deployErrors));
}

