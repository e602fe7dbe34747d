using System.Collections.Immutable;
using ActorScheduler.Actors.Framework;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Messages.State;
using ActorScheduler.Mesos.Client;
using Akka.Actor;
using Akka.Event;

namespace ActorScheduler.Actors.Mesos;

/// <summary>
/// The scheduler's only door to the Mesos master: subscribes (and re-subscribes with capped backoff) as the
/// framework the framework actor remembers, turns stream events into messages for the router and the pods, sends
/// calls, acknowledges status updates once a pod has recorded them (only those with a uuid), and reconciles every
/// known task explicitly after each subscription — offers are declined until that is done — and all tasks implicitly
/// (an empty RECONCILE) every <see cref="GatewaySettings.ImplicitReconcileInterval"/> while subscribed.
/// </summary>
internal sealed class MesosGatewayActor : ReceiveActor, IWithTimers
{
    private const string WatchdogTimer = "heartbeat-watchdog";
    private const string ResubscribeTimer = "resubscribe";
    private const string ReconcileTimer = "reconcile-retry";
    private const string ImplicitReconcileTimer = "implicit-reconcile";
    private const string InDoubtReconcileTimer = "launch-reconcile";
    private const string ReviveTokenTimer = "revive-token";

    /// <summary>The master's ERROR for a SUBSCRIBE with the id of a framework it removed (torn down or failed over too late).</summary>
    internal const string RemovedFrameworkError = "Framework has been removed";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly GatewaySettings _settings;
    private readonly IActorRef _framework;
    private IActorRef _router = ActorRefs.Nobody;
    private IActorRef _pods = ActorRefs.Nobody;
    private IMesosConnection? _client;
    private CancellationTokenSource? _stream;
    private int _generation;
    private string? _frameworkId;

    // The roles and capabilities the framework subscribes with: those the target spec needs (_specRoles; the root gives
    // them with the peers and after each new target), then roles kept for reservations a pod type an update removed
    // may still hold. The framework actor journals them, so a restarted scheduler subscribes with them again; they are
    // dropped once the root says no pod of a removed type is left (_keptRolesUnneeded, until the next target).
    private FrameworkRoles _roles;
    private FrameworkRoles _specRoles;
    private bool _keptRolesUnneeded;
    private ImmutableArray<string> _recordedRoles = [];

    // Reservations given up under roles other than the service role that may still be on an agent that may come back:
    // their roles are kept (also once no pod of a removed type is left) until the holds end. Journaled by the framework
    // actor, loaded from it with the framework id; checked every RoleHoldCheckInterval on the clock (expiry, and a probe
    // of each hold's agent: the master answers a reconciliation of an unknown task on an agent marked gone with
    // TASK_GONE_BY_OPERATOR).
    private readonly RoleHolds _holds = new();
    private bool _holdsLoaded;

    // Offer-path work held back until the sightings asked for before it are journaled (RecordRoleHoldsSeen, answered
    // RoleHoldsSeenRecorded): the offers that showed a hold's reservations for the first time reach the router, and an
    // ACCEPT that unreserves reservations no offer showed goes to the master, only once a restarted scheduler would know
    // they were seen. Acted on first, a stop before the write lost the sighting after the router had collected the
    // reservations, and no offer could show them again: the role was kept until the hold expired. Offer events after
    // held-back ones wait behind them, in order (a rescind after its offer). Only sightings are written: an offer that
    // shows nothing new of a hold, and every offer while there is none, goes on at once. Emptied when the stream ends:
    // its offers die with it (the master offers the reservations again to the next subscription).
    private readonly Queue<(long Token, object Work)> _afterSightings = new();
    private long _sightingsAsked;
    private long _sightingsJournaled;
    private readonly TimeProvider _clock;
    private ITimer? _holdCheck;

    // The roles the master keeps suppressed as far as the calls sent tell (all roles after a SUPPRESS, none after a
    // REVIVE or a new SUBSCRIBE): an UPDATE_FRAMEWORK names them, or the master would revive every role.
    private ImmutableArray<string> _suppressedRoles = [];

    // The master's region (its fault domain, from SUBSCRIBED), if it has one: pods go there unless told otherwise.
    private string? _localRegion;
    private DateTime _lastEvent = DateTime.UtcNow;
    private TimeSpan _heartbeat = TimeSpan.FromSeconds(15);
    private TimeSpan _backoff = TimeSpan.FromSeconds(1);

    // Explicit reconciliation: task id → agent id still waiting for an answer.
    private Dictionary<string, string> _unreconciled = new(StringComparer.Ordinal);
    private int _reconcileAttempt;
    private bool _reconciling;
    private readonly List<KillTask> _pendingKills = new();

    // Tasks (task id → agent id) an ACCEPT that failed may have launched, or not: reconciled explicitly until each is
    // answered (the master says TASK_DROPPED / TASK_LOST / TASK_UNKNOWN of one it never got).
    private readonly Dictionary<string, string> _launchesInDoubt = new(StringComparer.Ordinal);

    private readonly OfferFlowSequencer _offerFlow;
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();
    private readonly SchedulerMetrics _metrics;

    public MesosGatewayActor(GatewaySettings settings, IActorRef framework, SchedulerMetrics? metrics, TimeProvider? clock = null)
    {
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
        _offerFlow = new OfferFlowSequencer(settings.ReviveBurst, settings.ReviveRefill);
        _framework = framework;
        _metrics = metrics ?? new SchedulerMetrics();
        _roles = _specRoles = FrameworkRoles.Only(settings.Role);

        Receive<GatewayPeers>(m =>
        {
            _router = m.Router;
            _pods = m.Pods;
            _specRoles = m.Roles ?? _specRoles;
            _roles = _specRoles.With(_roles.Roles);
            Become(Disconnected);
            Self.Tell(Connect.Instance);
        });
        // A pod may decide to kill before the gateway is wired (a decommission carried on by a restarted scheduler): the
        // kill goes out once subscribed, like one made while disconnected.
        Receive<KillTask>(m => _pendingKills.Add(m));
        Receive<FrameworkRolesChanged>(OnRolesChanged);
        Receive<KeptRolesUnneeded>(_ => OnKeptRolesUnneeded());
        Receive<HoldRole>(OnHoldRole);
        Receive<RoleHoldCheck>(_ => CheckRoleHolds());
    }

    /// <summary>
    /// A new target needs other roles or GPUs: the next SUBSCRIBE carries them, and a subscribed framework tells the master
    /// at once with UPDATE_FRAMEWORK (DC/OS restarts its scheduler for every config change, which re-registers it). A
    /// role the target no longer needs is kept: the reservations of a pod type the update removed are still offered to
    /// the role they were made for until they are collected (<see cref="OnKeptRolesUnneeded"/>).
    /// </summary>
    private void OnRolesChanged(FrameworkRolesChanged changed)
    {
        _specRoles = changed.Roles;
        _keptRolesUnneeded = false;
        ChangeRoles(changed.Roles.With(_roles.Roles));
    }

    /// <summary>
    /// No pod of a type the target lacks is left (each was decommissioned: its reservations collected, or waited for in
    /// vain): no reservation of ours is held under a role the target does not name, so the framework drops those roles.
    /// </summary>
    private void OnKeptRolesUnneeded()
    {
        _keptRolesUnneeded = true;
        var kept = _holds.Keep(_specRoles);
        if (_roles.Roles.Except(kept.Roles).ToList() is { Count: > 0 } dropped)
        {
            _log.Info("No pod of a removed pod type is left: dropping the roles {0}", string.Join(", ", dropped));
        }

        LogHeldRoles(kept);
        ChangeRoles(kept);
    }

    /// <summary>Logs why each role beyond the spec's is kept: reservations of ours given up under it may still be on an agent.</summary>
    private void LogHeldRoles(FrameworkRoles kept)
    {
        foreach (var role in kept.Roles.Except(_specRoles.Roles))
        {
            _log.Info("Keeping the role {0}, which the spec no longer names: {1}", role, _holds.Why(role, _settings.RegistryMaxAgentAge));
        }
    }

    /// <summary>
    /// Router → gateway: a pod gave up reservations under a role (a decommission's release, a force-completed one): the
    /// role is kept until they are collected, their agent is marked gone, or the master no longer keeps the agent
    /// (<see cref="RoleHolds"/>). Journaled by the framework actor (the service role needs no hold: it is always kept).
    /// </summary>
    private void OnHoldRole(HoldRole m)
    {
        if (m.Role == _settings.Role)
        {
            return;
        }

        var hold = new RoleHold(m.Role, m.AgentId, m.ResourceIds, m.Made, _clock.GetUtcNow());
        var known = _holds.Contains(m.Role, m.AgentId);
        if (!_holds.Add(hold))
        {
            return;
        }

        if (!known)
        {
            _metrics.Increment(SchedulerMetrics.RoleHolds);
        }

        _log.Info("{0} reservation(s) given up under role {1} on agent {2} may stay there: the framework keeps the role until they are collected, " +
            "the agent is marked gone, or {3} passed", m.ResourceIds.Length, m.Role, m.AgentId, _settings.RegistryMaxAgentAge);
        _framework.Tell(new RecordRoleHold(hold));
        StartRoleHoldCheck();
        if (_keptRolesUnneeded)
        {
            ChangeRoles(_holds.Keep(_specRoles));
        }
    }

    /// <summary>Journals the holds that ended, and drops the roles nothing holds any more once no pod of a removed type is left.</summary>
    private void RoleHoldsEnded(IReadOnlyList<RoleHoldEnding> ended)
    {
        if (ended.Count == 0)
        {
            return;
        }

        foreach (var ending in ended)
        {
            _framework.Tell(new EndRoleHold(ending));
            if (!_holds.Contains(ending.Role, ending.AgentId))
            {
                _log.Info("The reservations given up under role {0} on agent {1} are no longer held for: {2}", ending.Role, ending.AgentId, ending.Reason switch
                {
                    RoleHoldEnd.Collected => "collected",
                    RoleHoldEnd.AgentGone => "the agent was marked gone",
                    _ => $"the master keeps an unreachable agent {_settings.RegistryMaxAgentAge} at most",
                });
                _metrics.Increment(ending.Reason switch
                {
                    RoleHoldEnd.Collected => SchedulerMetrics.RoleHoldsCollected,
                    RoleHoldEnd.AgentGone => SchedulerMetrics.RoleHoldsAgentGone,
                    _ => SchedulerMetrics.RoleHoldsExpired,
                });
            }
        }

        if (_holds.Count == 0)
        {
            _holdCheck?.Dispose();
            _holdCheck = null;
        }

        if (_keptRolesUnneeded)
        {
            ChangeRoles(_holds.Keep(_specRoles));
        }
    }

    /// <summary>Checks the holds every <see cref="GatewaySettings.RoleHoldCheckInterval"/> on the clock while there are any.</summary>
    private void StartRoleHoldCheck()
    {
        if (_holdCheck is null && _holds.Count > 0)
        {
            var self = Self;
            _holdCheck = _clock.CreateTimer(_ => self.Tell(RoleHoldCheck.Instance), null, _settings.RoleHoldCheckInterval, _settings.RoleHoldCheckInterval);
        }
    }

    /// <summary>
    /// Ends the holds the master's registry no longer keeps the agent of, and asks the master about each other hold's
    /// agent: an explicit reconciliation of a task it never ran there, answered TASK_GONE_BY_OPERATOR once the agent is
    /// marked gone (TASK_UNREACHABLE while unreachable, TASK_GONE once back; <see cref="OnRoleHoldProbeAnswer"/>).
    /// </summary>
    private void CheckRoleHolds()
    {
        RoleHoldsEnded(_holds.Expire(_clock.GetUtcNow(), _settings.RegistryMaxAgentAge));
        if (_holds.Count > 0 && CanSend)
        {
            Send(ReconcileCall(_holds.Agents.Select(agent => (RoleHoldProbePrefix + agent, agent))));
        }
    }

    /// <summary>The master's answer about a hold's agent (<see cref="CheckRoleHolds"/>); not a task of ours, so the pods never see it.</summary>
    private void OnRoleHoldProbeAnswer(TaskStatus status)
    {
        var agent = status.TaskId.Value[RoleHoldProbePrefix.Length..];
        switch (status.State)
        {
            case TaskState.TaskGoneByOperator:
                RoleHoldsEnded(_holds.AgentGone(agent));
                break;
            case TaskState.TaskUnreachable:
                _holds.Reachable(agent, reachable: false);
                break;
            // A registered agent that does not know the task: back, if it was unreachable — or registered before any
            // probe found it unreachable (back within a minute, or while the scheduler was down). The router follows
            // reservations the holds have not had it follow yet (FollowHeld).
            case TaskState.TaskGone:
                FollowHeld(agent, _holds.Reachable(agent, reachable: true) ? "is back" : "is registered");
                break;
        }
    }

    /// <summary>
    /// <paramref name="agent"/> is registered (it offers, or a probe found it so): the router follows the reservations
    /// held there that it was not asked to follow yet (<see cref="RoleHolds.FollowUp"/>) as an abandoned footprint's —
    /// offers keep coming (within its patience) until one shows them gone — rather than waiting for its next sweep to
    /// collect them, and for the one after to show them gone. Told before the offers that show them.
    /// </summary>
    private void FollowHeld(string agent, string why)
    {
        if (_holds.FollowUp(agent) is not { } follow)
        {
            return;
        }

        _log.Info("Agent {0}, which holds {1} reservation(s) given up under a role kept for them, {2}: asking for offers until they are collected",
            agent, follow.GoneWhenAbsent.Length + follow.ShownFirst.Length, why);
        if (!follow.GoneWhenAbsent.IsEmpty)
        {
            _router.Tell(new FootprintAbandoned(RoleHoldsOwner, follow.GoneWhenAbsent, agent, Made: false));
        }

        if (!follow.ShownFirst.IsEmpty)
        {
            _router.Tell(new FootprintAbandoned(RoleHoldsOwner, follow.ShownFirst, agent, Made: true));
        }
    }

    /// <summary>
    /// Journals what offers (and UNRESERVEs) showed of the holds since the last call (<see cref="RoleHolds.TakeSightings"/>),
    /// in one write; the offer-path work that follows waits for it (<see cref="AfterSightings"/>).
    /// </summary>
    private void JournalSightings()
    {
        var sightings = _holds.TakeSightings();
        if (sightings.Count > 0)
        {
            _framework.Tell(new RecordRoleHoldsSeen([.. sightings], ++_sightingsAsked));
        }
    }

    /// <summary>
    /// Offers or a rescind for the router, or an ACCEPT for the master: done now, or once every sighting asked to be
    /// journaled before it is (<see cref="OnSightingsJournaled"/>).
    /// </summary>
    private void AfterSightings(object work)
    {
        if (_sightingsJournaled < _sightingsAsked)
        {
            _afterSightings.Enqueue((_sightingsAsked, work));
            return;
        }

        Do(work);
    }

    /// <summary>The sightings up to <see cref="RoleHoldsSeenRecorded.Token"/> are durable: the work held back for them goes on, in order.</summary>
    private void OnSightingsJournaled(RoleHoldsSeenRecorded recorded)
    {
        _sightingsJournaled = Math.Max(_sightingsJournaled, recorded.Token);
        while (_afterSightings.TryPeek(out var next) && next.Token <= _sightingsJournaled)
        {
            Do(_afterSightings.Dequeue().Work);
        }
    }

    /// <summary>An ACCEPT goes to the master; anything else (offers, a rescind) to the router.</summary>
    private void Do(object work)
    {
        if (work is AcceptOffers accept)
        {
            SendAcceptNow(accept);
        }
        else
        {
            _router.Tell(work);
        }
    }

    /// <summary>Who gave up the held reservations, as the router is told when their agent is back.</summary>
    internal const string RoleHoldsOwner = "(role holds)";

    private const string RoleHoldProbePrefix = RoleHolds.ProbeTaskIdPrefix;

    /// <summary>Records the roles the framework subscribes with in the framework's journal, if they changed.</summary>
    private void RecordRoles()
    {
        if (!_roles.Roles.SequenceEqual(_recordedRoles))
        {
            _recordedRoles = _roles.Roles;
            _framework.Tell(new RecordFrameworkRoles(_roles.Roles));
        }
    }

    /// <summary>The framework subscribes with <paramref name="roles"/> from now on: recorded, and sent to the master when subscribed.</summary>
    private void ChangeRoles(FrameworkRoles roles)
    {
        if (roles.SameAs(_roles))
        {
            return;
        }

        _roles = roles;
        if (CanSend && _frameworkId is not null)
        {
            _log.Info("The framework's roles are now {0}{1}: updating the subscription", string.Join(", ", _roles.Roles), _roles.Gpus ? " (with GPUs)" : string.Empty);
            RecordRoles();
            if (_offerFlow.RequestUpdate())
            {
                SendOfferFlow(Call.Types.Type.UpdateFramework);
            }
        }
    }

    /// <summary>
    /// UPDATE_FRAMEWORK with the current roles, naming those the master keeps suppressed (and still among them): the
    /// master replaces the framework's suppressed roles with the call's, so one without them would revive every role
    /// of an idle service.
    /// </summary>
    private Call UpdateFrameworkCall()
    {
        var update = new Call.Types.UpdateFramework { FrameworkInfo = BuildFrameworkInfo() };
        foreach (var role in _suppressedRoles)
        {
            if (_roles.Roles.Contains(role))
            {
                update.SuppressedRoles.Add(role);
            }
        }

        return new Call { Type = Call.Types.Type.UpdateFramework, UpdateFramework = update };
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(GatewaySettings settings, IActorRef framework, SchedulerMetrics? metrics = null, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new MesosGatewayActor(settings, framework, metrics, clock));

    protected override void PreStart() => _client = _settings.CreateConnection();

    protected override void PostStop()
    {
        _holdCheck?.Dispose();
        _stream?.Cancel();
        _client?.Dispose();
    }

    private void Disconnected()
    {
        Receive<Connect>(_ => _framework.Ask<FrameworkIdentity>(GetFrameworkId.Instance, _settings.FrameworkIdTimeout).PipeTo(Self));
        Receive<Status.Failure>(m =>
        {
            // The framework actor did not answer (still replaying a long stream, say; one that cannot replay its
            // stream stops the whole scheduler): asked again, with the subscription's backoff.
            _log.Warning("The framework id was not read ({0}); asking again in {1:0.#}s", m.Cause.Message, _backoff.TotalSeconds);
            Timers.StartSingleTimer(ResubscribeTimer, Connect.Instance, _backoff);
            _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, _settings.MaxBackoff.Ticks));
        });
        Receive<FrameworkIdentity>(m =>
        {
            _frameworkId = m.FrameworkId;
            _recordedRoles = m.Roles;
            if (!_holdsLoaded)
            {
                // Those of a scheduler that ran before: from the journal, once (what this one learnt since joins them).
                _holdsLoaded = true;
                foreach (var hold in m.RoleHolds)
                {
                    // Counted as held by this scheduler, whose counters its endings count.
                    if (!_holds.Contains(hold.Role, hold.AgentId))
                    {
                        _metrics.Increment(SchedulerMetrics.RoleHolds);
                    }

                    _holds.Add(hold);
                }

                RoleHoldsEnded(_holds.Expire(_clock.GetUtcNow(), _settings.RegistryMaxAgentAge));
                StartRoleHoldCheck();
            }

            if (!_keptRolesUnneeded)
            {
                // Roles the framework held before (a restarted scheduler): reservations may still be held under them.
                _roles = _roles.With(m.Roles);
            }

            _roles = _roles.With(_holds.Roles);

            RecordRoles();
            var generation = ++_generation;
            var info = BuildFrameworkInfo();
            _log.Info("Subscribing to {0} as framework {1}", _settings.MasterUrl, _frameworkId ?? "(new)");
            _client!.SubscribeAsync(info, CancellationToken.None).PipeTo(
                Self,
                success: s => new Subscribed(generation, s),
                failure: e => new StreamEnded(generation, e));
        });
        Receive<Subscribed>(OnSubscribed);
        Receive<StreamEnded>(OnStreamEnded);
        Receive<StateProtocol.ReconcileTasks>(_ =>
            Sender.Tell(new StateProtocol.ReconcileRequested("not subscribed: every known task is reconciled once the subscription is back")));
        ReceiveCalls(connected: false);
    }

    private void Connected()
    {
        Receive<StreamEvent>(m => m.Generation == _generation, m => OnEvent(m.Event));
        Receive<StreamEvent>(_ => { });
        Receive<StreamEnded>(OnStreamEnded);
        Receive<FrameworkIdentity>(_ => StartReconciliation());
        Receive<TasksToReconcile>(OnTasksToReconcile);
        Receive<TasksToReconcileFailed>(m =>
        {
            // Without the list the reconciliation would never complete on this subscription (and offers would wait).
            _log.Warning("The pods did not list the tasks to reconcile ({0}); asking again", m.Cause.Message);
            _reconciling = false;
            StartReconciliation();
        });
        Receive<ReconcileRetry>(_ => SendReconcile());
        Receive<StateProtocol.ReconcileTasks>(_ =>
        {
            // An operator asks (PUT /v1/state/refresh): the explicit reconciliation of a subscription, again; offers
            // keep being used meanwhile.
            if (_reconciling)
            {
                Sender.Tell(new StateProtocol.ReconcileRequested("a reconciliation is already running"));
                return;
            }

            _log.Info("Reconciling every known task explicitly, as an operator asked");
            StartReconciliation();
            Sender.Tell(new StateProtocol.ReconcileRequested("reconciling every known task"));
        });
        Receive<ImplicitReconcileTick>(_ =>
        {
            // One reconciliation at a time: the explicit one after subscribing goes first.
            if (!_reconciling)
            {
                _log.Info("Reconciling all tasks implicitly");
                Send(new Call { Type = Call.Types.Type.Reconcile, Reconcile = new Call.Types.Reconcile() });
            }
        });
        Receive<StatusRecorded>(m => Acknowledge(m.Status));
        Receive<UnknownTaskStatus>(m =>
        {
            var status = m.Status;
            if (!TaskStates.IsTerminal(status.State))
            {
                _log.Warning("Killing unknown task {0}", status.TaskId.Value);
                Send(new Call { Type = Call.Types.Type.Kill, Kill = new Call.Types.Kill { TaskId = status.TaskId, AgentId = status.AgentId } });
            }
            else if (status.AgentId is not null)
            {
                _router.Tell(new UnownedTaskEnded(status.TaskId.Value, status.AgentId.Value));
            }

            Acknowledge(status);
        });
        Receive<WatchdogTick>(_ =>
        {
            if (DateTime.UtcNow - _lastEvent > _heartbeat * _settings.MissedHeartbeats)
            {
                _log.Warning("No event from the master for {0:0}s; re-subscribing", (DateTime.UtcNow - _lastEvent).TotalSeconds);
                Self.Tell(new StreamEnded(_generation, new TimeoutException("heartbeats missed")));
            }
        });
        ReceiveCalls(connected: true);
    }

    private void ReceiveCalls(bool connected)
    {
        Receive<FrameworkRolesChanged>(OnRolesChanged);
        Receive<KeptRolesUnneeded>(_ => OnKeptRolesUnneeded());
        Receive<HoldRole>(OnHoldRole);
        Receive<RoleHoldCheck>(_ => CheckRoleHolds());
        // The router's answer to a returning agent's reservations (OnRoleHoldProbeAnswer): offers showed the holds what they need.
        Receive<FootprintSettled>(_ => { });
        Receive<RoleHoldsSeenRecorded>(OnSightingsJournaled);
        Receive<AcceptOffers>(m => connected, SendAccept);
        Receive<AcceptFailed>(m => connected && m.Generation == _generation, OnAcceptFailed);
        Receive<InDoubtReconcileRetry>(_ => connected, _ => ReconcileLaunchesInDoubt());
        Receive<DeclineOffers>(m => connected, SendDecline);
        Receive<KillTask>(m => connected, m =>
        {
            var kill = new Call.Types.Kill { TaskId = new TaskID { Value = m.TaskId } };
            if (m.AgentId is not null)
            {
                kill.AgentId = new AgentID { Value = m.AgentId };
            }

            Send(new Call { Type = Call.Types.Type.Kill, Kill = kill });
        });
        Receive<ProbeTasks>(m => connected && !m.Tasks.IsEmpty, m => Send(ReconcileCall(m.Tasks.Select(t => (t.TaskId, t.AgentId)))));
        Receive<ReviveOffers>(_ => connected, _ =>
        {
            if (!SendOfferFlow(_offerFlow.Request(Call.Types.Type.Revive, Monotonic)))
            {
                _metrics.Increment(SchedulerMetrics.RevivesThrottled);
            }
        });
        Receive<SuppressOffers>(_ => connected, _ => SendOfferFlow(_offerFlow.Request(Call.Types.Type.Suppress, Monotonic)));
        Receive<OfferFlowSent>(m =>
        {
            // Failed, also on a lost subscription: the router decides again (what it does is right either way).
            if (m.Error is not null)
            {
                _log.Warning("{0} call failed: {1}", m.Type, m.Error);
                NotDelivered(m.Type);
                if (m.Type == Call.Types.Type.Suppress)
                {
                    // As the router now takes it: not suppressed (an update names none; the next idle cycle suppresses).
                    _suppressedRoles = [];
                }
            }

            if (m.Generation == _generation)
            {
                SendOfferFlow(_offerFlow.Completed(Monotonic));
            }
        });
        Receive<DeclineAnswered>(m =>
        {
            if (m.Error is not null)
            {
                _log.Warning("{0} call failed: {1}", Call.Types.Type.Decline, m.Error);
            }

            if (m.Generation == _generation && _offerFlow.DeclineCompleted(m.Token) is { } next)
            {
                SendOfferFlow(next);
            }
        });
        Receive<ReviveTokenDue>(_ => SendOfferFlow(_offerFlow.TokenDue(Monotonic)));
        Receive<CallFailed>(m => _log.Warning("{0} call failed: {1}", m.Type, m.Reason));
        Receive<Done>(_ => { });

        // Calls while disconnected are void: offers died with the stream, kills are re-issued by their owners.
        Receive<AcceptOffers>(_ => { });
        // Of an earlier subscription: the explicit reconciliation of the next one asks about every task.
        Receive<AcceptFailed>(m => _log.Warning("{0} call failed: {1}", Call.Types.Type.Accept, m.Reason));
        Receive<InDoubtReconcileRetry>(_ => { });
        Receive<DeclineOffers>(_ => { });
        // Kills must not be lost: a pod decides to kill (e.g. to relaunch on a new config) without knowing whether we
        // are connected. They go out as soon as we are subscribed again.
        Receive<KillTask>(m => _pendingKills.Add(m));
        Receive<ProbeTasks>(_ => { });
        // Not sent: the router must not believe the master got them.
        Receive<ReviveOffers>(_ => NotDelivered(Call.Types.Type.Revive));
        Receive<SuppressOffers>(_ => NotDelivered(Call.Types.Type.Suppress));
        Receive<StatusRecorded>(_ => { });
        Receive<UnknownTaskStatus>(_ => { });
        Receive<WatchdogTick>(_ => { });
        Receive<ReconcileRetry>(_ => { });
        Receive<ImplicitReconcileTick>(_ => { });
        Receive<TasksToReconcile>(_ => { });
        Receive<TasksToReconcileFailed>(_ => { });
    }

    private void OnSubscribed(Subscribed message)
    {
        if (message.Generation != _generation)
        {
            _ = message.Subscription.DisposeAsync();
            return;
        }

        _stream = new CancellationTokenSource();
        var self = Self;
        var generation = message.Generation;
        var token = _stream.Token;
        var subscription = message.Subscription;
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in subscription.ReadEventsAsync(token))
                {
                    self.Tell(new StreamEvent(generation, e));
                }

                self.Tell(new StreamEnded(generation, null));
            }
            catch (Exception e)
            {
                self.Tell(new StreamEnded(generation, e));
            }
            finally
            {
                await subscription.DisposeAsync();
            }
        });

        _lastEvent = DateTime.UtcNow;
        Become(Connected);
    }

    private void OnEvent(Event e)
    {
        _lastEvent = DateTime.UtcNow;
        switch (e.Type)
        {
            case Event.Types.Type.Subscribed:
                _frameworkId = e.Subscribed.FrameworkId.Value;
                _localRegion = e.Subscribed.MasterInfo?.Domain?.FaultDomain?.Region?.Name is { Length: > 0 } region ? region : null;
                _heartbeat = TimeSpan.FromSeconds(e.Subscribed.HasHeartbeatIntervalSeconds ? e.Subscribed.HeartbeatIntervalSeconds : 15);
                _backoff = TimeSpan.FromSeconds(1);
                _log.Info("Subscribed as framework {0}", _frameworkId);
                Timers.StartPeriodicTimer(WatchdogTimer, WatchdogTick.Instance, _heartbeat);
                Timers.StartPeriodicTimer(ImplicitReconcileTimer, ImplicitReconcileTick.Instance, _settings.ImplicitReconcileInterval);

                // The id is durable before reconciliation starts (FrameworkIdentity comes back once it is).
                _framework.Tell(new FrameworkRegisteredWith(_frameworkId), Self);
                foreach (var kill in _pendingKills)
                {
                    Self.Tell(kill);
                }

                _pendingKills.Clear();
                break;
            case Event.Types.Type.Offers:
                if (_holds.Count > 0)
                {
                    // Before the router gets the offers: told to follow a returning agent's reservations first, it keeps
                    // offers coming after the cycle that collects them, until one shows them gone.
                    foreach (var offer in e.Offers.Offers_)
                    {
                        var ended = _holds.Observe(offer);
                        FollowHeld(offer.AgentId.Value, "offers again");
                        if (ended.Count > 0)
                        {
                            // Journaled in the order learnt: what offers showed before the endings they led to.
                            JournalSightings();
                            RoleHoldsEnded(ended);
                        }
                    }

                    // What the batch showed, in one write; the router gets the offers once it is durable.
                    JournalSightings();
                }

                AfterSightings(new OffersReceived(e.Offers.Offers_.ToImmutableArray()));
                break;
            case Event.Types.Type.Rescind:
                AfterSightings(new OfferRescinded(e.Rescind.OfferId.Value));
                break;
            case Event.Types.Type.Update when e.Update.Status.TaskId.Value.StartsWith(RoleHoldProbePrefix, StringComparison.Ordinal):
                OnRoleHoldProbeAnswer(e.Update.Status);
                break;
            case Event.Types.Type.Update:
                if (_holds.Count > 0 && e.Update.Status is { State: TaskState.TaskGoneByOperator, AgentId: { } goneAgent })
                {
                    RoleHoldsEnded(_holds.AgentGone(goneAgent.Value));
                }

                if (_unreconciled.Remove(e.Update.Status.TaskId.Value))
                {
                    CompleteReconciliationIfDone();
                }

                _launchesInDoubt.Remove(e.Update.Status.TaskId.Value);

                _pods.Tell(new TaskStatusUpdate(e.Update.Status), Self);
                break;
            case Event.Types.Type.Error:
                OnMasterError(e.Error.Message);
                break;
            case Event.Types.Type.Failure when e.Failure.ExecutorId is null:
                // The agent is unreachable or removed; its tasks' fates arrive as status updates (or through reconciliation).
                _log.Warning("Agent {0} is lost", e.Failure.AgentId?.Value);
                break;
            case Event.Types.Type.Failure:
                _log.Warning("Executor {0} on agent {1} ended with status {2}", e.Failure.ExecutorId.Value, e.Failure.AgentId?.Value, e.Failure.Status);
                break;
        }
    }

    /// <summary>
    /// An ERROR event: the master refused the framework and closes the stream. Subscribing again cannot help (a removed
    /// framework's id is refused forever, another scheduler took over, the FrameworkInfo is refused), so the gateway
    /// stops talking to the master and tells the scheduler root, which stops the scheduler and says why.
    /// </summary>
    private void OnMasterError(string message)
    {
        var framework = _frameworkId ?? "(new)";
        var reason = message == RemovedFrameworkError
            ? $"Mesos removed framework {framework} (\"{message}\": it was torn down, or its failover timeout of {_settings.FailoverTimeout.TotalSeconds:0} s ran out while no scheduler was subscribed) and killed its tasks; it can never subscribe under that id again. To deploy the service anew, start it on an empty --data-dir (a new journal registers a new framework)"
            : $"the Mesos master refused framework {framework}: {message}";
        _generation++;
        _stream?.Cancel();
        Timers.CancelAll();
        _router.Tell(SubscriptionLost.Instance);
        Context.Parent.Tell(new GatewayFailed(reason));
        Become(() => ReceiveAny(_ => { }));
    }

    private void StartReconciliation()
    {
        if (_reconciling)
        {
            return;
        }

        _reconciling = true;
        _reconcileAttempt = 0;
        _pods.Ask<TasksToReconcile>(GetTasksToReconcile.Instance, _settings.TasksToReconcileTimeout).PipeTo(
            Self,
            failure: e => new TasksToReconcileFailed(e));
    }

    private void OnTasksToReconcile(TasksToReconcile message)
    {
        _unreconciled = message.Tasks.ToDictionary(t => t.TaskId, t => t.AgentId, StringComparer.Ordinal);
        _log.Info("Reconciling {0} tasks", _unreconciled.Count);
        if (!CompleteReconciliationIfDone())
        {
            SendReconcile();
        }
    }

    private void SendReconcile()
    {
        if (_unreconciled.Count == 0)
        {
            return;
        }

        Send(ReconcileCall(_unreconciled.Select(t => (t.Key, t.Value))));

        // DC/OS ExplicitReconciler: again after 8 s, 16 s, then every 30 s until every task answered.
        var delay = _reconcileAttempt switch { 0 => 8, 1 => 16, _ => 30 };
        _reconcileAttempt++;
        Timers.StartSingleTimer(ReconcileTimer, ReconcileRetry.Instance, TimeSpan.FromSeconds(delay) * _settings.ReconcileDelayFactor);
    }

    /// <summary>An explicit RECONCILE of the tasks named (task id, agent id).</summary>
    private static Call ReconcileCall(IEnumerable<(string TaskId, string AgentId)> tasks)
    {
        var reconcile = new Call.Types.Reconcile();
        reconcile.Tasks.AddRange(tasks.Select(t => new Call.Types.Reconcile.Types.Task
        {
            TaskId = new TaskID { Value = t.TaskId },
            AgentId = new AgentID { Value = t.AgentId },
        }));
        return new Call { Type = Call.Types.Type.Reconcile, Reconcile = reconcile };
    }

    private bool CompleteReconciliationIfDone()
    {
        if (!_reconciling || _unreconciled.Count > 0)
        {
            return false;
        }

        _reconciling = false;
        Timers.Cancel(ReconcileTimer);
        var complete = new ReconciliationComplete(_frameworkId!, _localRegion);
        _router.Tell(complete);
        Context.Parent.Tell(complete);
        return true;
    }

    private void OnStreamEnded(StreamEnded message)
    {
        if (message.Generation != _generation)
        {
            return;
        }

        _generation++;
        _stream?.Cancel();
        _reconciling = false;
        // The next SUBSCRIBE names no suppressed roles.
        _suppressedRoles = [];
        var dropped = _offerFlow.Reset();
        Timers.Cancel(ReviveTokenTimer);
        Timers.Cancel(WatchdogTimer);
        Timers.Cancel(ReconcileTimer);
        Timers.Cancel(ImplicitReconcileTimer);
        Timers.Cancel(InDoubtReconcileTimer);
        _launchesInDoubt.Clear();
        // Offers of the ended stream (and ACCEPTs of them) that waited for sightings to be journaled: they died with it.
        _afterSightings.Clear();
        _router.Tell(SubscriptionLost.Instance);
        if (dropped is { } type)
        {
            NotDelivered(type);
        }

        _log.Warning("Subscription to {0} ended ({1}); retrying in {2:0.#}s", _settings.MasterUrl, message.Error?.Message ?? "closed", _backoff.TotalSeconds);
        Timers.StartSingleTimer(ResubscribeTimer, Connect.Instance, _backoff);
        _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, _settings.MaxBackoff.Ticks));
        Become(Disconnected);
    }

    private void Acknowledge(TaskStatus status)
    {
        // Master-generated updates (reconciliation, invalid offers, …) have no uuid and must not be acknowledged.
        if (!status.HasUuid || status.AgentId is null)
        {
            return;
        }

        Send(new Call
        {
            Type = Call.Types.Type.Acknowledge,
            Acknowledge = new Call.Types.Acknowledge { AgentId = status.AgentId, TaskId = status.TaskId, Uuid = status.Uuid },
        });
    }

    /// <summary>Time since the gateway started, from a monotonic clock: the revive budget's.</summary>
    private TimeSpan Monotonic => System.Diagnostics.Stopwatch.GetElapsedTime(_started);

    /// <summary>
    /// Sends the SUPPRESS or REVIVE <see cref="OfferFlowSequencer"/> let through, if any (its answer comes back as
    /// <see cref="OfferFlowSent"/>; without a subscription the wish is dropped); a REVIVE that waits for the budget is
    /// due when the next token is. False: nothing was let through.
    /// </summary>
    private bool SendOfferFlow(Call.Types.Type? allowed)
    {
        if (allowed is not { } type)
        {
            if (_offerFlow.ReviveWait(Monotonic) is { } wait)
            {
                Timers.StartSingleTimer(ReviveTokenTimer, ReviveTokenDue.Instance, wait);
            }

            return false;
        }

        // A SUPPRESS names no roles: the master suppresses every role the framework has then.
        var call = type switch
        {
            Call.Types.Type.Revive => new Call { Type = type, Revive = new Call.Types.Revive() },
            Call.Types.Type.Suppress => new Call { Type = type, Suppress = new Call.Types.Suppress() },
            _ => UpdateFrameworkCall(),
        };
        if (type != Call.Types.Type.UpdateFramework)
        {
            _suppressedRoles = type == Call.Types.Type.Suppress ? _roles.Roles : [];
        }

        var generation = _generation;
        if (!Send(call, error => new OfferFlowSent(generation, type, error)))
        {
            _offerFlow.Reset();
            NotDelivered(type);
        }

        return true;
    }

    /// <summary>
    /// Sends the DECLINE, counted in flight until its answer (<see cref="DeclineAnswered"/>): a REVIVE asked for after it
    /// waits for it (<see cref="OfferFlowSequencer"/>).
    /// </summary>
    private void SendDecline(DeclineOffers message)
    {
        if (!CanSend)
        {
            return;
        }

        var call = new Call
        {
            Type = Call.Types.Type.Decline,
            Decline = new Call.Types.Decline
            {
                OfferIds = { message.OfferIds.Select(id => new OfferID { Value = id }) },
                Filters = new Filters { RefuseSeconds = message.RefuseSeconds },
            },
        };
        var (generation, token) = (_generation, _offerFlow.DeclineSent());
        Send(call, error => new DeclineAnswered(generation, token, error));
    }

    /// <summary>
    /// Tells the router that the REVIVE or SUPPRESS it asked for did not reach the master, so it decides again (an
    /// UPDATE_FRAMEWORK not delivered is the next SUBSCRIBE's to carry, or lost with a failed call: it is logged).
    /// </summary>
    private void NotDelivered(Call.Types.Type type)
    {
        if (type != Call.Types.Type.UpdateFramework)
        {
            _router.Tell(type == Call.Types.Type.Revive ? ReviveNotDelivered.Instance : SuppressNotDelivered.Instance);
        }
    }

    /// <summary>
    /// An ACCEPT. If its call fails while the stream stays up (an HTTP timeout, a 5xx, a reset), the master may or may
    /// not have applied it, and no update may ever come of the tasks it launched: they are reconciled explicitly
    /// (<see cref="OnAcceptFailed"/>), so their pods learn soon whether they run.
    /// </summary>
    private void SendAccept(AcceptOffers message)
    {
        if (_holds.Count > 0)
        {
            // Reservations of a hold no offer showed (the router had the offer before the hold came): an offer without
            // them shows them gone only once this is journaled, so the ACCEPT waits for it.
            _holds.Unreserving(message.Operations
                .Where(o => o.Type == Offer.Types.Operation.Types.Type.Unreserve)
                .SelectMany(o => o.Unreserve.Resources)
                .Select(ActorScheduler.Actors.Offers.Resources.ResourceId)
                .OfType<string>());
            JournalSightings();
        }

        AfterSightings(message);
    }

    /// <summary>The ACCEPT of <see cref="SendAccept"/>, once what it shows of the role holds is journaled.</summary>
    private void SendAcceptNow(AcceptOffers message)
    {
        var call = new Call
        {
            Type = Call.Types.Type.Accept,
            Accept = new Call.Types.Accept
            {
                OfferIds = { message.OfferIds.Select(id => new OfferID { Value = id }) },
                Operations = { message.Operations },
                Filters = new Filters { RefuseSeconds = message.RefuseSeconds },
            },
        };
        var launched = message.Operations
            .SelectMany(o => o.Type switch
            {
                Offer.Types.Operation.Types.Type.Launch => o.Launch.TaskInfos,
                Offer.Types.Operation.Types.Type.LaunchGroup => o.LaunchGroup.TaskGroup.Tasks,
                _ => Enumerable.Empty<TaskInfo>(),
            })
            .Where(t => t.AgentId is not null)
            .Select(t => new TaskToReconcile(t.TaskId.Value, t.AgentId.Value))
            .ToImmutableArray();
        var generation = _generation;
        Send(call, launched.IsEmpty ? null : error => error is null ? Done.Instance : new AcceptFailed(generation, launched, error));
    }

    private void OnAcceptFailed(AcceptFailed failed)
    {
        _log.Warning("{0} call failed: {1}; reconciling the {2} task(s) it launched", Call.Types.Type.Accept, failed.Reason, failed.Launched.Length);
        foreach (var task in failed.Launched)
        {
            _launchesInDoubt[task.TaskId] = task.AgentId;
        }

        ReconcileLaunchesInDoubt();
    }

    /// <summary>Asks the master about the launches in doubt, again after a while until each is answered.</summary>
    private void ReconcileLaunchesInDoubt()
    {
        if (_launchesInDoubt.Count == 0)
        {
            return;
        }

        Send(ReconcileCall(_launchesInDoubt.Select(t => (t.Key, t.Value))));
        Timers.StartSingleTimer(InDoubtReconcileTimer, InDoubtReconcileRetry.Instance, TimeSpan.FromSeconds(8) * _settings.ReconcileDelayFactor);
    }

    private bool CanSend => _frameworkId is not null && _client is not null;

    /// <summary>
    /// Sends <paramref name="call"/> under the framework's id; its answer comes back to this actor as
    /// <paramref name="answered"/> of the error (null: it succeeded), by default nothing or <see cref="CallFailed"/>.
    /// False, and nothing sent, without a subscription.
    /// </summary>
    private bool Send(Call call, Func<string?, object>? answered = null)
    {
        if (!CanSend)
        {
            return false;
        }

        call.FrameworkId = new FrameworkID { Value = _frameworkId };
        var type = call.Type;
        answered ??= error => error is null ? Done.Instance : new CallFailed(type, error);
        var self = Self;
        _client!.SendAsync(call, CancellationToken.None).ContinueWith(
            t => self.Tell(answered(t.Exception?.GetBaseException().Message)),
            TaskScheduler.Default);
        return true;
    }

    private FrameworkInfo BuildFrameworkInfo()
    {
        var info = new FrameworkInfo
        {
            User = _settings.User,
            Name = _settings.FrameworkName,
            Principal = _settings.Principal,
            FailoverTimeout = _settings.FailoverTimeout.TotalSeconds,
            Checkpoint = true,
            Roles = { _roles.Roles },
            Capabilities =
            {
                new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.MultiRole },
                new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.ReservationRefinement },
                new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.PartitionAware },
                // Kills (ours, and Mesos' after failed health checks) report TASK_KILLING, a non-terminal state, first.
                new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.TaskKillingState },
                // Offers from agents in other regions than the master's too (a master sends them only to region-aware
                // frameworks): the offer router keeps pods without an @region rule in the service's region itself.
                new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.RegionAware },
            },
        };
        if (_roles.Gpus)
        {
            // Only when a pod asks for GPUs (DC/OS): a master offers GPU agents only to frameworks that say so.
            info.Capabilities.Add(new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.GpuResources });
        }

        if (_frameworkId is not null)
        {
            info.Id = new FrameworkID { Value = _frameworkId };
        }

        if (_settings.WebUiUrl is not null)
        {
            info.WebuiUrl = _settings.WebUiUrl;
        }

        return info;
    }

    private sealed record Connect
    {
        public static Connect Instance { get; } = new();
    }

    private sealed record Subscribed(int Generation, IMesosEventStream Subscription);

    private sealed record StreamEvent(int Generation, Event Event);

    private sealed record StreamEnded(int Generation, Exception? Error);

    private sealed record WatchdogTick : IDeadLetterSuppression
    {
        public static WatchdogTick Instance { get; } = new();
    }

    private sealed record ReconcileRetry : IDeadLetterSuppression
    {
        public static ReconcileRetry Instance { get; } = new();
    }

    /// <summary>The REVIVE that waited for the budget may have a token now.</summary>
    private sealed record ReviveTokenDue : IDeadLetterSuppression
    {
        public static ReviveTokenDue Instance { get; } = new();
    }

    /// <summary>Time to check the role holds (<see cref="GatewaySettings.RoleHoldCheckInterval"/>).</summary>
    private sealed record RoleHoldCheck : IDeadLetterSuppression
    {
        public static RoleHoldCheck Instance { get; } = new();
    }

    private sealed record ImplicitReconcileTick : IDeadLetterSuppression
    {
        public static ImplicitReconcileTick Instance { get; } = new();
    }

    private sealed record CallFailed(Call.Types.Type Type, string Reason);

    /// <summary>The ACCEPT of subscription <paramref name="Generation"/> that launched <paramref name="Launched"/> failed.</summary>
    private sealed record AcceptFailed(int Generation, ImmutableArray<TaskToReconcile> Launched, string Reason);

    private sealed record InDoubtReconcileRetry : IDeadLetterSuppression
    {
        public static InDoubtReconcileRetry Instance { get; } = new();
    }

    /// <summary>The SUPPRESS or REVIVE call of subscription <paramref name="Generation"/> was answered (<paramref name="Error"/>: it failed).</summary>
    private sealed record OfferFlowSent(int Generation, Call.Types.Type Type, string? Error);

    /// <summary>A DECLINE of subscription <paramref name="Generation"/> was answered (<paramref name="Error"/>: it failed).</summary>
    private sealed record DeclineAnswered(int Generation, int Token, string? Error);

    private sealed record Done
    {
        public static Done Instance { get; } = new();
    }
}

/// <summary>Gateway → itself once the root has created the router and pods.</summary>
/// <param name="Roles">The roles and capabilities the target spec needs; null: the service role only.</param>
internal sealed record GatewayPeers(IActorRef Router, IActorRef Pods, FrameworkRoles? Roles = null);

/// <summary>Root → gateway: the new target needs these roles and capabilities (ignored when they are the same).</summary>
internal sealed record FrameworkRolesChanged(FrameworkRoles Roles);

/// <summary>
/// Root → gateway: no pod of a type the current target lacks is left, so the roles kept beyond the target's (for the
/// reservations of removed pod types) are dropped; until the next target.
/// </summary>
internal sealed record KeptRolesUnneeded
{
    public static KeptRolesUnneeded Instance { get; } = new();
}

/// <summary>
/// Router → gateway: a pod gave up reservations under <paramref name="Role"/> on <paramref name="AgentId"/> (the router
/// sends it before any ACCEPT that unreserves them): the framework keeps the role for them (<see cref="RoleHolds"/>).
/// </summary>
/// <param name="Made">Their tasks ran, so they exist (see <see cref="RoleHold.Made"/>).</param>
internal sealed record HoldRole(string Role, string AgentId, ImmutableArray<string> ResourceIds, bool Made);

/// <summary>The pods' list of tasks to reconcile did not come (<see cref="GatewaySettings.TasksToReconcileTimeout"/>).</summary>
internal sealed record TasksToReconcileFailed(Exception Cause);

/// <summary>How the gateway connects.</summary>
/// <param name="ReconcileDelayFactor">Scales the 8 s / 16 s / 30 s reconciliation retries (tests shorten them).</param>
public sealed record GatewaySettings(
    Uri MasterUrl,
    string FrameworkName,
    string Role,
    string Principal,
    string User,
    TimeSpan FailoverTimeout,
    TimeSpan MaxBackoff,
    int MissedHeartbeats = 5,
    double ReconcileDelayFactor = 1.0,
    string? WebUiUrl = null)
{
    /// <summary>
    /// Opens the transport to the master; null (the default) means the HTTP scheduler API at <see cref="MasterUrl"/>.
    /// The simulation kit sets an in-process master here.
    /// </summary>
    public Func<IMesosConnection>? Connection { get; init; }

    /// <summary>A new connection: <see cref="Connection"/>, or an HTTP client of <see cref="MasterUrl"/>.</summary>
    public IMesosConnection CreateConnection() => Connection?.Invoke() ?? new MesosSchedulerClient(MasterUrl);

    /// <summary>
    /// REVIVEs that may go out back to back (DC/OS <c>TokenBucket</c> capacity: 256). A deploy revives once a step whose
    /// offers were declined, so a serial plan of a few hundred steps never waits for the budget.
    /// </summary>
    public int ReviveBurst { get; init; } = 256;

    /// <summary>
    /// One REVIVE more may go out each interval once the burst is spent (DC/OS: one every 256 s, and 5 s between any two,
    /// which makes a serial plan take 5 s a step).
    /// </summary>
    public TimeSpan ReviveRefill { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the gateway waits for the framework actor's id before it asks again.</summary>
    public TimeSpan FrameworkIdTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The DC/OS SDK's implicit reconciliation period (<c>IMPLICIT_RECONCILIATION_PERIOD_MS</c>): one hour.</summary>
    public static readonly TimeSpan DefaultImplicitReconcileInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// How often, while subscribed, the gateway asks the master for the state of every task it knows (an empty
    /// RECONCILE): catches updates the master sent while we were not listening.
    /// </summary>
    public TimeSpan ImplicitReconcileInterval { get; init; } = DefaultImplicitReconcileInterval;

    /// <summary>
    /// How long the gateway waits for the pods' list of tasks to reconcile (each pod answers; the guardian gathers them
    /// for up to 30 s) before it asks again.
    /// </summary>
    public TimeSpan TasksToReconcileTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The Mesos master's <c>--registry_max_agent_age</c> default: two weeks (<c>DEFAULT_REGISTRY_MAX_AGENT_AGE</c>).</summary>
    public static readonly TimeSpan DefaultRegistryMaxAgentAge = TimeSpan.FromDays(14);

    /// <summary>
    /// How long the master keeps an unreachable agent in its registry (its <c>--registry_max_agent_age</c>): an agent
    /// unreachable that long no longer comes back with its reservations, so the framework stops keeping a role for
    /// reservations given up there that long ago (<see cref="RoleHolds"/>). Set it to the master's flag.
    /// </summary>
    public TimeSpan RegistryMaxAgentAge { get; init; } = DefaultRegistryMaxAgentAge;

    /// <summary>
    /// How often, while the framework keeps a role for given-up reservations, the gateway checks whether their agents
    /// were marked gone (one explicit reconciliation for them all) and whether <see cref="RegistryMaxAgentAge"/> passed.
    /// </summary>
    public TimeSpan RoleHoldCheckInterval { get; init; } = TimeSpan.FromMinutes(1);
}
