using System.Collections.Immutable;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Plans;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class ServiceHealthTests
{
    /// <summary>A scheduler that runs and has reconciled.</summary>
    private static readonly SchedulerCondition Up = new(Failure: null, Reconciled: true);

    private static PlanInfo Plan(string name, Status status, params string[] errors) =>
        new(name, status, "serial", ImmutableArray<PhaseInfo>.Empty, errors.ToImmutableArray());

    [Fact]
    public void No_plans_yet_is_initializing()
    {
        Assert.Equal(ServiceHealth.Initializing, ServiceHealth.Evaluate([], Up));
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
        Assert.Equal(new ServiceHealthStatus(name, code), ServiceHealth.Evaluate([Plan("deploy", deploy), Plan("backup", Status.Waiting)], Up));
    }

    [Fact]
    public void Errors_win_over_everything_and_recovery_over_deployment()
    {
        Assert.Equal(ServiceHealth.ErrorCreatingService, ServiceHealth.Evaluate([Plan("deploy", Status.Complete, "Field: 'volume' …")], Up));
        Assert.Equal(ServiceHealth.RecoveringPending, ServiceHealth.Evaluate([Plan("deploy", Status.InProgress), Plan("recovery", Status.Pending)], Up));
        Assert.Equal(ServiceHealth.RecoveringStarting, ServiceHealth.Evaluate([Plan("deploy", Status.Complete), Plan("recovery", Status.InProgress)], Up));
    }

    [Fact]
    public void Running_backup_and_restore_plans_show_once_deployed()
    {
        Assert.Equal(ServiceHealth.BackingUp, ServiceHealth.Evaluate([Plan("deploy", Status.Complete), Plan("backup-s3", Status.InProgress)], Up));
        Assert.Equal(ServiceHealth.Restoring, ServiceHealth.Evaluate([Plan("deploy", Status.Complete), Plan("Restore", Status.Starting)], Up));
        Assert.Equal(ServiceHealth.Running, ServiceHealth.Evaluate([Plan("deploy", Status.Complete), Plan("backup", Status.Complete)], Up));
    }

    [Fact]
    public void The_verbose_form_names_the_rule_that_decided()
    {
        Assert.Equal("the scheduler has no deploy plan yet", ServiceHealth.Explain([], Up).Reason);
        Assert.Equal("plan deploy has errors", ServiceHealth.Explain([Plan("deploy", Status.Complete, "Field: 'volume' …")], Up).Reason);
        Assert.Equal((ServiceHealth.RecoveringStarting, "the recovery plan is IN_PROGRESS"), ServiceHealth.Explain([Plan("deploy", Status.Complete), Plan("recovery", Status.InProgress)], Up));
        Assert.Equal((ServiceHealth.WaitingUser, "the deploy plan is WAITING"), ServiceHealth.Explain([Plan("deploy", Status.Waiting)], Up));
        Assert.Equal((ServiceHealth.BackingUp, "plan backup-s3 is IN_PROGRESS"), ServiceHealth.Explain([Plan("deploy", Status.Complete), Plan("backup-s3", Status.InProgress)], Up));
        Assert.Equal(ServiceHealth.Running, ServiceHealth.Explain([Plan("deploy", Status.Complete), Plan("recovery", Status.Complete)], Up).Status);
    }

    [Fact]
    public void A_scheduler_that_stopped_is_unavailable_with_its_reason_whatever_the_plans_say()
    {
        var (status, reason) = ServiceHealth.Explain([Plan("deploy", Status.Complete)], new SchedulerCondition("the journal stream svc/framework cannot be replayed: …", Reconciled: false));

        Assert.Equal(new ServiceHealthStatus("UNAVAILABLE", 503), status);
        Assert.Contains("svc/framework cannot be replayed", reason);
    }

    [Fact]
    public void A_complete_deploy_plan_is_not_running_before_the_scheduler_reconciled_its_tasks_with_Mesos()
    {
        var (status, reason) = ServiceHealth.Explain([Plan("deploy", Status.Complete)], new SchedulerCondition(null, Reconciled: false));

        Assert.Equal(ServiceHealth.Initializing, status);
        Assert.Contains("reconciled", reason);
        // Plan errors still show: they do not wait for Mesos.
        Assert.Equal(ServiceHealth.ErrorCreatingService, ServiceHealth.Evaluate([Plan("deploy", Status.Complete, "bad")], new SchedulerCondition(null, Reconciled: false)));
    }
}
