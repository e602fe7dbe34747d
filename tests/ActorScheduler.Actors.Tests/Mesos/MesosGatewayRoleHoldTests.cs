using System.Collections.Immutable;
using ActorScheduler.Actors.Framework;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Tests.Offers;
using ActorScheduler.Actors.Tests.Persistence;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Akka.Actor;
using Akka.TestKit;

namespace ActorScheduler.Actors.Tests.Mesos;

/// <summary>
/// What offers (and our UNRESERVEs) show of a role hold is journaled before the gateway acts on it: a slow journal write
/// (<see cref="GatedJournal"/>) holds back the offers that showed held reservations and the ACCEPT that unreserves
/// them, never the offers that show nothing new.
/// </summary>
public sealed class MesosGatewayRoleHoldTests : ActorTestKit
{
    private const string Refined = "slave_public/holds-test-role";

    private static readonly Resource[] Footprint =
        OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context).Footprint.ToArray();

    private static readonly ImmutableArray<string> Ids = [.. Footprint.Select(Resources.ResourceId).OfType<string>()];

    public MesosGatewayRoleHoldTests()
        : base(GatedJournal.Config)
    {
    }

    [Fact]
    public void Offers_that_show_held_reservations_reach_the_router_only_once_the_sighting_is_journaled()
    {
        var (router, connection, persistenceId) = Subscribed();
        GatedJournal.Gate(Sys).Close();
        var offer = HeldReservationsOffered();

        connection.Push(Offers(offer));
        connection.Push(new Event { Type = Event.Types.Type.Rescind, Rescind = new Event.Types.Rescind { OfferId = offer.Id } });

        // The router is told to follow the agent's reservations; the offers (and the rescind after them) wait for the write.
        router.ExpectMsg<FootprintAbandoned>();
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        GatedJournal.Gate(Sys).Open();
        Assert.Equal(offer.Id.Value, Assert.Single(router.ExpectMsg<OffersReceived>().Offers).Id.Value);
        Assert.Equal(offer.Id.Value, router.ExpectMsg<OfferRescinded>().OfferId);
        // A scheduler restarted from then on knows they were shown.
        Assert.Equal(Ids.Order(StringComparer.Ordinal).ToArray(), Assert.Single(Journaled(persistenceId)).Seen.ToArray());
    }

    [Fact]
    public void Offers_that_show_nothing_new_of_a_hold_go_to_the_router_without_waiting_for_a_write()
    {
        var (router, connection, _) = Subscribed();
        connection.Push(Offers(HeldReservationsOffered()));
        router.FishForMessage(m => m is OffersReceived);

        // No write can complete now: offers of another agent, and the held ones shown again, go on all the same.
        GatedJournal.Gate(Sys).Close();
        connection.Push(Offers(TestOffers.Unreserved("agent-2"), HeldReservationsOffered()));

        Assert.Equal(["agent-2", "agent-9"], router.ExpectMsg<OffersReceived>().Offers.Select(o => o.AgentId.Value).ToArray());
    }

    [Fact]
    public void An_ACCEPT_that_unreserves_held_reservations_no_offer_showed_goes_out_once_that_is_journaled()
    {
        var (_, connection, persistenceId) = Subscribed();
        GatedJournal.Gate(Sys).Close();
        var unreserve = new Offer.Types.Operation
        {
            Type = Offer.Types.Operation.Types.Type.Unreserve,
            Unreserve = new Offer.Types.Operation.Types.Unreserve { Resources = { Footprint } },
        };

        Gateway.Tell(new AcceptOffers(["offer-1"], [unreserve], 5));

        Assert.DoesNotContain(connection.Calls.ReceiveWhile(TimeSpan.FromMilliseconds(500), m => (Call)m), c => c.Type == Call.Types.Type.Accept);
        GatedJournal.Gate(Sys).Open();
        connection.Calls.FishForMessage<Call>(c => c.Type == Call.Types.Type.Accept);
        Assert.Equal(Ids.Order(StringComparer.Ordinal).ToArray(), Assert.Single(Journaled(persistenceId)).Seen.ToArray());
    }

    [Fact]
    public void Offers_waiting_for_a_sighting_when_the_stream_ends_are_dropped_with_it()
    {
        var (router, connection, persistenceId) = Subscribed();
        GatedJournal.Gate(Sys).Close();
        connection.Push(Offers(HeldReservationsOffered()));
        router.ExpectMsg<FootprintAbandoned>();
        // The next subscription does not come back while the test runs.
        connection.NextSubscription = new TaskCompletionSource<ActorScheduler.Mesos.Client.IMesosEventStream>().Task;

        connection.EndStream();
        router.FishForMessage(m => m is SubscriptionLost);
        GatedJournal.Gate(Sys).Open();

        // The sighting is journaled all the same (and the gateway told so); the offers died with the stream and never
        // reach the router.
        AwaitAssert(() => Assert.Equal(Ids.Order(StringComparer.Ordinal).ToArray(), Assert.Single(Journaled(persistenceId)).Seen.ToArray()), TimeSpan.FromSeconds(10));
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    private IActorRef Gateway { get; set; } = ActorRefs.Nobody;

    /// <summary>
    /// A gateway subscribed through a fake connection and reconciled, whose framework journal holds a hold of
    /// <see cref="Ids"/> on agent-9 under <see cref="Refined"/>: its router probe, the connection and the framework's
    /// persistence id.
    /// </summary>
    private (TestProbe Router, FakeMesosConnection Connection, string PersistenceId) Subscribed()
    {
        var (router, pods, calls) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var connection = new FakeMesosConnection(calls);
        var settings = new GatewaySettings(new Uri("http://master.invalid:5050"), "holds-test", "holds-test-role", "holds-test-principal",
            "nobody", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1)) { Connection = () => connection };
        var service = "holds-test-" + Guid.NewGuid().ToString("N");
        var framework = Sys.ActorOf(FrameworkActor.Props(service));
        framework.Tell(new RecordRoleHold(new RoleHold(Refined, "agent-9", Ids, Made: true, DateTimeOffset.UtcNow)));
        Gateway = Sys.ActorOf(MesosGatewayActor.Props(settings, framework));
        Gateway.Tell(new GatewayPeers(router, pods, FrameworkRoles.Only("holds-test-role")));
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        return (router, connection, service);
    }

    /// <summary>An offer of agent-9 under the held role that carries the held reservations.</summary>
    private static Offer HeldReservationsOffered()
    {
        var offer = TestOffers.WithReserved("agent-9", Footprint);
        offer.AllocationInfo = new Resource.Types.AllocationInfo { Role = Refined };
        return offer;
    }

    private static Event Offers(params Offer[] offers) =>
        new() { Type = Event.Types.Type.Offers, Offers = new Event.Types.Offers { Offers_ = { offers } } };

    /// <summary>The role holds a scheduler restarted now reads from the framework's journal.</summary>
    private ImmutableArray<RoleHold> Journaled(string service)
    {
        var restarted = Sys.ActorOf(FrameworkActor.Props(service));
        var holds = restarted.Ask<FrameworkIdentity>(GetFrameworkId.Instance, TimeSpan.FromSeconds(10)).Result.RoleHolds;
        Sys.Stop(restarted);
        return holds;
    }
}
