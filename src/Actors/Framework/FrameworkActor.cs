using System.Collections.Immutable;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Events;
using Akka.Actor;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Framework;

/// <summary>
/// Remembers the framework id the master gave us and the roles the framework subscribes with, so a restarted scheduler
/// re-subscribes as itself, with the roles its reservations may still be held under, and the reservations given up under
/// roles the framework keeps for them (<see cref="RoleHolds"/>), with what offers showed of those reservations.
/// </summary>
internal sealed class FrameworkActor : SchedulerPersistentActor
{
    private string? _frameworkId;
    private ImmutableArray<string> _roles = [];
    private readonly RoleHolds _holds = new();

    public FrameworkActor(string service)
    {
        PersistenceId = $"{service}/framework";

        Recover<FrameworkRegistered>(e => _frameworkId = e.FrameworkId);
        Recover<FrameworkRolesRecorded>(e => _roles = [.. e.Roles]);
        Recover<RoleHoldRecorded>(Apply);
        Recover<RoleHoldEnded>(Apply);
        Recover<RoleHoldSeen>(Apply);

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
        Command<RecordRoleHold>(m => Persist(
            new RoleHoldRecorded
            {
                Role = m.Hold.Role,
                AgentId = m.Hold.AgentId,
                ResourceIds = { m.Hold.ResourceIds },
                Made = m.Hold.Made,
                Since = Timestamp.FromDateTimeOffset(m.Hold.Since),
            },
            Apply));
        Command<RecordRoleHoldsSeen>(m =>
        {
            // One write for the batch, answered once it is durable: the gateway holds back what the sightings are acted on
            // with (the offers that showed them, the ACCEPT that unreserves them) until then.
            var replyTo = Sender;
            var at = Timestamp.FromDateTime(DateTime.UtcNow);
            // Never empty (the gateway asks only when there is something to write): the last handler answers.
            var left = m.Sightings.Length;
            PersistAll(
                m.Sightings.Select(sighting => new RoleHoldSeen
                {
                    Role = sighting.Role,
                    AgentId = sighting.AgentId,
                    ResourceIds = { sighting.ResourceIds },
                    OnAgentId = sighting.OnAgent,
                    At = at,
                }),
                e =>
                {
                    Apply(e);
                    if (--left == 0)
                    {
                        replyTo.Tell(new RoleHoldsSeenRecorded(m.Token));
                    }
                });
        });
        Command<EndRoleHold>(m => Persist(
            new RoleHoldEnded
            {
                Role = m.Ending.Role,
                AgentId = m.Ending.AgentId,
                ResourceIds = { m.Ending.ResourceIds },
                Reason = m.Ending.ReasonText,
                At = Timestamp.FromDateTime(DateTime.UtcNow),
            },
            Apply));
    }

    private void Apply(RoleHoldRecorded e) =>
        _holds.Add(new RoleHold(e.Role, e.AgentId, [.. e.ResourceIds], e.Made, e.Since?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch));

    private void Apply(RoleHoldEnded e) => _holds.End(e.Role, e.AgentId, e.ResourceIds);

    // A journal written before RoleHoldSeen existed has none: its holds' reservations must be shown again, as before.
    private void Apply(RoleHoldSeen e) =>
        _holds.Saw(new RoleHoldSighting(e.Role, e.AgentId, e.OnAgentId is { Length: > 0 } on ? on : e.AgentId, [.. e.ResourceIds]));

    private FrameworkIdentity Identity() => new(_frameworkId) { Roles = _roles, RoleHolds = _holds.Current };

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

    /// <summary>Reservations given up under roles the framework keeps for them, as journaled (none before any).</summary>
    public ImmutableArray<RoleHold> RoleHolds { get; init; } = [];
}

/// <summary>Gateway → framework: the framework subscribes with these roles now; record them (durably) if they changed.</summary>
internal sealed record RecordFrameworkRoles(ImmutableArray<string> Roles);

/// <summary>Gateway → framework: journal that the framework keeps a role for these given-up reservations.</summary>
internal sealed record RecordRoleHold(RoleHold Hold);

/// <summary>
/// Gateway → framework: journal what offers (or our UNRESERVEs) showed of the role holds (<see cref="RoleHolds.TakeSightings"/>),
/// in one write, and answer <see cref="RoleHoldsSeenRecorded"/> with <paramref name="Token"/> once it is durable.
/// </summary>
internal sealed record RecordRoleHoldsSeen(ImmutableArray<RoleHoldSighting> Sightings, long Token);

/// <summary>
/// Framework → gateway: the sightings of <see cref="RecordRoleHoldsSeen"/> <paramref name="Token"/>, and those of every
/// earlier token (the framework persists in the order it is told), are in the journal.
/// </summary>
internal sealed record RoleHoldsSeenRecorded(long Token);

/// <summary>Gateway → framework: journal that (some of) a role hold's reservations are no longer held for.</summary>
internal sealed record EndRoleHold(RoleHoldEnding Ending);

/// <summary>SUBSCRIBED arrived with this id; record it (durably) before anything else happens.</summary>
internal sealed record FrameworkRegisteredWith(string FrameworkId);
