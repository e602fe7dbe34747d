using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Tests.Persistence;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Mesos.Client;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorScheduler.Actors.Tests.Root;

/// <summary>The scheduler root when a journal stream cannot be replayed: it stops for good, and says which stream and why.</summary>
public sealed class SchedulerRootFailureTests : TestKit
{
    public SchedulerRootFailureTests()
        : base(UnreadableJournal.Config + "\nakka.test.single-expect-default = 15s")
    {
    }

    [Theory]
    [InlineData("framework")]
    [InlineData("config")]
    [InlineData("entities")]
    [InlineData("plan/deploy")]
    [InlineData("pods")]
    [InlineData("files")]
    [InlineData("tls")]
    public async Task A_stream_that_cannot_be_replayed_stops_the_scheduler_for_good_with_one_error_naming_it(string stream)
    {
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        UnreadableJournal.Streams[$"{service}/{stream}"] = "unknown event type actorscheduler.v1.FrameworkRenamed";
        var subscriptions = CreateTestProbe();

        IActorRef root = ActorRefs.Nobody;
        await EventFilter.Error(contains: "cannot be replayed").ExpectOneAsync(async () =>
        {
            root = Sys.ActorOf(SchedulerRootActor.Props(Settings(service, subscriptions)));
            await AwaitConditionAsync(async () => (await root.Ask<SchedulerCondition>(GetSchedulerCondition.Instance)).Failure is not null);
        });

        var condition = await root.Ask<SchedulerCondition>(GetSchedulerCondition.Instance);
        Assert.Contains($"{service}/{stream}", condition.Failure);
        Assert.Contains("unknown event type actorscheduler.v1.FrameworkRenamed", condition.Failure);
        Assert.False(condition.Reconciled);

        // Every query is answered with why, at once; the scheduler never subscribes.
        var failed = await Assert.ThrowsAsync<SchedulerFailedException>(() => root.Ask<object>(new PlanProtocol.GetPlan("deploy"), TimeSpan.FromSeconds(5)));
        Assert.Equal($"{service}/{stream}", failed.UnreadableStream);
        await subscriptions.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));
    }

    /// <summary>
    /// A stream whose replay failed because the journal's server could not be reached is no unreadable stream: the
    /// scheduler stops for good saying the server was lost, never that the journal needs a backup restored.
    /// </summary>
    [Fact]
    public async Task A_replay_whose_journal_server_could_not_be_reached_stops_the_scheduler_saying_so_not_that_the_stream_is_unreadable()
    {
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        UnreadableJournal.Unreachable[$"{service}/framework"] = true;
        var subscriptions = CreateTestProbe();

        var root = Sys.ActorOf(SchedulerRootActor.Props(Settings(service, subscriptions)));
        await AwaitConditionAsync(async () => (await root.Ask<SchedulerCondition>(GetSchedulerCondition.Instance)).Failure is not null);

        Assert.Equal(
            $"the journal's server could not be reached: the journal stream {service}/framework could not be read (Connection refused)",
            (await root.Ask<SchedulerCondition>(GetSchedulerCondition.Instance)).Failure);
        var failed = await Assert.ThrowsAsync<SchedulerFailedException>(() => root.Ask<object>(new PlanProtocol.GetPlan("deploy"), TimeSpan.FromSeconds(5)));
        Assert.True(failed.JournalUnavailable);
        Assert.Null(failed.UnreadableStream);
        await subscriptions.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));
    }

    [Theory]
    [InlineData("files", false)]
    [InlineData("tls", false)]
    [InlineData("files", true)]
    [InlineData("tls", true)]
    public async Task A_stream_no_plan_waits_for_is_replayed_before_the_scheduler_subscribes(string stream, bool unreadable)
    {
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        var replay = new TaskCompletionSource();
        UnreadableJournal.Held[$"{service}/{stream}"] = replay.Task;
        if (unreadable)
        {
            UnreadableJournal.Streams[$"{service}/{stream}"] = "unknown event type actorscheduler.v1.FileRenamed";
        }

        var subscriptions = CreateTestProbe();
        var root = Sys.ActorOf(SchedulerRootActor.Props(Settings(service, subscriptions)));

        // The deploy plan is there (its steps and the pod recovered at once) while the stream still replays: no subscription.
        await AwaitAssertAsync(async () => Assert.IsType<PlanInfo>(await root.Ask<object>(new PlanProtocol.GetPlan("deploy"), TimeSpan.FromSeconds(5))));
        await subscriptions.ExpectNoMsgAsync(TimeSpan.FromSeconds(1));

        if (unreadable)
        {
            // The stream fails: the scheduler stops without ever having subscribed.
            await EventFilter.Error(contains: "cannot be replayed").ExpectOneAsync(async () =>
            {
                replay.SetResult();
                await AwaitConditionAsync(async () => (await root.Ask<SchedulerCondition>(GetSchedulerCondition.Instance)).Failure is not null);
            });
            await subscriptions.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));
        }
        else
        {
            replay.SetResult();
            await subscriptions.ExpectMsgAsync<FrameworkInfo>();
        }
    }

    [Fact]
    public async Task A_framework_Mesos_removed_stops_the_scheduler_for_good_with_what_to_do()
    {
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        IActorRef root = ActorRefs.Nobody;
        await EventFilter.Error(contains: "Framework has been removed").ExpectOneAsync(async () =>
        {
            root = Sys.ActorOf(SchedulerRootActor.Props(Settings(service, new RemovedFrameworkMaster())));
            await AwaitConditionAsync(async () => (await root.Ask<SchedulerCondition>(GetSchedulerCondition.Instance)).Failure is not null);
        });

        var condition = await root.Ask<SchedulerCondition>(GetSchedulerCondition.Instance);
        Assert.Contains("empty --data-dir", condition.Failure);
        var failed = await Assert.ThrowsAsync<SchedulerFailedException>(() => root.Ask<object>(new PlanProtocol.GetPlan("deploy"), TimeSpan.FromSeconds(5)));
        Assert.Null(failed.UnreadableStream);
    }

    [Fact]
    public async Task A_spec_with_nothing_valid_to_deploy_stops_the_scheduler_for_good_with_its_errors()
    {
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        var subscriptions = CreateTestProbe();
        var settings = Settings(service, subscriptions) with { RenderedSpec = $"name: {service}\npods: [" };

        IActorRef root = ActorRefs.Nobody;
        await EventFilter.Error(contains: "no valid config to deploy").ExpectOneAsync(async () =>
        {
            root = Sys.ActorOf(SchedulerRootActor.Props(settings));
            await AwaitConditionAsync(async () => (await root.Ask<SchedulerCondition>(GetSchedulerCondition.Instance, TimeSpan.FromSeconds(5))).Failure is not null);
        });

        Assert.Contains("svc.yml:2:", (await root.Ask<SchedulerCondition>(GetSchedulerCondition.Instance, TimeSpan.FromSeconds(5))).Failure);
        await Assert.ThrowsAsync<SchedulerFailedException>(() => root.Ask<object>(new PlanProtocol.GetPlan("deploy"), TimeSpan.FromSeconds(5)));
        await subscriptions.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));
    }

    private static SchedulerSettings Settings(string service, TestProbe subscriptions) => Settings(service, new SilentMaster(subscriptions));

    internal static SchedulerSettings Settings(string service, IMesosConnection master)
    {
        var gateway = new ActorScheduler.Actors.Mesos.GatewaySettings(new Uri("http://master.invalid:5050"), service, service + "-role", service + "-principal",
            "nobody", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1)) { Connection = () => master };
        var spec = $"""
            name: {service}
            pods:
              web:
                count: 1
                tasks:
                  server:
                    goal: RUNNING
                    cmd: sleep 100
                    cpus: 0.1
                    memory: 32
            """;
        return new SchedulerSettings(service, spec, "svc.yml", gateway, new ExecutorResources(), ImmutableArray<KeyValuePair<string, string>>.Empty);
    }

    /// <summary>A master that never answers a SUBSCRIBE; each one is told to the probe.</summary>
    private sealed class SilentMaster(TestProbe subscriptions) : IMesosConnection
    {
        public Task<IMesosEventStream> SubscribeAsync(FrameworkInfo framework, CancellationToken ct)
        {
            subscriptions.Ref.Tell(framework);
            return new TaskCompletionSource<IMesosEventStream>().Task;
        }

        public Task SendAsync(Call call, CancellationToken ct) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    /// <summary>A master that answers every SUBSCRIBE with the ERROR of a removed framework, and closes the stream.</summary>
    private sealed class RemovedFrameworkMaster : IMesosConnection
    {
        public Task<IMesosEventStream> SubscribeAsync(FrameworkInfo framework, CancellationToken ct) => Task.FromResult<IMesosEventStream>(new Refusal());

        public Task SendAsync(Call call, CancellationToken ct) => Task.CompletedTask;

        public void Dispose()
        {
        }

        private sealed class Refusal : IMesosEventStream
        {
            public string StreamId => "stream-1";

            public async IAsyncEnumerable<Event> ReadEventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
            {
                await Task.Yield();
                yield return new Event { Type = Event.Types.Type.Error, Error = new Event.Types.Error { Message = "Framework has been removed" } };
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
