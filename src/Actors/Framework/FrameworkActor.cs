using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Events;
using Akka.Actor;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Framework;

/// <summary>Remembers the framework id the master gave us, so a restarted scheduler re-subscribes as itself.</summary>
internal sealed class FrameworkActor : SchedulerPersistentActor
{
    private string? _frameworkId;

    public FrameworkActor(string service)
    {
        PersistenceId = $"{service}/framework";

        Recover<FrameworkRegistered>(e => _frameworkId = e.FrameworkId);

        Command<GetFrameworkId>(_ => Sender.Tell(new FrameworkIdentity(_frameworkId)));
        Command<FrameworkRegisteredWith>(m =>
        {
            var replyTo = Sender;
            if (m.FrameworkId == _frameworkId)
            {
                replyTo.Tell(new FrameworkIdentity(_frameworkId));
                return;
            }

            Persist(new FrameworkRegistered { FrameworkId = m.FrameworkId, At = Timestamp.FromDateTime(DateTime.UtcNow) }, e =>
            {
                _frameworkId = e.FrameworkId;
                replyTo.Tell(new FrameworkIdentity(_frameworkId));
            });
        });
    }

    public override string PersistenceId { get; }

    public static Props Props(string service) => Akka.Actor.Props.Create(() => new FrameworkActor(service));
}

/// <summary>The framework id the scheduler registered with → <see cref="FrameworkIdentity"/> (null before the first SUBSCRIBED).</summary>
public sealed record GetFrameworkId
{
    public static GetFrameworkId Instance { get; } = new();
}

public sealed record FrameworkIdentity(string? FrameworkId);

/// <summary>SUBSCRIBED arrived with this id; record it (durably) before anything else happens.</summary>
internal sealed record FrameworkRegisteredWith(string FrameworkId);
