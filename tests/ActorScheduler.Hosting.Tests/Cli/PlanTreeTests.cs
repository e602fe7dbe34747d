using System.Collections.Immutable;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Hosting.Tests.Cli;

public sealed class PlanTreeTests
{
    private static readonly PlanInfo Deploy = new(
        "deploy",
        Status.InProgress,
        "serial",
        ImmutableArray.Create(
            new PhaseInfo("p1", "hello", Status.Complete, "serial", ImmutableArray.Create(new StepInfo("s1", "hello-0:[server]", Status.Complete, ""))),
            new PhaseInfo("p2", "world", Status.InProgress, "serial", ImmutableArray.Create(
                new StepInfo("s2", "world-0:[server]", Status.Starting, ""),
                new StepInfo("s3", "world-1:[server]", Status.Pending, "")))),
        ImmutableArray<string>.Empty);

    [Fact]
    public void Render_should_draw_the_tree_like_the_dcos_cli()
    {
        Assert.Equal(
            """
            deploy (serial strategy) (IN_PROGRESS)
            ├─ hello (serial strategy) (COMPLETE)
            │  └─ hello-0:[server] (COMPLETE)
            └─ world (serial strategy) (IN_PROGRESS)
               ├─ world-0:[server] (STARTING)
               └─ world-1:[server] (PENDING)

            """.Replace("\r\n", "\n"),
            PlanTree.Render(Deploy));
    }

    [Fact]
    public void Render_should_say_why_a_prepared_step_waits_and_nothing_more_of_other_steps()
    {
        var waiting = Deploy with
        {
            Phases = ImmutableArray.Create(new PhaseInfo("p1", "hello", Status.InProgress, "serial", ImmutableArray.Create(
                new StepInfo("s1", "hello-0:[server]", Status.Prepared, "offers do not fit: FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation"),
                new StepInfo("s2", "hello-1:[server]", Status.Starting, "on 127.0.0.2")))),
        };
        Assert.Equal(
            """
            deploy (serial strategy) (IN_PROGRESS)
            └─ hello (serial strategy) (IN_PROGRESS)
               ├─ hello-0:[server] (PREPARED) offers do not fit: FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation
               └─ hello-1:[server] (STARTING)

            """.Replace("\r\n", "\n"),
            PlanTree.Render(waiting));
    }

    [Fact]
    public void Render_should_list_plan_errors_after_the_tree()
    {
        var rejected = Deploy with { Status = Status.Error, Errors = ImmutableArray.Create("svc.yml:3:5: pods.hello.count: expected an integer") };
        Assert.EndsWith("ERROR: svc.yml:3:5: pods.hello.count: expected an integer\n", PlanTree.Render(rejected));
    }

    [Theory]
    [InlineData(Status.Complete, 0, 200)]
    [InlineData(Status.InProgress, 0, 202)]
    [InlineData(Status.Pending, 0, 202)]
    [InlineData(Status.Error, 0, 417)]
    [InlineData(Status.InProgress, 1, 417)]
    public void Plan_status_codes_follow_the_dcos_api(Status status, int errors, int code)
    {
        var plan = Deploy with { Status = status, Errors = Enumerable.Repeat("bad", errors).ToImmutableArray() };
        Assert.Equal(code, SchedulerApi.PlanStatusCode(plan));
    }
}
