using System.Collections.Immutable;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Plans;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class ServiceHealthTests
{
    private static PlanInfo Plan(string name, Status status, params string[] errors) =>
        new(name, status, "serial", ImmutableArray<PhaseInfo>.Empty, errors.ToImmutableArray());

    [Fact]
    public void No_plans_yet_is_initializing()
    {
        Assert.Equal(ServiceHealth.Initializing, ServiceHealth.Evaluate([]));
    }

    [Theory]
    [InlineData(Status.Pending, "DEPLOYING_PENDING", 204)]
    [InlineData(Status.Starting, "DEPLOYING_STARTING", 202)]
    [InlineData(Status.InProgress, "DEPLOYING_STARTING", 202)]
    [InlineData(Status.Waiting, "WAITING_USER", 207)]
    [InlineData(Status.Delayed, "DELAYED", 208)]
    [InlineData(Status.Complete, "RUNNING", 200)]
    public void The_deploy_plan_decides_while_nothing_else_is_wrong(Status deploy, string name, int code)
    {
        Assert.Equal(new ServiceHealthStatus(name, code), ServiceHealth.Evaluate([Plan("deploy", deploy), Plan("backup", Status.Waiting)]));
    }

    [Fact]
    public void Errors_win_over_everything_and_recovery_over_deployment()
    {
        Assert.Equal(ServiceHealth.ErrorCreatingService, ServiceHealth.Evaluate([Plan("deploy", Status.Complete, "Field: 'volume' …")]));
        Assert.Equal(ServiceHealth.RecoveringPending, ServiceHealth.Evaluate([Plan("deploy", Status.InProgress), Plan("recovery", Status.Pending)]));
        Assert.Equal(ServiceHealth.RecoveringStarting, ServiceHealth.Evaluate([Plan("deploy", Status.Complete), Plan("recovery", Status.InProgress)]));
    }

    [Fact]
    public void Running_backup_and_restore_plans_show_once_deployed()
    {
        Assert.Equal(ServiceHealth.BackingUp, ServiceHealth.Evaluate([Plan("deploy", Status.Complete), Plan("backup-s3", Status.InProgress)]));
        Assert.Equal(ServiceHealth.Restoring, ServiceHealth.Evaluate([Plan("deploy", Status.Complete), Plan("Restore", Status.Starting)]));
        Assert.Equal(ServiceHealth.Running, ServiceHealth.Evaluate([Plan("deploy", Status.Complete), Plan("backup", Status.Complete)]));
    }

    [Fact]
    public void The_verbose_form_names_the_rule_that_decided()
    {
        Assert.Equal("the scheduler has no deploy plan yet", ServiceHealth.Explain([]).Reason);
        Assert.Equal("plan deploy has errors", ServiceHealth.Explain([Plan("deploy", Status.Complete, "Field: 'volume' …")]).Reason);
        Assert.Equal((ServiceHealth.RecoveringStarting, "the recovery plan is IN_PROGRESS"), ServiceHealth.Explain([Plan("deploy", Status.Complete), Plan("recovery", Status.InProgress)]));
        Assert.Equal((ServiceHealth.WaitingUser, "the deploy plan is WAITING"), ServiceHealth.Explain([Plan("deploy", Status.Waiting)]));
        Assert.Equal((ServiceHealth.BackingUp, "plan backup-s3 is IN_PROGRESS"), ServiceHealth.Explain([Plan("deploy", Status.Complete), Plan("backup-s3", Status.InProgress)]));
        Assert.Equal(ServiceHealth.Running, ServiceHealth.Explain([Plan("deploy", Status.Complete), Plan("recovery", Status.Complete)]).Status);
    }
}
