using System.Collections.Immutable;
using System.Diagnostics;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Offers;
using ActorScheduler.Specs.Placement;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Receives offer batches and matches them to the requirements pod instances registered: evaluates each
/// requirement against the offers (pure <see cref="OfferEvaluator"/>), claims the best passing offer for it among a few
/// that fit (<see cref="PlacementFitness"/>; earlier plans' pods first), and sends the ACCEPT only once the pod has
/// recorded the task infos. Cleans up reservations nobody owns, declines the rest (short while reconciling or when work is pending, long when idle), suppresses when idle and revives on new
/// work. The first offers that come while reconciling are kept for the first cycle once reconciled (within the hold
/// limit). Every evaluation is journaled with its explanation.
/// </summary>
/// <remarks>
/// A cycle claims at most <c>MaxClaimsPerCycle</c> pod instances. One that reaches the cap keeps the offers it did not
/// use that the work left needs (<see cref="OfferHolding"/>: room for twice the waiting pods, estimated) and declines
/// the rest; once every claim of the capped cycle is answered, or new offers come, the next cycle runs on them. So the
/// placement rate is not bounded by how often the master offers (a real master offers every agent about once a second,
/// and a declined agent only after its filter expires). A kept offer that the next cycle of newer offers leaves unclaimed
/// again is declined then, at most one for each newer offer (offers of a waiting footprint's agent or host excepted):
/// while offers keep coming, newer ones take the place of those the cycles pass over, instead of the same offers being
/// kept cycle after cycle. With <see cref="OfferHoldMode.None"/> a capped cycle keeps nothing: what it leaves is declined
/// (those of a waiting footprint's place without a filter), and the pods left take the next offers. After each
/// subscription the cycles start small and double (<see cref="FirstCycleClaims"/>, then twice as many, up to the cap):
/// the first ACCEPTs go out while the first cycles' code is still cold and their launches are still being recorded, so
/// the master, the agents and the status updates start working sooner.
/// </remarks>
internal sealed class OfferRouterActor : SchedulerPersistentActor, IWithTimers
{
    /// <summary>Decline filter when nothing wants resources (DC/OS LONG).</summary>
    public const double LongDeclineSeconds = 3600;

    /// <summary>Decline filter while not ready or while work is pending (DC/OS SHORT).</summary>
    public const double ShortDeclineSeconds = 5;

    /// <summary>Pod instances the first cycle after a subscription claims at most; each later cycle twice as many, up to the cap.</summary>
    public const int FirstCycleClaims = 64;

    /// <summary>Offer decisions per journal row (one cycle may take several rows).</summary>
    internal const int DecisionsPerRecord = 256;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private EvaluationContext _context;
    private readonly IActorRef _gateway;
    private readonly SchedulerMetrics _metrics;

    // Waiting requirements in plan order, then registration order (AddInPlanOrder), each with its pod instance's name
    // (built once: cycles look the waiting ones up by name) and its pod actor. A new footprint's scalar need (OfferFit) is
    // computed once here, not per offer cycle.
    private readonly List<(PodRequirement Requirement, string Name, IActorRef Pod, OfferFit.Scalars Need, long Registration)> _requirements = new();
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<string>> _owned = new(StringComparer.Ordinal);

    // Where each pod instance holds (or was just given) its footprint, for placement rules.
    private readonly PlacedTasks _placed = new();
    // Each offered agent as placement rules see it, built once an agent (a master offers the same agents every second).
    private readonly PlacementAgentCache _agents = new();

    // Offers with claims, waiting for every claiming pod to record its launch.
    private readonly Dictionary<string, OfferSlot> _claims = new(StringComparer.Ordinal);

    // Claims are numbered (LaunchClaim.Seq), from the monotonic clock so a restarted router's numbers go on rising past
    // those its pods last answered; each pod's last one, so most words from a pod need no look at the open claims
    // (OnPodsWord).
    private long _claimSeq = Stopwatch.GetTimestamp();
    private readonly Dictionary<string, long> _lastClaimOf = new(StringComparer.Ordinal);
    // What each waiting pod was last told of why the offers evaluated for it did not fit (OffersDoNotFit).
    private readonly Dictionary<string, string> _toldWhy = new(StringComparer.Ordinal);

    // The pod actors with open claims, each with how many, watched while they have some: a pod actor that stops (its
    // parent restarted) never answers the claims in its mailbox. But it may have sent the entity journal launch records
    // first: for those stopped with claims still open, the journal is asked to say when every write it got before is
    // settled (a barrier); the notices of the records among them come first, and the claims still open count as refused.
    private readonly Dictionary<IActorRef, int> _claimants = new();
    private readonly HashSet<IActorRef> _stoppedClaimants = new();
    private readonly IActorRef _entities;

    // The decision records kept in the journal (0: all); those before are deleted in steps of a tenth of that, one
    // delete at a time (after a restart the first ones catch up from the start of the journal).
    private readonly long _decisionRecordsKept;
    private long _decisionsDeletedTo;
    private bool _deletingDecisions;

    // Those offers' cycles, timed until their last offer is answered (SchedulerMetrics.OffersProcess).
    private readonly Dictionary<string, CycleTiming> _cycleOfOffer = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rescinded = new(StringComparer.Ordinal);
    private readonly OfferOutcomeTracker _outcomes = new();

    // Decommissioned pods waiting for their released reservations to be unreserved (by pod instance: the pod actor, and
    // the release as the pod gave it), and those reservations as offers showed them so far (the group shrinks).
    private readonly Dictionary<string, Release> _collecting = new(StringComparer.Ordinal);
    private readonly GivenUpReservations _released = new();

    // Replaced and abandoned footprints' reservations, by the agent they were given up on: maybe reserved, owned by
    // nobody; followed through offers until gone, or given up on after the patience (an agent that never comes back).
    // And the pods that gave them up, with the ids each gave up there, told once they are settled.
    private readonly GivenUpReservations _abandoned = new();
    private readonly Dictionary<string, Dictionary<IActorRef, HashSet<string>>> _abandonedBy = new(StringComparer.Ordinal);
    private readonly TimeSpan _abandonedPatience;
    private bool _reconciled;
    private bool _declinedWhileReconciling;
    private bool _declinedSinceRevive;
    private bool _suppressed;

    // Pod instances one offer cycle places at most (SchedulerSettings.MaxClaimsPerCycle), and the cap of the next cycle
    // while it ramps up after a subscription.
    private readonly int _maxClaimsPerCycle;
    private int _nextCycleCap;

    // Offers kept for the next cycle while a capped cycle's claims are being recorded (_capped: its offers not answered
    // yet; null when no capped cycle is in flight).
    private readonly HeldOffers _held = new();
    // How many new footprints of each pod type the latest cycle that placed some put on an offer (on average, rounded up):
    // what a kept offer counts room for (OfferHolding); a type not placed yet counts one.
    private readonly Dictionary<string, int> _podsPerOffer = new(StringComparer.Ordinal);
    private HashSet<string>? _capped;
    private readonly TimeSpan _holdLimit;
    // None: a capped cycle keeps nothing; every offer is answered by the cycle it came in.
    private readonly OfferHoldMode _holdMode;

    // How often an idle router revives offers to see every agent's reservations (zero: never).
    private readonly TimeSpan _sweepInterval;

    // How a new footprint chooses among the offers it fits.
    private readonly PlacementFitness _fitness;

    public OfferRouterActor(string service, EvaluationContext context, IActorRef gateway, IActorRef entities, SchedulerMetrics? metrics, int maxClaimsPerCycle, TimeSpan holdLimit, TimeSpan abandonedPatience, TimeSpan sweepInterval, PlacementFitness fitness, OfferHoldMode holdMode, long decisionRecordsKept)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decisionRecordsKept);
        _decisionRecordsKept = decisionRecordsKept;
        _entities = entities;
        ArgumentOutOfRangeException.ThrowIfLessThan(fitness.Candidates, 1);
        _fitness = fitness;
        ArgumentOutOfRangeException.ThrowIfLessThan(sweepInterval, TimeSpan.Zero);
        _sweepInterval = sweepInterval;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxClaimsPerCycle, 1);
        _maxClaimsPerCycle = maxClaimsPerCycle;
        if (!System.Enum.IsDefined(holdMode))
        {
            throw new ArgumentOutOfRangeException(nameof(holdMode), holdMode, "Not an OfferHoldMode.");
        }

        _nextCycleCap = Math.Min(FirstCycleClaims, maxClaimsPerCycle);
        _holdLimit = holdLimit;
        _holdMode = holdMode;
        _abandonedPatience = abandonedPatience;
        _metrics = metrics ?? new SchedulerMetrics();
        _context = context;
        _gateway = gateway;
        PersistenceId = $"{service}/offers";

        Command<RegisterRequirement>(OnRegister);
        Command<PodInstancesExpected>(m => SizeFor(m.Count));
        Command<WithdrawRequirement>(m =>
        {
            if (_pending.Remove(m.PodInstance))
            {
                _requirements.RemoveAll(r => r.Name == m.PodInstance);
            }

            _toldWhy.Remove(m.PodInstance);
        });
        Command<FootprintOwned>(m => OnPodsWord(m.PodInstance, Sender, m.ClaimsSeen, m.ResourceIds, m.Agent));
        Command<AwaitCollection>(m =>
        {
            // The pod no longer owns them (whatever order its messages arrive in), and offers must come to collect them.
            _owned[m.PodInstance] = ImmutableArray<string>.Empty;
            HoldRole(m.Role, m.AgentId, m.ResourceIds, m.Made);
            _placed.Remove(m.PodInstance);
            if (!_collecting.ContainsKey(m.PodInstance))
            {
                _metrics.Increment(SchedulerMetrics.GivenUpWaits);
            }

            // The same release again (the pod restarted): what offers showed of it so far stands.
            if (!_collecting.TryGetValue(m.PodInstance, out var release) || release.AgentId != m.AgentId || !release.Ids.SetEquals(m.ResourceIds))
            {
                _released.Remove(m.PodInstance);
                // An offer the router still holds from before the pod's tasks ended leaves the reservations out (they were
                // in use): with Made, its absence of them means nothing until an offer showed them free.
                _released.Add(m.PodInstance, m.AgentId, m.ResourceIds, seenFreeFirst: m.Made);
            }

            _collecting[m.PodInstance] = new Release(Sender, m.AgentId, m.ResourceIds.ToHashSet(StringComparer.Ordinal));

            var due = new CollectionPatienceOver(m.PodInstance, m.AgentId);
            Timers.StartSingleTimer(due.PodInstance, due, _abandonedPatience);
            Revive();
        });
        Command<IsAcceptPending>(m => Sender.Tell(new AcceptPending(m.OfferId, _claims.ContainsKey(m.OfferId))));
        Command<ReleaseAgentGone>(m =>
        {
            // The decommissioned pod learnt that the agent of the reservations it released was marked gone: it never
            // offers them under this id, so the pod no longer waits. They are followed as an abandoned footprint is, as
            // far as offers showed them (collected should the agent come back under a new id with them), and the wait
            // counted once: settled or expired there.
            if (!_collecting.Remove(m.PodInstance, out var release))
            {
                return;
            }

            Timers.Cancel(m.PodInstance);
            var ids = _released.IdsOf(m.PodInstance).ToList();
            _released.MoveTo(m.PodInstance, _abandoned, release.AgentId);
            if (ids.Count > 0 && !FollowAbandoned(release.AgentId, Sender, ids))
            {
                // Joined to a wait of the same pod there, counted already: this one ends here.
                _metrics.Increment(SchedulerMetrics.GivenUpSettled);
            }
        });
        Command<CollectionPatienceOver>(m =>
        {
            if (!_collecting.Remove(m.PodInstance, out var release))
            {
                return;
            }

            // An agent partitioned for that long may never come back: decommission does not wait for it for ever (the
            // DC/OS SDK's does). Should it come back, what it still holds is nobody's, and collected when offered.
            _log.Warning("Agent {0} did not offer the {1} reservations {2} released within {3}: no longer waiting for them " +
                "(they are collected if it offers them later while offers come)", m.AgentId, _released.IdsOf(m.PodInstance).Count, m.PodInstance, _abandonedPatience);
            _released.Remove(m.PodInstance);
            _metrics.Increment(SchedulerMetrics.GivenUpExpired);
            release.Pod.Tell(new ResourcesCollected(m.PodInstance, WaitedInVain: true));
            if (IsIdle && !_suppressed)
            {
                Suppress();
            }
        });
        Command<FootprintAbandoned>(m =>
        {
            if (m.ResourceIds.IsEmpty)
            {
                return;
            }

            HoldRole(m.Role, m.AgentId, m.ResourceIds, m.Made);
            _abandoned.Add(m.AgentId, m.AgentId, m.ResourceIds, seenFreeFirst: m.Made);
            if (FollowAbandoned(m.AgentId, Sender, m.ResourceIds))
            {
                _metrics.Increment(SchedulerMetrics.GivenUpWaits);
            }

            Revive();
        });
        Command<AbandonedPatienceOver>(m =>
        {
            if (!_abandoned.Contains(m.AgentId))
            {
                return;
            }

            _log.Warning("Agent {0} did not offer again within {1}: no longer waiting to collect the {2} reservations abandoned on it " +
                "(they are collected if it offers them later while offers come)", m.AgentId, _abandonedPatience, _abandoned.IdsOf(m.AgentId).Count);
            Settle(m.AgentId, expired: true);
            if (IsIdle && !_suppressed)
            {
                Suppress();
            }
        });
        Command<SweepDue>(_ => Sweep($"every {_sweepInterval}"));
        // What the task held is free and nobody's now, and a router that suppressed offers would see it only at its next
        // sweep, up to an hour later: it sweeps at once. Such a task is rare (a stray; one whose pod was
        // force-decommissioned while its agent was partitioned, maybe by a scheduler since restarted, which knows nothing
        // of its reservations). A router not suppressed gets offers anyway (one watching given-up reservations declines
        // their agents' short): no REVIVE, which would re-offer every agent, for each of many such tasks.
        Command<UnownedTaskEnded>(m =>
        {
            if (_suppressed)
            {
                Sweep($"task {m.TaskId}, which nobody owns, ended on {m.AgentId}");
            }
        });
        Command<OffersReceived>(OnOffers);
        Command<OfferProtocol.GetOfferOutcomes>(m => Sender.Tell(_outcomes.Query(m.PodInstance, m.Limit)));
        Command<OfferRescinded>(m =>
        {
            // A rescind follows its offer on the gateway's ordered stream: only an offer still held or claimed is here to
            // forget (remembered until its claims are answered, so the set does not grow with every rescind).
            _held.Remove(m.OfferId);
            if (_claims.ContainsKey(m.OfferId))
            {
                _rescinded.Add(m.OfferId);
            }
        });
        Command<HeldOffersDue>(_ =>
        {
            if (!_reconciled)
            {
                _log.Warning("Reconciliation is still not complete after {0}; declining the {1} offers kept for it", _holdLimit, _held.Count);
                DeclineWhileReconciling(TakeHeld());
            }
            else if (_capped is not null)
            {
                _log.Warning("{0} offers of the last capped offer cycle still wait for their claims after {1}; evaluating the {2} held offers anyway",
                    _capped.Count, _holdLimit, _held.Count);
                RunHeld();
            }
        });
        Command<IsReconciled>(_ => Sender.Tell(_reconciled));
        Command<IsSuppressed>(_ => Sender.Tell(_suppressed));
        Command<GetOffersInHand>(_ => Sender.Tell(new OffersInHand(_held.Count, _claims.Count)));
        Command<GetPendingRequirements>(_ => Sender.Tell(_requirements.Select(r => r.Name).ToImmutableArray()));
        Command<EntityJournalProtocol.Durable>(m =>
        {
            foreach (var notice in m.Notices)
            {
                if (notice is LaunchRecorded recorded)
                {
                    OnClaimAnswered(recorded.OfferId, recorded.Pod, recorded: true, reason: null);
                }
            }
        });
        Command<LaunchNotRecorded>(m => OnClaimAnswered(m.OfferId, Sender, recorded: false, m.Reason));
        Command<Terminated>(m =>
        {
            // A pod actor with open claims stopped: they are never answered by it. But it may have sent a launch record
            // to the journal first, still being committed, and a durable task info means launched: its offer must be
            // accepted. Everything the pod sent the journal went before this (local sends), so once the journal has
            // settled the writes it got before the barrier, the notices of those records have come, and no other will.
            if (_claimants.ContainsKey(m.ActorRef) && _stoppedClaimants.Add(m.ActorRef))
            {
                _entities.Tell(new EntityJournalProtocol.Barrier(m.ActorRef));
            }
        });
        Command<EntityJournalProtocol.BarrierPassed>(m =>
        {
            if (m.Token is not IActorRef pod || !_stoppedClaimants.Remove(pod))
            {
                return;
            }

            // Taken first: answering a claim may run the next cycle, which changes the open claims.
            var open = _claims.Values.SelectMany(s => s.Claims.Where(c => c.Recorded is null && c.Pod.Equals(pod)).Select(c => (s.Offer.Id.Value, c.PodInstance))).ToList();
            foreach (var (offerId, podInstance) in open)
            {
                OnClaimAnswered(offerId, pod, recorded: false, $"the actor of {podInstance} stopped, and the journal holds no launch record of it");
            }
        });
        Command<DeleteMessagesSuccess>(m =>
        {
            _deletingDecisions = false;
            _decisionsDeletedTo = m.ToSequenceNr;
            DeleteOldDecisions();
        });
        Command<DeleteMessagesFailure>(m =>
        {
            // Kept, then: the next record written tries again from where the deletion stopped.
            _deletingDecisions = false;
            _log.Warning("Could not delete the offer decision records up to {0}: {1}", m.ToSequenceNr, m.Cause.Message);
        });
        Command<ReconciliationComplete>(m =>
        {
            _reconciled = true;
            _context = _context with { Reservation = _context.Reservation with { FrameworkId = m.FrameworkId }, LocalRegion = m.LocalRegion };

            // Offers declined while reconciling carry a filter: clear it so pending work is offered at once.
            if (_declinedWhileReconciling)
            {
                _declinedWhileReconciling = false;
                _suppressed = false;
                _metrics.Increment(SchedulerMetrics.Revives);
                _gateway.Tell(ReviveOffers.Instance);
            }

            _log.Info("Reconciliation complete: offers will be used");
            // Offers that came while reconciling were kept for this moment: no waiting for the master's next ones.
            RunHeld();
        });
        Command<ReviveNotDelivered>(_ =>
        {
            // The master's filters, and its suppression, may stand: the next revive must go out. Offers are wanted now
            // (through the gateway's revive budget, which bounds a master that keeps failing the call); while not
            // subscribed, once reconciled (as after offers declined while reconciling).
            _declinedSinceRevive = true;
            if (!_reconciled)
            {
                _declinedWhileReconciling = true;
            }
            else if (!IsIdle)
            {
                Revive();
            }
        });
        Command<SuppressNotDelivered>(_ =>
        {
            // The master may still offer (and a new subscription, which names no suppressed roles, unsuppresses): the
            // next idle cycle suppresses again. Should the call have reached the master after all, the next revive
            // must still go out.
            _suppressed = false;
            _declinedSinceRevive = true;
        });
        Command<SubscriptionLost>(_ =>
        {
            // The master forgets a lost subscription's offers; the next subscription's cycles ramp up again. A SUBSCRIBE
            // that names no suppressed roles (the gateway's) leaves the framework unsuppressed.
            _nextCycleCap = Math.Min(FirstCycleClaims, _maxClaimsPerCycle);
            _held.Clear();
            _capped = null;
            Timers.Cancel(HeldOffersDue.Instance);
            _reconciled = false;
            _suppressed = false;
            _rescinded.Clear();
        });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Any failure while handling a message surfaces as <see cref="OfferRouterFailedException"/>: the router keeps what
    /// the pods own only in memory, so its supervisor fails the whole scheduler rather than restart it alone
    /// (<see cref="SchedulerRootActor.Decide"/>).
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e) when (e is not OfferRouterFailedException)
        {
            throw new OfferRouterFailedException(e);
        }
    }

    /// <summary>
    /// A decision record the journal could not write: Akka stops a persistent actor then, which would leave the service
    /// without a router for good. The journal is failing, so the scheduler restarts as a whole instead, as when the
    /// entity journal is lost. But a record the clustered journal's fence refused (this node no longer holds the
    /// scheduler lease) stops the router as any other persistent actor of the scheduler, which says so to the root
    /// (<see cref="JournalWriteFailed"/>): the root stands the scheduler down, and a restart would only replay and
    /// subscribe to Mesos behind the back of the node that holds the lease.
    /// </summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        if (!JournalFailures.IsRefusedByLeaseFence(cause))
        {
            throw new OfferRouterFailedException(cause);
        }

        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void PreStart()
    {
        base.PreStart();
        if (_sweepInterval > TimeSpan.Zero)
        {
            Timers.StartPeriodicTimer(SweepDue.Instance, SweepDue.Instance, _sweepInterval);
        }
    }

    /// <summary>How long held offers wait for a capped cycle's claims to be answered before they are evaluated anyway.</summary>
    public static readonly TimeSpan DefaultHoldLimit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long offers keep coming, with nothing else to do, for an agent holding an abandoned footprint to offer it and
    /// have it collected (an agent restart or a healed partition takes minutes; a long decline filter lasts an hour).
    /// </summary>
    public static readonly TimeSpan DefaultAbandonedPatience = TimeSpan.FromSeconds(LongDeclineSeconds);

    /// <summary>
    /// How often an idle router revives offers to collect reservations nobody owns (<see cref="Sweep"/>): as often as
    /// long declines expire.
    /// </summary>
    public static readonly TimeSpan DefaultSweepInterval = TimeSpan.FromSeconds(LongDeclineSeconds);

    /// <summary>The decision journal is written for audit, never replayed into this actor.</summary>
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None, 0);

    /// <param name="entities">
    /// The entity journal the pods record their launches through: asked for a barrier when a pod actor stops with claims
    /// open, to learn whether it recorded them.
    /// </param>
    /// <param name="holdLimit">How long held offers wait for a capped cycle's claims at most (default <see cref="DefaultHoldLimit"/>).</param>
    /// <param name="abandonedPatience">
    /// How long offers keep coming for the agent of an abandoned footprint, or of a decommissioned pod's released
    /// reservations (default <see cref="DefaultAbandonedPatience"/>).
    /// </param>
    /// <param name="sweepInterval">How often an idle router revives offers to collect reservations nobody owns (default <see cref="DefaultSweepInterval"/>; zero: never).</param>
    /// <param name="fitness">How a new footprint chooses among the offers it fits (default <see cref="PlacementFitness.Default"/>).</param>
    /// <param name="holdMode">What a capped cycle does with the offers it leaves (default <see cref="OfferHoldMode.Backlog"/>: keeps what the work left needs).</param>
    /// <param name="decisionRecordsKept">Decision records the journal keeps, the latest (default <see cref="SchedulerSettings.DefaultOfferDecisionRecordsKept"/>; 0: all).</param>
    public static Props Props(string service, EvaluationContext context, IActorRef gateway, IActorRef entities, SchedulerMetrics? metrics = null, int maxClaimsPerCycle = SchedulerSettings.DefaultMaxClaimsPerCycle, TimeSpan? holdLimit = null, TimeSpan? abandonedPatience = null, TimeSpan? sweepInterval = null, PlacementFitness? fitness = null, OfferHoldMode holdMode = OfferHoldMode.Backlog,
        long decisionRecordsKept = SchedulerSettings.DefaultOfferDecisionRecordsKept) =>
        Akka.Actor.Props.Create(() => new OfferRouterActor(service, context, gateway, entities, metrics, maxClaimsPerCycle, holdLimit ?? DefaultHoldLimit, abandonedPatience ?? DefaultAbandonedPatience, sweepInterval ?? DefaultSweepInterval, fitness ?? PlacementFitness.Default, holdMode, decisionRecordsKept));

    private void OnRegister(RegisterRequirement message)
    {
        var name = message.Requirement.PodInstanceName;
        // The pod forgets what it was told when it registers: the next evaluation that places nothing tells it again.
        _toldWhy.Remove(name);
        if (!_pending.Add(name))
        {
            _requirements.RemoveAll(r => r.Name == name);
        }
        else
        {
            // Not waiting until now (placed, or never registered): its summary counts from this wait on.
            _outcomes.StartedWaiting(name);
        }

        var need = message.Requirement.Existing is null
            ? OfferFit.NewFootprintNeed(message.Requirement.Pod, _context.Executor)
            : default;
        AddInPlanOrder((message.Requirement, name, Sender, need, message.Registration));
        if (message.Requirement.Existing is { } footprint)
        {
            // The pod's own word on what it holds, and where (a refused claim may have left the router believing otherwise).
            OnPodsWord(name, Sender, message.ClaimsSeen, footprint.ResourceIds.ToImmutableArray(), footprint.Agent, placementKnown: footprint.Agent is not null);
        }

        // New work: offers we suppressed, or declined (with a filter) since the last revive, must come back now.
        Revive();
    }

    /// <summary>
    /// Sizes the indexes kept by pod instance for the service's <paramref name="instances"/> at once (the pods guardian
    /// says how many as it creates them, before any of them speaks): grown one word at a time, those of a 10,000-pod
    /// deploy passed through two or three arrays of the large-object heap each (~7 MB in one storm deploy), whose
    /// allocations trigger full collections. A deploy fills them; the waiting ones empty again, their arrays kept.
    /// </summary>
    private void SizeFor(int instances)
    {
        _requirements.EnsureCapacity(instances);
        _pending.EnsureCapacity(instances);
        _owned.EnsureCapacity(instances);
        _lastClaimOf.EnsureCapacity(instances);
        _placed.EnsureCapacity(instances);
        _outcomes.EnsureCapacity(instances);
    }

    /// <summary>
    /// Cycles take the waiting requirements in order: those of earlier plans first (<see cref="PodRequirement.PlanPriority"/>),
    /// then each plan's in the order they came. Most come from one plan, in order: appended.
    /// </summary>
    private void AddInPlanOrder((PodRequirement Requirement, string Name, IActorRef Pod, OfferFit.Scalars Need, long Registration) waiting)
    {
        var priority = waiting.Requirement.PlanPriority;
        if (_requirements.Count == 0 || _requirements[^1].Requirement.PlanPriority <= priority)
        {
            _requirements.Add(waiting);
            return;
        }

        // The first of a later plan: binary search, the list being in plan order.
        var (low, high) = (0, _requirements.Count);
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_requirements[middle].Requirement.PlanPriority <= priority)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        _requirements.Insert(low, waiting);
    }

    /// <summary>
    /// Reservations labelled by us that no pod owns are collected when offered (<see cref="UnexpectedResources"/>), but an
    /// idle router suppresses offers, and declines long what it does not watch: an agent that comes back after the
    /// router stopped waiting for it (a partition longer than the patience, a removed agent restarted under a new id),
    /// or reservations a missed or refused cleanup left, would hold them until new work revives offers — for ever in a
    /// service that never changes. So with nothing to place, every sweep interval the router revives offers (clearing
    /// the master's filters, so every agent is offered again at its next allocation): what nobody owns is destroyed and
    /// unreserved, the rest is declined long, and offers are suppressed again once they find nothing to do (agents a
    /// later allocation offers wait for the next sweep). While pods wait to be placed offers flow anyway (declined short).
    /// A task nobody owns that ends (<see cref="UnownedTaskEnded"/>) brings the next sweep forward to now.
    /// </summary>
    private void Sweep(string why)
    {
        if (_reconciled && !IsPlacing && Revive())
        {
            _log.Info("Sweeping for reservations nobody owns: offers revived ({0})", why);
            _metrics.Increment(SchedulerMetrics.Sweeps);
        }
    }

    /// <summary>Offers we suppressed, or declined (with a filter) since the last revive, must come back now; false: none were.</summary>
    private bool Revive()
    {
        if (!_suppressed && !_declinedSinceRevive)
        {
            return false;
        }

        _suppressed = false;
        _declinedSinceRevive = false;
        _metrics.Increment(SchedulerMetrics.Revives);
        _gateway.Tell(ReviveOffers.Instance);
        return true;
    }

    private void OnOffers(OffersReceived message)
    {
        var offers = message.Offers.ToList();
        _metrics.Increment(SchedulerMetrics.OffersReceived, message.Offers.Length);
        if (!_reconciled)
        {
            // Kept until reconciliation completes (on a fresh subscription, moments after the first offers come), at most
            // the hold limit: the first cycle then needs no new offers. Offers that come while some are kept are declined
            // short: the kept ones are enough for a cycle, and a kept offer is withheld from other frameworks.
            if (_held.Count == 0 && offers.Count > 0)
            {
                _held.AddRange(offers);
                Timers.StartSingleTimer(HeldOffersDue.Instance, HeldOffersDue.Instance, _holdLimit);
            }
            else
            {
                DeclineWhileReconciling(offers);
            }

            return;
        }

        // Offers a capped cycle left join these, first (they were offered earlier), and wait no longer for its claims.
        var held = TakeHeld();
        offers.InsertRange(0, held);
        RunCycle(offers, replaceable: offers.Count > held.Count ? held.Count : 0);
    }

    private void DeclineWhileReconciling(List<Offer> offers)
    {
        Decline(offers, ShortDeclineSeconds, DeclineReasons.Reconciling);
        _declinedWhileReconciling |= offers.Count > 0;
    }

    /// <summary>The next cycle, on the held offers (the capped cycle before it is answered, or given up on).</summary>
    private void RunHeld()
    {
        var held = TakeHeld();
        if (held.Count > 0)
        {
            RunCycle(held, replaceable: 0);
        }
    }

    /// <summary>The held offers (a rescind takes its offer out at once); no capped cycle is waited for any more.</summary>
    private List<Offer> TakeHeld()
    {
        _capped = null;
        Timers.Cancel(HeldOffersDue.Instance);
        return _held.TakeAll();
    }

    /// <param name="replaceable">
    /// How many of <paramref name="offers"/>, at the front, were kept by an earlier cycle and come with newer ones: those
    /// this cycle leaves unclaimed too are declined, not kept again (see the end of the cycle).
    /// </param>
    private void RunCycle(List<Offer> offers, int replaceable)
    {
        // Each requirement takes the best (PlacementFitness) of the first offers (as they stand after earlier claims) that
        // pass; one offer can carry several pod instances. A constant-time check (OfferFit) skips the offers that cannot
        // fit, counted.
        var timing = new CycleTiming(Stopwatch.GetTimestamp());
        var decisions = new List<OfferDecision>();
        var skippedRecords = new List<SkippedOffers>();
        var now = Timestamp.FromDateTime(DateTime.UtcNow);
        var slots = offers.Select(o => new OfferSlot(o, _agents)).ToList();
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        // New footprints claimed, by pod type, and the offers they went on: how the fitness spreads them (OfferHolding).
        Dictionary<string, (int Claims, HashSet<string> Offers)>? newClaims = null;
        var cap = _nextCycleCap;
        // Offers skipped for the pod, by reason, with the most of the resource a reason says it lacked (OfferFit.AmountOf).
        var skipped = new Dictionary<string, (int Count, double Most)>(StringComparer.Ordinal);
        // Where new footprints of a need, placement rule and pre-reserved role start looking, with the skips before it. A resource skip
        // stays a skip as offers only shrink within a cycle, and a refusal by a rule whose refusals are stable (MAX_PER,
        // UNIQUE, field matches) stays one as placements only grow: each pod goes on where the last one stopped instead
        // of checking the offers used up before it (with a real master's batch of every agent, thousands per pod). A
        // claim on an offer before that point drops it (the skip's reason may have changed), so a point past the last
        // offer — every offer skipped — holds only until the next claim, for any rule.
        var scanFrom = new Dictionary<(OfferFit.Scalars Need, PlacementRule? Rule, string Role), (int Next, KeyValuePair<string, (int Count, double Most)>[] Skipped)>();
        // The slots of each agent (by id, and by host name), made when a footprint in place first looks for its agent.
        Dictionary<string, List<int>>? slotsOfPlace = null;
        var capped = false;
        var candidates = new List<(int Index, FitnessScore Score, int Seen)>(Math.Min(_fitness.Compared, offers.Count));
        // Where the next comparison of offers starts (see below).
        var rotor = 0;
        // How many of the requirements (in order) the cycle evaluated offers for.
        var considered = 0;
        foreach (var (requirement, podName, pod, need, _) in _requirements)
        {
            if (claimed.Count >= cap)
            {
                // The rest wait for the next cycle: an offer is answered once all its claims are recorded, so a cycle
                // that claims thousands holds its offers for as long as thousands of journal writes take.
                capped = true;
                break;
            }

            considered++;

            skipped.Clear();
            if (requirement.Existing is { } existing)
            {
                PlaceInFootprint(requirement, podName, pod, need, existing);
                continue;
            }

            // What the pre-checks decide depends only on the need, the placement rule, the pre-reserved role (which
            // offers' role and which resources are the pod's), the offers and where pods are placed — and on the pod
            // itself only when it is placed somewhere (its own placement does not count).
            var room = (need, requirement.Pod.Placement, requirement.Pod.PreReservedRole);
            var comparable = requirement.Existing is null && !_placed.TryGet(podName, out _);
            var resumable = comparable && requirement.Pod.Placement is not { RefusalIsStable: false };
            var start = 0;
            if (comparable && scanFrom.TryGetValue(room, out var from))
            {
                if (from.Next == slots.Count)
                {
                    // An earlier new footprint of the same need and rule found no offer since the last claim: neither
                    // the offers nor the placements changed, so every offer is skipped for the same reasons (a cycle
                    // whose offers are used up would otherwise check thousands of waiting pods against each of them).
                    RecordSkipped(requirement, podName, need, from.Skipped);
                    continue;
                }

                if (resumable)
                {
                    start = from.Next;
                    foreach (var (reason, tally) in from.Skipped)
                    {
                        skipped[reason] = tally;
                    }
                }
            }

            (int Next, KeyValuePair<string, (int Count, double Most)>[] Skipped)? stoppedAt = null;
            // The first offer the pod fits at all: the offers before it stay skips (scanFrom).
            var first = -1;
            for (var i = start; i < slots.Count; i++)
            {
                if (Refusal(requirement, need, slots[i]) is { } reason)
                {
                    Skip(requirement, reason, slots[i]);
                    continue;
                }

                first = i;
                stoppedAt = (i, skipped.ToArray());
                break;
            }

            // A new footprint compares up to `compared` offers it fits (PlacementFitness) and takes the best that passes
            // its full evaluation; a footprint in place takes the first (only its agent's offers fit). The offers compared
            // start where the last comparison stopped (wrapping round to the first that fits, as kube-scheduler rotates the
            // nodes it samples), so successive pods see different offers: sixteen offers at a time would otherwise
            // stack replicas on the first sixteen agents while the others stay empty.
            var compared = requirement.Existing is null ? _fitness.Compared : 1;
            var span = first < 0 ? 0 : slots.Count - first;
            var offset = compared > 1 && rotor > first && rotor < slots.Count ? rotor - first : 0;
            var visited = 0;
            var placedAt = -1;
            while (visited < span && placedAt < 0)
            {
                candidates.Clear();
                for (; visited < span && candidates.Count < compared; visited++)
                {
                    var i = first + ((offset + visited) % span);
                    var slot = slots[i];
                    if (i != first && Refusal(requirement, need, slot) is { } reason)
                    {
                        Skip(requirement, reason, slot);
                        continue;
                    }

                    var score = compared > 1 ? Score(requirement, podName, need, slot) : default;
                    candidates.Add((i, score, candidates.Count));
                    if (score.IsPerfect)
                    {
                        visited++;
                        break;
                    }
                }

                if (candidates.Count > 1)
                {
                    // Best first; among equal scores the one met first (a stable order).
                    candidates.Sort(static (a, b) => b.Score.Value.CompareTo(a.Score.Value) is var byScore && byScore != 0 ? byScore : a.Seen.CompareTo(b.Seen));
                }

                foreach (var (index, score, _) in candidates)
                {
                    var slot = slots[index];
                    var evaluation = OfferEvaluator.Evaluate(requirement, slot.Remaining, _context, _placed);
                    if (evaluation.Passed && compared > 1)
                    {
                        evaluation = evaluation with { Explanation = evaluation.Explanation.Add(OfferFitness.Explain(_fitness.Kind, score, candidates.Count)) };
                    }

                    if (Decide(requirement, podName, pod, slot, index, evaluation))
                    {
                        placedAt = index;
                        break;
                    }
                }
            }

            if (compared > 1 && span > 0)
            {
                rotor = first + ((offset + visited) % span);
            }

            var reasons = skipped.ToArray();
            RecordSkipped(requirement, podName, need, reasons);
            if (resumable || (comparable && stoppedAt is null))
            {
                scanFrom[room] = stoppedAt ?? (slots.Count, reasons);
            }
        }

        // Why the pod cannot use the offer at all (the service's region and the pod's placement rule, then the
        // constant-time OfferFit check: the full evaluation's order, so both give one reason), or null. An agent the rule
        // refuses is counted, not evaluated: with a rule such as hostname:UNIQUE most offers are refused to most pods,
        // and a full evaluation and journaled decision each made a 2,000-pod storm quadratic.
        string? Refusal(PodRequirement requirement, OfferFit.Scalars need, OfferSlot slot) =>
            OfferFit.Refusal(requirement, need, slot.Offer, slot.Available, slot.Agent, _placed, _context);

        // The evaluation of the offer for the pod is journaled as a decision and kept as an outcome; a passing one claims it.
        bool Decide(PodRequirement requirement, string podName, IActorRef pod, OfferSlot slot, int index, OfferEvaluation evaluation)
        {
            decisions.Add(Decision(slot.Offer, podName, evaluation, now));
            _outcomes.Record(new OfferOutcome(
                now.ToDateTime(), podName, slot.Offer.Id.Value, slot.Offer.AgentId.Value, slot.Offer.Hostname, evaluation.Passed, evaluation.Explanation));
            if (evaluation.Passed)
            {
                Take(requirement, podName, pod, slot, index, evaluation);
            }

            return evaluation.Passed;
        }

        void Take(PodRequirement requirement, string podName, IActorRef pod, OfferSlot slot, int index, OfferEvaluation evaluation)
        {
            // The evaluation's footprint is the pod's whole footprint after this ACCEPT; what the router knew of the pod
            // before is kept with the claim, to go back to should the pod refuse it.
            var owned = evaluation.Footprint.Select(Resources.ResourceId).OfType<string>().ToImmutableArray();
            var wasPlaced = _placed.TryGet(podName, out var was);
            var seq = ++_claimSeq;
            _lastClaimOf[podName] = seq;
            _toldWhy.Remove(podName);
            slot.Claims.Add(new Claim(seq, podName, pod, evaluation, owned,
                _owned.TryGetValue(podName, out var ownedBefore) ? ownedBefore : null,
                wasPlaced ? was : null));
            Claimed(pod);
            // Told at once, so the pod records its launch while the cycle goes on evaluating: its answer is handled
            // after this cycle, once every claim on the offer is known.
            pod.Tell(new LaunchClaim(slot.Offer, evaluation, requirement, seq));
            if (wasPlaced && !was.Agent.SamePlaceAs(slot.Agent))
            {
                // A pod placed elsewhere moves: the refusals its old place caused may no longer hold.
                scanFrom.Clear();
            }
            else
            {
                // The offer shrinks: pods that skipped it still would, but maybe for another reason (they lacked mem,
                // now they lack cpus), so where they stopped before it no longer says why.
                foreach (var (key, at) in scanFrom)
                {
                    if (at.Next > index)
                    {
                        scanFrom.Remove(key);
                    }
                }
            }

            _placed.Set(new PlacedTask(podName, slot.Agent));
            slot.Remaining = OfferRemainder.After(slot.Remaining, evaluation);
            claimed.Add(podName);
            if (requirement.Existing is null)
            {
                newClaims ??= new Dictionary<string, (int, HashSet<string>)>(StringComparer.Ordinal);
                ref var byType = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(newClaims, requirement.Pod.Type, out var seen);
                if (!seen)
                {
                    byType = (0, new HashSet<string>(StringComparer.Ordinal));
                }

                byType.Claims++;
                byType.Offers.Add(slot.Offer.Id.Value);
            }
            _owned[podName] = owned;
        }

        // A footprint in place fits only offers of its own agent (OfferFit.Skip): those are looked up, not found by
        // checking every offer of the cycle — held offers of a real master's batch number thousands, and pods waiting to
        // relaunch on agents not offered each scanned them all, every cycle. The other agents' offers count as skipped
        // as a scan would have counted them: those before the one taken, or all of them.
        void PlaceInFootprint(PodRequirement requirement, string podName, IActorRef pod, OfferFit.Scalars need, Footprint existing)
        {
            slotsOfPlace ??= IndexByPlace(slots);
            var own = new SortedSet<int>();
            if (slotsOfPlace.TryGetValue(existing.AgentId, out var ofAgent))
            {
                own.UnionWith(ofAgent);
            }

            if (slotsOfPlace.TryGetValue(HostKey(existing.Hostname), out var ofHost))
            {
                own.UnionWith(ofHost);
            }

            var placedAt = -1;
            foreach (var index in own)
            {
                var slot = slots[index];
                if (Refusal(requirement, need, slot) is { } reason)
                {
                    Skip(requirement, reason, slot);
                    continue;
                }

                if (Decide(requirement, podName, pod, slot, index, OfferEvaluator.Evaluate(requirement, slot.Remaining, _context, _placed)))
                {
                    placedAt = index;
                    break;
                }
            }

            var others = placedAt < 0 ? slots.Count - own.Count : placedAt - own.GetViewBetween(0, placedAt).Count + 1;
            if (others > 0)
            {
                ref var tally = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(skipped, OfferFit.OtherAgent, out _);
                tally = (tally.Count + others, double.NaN);
            }

            RecordSkipped(requirement, podName, need, skipped.ToArray());
        }

        // One more offer skipped for the reason; for a resource the pod lacked, the most of it an offer had (a double in
        // place: a storm skips millions of offers).
        void Skip(PodRequirement requirement, string reason, OfferSlot slot)
        {
            ref var tally = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(skipped, reason, out _);
            tally = (tally.Count + 1, Math.Max(tally.Most, OfferFit.OfferedAmountOf(reason, requirement.Pod.PreReservedRole, slot.Offer, slot.Available)));
        }

        void RecordSkipped(PodRequirement requirement, string podName, OfferFit.Scalars need, KeyValuePair<string, (int Count, double Most)>[] reasons)
        {
            foreach (var (reason, (count, most)) in reasons)
            {
                var needed = OfferFit.AmountOf(reason, requirement.Pod.PreReservedRole, need);
                _outcomes.RecordSkipped(podName, reason, count, needed, most);
                var record = new SkippedOffers { PodInstance = podName, Reason = reason, Count = count };
                if (!double.IsNaN(needed) && !double.IsNaN(most))
                {
                    // The journal keeps the amounts the live summary shows (both or neither, as FailureCount.Why shows them).
                    (record.Needs, record.MostOffered) = (needed, most);
                }

                skippedRecords.Add(record);
            }
        }

        foreach (var (type, (claims, onOffers)) in newClaims ?? [])
        {
            _podsPerOffer[type] = (claims + onOffers.Count - 1) / onOffers.Count;
        }

        for (var i = 0; i < considered; i++)
        {
            if (!claimed.Contains(_requirements[i].Name))
            {
                TellWhyNotPlaced(_requirements[i].Name, _requirements[i].Pod, _requirements[i].Registration);
            }
        }

        if (claimed.Count > 0)
        {
            _nextCycleCap = (int)Math.Min(2L * cap, _maxClaimsPerCycle);
            _requirements.RemoveAll(r => claimed.Contains(r.Name));
            _pending.ExceptWith(claimed);
        }

        foreach (var slot in slots.Where(s => s.Claims.Count > 0))
        {
            _claims[slot.Offer.Id.Value] = slot;
            _cycleOfOffer[slot.Offer.Id.Value] = timing;
            timing.Open++;
        }

        // Every resource id some pod owns (tens of thousands in a big service): gathered only for an offer that carries
        // labelled reservations at all.
        HashSet<string>? owned = null;
        var unused = new List<Offer>();
        foreach (var offer in slots.Where(s => s.Claims.Count == 0).Select(s => s.Offer))
        {
            if (!offer.Resources.Any(r => Resources.ResourceId(r) is not null))
            {
                unused.Add(offer);
                continue;
            }

            owned ??= _owned.Values.SelectMany(ids => ids).ToHashSet(StringComparer.Ordinal);
            var cleanup = UnexpectedResources.Cleanup(offer, owned, _context.Reservation.Role);
            if (cleanup.IsEmpty)
            {
                unused.Add(offer);
                continue;
            }

            _log.Info("Cleaning up {0} unowned reserved resources on {1}", cleanup[^1].Unreserve.Resources.Count, offer.Hostname);
            Accept(offer.Id.Value, cleanup);
        }

        ObserveGivenUp(slots.Select(s => s.Offer));

        var accepting = slots.Where(s => s.Claims.Count > 0).Select(s => s.Offer.Id.Value).ToList();
        var kept = 0;
        // The cycle's declines by why, sent once the branches below have decided them all: one DECLINE per filter.
        var declines = new List<(DeclineReason Reason, double RefuseSeconds, List<Offer> Offers)>();
        void DeclineFor(List<Offer> declined, double refuseSeconds, DeclineReason reason)
        {
            if (declined.Count > 0)
            {
                declines.Add((reason, refuseSeconds, declined));
            }
        }

        if (capped && accepting.Count > 0 && _holdMode == OfferHoldMode.Backlog)
        {
            // Requirements are left: the next cycle tries them on offers this one did not use, as soon as this one is
            // answered (or new offers come). Enough for the work left is kept (OfferHolding), the rest declined.
            // But an offer kept by an earlier cycle that this one, which came with newer offers, left unclaimed again is
            // declined, the oldest first and at most one for each newer offer: while offers keep coming, newer ones take
            // its place. Kept once more, an offer the fitness always ranks below the newer ones (an empty agent, for
            // binpack) would be kept by every cycle until the deploy ends, its answer — and its OFFERS event's cycle —
            // waiting as long. Bounded so, a trickle of offers (an agent re-registering under a master that allocates once
            // a second) gives up no more kept offers than offers came. Those of a place a waiting footprint is on stay:
            // only they can take it.
            if (replaceable > 0)
            {
                var footprints = new OfferHolding.FootprintPlaces(_requirements.Select(r => r.Requirement));
                var passedOver = slots.Take(replaceable)
                    .Where(s => s.Claims.Count == 0 && !footprints.Contains(s.Offer))
                    .Take(offers.Count - replaceable)
                    .Select(s => s.Offer.Id.Value)
                    .ToHashSet(StringComparer.Ordinal);
                var replaced = unused.Where(o => passedOver.Contains(o.Id.Value)).ToList();
                unused.RemoveAll(o => passedOver.Contains(o.Id.Value));
                DeclineFor(replaced, ShortDeclineSeconds, DeclineReasons.PassedOver);
            }

            var notNeeded = new List<Offer>(unused.Count);
            var keep = OfferHolding.Keep(
                unused,
                accepting.Count,
                _requirements.Select(r => (r.Requirement, r.Need)),
                _nextCycleCap,
                (requirement, offer) => OfferEvaluator.PlacementRefusal(requirement, _agents.Of(offer), _placed, _context) is null,
                requirement => _podsPerOffer.GetValueOrDefault(requirement.Pod.Type, 1));
            for (var i = 0; i < unused.Count; i++)
            {
                if (keep[i])
                {
                    _held.Add(unused[i]);
                }
                else
                {
                    notNeeded.Add(unused[i]);
                }
            }

            kept = keep.Count(k => k);
            _metrics.Increment(SchedulerMetrics.OffersKept, kept);
            DeclineFor(notNeeded, ShortDeclineSeconds, DeclineReasons.NotNeeded);
            _capped = accepting.ToHashSet(StringComparer.Ordinal);
            Timers.StartSingleTimer(HeldOffersDue.Instance, HeldOffersDue.Instance, _holdLimit);
        }
        else if (capped && accepting.Count > 0)
        {
            // Holding no offers (OfferHoldMode.None): everything left is declined; those of a place where a waiting pod
            // holds its footprint without a filter — only that agent can take the pod, and a short filter would hold
            // its relaunch in place back for as long.
            var atFootprint = unused.ToLookup(new OfferHolding.FootprintPlaces(_requirements.Select(r => r.Requirement)).Contains);
            DeclineFor(atFootprint[true].ToList(), 0, DeclineReasons.CycleFull);
            DeclineFor(atFootprint[false].ToList(), ShortDeclineSeconds, DeclineReasons.CycleFull);
        }
        else if (IsPlacing)
        {
            DeclineFor(unused, ShortDeclineSeconds, DeclineReasons.NotPlaced);
        }
        else if (HasWork)
        {
            DeclineFor(unused, ShortDeclineSeconds, DeclineReasons.Collecting);
        }
        else if (_abandoned.Count == 0)
        {
            DeclineFor(unused, LongDeclineSeconds, DeclineReasons.NothingToPlace);
        }
        else
        {
            // Waiting only for abandoned footprints' agents to offer: the other agents have nothing for us for a long
            // while, and those agents' next offers, soon, show whether the reservations are gone.
            var watched = unused.ToLookup(o => _abandoned.Watches(o.AgentId.Value));
            DeclineFor(watched[true].ToList(), ShortDeclineSeconds, DeclineReasons.WatchedForGivenUp);
            DeclineFor(watched[false].ToList(), LongDeclineSeconds, DeclineReasons.NothingToPlace);
        }

        foreach (var byFilter in declines.GroupBy(d => d.RefuseSeconds))
        {
            foreach (var (reason, refuseSeconds, declined) in byFilter)
            {
                RecordDeclined(reason, refuseSeconds, declined.Count);
            }

            SendDecline(byFilter.SelectMany(d => d.Offers).ToList(), byFilter.Key);
        }

        // Idle, the cycle declined its offers long: nothing needs them.
        if (IsIdle && !_suppressed && declines.Count > 0)
        {
            Suppress();
        }

        if (decisions.Count > 0 || skippedRecords.Count > 0)
        {
            var cycle = new OfferCycleRecorded { Skipped = { skippedRecords }, At = now };
            cycle.AcceptedOfferIds.AddRange(slots.Where(s => s.Claims.Count > 0).Select(s => s.Offer.Id.Value));
            cycle.Declined.AddRange(declines.Select(d => new DeclinedOffers
            {
                Reason = d.Reason.Text, RefuseSeconds = d.RefuseSeconds, OfferIds = { d.Offers.Select(o => o.Id.Value) },
            }));

            PersistAllAsync(DecisionRecords(cycle, decisions, now), _ => DeleteOldDecisions());
        }

        // The offers kept for the next cycle are that one's.
        _metrics.Increment(SchedulerMetrics.OffersProcessed, offers.Count - kept);
        _metrics.Record(SchedulerMetrics.OffersEvaluate, Stopwatch.GetElapsedTime(timing.Started));
        if (timing.Open == 0)
        {
            RecordCycle(timing);
        }
    }

    // The offer's score for a new footprint: its type's instances on the agent (and in the zone, for spread) looked up in
    // the placements, the pod itself left out.
    /// <summary>
    /// A pod the cycle evaluated offers for and placed nowhere hears why (<see cref="OffersDoNotFit"/>: its most frequent
    /// reason as <c>debug offers</c> gives it, for a resource it lacked with how much it needs and the most an offer had),
    /// unless it was told the same reason since it registered: one message a pod, not one a cycle, while the reason stays.
    /// The word names the <paramref name="registration"/> it was counted for: the pod drops it once it registered again.
    /// </summary>
    private void TellWhyNotPlaced(string podName, IActorRef pod, long registration)
    {
        if (_outcomes.TopFailure(podName) is { } top && !(_toldWhy.TryGetValue(podName, out var told) && told == top.Reason))
        {
            _toldWhy[podName] = top.Reason;
            pod.Tell(new OffersDoNotFit(top.Why, registration));
        }
    }

    private FitnessScore Score(PodRequirement requirement, string podName, OfferFit.Scalars need, OfferSlot slot)
    {
        var type = requirement.Pod.Type;
        var onAgent = _placed.CountAt(PlacementField.Hostname, type, slot.Agent.Hostname, podName);
        int? inZone = _fitness.Kind == FitnessKind.Spread && slot.Agent.Zone is { } zone
            ? _placed.CountAt(PlacementField.Zone, type, zone, podName)
            : null;
        return OfferFitness.Score(_fitness.Kind, need, slot.Available, onAgent, inZone);
    }

    /// <summary>No more waiting for the agent to offer abandoned reservations; the pods that gave them up stop remembering them.</summary>
    /// <summary>
    /// Follows <paramref name="ids"/> a pod gave up on <paramref name="agentId"/> (already watched in _abandoned) until
    /// settled, within the patience for that agent; false if the pod had a wait there already.
    /// </summary>
    private bool FollowAbandoned(string agentId, IActorRef pod, IEnumerable<string> ids)
    {
        if (!_abandonedBy.TryGetValue(agentId, out var pods))
        {
            _abandonedBy[agentId] = pods = [];
        }

        var added = !pods.TryGetValue(pod, out var given);
        if (added)
        {
            pods[pod] = given = new HashSet<string>(StringComparer.Ordinal);
        }

        given!.UnionWith(ids);
        var due = new AbandonedPatienceOver(agentId);
        Timers.StartSingleTimer(due, due, _abandonedPatience);
        return added;
    }

    private void Settle(string agentId, bool expired = false)
    {
        _abandoned.Remove(agentId);
        Timers.Cancel(new AbandonedPatienceOver(agentId));
        foreach (var (pod, ids) in _abandonedBy.Remove(agentId, out var pods) ? pods : [])
        {
            _metrics.Increment(expired ? SchedulerMetrics.GivenUpExpired : SchedulerMetrics.GivenUpSettled);
            pod.Tell(new FootprintSettled(agentId, ids.ToImmutableArray()));
        }
    }

    /// <summary>Pods wait to be placed: requirements to claim offers for, claims to answer.</summary>
    private bool IsPlacing => _requirements.Count > 0 || _claims.Count > 0;

    /// <summary>Pods wait for offers: to be placed, or to see released reservations collected.</summary>
    private bool HasWork => IsPlacing || _collecting.Count > 0;

    /// <summary>No offer is wanted, not even to see an abandoned footprint collected.</summary>
    private bool IsIdle => !HasWork && _abandoned.Count == 0;

    private void Suppress()
    {
        _suppressed = true;
        _metrics.Increment(SchedulerMetrics.Suppresses);
        _gateway.Tell(SuppressOffers.Instance);
    }

    private void RecordCycle(CycleTiming timing) => _metrics.Record(SchedulerMetrics.OffersProcess, Stopwatch.GetElapsedTime(timing.Started));

    /// <summary>A pod recorded (or refused) its claim; once every claim on the offer answered, ACCEPT what was recorded.</summary>
    private void OnClaimAnswered(string offerId, IActorRef pod, bool recorded, string? reason)
    {
        if (!_claims.TryGetValue(offerId, out var slot))
        {
            return;
        }

        var claim = slot.Claims.FirstOrDefault(c => c.Pod.Equals(pod) && c.Recorded is null);
        if (claim is null)
        {
            return;
        }

        claim.Recorded = recorded;
        Answered(pod);
        if (!recorded)
        {
            _log.Info("Claim of {0} on offer {1} released: {2}", claim.PodInstance, offerId, reason);
            GoBackBefore(claim);
        }

        if (slot.Claims.Any(c => c.Recorded is null))
        {
            return;
        }

        _claims.Remove(offerId);
        var rescinded = _rescinded.Remove(offerId);
        var operations = slot.Claims.Where(c => c.Recorded == true).SelectMany(c => c.Evaluation.Operations).ToImmutableArray();
        if (operations.IsEmpty)
        {
            // Through Decline, so the pod's registration that follows a refusal revives the agent it filtered.
            Decline([slot.Offer], ShortDeclineSeconds, DeclineReasons.ClaimsRefused);
        }
        else
        {
            // Even when the offer was rescinded meanwhile (its agent was lost): the master then refuses the ACCEPT with
            // TASK_DROPPED (REASON_INVALID_OFFERS) for each recorded task, and the pods ask for a fresh launch.
            if (rescinded)
            {
                _log.Warning("Offer {0} was rescinded while its launches were being recorded; accepting it anyway so the master drops them", offerId);
            }

            Accept(offerId, operations);
        }

        if (_cycleOfOffer.Remove(offerId, out var timing) && --timing.Open == 0)
        {
            RecordCycle(timing);
        }

        if (_capped is not null && _capped.Remove(offerId) && _capped.Count == 0)
        {
            RunHeld();
        }
    }

    /// <summary>
    /// What a pod says it owns and where it sits (null: nowhere), having answered claims up to <paramref name="claimsSeen"/>.
    /// Said before the pod actor answered a later claim still open, it is what the pod owns before that claim: kept with
    /// the claim (for a refusal to go back to), not taken over what the router took the pod to own when it made the
    /// claim. Otherwise (also from a pod actor started anew, whose count begins again) it is what the pod owns now.
    /// A registration's footprint without an agent (journaled before footprints kept theirs) leaves the placement as is.
    /// </summary>
    private void OnPodsWord(string name, IActorRef pod, long claimsSeen, ImmutableArray<string> owned, PlacementAgent? agent, bool placementKnown = true)
    {
        var placed = agent is null ? (PlacedTask?)null : new PlacedTask(name, agent);
        if (_lastClaimOf.TryGetValue(name, out var last) && claimsSeen < last
            && OpenClaimsOf(name).Where(c => c.Seq > claimsSeen && c.Pod.Equals(pod)).MinBy(c => c.Seq) is { } next)
        {
            next.OwnedBefore = owned;
            if (placementKnown)
            {
                next.PlacedBefore = placed;
            }

            return;
        }

        Believe(name, owned, placementKnown ? placed : _placed.TryGet(name, out var still) ? still : null);
    }

    /// <summary>
    /// Keeps the journal to the latest <see cref="SchedulerSettings.OfferDecisionRecordsKept"/> decision records: once a
    /// tenth of that more were written, those before go, a tenth (at least 1,000) per delete and one delete at a time, so
    /// a journal that grew long (kept all, or a scheduler restarted: it starts counting from the journal's start) is
    /// trimmed in short transactions that never hold the journal's writers back for long.
    /// </summary>
    private void DeleteOldDecisions()
    {
        if (!_deletingDecisions && NextDecisionDelete(LastSequenceNr, _decisionsDeletedTo, _decisionRecordsKept) is { } upTo)
        {
            _deletingDecisions = true;
            DeleteMessages(upTo);
        }
    }

    /// <summary>
    /// Where the next delete of decision records ends, or null for none yet: with <paramref name="kept"/> records kept
    /// (0: all), once a tenth of that more than kept were written past <paramref name="deletedTo"/>, up to a tenth (at
    /// least 1,000) of them at a time.
    /// </summary>
    internal static long? NextDecisionDelete(long last, long deletedTo, long kept)
    {
        if (kept == 0)
        {
            return null;
        }

        var upTo = last - kept;
        var step = Math.Max(1, kept / 10);
        return upTo - deletedTo < step ? null : Math.Min(upTo, deletedTo + Math.Max(step, 1_000));
    }

    /// <summary>A claim was made to <paramref name="pod"/>: it is watched while it has some open.</summary>
    private void Claimed(IActorRef pod)
    {
        ref var open = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_claimants, pod, out _);
        if (open++ == 0)
        {
            Context.Watch(pod);
        }
    }

    /// <summary>A claim of <paramref name="pod"/> was answered: the last one ends the watch (and any barrier it waits for).</summary>
    private void Answered(IActorRef pod)
    {
        ref var open = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_claimants, pod);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref open) || --open > 0)
        {
            return;
        }

        _claimants.Remove(pod);
        Context.Unwatch(pod);
        _stoppedClaimants.Remove(pod);
    }

    // The claims of the pod whose answer has not come yet.
    private IEnumerable<Claim> OpenClaimsOf(string name) =>
        _claims.Values.SelectMany(s => s.Claims).Where(c => c.PodInstance == name && c.Recorded is null);

    // What the router takes the pod to own (null: nothing) and where it sits (null: nowhere).
    private void Believe(string name, ImmutableArray<string>? owned, PlacedTask? placed)
    {
        if (owned is { } ids)
        {
            _owned[name] = ids;
        }
        else
        {
            _owned.Remove(name);
        }

        if (placed is { } at)
        {
            _placed.Set(at);
        }
        else
        {
            _placed.Remove(name);
        }
    }

    /// <summary>
    /// A refused claim: nothing was reserved or resized for it, so the pod owns, and sits, where it did before the claim
    /// (nothing and nowhere for a pod placed for the first time; for a relaunch in place, the footprint before any
    /// resize; a claim that crossed the pod's re-registration leaves what it recorded meanwhile). If a later claim of the
    /// pod was taken meanwhile, on what the router believed after this one, that one goes back to what the router knew
    /// before this one, should it be refused too.
    /// </summary>
    private void GoBackBefore(Claim claim)
    {
        var name = claim.PodInstance;
        if (!(_owned.TryGetValue(name, out var owned) && owned == claim.Owned))
        {
            foreach (var later in OpenClaimsOf(name).Where(c => c.OwnedBefore == claim.Owned))
            {
                (later.OwnedBefore, later.PlacedBefore) = (claim.OwnedBefore, claim.PlacedBefore);
            }

            return;
        }

        Believe(name, claim.OwnedBefore, claim.PlacedBefore);
    }

    /// <summary>
    /// Reservations a pod gave up under a role other than the service role: the gateway keeps the role for them until
    /// they are collected — told before any ACCEPT of this router's unreserves them, so it counts that UNRESERVE.
    /// </summary>
    private void HoldRole(string? role, string agentId, ImmutableArray<string> resourceIds, bool made)
    {
        if (role is not null && !resourceIds.IsEmpty)
        {
            _gateway.Tell(new Mesos.HoldRole(role, agentId, resourceIds, made));
        }
    }

    /// <summary>
    /// Given-up reservations are gone once an offer from their agent (under its id then, or the new one it restarted
    /// under) no longer carries them (<see cref="GivenUpReservations"/>): a decommissioned pod is told its release is
    /// collected; pods that abandoned footprints on an agent are told they are settled.
    /// </summary>
    private void ObserveGivenUp(IEnumerable<Offer> offers)
    {
        if (_released.Count == 0 && _abandoned.Count == 0)
        {
            return;
        }

        // What each offered agent's offers carry together, with those of its offers still out waiting for claims: an
        // agent's resources may be split over several offers, and one without them does not mean they are gone.
        var carried = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var offer in offers)
        {
            Carried(offer);
        }

        foreach (var slot in _claims.Values.Where(s => carried.ContainsKey(s.Offer.AgentId.Value)))
        {
            Carried(slot.Offer);
        }

        foreach (var (agent, ids) in carried)
        {
            foreach (var pod in _released.Observe(agent, ids))
            {
                _log.Info("The reservations {0} gave up are unreserved", pod);
                Timers.Cancel(pod);
                if (_collecting.Remove(pod, out var release))
                {
                    _metrics.Increment(SchedulerMetrics.GivenUpSettled);
                    release.Pod.Tell(new ResourcesCollected(pod));
                }
            }

            foreach (var settled in _abandoned.Observe(agent, ids))
            {
                Settle(settled);
            }
        }

        void Carried(Offer offer)
        {
            if (!carried.TryGetValue(offer.AgentId.Value, out var ids))
            {
                carried[offer.AgentId.Value] = ids = new HashSet<string>(StringComparer.Ordinal);
            }

            ids.UnionWith(offer.Resources.Select(Resources.ResourceId).OfType<string>());
        }
    }

    private void Accept(string offerId, ImmutableArray<Offer.Types.Operation> operations)
    {
        _metrics.Increment(SchedulerMetrics.OffersAccepted);
        foreach (var operation in operations)
        {
            _metrics.Increment(SchedulerMetrics.Operation(operation.Type.ToString() switch { "LaunchGroup" => "launch_group", var other => other }));
            if (operation.LaunchGroup is { } group)
            {
                _metrics.Increment(SchedulerMetrics.Launches, group.TaskGroup.Tasks.Count);
            }
        }

        _gateway.Tell(new AcceptOffers(ImmutableArray.Create(offerId), operations, 1));
    }

    private void Decline(IReadOnlyCollection<Offer> offers, double refuseSeconds, DeclineReason reason)
    {
        RecordDeclined(reason, refuseSeconds, offers.Count);
        SendDecline(offers, refuseSeconds);
    }

    /// <summary>Offers declined for <paramref name="reason"/>: its counter, and <c>debug offers</c>' count of it with the filter.</summary>
    private void RecordDeclined(DeclineReason reason, double refuseSeconds, int count)
    {
        if (count > 0)
        {
            _metrics.Increment(reason.Metric, count);
            _outcomes.RecordDeclined(reason.Text, refuseSeconds, count);
        }
    }

    private void SendDecline(IReadOnlyCollection<Offer> offers, double refuseSeconds)
    {
        if (offers.Count > 0)
        {
            _declinedSinceRevive = true;
            CountDeclines(offers.Count, refuseSeconds);
            _gateway.Tell(new DeclineOffers(offers.Select(o => o.Id.Value).ToImmutableArray(), refuseSeconds));
        }
    }

    private void CountDeclines(int count, double refuseSeconds)
    {
        _metrics.Increment(SchedulerMetrics.OffersDeclined, count);
        _metrics.Increment(refuseSeconds >= LongDeclineSeconds ? SchedulerMetrics.DeclinesLong : SchedulerMetrics.DeclinesShort, count);
    }

    /// <summary>
    /// The journal records of one cycle, tagged <c>offer-decision</c>: the cycle's accepted and declined offers, skipped
    /// counts and decisions, in that order, spread over records of at most <see cref="DecisionsPerRecord"/> decisions,
    /// each closed once it holds <see cref="Persistence.EntityJournalActor.MaxRowBytes"/>. A storm cycle decides thousands
    /// of placements and skips offers for hundreds of pods; a larger record would be serialized into an array on the
    /// large object heap, and those arrays are what trigger full collections.
    /// </summary>
    internal static List<object> DecisionRecords(OfferCycleRecorded cycle, IReadOnlyList<OfferDecision> decisions, Timestamp at)
    {
        var records = new List<object>();
        var part = new OfferCycleRecorded { At = cycle.At ?? at };
        var (bytes, items) = (0, 0);
        void Room(int size)
        {
            if ((items > 0 && bytes + size > Persistence.EntityJournalActor.MaxRowBytes) || part.Decisions.Count >= DecisionsPerRecord)
            {
                records.Add(new Tagged(part, new[] { "offer-decision" }));
                part = new OfferCycleRecorded { At = at };
                (bytes, items) = (0, 0);
            }

            bytes += size;
            items++;
        }

        foreach (var id in cycle.AcceptedOfferIds)
        {
            Room(id.Length + 3);
            part.AcceptedOfferIds.Add(id);
        }

        foreach (var group in cycle.Declined)
        {
            // A group too long for one record goes on in the next, under the same reason (its header, tens of bytes, counted
            // once, at its start).
            DeclinedOffers? current = null;
            foreach (var id in group.OfferIds)
            {
                var was = part;
                Room(id.Length + 3 + (current is null ? group.Reason.Length + 15 : 0));
                if (current is null || !ReferenceEquals(was, part))
                {
                    current = new DeclinedOffers { Reason = group.Reason, RefuseSeconds = group.RefuseSeconds };
                    part.Declined.Add(current);
                }

                current.OfferIds.Add(id);
            }
        }

        foreach (var skipped in cycle.Skipped)
        {
            Room(skipped.CalculateSize() + 3);
            part.Skipped.Add(skipped);
        }

        foreach (var decision in decisions)
        {
            Room(decision.CalculateSize() + 3);
            part.Decisions.Add(decision);
        }

        records.Add(new Tagged(part, new[] { "offer-decision" }));
        return records;
    }

    private static OfferDecision Decision(Offer offer, string pod, OfferEvaluation evaluation, Timestamp at) => new()
    {
        OfferId = offer.Id.Value,
        AgentId = offer.AgentId.Value,
        Hostname = offer.Hostname,
        PodInstance = pod,
        Passed = evaluation.Passed,
        Explanation = { evaluation.Explanation },
        At = at,
    };

    /// <summary>Time for an idle router to sweep for reservations nobody owns.</summary>
    private sealed class SweepDue
    {
        public static readonly SweepDue Instance = new();
    }

    /// <summary>Held offers waited the hold limit for a capped cycle's claims.</summary>
    private sealed class HeldOffersDue
    {
        public static readonly HeldOffersDue Instance = new();
    }

    /// <summary>A decommissioned pod's release the router waits to see collected: the pod, and its reservations on their agent.</summary>
    private sealed record Release(IActorRef Pod, string AgentId, HashSet<string> Ids);

    /// <summary>The patience for a decommissioned pod's released reservations to be offered ran out (the timer's key: the pod instance).</summary>
    private sealed record CollectionPatienceOver(string PodInstance, string AgentId);

    /// <summary>The patience for an agent holding an abandoned footprint to offer again ran out (also the timer's key: one an agent).</summary>
    private sealed record AbandonedPatienceOver(string AgentId);

    /// <summary>When an offer cycle started, and how many of its offers wait for their claims to be recorded.</summary>
    private sealed class CycleTiming(long started)
    {
        public long Started { get; } = started;

        public int Open { get; set; }
    }

    /// <summary>
    /// Offers kept for the next cycle, in the order they were kept. A rescind takes one out in constant time (a real
    /// master's batch may leave thousands kept, and an offer timeout or lost agents rescind thousands in a row).
    /// </summary>
    private sealed class HeldOffers
    {
        private readonly List<Offer> _offers = new();
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

        public int Count => _ids.Count;

        public void Add(Offer offer)
        {
            if (_ids.Add(offer.Id.Value))
            {
                _offers.Add(offer);
            }
        }

        public void AddRange(IEnumerable<Offer> offers)
        {
            foreach (var offer in offers)
            {
                Add(offer);
            }
        }

        /// <summary>Forgets the offer if kept (the list drops it when taken).</summary>
        public void Remove(string offerId) => _ids.Remove(offerId);

        public List<Offer> TakeAll()
        {
            var kept = _offers.Where(o => _ids.Contains(o.Id.Value)).ToList();
            Clear();
            return kept;
        }

        public void Clear()
        {
            _offers.Clear();
            _ids.Clear();
        }
    }

    private static string HostKey(string hostname) => "host:" + hostname;

    private static Dictionary<string, List<int>> IndexByPlace(List<OfferSlot> slots)
    {
        var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < slots.Count; i++)
        {
            var offer = slots[i].Offer;
            Add(offer.AgentId?.Value, i);
            Add(HostKey(offer.Hostname), i);
        }

        return index;

        void Add(string? key, int i)
        {
            if (key is null)
            {
                return;
            }

            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = new List<int>(1);
            }

            list.Add(i);
        }
    }

    /// <summary>An offer in one cycle: what is left of it and the claims on it.</summary>
    private sealed class OfferSlot(Offer offer, PlacementAgentCache agents)
    {
        public Offer Offer { get; } = offer;

        private Offer _remaining = offer;

        public Offer Remaining
        {
            get => _remaining;
            set
            {
                _remaining = value;
                Available = OfferFit.Unreserved(value);
            }
        }

        /// <summary>The unreserved scalars of <see cref="Remaining"/>.</summary>
        public OfferFit.Scalars Available { get; private set; } = OfferFit.Unreserved(offer);

        /// <summary>The offer's agent as placement rules see it (when a rule first asks).</summary>
        public PlacementAgent Agent => _agent ??= agents.Of(Offer);

        private PlacementAgent? _agent;

        public List<Claim> Claims { get; } = new();
    }

    private sealed class Claim(long seq, string podInstance, IActorRef pod, OfferEvaluation evaluation, ImmutableArray<string> owned, ImmutableArray<string>? ownedBefore, PlacedTask? placedBefore)
    {
        public long Seq { get; } = seq;

        public string PodInstance { get; } = podInstance;

        public IActorRef Pod { get; } = pod;

        public OfferEvaluation Evaluation { get; } = evaluation;

        /// <summary>The resource ids the router takes the pod to own once this claim is recorded.</summary>
        public ImmutableArray<string> Owned { get; } = owned;

        /// <summary>What the router knew the pod to own, and where it was placed, before this claim (null: nothing).</summary>
        public ImmutableArray<string>? OwnedBefore { get; set; } = ownedBefore;

        public PlacedTask? PlacedBefore { get; set; } = placedBefore;

        public bool? Recorded { get; set; }
    }
}

/// <summary>The offer router failed on a message (the inner exception): the scheduler restarts as a whole.</summary>
internal sealed class OfferRouterFailedException(Exception inner) : Exception($"the offer router failed: {inner.Message}", inner);
