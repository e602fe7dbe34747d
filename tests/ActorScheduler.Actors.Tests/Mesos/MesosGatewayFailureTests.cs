using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using ActorScheduler.Actors.Framework;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Mesos.Client;
using Akka.Actor;
using Akka.TestKit;

namespace ActorScheduler.Actors.Tests.Mesos;

/// <summary>The gateway when the master refuses the framework for good, and when the framework id does not come.</summary>
public sealed class MesosGatewayFailureTests : ActorTestKit
{
    [Fact]
    public async Task A_removed_framework_is_fatal_the_gateway_tells_its_parent_why_and_never_subscribes_again()
    {
        var (router, pods, parent, subscriptions) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var master = new RefusingMaster(subscriptions, "Framework has been removed");
        var framework = Sys.ActorOf(FrameworkActor.Props("removed-" + Guid.NewGuid().ToString("N")));
        var gateway = Sys.ActorOf(Props.Create(() => new Parent(MesosGatewayActor.Props(Settings(master), framework, null), parent.Ref)));

        gateway.Tell(new GatewayPeers(router, pods));

        subscriptions.ExpectMsg<FrameworkInfo>();
        var failed = parent.ExpectMsg<GatewayFailed>();
        Assert.Contains("Framework has been removed", failed.Reason);
        Assert.Contains("empty --data-dir", failed.Reason);
        // The stream closed after the ERROR: a normal close would re-subscribe after the 1 s backoff.
        await subscriptions.ExpectNoMsgAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(1, master.Subscriptions);
    }

    [Fact]
    public void A_framework_id_that_does_not_come_is_asked_for_again_and_the_gateway_then_subscribes()
    {
        var (router, pods, framework, subscriptions) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var settings = Settings(new RefusingMaster(subscriptions, "unused")) with { FrameworkIdTimeout = TimeSpan.FromMilliseconds(300) };
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(settings, framework.Ref));

        gateway.Tell(new GatewayPeers(router, pods));

        // The first ask goes unanswered (the framework actor is slow or gone): the gateway asks again.
        framework.ExpectMsg<GetFrameworkId>();
        framework.ExpectMsg<GetFrameworkId>();
        framework.Reply(new FrameworkIdentity(null));
        subscriptions.ExpectMsg<FrameworkInfo>();
    }

    private static GatewaySettings Settings(IMesosConnection master) =>
        new(new Uri("http://master.invalid:5050"), "fatal-test", "fatal-test-role", "fatal-test-principal", "nobody", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1))
        {
            Connection = () => master,
        };

    /// <summary>Starts the child and tells the probe whatever the child sends it (the scheduler root's place).</summary>
    private sealed class Parent : ReceiveActor
    {
        public Parent(Props child, IActorRef probe)
        {
            var started = Context.ActorOf(child, "mesos");
            ReceiveAny(m =>
            {
                if (Sender.Equals(started))
                {
                    probe.Forward(m);
                }
                else
                {
                    started.Forward(m);
                }
            });
        }
    }

    /// <summary>A master whose every SUBSCRIBE stream carries one ERROR event and closes (as Mesos refuses a framework).</summary>
    private sealed class RefusingMaster(TestProbe subscriptions, string error) : IMesosConnection
    {
        private int _subscriptions;

        public int Subscriptions => _subscriptions;

        public Task<IMesosEventStream> SubscribeAsync(FrameworkInfo framework, CancellationToken ct)
        {
            Interlocked.Increment(ref _subscriptions);
            subscriptions.Ref.Tell(framework);
            return Task.FromResult<IMesosEventStream>(new Refusal(error));
        }

        public Task SendAsync(Call call, CancellationToken ct) => Task.CompletedTask;

        public void Dispose()
        {
        }

        private sealed class Refusal(string error) : IMesosEventStream
        {
            public string StreamId => "stream-1";

            public async IAsyncEnumerable<Event> ReadEventsAsync([EnumeratorCancellation] CancellationToken ct)
            {
                await Task.Yield();
                yield return new Event { Type = Event.Types.Type.Error, Error = new Event.Types.Error { Message = error } };
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
