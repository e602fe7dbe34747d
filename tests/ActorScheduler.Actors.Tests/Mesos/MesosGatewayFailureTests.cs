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

/// <summary>The gateway when the framework id does not come, and when the master refuses the framework for good.</summary>
public sealed class MesosGatewayFailureTests : ActorTestKit
{
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
