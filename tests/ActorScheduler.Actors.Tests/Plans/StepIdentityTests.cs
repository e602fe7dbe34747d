using ActorScheduler.Actors.Plans;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class StepIdentityTests
{
    [Theory]
    [InlineData("svc/plan/deploy/phase/hello/step/hello-0:[server]", "step hello-0:[server] of plan deploy (phase hello)")]
    [InlineData("svc/plan/my-plan/phase/hello-phase/step/hello-0:[server, agent]", "step hello-0:[server, agent] of plan my-plan (phase hello-phase)")]
    // A driver that is no plan step (a recovery phase, a test's step) is named as it is.
    [InlineData("hello-0:[server]", "step hello-0:[server]")]
    public void A_step_identity_reads_as_its_step_plan_and_phase(string stepId, string expected) =>
        Assert.Equal(expected, StepActor.Describe(stepId));
}
