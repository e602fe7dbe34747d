using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Pods;

/// <summary>
/// Whether a relaunch can join the executor other tasks of its pod still run in. Tasks launched into a running executor
/// (the same executor id) run in its container, so the executor-level settings <see cref="ContainerInfoBuilder.Executor"/>
/// builds from the pod spec — networks, rlimits, the IPC mode and shared memory, host and secret volumes — are the ones
/// it started with. When the target's differ, the relaunch must start a new executor, which needs every task of the
/// old one ended: the whole pod is relaunched.
/// <para>
/// DC/OS does not: its <c>OfferEvaluator</c> reuses the running executor's id with the new <c>ExecutorInfo</c>, which
/// the Mesos master refuses ("ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID"), so the
/// launch fails with TASK_ERROR at every attempt. Reusing the old executor as it is would run the task, but silently
/// without the settings the operator changed. Pure.
/// </para>
/// </summary>
public static class ExecutorReuse
{
    /// <summary>
    /// The executor-level settings of <paramref name="pod"/> (instance <paramref name="index"/>) that differ from the
    /// <paramref name="running"/> executor's, e.g. <c>networks, rlimits</c>; null when the relaunch can join it.
    /// </summary>
    public static string? ChangedSettings(ExecutorInfo running, string serviceName, PodSpec pod, int index)
    {
        var wanted = ContainerInfoBuilder.Executor(serviceName, pod, index);
        var have = running.Container;
        if (Equals(have, wanted))
        {
            return null;
        }

        var changed = new List<string>(4);
        if (!Equals(have?.NetworkInfos ?? Empty.NetworkInfos, wanted?.NetworkInfos ?? Empty.NetworkInfos))
        {
            changed.Add("networks");
        }

        if (!Equals(have?.RlimitInfo, wanted?.RlimitInfo))
        {
            changed.Add("rlimits");
        }

        if (!Equals(have?.LinuxInfo, wanted?.LinuxInfo))
        {
            changed.Add("ipc-mode/shm-size");
        }

        if (!Equals(have?.Volumes ?? Empty.Volumes, wanted?.Volumes ?? Empty.Volumes))
        {
            changed.Add("host or secret volumes");
        }

        if (changed.Count == 0)
        {
            changed.Add("container");
        }

        return string.Join(", ", changed);
    }

    private static readonly ContainerInfo Empty = new();
}
