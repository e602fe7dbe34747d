using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

public sealed class MemoryLimitTests
{
    private const long Mb = 1024 * 1024;

    [Fact]
    public void A_task_may_use_its_mem_or_its_larger_memory_limit_and_an_unlimited_or_memoryless_task_is_not_held()
    {
        Assert.Equal(48 * Mb, MemoryLimit.BytesOf(Task(Scalar("mem", 16), Scalar("mem", 32), Scalar("cpus", 1))));
        Assert.Equal(64 * Mb, MemoryLimit.BytesOf(Limited(Task(Scalar("mem", 16)), 64)));
        // A limit below the request (which the master refuses) does not lower it.
        Assert.Equal(16 * Mb, MemoryLimit.BytesOf(Limited(Task(Scalar("mem", 16)), 8)));
        Assert.Null(MemoryLimit.BytesOf(Limited(Task(Scalar("mem", 16)), double.PositiveInfinity)));
        Assert.Null(MemoryLimit.BytesOf(Task(Scalar("cpus", 1))));
    }

    [Fact]
    public void The_message_and_limitation_say_what_was_allowed_and_used_as_Mesos_does()
    {
        Assert.Equal("Memory limit exceeded: Requested: 16MB Maximum Used: 40.5MB", MemoryLimit.Message(16 * Mb, 40 * Mb + Mb / 2));
        var resource = Assert.Single(MemoryLimit.Limitation(16 * Mb).Resources);
        Assert.Equal(("mem", Value.Types.Type.Scalar, 16.0), (resource.Name, resource.Type, resource.Scalar.Value));
    }

    private static TaskInfo Task(params Resource[] resources)
    {
        var task = new TaskInfo { Name = "t", TaskId = new TaskID { Value = "t" } };
        task.Resources.AddRange(resources);
        return task;
    }

    private static TaskInfo Limited(TaskInfo task, double mb)
    {
        task.Limits.Add("mem", new Value.Types.Scalar { Value = mb });
        return task;
    }
}
