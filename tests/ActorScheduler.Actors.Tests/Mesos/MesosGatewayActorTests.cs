using System.Collections.Immutable;
using ActorScheduler.Actors.Framework;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Mesos.Emulator;
using Akka.Actor;
using Akka.TestKit;

namespace ActorScheduler.Actors.Tests.Mesos;

/// <summary>The gateway against a real (emulated) master over HTTP.</summary>
public sealed class MesosGatewayActorTests : ActorTestKit, IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"actorscheduler-gateway-{Guid.NewGuid():N}");
    private MesosEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        _emulator = await MesosEmulator.StartAsync(new MesosEmulatorOptions
        {
            DataDir = _dir,
            Port = 0,
            Agents = 1,
            AllocationInterval = TimeSpan.FromMilliseconds(200),
            KillTasksOnStop = true,
        });
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void The_default_implicit_reconciliation_period_is_the_DC_OS_SDKs_hour()
    {
        Assert.Equal(TimeSpan.FromHours(1), Settings(_emulator.Url).ImplicitReconcileInterval);
    }

    [Fact]
    public void Gateway_should_reconcile_implicitly_every_interval_while_subscribed()
    {
        var (router, pods) = (CreateTestProbe(), CreateTestProbe());
        var settings = Settings(_emulator.Url) with { ImplicitReconcileInterval = TimeSpan.FromMilliseconds(300) };
        var framework = Sys.ActorOf(FrameworkActor.Props("gateway-test"));
        var gateway = Sys.ActorOf(MesosGatewayActor.Props(settings, framework));

        gateway.Tell(new GatewayPeers(router, pods));

        // Explicit reconciliation of nothing completes at once; then empty RECONCILE calls follow, one per interval.
        pods.ExpectMsg<GetTasksToReconcile>();
        pods.Reply(new TasksToReconcile(ImmutableArray<TaskToReconcile>.Empty));
        router.FishForMessage(m => m is ReconciliationComplete);
        AwaitAssert(() => Assert.True(_emulator.History().CallCount("RECONCILE") >= 3), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
    }

    private static GatewaySettings Settings(Uri master) =>
        new(master, "gateway-test", "gateway-test-role", "gateway-test-principal", Environment.UserName, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
}
