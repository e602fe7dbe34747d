using System.Collections.Immutable;
using ActorScheduler.Actors.Framework;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Mesos.Client;
using Akka.Actor;
using Akka.TestKit;

namespace ActorScheduler.Actors.Tests.Mesos;

/// <summary>The gateway's SUPPRESS, REVIVE and DECLINE calls against a fake connection whose answers the tests control.</summary>
public sealed class MesosGatewayOfferFlowTests : ActorTestKit
{
    [Fact]
    public void A_revive_whose_call_fails_while_the_stream_stays_up_is_reported_to_the_router()
    {
        var (gateway, router, connection) = Subscribed();
        connection.Answer = call => call.Type == Call.Types.Type.Revive
            ? Task.FromException(new MesosCallException(503, "Service Unavailable"))
            : Task.CompletedTask;

        gateway.Tell(ReviveOffers.Instance);

        router.FishForMessage(m => m is ReviveNotDelivered);
    }

    [Fact]
    public void A_suppress_asked_while_not_subscribed_is_reported_to_the_router_as_not_delivered()
    {
        var (gateway, router, connection) = Subscribed();
        // The next subscription does not come back while the test runs.
        connection.NextSubscription = new TaskCompletionSource<IMesosEventStream>().Task;

        connection.EndStream();
        router.FishForMessage(m => m is SubscriptionLost);
        gateway.Tell(SuppressOffers.Instance);
        gateway.Tell(ReviveOffers.Instance);

        router.FishForMessage(m => m is SuppressNotDelivered);
        router.FishForMessage(m => m is ReviveNotDelivered);
        Assert.DoesNotContain(connection.Sent, c => c.Type is Call.Types.Type.Suppress or Call.Types.Type.Revive);
    }

    [Fact]
    public void A_revive_goes_out_only_once_the_decline_sent_before_it_is_answered()
    {
        var (gateway, _, connection) = Subscribed();
        var declineAnswered = new TaskCompletionSource();
        connection.Answer = call => call.Type == Call.Types.Type.Decline ? declineAnswered.Task : Task.CompletedTask;

        gateway.Tell(new DeclineOffers(["offer-1"], 3600));
        connection.Calls.FishForMessage<Call>(c => c.Type == Call.Types.Type.Decline);
        gateway.Tell(ReviveOffers.Instance);

        // Sent now, the REVIVE could reach the master first, and the DECLINE's hour-long filter outlive it.
        connection.Calls.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        declineAnswered.SetResult();
        connection.Calls.FishForMessage<Call>(c => c.Type == Call.Types.Type.Revive);
    }

    [Fact]
    public void The_tasks_of_an_ACCEPT_whose_call_fails_are_reconciled_explicitly()
    {
        var (gateway, _, connection) = Subscribed();
        connection.Answer = call => call.Type == Call.Types.Type.Accept
            ? Task.FromException(new TimeoutException("The request was canceled due to the configured HttpClient.Timeout"))
            : Task.CompletedTask;
        var task = new TaskInfo { Name = "hello-0-server", TaskId = new TaskID { Value = "hello-0-server__1" }, AgentId = new AgentID { Value = "agent-1" } };
        var launch = new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Launch, Launch = new Offer.Types.Operation.Types.Launch { TaskInfos = { task } } };

        gateway.Tell(new AcceptOffers(["offer-1"], [launch], 5));

        // The master may never have got the launch: asked about it, it answers TASK_DROPPED (or LOST, UNKNOWN) if so.
        connection.Calls.FishForMessage<Call>(c => c.Type == Call.Types.Type.Accept);
        var reconcile = connection.Calls.FishForMessage<Call>(c => c.Type == Call.Types.Type.Reconcile);
        var named = Assert.Single(reconcile.Reconcile.Tasks);
        Assert.Equal(("hello-0-server__1", "agent-1"), (named.TaskId.Value, named.AgentId.Value));
    }

    /// <summary>A gateway subscribed through a fake connection and reconciled (no tasks): its router probe and the connection.</summary>
    private (IActorRef Gateway, TestProbe Router, FakeMesosConnection Connection) Subscribed()
    {
        var (router, pods, calls) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var connection = new FakeMesosConnection(calls);
        var settings = new GatewaySettings(new Uri("http://master.invalid:5050"), "offer-flow-test", "offer-flow-role", "offer-flow-principal",
            "nobody", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1)) { Connection = () => connection };
        var framework = Sys.ActorOf(FrameworkActor.Props("offer-flow-test-" + Guid.NewGuid().ToString("N")));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(settings, framework));
        gateway.Tell(new GatewayPeers(router, pods));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        return (gateway, router, connection);
    }
}
