using Akka.Actor;
using Akka.Configuration;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The watcher on a one-node cluster: the node is the oldest Up member, but it is active only while a singleton answers
/// at the scheduler's path, and no longer once that stops; what it finds is what
/// <see cref="ActorSchedulerHostingExtensions.GetActiveSchedulerNode"/> returns.
/// </summary>
public sealed class ActiveNodeWatcherTests() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
    akka.cluster.roles = ["api:http://127.0.0.1:8080/"]
    """))
{
    [Fact]
    public async Task A_node_is_active_only_while_its_singleton_answers_not_for_being_the_oldest_up_member()
    {
        Sys.ActorOf(ActiveNodeWatcher.Props(SchedulerCluster.SingletonPath), "watcher");
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        await cluster.JoinAsync(cluster.SelfAddress);
        await AwaitAssertAsync(() => Assert.Equal(Akka.Cluster.MemberStatus.Up, cluster.SelfMember.Status), TimeSpan.FromSeconds(20));

        // The oldest Up member, but no singleton yet (it is starting): no node answers.
        await AwaitAssertAsync(
            () => Assert.Equal(new ActiveSchedulerNode(false, null, "the scheduler has not answered on any node yet (it is starting, or moving to another node)"), Sys.GetActiveSchedulerNode()),
            TimeSpan.FromSeconds(10));

        // The singleton starts at /user/scheduler/scheduler: this node answers.
        var manager = Sys.ActorOf(Props.Create(() => new FakeSingletonManager()), "scheduler");
        await AwaitAssertAsync(() => Assert.True(Sys.GetActiveSchedulerNode().IsSelf), TimeSpan.FromSeconds(10));

        // It stops (handed over): no longer, though membership has not changed.
        manager.Tell(PoisonPill.Instance);
        await AwaitAssertAsync(() => Assert.False(Sys.GetActiveSchedulerNode().IsSelf), TimeSpan.FromSeconds(10));
        Assert.Equal(Akka.Cluster.MemberStatus.Up, cluster.SelfMember.Status);
    }

    /// <summary>Stands for the singleton manager: its child <c>scheduler</c> is where the scheduler root runs.</summary>
    private sealed class FakeSingletonManager : ReceiveActor
    {
        public FakeSingletonManager() => Context.ActorOf(Akka.Actor.Props.Create(() => new FakeSingletonManager.Root()), SchedulerCluster.SingletonName);

        private sealed class Root : ReceiveActor;
    }
}
