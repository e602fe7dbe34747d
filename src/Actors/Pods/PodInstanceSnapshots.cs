using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.Events;
using ActorScheduler.Specs.Placement;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Pods;

/// <summary>
/// A pod instance's state as one event (<see cref="PodInstanceSnapshot"/>) and back. A pod journals every launch and
/// status update; once its history is long the pod writes this in its place (<c>JournaledEntityActor</c>), so a restart
/// replays one event instead of a pod's lifetime. Pure; <see cref="Restore"/> of <see cref="Of"/> is the same state.
/// </summary>
public static class PodInstanceSnapshots
{
    public static PodInstanceSnapshot Of(PodInstanceState state)
    {
        var snapshot = new PodInstanceSnapshot
        {
            FootprintUnconfirmed = state.FootprintUnconfirmed,
            LastOfferId = state.LastOfferId ?? string.Empty,
            Decommission = state.Decommission.ToString(),
            ReleasedResourceIds = { state.ReleasedResourceIds },
            ReleasedAgentId = state.ReleasedAgentId ?? string.Empty,
            ReleasedNeverConfirmed = state.ReleasedNeverConfirmed,
            DecommissionForced = state.DecommissionForced,
            ForcedTaskIds = { state.ForcedTaskIds.Order(StringComparer.Ordinal) },
            Paused = { state.Paused.Order(StringComparer.Ordinal) },
        };

        foreach (var (name, task) in state.Tasks.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var entry = new PodTaskSnapshot
            {
                TaskName = name,
                Info = task.Info,
                ConfigId = task.ConfigId,
                SpecFingerprint = task.SpecFingerprint,
                Status = task.Status,
                EverFinished = task.EverFinished,
                Executor = task.Executor,
                LaunchedAt = task.LaunchedAt == default ? null : Time(task.LaunchedAt),
                Check = task.Check,
                Paused = task.Paused,
                RecordedUuids = { task.Uuids.Items.IsDefault ? [] : task.Uuids.Items },
            };
            if (task.Healthy is { } healthy)
            {
                entry.Healthy = healthy;
            }

            snapshot.Tasks.Add(entry);
        }

        if (state.Footprint is { } footprint)
        {
            snapshot.Footprint = new PodFootprintSnapshot
            {
                AgentId = footprint.AgentId,
                Hostname = footprint.Hostname,
                Resources = { footprint.Resources },
                HasAgent = footprint.Agent is not null,
                Attributes = { footprint.Agent?.Attributes ?? ImmutableDictionary<string, string>.Empty },
                Zone = footprint.Agent?.Zone ?? string.Empty,
                Region = footprint.Agent?.Region ?? string.Empty,
            };
        }

        snapshot.FailureClockPerLaunch = true;
        if (state.ExecutorRelaunch is { } relaunch)
        {
            snapshot.ExecutorRelaunch = new ExecutorRelaunchPlanned { StepId = relaunch.StepId, ConfigId = relaunch.ConfigId, Tasks = { relaunch.Tasks } };
        }

        foreach (var (task, at) in state.FailedSince)
        {
            snapshot.FailedSince[task] = Time(at);
        }

        foreach (var (task, entry) in state.Backoff.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            snapshot.Backoff.Add(new PodBackoffSnapshot { TaskName = task, Until = Time(entry.Until), DelaySeconds = entry.Delay.TotalSeconds });
        }

        foreach (var (agent, ids) in state.GivenUp.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            snapshot.GivenUp.Add(new PodGivenUpSnapshot { AgentId = agent, ResourceIds = { ids } });
        }

        if (state.Recovery is { } recovery)
        {
            snapshot.Recovery = new PodRecoverySnapshot
            {
                Name = recovery.Name,
                Tasks = { recovery.Tasks },
                Permanent = recovery.Type == RecoveryType.Permanent,
                StartedAt = Time(recovery.StartedAt),
                Reason = recovery.Reason,
                Interrupted = recovery.Interrupted,
                Finished = recovery.Finished,
                ForceCompleted = recovery.ForceCompleted,
            };
        }

        return snapshot;
    }

    public static PodInstanceState Restore(PodInstanceSnapshot snapshot)
    {
        var tasks = snapshot.Tasks.ToImmutableDictionary(
            t => t.TaskName,
            t => new TaskRecord(
                t.Info,
                t.ConfigId,
                t.SpecFingerprint,
                t.Status,
                t.EverFinished,
                t.Executor,
                t.LaunchedAt?.ToDateTime() ?? default,
                t.HasHealthy ? t.Healthy : null,
                t.Check,
                t.Paused,
                new RecordedUuids(t.RecordedUuids.ToImmutableArray())));
        Footprint? footprint = snapshot.Footprint is { } f
            ? new Footprint(
                f.AgentId,
                f.Hostname,
                f.Resources.ToImmutableArray(),
                f.HasAgent
                    ? new PlacementAgent(f.Hostname, f.Attributes.ToImmutableDictionary(StringComparer.Ordinal), Text(f.Zone), Text(f.Region))
                    : null)
            : null;
        var recovery = snapshot.Recovery is { } r
            ? new RecoveryPhase(r.Name, r.Tasks.ToImmutableArray(), r.Permanent ? RecoveryType.Permanent : RecoveryType.Transient, r.StartedAt.ToDateTime(), r.Reason, r.Interrupted, r.Finished, r.ForceCompleted)
            : null;
        return new PodInstanceState(tasks, footprint, snapshot.FootprintUnconfirmed, Text(snapshot.LastOfferId))
        {
            Decommission = System.Enum.Parse<DecommissionStage>(snapshot.Decommission),
            ReleasedResourceIds = snapshot.ReleasedResourceIds.ToImmutableArray(),
            ReleasedAgentId = Text(snapshot.ReleasedAgentId),
            ReleasedNeverConfirmed = snapshot.ReleasedNeverConfirmed,
            DecommissionForced = snapshot.DecommissionForced,
            // Snapshots from before the ids were kept: the live tasks of a forced pod are those from before the force.
            ForcedTaskIds = snapshot.DecommissionForced && snapshot.ForcedTaskIds.Count == 0
                ? tasks.Values.Where(t => !t.IsTerminal).Select(t => t.TaskId).ToImmutableHashSet(StringComparer.Ordinal)
                : snapshot.ForcedTaskIds.ToImmutableHashSet(StringComparer.Ordinal),
            Paused = snapshot.Paused.ToImmutableHashSet(StringComparer.Ordinal),
            // An older snapshot's clock may date from a failure before relaunches (then kept across them): such a clock
            // could turn a crash-looping pod permanent — and destroy its volumes — at once; it starts again instead.
            FailedSince = snapshot.FailureClockPerLaunch
                ? snapshot.FailedSince.ToImmutableDictionary(p => p.Key, p => p.Value.ToDateTime())
                : ImmutableDictionary<string, DateTime>.Empty,
            Backoff = snapshot.Backoff.ToImmutableDictionary(b => b.TaskName, b => new BackoffEntry(b.Until.ToDateTime(), TimeSpan.FromSeconds(b.DelaySeconds))),
            Recovery = recovery,
            GivenUp = snapshot.GivenUp.ToImmutableDictionary(g => g.AgentId, g => g.ResourceIds.ToImmutableArray(), StringComparer.Ordinal),
            ExecutorRelaunch = snapshot.ExecutorRelaunch is { } relaunch ? new ExecutorRelaunchPlan(relaunch.StepId, relaunch.ConfigId, [.. relaunch.Tasks]) : null,
        };
    }

    private static Timestamp Time(DateTime at) =>
        Timestamp.FromDateTime(at.Kind == DateTimeKind.Utc ? at : DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private static string? Text(string value) => value.Length == 0 ? null : value;
}
