using System.Collections.Immutable;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Receives offer batches and matches them to the requirements pod instances registered: evaluates each
/// requirement against the offers (pure <see cref="OfferEvaluator"/>), claims the first passing offer for it, and
/// sends the ACCEPT only once the pod has recorded the task infos. Cleans up reservations nobody owns, declines the
/// rest (short while reconciling or when work is pending, long when idle), suppresses when idle and revives on new
/// work. Every evaluation is journaled with its explanation.
/// </summary>
internal sealed class OfferRouterActor : ReceivePersistentActor
{
    /// <summary>Decline filter when nothing wants resources (DC/OS LONG).</summary>
    public const double LongDeclineSeconds = 3600;

    /// <summary>Decline filter while not ready or while work is pending (DC/OS SHORT).</summary>
    public const double ShortDeclineSeconds = 5;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private EvaluationContext _context;
    private readonly IActorRef _gateway;

    // Requirements in registration order, by pod instance; the sender is the pod actor.
    private readonly List<(PodRequirement Requirement, IActorRef Pod)> _requirements = new();
    private readonly Dictionary<string, ImmutableArray<string>> _owned = new(StringComparer.Ordinal);

    // Offers claimed by a pod, waiting for the pod to record its launch.
    private readonly Dictionary<string, (Offer Offer, OfferEvaluation Evaluation)> _claims = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rescinded = new(StringComparer.Ordinal);
    private bool _reconciled;
    private bool _suppressed;

    public OfferRouterActor(string service, EvaluationContext context, IActorRef gateway)
    {
        _context = context;
        _gateway = gateway;
        PersistenceId = $"{service}/offers";

        Command<RegisterRequirement>(OnRegister);
        Command<FootprintOwned>(m => _owned[m.PodInstance] = m.ResourceIds);
        Command<OffersReceived>(OnOffers);
        Command<OfferRescinded>(m => _rescinded.Add(m.OfferId));
        Command<LaunchRecorded>(OnLaunchRecorded);
        Command<LaunchNotRecorded>(m =>
        {
            if (_claims.Remove(m.OfferId))
            {
                _log.Info("Offer {0} released: {1}", m.OfferId, m.Reason);
                _gateway.Tell(new DeclineOffers(ImmutableArray.Create(m.OfferId), ShortDeclineSeconds));
            }
        });
        Command<ReconciliationComplete>(m =>
        {
            _reconciled = true;
            _context = _context with { Reservation = _context.Reservation with { FrameworkId = m.FrameworkId } };
            _log.Info("Reconciliation complete: offers will be used");
        });
        Command<SubscriptionLost>(_ =>
        {
            _reconciled = false;
            _suppressed = false;
            _rescinded.Clear();
        });
    }

    public override string PersistenceId { get; }

    /// <summary>The decision journal is written for audit, never replayed into this actor.</summary>
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None, 0);

    public static Props Props(string service, EvaluationContext context, IActorRef gateway) =>
        Akka.Actor.Props.Create(() => new OfferRouterActor(service, context, gateway));

    private void OnRegister(RegisterRequirement message)
    {
        var name = message.Requirement.PodInstanceName;
        _requirements.RemoveAll(r => r.Requirement.PodInstanceName == name);
        _requirements.Add((message.Requirement, Sender));
        if (message.Requirement.Existing is { } footprint)
        {
            _owned[name] = footprint.ResourceIds.ToImmutableArray();
        }

        if (_suppressed)
        {
            _suppressed = false;
            _gateway.Tell(ReviveOffers.Instance);
        }
    }

    private void OnOffers(OffersReceived message)
    {
        var offers = message.Offers.Where(o => !_rescinded.Contains(o.Id.Value)).ToList();
        if (!_reconciled)
        {
            Decline(offers, ShortDeclineSeconds);
            return;
        }

        var decisions = new List<OfferDecision>();
        var remaining = new List<Offer>(offers);
        var now = Timestamp.FromDateTime(DateTime.UtcNow);
        foreach (var (requirement, pod) in _requirements.ToList())
        {
            foreach (var offer in remaining)
            {
                var evaluation = OfferEvaluator.Evaluate(requirement, offer, _context);
                decisions.Add(Decision(offer, requirement.PodInstanceName, evaluation, now));
                if (!evaluation.Passed)
                {
                    continue;
                }

                remaining.Remove(offer);
                _requirements.RemoveAll(r => r.Requirement.PodInstanceName == requirement.PodInstanceName);
                _claims[offer.Id.Value] = (offer, evaluation);
                _owned[requirement.PodInstanceName] = _owned.GetValueOrDefault(requirement.PodInstanceName, ImmutableArray<string>.Empty)
                    .AddRange(evaluation.Footprint.Select(Resources.ResourceId).OfType<string>());
                pod.Tell(new LaunchClaim(offer, evaluation));
                break;
            }
        }

        var owned = _owned.Values.SelectMany(ids => ids).ToHashSet(StringComparer.Ordinal);
        var unused = new List<Offer>();
        foreach (var offer in remaining)
        {
            var cleanup = UnexpectedResources.Cleanup(offer, owned, _context.Reservation.Role);
            if (cleanup.IsEmpty)
            {
                unused.Add(offer);
                continue;
            }

            _log.Info("Cleaning up {0} unowned reserved resources on {1}", cleanup[^1].Unreserve.Resources.Count, offer.Hostname);
            _gateway.Tell(new AcceptOffers(ImmutableArray.Create(offer.Id.Value), cleanup, 1));
        }

        var idle = _requirements.Count == 0 && _claims.Count == 0;
        Decline(unused, idle ? LongDeclineSeconds : ShortDeclineSeconds);
        if (idle && !_suppressed && unused.Count > 0)
        {
            _suppressed = true;
            _gateway.Tell(SuppressOffers.Instance);
        }

        if (decisions.Count > 0)
        {
            var cycle = new OfferCycleRecorded { Decisions = { decisions }, At = now };
            cycle.AcceptedOfferIds.AddRange(_claims.Keys);
            cycle.DeclinedOfferIds.AddRange(unused.Select(o => o.Id.Value));
            PersistAsync(new Tagged(cycle, new[] { "offer-decision" }), _ => { });
        }
    }

    private void OnLaunchRecorded(LaunchRecorded message)
    {
        if (!_claims.Remove(message.OfferId, out var claim))
        {
            return;
        }

        if (_rescinded.Contains(message.OfferId))
        {
            _log.Warning("Offer {0} was rescinded while its launch was being recorded; reconciliation will sort it out", message.OfferId);
            return;
        }

        _gateway.Tell(new AcceptOffers(ImmutableArray.Create(message.OfferId), claim.Evaluation.Operations, 1));
    }

    private void Decline(IReadOnlyCollection<Offer> offers, double refuseSeconds)
    {
        if (offers.Count > 0)
        {
            _gateway.Tell(new DeclineOffers(offers.Select(o => o.Id.Value).ToImmutableArray(), refuseSeconds));
        }
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
}
