using System.Collections.Immutable;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Events;
using Akka.Actor;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Framework;

/// <summary>
/// Remembers the framework id the master gave us and the roles the framework subscribes with, so a restarted scheduler
/// re-subscribes as itself, with the roles its reservations may still be held under.
/// </summary>
internal sealed class FrameworkActor : SchedulerPersistentActor
{
    private string? _frameworkId;
    private ImmutableArray<string> _roles = [];

    public FrameworkActor(string service)
    {
        PersistenceId = $"{service}/framework";

        Recover<FrameworkRegistered>(e => _frameworkId = e.FrameworkId);
        Recover<FrameworkRolesRecorded>(e => _roles = [.. e.Roles]);

        Command<GetFrameworkId>(_ => Sender.Tell(Identity()));
        Command<FrameworkRegisteredWith>(m =>
        {
            var replyTo = Sender;
            if (m.FrameworkId == _frameworkId)
            {
                replyTo.Tell(Identity());
                return;
            }

            Persist(new FrameworkRegistered { FrameworkId = m.FrameworkId, At = Timestamp.FromDateTime(DateTime.UtcNow) }, e =>
            {
                _frameworkId = e.FrameworkId;
                replyTo.Tell(Identity());
            });
        });
        Command<RecordFrameworkRoles>(m =>
        {
            if (m.Roles.SequenceEqual(_roles))
            {
                return;
            }

            Persist(new FrameworkRolesRecorded { Roles = { m.Roles }, At = Timestamp.FromDateTime(DateTime.UtcNow) }, e => _roles = [.. e.Roles]);
        });
    }

    private FrameworkIdentity Identity() => new(_frameworkId) { Roles = _roles };

    public override string PersistenceId { get; }

    public static Props Props(string service) => Akka.Actor.Props.Create(() => new FrameworkActor(service));
}

/// <summary>The framework id the scheduler registered with → <see cref="FrameworkIdentity"/> (null before the first SUBSCRIBED).</summary>
public sealed record GetFrameworkId
{
    public static GetFrameworkId Instance { get; } = new();
}

public sealed record FrameworkIdentity(string? FrameworkId)
{
    /// <summary>The roles the framework last subscribed with (empty before the first subscription).</summary>
    public ImmutableArray<string> Roles { get; init; } = [];
}

/// <summary>Gateway → framework: the framework subscribes with these roles now; record them (durably) if they changed.</summary>
internal sealed record RecordFrameworkRoles(ImmutableArray<string> Roles);

/// <summary>SUBSCRIBED arrived with this id; record it (durably) before anything else happens.</summary>
internal sealed record FrameworkRegisteredWith(string FrameworkId);
