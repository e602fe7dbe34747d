using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Pods;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Events;
using Akka.Actor;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Pods;

/// <summary>
/// Parent of every pod-instance actor of the target config. Routes messages to pod instances (by name, or by the
/// task name inside a task id) and answers pod queries by gathering its children's answers. Journals which instances
/// exist, so that after a restart also those a smaller count no longer names come back (to be decommissioned) until
/// decommission erases them.
/// </summary>
internal sealed class PodsGuardianActor : SchedulerPersistentActor
{
    private readonly string _service;
    private readonly IActorRef _journal;
    private readonly IActorRef _router;
    private readonly IActorRef _gateway;
    private readonly SchedulerMetrics _metrics;
    private readonly Dictionary<string, IActorRef> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _podOfTask = new(StringComparer.Ordinal);
    private readonly List<(string Type, List<string> Instances)> _types = new();
    private readonly RecoverySettings _recovery;
    private readonly TimeProvider _clock;
    private readonly int? _podSnapshotAfterEvents;

    // Where a pod asks for the config a failed task ran when it does not hold it (after a restart).
    private readonly IActorRef? _configStore;
    private readonly IActorRef? _tlsAuthority;

    // Every instance created and not erased, in creation order (journaled): by name, and in order (the list drops the
    // erased ones lazily, through Known, so that thousands of erasures do not each scan it).
    private readonly List<PodInstanceRef> _known = new();
    private readonly Dictionary<string, PodInstanceRef> _knownByName = new(StringComparer.Ordinal);
    private bool _knownHasErased;

    // Pods decommission asked to forget, journaled together once the messages already queued are handled: a scale-in of
    // thousands of pods erases them in a few journal writes, not one write (and one wait) each.
    private readonly List<string> _toForget = new();
    private readonly HashSet<string> _forgetting = new(StringComparer.Ordinal);

    // The group of erasures being written: how many are still to come, and which were written.
    private ErasingGroup _erasing = new(0);

    // Actor names given to pods created again while their erased actor still stopped under the pod's name.
    private int _incarnations;
    private TargetConfig _target;

    public PodsGuardianActor(
        TargetConfig target,
        IActorRef journal,
        IActorRef router,
        IActorRef gateway,
        SchedulerMetrics? metrics = null,
        RecoverySettings? recovery = null,
        TimeProvider? clock = null,
        int? podSnapshotAfterEvents = null,
        IActorRef? configStore = null,
        IActorRef? tlsAuthority = null)
    {
        _configStore = configStore;
        _tlsAuthority = tlsAuthority;
        _podSnapshotAfterEvents = podSnapshotAfterEvents;
        _journal = journal;
        _metrics = metrics ?? new SchedulerMetrics();
        _recovery = recovery ?? RecoverySettings.Default;
        _clock = clock ?? TimeProvider.System;
        _service = target.Spec.Name;
        _target = target;
        _router = router;
        _gateway = gateway;
        PersistenceId = $"{_service}/pods";

        Recover<PodInstancesKnown>(e =>
        {
            foreach (var known in e.PodTypes.Zip(e.Indexes, (type, index) => new PodInstanceRef(type, index)))
            {
                Know(known);
            }
        });
        Recover<PodInstanceErased>(e => Forget(e.PodInstance));
        Recover<RecoveryCompleted>(_ =>
        {
            foreach (var known in Known.ToList())
            {
                Create(known.PodType, known.Index);
            }

            AddPods(target);
            ReportRemovedPodTypesGone();
        });

        Command<TargetChanged>(m =>
        {
            _target = m.Target;
            AddPods(m.Target);
            ReportRemovedPodTypesGone();
        });
        // Not those queued for erasure: a plan started meanwhile would wait for pods about to be gone.
        Command<GetLeftoverPods>(m => Sender.Tell(new LeftoverPods(DecommissionPlan.Leftovers(
            Known.Where(p => !_forgetting.Contains(p.Name)).ToList(), m.Target.Spec))));
        Command<ForgetPod>(m =>
        {
            if (!_pods.ContainsKey(m.PodInstance) || !_knownByName.TryGetValue(m.PodInstance, out var pod)
                || !DecommissionPlan.IsLeftover(pod, _target.Spec) || !_forgetting.Add(m.PodInstance))
            {
                return;
            }

            _toForget.Add(m.PodInstance);
            if (_toForget.Count == 1)
            {
                Self.Tell(ForgetQueued.Instance);
            }
        });
        Command<ForgetQueued>(_ => ForgetQueuedPods());

        // The entity journal confirms a Forget; nothing waits for it.
        Command<EntityJournalProtocol.Forgotten>(_ => { });

        Command<ForPod>(m =>
        {
            if (_pods.TryGetValue(m.PodInstance, out var pod))
            {
                pod.Forward(m.Message);
            }
            else if (m.Message is AdvanceDecommission)
            {
                // Erased already (a plan that listed it just before): it has nothing left to do.
                Sender.Tell(new DecommissionProgress(m.PodInstance, DecommissionStage.Erased, true, "state erased"));
            }
        });

        Command<ForAllPods>(m =>
        {
            foreach (var pod in _pods.Values)
            {
                pod.Forward(m.Message);
            }
        });

        Command<TaskStatusUpdate>(m =>
        {
            _metrics.Increment(SchedulerMetrics.TaskStatus(Messages.MesosV1.TaskStates.WireName(m.Status.State)));
            var taskName = PodNames.TaskNameOf(m.Status.TaskId.Value);
            if (taskName is not null && (_podOfTask.TryGetValue(taskName, out var podName) || LeftoverOfTask(taskName) is { } leftover && (podName = leftover) is not null))
            {
                _pods[podName].Forward(m);
            }
            else
            {
                Sender.Tell(new UnknownTaskStatus(m.Status));
            }
        });

        Command<GetTasksToReconcile>(m => Gather<TasksToReconcile>(m)
            .ContinueWith(t => (object)new TasksToReconcile(t.Result.SelectMany(r => r.Tasks).ToImmutableArray()), TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(Sender));

        Command<PodProtocol.GetPodInstanceStatus>(m => AskPod(m.Name, GetPodInstanceStatus.Instance));
        Command<PodProtocol.GetPodInstanceInfo>(m => AskPod(m.Name, GetPodInstanceInfo.Instance));
        Command<PodProtocol.GetAllPodInfo>(_ => Gather<PodInstanceInfo>(GetPodInstanceInfo.Instance)
            .ContinueWith(t => (object)new PodProtocol.AllPodInfo(t.Result.OrderBy(p => p.Name, StringComparer.Ordinal).ToImmutableArray()), TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(Sender));
        Command<PodProtocol.RestartPod>(m => AskPod(m.Name, m));
        Command<PodProtocol.ReplacePod>(m => AskPod(m.Name, m));
        Command<PodProtocol.PausePod>(m => AskPod(m.Name, m));
        Command<PodProtocol.ResumePod>(m => AskPod(m.Name, m));
        Command<PodProtocol.GetPodNames>(_ => Sender.Tell(new PodProtocol.PodNames(_pods.Keys.Order(StringComparer.Ordinal).ToImmutableArray())));

        Command<PodProtocol.GetPodStatus>(_ => Gather<PodInstanceStatus>(GetPodInstanceStatus.Instance)
            .ContinueWith(
                t =>
                {
                    var byName = t.Result.ToDictionary(s => s.Name);
                    return (object)new ServicePodStatus(
                        _service,
                        _types.Select(type => new PodTypeStatus(type.Type, type.Instances.Select(i => byName[i]).ToImmutableArray())).ToImmutableArray());
                },
                TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(Sender));
    }

    public override string PersistenceId { get; }

    public static Props Props(
        TargetConfig target,
        IActorRef journal,
        IActorRef router,
        IActorRef gateway,
        SchedulerMetrics? metrics = null,
        RecoverySettings? recovery = null,
        TimeProvider? clock = null,
        int? podSnapshotAfterEvents = null,
        IActorRef? configStore = null,
        IActorRef? tlsAuthority = null) =>
        Akka.Actor.Props.Create(() => new PodsGuardianActor(target, journal, router, gateway, metrics, recovery, clock, podSnapshotAfterEvents, configStore, tlsAuthority));

    /// <summary>
    /// Creates the pod instances of <paramref name="target"/> that do not exist yet, and journals them. Instances a smaller
    /// count no longer names stay (with their tasks) until decommission erases them.
    /// </summary>
    private void AddPods(TargetConfig target)
    {
        // Sized for the target at once: grown one instance at a time, each index of a 10,000-pod service would pass through
        // two or three arrays of the large-object heap, whose allocations trigger full collections.
        var instanceCount = target.Spec.Pods.Sum(p => p.Count);
        _pods.EnsureCapacity(instanceCount);
        _knownByName.EnsureCapacity(instanceCount);
        _known.EnsureCapacity(instanceCount);
        _podOfTask.EnsureCapacity(target.Spec.Pods.Sum(p => p.Count * p.Tasks.Length));
        _router.Tell(new PodInstancesExpected(instanceCount));
        var added = new PodInstancesKnown();
        added.PodTypes.Capacity = added.Indexes.Capacity = Math.Max(0, instanceCount - _pods.Count);
        foreach (var pod in target.Spec.Pods)
        {
            Instances(pod.Type).EnsureCapacity(pod.Count);
            for (var index = 0; index < pod.Count; index++)
            {
                if (Create(pod.Type, index))
                {
                    added.PodTypes.Add(pod.Type);
                    added.Indexes.Add(index);
                }
            }

            foreach (var instance in Known.Where(p => p.PodType == pod.Type))
            {
                foreach (var task in pod.Tasks)
                {
                    _podOfTask[PodNames.Task(pod.Type, instance.Index, task.Name)] = instance.Name;
                }
            }
        }

        if (added.PodTypes.Count > 0)
        {
            // The children exist at once (messages for them may be waiting); the journal learns of them right after.
            Persist(added, _ => { });
        }
    }

    /// <summary>Creates the pod instance unless it exists; true when it is new to the journal.</summary>
    private bool Create(string podType, int index)
    {
        var instances = Instances(podType);
        var name = PodNames.Instance(podType, index);
        if (_pods.ContainsKey(name))
        {
            return false;
        }

        instances.Add(name);
        // An instance erased a moment ago may still be stopping under its name (Akka.NET keeps the name until it has
        // terminated): the new one takes another.
        var actorName = Context.Child(name).IsNobody() ? name : $"{name}.{++_incarnations}";
        _pods[name] = Context.ActorOf(EntityMailbox.For(PodInstanceActor.Props(_service, podType, index, _journal, _router, _gateway, recovery: _recovery, clock: _clock, snapshotAfterEvents: _podSnapshotAfterEvents, configStore: _configStore, tlsAuthority: _tlsAuthority), Context.System), actorName);
        return Know(new PodInstanceRef(podType, index));
    }

    /// <summary>The names of the pod type's instances, in creation order (an empty list for a type new here).</summary>
    private List<string> Instances(string podType)
    {
        var instances = _types.FirstOrDefault(t => t.Type == podType).Instances;
        if (instances is null)
        {
            instances = new List<string>();
            _types.Add((podType, instances));
        }

        return instances;
    }

    /// <summary>Adds the instance to the known ones unless it is known; true when it was new.</summary>
    private bool Know(PodInstanceRef instance)
    {
        // The erased ones dropped first: an instance erased earlier and created again goes to the end, once.
        var known = Known;
        if (!_knownByName.TryAdd(instance.Name, instance))
        {
            return false;
        }

        known.Add(instance);
        return true;
    }

    private void Forget(string podInstance) => _knownHasErased |= _knownByName.Remove(podInstance);

    /// <summary>The known instances in creation order, the erased ones dropped.</summary>
    private List<PodInstanceRef> Known
    {
        get
        {
            if (_knownHasErased)
            {
                _known.RemoveAll(p => !_knownByName.ContainsKey(p.Name));
                _knownHasErased = false;
            }

            return _known;
        }
    }

    /// <summary>
    /// Journals the erasure of every pod queued by <c>ForgetPod</c> in one write, then stops them and drops them from
    /// every index (each index passed once for the whole group).
    /// </summary>
    private void ForgetQueuedPods()
    {
        // A target changed meanwhile may want some of them again (a raised count): those stay.
        var names = _toForget.Where(name => _knownByName.TryGetValue(name, out var pod) && DecommissionPlan.IsLeftover(pod, _target.Spec)).ToList();
        _forgetting.ExceptWith(_toForget.Except(names));
        _toForget.Clear();
        if (names.Count == 0)
        {
            return;
        }

        var at = Timestamp.FromDateTime(DateTime.UtcNow);
        _erasing = new ErasingGroup(names.Count);
        PersistAll(names.Select(name => new PodInstanceErased { PodInstance = name, At = at }), e =>
        {
            Forget(e.PodInstance);
            Context.Stop(_pods[e.PodInstance]);
            _journal.Tell(new EntityJournalProtocol.Forget($"{_service}/pod/{e.PodInstance}"));
            _pods.Remove(e.PodInstance);
            _erasing.Erased.Add(e.PodInstance);
            ErasedOne(e.PodInstance);
        });
    }

    /// <summary>
    /// One event of the group written (or rejected: the pod stays, and a later ForgetPod may try again); once the
    /// group's last is, the erased pods leave the per-type lists and the task index, each passed once.
    /// </summary>
    private void ErasedOne(string podInstance)
    {
        _forgetting.Remove(podInstance);
        if (--_erasing.Left > 0)
        {
            return;
        }

        var erased = _erasing.Erased;
        foreach (var (_, instances) in _types)
        {
            instances.RemoveAll(erased.Contains);
        }

        foreach (var task in _podOfTask.Where(p => erased.Contains(p.Value)).Select(p => p.Key).ToList())
        {
            _podOfTask.Remove(task);
        }

        ReportRemovedPodTypesGone();
    }

    /// <summary>
    /// Tells the root when no pod of a type the target lacks is left: decommission erases such a pod only once its
    /// reservations are collected (or waited for in vain), so none of ours is held under a role only a removed pod type
    /// had, and the framework may drop it.
    /// </summary>
    private void ReportRemovedPodTypesGone()
    {
        if (!Known.Any(p => _target.Spec.FindPod(p.PodType) is null))
        {
            Context.Parent.Tell(new RemovedPodTypesGone(_target));
        }
    }

    private sealed class ErasingGroup(int count)
    {
        public int Left { get; set; } = count;

        public HashSet<string> Erased { get; } = new(StringComparer.Ordinal);
    }

    private sealed record ForgetQueued
    {
        public static ForgetQueued Instance { get; } = new();
    }

    /// <summary>The pod instance a task of a type the target no longer has belongs to (by its name prefix).</summary>
    private string? LeftoverOfTask(string taskName) =>
        Known.Select(p => p.Name).Where(name => taskName.StartsWith(name + "-", StringComparison.Ordinal) && _pods.ContainsKey(name)).MaxBy(name => name.Length);

    private void AskPod(string name, object query)
    {
        if (_pods.TryGetValue(name, out var pod))
        {
            pod.Forward(query);
        }
        else
        {
            Sender.Tell(new PodProtocol.PodNotFound(name));
        }
    }

    private Task<T[]> Gather<T>(object query) => Actors.Gather.All<T>(Context, _pods.Values, query, TimeSpan.FromSeconds(30));
}
