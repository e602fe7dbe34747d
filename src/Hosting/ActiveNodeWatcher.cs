using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorScheduler.Hosting;

/// <summary>
/// This node's current answer to "which node runs the scheduler": published by <see cref="ActiveNodeWatcher"/>, read by
/// the API middleware on every request and by what asks the scheduler for the node's own use, without a message. Not
/// clustered, the scheduler always runs here.
/// </summary>
internal sealed class ActiveNodes : IExtension
{
    // Before the watcher's first decision: what it decides with no member Up (this node has not joined yet), so that the
    // API's first answers say what its later ones will.
    private volatile ActiveSchedulerNode _current = ActiveNodeTracker.NoneUp;

    /// <summary>The last published answer.</summary>
    internal ActiveSchedulerNode Current => _current;

    /// <summary>Replaces the answer.</summary>
    internal void Publish(ActiveSchedulerNode node) => _current = node;

    /// <summary>The one of <paramref name="system"/>.</summary>
    internal static ActiveNodes Get(ActorSystem system) => system.WithExtension<ActiveNodes, ActiveNodesId>();

    private sealed class ActiveNodesId : ExtensionIdProvider<ActiveNodes>
    {
        public override ActiveNodes CreateExtension(ExtendedActorSystem system) => new();
    }
}

/// <summary>
/// Finds where the scheduler singleton really runs: it sends Akka's own <see cref="Identify"/> to the singleton's path on
/// every running member, this one included (Akka serializes <see cref="Identify"/> and <see cref="ActorIdentity"/> with
/// its own protobuf serializer; the message id is the member's address as a string, so nothing else is serialized),
/// takes the member whose singleton answers as the active node, and publishes the decision of
/// <see cref="ActiveNodeTracker"/> to <see cref="ActiveNodes"/>. It asks at once when membership changes, every
/// <see cref="SearchInterval"/> while no singleton has answered, and every <see cref="RefreshInterval"/> after; a request
/// to the API never waits for it.
/// </summary>
internal sealed class ActiveNodeWatcher : ReceiveActor, IWithTimers
{
    /// <summary>How often it asks while no singleton has answered: as often as the singleton proxy searches.</summary>
    internal static readonly TimeSpan SearchInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How often it asks again once one has.</summary>
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long an answer holds without a newer one: several refreshes, so that one slow answer on a loaded
    /// machine does not turn the API to 503.</summary>
    internal static readonly TimeSpan AnswerLifetime = TimeSpan.FromSeconds(5);

    private const string IdentifyTimer = "identify";

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ActiveNodeTracker _tracker;
    private readonly ActiveNodes _published = ActiveNodes.Get(Context.System);
    private readonly string[] _singletonPath;

    public ActiveNodeWatcher(string[] singletonPath)
    {
        _tracker = new ActiveNodeTracker(_cluster.SelfAddress, AnswerLifetime);
        _singletonPath = singletonPath;
        Receive<ClusterEvent.IClusterDomainEvent>(_ => Ask());
        Receive<ClusterEvent.CurrentClusterState>(_ => Ask());
        Receive<Tick>(_ => Ask());
        Receive<ActorIdentity>(identity =>
        {
            if (identity.MessageId is string from && Address.TryParse(from, out var address))
            {
                _tracker.Answered(address, identity.Subject is not null, DateTime.UtcNow);
                Publish();
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Its props: <paramref name="singletonPath"/> holds the elements of the singleton's path under a node's root
    /// (<see cref="SchedulerCluster.SingletonPath"/>).</summary>
    internal static Props Props(string[] singletonPath) => Akka.Actor.Props.Create(() => new ActiveNodeWatcher(singletonPath));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    /// <summary>Reads the membership, asks every candidate's singleton path, publishes, and sets the next ask.</summary>
    private void Ask()
    {
        var state = _cluster.State;
        _tracker.Members(state.Members.Select(m => new ClusterNode(m.Address, m.Status, !state.Unreachable.Contains(m), m.Roles)).ToList());
        foreach (var candidate in _tracker.Candidates())
        {
            Context.ActorSelection(new RootActorPath(candidate) / _singletonPath).Tell(new Identify(candidate.ToString()), Self);
        }

        Publish();
        Timers.StartSingleTimer(IdentifyTimer, Tick.Instance, _tracker.Known(DateTime.UtcNow) ? RefreshInterval : SearchInterval);
    }

    private void Publish()
    {
        var decision = _tracker.Decide(DateTime.UtcNow);
        if (decision != _published.Current)
        {
            Context.GetLogger().Info("The scheduler's API answers {0}", decision.IsSelf ? "on this node" : decision.Api?.AbsoluteUri ?? $"nowhere: {decision.Why}");
        }

        _published.Publish(decision);
    }

    private sealed class Tick
    {
        internal static readonly Tick Instance = new();
    }
}
