using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.Pods;
using Akka.Actor;

namespace ActorScheduler.Actors.Pods;

/// <summary>
/// Parent of every pod-instance actor of the target config. Routes messages to pod instances (by name, or by the
/// task name inside a task id) and answers pod queries by gathering its children's answers.
/// </summary>
internal sealed class PodsGuardianActor : ReceiveActor
{
    private readonly string _service;
    private readonly IActorRef _router;
    private readonly IActorRef _gateway;
    private readonly Dictionary<string, IActorRef> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _podOfTask = new(StringComparer.Ordinal);
    private readonly List<(string Type, List<string> Instances)> _types = new();

    public PodsGuardianActor(TargetConfig target, IActorRef router, IActorRef gateway)
    {
        _service = target.Spec.Name;
        _router = router;
        _gateway = gateway;
        AddPods(target);

        Receive<TargetChanged>(m => AddPods(m.Target));

        Receive<ForPod>(m =>
        {
            if (_pods.TryGetValue(m.PodInstance, out var pod))
            {
                pod.Forward(m.Message);
            }
        });

        Receive<TaskStatusUpdate>(m =>
        {
            var taskName = PodNames.TaskNameOf(m.Status.TaskId.Value);
            if (taskName is not null && _podOfTask.TryGetValue(taskName, out var podName))
            {
                _pods[podName].Forward(m);
            }
            else
            {
                Sender.Tell(new UnknownTaskStatus(m.Status));
            }
        });

        Receive<GetTasksToReconcile>(m => Gather<TasksToReconcile>(m)
            .ContinueWith(t => (object)new TasksToReconcile(t.Result.SelectMany(r => r.Tasks).ToImmutableArray()), TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(Sender));

        Receive<PodProtocol.GetPodInstanceStatus>(m => AskPod(m.Name, GetPodInstanceStatus.Instance));
        Receive<PodProtocol.GetPodInstanceInfo>(m => AskPod(m.Name, GetPodInstanceInfo.Instance));
        Receive<PodProtocol.GetAllPodInfo>(_ => Gather<PodInstanceInfo>(GetPodInstanceInfo.Instance)
            .ContinueWith(t => (object)new PodProtocol.AllPodInfo(t.Result.OrderBy(p => p.Name, StringComparer.Ordinal).ToImmutableArray()), TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(Sender));
        Receive<PodProtocol.RestartPod>(m => AskPod(m.Name, m));
        Receive<PodProtocol.ReplacePod>(m => AskPod(m.Name, m));
        Receive<PodProtocol.GetPodNames>(_ => Sender.Tell(new PodProtocol.PodNames(_pods.Keys.Order(StringComparer.Ordinal).ToImmutableArray())));

        Receive<PodProtocol.GetPodStatus>(_ => Gather<PodInstanceStatus>(GetPodInstanceStatus.Instance)
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

    public static Props Props(TargetConfig target, IActorRef router, IActorRef gateway) =>
        Akka.Actor.Props.Create(() => new PodsGuardianActor(target, router, gateway));

    /// <summary>
    /// Creates the pod instances of <paramref name="target"/> that do not exist yet. Instances a smaller count no longer
    /// names stay (with their tasks) until decommission removes them.
    /// </summary>
    private void AddPods(TargetConfig target)
    {
        foreach (var pod in target.Spec.Pods)
        {
            var instances = _types.FirstOrDefault(t => t.Type == pod.Type).Instances;
            if (instances is null)
            {
                instances = new List<string>();
                _types.Add((pod.Type, instances));
            }

            for (var index = 0; index < pod.Count; index++)
            {
                var name = PodNames.Instance(pod.Type, index);
                if (_pods.ContainsKey(name))
                {
                    continue;
                }

                instances.Add(name);
                _pods[name] = Context.ActorOf(PodInstanceActor.Props(_service, pod.Type, index, _router, _gateway), name);
            }

            foreach (var index in Enumerable.Range(0, instances.Count))
            {
                foreach (var task in pod.Tasks)
                {
                    _podOfTask[PodNames.Task(pod.Type, index, task.Name)] = PodNames.Instance(pod.Type, index);
                }
            }
        }
    }

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

    private Task<T[]> Gather<T>(object query) =>
        Task.WhenAll(_pods.Values.Select(p => p.Ask<T>(query, TimeSpan.FromSeconds(30))));
}
