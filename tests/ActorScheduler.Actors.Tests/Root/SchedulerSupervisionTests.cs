using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Plans;
using Akka.Actor;

namespace ActorScheduler.Actors.Tests.Root;

/// <summary>
/// The scheduler's supervisor: a failed scheduler restarts after a growing delay, and not forever; once it gives up, the
/// supervisor answers in the scheduler's stead with why.
/// </summary>
public sealed class SchedulerSupervisionTests : ActorTestKit
{
    private const string WriteFailed = "the journal stream svc/entities stopped after a failed write";

    [Fact]
    public async Task A_scheduler_that_fails_restarts_after_a_backoff_and_once_the_last_restart_failed_its_supervisor_says_why()
    {
        var starts = CreateTestProbe();
        var backoff = new RestartBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), MaxRestarts: 2, ResetAfter: TimeSpan.FromMinutes(1));
        var supervisor = Sys.ActorOf(SchedulerSupervisorActor.Props(Props.Create(() => new FailingScheduler(starts.Ref)), backoff));

        for (var restart = 0; restart < backoff.MaxRestarts; restart++)
        {
            starts.ExpectMsg("started");
            supervisor.Tell("write failed");
            // Not at once (a write failing on every start would restart it in a hot loop): after the backoff.
            starts.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        }

        starts.ExpectMsg("started");
        await EventFilter.Error(source: SchedulerFailureLog.Source, start: "The scheduler stops: ").ExpectOneAsync(() =>
        {
            supervisor.Tell("write failed");
            return Task.CompletedTask;
        });
        starts.ExpectNoMsg(TimeSpan.FromMilliseconds(500));

        // Instead of asks that time out on a supervisor that is gone: the restarts and the last failure.
        var condition = await supervisor.Ask<SchedulerCondition>(GetSchedulerCondition.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal($"the scheduler failed again after 2 restarts in a row; the last failure: {WriteFailed}", condition.Failure);
        Assert.False(condition.Reconciled);
        var failed = await Assert.ThrowsAsync<SchedulerFailedException>(() => supervisor.Ask<object>(new PlanProtocol.GetPlan("deploy"), TimeSpan.FromSeconds(5)));
        Assert.Equal(condition.Failure, failed.Message);
    }

    [Fact]
    public async Task Messages_go_to_the_scheduler_and_its_answers_to_the_sender()
    {
        var supervisor = Sys.ActorOf(SchedulerSupervisorActor.Props(Props.Create(() => new FailingScheduler(CreateTestProbe().Ref)), RestartBackoff.Default));

        Assert.Equal(new SchedulerCondition(null, Reconciled: true), await supervisor.Ask<SchedulerCondition>(GetSchedulerCondition.Instance, TimeSpan.FromSeconds(5)));
    }

    /// <summary>Says when it starts, answers the condition query; fails as the scheduler root does when a journal write failed.</summary>
    private sealed class FailingScheduler : ReceiveActor
    {
        public FailingScheduler(IActorRef starts)
        {
            starts.Tell("started");
            Receive<GetSchedulerCondition>(_ => Sender.Tell(new SchedulerCondition(null, Reconciled: true)));
            Receive<string>(_ => throw new JournalWriteFailedException(WriteFailed));
        }
    }
}
