using ActorScheduler.Specs.Model;
using static ActorScheduler.Specs.Validation.SpecValues;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// <c>ipc-mode</c> and <c>shm-size</c>, on a pod or a task, need the cluster's shared-memory support
/// (<see cref="ClusterCapabilities.SharedMemory"/>, the Mesos namespaces/ipc isolator); without it they are refused on
/// every deploy, the first included.
/// </summary>
public sealed class TaskSpecsCannotUseUnsupportedFeatures(ClusterCapabilities capabilities) : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (capabilities.SharedMemory)
        {
            yield break;
        }

        foreach (var pod in next.Pods)
        {
            var old = previous?.FindPod(pod.Type);
            if (Check($"pods.{pod.Type}", $"Pod '{pod.Type}'", pod.IpcMode, pod.ShmSizeMb, old?.IpcMode, old?.ShmSizeMb) is { } podError)
            {
                yield return podError;
            }

            foreach (var task in pod.Tasks)
            {
                var oldTask = old?.FindTask(task.Name);
                if (Check($"pods.{pod.Type}.tasks.{task.Name}", $"Task '{task.Name}' of pod '{pod.Type}'", task.IpcMode, task.ShmSizeMb,
                        oldTask?.IpcMode, oldTask?.ShmSizeMb) is { } taskError)
                {
                    yield return taskError;
                }
            }
        }
    }

    /// <summary>One error per pod or task: on <c>shm-size</c> when set (it implies <c>ipc-mode: PRIVATE</c>), else on <c>ipc-mode</c>.</summary>
    private static SpecValidationError? Check(string path, string owner, IpcMode? mode, int? shmSizeMb, IpcMode? oldMode, int? oldShmSizeMb)
    {
        if (mode is null && shmSizeMb is null)
        {
            return null;
        }

        var uses = shmSizeMb is { } size ? $"ipc-mode {Mode(mode)} with shm-size {Number(size)} MB" : $"ipc-mode {Mode(mode)}";
        var field = shmSizeMb is null ? $"{path}.ipc-mode" : $"{path}.shm-size";
        var (before, after) = shmSizeMb is null
            ? (oldMode is null ? null : Mode(oldMode), Mode(mode))
            : (oldShmSizeMb is { } oldSize ? Number(oldSize) : null, Number(shmSizeMb.Value));
        return SpecValidationError.Change(field, before, after,
            $"{owner} sets {uses}, but this cluster cannot give tasks their own IPC namespace or /dev/shm size: remove " +
            "'ipc-mode' and 'shm-size', or deploy to a cluster whose agents run the namespaces/ipc isolator");
    }

    private static string Mode(IpcMode? mode) => mode switch
    {
        IpcMode.Private => "PRIVATE",
        IpcMode.ShareParent => "SHARE_PARENT",
        _ => "(unset)",
    };
}
