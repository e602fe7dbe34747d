using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>Task resource limits (<c>TaskInfo.limits</c>) and <c>LinuxInfo.share_cgroups</c>, validated as a Mesos 1.9+ master does.</summary>
public sealed class EmulatorResourceLimitsTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private MesosEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await MesosEmulator.StartAsync(TestEmulator.Options(_dir.Path));

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    private static TaskInfo Limited(string id, Offer offer, double? cpus, double? mem, bool? shareCgroups)
    {
        var task = CommandTask(id, offer, "sleep 120", Scalar("cpus", 0.1), Scalar("mem", 32));
        if (cpus is { } c)
        {
            task.Limits["cpus"] = new Value.Types.Scalar { Value = c };
        }

        if (mem is { } m)
        {
            task.Limits["mem"] = new Value.Types.Scalar { Value = m };
        }

        if (shareCgroups is { } share)
        {
            task.Container = new ContainerInfo { Type = ContainerInfo.Types.Type.Mesos, LinuxInfo = new LinuxInfo { ShareCgroups = share } };
        }

        return task;
    }

    [Fact]
    public async Task A_task_group_task_with_limits_and_its_own_cgroups_runs_and_its_limits_are_reported()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();

        var task = Limited("limited", offer, cpus: 0.5, mem: double.PositiveInfinity, shareCgroups: false);
        await framework.AcceptAsync(offer, LaunchGroup(DefaultExecutor("exec-limited"), task));

        await framework.AwaitStateAcknowledgingAsync("limited", TaskState.TaskRunning);
        var snapshot = _emulator.Snapshot().Tasks.Single(t => t.Id == "limited");
        Assert.Equal(new Dictionary<string, string> { ["cpus"] = "0.5", ["mem"] = "unlimited" }, snapshot.Limits);
        Assert.True(snapshot.OwnCgroups);
    }

    public static TheoryData<string, string> Refused() => new()
    {
        { "limits without own cgroups", "Resource limits may only be set for tasks within a task group when the 'share_cgroups' field is set to 'false'." },
        { "cpu limit below the request", "The cpu limit must be greater than or equal to the cpu request" },
        { "memory limit below the request", "The memory limit must be greater than or equal to the memory request" },
        { "a gpus limit", "Only cpus and mem may be included in a task's resource limits" },
        { "tasks of one group that disagree", "If set, the value of 'share_cgroups' must be the same for all tasks in each task group and under a single executor" },
        { "an executor that shares", "The 'share_cgroups' field cannot be set to 'true' on executor containers" },
        { "a LAUNCH task with own cgroups", "Only tasks in a task group may have 'share_cgroups' set to 'false'" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task The_master_refuses_limits_and_cgroups_as_mesos_does(string kind, string expected)
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var executor = DefaultExecutor("exec");
        var operation = kind switch
        {
            "limits without own cgroups" => LaunchGroup(executor, Limited("t", offer, cpus: 1, mem: null, shareCgroups: null)),
            "cpu limit below the request" => LaunchGroup(executor, Limited("t", offer, cpus: 0.05, mem: null, shareCgroups: false)),
            "memory limit below the request" => LaunchGroup(executor, Limited("t", offer, cpus: null, mem: 16, shareCgroups: false)),
            "a gpus limit" => LaunchGroup(executor, WithGpuLimit(Limited("t", offer, cpus: 1, mem: null, shareCgroups: false))),
            "tasks of one group that disagree" => LaunchGroup(executor, Limited("t", offer, cpus: 1, mem: null, shareCgroups: false), Limited("u", offer, null, null, shareCgroups: null)),
            "an executor that shares" => LaunchGroup(SharingExecutor(executor), Limited("t", offer, cpus: 1, mem: null, shareCgroups: false)),
            "a LAUNCH task with own cgroups" => Launch(Limited("t", offer, cpus: null, mem: null, shareCgroups: false)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        await framework.AcceptAsync(offer, operation);

        var error = await framework.NextUpdateAsync("t");
        Assert.Equal(TaskState.TaskError, error.State);
        Assert.Equal(expected, error.Message);

        static TaskInfo WithGpuLimit(TaskInfo task)
        {
            task.Limits["gpus"] = new Value.Types.Scalar { Value = 1 };
            return task;
        }

        static ExecutorInfo SharingExecutor(ExecutorInfo executor)
        {
            executor.Container = new ContainerInfo { Type = ContainerInfo.Types.Type.Mesos, LinuxInfo = new LinuxInfo { ShareCgroups = true } };
            return executor;
        }
    }
}
