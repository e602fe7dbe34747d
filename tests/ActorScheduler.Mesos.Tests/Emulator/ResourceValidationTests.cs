using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

public sealed class ResourceValidationTests
{
    [Fact]
    public void Resources_with_a_name_and_the_value_their_type_says_are_valid()
    {
        Assert.Null(ResourceValidation.Validate([Scalar("cpus", 0.5), Scalar("mem", 0), Ports((31000, 31000))]));
    }

    [Theory]
    [InlineData("name", "Empty resource name")]
    [InlineData("scalar", "Invalid scalar resource 'cpus': expecting 'scalar' and only 'scalar' to be set")]
    [InlineData("negative", "Invalid scalar resource 'cpus': value -1 is not a finite number of 0 or more")]
    [InlineData("nan", "Invalid scalar resource 'cpus': value NaN is not a finite number of 0 or more")]
    [InlineData("ranges", "Invalid ranges resource 'ports': expecting 'ranges' and only 'ranges' to be set")]
    [InlineData("inverted", "Invalid ranges resource 'ports': range [32000-31000] begins after it ends")]
    [InlineData("set", "Invalid set resource 'disks': expecting 'set' and only 'set' to be set")]
    public void A_resource_without_a_name_or_its_value_is_invalid_with_the_reason(string broken, string expected)
    {
        var r = broken switch
        {
            "name" => Scalar(string.Empty, 1),
            "scalar" => Scalar("cpus", 1),
            "negative" => Scalar("cpus", -1),
            "nan" => Scalar("cpus", double.NaN),
            "ranges" => Ports((31000, 32000)),
            "inverted" => Ports((32000, 31000)),
            _ => new Resource { Name = "disks", Type = Value.Types.Type.Set },
        };
        if (broken == "scalar")
        {
            r.Scalar = null;
        }
        else if (broken == "ranges")
        {
            r.Ranges = null;
        }

        Assert.Equal("Invalid resources: " + expected, ResourceValidation.Validate([Scalar("mem", 32), r]));
    }

    [Fact]
    public void An_operation_is_invalid_when_a_task_or_its_executor_carries_an_invalid_resource()
    {
        var task = new TaskInfo { Name = "t", TaskId = new TaskID { Value = "t" }, Resources = { Scalar("cpus", 1) } };
        task.Executor = new ExecutorInfo { ExecutorId = new ExecutorID { Value = "e" }, Resources = { Scalar("mem", -5) } };

        Assert.Equal("Invalid resources: Invalid scalar resource 'mem': value -5 is not a finite number of 0 or more",
            ResourceValidation.Validate(Launch(task)));
    }
}
