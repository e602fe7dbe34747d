using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace ActorScheduler.Actors.Persistence;

/// <summary>
/// The mailbox of the many small entity actors (pod instances, plan steps): a lock around a ring buffer that is
/// allocated with the first message and grows as needed. Akka's default unbounded deque mailbox starts every actor with
/// a concurrent-queue segment of 32 slots and its padding, ~1 KB an actor: 20 MB for the 20,000 pods and steps of a
/// 10,000-pod service, allocated at start-up and traced by every full collection. An entity's mailbox is nearly always
/// empty or holds a few messages, and few threads write to one at the same time, so an uncontended lock costs less than
/// the segment. Deque-based, for the entities' stash.
/// </summary>
public sealed class EntityMailbox : MailboxType, IProducesMessageQueue<EntityMessageQueue>
{
    /// <summary>Where the mailbox is configured: <see cref="Props.WithMailbox"/> names it.</summary>
    public const string ConfigPath = "actorscheduler.entity-mailbox";

    /// <summary>The configuration every ActorSystem that runs the scheduler includes (Akka.Hosting, the simulation kit).</summary>
    public static readonly string Hocon = $$"""
        {{ConfigPath}} {
          mailbox-type = "{{typeof(EntityMailbox).FullName}}, {{typeof(EntityMailbox).Assembly.GetName().Name}}"
        }
        """;

    public EntityMailbox(Settings settings, Akka.Configuration.Config config)
        : base(settings, config)
    {
    }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new EntityMessageQueue();

    /// <summary>
    /// <paramref name="props"/> with this mailbox when the actor system configures it (<see cref="Hocon"/>); as they are
    /// otherwise (an ActorSystem of a test that does not), with Akka's default mailbox.
    /// </summary>
    public static Props For(Props props, ActorSystem system) =>
        Configured.GetValue(system, s => new StrongBox<bool>(s.Settings.Config.HasPath(ConfigPath))).Value ? props.WithMailbox(ConfigPath) : props;

    // Whether each actor system configures the mailbox: looked up once, not for each of its 20,000 entities.
    private static readonly ConditionalWeakTable<ActorSystem, StrongBox<bool>> Configured = new();
}

/// <summary>
/// The queue of an <see cref="EntityMailbox"/>: a double-ended ring buffer under a lock (any thread enqueues; the actor's
/// one dequeues, and puts stashed messages back at the front).
/// </summary>
public sealed class EntityMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    private readonly object _gate = new();
    private Envelope[] _items = [];
    private int _head;
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (_gate)
        {
            GrowIfFull();
            _items[(_head + _count) % _items.Length] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <summary>Puts a message before all others (unstashing).</summary>
    public void EnqueueFirst(Envelope envelope)
    {
        lock (_gate)
        {
            GrowIfFull();
            _head = (_head - 1 + _items.Length) % _items.Length;
            _items[_head] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }

            envelope = _items[_head];
            _items[_head] = default;
            _head = (_head + 1) % _items.Length;
            Volatile.Write(ref _count, _count - 1);
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
        {
            deadletters.Enqueue(owner, envelope);
        }
    }

    private void GrowIfFull()
    {
        if (_count < _items.Length)
        {
            return;
        }

        // Starts at 4 slots, then doubles; the messages move to the front of the new buffer in order.
        var grown = new Envelope[Math.Max(4, _items.Length * 2)];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = _items[(_head + i) % _items.Length];
        }

        _items = grown;
        _head = 0;
    }
}
