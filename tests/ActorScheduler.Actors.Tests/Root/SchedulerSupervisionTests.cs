using ActorScheduler.Actors.Persistence;
using Akka.Actor;

namespace ActorScheduler.Actors.Tests.Root;

/// <summary>The scheduler's supervisor: a failed scheduler restarts after a growing delay, and not forever.</summary>
public sealed class SchedulerSupervisionTests : ActorTestKit
{
    [Fact]
    public void A_scheduler_that_fails_restarts_after_a_backoff_and_stays_stopped_after_the_last_restart()
    {
        var starts = CreateTestProbe();
        var backoff = new RestartBackoff(TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(2), MaxRestarts: 2, ResetAfter: TimeSpan.FromMinutes(1));
        var supervisor = Sys.ActorOf(SchedulerRootActor.Supervised(Props.Create(() => new FailingScheduler(starts.Ref)), backoff));
        Watch(supervisor);

        for (var restart = 0; restart <= backoff.MaxRestarts; restart++)
        {
            starts.ExpectMsg("started");
            supervisor.Tell("write failed");
            // Not at once (a write failing on every start would restart it in a hot loop): after the backoff.
            starts.ExpectNoMsg(TimeSpan.FromMilliseconds(250));
        }

        ExpectTerminated(supervisor);
        starts.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    /// <summary>Says when it starts; fails as the scheduler root does when the entity journal stopped after a failed write.</summary>
    private sealed class FailingScheduler : ReceiveActor
    {
        public FailingScheduler(IActorRef starts)
        {
            starts.Tell("started");
            Receive<string>(_ => throw new JournalWriteFailedException("the entity journal stopped after a failed write; the scheduler restarts"));
        }
    }
}
