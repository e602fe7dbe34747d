using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>A pod's <c>uris:</c> are fetched into the sandbox of each of its tasks (DC/OS PodInfoBuilder).</summary>
public sealed class PodUrisTests
{
    private static readonly ImmutableArray<string> Uris = ["https://example.com/app-1.0.tgz", "file:///opt/artifacts/tool"];

    [Fact]
    public void Every_task_of_the_pod_gets_the_pod_uris_with_the_Mesos_defaults()
    {
        var server = TestOffers.HelloPod().Tasks[0];
        var pod = TestOffers.HelloPod() with { Uris = Uris, Tasks = [server, server with { Name = "agent", Volumes = [] }] };

        var tasks = Launch(pod, TestOffers.Context, "server", "agent");

        Assert.Equal(2, tasks.Count);
        Assert.All(tasks, task =>
        {
            Assert.Equal(Uris, task.Command.Uris.Select(u => u.Value));
            Assert.All(task.Command.Uris, uri =>
            {
                Assert.True(uri.Extract);
                Assert.False(uri.Executable);
                Assert.False(uri.HasOutputFile);
            });
        });
    }

    [Fact]
    public void A_task_with_configs_gets_the_pod_uris_and_its_templates()
    {
        var context = TestOffers.Context with { SchedulerApi = new Uri("http://127.0.0.1:8080/") };
        var pod = TestOffers.HelloPod() with { Uris = Uris };
        pod = pod with { Tasks = [pod.Tasks[0] with { Configs = [new ConfigTemplateSpec("settings", "worker.conf.mustache", "conf/worker.conf")] }] };

        var task = Assert.Single(Launch(pod, context, "server"));

        Assert.Equal(
            [.. Uris, "http://127.0.0.1:8080/v1/artifacts/template/config-1/hello/server/settings"],
            task.Command.Uris.Select(u => u.Value));
    }

    [Fact]
    public void A_pod_without_uris_gives_its_tasks_none()
    {
        Assert.Empty(Assert.Single(Launch(TestOffers.HelloPod(), TestOffers.Context, "server")).Command.Uris);
    }

    private static List<TaskInfo> Launch(PodSpec pod, EvaluationContext context, params string[] tasks)
    {
        var requirement = new PodRequirement("hello-world", null, pod, 0, [.. tasks], "config-1", null);
        var evaluation = OfferEvaluator.Evaluate(requirement, TestOffers.Unreserved(), context);
        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        return evaluation.Tasks.Select(t => t.Info).ToList();
    }
}
