using System.Collections.Immutable;
using ActorScheduler.Actors.Tests.Persistence;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Messages.State;
using ActorScheduler.Mesos.Client;
using Akka.Actor;
using Akka.Pattern;
using Akka.TestKit.Xunit2;
using Google.Protobuf;

namespace ActorScheduler.Actors.Tests.Root;

/// <summary>
/// A journal write that fails in any of the scheduler's persistent actors restarts the whole scheduler under its backoff
/// supervisor, as a failed write of the pods' and steps' entity journal does; none of them stops alone while the
/// scheduler carries on without it.
/// </summary>
public sealed class SchedulerRootWriteFailureTests : TestKit
{
    private static readonly RestartBackoff FastBackoff = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), MaxRestarts: 20, TimeSpan.FromMinutes(1));

    public SchedulerRootWriteFailureTests()
        : base(UnwritableJournal.Config + "\nakka.test.single-expect-default = 15s")
    {
    }

    [Theory]
    [InlineData("config")]
    [InlineData("framework")]
    [InlineData("files")]
    [InlineData("plan/deploy")]
    [InlineData("plan/deploy/phase/web")]
    [InlineData("pods")]
    public async Task A_failed_write_restarts_the_scheduler_under_its_backoff_supervisor(string stream)
    {
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        UnwritableJournal.Streams[$"{service}/{stream}"] = true;
        var settings = SchedulerRootFailureTests.Settings(service, new SubscribingMaster());
        var scheduler = Sys.ActorOf(SchedulerSupervisorActor.Props(SchedulerRootActor.Props(settings), FastBackoff));

        // What writes to the stream: the spec stored at start (config), the SUBSCRIBED framework id (framework), an
        // uploaded file (files), an operator's pause of the plan (plan/deploy) and of its phase (plan/deploy/phase/web),
        // the pod instances the target names, recorded at start (pods).
        scheduler.Tell(new StateProtocol.StoreFile("notes.txt", "text/plain", ByteString.CopyFromUtf8("hello")));
        scheduler.Tell(new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt));
        scheduler.Tell(new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt, Phase: "web"));

        await AwaitAssertAsync(
            async () => Assert.True((await scheduler.Ask<BackoffSupervisor.RestartCount>(BackoffSupervisor.GetRestartCount.Instance, TimeSpan.FromSeconds(5))).Count >= 1),
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(200));
    }

    /// <summary>
    /// A write the journal rejects (it could not serialize the event, the row is too large) is not stored either: the
    /// actor that wrote it stops and the scheduler restarts on what is durable, as on a failed write — never carrying on
    /// as if it were recorded, nor without that actor.
    /// </summary>
    [Theory]
    [InlineData("config")]
    [InlineData("framework")]
    [InlineData("files")]
    [InlineData("plan/deploy")]
    [InlineData("plan/deploy/phase/web")]
    [InlineData("pods")]
    public async Task A_rejected_write_restarts_the_scheduler_under_its_backoff_supervisor(string stream)
    {
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        UnwritableJournal.Rejected[$"{service}/{stream}"] = true;
        var failed = CreateTestProbe();
        Sys.EventStream.Subscribe(failed, typeof(JournalWriteFailed));
        var settings = SchedulerRootFailureTests.Settings(service, new SubscribingMaster());
        var scheduler = Sys.ActorOf(SchedulerSupervisorActor.Props(SchedulerRootActor.Props(settings), FastBackoff));

        scheduler.Tell(new StateProtocol.StoreFile("notes.txt", "text/plain", ByteString.CopyFromUtf8("hello")));
        scheduler.Tell(new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt));
        scheduler.Tell(new PlanProtocol.Command("deploy", PlanCommandKind.Interrupt, Phase: "web"));

        // Said once, with what the journal said: the supervisor names it if it gives up.
        var said = failed.FishForMessage<JournalWriteFailed>(m => m.PersistenceId == $"{service}/{stream}");
        Assert.Contains("rejected", said.Reason, StringComparison.Ordinal);
        Assert.Contains("the journal cannot store this row", said.Reason, StringComparison.Ordinal);
        await AwaitAssertAsync(
            async () => Assert.True((await scheduler.Ask<BackoffSupervisor.RestartCount>(BackoffSupervisor.GetRestartCount.Instance, TimeSpan.FromSeconds(5))).Count >= 1),
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(200));
    }

    /// <summary>
    /// A write that failed because the journal's server could not be reached stops the scheduler for good, at once,
    /// saying so — a restart could not replay (and would be taken for an unreadable journal): <c>run</c> exits for its
    /// supervisor to start it again once the server answers.
    /// </summary>
    [Fact]
    public async Task A_write_whose_journal_server_could_not_be_reached_stops_the_scheduler_for_good_without_a_restart()
    {
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        // The pod instances the target names, recorded at start.
        UnwritableJournal.Unreachable[$"{service}/pods"] = true;
        var settings = SchedulerRootFailureTests.Settings(service, new SubscribingMaster());
        var scheduler = Sys.ActorOf(SchedulerSupervisorActor.Props(SchedulerRootActor.Props(settings), FastBackoff));

        await AwaitAssertAsync(
            async () => Assert.Equal(
                $"the journal's server could not be reached: the journal stream {service}/pods could not be written (Connection refused)",
                (await scheduler.Ask<SchedulerCondition>(GetSchedulerCondition.Instance, TimeSpan.FromSeconds(5))).Failure),
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(200));
        var failed = await Assert.ThrowsAsync<SchedulerFailedException>(() => scheduler.Ask<object>(new PlanProtocol.GetPlan("deploy"), TimeSpan.FromSeconds(5)));
        Assert.True(failed.JournalUnavailable);
        Assert.Null(failed.UnreadableStream);
        Assert.Equal(0, (await scheduler.Ask<BackoffSupervisor.RestartCount>(BackoffSupervisor.GetRestartCount.Instance, TimeSpan.FromSeconds(5))).Count);
    }

    /// <summary>
    /// A write the clustered journal's fence refused (this node no longer holds the scheduler lease) stands the scheduler
    /// down on this node: one warning saying why, no restart (its replay would subscribe to Mesos behind the back of the
    /// node that holds the lease), and no failure for good (<c>run</c> would exit, when the node only lost the lease);
    /// the root still answers whether it runs, and its singleton's stop ends it.
    /// </summary>
    [Theory]
    [InlineData("config")]
    [InlineData("pods")]
    public async Task A_write_refused_by_the_lease_fence_stands_the_scheduler_down_without_a_restart_or_a_failure(string stream)
    {
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        UnwritableJournal.Fenced[$"{service}/{stream}"] = true;
        var settings = SchedulerRootFailureTests.Settings(service, new SubscribingMaster());

        IActorRef scheduler = ActorRefs.Nobody;
        await EventFilter.Warning(contains: $"A journal write of {service}/{stream} was refused because this node no longer holds the scheduler lease: INSERT refused: this node [actorscheduler@10.0.0.11:25520#5f0c2a9e] does not hold the scheduler lease (held by [actorscheduler@10.0.0.12:25520#c41e07b3] for 11500 ms more); nothing of it is stored, and the scheduler stands down on this node")
            .ExpectOneAsync(TimeSpan.FromSeconds(15), () =>
            {
                scheduler = Sys.ActorOf(SchedulerSupervisorActor.Props(SchedulerRootActor.Props(settings), FastBackoff));
                return Task.CompletedTask;
            });

        // The same root answers (a restarting one would not), running nothing and failed for nothing.
        var condition = await scheduler.Ask<SchedulerCondition>(GetSchedulerCondition.Instance, TimeSpan.FromSeconds(5));
        Assert.Null(condition.Failure);
        Assert.False(condition.Reconciled);
        Assert.Equal(0, (await scheduler.Ask<BackoffSupervisor.RestartCount>(BackoffSupervisor.GetRestartCount.Instance, TimeSpan.FromSeconds(5))).Count);
        // Its children are gone: the gateway's subscription closed, nothing more is written.
        var root = await Sys.ActorSelection(SchedulerSupervisorActor.SchedulerPath(scheduler.Path)).ResolveOne(TimeSpan.FromSeconds(5));
        await AwaitAssertAsync(
            async () => await Assert.ThrowsAsync<ActorNotFoundException>(() => Sys.ActorSelection(root.Path / "mesos").ResolveOne(TimeSpan.FromSeconds(1))),
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(100));
    }

    /// <summary>A master that answers every SUBSCRIBE with SUBSCRIBED, then stays silent.</summary>
    private sealed class SubscribingMaster : IMesosConnection
    {
        public Task<IMesosEventStream> SubscribeAsync(FrameworkInfo framework, CancellationToken ct) => Task.FromResult<IMesosEventStream>(new Subscribed());

        public Task SendAsync(Call call, CancellationToken ct) => Task.CompletedTask;

        public void Dispose()
        {
        }

        private sealed class Subscribed : IMesosEventStream
        {
            public string StreamId => "stream-1";

            public async IAsyncEnumerable<Event> ReadEventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
            {
                yield return new Event
                {
                    Type = Event.Types.Type.Subscribed,
                    Subscribed = new Event.Types.Subscribed { FrameworkId = new FrameworkID { Value = "fw-1" }, HeartbeatIntervalSeconds = 15 },
                };
                await Task.Delay(Timeout.Infinite, ct);
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
