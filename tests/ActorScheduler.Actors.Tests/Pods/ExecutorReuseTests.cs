using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Actors.Tests.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Pods;

public sealed class ExecutorReuseTests
{
    private static readonly PodSpec Pod = TestOffers.HelloPod();

    private static ExecutorInfo RunningFor(PodSpec pod) => new()
    {
        ExecutorId = new ExecutorID { Value = "hello__1" },
        Container = ContainerInfoBuilder.Executor("hello-world", pod, 0),
    };

    [Fact]
    public void A_relaunch_joins_the_running_executor_when_the_pods_executor_settings_are_unchanged()
    {
        Assert.Null(ExecutorReuse.ChangedSettings(RunningFor(Pod), "hello-world", Pod, 0));
        var withLimits = Pod with { Rlimits = [new RlimitSpec("RLIMIT_NOFILE", 1024, 1024)] };
        Assert.Null(ExecutorReuse.ChangedSettings(RunningFor(withLimits), "hello-world", withLimits, 0));

        // Task-level changes are no concern of the executor.
        var newCommand = Pod with { Tasks = [Pod.Tasks[0] with { Command = "sleep 5" }] };
        Assert.Null(ExecutorReuse.ChangedSettings(RunningFor(Pod), "hello-world", newCommand, 0));
    }

    [Fact]
    public void Changed_executor_settings_are_named()
    {
        var running = RunningFor(Pod);
        Assert.Equal("rlimits", ExecutorReuse.ChangedSettings(running, "hello-world", Pod with { Rlimits = [new RlimitSpec("RLIMIT_NOFILE", 1024, 1024)] }, 0));
        Assert.Equal("networks", ExecutorReuse.ChangedSettings(running, "hello-world", Pod with { Networks = [new NetworkSpec("dcos", [], [], [])] }, 0));

        var both = Pod with { Rlimits = [new RlimitSpec("RLIMIT_CORE", null, null)], Networks = [new NetworkSpec("dcos", [], [], [])] };
        Assert.Equal("networks, rlimits", ExecutorReuse.ChangedSettings(running, "hello-world", both, 0));

        // And back: a pod that drops them cannot stay in an executor that has them.
        Assert.Equal("networks, rlimits", ExecutorReuse.ChangedSettings(RunningFor(both), "hello-world", Pod, 0));
    }
}
