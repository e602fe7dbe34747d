using System.Collections.Immutable;
using ActorScheduler.Actors.Config;
using ActorScheduler.Actors.Framework;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Actors.State;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Messages.Pods;
using ActorScheduler.Messages.Configs;
using ActorScheduler.Messages.State;
using Akka.Actor;
using Akka.Event;

namespace ActorScheduler.Actors;

/// <summary>
/// Root of one service's scheduler (<c>scheduler</c>). Settles the target config first, then starts the offer
/// router, the pods and the plans, and routes queries to them; the Mesos gateway subscribes once the deploy plan has
/// reported (every step and pod recovered) and the streams no plan waits for (the state files, the service CA) have
/// replayed, so offers meet a scheduler that can use them, reconciliation asks about every known task, and a stream that
/// cannot be replayed stops the scheduler before it ever subscribes. Queries that arrive before the target is settled wait.
/// </summary>
internal sealed class SchedulerRootActor : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    /// <summary>Subscribe anyway when the plans have not reported by then (a stuck recovery must not keep the framework away).</summary>
    internal static readonly TimeSpan SubscribeDeadline = TimeSpan.FromSeconds(60);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SchedulerSettings _settings;
    private readonly IActorRef _configStore;

    // The service CA of transport encryption (generated on first need unless the operator gave one).
    private readonly IActorRef _tls;
    private readonly IActorRef _framework;
    private readonly IActorRef _gateway;
    private readonly IActorRef _entities;
    private readonly IActorRef _files;
    private IActorRef _plans = ActorRefs.Nobody;
    private IActorRef _pods = ActorRefs.Nobody;
    private IActorRef _router = ActorRefs.Nobody;
    private TargetConfigReady? _current;
    private int _plansGeneration;
    // Config submissions handed to the store, numbered in the order it receives them, and the latest whose answer was applied.
    private long _submissions;
    private long _appliedSubmission;
    // Whether the log said that tasks cannot fetch their config templates (no API address).
    private bool _warnedNoApi;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    // Why the scheduler stopped for good (null while it runs), and the journal stream it could not replay, if that is why.
    private string? _failure;
    private string? _unreadableStream;
    private bool _journalUnavailable;

    // Whether the gateway has reconciled the tasks with Mesos since the scheduler started.
    private bool _reconciled;

    public SchedulerRootActor(SchedulerSettings settings)
    {
        _settings = settings;
        // Before the children start: one of them may fail to replay its stream, or to write, at once.
        Context.System.EventStream.Subscribe(Self, typeof(JournalUnreadable));
        Context.System.EventStream.Subscribe(Self, typeof(JournalWriteFailed));
        _configStore = Context.ActorOf(ConfigStoreActor.Props(settings.ServiceName), "config-store");
        _entities = Context.ActorOf(EntityJournalActor.Props(settings.ServiceName, settings.EntityJournalSnapshotEvery), "entities");
        Context.Watch(_entities);
        _framework = Context.ActorOf(FrameworkActor.Props(settings.ServiceName), "framework");
        _gateway = Context.ActorOf(MesosGatewayActor.Props(settings.Gateway, _framework, settings.Metrics, settings.Clock), "mesos");
        _files = Context.ActorOf(StateFilesActor.Props(settings.ServiceName), "state-files");
        _tls = Context.ActorOf(Tls.TlsAuthorityActor.Props(settings.ServiceName, settings.TlsAuthority, settings.Clock), "tls");
        foreach (var (actor, stream) in new[] { (_files, "files"), (_tls, "tls") })
        {
            _replaying.Add($"{settings.ServiceName}/{stream}");
            actor.Tell(AwaitReplayed.Instance);
        }

        Receive<TargetConfigReady>(OnTargetReady);
        ReceiveJournalLoss();
        ReceiveFailures();
        // Nothing valid to deploy (the spec given and the stored target both refused, e.g. by a check a newer version
        // added): stopped for good with the errors — a restart would read the same.
        Receive<TargetConfigRefused>(m => Fail($"no valid config to deploy: {string.Join("; ", m.Errors)}"));
        ReceiveAny(_ => Stash.Stash());
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    private bool _subscribing;

    // Whether the deploy plan has reported, and the streams no plan waits for that have not replayed yet.
    private bool _plansReported;
    private readonly HashSet<string> _replaying = new(StringComparer.Ordinal);

    public static Props Props(SchedulerSettings settings) => Akka.Actor.Props.Create(() => new SchedulerRootActor(settings));

    /// <summary>
    /// The scheduler under its backoff supervisor (<see cref="SchedulerSupervisorActor"/>; messages to it go to the
    /// scheduler): the one way every host starts a scheduler — <c>run</c>, the Akka.Hosting embedding and the
    /// simulation kit.
    /// </summary>
    public static Props SupervisedProps(SchedulerSettings settings) => SchedulerSupervisorActor.Props(Props(settings), RestartBackoff.Default);

    /// <summary>
    /// The offer router holds what each pod owns, where it sits and which claims are open only in memory (pods tell it
    /// when they start): restarted alone, it would take the pods' reservations for nobody's and collect them, and
    /// registered pods would never register again. So its failure fails the whole scheduler, which restarts and recovers
    /// from the journal, as when the entity journal is lost.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(Decide);

    /// <summary>How a failed child is handled: <see cref="OfferRouterFailedException"/> escalates, the rest as Akka's default.</summary>
    internal static Directive Decide(Exception failure) =>
        failure is OfferRouterFailedException ? Directive.Escalate : Akka.Actor.SupervisorStrategy.DefaultDecider.Decide(failure);

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void PreStart() =>
        _configStore.Tell(new ApplySpec(_settings.RenderedSpec, _settings.SpecSource, _settings.SchedulerEnvironment, AtStartup: true, _settings.ConfigTemplates));

    private void OnTargetReady(TargetConfigReady ready)
    {
        var target = ready.Target;
        var context = new EvaluationContext(
            new ReservationContext(_settings.Gateway.Role, _settings.Gateway.Principal, FrameworkId: string.Empty),
            _settings.Executor,
            _settings.TaskEnv)
        {
            ServiceRegion = target.Spec.Region,
            SchedulerApi = _settings.SchedulerApi,
        };
        WarnIfTemplatesCannotBeFetched(target);
        _router = Context.ActorOf(OfferRouterActor.Props(
            _settings.ServiceName, context, _gateway, _entities, _settings.Metrics, _settings.MaxClaimsPerCycle,
            abandonedPatience: _settings.GivenUpPatience, sweepInterval: _settings.ReservationSweepInterval,
            fitness: _settings.Fitness, holdMode: _settings.OfferHold,
            decisionRecordsKept: _settings.OfferDecisionRecordsKept), "offer-router");
        _pods = Context.ActorOf(PodsGuardianActor.Props(target, _entities, _router, _gateway, _settings.Metrics, _settings.Recovery, _settings.Clock, _settings.PodSnapshotAfterEvents, _configStore, _tls), "pods");
        _current = ready;
        _plans = StartPlans(ready);
        Timers.StartSingleTimer(SubscribeNow.Instance, SubscribeNow.Instance, SubscribeDeadline);
        _log.Info("Deploying config {0} of service {1}", target.ConfigId, target.Spec.Name);

        Become(Running);
        Stash.UnstashAll();
    }

    /// <summary>Config templates need the API's address to be fetched: without one, say so (once).</summary>
    private void WarnIfTemplatesCannotBeFetched(TargetConfig target)
    {
        if (_settings.SchedulerApi is null && !_warnedNoApi && target.Spec.Pods.Any(p => p.Tasks.Any(t => !t.Configs.IsDefaultOrEmpty)))
        {
            _warnedNoApi = true;
            _log.Warning("The scheduler API address is unknown: tasks get no URIs to fetch their config templates from, so their bootstrap has nothing to render");
        }
    }

    private IActorRef StartPlans(TargetConfigReady ready) => Context.ActorOf(
        PlanCoordinatorActor.Props(ready.Target, _pods, _entities, ready.Errors, _configStore, ready.DeploymentCompleted, _settings.DecommissionParallelism),
        $"plans-{++_plansGeneration}");

    /// <summary>A submitted or rolled-back spec came back from the config store: answer, and retarget if it changed anything.</summary>
    private void OnUpdateAnswered(UpdateAnswered answered)
    {
        if (answered.Ready is not { } ready)
        {
            // Not known whether the store took the spec (it may answer after the timeout): the caller hears so, and the
            // store's target, read after it has handled the spec, decides what the plans and pods run.
            _log.Warning("Config update: {0}; reading the config store's target", answered.Failure);
            answered.ReplyTo.Tell(new ConfigProtocol.UpdateResult(UpdateOutcome.Failed, _current?.Target.ConfigId, ImmutableArray.Create(answered.Failure!)));
            _configStore.Tell(GetTarget.Instance);
            return;
        }

        var current = _current!;
        if (answered.Submission < _appliedSubmission)
        {
            // A later submission's answer came first: the store answered this one earlier, so the target the plans
            // run on already includes it; going back to this answer's target would undo the later one.
            answered.ReplyTo.Tell(new ConfigProtocol.UpdateResult(
                ready.Errors.IsEmpty ? UpdateOutcome.NewTarget : UpdateOutcome.Refused, ready.Target.ConfigId, ready.Errors));
            return;
        }

        _appliedSubmission = answered.Submission;
        var outcome = !ready.Errors.IsEmpty ? UpdateOutcome.Refused
            : ready.Target.ConfigId == current.Target.ConfigId ? UpdateOutcome.Unchanged
            : UpdateOutcome.NewTarget;
        answered.ReplyTo.Tell(new ConfigProtocol.UpdateResult(outcome, ready.Target.ConfigId, ready.Errors));
        if (outcome == UpdateOutcome.Unchanged && current.Errors.IsEmpty)
        {
            return;
        }

        // The plans are rebuilt on the new target (or with the refusal's errors on the deploy plan). The old plan actors
        // must be gone first: the new ones recover the same persistence ids.
        _log.Info(outcome == UpdateOutcome.NewTarget ? "Rolling out config {0}" : "Keeping config {0}; the deploy plan shows why", ready.Target.ConfigId);
        _current = ready;
        WarnIfTemplatesCannotBeFetched(ready.Target);
        _pods.Tell(new TargetChanged(ready.Target));
        _gateway.Tell(new FrameworkRolesChanged(FrameworkRoles.Of(ready.Target.Spec, _settings.Gateway.Role)));
        var old = _plans;
        Context.Watch(old);
        Context.Stop(old);
        Become(() =>
        {
            Receive<Terminated>(t => t.ActorRef.Equals(old), _ =>
            {
                // After every message of the old steps, before any of the new ones: the pods forget the old steps.
                _pods.Tell(new ForAllPods(PlansReplaced.Instance));
                _plans = StartPlans(ready);
                Become(Running);
                Stash.UnstashAll();
            });
            ReceiveJournalLoss();
            ReceiveFailures();
            ReceiveAny(_ => Stash.Stash());
        });
    }

    /// <summary>
    /// A journal write of this service failed: the actor that wrote stopped (for the entity journal, no pod or step knows
    /// any more what is recorded; for the framework, config, files, plans or pods actor, the scheduler would go on without
    /// it), so the whole scheduler restarts — its backoff supervisor restarts this actor — and recovers from what the
    /// journal holds. The entity journal also stops when the journal rejects a row.
    /// </summary>
    private void ReceiveJournalLoss()
    {
        Receive<JournalWriteFailed>(m => IsOurs(m.PersistenceId), OnWriteFailed);
        Receive<JournalWriteFailed>(_ => { });
        // The entity journal says why it stopped (JournalWriteFailed, published before it stopped) after its Terminated,
        // a system message, may already have come: its stop is handled behind what it said, so that a write the
        // journal's server or its fence refused is handled as such, not as a failure to restart from.
        Receive<Terminated>(t => t.ActorRef.Equals(_entities), _ => Self.Tell(EntityJournalStopped.Instance));
        Receive<EntityJournalStopped>(_ => OnEntityJournalStopped());
    }

    private void OnWriteFailed(JournalWriteFailed failed)
    {
        var what = $"the journal stream {failed.PersistenceId} could not be written ({failed.Reason})";
        if (failed.Fenced)
        {
            StandDown(failed);
            return;
        }

        if (failed.Unavailable)
        {
            // A restart would only fail to replay: stopped for good, for whatever supervises the process to start it again.
            FailJournalUnavailable(what);
            return;
        }

        throw new JournalWriteFailedException(what);
    }

    private void OnEntityJournalStopped() =>
        throw new JournalWriteFailedException($"the journal stream {_settings.ServiceName}/entities stopped after a failed write");

    /// <summary>
    /// The clustered journal's fence refused a write (<see cref="JournalFailures.IsRefusedByLeaseFence"/>): this node no
    /// longer holds the scheduler lease, so another node runs the scheduler or is about to, and this node's singleton is
    /// stopping (its lease's next renewal is refused, and Akka stops the singleton). Nothing of the refused write is stored
    /// (the statement rolled its transaction back), and it was never acted on (every decision is recorded before it is
    /// sent). Said on one line; then every child stops — the Mesos gateway closes its subscription, nothing more is sent
    /// or written — and the scheduler neither restarts (its replay would subscribe to Mesos behind the back of the node
    /// that holds the lease) nor fails for good (<c>run</c> would exit, when this node only lost the lease, as it does
    /// today when its lease is lost: it stays a standby). Messages wait until the singleton stops.
    /// </summary>
    private void StandDown(JournalWriteFailed refused)
    {
        _log.Warning("A journal write of {0} was refused because this node no longer holds the scheduler lease: {1}; nothing of it is stored, and the scheduler stands down on this node (another node runs it)",
            refused.PersistenceId, refused.Reason);
        StopEverything(otherwise: _ => Stash.Stash());
    }

    /// <summary>The entity journal stopped: handled behind what it published as it stopped (<see cref="ReceiveJournalLoss"/>).</summary>
    private sealed record EntityJournalStopped
    {
        public static EntityJournalStopped Instance { get; } = new();
    }

    /// <summary>A stream of this service, while the actor system runs (a write or recovery cut short by its shutdown is no failure).</summary>
    private bool IsOurs(string persistenceId) =>
        persistenceId.StartsWith(_settings.ServiceName + "/", StringComparison.Ordinal)
        && CoordinatedShutdown.Get(Context.System).ShutdownReason is null;

    /// <summary>
    /// What stops the scheduler for good, in every state: a journal stream of this service that cannot be replayed (it
    /// comes before the <see cref="Terminated"/> of the actor that could not replay it), or Mesos refusing the
    /// framework. Also the condition query and the gateway's word that it reconciled.
    /// </summary>
    private void ReceiveFailures()
    {
        Receive<JournalUnreadable>(m => IsOurs(m.PersistenceId) && m.Unavailable, m =>
            FailJournalUnavailable($"the journal stream {m.PersistenceId} could not be read ({m.Reason})"));
        Receive<JournalUnreadable>(m => IsOurs(m.PersistenceId), m =>
        {
            _unreadableStream = m.PersistenceId;
            Fail($"the journal stream {m.PersistenceId} cannot be replayed: {m.Reason}; restore a backup of the journal, or run the version of actorscheduler that wrote it");
        });
        Receive<JournalUnreadable>(_ => { });
        Receive<GatewayFailed>(m => Fail(m.Reason));
        Receive<ReconciliationComplete>(_ => _reconciled = true);
        Receive<GetSchedulerCondition>(_ => Sender.Tell(new SchedulerCondition(_failure, _reconciled)));
    }

    /// <summary>
    /// The journal's server could not be reached for a write or a replay: stopped for good, as the DC/OS scheduler exits
    /// when it loses ZooKeeper. Nothing is acted on that was not recorded (a launch is recorded before its ACCEPT, a pod
    /// restart before its kills), what the journal holds is intact, and the scheduler started again once the server
    /// answers recovers from it. Restarting here instead would only replay from the absent server, a failure that used
    /// to be taken for an unreadable stream ("restore a backup of the journal").
    /// </summary>
    private void FailJournalUnavailable(string what)
    {
        _journalUnavailable = true;
        Fail($"the journal's server could not be reached: {what}");
    }

    /// <summary>
    /// Stops the scheduler for good: says why (once), stops every child (nothing acts on a wrong picture, the
    /// subscription closes; the tasks keep running) and answers every query with a <see cref="SchedulerFailedException"/>.
    /// </summary>
    private void Fail(string reason)
    {
        _failure = reason;
        SchedulerFailureLog.For(Context.System).Error("The scheduler stops: {0}", reason);
        StopEverything(otherwise: _ => Sender.Tell(new Akka.Actor.Status.Failure(new SchedulerFailedException(_failure, _unreadableStream, _journalUnavailable))));
        Stash.UnstashAll();
    }

    /// <summary>
    /// Stops every child (the subscription closes, nothing more is sent or written; the tasks keep running) and its
    /// timers, then answers queries of the scheduler's condition with <see cref="_failure"/> (null when it stood down),
    /// ignores what its stopping children still say, and hands every other message to <paramref name="otherwise"/>:
    /// for a scheduler that stopped for good (<see cref="Fail"/>) and one that stood down (<see cref="StandDown"/>) alike.
    /// </summary>
    private void StopEverything(Action<object> otherwise)
    {
        _reconciled = false;
        foreach (var child in Context.GetChildren())
        {
            Context.Stop(child);
        }

        Timers.CancelAll();
        Become(() =>
        {
            Receive<GetSchedulerCondition>(_ => Sender.Tell(new SchedulerCondition(_failure, Reconciled: false)));
            Receive<Terminated>(_ => { });
            Receive<EntityJournalStopped>(_ => { });
            Receive<JournalUnreadable>(_ => { });
            Receive<JournalWriteFailed>(_ => { });
            Receive<GatewayFailed>(_ => { });
            Receive<StreamReplayed>(_ => { });
            ReceiveAny(otherwise);
        });
    }

    /// <summary>Subscribes once the deploy plan has reported and every stream it does not wait for has replayed.</summary>
    private void SubscribeWhenReady()
    {
        if (_plansReported && _replaying.Count == 0)
        {
            Subscribe(late: false);
        }
    }

    /// <summary>The gateway connects and subscribes (once; later plan generations report too).</summary>
    private void Subscribe(bool late)
    {
        if (_subscribing)
        {
            return;
        }

        _subscribing = true;
        Timers.Cancel(SubscribeNow.Instance);
        if (late)
        {
            _log.Warning("The deploy plan has not reported within {0:0} s: subscribing anyway", SubscribeDeadline.TotalSeconds);
        }

        _gateway.Tell(new GatewayPeers(_router, _pods, FrameworkRoles.Of(_current!.Target.Spec, _settings.Gateway.Role)));
    }

    private void Running()
    {
        ReceiveJournalLoss();
        ReceiveFailures();
        Receive<PlansReported>(_ =>
        {
            _plansReported = true;
            SubscribeWhenReady();
        });
        Receive<StreamReplayed>(m =>
        {
            _replaying.Remove(m.PersistenceId);
            SubscribeWhenReady();
        });
        // Of the current target only: one of an earlier target may predate pods that target's successor left behind.
        Receive<RemovedPodTypesGone>(m => ReferenceEquals(m.Target, _current?.Target), _ => _gateway.Tell(KeptRolesUnneeded.Instance));
        Receive<RemovedPodTypesGone>(_ => { });
        Receive<SubscribeNow>(_ => Subscribe(late: true));
        Receive<PlanProtocol.GetPlans>(m => _plans.Forward(m));
        Receive<PlanProtocol.GetPlan>(m => _plans.Forward(m));
        Receive<PlanProtocol.Command>(m => _plans.Forward(m));
        Receive<ConfigProtocol.GetConfigurations>(m => _configStore.Forward(m));
        Receive<ConfigProtocol.GetConfiguration>(m => _configStore.Forward(m));
        Receive<GetFrameworkId>(m => _framework.Forward(m));
        Receive<ConfigProtocol.SubmitConfiguration>(m => Submit(new ApplySpec(m.RenderedYaml, m.Source, m.SchedulerEnvironment, Templates: m.ConfigTemplates), Sender));
        Receive<ConfigProtocol.RollbackConfiguration>(m => Submit(new RollBack(m.ToId), Sender));
        Receive<RollbackRefused>(m => m.ReplyTo.Tell(new ConfigProtocol.UpdateResult(
            UpdateOutcome.NotFound, _current?.Target.ConfigId, ImmutableArray.Create(m.Message))));
        Receive<UpdateAnswered>(OnUpdateAnswered);
        // The store's target, read after an update whose answer did not come: applied like an answer, unless a later one was.
        Receive<TargetConfigReady>(ready => OnUpdateAnswered(new UpdateAnswered(ready, ActorRefs.Nobody, ++_submissions, null)));
        Receive<TargetConfigRefused>(_ => { });
        Receive<PodProtocol.GetPodNames>(m => _pods.Forward(m));
        Receive<PodProtocol.GetPodStatus>(m => _pods.Forward(m));
        Receive<PodProtocol.GetPodInstanceStatus>(m => _pods.Forward(m));
        Receive<PodProtocol.GetPodInstanceInfo>(m => _pods.Forward(m));
        Receive<PodProtocol.RestartPod>(m => _pods.Forward(m));
        Receive<PodProtocol.GetAllPodInfo>(m => _pods.Forward(m));
        Receive<PodProtocol.ReplacePod>(m => _pods.Forward(m));
        Receive<PodProtocol.PausePod>(m => _pods.Forward(m));
        Receive<PodProtocol.ResumePod>(m => _pods.Forward(m));
        Receive<Messages.Offers.OfferProtocol.GetOfferOutcomes>(m => _router.Forward(m));
        Receive<IsReconciled>(m => _router.Forward(m));
        Receive<GetMetrics>(_ => MetricsAsync().PipeTo(Sender));
        Receive<GetPendingRequirements>(m => _router.Forward(m));
        Receive<StateProtocol.GetProperties>(_ => PropertiesAsync().PipeTo(Sender));
        Receive<StateProtocol.GetFiles>(m => _files.Forward(m));
        Receive<StateProtocol.GetFile>(m => _files.Forward(m));
        Receive<StateProtocol.StoreFile>(m => _files.Forward(m));
        Receive<StateProtocol.ReconcileTasks>(m => _gateway.Forward(m));
        Receive<GetSchedulerRuntime>(_ => RuntimeAsync().PipeTo(Sender));
    }

    /// <summary>The actor system's dispatchers (from its configuration), the root's children and the pod instance actors.</summary>
    private async Task<SchedulerRuntime> RuntimeAsync()
    {
        var system = Context.System;
        var children = Context.GetChildren().Select(c => c.Path.Name).Order(StringComparer.Ordinal).ToImmutableArray();
        var dispatchers = new[] { "default-dispatcher", "internal-dispatcher" }
            .Select(name => (Name: name, Config: system.Settings.Config.GetConfig($"akka.actor.{name}")))
            .Where(d => d.Config is not null && !d.Config.IsEmpty)
            .Select(d => new DispatcherInfo(d.Name, d.Config.GetString("executor", "default-executor"), d.Config.GetInt("throughput", 0)))
            .ToImmutableArray();
        var pods = await _pods.Ask<PodProtocol.PodNames>(PodProtocol.GetPodNames.Instance, AskTimeout).ConfigureAwait(false);
        return new SchedulerRuntime(system.Name, system.Uptime, dispatchers, children, pods.Names.Length);
    }

    /// <summary>The scheduler-level values the framework actor, the config store and the router hold now.</summary>
    private async Task<StateProtocol.Properties> PropertiesAsync()
    {
        var (framework, configStore, router) = (_framework, _configStore, _router);
        var identity = await framework.Ask<FrameworkIdentity>(GetFrameworkId.Instance, AskTimeout).ConfigureAwait(false);
        var configs = await configStore.Ask<ConfigProtocol.ConfigurationIds>(ConfigProtocol.GetConfigurations.Instance, AskTimeout).ConfigureAwait(false);
        var completed = await configStore.Ask<bool>(IsDeploymentCompleted.Instance, AskTimeout).ConfigureAwait(false);
        var suppressed = await router.Ask<bool>(IsSuppressed.Instance, AskTimeout).ConfigureAwait(false);
        var reconciled = await router.Ask<bool>(IsReconciled.Instance, AskTimeout).ConfigureAwait(false);
        return new StateProtocol.Properties(SchedulerProperties.Of(identity.FrameworkId, configs.TargetId, completed, suppressed, reconciled));
    }

    /// <summary>The counters and timers, with plan statuses, the reconciliation state and suppression read now.</summary>
    private async Task<MetricsSnapshot> MetricsAsync()
    {
        var (plans, router, counters) = (_plans, _router, _settings.Metrics.Counters());
        var names = await plans.Ask<PlanProtocol.PlanNames>(PlanProtocol.GetPlans.Instance, AskTimeout).ConfigureAwait(false);
        var infos = await Task.WhenAll(names.Names.Select(n => plans.Ask<object>(new PlanProtocol.GetPlan(n), AskTimeout))).ConfigureAwait(false);
        var reconciled = await router.Ask<bool>(IsReconciled.Instance, AskTimeout).ConfigureAwait(false);
        var suppressed = await router.Ask<bool>(IsSuppressed.Instance, AskTimeout).ConfigureAwait(false);
        var inHand = await router.Ask<OffersInHand>(GetOffersInHand.Instance, AskTimeout).ConfigureAwait(false);
        return MetricsSnapshot.Of(counters, infos.OfType<PlanInfo>(), reconciled, suppressed, _settings.Metrics.Timers(), (inHand.Kept, inHand.Claimed));
    }

    /// <summary>
    /// Hands a spec to the config store. Its answer is applied unless a later submission's answer was applied first. A
    /// failed or unexpected answer is not taken for the target this submission saw (a later update may have replaced it):
    /// the store's target is read instead.
    /// </summary>
    /// <param name="candidate">An <see cref="ApplySpec"/>, or a <see cref="RollBack"/> (the store picks its config).</param>
    private void Submit(object candidate, IActorRef replyTo)
    {
        var submission = ++_submissions;
        _configStore.Ask<object>(candidate, _settings.ConfigUpdateTimeout).PipeTo(
            Self,
            Self,
            answer => answer switch
            {
                TargetConfigReady ready => new UpdateAnswered(ready, replyTo, submission, null),
                NoRollbackTarget none => new RollbackRefused(none.Message, replyTo),
                _ => new UpdateAnswered(null, replyTo, submission, $"the config store gave an unexpected answer ({answer.GetType().Name}); see `update status` for the target"),
            },
            e => new UpdateAnswered(null, replyTo, submission, $"the config store did not answer in time ({e.Message}); see `update status` for the target"));
    }

    /// <param name="Ready">The store's answer; null when it failed (<paramref name="Failure"/> says how).</param>
    /// <param name="Submission">The submission's number, in the order the store received them.</param>
    private sealed record UpdateAnswered(TargetConfigReady? Ready, IActorRef ReplyTo, long Submission, string? Failure);

    private sealed record RollbackRefused(string Message, IActorRef ReplyTo);

    private sealed record SubscribeNow
    {
        public static SubscribeNow Instance { get; } = new();
    }
}

/// <summary>How a failed scheduler is restarted (<see cref="SchedulerSupervisorActor"/>).</summary>
/// <param name="Min">The first restart's delay; each next one doubles it, up to <paramref name="Max"/>.</param>
/// <param name="MaxRestarts">Restarts in a row after which the scheduler stays stopped.</param>
/// <param name="ResetAfter">A scheduler that ran this long since its last restart starts counting anew.</param>
internal sealed record RestartBackoff(TimeSpan Min, TimeSpan Max, int MaxRestarts, TimeSpan ResetAfter)
{
    public static RestartBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), MaxRestarts: 10, TimeSpan.FromMinutes(5));
}
