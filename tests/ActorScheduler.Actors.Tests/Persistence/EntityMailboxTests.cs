using ActorScheduler.Actors.Persistence;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using Akka.TestKit.Xunit2;

namespace ActorScheduler.Actors.Tests.Persistence;

public sealed class EntityMailboxTests : TestKit
{
    public EntityMailboxTests()
        : base(SchedulerHocon.Text + "\nakka.test.single-expect-default = 15s")
    {
    }

    [Fact]
    public void Messages_come_out_in_order_and_those_put_first_before_them_across_growth_and_wrap_around()
    {
        var queue = new EntityMessageQueue();
        var next = 0;
        var expected = new List<int>();
        for (var round = 0; round < 50; round++)
        {
            // Take some, add more: the ring wraps around and grows with messages in it.
            for (var i = 0; i < round % 7; i++)
            {
                queue.Enqueue(ActorRefs.Nobody, Envelope(next));
                expected.Add(next++);
            }

            if (round % 3 == 0)
            {
                queue.EnqueueFirst(Envelope(-round));
                expected.Insert(0, -round);
            }

            for (var i = 0; i < round % 4 && expected.Count > 0; i++)
            {
                Assert.True(queue.TryDequeue(out var envelope));
                Assert.Equal(expected[0], envelope.Message);
                expected.RemoveAt(0);
            }

            Assert.Equal(expected.Count, queue.Count);
            Assert.Equal(expected.Count > 0, queue.HasMessages);
        }

        foreach (var value in expected)
        {
            Assert.True(queue.TryDequeue(out var envelope));
            Assert.Equal(value, envelope.Message);
        }

        Assert.False(queue.TryDequeue(out _));
    }

    [Fact]
    public async Task Messages_from_many_threads_all_arrive_each_threads_in_its_order()
    {
        const int Senders = 4, PerSender = 20_000;
        var queue = new EntityMessageQueue();
        var received = new List<(int Sender, int N)>();
        var producers = Enumerable.Range(0, Senders).Select(s => Task.Run(() =>
        {
            for (var n = 0; n < PerSender; n++)
            {
                queue.Enqueue(ActorRefs.Nobody, new Envelope((s, n), ActorRefs.NoSender));
            }
        })).ToArray();
        var consumer = Task.Run(() =>
        {
            while (received.Count < Senders * PerSender)
            {
                if (queue.TryDequeue(out var envelope))
                {
                    received.Add(((int, int))envelope.Message);
                }
            }
        });

        await Task.WhenAll([.. producers, consumer]).WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var sender in received.GroupBy(r => r.Sender))
        {
            Assert.Equal(Enumerable.Range(0, PerSender), sender.Select(r => r.N));
        }

        Assert.Equal(Senders, received.Select(r => r.Sender).Distinct().Count());
    }

    [Fact]
    public void Clean_up_hands_what_is_left_to_dead_letters_in_order()
    {
        var queue = new EntityMessageQueue();
        var deadLetters = new EntityMessageQueue();
        queue.Enqueue(ActorRefs.Nobody, Envelope(1));
        queue.Enqueue(ActorRefs.Nobody, Envelope(2));

        queue.CleanUp(ActorRefs.Nobody, deadLetters);

        Assert.False(queue.HasMessages);
        Assert.True(deadLetters.TryDequeue(out var first));
        Assert.True(deadLetters.TryDequeue(out var second));
        Assert.Equal([1, 2], new[] { first.Message, second.Message });
    }

    [Fact]
    public void An_entity_with_a_stash_runs_on_it_when_the_system_configures_it_and_on_the_default_otherwise()
    {
        var props = EntityMailbox.For(Props.Create(() => new Stasher(TestActor)), Sys);
        Assert.Equal(EntityMailbox.ConfigPath, props.Mailbox);
        var stasher = Sys.ActorOf(props);

        stasher.Tell("a");
        stasher.Tell("b");
        stasher.Tell("open");
        stasher.Tell("c");

        ExpectMsg("a");
        ExpectMsg("b");
        ExpectMsg("c");

        using var plain = ActorSystem.Create("plain");
        Assert.Equal(Props.Create(() => new Stasher(TestActor)).Mailbox, EntityMailbox.For(Props.Create(() => new Stasher(TestActor)), plain).Mailbox);
    }

    private static Envelope Envelope(int value) => new(value, ActorRefs.NoSender);

    /// <summary>Stashes every message until "open", then echoes them (and the rest) to <paramref name="echoTo"/>.</summary>
    private sealed class Stasher : ReceiveActor, IWithUnboundedStash
    {
        public Stasher(IActorRef echoTo)
        {
            Receive<string>(m => m == "open", _ =>
            {
                Become(() => ReceiveAny(m => echoTo.Tell(m)));
                Stash.UnstashAll();
            });
            ReceiveAny(_ => Stash.Stash());
        }

        public IStash Stash { get; set; } = null!;
    }
}
