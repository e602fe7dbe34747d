using Akka.Actor;

namespace ActorScheduler.Actors.Tests;

public sealed class GatherTests : ActorTestKit
{
    [Fact]
    public void Every_targets_answer_is_collected_and_answers_of_another_type_are_ignored()
    {
        var targets = Enumerable.Range(0, 50).Select(i => Sys.ActorOf(Props.Create(() => new Answering(i)))).ToList();
        var asker = Sys.ActorOf(Props.Create(() => new Asker(targets, TimeSpan.FromSeconds(10))));

        asker.Tell("go");

        var answers = ExpectMsg<int[]>();
        Assert.Equal(Enumerable.Range(0, 50), answers.Order());
    }

    [Fact]
    public void A_target_that_does_not_answer_fails_the_gather_after_the_timeout()
    {
        var targets = new List<IActorRef> { Sys.ActorOf(Props.Create(() => new Answering(1))), CreateTestProbe().Ref };
        var asker = Sys.ActorOf(Props.Create(() => new Asker(targets, TimeSpan.FromMilliseconds(300))));

        asker.Tell("go");

        var failure = ExpectMsg<Status.Failure>();
        var timeout = Assert.IsType<TimeoutException>(failure.Cause);
        Assert.Equal("1 of 2 actors did not answer String within 00:00:00.3000000", timeout.Message);
    }

    [Fact]
    public void No_targets_answer_at_once()
    {
        var asker = Sys.ActorOf(Props.Create(() => new Asker(new List<IActorRef>(), TimeSpan.FromSeconds(10))));
        asker.Tell("go");
        Assert.Empty(ExpectMsg<int[]>());
    }

    /// <summary>Answers a question first with a string (not what is gathered), then with its number.</summary>
    private sealed class Answering : ReceiveActor
    {
        public Answering(int number)
        {
            Receive<string>(_ =>
            {
                Sender.Tell("not an answer");
                Sender.Tell(number);
            });
        }
    }

    private sealed class Asker : ReceiveActor
    {
        public Asker(IReadOnlyList<IActorRef> targets, TimeSpan timeout)
        {
            Receive<string>(_ => Gather.All<int>(Context, targets, "how many?", timeout)
                .ContinueWith(t => t.IsCompletedSuccessfully ? (object)t.Result : new Status.Failure(t.Exception!.InnerException!), TaskScheduler.Default)
                .PipeTo(Sender));
        }
    }
}
