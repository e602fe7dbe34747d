using System.Collections.Immutable;
using ActorScheduler.Actors.Config;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Actors.Tls;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Pods;

/// <summary>
/// One pod instance (<c>hello-0</c>): its task infos, statuses and reservations. Records task infos before the
/// ACCEPT that launches them, records status updates before they are acknowledged, and tells the step that owns
/// it how its tasks progress.
/// </summary>
internal sealed partial class PodInstanceActor : JournaledEntityActor, IWithTimers
{
    /// <summary>How often kills are re-sent until the task reports a terminal state (DC/OS TaskKiller).</summary>
    internal static readonly TimeSpan DefaultKillRetryInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a decommissioned pod waiting for its released reservations to be offered asks the master whether their
    /// agent was marked gone (on the scheduler's clock: virtual in simulations).
    /// </summary>
    internal static readonly TimeSpan ReleaseProbeInterval = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _killRetryInterval;

    /// <summary>A task that fails within this long after its launch counts as crash-looping.</summary>
    internal static readonly TimeSpan CrashWindow = TimeSpan.FromSeconds(30);

    /// <summary>Relaunch delays of a crash-looping pod: base, doubling, capped.</summary>
    internal static readonly TimeSpan DefaultBackoffBase = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    private const string BackoffTimer = "relaunch-backoff";
    private readonly TimeSpan _backoffBase;
    private DateTime? _launchedAt;
    private int _quickFailures;
    private bool _backingOff;

    private const string KillRetryTimer = "kill-retry";
    private const string ConfigFetchRetryTimer = "config-fetch-retry";
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _service;
    private readonly string _podType;
    private readonly int _index;
    private readonly string _name;

    private readonly IActorRef _router;
    private readonly IActorRef _gateway;
    private PodInstanceState _state = PodInstanceState.Empty;

    // The step currently driving this pod, and what it asked for.
    private IActorRef? _step;
    private RequireTasks? _required;
    private bool _registered;

    // The driving step whose plan or phase is interrupted (HoldTasks): it launches nothing until it requires again.
    private string? _heldStepId;

    // Why the required launch relaunches the whole pod (its executor settings changed), told to the step; null otherwise.
    private string? _executorRelaunch;

    // The pod's other tasks that were live when the driving step's launch had to start a new executor: killed with the
    // step's own and launched with them, on the step's target. Empty otherwise. Journaled (ExecutorRelaunchPlanned): after
    // a restart between the kills and the launch, the same step's requirement for the same config takes it up again.
    private ImmutableArray<string> _relaunchWith = [];

    // Plan steps that required the pod while another step took it over, by step identity, in the order displaced: the
    // first drives it again once the driving step is done with it. Made when first needed.
    private OrderedDictionary<string, (IActorRef Step, RequireTasks Required)>? _waitingDrivers;
    private string? _claimedOfferId;

    // Why the offers a cycle evaluated for the registered requirement did not fit it (the router's OffersDoNotFit), until
    // the pod registers again or is claimed: its step shows PREPARED with the reason, as DC/OS's does.
    private string? _offersDoNotFit;

    // The number of the pod's latest registration with the router (RegisterRequirement.Registration): a reason the router
    // counted for an earlier one, still in flight when the pod registered again, is dropped, not shown until the next
    // cycle. Drawn from one counter for the process, so a pod restarted in place (same actor ref, fields reset) never
    // reuses a number its earlier incarnation registered with.
    private long _registration;
    private static long _lastRegistration;

    // The last claim the router made to this pod that it answered (LaunchClaim.Seq), echoed in what it tells the router.
    private long _claimsSeen;
    private readonly HashSet<string> _killsSent = new();

    // Of _killsSent: launches no update was heard of yet, killed once one comes (KillLiveTasks). Made when first needed
    // (one set for each of thousands of pods otherwise).
    private HashSet<string>? _killsDeferred;

    // The steps that watch the pod (complete, or not proceeding), by step identity (GetTaskProgress.StepId: plan, phase
    // and name, as step names repeat across plans), in the order they first asked: the first
    // is whose target recovery reads and whom a pause relaunches for. Ordered, so that a step dropped does not leave a
    // place the next one takes ahead of earlier ones (a Dictionary reuses freed entries).
    // A step gone with its plans (PlansReplaced) stays without its actor until a step of the new plans takes its place.
    private readonly OrderedDictionary<string, (IActorRef? Step, GetTaskProgress Query)> _watchers = new(StringComparer.Ordinal);

    // Recovery: settings, the scheduler's clock (virtual in simulations), whether the pod's own recovery phase (not a
    // plan step) drives it now, and the recovery plan that shows it.
    private readonly RecoverySettings _recovery;
    private readonly TimeProvider _clock;
    private readonly int _snapshotAfterEvents;
    private bool _drivenByRecovery;
    private IActorRef? _recoveryPlan;
    private bool _recoveryPlanInterrupted;
    private ITimer? _wakeUp;
    private ITimer? _releaseProbe;
    private string? _unrecoverableLogged;

    // The targets the pod's tasks were launched on, by config id (those steps brought; those fetched from the config
    // store after a restart): recovery relaunches a task on the config it ran, not on a new target a paused or
    // canary-held rollout has not brought it to yet. Configs the store could not give (id → why), those asked for, and
    // the last fallback logged.
    private readonly IActorRef? _configStore;
    private readonly Dictionary<string, TargetConfig> _targets = new(StringComparer.Ordinal);
    private Dictionary<string, string>? _unavailableConfigs;
    private HashSet<string>? _configsAsked;
    private string? _recoveryTargetNoteLogged;

    // Transport encryption: the service CA, the artifacts it gave the pod's tasks (kept for the actor's life; the CA
    // keeps them across restarts), whether an answer is awaited, why it last refused (then the pod registers without
    // them, and the TLS stage shows why, until an answer brings them) and how many times in a row it refused: it is asked
    // again after the crash-loop backoff's delays (base, doubling, capped). Empty for pods without transport encryption.
    private const string TlsRetryTimer = "tls-retry";
    private readonly IActorRef? _tlsAuthority;
    private ImmutableArray<IssuedTls> _tls = [];
    private bool _tlsAsked;
    private string? _tlsRefusal;
    private int _tlsRefusals;

    public PodInstanceActor(string service, string podType, int index, IActorRef journal, IActorRef router, IActorRef gateway, TimeSpan? killRetryInterval = null, TimeSpan? backoffBase = null, RecoverySettings? recovery = null, TimeProvider? clock = null, int? snapshotAfterEvents = null, IActorRef? configStore = null, IActorRef? tlsAuthority = null)
        : base(journal, $"{service}/pod/{PodNames.Instance(podType, index)}")
    {
        _configStore = configStore;
        _tlsAuthority = tlsAuthority;
        _snapshotAfterEvents = snapshotAfterEvents ?? SchedulerSettings.DefaultPodSnapshotAfterEvents;
        _recovery = recovery ?? RecoverySettings.Default;
        _clock = clock ?? TimeProvider.System;
        _killRetryInterval = killRetryInterval ?? DefaultKillRetryInterval;
        _backoffBase = backoffBase ?? DefaultBackoffBase;
        _service = service;
        _podType = podType;
        _index = index;
        _name = PodNames.Instance(podType, index);
        // Every event of this pod carries the same tag.
        JournalTags = [$"pod:{_name}"];
        _router = router;
        _gateway = gateway;
    }

    protected override bool OnRecover(object @event)
    {
        switch (@event)
        {
            case TaskLaunchRecorded or TaskStatusRecorded or FootprintConfirmed or LaunchAbandoned or PodReplaced or GivenUpFootprintSettled
                or TaskFailureSeen or BackoffDelayed or BackoffCleared or RecoveryStarted or RecoveryPhaseChanged
                or ExecutorRelaunchPlanned or ExecutorRelaunchDropped:
                _state = _state.Apply(@event);
                return true;
            case PodInstanceSnapshot snapshot:
                _state = PodInstanceSnapshots.Restore(snapshot);
                return true;
            // Journals that keep the tag wrapper hand it back on replay.
            case Tagged t:
                _state = _state.Apply(t.Payload);
                return true;
            case RecoveryCompleted:
                AnnounceFootprint();
                foreach (var (agent, ids) in _state.GivenUp)
                {
                    // Not seen collected before the restart: the router waits for them again (as made: whether they were
                    // is not journaled, and waiting for them to show free is the safe side).
                    _router.Tell(new FootprintAbandoned(_name, ids, agent, Role: _state.RoleOfReservations(ids)));
                }

                ResumeOverrides();
                ScheduleWakeUp();
                return true;
            default:
                return RecoverOverride(@event);
        }
    }

    protected override bool OnCommand(object message)
    {
        switch (message)
        {
            case GetTaskProgress m:
                // A step that only watches (complete, or not yet proceeding) is whom recovery relaunches for.
                AddWatcher(Sender, m);
                Hold(m.Target);
                Sender.Tell(Report(m.Step, m.Target, m.RelaunchBefore));
                CancelDecommissionIfWanted(m.Target);
                ClockUnreachableTasks(m.Target);
                ConsiderRecovery();
                ReportRecovery();
                return true;
            case Messages.Pods.PodProtocol.RestartPod:
                RestartOrReplace(Sender, permanent: false);
                return true;
            case Messages.Pods.PodProtocol.ReplacePod:
                RestartOrReplace(Sender, permanent: true);
                return true;
            case FootprintSettled m:
                if (_state.GivenUp.ContainsKey(m.AgentId))
                {
                    Record([new GivenUpFootprintSettled { AgentId = m.AgentId, ResourceIds = { m.ResourceIds }, At = Timestamp.FromDateTime(DateTime.UtcNow) }], () => { });
                }

                return true;
            case WatchRecovery m:
                _recoveryPlan = m.Plan;
                _recoveryPlanInterrupted = m.Interrupted;
                if (m.Interrupted)
                {
                    ReleaseRecoveryDriver();
                }
                else
                {
                    DriveRecovery();
                }

                ReportRecovery();
                return true;
            case RecoveryCommand m:
                OnRecoveryCommand(m);
                return true;
            case TlsProtocol.Issued or TlsProtocol.Refused:
                OnTlsAnswer(message);
                return true;
            case RetryTls:
                OnRetryTls();
                return true;
            case StoredTarget m:
                OnStoredTarget(m);
                return true;
            case RetryConfigFetch:
                OnRetryConfigFetch();
                return true;
            case ClearBackoff m:
                var cleared = new BackoffCleared { TaskNames = { m.Tasks }, At = Timestamp.FromDateTime(DateTime.UtcNow) };
                Persist(cleared, _ =>
                {
                    _state = _state.Apply(cleared);
                    AfterProgress();
                });
                return true;
            case RecoveryWakeUp:
                ConsiderRecovery();
                Reevaluate();
                AfterProgress();
                ScheduleWakeUp();
                return true;
            case ReleaseTasks m:
                OnReleaseTasks(m);
                return true;
            case PlansReplaced:
                OnPlansReplaced();
                return true;
            case RequireTasks m:
                OnRequireTasks(m);
                return true;
            case HoldTasks m:
                OnHoldTasks(m);
                return true;
            case LaunchClaim m:
                OnLaunchClaim(m);
                return true;
            case OffersDoNotFit m:
                if (_registered && m.Registration == _registration && m.Why != _offersDoNotFit)
                {
                    _offersDoNotFit = m.Why;
                    ReportToStep();
                }

                return true;
            case TaskStatusUpdate m:
                OnStatusUpdate(m);
                return true;
            case GetTasksToReconcile:
                Sender.Tell(new TasksToReconcile(TasksToReconcile()));
                return true;
            case GetPodInstanceStatus:
                Sender.Tell(StatusView());
                return true;
            case GetPodInstanceInfo:
                Sender.Tell(new Messages.Pods.PodInstanceInfo(
                    _name,
                    _state.Tasks.Values.OrderBy(r => r.Info.Name, StringComparer.Ordinal).Select(r => new Messages.Pods.PodTaskInfo(r.Info, r.Status)).ToImmutableArray(),
                    _state.Footprint?.Hostname,
                    _state.Footprint?.Agent?.Zone,
                    _state.Footprint?.Agent?.Region));
                return true;
            case RetryKills:
                OnRetryKills();
                return true;
            case AcceptPending m:
                OnAcceptPending(m);
                return true;
            case BackoffElapsed:
                _backingOff = false;
                Reevaluate();
                return true;
            default:
                return CommandOverride(message);
        }
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string service, string podType, int index, IActorRef journal, IActorRef router, IActorRef gateway, TimeSpan? killRetryInterval = null, TimeSpan? backoffBase = null, RecoverySettings? recovery = null, TimeProvider? clock = null, int? snapshotAfterEvents = null, IActorRef? configStore = null, IActorRef? tlsAuthority = null) =>
        FactoryProps.Create(() => new PodInstanceActor(service, podType, index, journal, router, gateway, killRetryInterval, backoffBase, recovery, clock, snapshotAfterEvents, configStore, tlsAuthority));

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private void OnRequireTasks(RequireTasks message) => Drive(Sender, message);

    /// <summary>
    /// A plan step takes the pod over from its recovery (deploy &gt; recovery): its requirement replaces recovery's. So
    /// does another step's, or this step's with new parameters: the registered requirement (its tasks, parameters and
    /// plan priority) is withdrawn and the new one registered when it needs a launch. Another step's (another plan's,
    /// whose step may share the name) waits meanwhile and drives the pod again once this one is done with it.
    /// </summary>
    private void Drive(IActorRef step, RequireTasks message)
    {
        _waitingDrivers?.Remove(message.StepId);
        if (_drivenByRecovery)
        {
            ReleaseRecoveryDriver();
        }
        else if (_required is not null && (!Equals(_step, step) || _required != message))
        {
            WithdrawRegistration();
            // A held step (its plan or phase paused) does not wait: its RequireTasks when it resumes brings it back.
            if (_required.StepId != message.StepId && _step is not null && !RequiredHeld)
            {
                (_waitingDrivers ??= new OrderedDictionary<string, (IActorRef, RequireTasks)>(StringComparer.Ordinal))[_required.StepId] = (_step, _required);
            }

            // A relaunch in a new executor the displaced step journaled stays: it takes it up when it drives again.
            _relaunchWith = [];
            _executorRelaunch = null;
        }

        _step = step;
        _required = message;
        _heldStepId = null;
        Hold(message.Target);
        step.Tell(Report(message.Step, message.Target, message.RelaunchBefore));
        CancelDecommissionIfWanted(message.Target);
        ClockUnreachableTasks(message.Target);
        Reevaluate();
        ReportRecovery();
        TellWaitingSteps();
    }

    /// <summary>
    /// The driving step is no candidate any more (its plan or phase interrupted): its requirement is withdrawn from the
    /// router and nothing more is launched for it (<see cref="Reevaluate"/>, <see cref="OnLaunchClaim"/>). It still drives
    /// the pod: a launch already claimed goes on and reports to it, and recovery does not take the pod over meanwhile
    /// (deploy &gt; recovery, as for a step that waits). Its next <see cref="RequireTasks"/> resumes it. Unless its plan
    /// itself is interrupted and a step it displaced waits: DC/OS counts no step of an interrupted plan as working on its
    /// pod (its plan coordinator gathers dirty assets from uninterrupted plans only), so that step drives the pod again,
    /// and the held one takes it back with its <see cref="RequireTasks"/> when its plan continues. A step of an
    /// interrupted phase (its plan going on) keeps the pod, as a DC/OS step under way keeps its pod dirty: the steps
    /// waiting are told so.
    /// </summary>
    private void OnHoldTasks(HoldTasks message)
    {
        // A waiting step held no longer waits: its next RequireTasks (when it proceeds again) brings it back.
        _waitingDrivers?.Remove(message.StepId);
        if (_drivenByRecovery || _required?.StepId != message.StepId)
        {
            return;
        }

        _heldStepId = message.StepId;
        WithdrawRegistration();
        if (message.PlanInterrupted && _waitingDrivers is { Count: > 0 } && _step is { } heldStep)
        {
            var held = _required;
            DriveFirstWaiting($"the plan of {Plans.StepActor.Describe(held.StepId)} is interrupted");
            heldStep.Tell(Report(held.Step, held.Target, held.RelaunchBefore) with
            {
                Prepared = false,
                Message = $"its plan is interrupted: {Plans.StepActor.Describe(_required.StepId)} works on {_name} meanwhile; this step takes it back when its plan continues",
            });
            return;
        }

        TellWaitingSteps();
    }

    /// <summary>
    /// Tells the steps waiting for the pod (<see cref="Drive"/> displaced them) what they wait for: their status is what
    /// their tasks show, their message (<c>plan show</c>) names the step that works on the pod and what ends the wait.
    /// </summary>
    private void TellWaitingSteps()
    {
        if (_waitingDrivers is not { Count: > 0 } waiting || _required is null || _drivenByRecovery)
        {
            return;
        }

        var driver = Plans.StepActor.Describe(_required.StepId);
        var note = RequiredHeld
            ? $"waiting for {driver}, which works on {_name} (one step at a time per pod): its phase is interrupted, and it keeps the pod until it continues and completes, or is force-completed"
            : $"waiting for {driver}, which took {_name} over (one step at a time per pod): this step drives it again once that one completes or is force-completed";
        foreach (var (_, (step, required)) in waiting)
        {
            step.Tell(Report(required.Step, required.Target, required.RelaunchBefore) with { Prepared = false, Message = note });
        }
    }

    /// <summary>The driving step is held (<see cref="OnHoldTasks"/>).</summary>
    private bool RequiredHeld => _heldStepId is not null && !_drivenByRecovery && _required?.StepId == _heldStepId;

    private void OnReleaseTasks(ReleaseTasks message)
    {
        // A recovery phase is named like the pod's step (hello-0:[server]): a step that releases the pod does not
        // release what recovery drives. A waiting step that releases it waits no more.
        _waitingDrivers?.Remove(message.StepId);
        if (_drivenByRecovery || _required?.StepId != message.StepId)
        {
            return;
        }

        DropExecutorRelaunch();
        _required = null;
        _heldStepId = null;
        if (_registered)
        {
            _registered = false;
            _router.Tell(new WithdrawRequirement(_name));
        }

        DriveWaitingStep();
    }

    /// <summary>
    /// The driving step let the pod go: a step another one displaced (<see cref="Drive"/>) drives it again, the first
    /// that waits.
    /// </summary>
    private void DriveWaitingStep()
    {
        if (_required is null)
        {
            DriveFirstWaiting("the step that took it over is done with it");
        }
    }

    /// <summary>The first step that waits for the pod (if any) drives it again.</summary>
    private void DriveFirstWaiting(string why)
    {
        if (_waitingDrivers is not { Count: > 0 } waiting)
        {
            return;
        }

        var (stepId, (step, required)) = waiting.GetAt(0);
        waiting.RemoveAt(0);
        _log.Info("{0}: {1} drives the pod again: {2}", _name, Plans.StepActor.Describe(stepId), why);
        Drive(step, required);
    }

    /// <summary>
    /// The plans were rebuilt (<see cref="PlansReplaced"/>): the steps that drove or watched the pod are gone. A step gone
    /// in the middle of its work no longer drives the pod — its registration is withdrawn, so a plan that is no more
    /// launches nothing (DC/OS rebuilds its plans: a step of the old ones is never a candidate again) — and none is told
    /// anything more. Each stays a watcher without its actor: its target is still the one recovery reads, and its tasks
    /// are still relaunched by a pause or resume, when no step of the new plans names the pod. A new step takes over
    /// when it asks (as a watcher of another config, or as the same step: plans rebuilt keep their steps' identities) or
    /// requires the pod. The recovery plan is rebuilt too: the new one says so (<see cref="WatchRecovery"/>).
    /// </summary>
    private void OnPlansReplaced()
    {
        foreach (var (name, (_, query)) in _watchers.ToList())
        {
            _watchers[name] = (null, query);
        }

        _recoveryPlan = null;
        _waitingDrivers = null;
        if (_required is null || _drivenByRecovery)
        {
            return;
        }

        _watchers[_required.StepId] = (null, _required.AsQuery());
        _required = null;
        _heldStepId = null;

        // The journaled relaunch stays: the new plans' step of the same identity, for the same config, takes it up.
        _relaunchWith = [];
        _executorRelaunch = null;
        _step = null;
        WithdrawRegistration();
        AfterDriverReleased();
    }

    /// <summary>Registers with the router when the required tasks need a launch; kills stale tasks first.</summary>
    private void Reevaluate()
    {
        if (_required is null || _registered || _claimedOfferId is not null || _backingOff || Decommissioning || RequiredHeld)
        {
            return;
        }

        var (step, target) = (_required.Step, _required.Target);
        var pod = target.Spec.FindPod(_podType);
        if (pod is null)
        {
            return;
        }

        // A task whose backoff delay runs holds back the whole launch (DC/OS: nothing while a task is delayed).
        var now = Now;
        if (!_state.Backoff.IsEmpty && step.Tasks.Any(t => RecoveryPlanner.IsDelayed(t, _state, now)))
        {
            return;
        }

        if (!NeedsLaunch(_required, pod, step.Tasks, now))
        {
            return;
        }

        // Tasks of the step still alive on an old config hold the reservations, and so does a live task of another
        // step on a resource set of this step (a set serves one task at a time): kill them and wait for their end.
        // (A pod with no live task, as every pod of a fresh deploy, has none to look for.)
        IEnumerable<string> holders = [];
        if (_state.HasLiveTasks)
        {
            var stepSets = step.Tasks.Select(t => pod.FindTask(t)?.ResourceSetId).OfType<string>().ToHashSet(StringComparer.Ordinal);
            holders = step.Tasks.Concat(pod.Tasks.Where(t => stepSets.Contains(t.ResourceSetId)).Select(t => t.Name)).Distinct();
        }

        // Other tasks of the pod still run its executor, which the launch would join; when a plan step brings the pod to a
        // target whose executor-level settings differ, that executor cannot take them (ExecutorReuse): every live task of
        // the pod is killed, and once all ended the step's tasks start a new executor together with the others, on the
        // step's target (left to recovery, which relaunches on the config a task ran, an essential one would take the
        // whole pod back to the old config). Recovery itself joins the running executor as it is.
        var toldBefore = _executorRelaunch;

        // After a restart between the kills and the launch no executor runs any more: which tasks come along is journaled.
        if (_relaunchWith.IsEmpty && !_drivenByRecovery && _state.ExecutorRelaunch is { } planned
            && planned.StepId == _required.StepId && planned.ConfigId == target.ConfigId)
        {
            _relaunchWith = [.. planned.Tasks.Where(t => pod.FindTask(t) is not null && !step.Tasks.Contains(t))];
            if (!_relaunchWith.IsEmpty)
            {
                _executorRelaunch = $"relaunching the whole pod in a new executor: its executor settings changed; {string.Join(", ", _relaunchWith)} relaunched with it";
                _log.Info("{0}: {1}", _name, _executorRelaunch);
                ReportToStep();
            }
        }

        if (!_drivenByRecovery && _step is not null && _state.RunningExecutor() is { } running
            && ExecutorReuse.ChangedSettings(running, _service, pod, _index) is { } changed)
        {
            // All of them are killed; those the target still has are launched with the step's (a task the update removed is not).
            var live = _state.Tasks.Where(t => !t.Value.IsTerminal && !step.Tasks.Contains(t.Key)).Select(t => t.Key).ToList();
            _relaunchWith = [.. _relaunchWith.Union(live.Where(t => pod.FindTask(t) is not null), StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            if (live.Count > 0)
            {
                var removed = live.Where(t => !_relaunchWith.Contains(t)).ToList();
                _executorRelaunch = $"relaunching the whole pod in a new executor: its executor settings changed ({changed}), which its running executor {running.ExecutorId.Value} cannot take"
                    + (_relaunchWith.IsEmpty ? string.Empty : $"; {string.Join(", ", _relaunchWith)} relaunched with it")
                    + (removed.Count == 0 ? string.Empty : $"; {string.Join(", ", removed)} (not in config {target.ConfigId}) killed");
                holders = holders.Concat(live).Distinct();
                if (_executorRelaunch != toldBefore)
                {
                    _log.Info("{0}: {1}", _name, _executorRelaunch);
                    ReportToStep();
                }
            }

            // Durable first: the plan is journaled before any kill goes out, so a crash between the kills and the launch
            // cannot lose which tasks launch together. Once it is, the pod looks again and sends the kills.
            if (JournalExecutorRelaunch(_required, target.ConfigId))
            {
                return;
            }
        }

        // A launch no update was heard of yet is waited for too (its ACCEPT may have gone out: it may start on the
        // reservations at any moment): the pod relaunches only once it ended, never beside it (so too a task a
        // force-completed decommission gave the reservations of up).
        var alive = holders
            .Select(t => _state.Tasks.GetValueOrDefault(t))
            .Where(r => r is not null && !r.IsTerminal)
            .Cast<TaskRecord>()
            .ToList();
        if (alive.Count > 0)
        {
            // One left behind on a partitioned agent the pod gave up (a permanent replace) holds none of the reservations
            // the relaunch will use: it is killed (again once its agent returns) but not waited for.
            var waitFor = alive.Any(r => !_state.IsLeftBehind(r));
            // A task in TASK_KILLING is already on its way out (Mesos killed it, e.g. for a failed health check).
            foreach (var record in alive.Where(r => r.Status?.State != TaskState.TaskKilling && _killsSent.Add(r.TaskId)))
            {
                if (record.Status is null)
                {
                    // Its kill waits for its first update, or until its ACCEPT is known to have gone out (KillLiveTasks).
                    _log.Info("Will kill {0} ({1}) to relaunch it on config {2} once its launch reports", record.Info.Name, record.TaskId, target.ConfigId);
                    (_killsDeferred ??= new HashSet<string>(StringComparer.Ordinal)).Add(record.TaskId);
                    continue;
                }

                _log.Info("Killing {0} ({1}) to relaunch it on config {2}", record.Info.Name, record.TaskId, target.ConfigId);
                SendKill(record);
            }

            Timers.StartPeriodicTimer(KillRetryTimer, RetryKills.Instance, _killRetryInterval);
            if (waitFor)
            {
                return;
            }
        }

        // Tasks with transport-encryption launch with their TLS artifacts, which the service CA issues first (off its
        // message loop); the pod registers once they came (DC/OS TLSEvaluationStage makes them during evaluation).
        var launchTasks = LaunchTasks(_required);
        var tls = ImmutableArray<IssuedTls>.Empty;
        if (TlsEvaluationStage.Uses(pod, launchTasks))
        {
            var requests = TlsRequests(target.Spec.Name, pod, launchTasks);
            if (!TlsCovers(requests, out tls) && _tlsAuthority is not null)
            {
                if (_tlsRefusal is null)
                {
                    if (!_tlsAsked)
                    {
                        _tlsAsked = true;
                        _tlsAuthority.Tell(new TlsProtocol.Issue(_name, requests));
                    }

                    return;
                }

                // Refused: the pod registers with the refusal (its evaluation says why) and asks again after a delay.
                if (!_tlsAsked && !Timers.IsTimerActive(TlsRetryTimer))
                {
                    Timers.StartSingleTimer(TlsRetryTimer, RetryTls.Instance, TlsRetryDelay());
                }
            }
        }

        var requirement = new PodRequirement(_service, target.Spec.User, PauseOverride.Apply(pod, _state.Paused), _index, launchTasks, target.ConfigId, _state.Footprint, _state.RunningExecutor())
        {
            Parameters = _required.Parameters ?? ImmutableDictionary<string, string>.Empty,
            PlanPriority = _required.PlanPriority,
            Paused = _state.Paused,
            Tls = tls,
            TlsRefusal = tls.IsEmpty ? _tlsRefusal ?? (_tlsAuthority is null ? "the scheduler has no certificate authority" : null) : null,
        };
        _registered = true;
        _offersDoNotFit = null;
        _registration = Interlocked.Increment(ref _lastRegistration);
        _router.Tell(new RegisterRequirement(requirement, _claimsSeen, _registration));
    }

    /// <summary>What the launched tasks need of the service CA: one request per task and <c>transport-encryption</c> name.</summary>
    private ImmutableArray<TlsProtocol.Request> TlsRequests(string serviceName, PodSpec pod, ImmutableArray<string> tasks)
    {
        var requests = ImmutableArray.CreateBuilder<TlsProtocol.Request>();
        foreach (var task in tasks.Select(pod.FindTask).OfType<TaskSpec>())
        {
            var names = TlsNames.Of(serviceName, pod.Type, _index, task);
            foreach (var name in task.TransportEncryption.Select(e => e.Name).Distinct(StringComparer.Ordinal))
            {
                requests.Add(new TlsProtocol.Request(task.Name, name, names));
            }
        }

        return requests.ToImmutable();
    }

    /// <summary>Whether the artifacts at hand answer every request (same SANs); <paramref name="issued"/> those that do.</summary>
    private bool TlsCovers(ImmutableArray<TlsProtocol.Request> requests, out ImmutableArray<IssuedTls> issued)
    {
        var found = ImmutableArray.CreateBuilder<IssuedTls>(requests.Length);
        foreach (var request in requests)
        {
            var match = _tls.FirstOrDefault(t => t.Task == request.Task && t.Name == request.Name && t.Artifacts.SansHash == request.Names.SansHash);
            if (match is null)
            {
                issued = [];
                return false;
            }

            found.Add(match);
        }

        issued = found.MoveToImmutable();
        return true;
    }

    private void OnTlsAnswer(object answer)
    {
        _tlsAsked = false;
        var refusedBefore = _tlsRefusal;
        if (answer is TlsProtocol.Issued issued)
        {
            _tlsRefusal = null;
            _tlsRefusals = 0;
            Timers.Cancel(TlsRetryTimer);
            _tls = _tls.RemoveAll(t => issued.Artifacts.Any(i => i.Task == t.Task && i.Name == t.Name)).AddRange(issued.Artifacts);
        }
        else if (answer is TlsProtocol.Refused refused)
        {
            _tlsRefusal = refused.Reason;
            _tlsRefusals++;
            var delay = TlsRetryDelay();
            _log.Warning("{0}: {1} (refused {2} times in a row; asking again in {3:0.#}s)", _name, refused.Reason, _tlsRefusals, delay.TotalSeconds);
            Timers.StartSingleTimer(TlsRetryTimer, RetryTls.Instance, delay);
        }

        // A retry's answer replaces the registration made with the refusal (not one the router already claimed).
        if (refusedBefore is not null && refusedBefore != _tlsRefusal && _claimedOfferId is null)
        {
            WithdrawRegistration();
        }

        Reevaluate();
    }

    /// <summary>
    /// The CA refused before: it is asked again for the launch the pod now requires (if that still needs artifacts it
    /// lacks), while the registration with the refusal stays.
    /// </summary>
    private void OnRetryTls()
    {
        if (_tlsRefusal is null || _tlsAsked || _tlsAuthority is null || _required?.Target.Spec.FindPod(_podType) is not { } pod)
        {
            return;
        }

        var tasks = LaunchTasks(_required);
        if (!TlsEvaluationStage.Uses(pod, tasks) || TlsCovers(TlsRequests(_required.Target.Spec.Name, pod, tasks), out _))
        {
            return;
        }

        _log.Info("{0}: asking the service CA again for the TLS artifacts it refused", _name);
        _tlsAsked = true;
        _tlsAuthority.Tell(new TlsProtocol.Issue(_name, TlsRequests(_required.Target.Spec.Name, pod, tasks)));
    }

    /// <summary>The delay before the CA is asked again after its last refusal: the crash-loop backoff's base, doubling, capped.</summary>
    private TimeSpan TlsRetryDelay() =>
        TimeSpan.FromTicks(Math.Min(_backoffBase.Ticks << Math.Clamp(_tlsRefusals - 1, 0, 20), MaxBackoff.Ticks));

    private sealed record RetryTls : IDeadLetterSuppression
    {
        public static RetryTls Instance { get; } = new();
    }

    /// <summary>Whether one of <paramref name="tasks"/> waits for a launch (PENDING) on the required target.</summary>
    private bool NeedsLaunch(RequireTasks required, PodSpec pod, IEnumerable<string> tasks, DateTime now)
    {
        var fingerprint = SpecFingerprint.Of(pod);
        // A loop, not LINQ with a closure: every evaluation of the pod asks.
        foreach (var task in tasks)
        {
            if (pod.FindTask(task) is { } spec
                && StepStatusCalculator.ForTask(_state.Progress(task, spec.Goal, fingerprint, required.RelaunchBefore, now), false) == Messages.Plans.Status.Pending)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Journals which of the pod's other tasks the step's launch in a new executor takes along (when that changed), before
    /// their kills and the launch: a restart after the kills still launches them with the step's. True when a write is
    /// under way: <see cref="Reevaluate"/> stops there, and runs again once the plan is durable (then it sends the kills).
    /// </summary>
    private bool JournalExecutorRelaunch(RequireTasks required, string configId)
    {
        if (_relaunchWith.IsEmpty || _state.ExecutorRelaunch is { } known && known.StepId == required.StepId && known.ConfigId == configId && known.Tasks.SequenceEqual(_relaunchWith))
        {
            return false;
        }

        var planned = new ExecutorRelaunchPlanned { StepId = required.StepId, ConfigId = configId, Tasks = { _relaunchWith }, At = NowStamp() };
        Persist(planned, _ =>
        {
            _state = _state.Apply(planned);
            Reevaluate();
        });
        return true;
    }

    /// <summary>
    /// The driving step no longer requires its launch (released, given up to recovery, replaced by another step's or
    /// another config's, decommission): the relaunch with other tasks it planned is forgotten, also in the journal.
    /// </summary>
    private void DropExecutorRelaunch()
    {
        _relaunchWith = [];
        _executorRelaunch = null;
        if (_required is { } required && !_drivenByRecovery && _state.ExecutorRelaunch?.StepId == required.StepId)
        {
            var dropped = new ExecutorRelaunchDropped { At = NowStamp() };
            Persist(dropped, _ => _state = _state.Apply(dropped));
        }
    }

    /// <summary>The tasks the required launch launches: the step's, and those relaunched with them in a new executor.</summary>
    private ImmutableArray<string> LaunchTasks(RequireTasks required) =>
        _relaunchWith.IsEmpty ? required.Step.Tasks : [.. required.Step.Tasks, .. _relaunchWith];

    /// <summary>Whether the claim was evaluated for the required step's tasks, config and parameters, and the paused tasks.</summary>
    private static bool ClaimedFor(LaunchClaim claim, RequireTasks required, ImmutableArray<string> tasks, ImmutableHashSet<string> paused)
    {
        if (claim.Requirement is not { } requirement)
        {
            return true;
        }

        var parameters = required.Parameters ?? ImmutableDictionary<string, string>.Empty;
        return requirement.ConfigId == required.Target.ConfigId
            && requirement.Paused.SetEquals(paused)
            && requirement.TasksToLaunch.SequenceEqual(tasks, StringComparer.Ordinal)
            && requirement.Parameters.Count == parameters.Count
            && requirement.Parameters.All(p => parameters.TryGetValue(p.Key, out var value) && value == p.Value);
    }

    private void OnLaunchClaim(LaunchClaim claim)
    {
        var router = Sender;
        _registered = false;
        // Answered below (refused at once; a recorded launch while commands wait for its write), so anything this pod
        // tells the router from now on already counts it.
        _claimsSeen = Math.Max(_claimsSeen, claim.Seq);
        if (_required is null)
        {
            router.Tell(new LaunchNotRecorded(claim.Offer.Id.Value, $"{_name} no longer needs a launch"));
            return;
        }

        // Claimed before the step was held, on the registration its hold withdrew: refused, and not registered again.
        if (RequiredHeld)
        {
            router.Tell(new LaunchNotRecorded(claim.Offer.Id.Value, $"{_name}: step {_required.Step.Name} is interrupted (its plan or phase is paused)"));
            return;
        }

        // A claim made for a requirement the pod has since replaced (another step took it over, or a claim crossed its
        // re-registration): refused when it was evaluated for other tasks, another config or other parameters, against
        // another footprint (new reservations for a pod that holds some, or the reverse), or when none of its tasks
        // waits for a launch any more. Then the current requirement registers again if it needs a launch.
        var pod = _required.Target.Spec.FindPod(_podType);
        if (pod is null || !ClaimedFor(claim, _required, LaunchTasks(_required), _state.Paused) || claim.Evaluation.NewFootprint != (_state.Footprint is null)
            || !NeedsLaunch(_required, pod, claim.Evaluation.Tasks.Select(t => t.TaskName), Now))
        {
            router.Tell(new LaunchNotRecorded(claim.Offer.Id.Value, $"{_name} no longer needs this launch"));
            Reevaluate();
            return;
        }

        _claimedOfferId = claim.Offer.Id.Value;
        _relaunchWith = [];
        _executorRelaunch = null;
        ReportToStep();

        var evaluation = claim.Evaluation;
        var recorded = new TaskLaunchRecorded
        {
            OfferId = claim.Offer.Id.Value,
            AgentId = claim.Offer.AgentId.Value,
            Hostname = claim.Offer.Hostname,
            Executor = evaluation.Executor,
            FootprintUnconfirmed = evaluation.NewFootprint,
            At = Timestamp.FromDateTime(DateTime.UtcNow),
            AgentAttributes = { claim.Offer.Attributes },
            AgentDomain = claim.Offer.Domain,
        };
        recorded.Tasks.AddRange(evaluation.Tasks.Select(t => new LaunchedTask
        {
            TaskName = t.TaskName,
            ConfigId = _required.Target.ConfigId,
            TaskInfo = t.Info,
            SpecFingerprint = SpecFingerprint.Of(pod),
            Paused = _state.Paused.Contains(t.TaskName),
        }));
        LaunchFootprint.Write(recorded, evaluation.Footprint);

        Persist(recorded, _ =>
        {
            _state = _state.Apply(recorded);
            _claimedOfferId = null;
            // The launches this one replaced need no kill any more; kills of the pod's other tasks go on.
            var current = _state.Tasks.Values.Select(r => r.TaskId).ToHashSet(StringComparer.Ordinal);
            _killsSent.RemoveWhere(id => !current.Contains(id));
            _killsDeferred?.RemoveWhere(id => !current.Contains(id));
            _launchedAt = DateTime.UtcNow;
            if (_log.IsInfoEnabled)
            {
                _log.Info("Recorded launch of {0} on {1} (offer {2})", string.Join(", ", recorded.Tasks.Select(t => t.TaskInfo.TaskId.Value)), recorded.Hostname, recorded.OfferId);
            }

            AfterProgress();
        });
        // The router sends the ACCEPT as soon as the record is durable: the journal tells it, not this pod.
        NotifyWhenDurable(router, new LaunchRecorded(recorded.OfferId, Self));
    }

    private void OnStatusUpdate(TaskStatusUpdate update)
    {
        var gateway = Sender;
        var status = update.Status;
        SendDeferredKill(status);
        ResendKillOfReturned(status);
        switch (_state.Classify(status))
        {
            case StatusUpdateKind.UnknownTask:
                gateway.Tell(new UnknownTaskStatus(status));
                return;
            case StatusUpdateKind.AliveAfterEnd:
            {
                var ended = _state.Tasks[_state.TaskNameOf(status.TaskId.Value)!];
                _log.Warning("{0} ({1}) is {2} though it ended as {3}: killing it", ended.Info.Name, status.TaskId.Value,
                    TaskStates.WireName(status.State), TaskStates.WireName(ended.Status!.State));
                gateway.Tell(new UnknownTaskStatus(status));
                return;
            }
            case StatusUpdateKind.Duplicate or StatusUpdateKind.Stale or StatusUpdateKind.Unchanged:
                // Nothing new to record (or already recorded): only the acknowledgement is owed.
                gateway.Tell(new StatusRecorded(status));
                NoteReleaseAgentGone(status);
                return;
        }

        var name = _state.TaskNameOf(status.TaskId.Value)!;

        var events = new List<object> { new TaskStatusRecorded { Status = status } };
        events.AddRange(FailureEvents(name, status));
        // An update from an agent or executor confirms an unconfirmed footprint as it is applied (PodInstanceState); one
        // from the master may say the launch never reached an agent.
        if (_state.FootprintUnconfirmed && !PodInstanceState.ConfirmsFootprint(status) && LaunchNeverHappened(status))
        {
            events.Add(new LaunchAbandoned
            {
                OfferId = _state.LastOfferId ?? string.Empty,
                Reason = $"{TaskStates.WireName(status.State)}: {status.Message}",
                At = Timestamp.FromDateTime(DateTime.UtcNow),
            });
        }

        var abandoned = events.OfType<LaunchAbandoned>().Any() ? _state.Footprint : null;
        if (events.Count == 1 && IsProgressOnly(status) && !(_state.FootprintUnconfirmed && PodInstanceState.ConfirmsFootprint(status)))
        {
            // Not journaled: acknowledged at once, so the agent sends the next update a journal commit sooner.
            _state = _state.Apply(events[0]);
            Recorded();
        }
        else
        {
            Record(events, Recorded);
        }

        void Recorded()
        {
            gateway.Tell(new StatusRecorded(status));
            if (abandoned is not null)
            {
                // The abandoned reservations (if any were made) are no longer ours: the router collects them.
                GiveUpFootprint(abandoned, made: false);
            }

            if (status.State == TaskState.TaskRunning || TaskStates.IsTerminal(status.State))
            {
                _log.Info("{0} is {1}{2}{3}", _state.Tasks[name].Info.Name, TaskStates.WireName(status.State),
                    status.HasHealthy ? (status.Healthy ? " (healthy)" : " (unhealthy)") : string.Empty,
                    status.HasMessage ? $" ({status.Message})" : string.Empty);
            }

            ReportDecommission();
            if (!_recovery.BackoffEnabled)
            {
                NoteFailure(status);
            }

            if (RecoveryPlanner.IsDown(status.State))
            {
                ConsiderRecovery();
            }

            Reevaluate();
            AfterProgress();
            ScheduleWakeUp();
        }
    }

    /// <summary>
    /// A task on its way to running (TASK_STAGING, TASK_STARTING) says nothing the pod must remember over a restart — the
    /// launch is journaled already, the agent's next update (RUNNING, or how the task ended) is, and a restarted
    /// scheduler learns the current state by reconciling — unless it is the agent's first word on new reservations (the
    /// caller checks): that confirms they were made, and a restarted pod that forgot it would take a master's "lost" for
    /// a launch that never happened and give up reservations and volumes that exist. Otherwise it is applied and
    /// acknowledged without a journal write: one commit less on a relaunch's way to RUNNING, since an agent sends a task's
    /// next update only once the previous one is acknowledged.
    /// </summary>
    internal static bool IsProgressOnly(TaskStatus status) =>
        status.State is TaskState.TaskStaging or TaskState.TaskStarting && !status.HasHealthy && status.CheckStatus is null;

    /// <summary>
    /// What a status update adds for recovery, persisted with it: the start of the task's permanent-failure clock (a
    /// RUNNING-goal task ended on its own, or its agent is partitioned, and it has not run since), and with backoff on,
    /// the task's next launch delay.
    /// </summary>
    private IEnumerable<object> FailureEvents(string taskName, TaskStatus status)
    {
        var killed = _killsSent.Contains(status.TaskId.Value);
        if (!RecoveryPlanner.StartsFailureClock(status.State, killed))
        {
            yield break;
        }

        var goal = CurrentTarget()?.Spec.FindPod(_podType)?.FindTask(taskName)?.Goal;
        var now = Now;
        if (goal == GoalState.Running && !_state.FailedSince.ContainsKey(taskName))
        {
            yield return new TaskFailureSeen { TaskName = taskName, At = Timestamp.FromDateTime(now) };
        }

        if (_recovery.BackoffEnabled && RecoveryPlanner.EarnsBackoff(status.State))
        {
            var delay = RecoveryPlanner.NextBackoff(_state.Backoff.GetValueOrDefault(taskName)?.Delay, _recovery);
            _log.Warning("{0} failed ({1}); it relaunches in {2:0.#} s at the earliest (backoff)", taskName, TaskStates.WireName(status.State), delay.TotalSeconds);
            yield return new BackoffDelayed { TaskName = taskName, Until = Timestamp.FromDateTime(now + delay), DelaySeconds = delay.TotalSeconds };
        }
    }

    /// <summary>
    /// Starts the permanent-failure clock of unreachable tasks that have none (<see cref="RecoveryPlanner.UnclockedUnreachable"/>),
    /// once a step tells the pod its spec; only with a timeout, the only thing the clock is for.
    /// </summary>
    private void ClockUnreachableTasks(TargetConfig target)
    {
        if (_recovery.PermanentFailureTimeout is null || Decommissioning || target.Spec.FindPod(_podType) is not { } pod
            || RecoveryPlanner.UnclockedUnreachable(pod, _state) is not { Count: > 0 } unclocked)
        {
            return;
        }

        var at = Timestamp.FromDateTime(Now);
        Record(unclocked.Select(t => (object)new TaskFailureSeen { TaskName = t, At = at }).ToList(), ScheduleWakeUp);
    }

    /// <summary>
    /// A step asks for the pod's progress (each does first, as it starts). Every plan runs on one target, and the plans
    /// of a new target start only once the old ones are stopped: a step asking on a config means the steps watching on
    /// another are gone, and they are dropped. Otherwise a step an update renamed (<c>hello-0:[server]</c> to <c>hello-0:[server, agent]</c>)
    /// stayed beside its successor, and the pod's target or a pause's relaunch could be the old step's, told to an actor
    /// that is no more.
    /// </summary>
    private void AddWatcher(IActorRef step, GetTaskProgress query)
    {
        foreach (var name in _watchers.Where(w => w.Value.Query.Target.ConfigId != query.Target.ConfigId).Select(w => w.Key).ToList())
        {
            _watchers.Remove(name);
        }

        _watchers[query.StepId] = (step, query);
    }

    /// <summary>The config the pod's steps work on: the driving step's, or a watching step's.</summary>
    private TargetConfig? CurrentTarget() => _required?.Target ?? _watchers.Values.Select(w => w.Query.Target).FirstOrDefault();

    /// <summary>
    /// Recovery (DC/OS <c>DefaultRecoveryPlanManager</c>, per pod instance): when failed RUNNING-goal tasks need a relaunch
    /// and no plan step drives the pod (deploy &gt; recovery: a pod the deploy plan works on is not recovered at the same
    /// time; a permanent failure is still recorded, so the pod gives up its footprint and the step relaunches it on a new
    /// one), start a recovery phase; an unfinished transient one is replaced only when the failure turned permanent.
    /// </summary>
    private void ConsiderRecovery()
    {
        var target = CurrentTarget();
        var pod = target?.Spec.FindPod(_podType);
        if (pod is null || Decommissioning)
        {
            return;
        }

        var decision = RecoveryPlanner.Decide(pod, _state, _recovery.PermanentFailureTimeout, Now);
        var stepDrives = _required is not null && !_drivenByRecovery;
        if (decision is null || (stepDrives && decision.Type != RecoveryType.Permanent))
        {
            return;
        }

        if (_recovery.PermanentFailureTimeout is not null && RecoveryPlanner.UnclockedFailures(pod, _state, _killsSent) is { Count: > 0 } unclocked)
        {
            // Journaled by an older version without a clock of its own: it starts now.
            var at = Timestamp.FromDateTime(Now);
            Record(unclocked.Select(t => (object)new TaskFailureSeen { TaskName = t, At = at }).ToList(), ScheduleWakeUp);
        }

        if (decision.Type == RecoveryType.None)
        {
            if (_unrecoverableLogged != decision.Reason)
            {
                _unrecoverableLogged = decision.Reason;
                _log.Warning("{0} is not recovered: {1}", _name, decision.Reason);
            }

            return;
        }

        if (_state.Recovery is { Finished: false } active && !(active.Type == RecoveryType.Transient && decision.Type == RecoveryType.Permanent))
        {
            DriveRecovery();
            return;
        }

        StartRecovery(decision.Type, decision.Tasks, decision.Reason, null);
    }

    /// <summary>Records a new recovery phase for <paramref name="tasks"/>, then lets it drive the pod.</summary>
    private void StartRecovery(RecoveryType type, IReadOnlyList<string> tasks, string reason, IActorRef? replyTo)
    {
        var events = new List<object>();
        if (replyTo is not null)
        {
            // Operator restart / replace: a fresh start, without backoff.
            events.Add(new BackoffCleared { At = Timestamp.FromDateTime(DateTime.UtcNow) });
            if (type == RecoveryType.Permanent)
            {
                events.Add(new PodReplaced { At = Timestamp.FromDateTime(DateTime.UtcNow) });
            }
        }

        if (tasks.Count > 0)
        {
            events.Add(new RecoveryStarted
            {
                Phase = $"{_name}:[{string.Join(", ", tasks)}]",
                Tasks = { tasks },
                Permanent = type == RecoveryType.Permanent,
                At = Timestamp.FromDateTime(DateTime.UtcNow),
                Reason = reason,
            });
        }

        var replaced = type == RecoveryType.Permanent ? _state.Footprint : null;
        Record(events, () =>
        {
            _log.Info("Recovering {0} ({1}): {2}", _name, type.ToString().ToUpperInvariant(), reason);
            if (type == RecoveryType.Permanent)
            {
                // The old reservations and volumes are no longer ours: the router collects them when their agent offers
                // them (one that is gone may come back with them).
                GiveUpFootprint(replaced, made: true);
            }

            if (replyTo is not null)
            {
                KillForRecovery(replyTo, type == RecoveryType.Permanent ? "replace" : "restart");
            }

            if (_required is not null && !_drivenByRecovery && type == RecoveryType.Permanent)
            {
                // A plan step drives the pod: it keeps driving, now towards the new footprint.
                WithdrawRegistration();
                Reevaluate();
            }

            DriveRecovery();
            AfterProgress();
        });
    }

    /// <summary>Operator pod restart / replace: a TRANSIENT / PERMANENT recovery of every RUNNING-goal task it launched.</summary>
    private void RestartOrReplace(IActorRef replyTo, bool permanent)
    {
        var pod = CurrentTarget()?.Spec.FindPod(_podType);
        var tasks = pod?.Tasks.Where(t => t.Goal == GoalState.Running && _state.Tasks.ContainsKey(t.Name)).Select(t => t.Name).ToList() ?? new List<string>();
        if (permanent)
        {
            _log.Warning("{0} replaced by an operator: its reservations and volumes will be collected; its tasks relaunch on a new footprint", _name);
        }

        StartRecovery(permanent ? RecoveryType.Permanent : RecoveryType.Transient, tasks, permanent ? "pod replace by an operator" : "pod restart by an operator", replyTo);
    }

    /// <summary>Lets the pod's unfinished, uninterrupted recovery phase drive it, unless a plan step does.</summary>
    private void DriveRecovery()
    {
        var phase = _state.Recovery;
        var target = phase is null || phase.Finished || phase.Interrupted || _recoveryPlanInterrupted ? null : RecoveryTargetOf(phase);
        if (phase is null || target is null)
        {
            ReleaseRecoveryDriver();
            return;
        }

        // A plan step that drives the pod (proceeding: not paused, not held by a canary) keeps it, on its own target.
        if (_required is not null && (!_drivenByRecovery
            || _required.RelaunchBefore == phase.StartedAt && _required.Step.Name == phase.Name && _required.Target.ConfigId == target.ConfigId))
        {
            return;
        }

        WithdrawRegistration();
        _drivenByRecovery = true;
        _step = null;
        _required = new RequireTasks(new StepSpec(phase.Name, _index, phase.Tasks), target, phase.StartedAt, PlanPriority: RecoveryPlanActor.Priority);
        Reevaluate();
    }

    /// <summary>
    /// The config the recovery phase relaunches its tasks on: the one they ran (<see cref="TargetTasksRan"/>). Null while
    /// that config is asked of the config store (the answer drives the recovery again).
    /// </summary>
    private TargetConfig? RecoveryTargetOf(RecoveryPhase phase) => TargetTasksRan(phase.Tasks, CurrentTarget(), "Recovery");

    /// <summary>
    /// The config to relaunch <paramref name="tasks"/> on when something other than a proceeding step of a new config
    /// relaunches them (recovery, a <c>pod pause|resume</c>): the one they ran (pure
    /// <see cref="RecoveryPlanner.ChooseTarget"/>; DC/OS: a task's own <c>target_configuration</c>), else
    /// <paramref name="current"/> with the reason logged once. Null while that config is asked of the config store: its
    /// answer (<see cref="OnStoredTarget"/>) drives the pod again.
    /// </summary>
    private TargetConfig? TargetTasksRan(IEnumerable<string> tasks, TargetConfig? current, string relauncher)
    {
        var choice = RecoveryPlanner.ChooseTarget(
            _podType, _state, tasks, current, _targets, _unavailableConfigs ?? (IReadOnlyDictionary<string, string>)ImmutableDictionary<string, string>.Empty);
        if (choice.Note is { } note && _recoveryTargetNoteLogged != note)
        {
            _recoveryTargetNoteLogged = note;
            _log.Warning("{0} of {1} relaunches on the current target {2}: {3}", relauncher, _name, choice.Target?.ConfigId ?? "(none yet)", note);
        }

        if (choice.Fetch is { } configId)
        {
            if (_configStore is null)
            {
                // Nowhere to ask (a pod started without a config store): the current target, said once.
                (_unavailableConfigs ??= new Dictionary<string, string>(StringComparer.Ordinal))[configId] = "no config store to ask";
                return TargetTasksRan(tasks, current, relauncher);
            }

            if ((_configsAsked ??= new HashSet<string>(StringComparer.Ordinal)).Add(configId))
            {
                _log.Info("Asking the config store for config {0}, which {1} ran, to relaunch it on", configId, _name);
                _configStore.Tell(new GetStoredTarget(configId));
                if (!Timers.IsTimerActive(ConfigFetchRetryTimer))
                {
                    Timers.StartPeriodicTimer(ConfigFetchRetryTimer, RetryConfigFetch.Instance, _recovery.ConfigFetchRetryInterval);
                }
            }
        }

        return choice.Target;
    }

    /// <summary>
    /// The config store's answer: the config a task ran is held (or known unavailable); recovery, or a pause or resume
    /// waiting for it, goes on.
    /// </summary>
    private void OnStoredTarget(StoredTarget answer)
    {
        _configsAsked?.Remove(answer.ConfigId);
        if (_configsAsked is not { Count: > 0 })
        {
            Timers.Cancel(ConfigFetchRetryTimer);
        }

        if (answer.Target is { } target)
        {
            Hold(target);
        }
        else
        {
            (_unavailableConfigs ??= new Dictionary<string, string>(StringComparer.Ordinal))[answer.ConfigId] = answer.Error ?? "unknown";
        }

        DriveRecovery();
        RedriveOverridden();
        ReportRecovery();
    }

    /// <summary>
    /// The config store has not answered every config asked for within the retry interval (a request it lost when it
    /// restarted is never answered): asked again, until it answers.
    /// </summary>
    private void OnRetryConfigFetch()
    {
        if (_configsAsked is not { Count: > 0 } asked || _configStore is null)
        {
            Timers.Cancel(ConfigFetchRetryTimer);
            return;
        }

        foreach (var configId in asked.Order(StringComparer.Ordinal))
        {
            _log.Warning("The config store did not answer for config {0} (to relaunch {1} on) within {2:0.#} s; asking again",
                configId, _name, _recovery.ConfigFetchRetryInterval.TotalSeconds);
            _configStore.Tell(new GetStoredTarget(configId));
        }
    }

    private sealed record RetryConfigFetch : IDeadLetterSuppression
    {
        public static RetryConfigFetch Instance { get; } = new();
    }

    /// <summary>
    /// Keeps <paramref name="target"/> for recovery. The others are dropped unless one of the pod's tasks ran them:
    /// recovery only ever relaunches on a config a task ran, or on the current target (which the steps hold).
    /// </summary>
    private void Hold(TargetConfig target)
    {
        if (_targets.TryGetValue(target.ConfigId, out var held) && ReferenceEquals(held, target))
        {
            return;
        }

        _targets[target.ConfigId] = target;
        if (_targets.Count > 1)
        {
            var ran = _state.Tasks.Values.Select(r => r.ConfigId).ToHashSet(StringComparer.Ordinal);
            foreach (var id in _targets.Keys.Where(id => id != target.ConfigId && !ran.Contains(id)).ToList())
            {
                _targets.Remove(id);
            }
        }
    }

    private void ReleaseRecoveryDriver()
    {
        if (!_drivenByRecovery)
        {
            return;
        }

        _drivenByRecovery = false;
        _required = null;
        _heldStepId = null;
        _relaunchWith = [];
        _executorRelaunch = null;
        WithdrawRegistration();
    }

    /// <summary>The driving plan step is done with the pod (COMPLETE) or gives it up to recovery: it only watches now.</summary>
    private void ReleaseStepDriver()
    {
        if (_required is null || _drivenByRecovery)
        {
            return;
        }

        if (_step is not null)
        {
            _watchers[_required.StepId] = (_step, _required.AsQuery());
        }

        DropExecutorRelaunch();
        _required = null;
        _heldStepId = null;
        _step = null;
        WithdrawRegistration();
        DriveWaitingStep();
    }

    private void WithdrawRegistration()
    {
        if (_registered)
        {
            _registered = false;
            _router.Tell(new WithdrawRequirement(_name));
        }
    }

    /// <summary>
    /// After any progress: tell the driving step, hand a completed step's pod back to recovery, record a finished
    /// recovery phase, and show the recovery phase to the recovery plan.
    /// </summary>
    private void AfterProgress()
    {
        // One report, for the step and for whether the step's work is done.
        var released = false;
        if (ReportToStep() is { } report && StepStatusCalculator.Compute(report.Tasks, report.Prepared) == Messages.Plans.Status.Complete)
        {
            released = true;
            if (_drivenByRecovery)
            {
                ReleaseRecoveryDriver();
            }
            else
            {
                ReleaseStepDriver();
            }
        }

        if (_state.Recovery is { Finished: false } phase && RecoveryStatus(phase) == Messages.Plans.Status.Complete)
        {
            var completed = new RecoveryPhaseChanged { Change = RecoveryPhase.Completed, At = Timestamp.FromDateTime(DateTime.UtcNow) };
            Persist(completed, _ =>
            {
                _state = _state.Apply(completed);
                _log.Info("Recovery of {0} is complete", _name);
                ReleaseRecoveryDriver();
                AfterDriverReleased();
                ReportRecovery();
            });
            return;
        }

        if (released)
        {
            AfterDriverReleased();
        }

        ReportRecovery();
    }

    /// <summary>
    /// Once nothing drives the pod: what waited for the driver is done now — a task that failed meanwhile is recovered
    /// (DC/OS rebuilds its recovery plan every cycle, skipping only pods being recovered or worked on), and a pause or
    /// resume of a task outside the driver's work is acted on (<see cref="RedriveOverridden"/>).
    /// </summary>
    private void AfterDriverReleased()
    {
        if (_required is not null)
        {
            return;
        }

        ConsiderRecovery();
        RedriveOverridden();
    }

    private Messages.Plans.Status RecoveryStatus(RecoveryPhase phase)
    {
        if (phase.ForceCompleted || phase.Finished)
        {
            return Messages.Plans.Status.Complete;
        }

        var target = RecoveryTargetOf(phase);
        if (target is null)
        {
            return Messages.Plans.Status.Pending;
        }

        var report = Report(new StepSpec(phase.Name, _index, phase.Tasks), target, phase.StartedAt);
        return StepStatusCalculator.Compute(report.Tasks, report.Prepared && _drivenByRecovery);
    }

    // Whether a recovery plan was last told of a phase of this pod (so it must be told when there is none any more).
    private bool _recoveryPhaseTold;

    /// <summary>Sends the pod's recovery phase (if it ever had one) to the recovery plan.</summary>
    private void ReportRecovery()
    {
        if (_recoveryPlan is null)
        {
            return;
        }

        if (_state.Recovery is not { } phase)
        {
            // "None" only where a phase was told before: the plan knows no phase of a pod that never told it of one, and a
            // pod reports at every change of its state (several times over for each launch of a deploy).
            if (_recoveryPhaseTold)
            {
                _recoveryPhaseTold = false;
                _recoveryPlan.Tell(new RecoveryPhaseReport(_name, null));
            }

            return;
        }

        _recoveryPhaseTold = true;

        var status = RecoveryStatus(phase);
        var interrupted = phase.Interrupted || _recoveryPlanInterrupted;
        var shown = interrupted && status is Messages.Plans.Status.Pending or Messages.Plans.Status.Prepared or Messages.Plans.Status.Delayed
            ? Messages.Plans.Status.Waiting
            : status;
        var phaseId = ElementIds.For($"{_service}/plan/recovery/phase/{phase.Name}/{phase.StartedAt.Ticks}");
        var message = $"{phase.Type.ToString().ToUpperInvariant()} recovery: {phase.Reason}{(phase.ForceCompleted ? " (force-completed by an operator)" : string.Empty)}";
        var step = new StepInfo(ElementIds.For(phaseId + "/step"), phase.Name, shown, message);
        var (_, phaseStatus) = ParentElement.Evaluate(
            StrategyKind.Serial,
            [new StrategyChild(phase.Name, shown, phase.Interrupted, _index)],
            interrupted,
            hasErrors: false);
        _recoveryPlan.Tell(new RecoveryPhaseReport(_name, new PhaseInfo(phaseId, phase.Name, phaseStatus, Strategy.DisplayName(StrategyKind.Serial), [step], interrupted)));
    }

    /// <summary>Operator commands on the pod's recovery phase (through the recovery plan); answers <see cref="OperationApplied"/>.</summary>
    private void OnRecoveryCommand(RecoveryCommand command)
    {
        var replyTo = Sender;
        if (_state.Recovery is not { } phase)
        {
            replyTo.Tell(OperationApplied.Instance);
            return;
        }

        var at = Timestamp.FromDateTime(DateTime.UtcNow);
        var events = new List<object>();
        switch (command.Kind)
        {
            case PlanCommandKind.Interrupt when !phase.Interrupted:
                events.Add(new RecoveryPhaseChanged { Change = RecoveryPhase.InterruptedChange, At = at });
                break;
            case PlanCommandKind.Continue or PlanCommandKind.Start when phase.Interrupted:
                events.Add(new RecoveryPhaseChanged { Change = RecoveryPhase.Continued, At = at });
                break;
            case PlanCommandKind.ForceComplete when !phase.ForceCompleted:
                events.Add(new RecoveryPhaseChanged { Change = RecoveryPhase.ForceCompletedChange, At = at });
                break;
            case PlanCommandKind.Restart:
                // Step restart clears the backoff (DC/OS) and relaunches the phase's tasks.
                events.Add(new BackoffCleared { TaskNames = { phase.Tasks }, At = at });
                events.Add(new RecoveryPhaseChanged { Change = RecoveryPhase.Restarted, At = at });
                break;
        }

        if (events.Count == 0)
        {
            replyTo.Tell(OperationApplied.Instance);
            return;
        }

        Record(events, () =>
        {

            _log.Info("Recovery of {0}: {1} by an operator", _name, PlanCommands.WireName(command.Kind));
            ReleaseRecoveryDriver();
            DriveRecovery();
            replyTo.Tell(OperationApplied.Instance);
            AfterProgress();
        });
    }

    /// <summary>Wakes the pod when a backoff delay ends or a failure turns permanent (on the scheduler's clock).</summary>
    private void ScheduleWakeUp()
    {
        _wakeUp?.Dispose();
        _wakeUp = null;
        var now = Now;
        if (RecoveryPlanner.NextWakeUp(_state, _recovery.PermanentFailureTimeout, now) is { } at)
        {
            var self = Self;
            _wakeUp = _clock.CreateTimer(_ => self.Tell(RecoveryWakeUp.Instance), null, at - now, Timeout.InfiniteTimeSpan);
        }
    }

    protected override void PreRestart(Exception reason, object message)
    {
        // The claim this pod failed on is lost with the failure: refused, so the router answers its offer and does not
        // wait for it (claims still in the mailbox are answered by the restarted pod).
        if (message is LaunchClaim { Offer.Id.Value: { } offerId })
        {
            _router.Tell(new LaunchNotRecorded(offerId, $"{_name} failed on the claim: {reason.Message}"));
        }

        base.PreRestart(reason, message);
    }

    protected override void PostStop()
    {
        _wakeUp?.Dispose();
        StopReleaseProbe();
        base.PostStop();
    }

    private sealed record RecoveryWakeUp : IDeadLetterSuppression
    {
        public static RecoveryWakeUp Instance { get; } = new();
    }

    /// <summary>Operator pod restart / replace: clear the crash-loop guard, kill every live task; recovery relaunches them.</summary>
    private void KillForRecovery(IActorRef replyTo, string why)
    {
        _quickFailures = 0;
        _backingOff = false;
        Timers.Cancel(BackoffTimer);
        KillLiveTasks($"for pod {why}");
        Reevaluate();
        // Answered once the router has been told (see OnPauseOrResume).
        replyTo.Tell(new Messages.Pods.PodProtocol.PodCommandDone(_name, _state.Tasks.Values.Select(r => r.Info.Name).Order(StringComparer.Ordinal).ToImmutableArray()));
    }

    /// <summary>
    /// Crash-loop backoff: the first failure relaunches at once; a second failure within <see cref="CrashWindow"/> of
    /// its launch waits the base delay, doubling per further quick failure up to <see cref="MaxBackoff"/>. (DC/OS
    /// clears its backoff on RUNNING, which a task that dies a second after starting reaches every time.)
    /// </summary>
    private void NoteFailure(TaskStatus status)
    {
        var name = _state.TaskNameOf(status.TaskId.Value);
        var goal = name is null ? null : _required?.Target.Spec.FindPod(_podType)?.FindTask(name)?.Goal;
        var finishedAsExpected = status.State == TaskState.TaskFinished && goal is not GoalState.Running;
        if (!TaskStates.IsTerminal(status.State) || finishedAsExpected || _killsSent.Contains(status.TaskId.Value) || !RecoveryPlanner.CountsAsCrash(status))
        {
            return;
        }

        var quick = _launchedAt is { } launched && DateTime.UtcNow - launched < CrashWindow;
        _quickFailures = quick ? _quickFailures + 1 : 1;
        if (_quickFailures < 2)
        {
            return;
        }

        var delay = TimeSpan.FromTicks(Math.Min(_backoffBase.Ticks << Math.Min(_quickFailures - 2, 20), MaxBackoff.Ticks));
        _log.Warning("{0} failed {1} times within {2:0}s of launch; relaunching in {3:0.#}s", _name, _quickFailures, CrashWindow.TotalSeconds, delay.TotalSeconds);
        _backingOff = true;
        Timers.StartSingleTimer(BackoffTimer, BackoffElapsed.Instance, delay);
    }

    private sealed record BackoffElapsed : IDeadLetterSuppression
    {
        public static BackoffElapsed Instance { get; } = new();
    }

    /// <summary>
    /// Kills every live task of the pod, re-sending until each ends (<see cref="OnRetryKills"/>). A launch recorded that
    /// no update has been heard of yet may still be on its way to the master (its ACCEPT waits for the other claims on
    /// the offer): a KILL now would reach the master first, be answered "unknown task", and the launch would then run
    /// for nothing. Its kill waits for its first update, or until the router says the ACCEPT went out (asked at each
    /// re-send).
    /// </summary>
    private void KillLiveTasks(string why, Func<string, bool>? ofTaskIds = null)
    {
        var live = _state.Tasks.Values.Where(r => !r.IsTerminal && (ofTaskIds is null || ofTaskIds(r.TaskId))).ToList();
        foreach (var record in live.Where(r => _killsSent.Add(r.TaskId)))
        {
            if (record.Status is null)
            {
                _log.Info("Will kill {0} ({1}) {2} once its launch reports (or its ACCEPT is known to have gone out)", record.Info.Name, record.TaskId, why);
                (_killsDeferred ??= new HashSet<string>(StringComparer.Ordinal)).Add(record.TaskId);
                continue;
            }

            _log.Info("Killing {0} ({1}) {2}", record.Info.Name, record.TaskId, why);
            SendKill(record);
        }

        if (live.Count > 0)
        {
            Timers.StartPeriodicTimer(KillRetryTimer, RetryKills.Instance, _killRetryInterval);
        }
    }

    private void SendKill(TaskRecord record) => _gateway.Tell(new KillTask(record.TaskId, record.Info.AgentId?.Value));

    /// <summary>The first update of a launch whose kill waited for it (<see cref="KillLiveTasks"/>): the kill goes now.</summary>
    private void SendDeferredKill(TaskStatus status)
    {
        if (_killsDeferred is null || !_killsDeferred.Remove(status.TaskId.Value) || PodInstanceState.HasEnded(status.State))
        {
            return;
        }

        _log.Info("Killing {0}: its launch reported {1}", status.TaskId.Value, TaskStates.WireName(status.State));
        _gateway.Tell(new KillTask(status.TaskId.Value, status.AgentId?.Value));
    }

    /// <summary>
    /// A task killed while its agent was unreachable (the master answered TASK_UNREACHABLE; the agent never heard of the
    /// kill) is reported alive when the agent comes back: its kill goes again now, not at the next re-send up to 10 s
    /// later.
    /// </summary>
    private void ResendKillOfReturned(TaskStatus status)
    {
        var id = status.TaskId.Value;
        if (!_killsSent.Contains(id) || _killsDeferred?.Contains(id) == true
            || PodInstanceState.HasEnded(status.State) || status.State == TaskState.TaskUnreachable
            || _state.TaskNameOf(id) is not { } name || _state.Tasks[name] is not { Status.State: TaskState.TaskUnreachable } record)
        {
            return;
        }

        _log.Info("Killing {0} ({1}) again: its agent is back and it is {2}", record.Info.Name, id, TaskStates.WireName(status.State));
        SendKill(record);
    }

    /// <summary>A kill can be lost (a failed call, a master failover): re-send it until the task is terminal.</summary>
    private void OnRetryKills()
    {
        var stillAlive = _state.Tasks.Values.Where(r => _killsSent.Contains(r.TaskId) && !r.IsTerminal).ToList();
        if (stillAlive.Count == 0)
        {
            Timers.Cancel(KillRetryTimer);
            return;
        }

        var askRouter = false;
        foreach (var record in stillAlive)
        {
            if (_killsDeferred?.Contains(record.TaskId) == true && _state.LastOfferId is not null)
            {
                // Still nothing heard of the launch: its kill goes once its ACCEPT is known to have gone out.
                askRouter = true;
                continue;
            }

            _log.Info("Re-sending kill of {0} ({1})", record.Info.Name, record.TaskId);
            SendKill(record);
        }

        if (askRouter)
        {
            _router.Tell(new IsAcceptPending(_state.LastOfferId!));
        }
    }

    /// <summary>
    /// The router's answer about the offer of the launch whose kill waits: while its ACCEPT is pending the kill waits on
    /// (asked again at the next re-send); once it went out (or never will), the kill goes.
    /// </summary>
    private void OnAcceptPending(AcceptPending answer)
    {
        if (answer.Pending || answer.OfferId != _state.LastOfferId || _killsDeferred is not { Count: > 0 })
        {
            return;
        }

        foreach (var record in _state.Tasks.Values.Where(r => _killsDeferred.Contains(r.TaskId) && !r.IsTerminal).ToList())
        {
            _killsDeferred.Remove(record.TaskId);
            _log.Info("Killing {0} ({1}): nothing heard of its launch, whose ACCEPT went out", record.Info.Name, record.TaskId);
            SendKill(record);
        }
    }

    private sealed record RetryKills : IDeadLetterSuppression
    {
        public static RetryKills Instance { get; } = new();
    }

    /// <summary>
    /// A launch we recorded never reached an agent: the master refused the whole ACCEPT (its offer was rescinded or
    /// died with a failed-over master: nothing in it was applied), or, asked to reconcile, does not know the task.
    /// </summary>
    private static bool LaunchNeverHappened(TaskStatus status) =>
        status.HasReason && (status.Reason == TaskStatus.Types.Reason.InvalidOffers || (status.Reason == TaskStatus.Types.Reason.Reconciliation &&
            status.State is TaskState.TaskLost or TaskState.TaskGone or TaskState.TaskUnknown or TaskState.TaskDropped));

    private void AnnounceFootprint() =>
        _router.Tell(new FootprintOwned(_name, _state.Footprint?.ResourceIds.ToImmutableArray() ?? ImmutableArray<string>.Empty, _state.Footprint?.Agent, _claimsSeen));

    /// <summary>
    /// Tells the router what the pod owns now, and where the footprint it gave up (if it had one) may still be reserved
    /// (kept in the state's <see cref="PodInstanceState.GivenUp"/> until the router answers <see cref="FootprintSettled"/>).
    /// </summary>
    private void GiveUpFootprint(Footprint? given, bool made)
    {
        AnnounceFootprint();
        if (given is not null)
        {
            var ids = given.ResourceIds.ToImmutableArray();
            _router.Tell(new FootprintAbandoned(_name, ids, given.AgentId, made, _state.RoleOfReservations(ids)));
        }
    }

    private ImmutableArray<TaskToReconcile> TasksToReconcile()
    {
        var tasks = ImmutableArray.CreateBuilder<TaskToReconcile>();
        foreach (var (_, task) in _state.Tasks)
        {
            if (!task.IsTerminal)
            {
                tasks.Add(new TaskToReconcile(task.TaskId, task.Info.AgentId.Value));
            }
        }

        return tasks.ToImmutable();
    }

    /// <summary>The progress of the required work, told to the step (when there is one); null when nothing is required.</summary>
    private TaskProgressReport? ReportToStep()
    {
        if (_required is null)
        {
            return null;
        }

        var report = Report(_required.Step, _required.Target, _required.RelaunchBefore);
        _step?.Tell(report);
        return report;
    }

    private TaskProgressReport Report(StepSpec step, TargetConfig target, DateTime? relaunchBefore)
    {
        var pod = target.Spec.FindPod(_podType);
        if (pod is null)
        {
            return new TaskProgressReport(_name, ImmutableArray<TaskProgress>.Empty, false, $"pod type {_podType} is not in config {target.ConfigId}");
        }

        // A loop, not a Select: a pod reports on every status update, and the closure, delegate and iterator of a Select
        // came to ~1 KB a placement in the storm.
        var fingerprint = SpecFingerprint.Of(pod);
        var tasks = new TaskProgress[step.Tasks.Length];
        for (var i = 0; i < tasks.Length; i++)
        {
            var task = step.Tasks[i];
            tasks[i] = _state.Progress(task, pod.FindTask(task)?.Goal ?? GoalState.Running, fingerprint, relaunchBefore, Now);
        }

        var progress = System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(tasks);
        var message = _state.Footprint is { } footprint ? $"on {footprint.Hostname}" : string.Empty;
        if (_executorRelaunch is not null && _required?.Step == step)
        {
            message = message.Length == 0 ? _executorRelaunch : $"{message}: {_executorRelaunch}";
        }

        for (var i = 0; i < progress.Length; i++)
        {
            if (progress[i] is { LaunchedOnTarget: true, State: TaskState.TaskUnreachable })
            {
                // The step shows STARTING: why, and until when (after a restart the deploy plan shows IN_PROGRESS for it).
                var note = RecoveryPlanner.UnreachableNote(step.Tasks[i], _state, _recovery.PermanentFailureTimeout);
                message = message.Length == 0 ? note : $"{message}: {note}";
                break;
            }
        }

        var notFitting = _registered ? _offersDoNotFit : null;
        if (notFitting is not null)
        {
            message = message.Length == 0 ? $"offers do not fit: {notFitting}" : $"{message}: offers do not fit: {notFitting}";
        }

        return new TaskProgressReport(_name, progress, _claimedOfferId is not null || notFitting is not null, message);
    }

    private Messages.Pods.PodInstanceStatus StatusView() => new(
        _name,
        _state.Tasks.Values
            .OrderBy(r => r.Info.Name, StringComparer.Ordinal)
            .Select(r => new Messages.Pods.PodTaskStatus(
                r.TaskId,
                r.Info.Name,
                r.Paused && r.Status?.State == TaskState.TaskRunning ? "PAUSED"
                    : r.Status is { } s ? TaskStates.WireName(s.State) : "TASK_STAGING",
                r.Info.HealthCheck is null ? null : r.Healthy switch { true => "HEALTHY", false => "UNHEALTHY", null => "UNKNOWN" },
                r.Info.Check is null ? null
                    : r.ReadinessPassed ? "READY"
                    : r.Check?.Command is { HasExitCode: true } ? "NOT_READY" : "UNKNOWN"))
            .ToImmutableArray());

    protected override int SnapshotAfterEvents => _snapshotAfterEvents;

    /// <summary>A long history (launches and status updates add up) is replaced by the state it leads to.</summary>
    protected override object? Snapshot() => PodInstanceSnapshots.Of(_state);

    /// <summary>Records the events in one write, applies each to the state once durable, then runs <paramref name="then"/> once.</summary>
    private void Record(IReadOnlyCollection<object> events, Action then)
    {
        var remaining = events.Count;
        PersistAll(events, @event =>
        {
            _state = _state.Apply(@event);
            if (--remaining == 0)
            {
                then();
            }
        });
    }
}
