using System.Collections.Immutable;
using ActorScheduler.Actors.Config;
using ActorScheduler.Actors.Framework;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Messages.Pods;
using ActorScheduler.Messages.Configs;
using Akka.Actor;
using Akka.Event;

namespace ActorScheduler.Actors;

/// <summary>
/// Root of one service's scheduler (<c>scheduler</c>). Settles the target config first, then starts the offer
/// router, the pods, the plans and the Mesos gateway, and routes queries to them. Queries that arrive before the
/// target is settled wait.
/// </summary>
internal sealed class SchedulerRootActor : ReceiveActor, IWithUnboundedStash
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SchedulerSettings _settings;
    private readonly IActorRef _configStore;
    private readonly IActorRef _framework;
    private readonly IActorRef _gateway;
    private IActorRef _plans = ActorRefs.Nobody;
    private IActorRef _pods = ActorRefs.Nobody;
    private IActorRef _router = ActorRefs.Nobody;

    public SchedulerRootActor(SchedulerSettings settings)
    {
        _settings = settings;
        _configStore = Context.ActorOf(ConfigStoreActor.Props(settings.ServiceName), "config-store");
        _framework = Context.ActorOf(FrameworkActor.Props(settings.ServiceName), "framework");
        _gateway = Context.ActorOf(MesosGatewayActor.Props(settings.Gateway, _framework), "mesos");

        Receive<TargetConfigReady>(OnTargetReady);
        Receive<TargetConfigRefused>(m =>
        {
            _log.Error("No valid config to deploy: {0}", string.Join("; ", m.Errors));
            Context.Stop(Self);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(SchedulerSettings settings) => Akka.Actor.Props.Create(() => new SchedulerRootActor(settings));

    protected override void PreStart() => _configStore.Tell(new ApplySpec(_settings.RenderedSpec, _settings.SpecSource, _settings.SchedulerEnvironment));

    private void OnTargetReady(TargetConfigReady ready)
    {
        var target = ready.Target;
        var context = new EvaluationContext(
            new ReservationContext(_settings.Gateway.Role, _settings.Gateway.Principal, FrameworkId: string.Empty),
            _settings.Executor,
            _settings.TaskEnv);
        _router = Context.ActorOf(OfferRouterActor.Props(_settings.ServiceName, context, _gateway), "offer-router");
        _pods = Context.ActorOf(PodsGuardianActor.Props(target, _router, _gateway), "pods");
        _plans = Context.ActorOf(PlanCoordinatorActor.Props(target, _pods, ready.Errors, _configStore, ready.DeploymentCompleted), "plans");
        _gateway.Tell(new GatewayPeers(_router, _pods));
        _log.Info("Deploying config {0} of service {1}", target.ConfigId, target.Spec.Name);

        Become(Running);
        Stash.UnstashAll();
    }

    private void Running()
    {
        Receive<PlanProtocol.GetPlans>(m => _plans.Forward(m));
        Receive<PlanProtocol.GetPlan>(m => _plans.Forward(m));
        Receive<PlanProtocol.Command>(m => _plans.Forward(m));
        Receive<ConfigProtocol.GetConfigurations>(m => _configStore.Forward(m));
        Receive<ConfigProtocol.GetConfiguration>(m => _configStore.Forward(m));
        Receive<GetFrameworkId>(m => _framework.Forward(m));
        Receive<PodProtocol.GetPodNames>(m => _pods.Forward(m));
        Receive<PodProtocol.GetPodStatus>(m => _pods.Forward(m));
        Receive<Messages.Offers.OfferProtocol.GetOfferOutcomes>(m => _router.Forward(m));
    }
}
