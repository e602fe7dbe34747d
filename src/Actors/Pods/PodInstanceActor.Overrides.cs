using System.Collections.Immutable;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Messages.Pods;
using Akka.Actor;
using Akka.Event;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Pods;

/// <summary>
/// Goal-state overrides of a pod instance (DC/OS <c>GoalStateOverride</c>): DECOMMISSIONED (scale-in: kill, release the
/// reservations, erase the state) and PAUSED (tasks relaunched running a sleep). Every change is journaled.
/// </summary>
internal sealed partial class PodInstanceActor
{
    // The decommission plan driving this pod, told of every change.
    private IActorRef? _decommissioner;

    private bool RecoverOverride(object @event)
    {
        if (@event is PodDecommissionStarted or PodDecommissionCancelled or PodFootprintReleased or PodResourcesCollected
            or PodStateErased or TasksPaused or TasksResumed)
        {
            _state = _state.Apply(@event);
            return true;
        }

        return false;
    }

    private bool CommandOverride(object message)
    {
        switch (message)
        {
            case AdvanceDecommission m:
                OnAdvanceDecommission(m);
                return true;
            case ReleaseProbeDue:
                OnReleaseProbeDue();
                return true;
            case ForceDecommission m:
                OnForceDecommission(m);
                return true;
            case ResourcesCollected m:
                if (_state.Decommission == DecommissionStage.Releasing)
                {
                    StopReleaseProbe();
                    PersistOverride(new PodResourcesCollected { At = NowStamp() }, () => _log.Info(m.WaitedInVain
                        ? "{0}: its agent did not offer its reservations in time; decommission goes on without seeing them unreserved"
                        : "{0}: its reservations are unreserved", _name));
                }

                return true;
            case PodProtocol.PausePod m:
                OnPauseOrResume(m.Tasks, pause: true);
                return true;
            case PodProtocol.ResumePod m:
                OnPauseOrResume(m.Tasks, pause: false);
                return true;
            default:
                return false;
        }
    }

    /// <summary>After replay: a release that was not yet collected is waited for again.</summary>
    private void ResumeOverrides()
    {
        if (_state.Decommission == DecommissionStage.Releasing && _state.ReleasedAgentId is { } agent)
        {
            AwaitRelease(_state.ReleasedResourceIds, agent, afterReplay: true);
        }

        // A force-completed decommission's tasks not seen ended: killed again, as before the restart (only those: tasks
        // launched since, the pod wanted again, run on reservations of their own).
        if (_state.HasForcedLiveTasks)
        {
            KillLiveTasks($"({_name}'s decommission was force-completed)", _state.ForcedTaskIds.Contains);
        }
    }

    /// <summary>
    /// Waits for the router to collect the released reservations — unless their agent was removed for good: it will
    /// never offer them under this id, so decommission does not wait for it (the router still collects them should the
    /// agent come back under a new id with them, <see cref="FootprintAbandoned"/>).
    /// </summary>
    /// <param name="afterReplay">
    /// The pod (or the whole scheduler) restarted meanwhile. The router may have unreserved them already, so no offer would
    /// show them free again: any offer without them settles the wait. A restarted router holds no offer from before the
    /// tasks ended (a new subscription's offers are new), and a router still running keeps the wait it had.
    /// </param>
    private void AwaitRelease(ImmutableArray<string> resourceIds, string agentId, bool afterReplay)
    {
        if (resourceIds.IsEmpty)
        {
            Self.Tell(new ResourcesCollected(_name));
        }
        else if (_state.AgentRemoved(agentId))
        {
            _log.Warning("{0}: agent {1} was removed; its {2} reservations are not waited for (collected if it comes back under a new id)",
                _name, agentId, resourceIds.Length);
            _router.Tell(new FootprintAbandoned(_name, resourceIds, agentId));
            Self.Tell(new ResourcesCollected(_name));
        }
        else
        {
            _router.Tell(new AwaitCollection(_name, resourceIds, agentId, Made: !afterReplay && !_state.ReleasedNeverConfirmed, Role: _state.RoleOfReservations(resourceIds)));
            StartReleaseProbe();
        }
    }

    /// <summary>
    /// While the router waits for the released reservations to be offered, asks the master every
    /// <see cref="ReleaseProbeInterval"/> about the pod's ended tasks on their agent: once the operator marks the agent
    /// gone the answer is TASK_GONE_BY_OPERATOR (<see cref="NoteReleaseAgentGone"/>), and no other update would say so.
    /// </summary>
    private void StartReleaseProbe()
    {
        _releaseProbe?.Dispose();
        var self = Self;
        _releaseProbe = _clock.CreateTimer(_ => self.Tell(ReleaseProbeDue.Instance), null, ReleaseProbeInterval, ReleaseProbeInterval);
    }

    private void StopReleaseProbe()
    {
        _releaseProbe?.Dispose();
        _releaseProbe = null;
    }

    private void OnReleaseProbeDue()
    {
        if (_state is not { Decommission: DecommissionStage.Releasing, ReleasedAgentId: { } agent })
        {
            StopReleaseProbe();
            return;
        }

        var tasks = _state.Tasks.Values
            .Where(r => r.Info.AgentId?.Value == agent)
            .Select(r => new TaskToReconcile(r.TaskId, agent))
            .ToImmutableArray();
        if (!tasks.IsEmpty)
        {
            _gateway.Tell(new ProbeTasks(tasks));
        }
    }

    /// <summary>
    /// An update about an ended task of the pod says its agent was marked gone while the pod waits for the reservations it
    /// released there: they will never be offered under this id, so decommission goes on (they are followed as
    /// abandoned: collected should the agent come back under a new id with them).
    /// </summary>
    private void NoteReleaseAgentGone(TaskStatus status)
    {
        if (status.State != TaskState.TaskGoneByOperator
            || _state is not { Decommission: DecommissionStage.Releasing, ReleasedAgentId: { } agent }
            || _state.TaskNameOf(status.TaskId.Value) is not { } name
            || _state.Tasks[name].Info.AgentId?.Value != agent)
        {
            return;
        }

        StopReleaseProbe();
        _log.Warning("{0}: agent {1} was marked gone; its {2} released reservations are not waited for (collected if it comes back under a new id)",
            _name, agent, _state.ReleasedResourceIds.Length);
        _router.Tell(new ReleaseAgentGone(_name));
        // Persisted here, not told to itself: the answers about the pod's other tasks there, already in the mailbox, then
        // find the release collected and do nothing.
        PersistOverride(new PodResourcesCollected { At = NowStamp() }, () => { });
    }

    private sealed record ReleaseProbeDue : IDeadLetterSuppression
    {
        public static ReleaseProbeDue Instance { get; } = new();
    }

    private bool Decommissioning => _state.Decommission != DecommissionStage.None;

    /// <summary>A step of a target that names this instance asks about it: a decommission in progress is cancelled.</summary>
    private void CancelDecommissionIfWanted(TargetConfig target)
    {
        if (!Decommissioning || target.Spec.FindPod(_podType) is not { } pod || _index >= pod.Count)
        {
            return;
        }

        // A force-completed decommission gave the reservations up with tasks maybe alive: those are still killed (the flag
        // is journaled, so also after a restart), and the pod relaunches on new reservations once they ended, not adopting
        // them on reservations that are nobody's.
        var forced = _state.HasForcedLiveTasks;
        PersistOverride(new PodDecommissionCancelled { At = NowStamp() }, () =>
        {
            _log.Info("{0} is wanted again (count raised): decommission cancelled", _name);
            if (!forced)
            {
                Timers.Cancel(KillRetryTimer);
                _killsSent.Clear();
                _killsDeferred?.Clear();
            }

            ReportToStep();
            Reevaluate();
        });
    }

    private void OnAdvanceDecommission(AdvanceDecommission message)
    {
        _decommissioner = Sender;
        switch (message.Step)
        {
            case DecommissionPlan.KillStep when _state.Decommission == DecommissionStage.None:
                PersistOverride(new PodDecommissionStarted { At = NowStamp() }, KillForDecommission);
                return;
            case DecommissionPlan.KillStep when _state.Decommission == DecommissionStage.Killing:
                KillForDecommission();
                break;
            case DecommissionPlan.UnreserveStep when _state is { Decommission: DecommissionStage.Killing, TasksKilled: true }:
                var released = Released();
                PersistOverride(released, () =>
                {
                    _log.Info("{0} gives up {1} reservations; they are destroyed and unreserved when next offered", _name, released.ResourceIds.Count);
                    // The router learns what to wait for before it hears the pod owns nothing: an offer in between would
                    // otherwise be cleaned of them unseen, and the wait would need an offer that shows them free.
                    AwaitRelease(released.ResourceIds.ToImmutableArray(), released.AgentId, afterReplay: false);
                    AnnounceFootprint();
                });
                return;
            case DecommissionPlan.EraseStep when _state.Decommission == DecommissionStage.Collected:
                PersistOverride(new PodStateErased { At = NowStamp() }, () => _log.Info("{0}: state erased", _name));
                return;
        }

        ReportDecommission();
    }

    /// <summary>
    /// An operator force-completed the pod's decommission: what is left up to "reservations given up" is journaled at once.
    /// Live tasks are killed (again, should their agent come back: an erased pod's task is an unknown one, and the gateway
    /// kills those) but not waited for; the reservations are followed by the router as abandoned, not awaited.
    /// </summary>
    private void OnForceDecommission(ForceDecommission force)
    {
        _decommissioner = Sender;
        var stage = _state.Decommission;
        var events = new List<object>();
        PodFootprintReleased? released = null;
        switch (stage)
        {
            case DecommissionStage.None or DecommissionStage.Killing:
                if (stage == DecommissionStage.None)
                {
                    events.Add(new PodDecommissionStarted { At = NowStamp() });
                }

                released = Released();
                events.Add(released);
                break;
            case DecommissionStage.Releasing:
                break;
            default:
                ReportDecommission();
                force.ReplyTo.Tell(new PlanProtocol.CommandResult(PlanCommandOutcome.AlreadyReported, PlanCommands.AlreadyReported));
                return;
        }

        events.Add(new PodResourcesCollected { At = NowStamp(), Forced = true });
        Record(events, () =>
        {
            if (released is not null)
            {
                _log.Warning("{0}: decommission force-completed by an operator; its {1} task(s) not seen ended and its {2} reservation(s) on agent {3} are not waited for",
                    _name, _state.Tasks.Values.Count(t => !t.IsTerminal), released.ResourceIds.Count, released.AgentId);
                KillForDecommission();
                if (released.ResourceIds.Count > 0)
                {
                    // A live task may use them (offers leave them out): made, whatever the footprint's confirmation says.
                    var made = !released.NeverConfirmed || _state.HasLiveTasks;
                    var ids = released.ResourceIds.ToImmutableArray();
                    _router.Tell(new FootprintAbandoned(_name, ids, released.AgentId, made, _state.RoleOfReservations(ids)));
                }

                AnnounceFootprint();
            }
            else
            {
                _log.Warning("{0}: decommission force-completed by an operator; its released reservations are not waited for", _name);
                StopReleaseProbe();
                _router.Tell(new ReleaseAgentGone(_name));
            }

            ReportDecommission();
            force.ReplyTo.Tell(new PlanProtocol.CommandResult(PlanCommandOutcome.Accepted, force.Message));
        });
    }

    /// <summary>The release of the pod's footprint (none: nothing to release), as decommission journals it.</summary>
    private PodFootprintReleased Released()
    {
        var footprint = _state.Footprint;
        var released = new PodFootprintReleased { AgentId = footprint?.AgentId ?? string.Empty, At = NowStamp(), NeverConfirmed = _state.FootprintUnconfirmed };
        released.ResourceIds.AddRange(footprint?.ResourceIds ?? []);
        return released;
    }

    /// <summary>Decommission: nothing relaunches the pod's tasks any more; the live ones are killed.</summary>
    private void KillForDecommission()
    {
        DropExecutorRelaunch();
        _waitingDrivers = null;
        _required = null;
        _heldStepId = null;
        _step = null;
        if (_registered)
        {
            _registered = false;
            _router.Tell(new WithdrawRequirement(_name));
        }

        KillLiveTasks($"({_name} is decommissioned)");
    }

    private void ReportDecommission() =>
        _decommissioner?.Tell(new DecommissionProgress(
            _name,
            _state.Decommission,
            _state.TasksKilled,
            _state.Decommission switch
            {
                DecommissionStage.Killing => _state.TasksKilled ? "tasks killed" : $"killing {_state.Tasks.Values.Count(t => !t.IsTerminal)} task(s)",
                DecommissionStage.Releasing => $"waiting for {_state.ReleasedResourceIds.Length} reservation(s) to be unreserved",
                DecommissionStage.Collected => _state.DecommissionForced ? "reservations given up without waiting (force-completed)" : "reservations unreserved",
                DecommissionStage.Erased => "state erased",
                _ => string.Empty,
            }));

    private void OnPauseOrResume(ImmutableArray<string> named, bool pause)
    {
        var replyTo = Sender;
        var (tasks, unknown) = PauseOverride.Resolve(_name, _state.Tasks.Keys.ToList(), named);
        if (unknown is not null)
        {
            replyTo.Tell(new PodProtocol.PodCommandRefused(_name, $"Pod {_name} has no task '{unknown}' (tasks: {string.Join(", ", _state.Tasks.Keys.Order(StringComparer.Ordinal))})"));
            return;
        }

        if (Decommissioning)
        {
            replyTo.Tell(new PodProtocol.PodCommandRefused(_name, $"Pod {_name} is being decommissioned"));
            return;
        }

        object changed = pause ? new TasksPaused { Tasks = { tasks }, At = NowStamp() } : new TasksResumed { Tasks = { tasks }, At = NowStamp() };
        PersistOverride(changed, () =>
        {
            _log.Info("{0}: {1} {2}; relaunching", _name, pause ? "pausing" : "resuming", string.Join(", ", tasks));

            // The launches no longer match the override: the step that watches each task drives its relaunch (its live
            // launch is killed first, then it relaunches on the same reservations).
            foreach (var task in tasks)
            {
                RedriveWatchingStep(task);
            }

            // A registration made before the override would launch the tasks as they were: made again (a claim on it
            // that is on its way is refused, see OnLaunchClaim). Answered only then: the router has the withdrawal and
            // the new registration in its mailbox before the operator (or a test) can send it an offer.
            WithdrawRegistration();
            Reevaluate();
            replyTo.Tell(new PodProtocol.PodCommandDone(_name, tasks.Select(t => _state.Tasks[t].Info.Name).ToImmutableArray()));
        });
    }

    /// <summary>
    /// A task whose launch no longer matches its override: unless something drives the pod already, the step that
    /// watches the task drives it again (kill the live launch, relaunch on the same reservations) — on the config the
    /// step's tasks ran (<see cref="TargetTasksRan"/>), not on a new target of a step a paused or canary-held rollout has
    /// not brought the pod to: only the step, once it proceeds, moves the pod to its config. A relaunch on another
    /// config than the step's does not report to the step (its progress there would be judged against the wrong config);
    /// the step sees it when it next asks. Nothing while that config is asked of the config store (its answer
    /// redrives).
    /// </summary>
    private void RedriveWatchingStep(string taskName)
    {
        if (_required is not null || Decommissioning)
        {
            return;
        }

        foreach (var (step, query) in _watchers.Values)
        {
            if (query.Step.Tasks.Contains(taskName) && query.Target.Spec.FindPod(_podType)?.FindTask(taskName) is not null)
            {
                if (TargetTasksRan(query.Step.Tasks, query.Target, "Pause or resume") is not { } target)
                {
                    return;
                }

                var own = target.ConfigId == query.Target.ConfigId;
                _step = own ? step : null;
                // On the config the tasks ran, only the step's tasks that config has (one the new config adds never ran).
                var pod = target.Spec.FindPod(_podType);
                var tasks = own ? query.Step : query.Step with { Tasks = [.. query.Step.Tasks.Where(t => pod?.FindTask(t) is not null)] };
                _required = new RequireTasks(tasks, target, query.RelaunchBefore, PlanPriority: query.PlanPriority) { StepId = query.StepId };
                return;
            }
        }
    }

    /// <summary>
    /// Once nothing drives the pod: a pause or resume that came while something else did (another task's recovery, a step
    /// on other tasks), and so was recorded but not acted on, is acted on now — the step that watches the task drives its
    /// relaunch, as <see cref="OnPauseOrResume"/> does when nothing drives.
    /// </summary>
    private void RedriveOverridden()
    {
        if (_required is not null || Decommissioning || _state.Paused.IsEmpty && !_state.AnyTaskPaused())
        {
            return;
        }

        var tasks = PauseOverride.NotApplied(_state);
        foreach (var task in tasks)
        {
            RedriveWatchingStep(task);
        }

        if (_required is not null)
        {
            _log.Info("{0}: {1} {2} now that nothing else drives the pod; relaunching", _name, _state.Paused.Contains(tasks[0]) ? "pausing" : "resuming", string.Join(", ", tasks));
            Reevaluate();
        }
    }

    private void PersistOverride(object @event, Action then) =>
        Persist(@event, _ =>
        {
            _state = _state.Apply(@event);
            then();
            ReportDecommission();
        });

    private Timestamp NowStamp() => Timestamp.FromDateTime(Now);
}
