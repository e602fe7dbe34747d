using System.Collections.Immutable;
using System.Text.Json;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Messages.Pods;

namespace ActorScheduler.Hosting.Tests.Cli;

public sealed class PodStatusJsonTests
{
    [Fact]
    public void Pod_status_keeps_the_dcos_task_shape_and_adds_health_and_readiness_only_for_tasks_with_those_checks()
    {
        var status = new ServicePodStatus("svc", [new PodTypeStatus("cache", [new PodInstanceStatus("cache-0",
        [
            new PodTaskStatus("id-1", "cache-0-plain", "TASK_RUNNING"),
            new PodTaskStatus("id-2", "cache-0-server", "TASK_RUNNING", Health: "UNHEALTHY", Readiness: "NOT_READY"),
        ])])]);

        var tasks = JsonSerializer.SerializeToElement(SchedulerApi.ToJson(status))
            .GetProperty("pods")[0].GetProperty("instances")[0].GetProperty("tasks");

        Assert.Equal(["id", "name", "status"], tasks[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("UNHEALTHY", tasks[1].GetProperty("health").GetString());
        Assert.Equal("NOT_READY", tasks[1].GetProperty("readiness").GetString());
    }
}
