using ActorScheduler.Mesos.Client;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Google.Protobuf;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>Reservations, volumes, real task processes and reliable updates, through the client.</summary>
public sealed class TaskLifecycleTests : IAsyncLifetime
{
    private EmulatorFixture _fixture = null!;

    public async Task InitializeAsync() => _fixture = await EmulatorFixture.StartAsync(agents: 1);

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task A_task_writes_into_its_volume_runs_is_killed_and_its_reservation_comes_back()
    {
        using var client = new MesosSchedulerClient(_fixture.Emulator.Url);
        await using var events = new EventPump(await client.SubscribeAsync(EmulatorFixture.Framework(), CancellationToken.None));
        var frameworkId = (await events.NextAsync(e => e.Type == Event.Types.Type.Subscribed, "SUBSCRIBED")).Subscribed.FrameworkId;

        var offer = await OfferAsync(events);
        var (task, volumeId) = Launch(offer, "echo written > data/file && sleep 60");
        await client.SendAsync(Accept(frameworkId, offer, task, volumeId, reserve: true), CancellationToken.None);

        var starting = (await events.UpdateAsync(task.TaskId.Value, TaskState.TaskStarting)).Update.Status;
        Assert.Equal(TaskStatus.Types.Source.Executor, starting.Source);
        Assert.Equal(16, starting.Uuid.Length);
        await client.SendAsync(Ack(frameworkId, starting), CancellationToken.None);
        var running = (await events.UpdateAsync(task.TaskId.Value, TaskState.TaskRunning)).Update.Status;
        await client.SendAsync(Ack(frameworkId, running), CancellationToken.None);

        // Explicit reconciliation: master-generated answers carry no uuid.
        await client.SendAsync(Reconcile(frameworkId, task.TaskId.Value, "nope__1"), CancellationToken.None);
        var known = (await events.NextAsync(e => e.Update?.Status.TaskId.Value == task.TaskId.Value && e.Update.Status.Reason == TaskStatus.Types.Reason.Reconciliation, "reconciliation of the task")).Update.Status;
        Assert.Equal(TaskState.TaskRunning, known.State);
        Assert.False(known.HasUuid);
        var unknown = (await events.NextAsync(e => e.Update?.Status.TaskId.Value == "nope__1", "reconciliation of an unknown task")).Update.Status;
        Assert.Equal(TaskState.TaskGone, unknown.State);

        var volume = Directory.EnumerateDirectories(_fixture.DataDir, volumeId, SearchOption.AllDirectories).Single();
        await WaitForFileAsync(Path.Combine(volume, "file"));

        await client.SendAsync(new Call { FrameworkId = frameworkId, Type = Call.Types.Type.Kill, Kill = new Call.Types.Kill { TaskId = task.TaskId } }, CancellationToken.None);
        var killed = (await events.UpdateAsync(task.TaskId.Value, TaskState.TaskKilled)).Update.Status;
        await client.SendAsync(Ack(frameworkId, killed), CancellationToken.None);

        // The reservation and the volume (with its file) come back in a later offer.
        await client.SendAsync(new Call { FrameworkId = frameworkId, Type = Call.Types.Type.Revive, Revive = new Call.Types.Revive() }, CancellationToken.None);
        var again = await OfferAsync(events, o => o.Resources.Any(r => r.Disk?.Persistence?.Id == volumeId));
        Assert.Contains(again.Resources, r => r.Reservations.Count == 1 && r.Reservations[0].Labels.Labels_.Any(l => l.Key == "resource_id"));
        Assert.Equal("written", File.ReadAllText(Path.Combine(volume, "file")).Trim());
    }

    [Fact]
    public async Task A_launch_on_an_offer_that_is_gone_reports_TASK_DROPPED_without_uuid()
    {
        using var client = new MesosSchedulerClient(_fixture.Emulator.Url);
        await using var events = new EventPump(await client.SubscribeAsync(EmulatorFixture.Framework(), CancellationToken.None));
        var frameworkId = (await events.NextAsync(e => e.Type == Event.Types.Type.Subscribed, "SUBSCRIBED")).Subscribed.FrameworkId;
        var offer = await OfferAsync(events);
        await client.SendAsync(new Call { FrameworkId = frameworkId, Type = Call.Types.Type.Decline, Decline = new Call.Types.Decline { OfferIds = { offer.Id } } }, CancellationToken.None);

        var (task, volumeId) = Launch(offer, "true");
        await client.SendAsync(Accept(frameworkId, offer, task, volumeId, reserve: true), CancellationToken.None);

        var dropped = (await events.UpdateAsync(task.TaskId.Value, TaskState.TaskDropped)).Update.Status;
        Assert.Equal(TaskStatus.Types.Reason.InvalidOffers, dropped.Reason);
        Assert.False(dropped.HasUuid);
    }

    [Fact]
    public async Task After_a_restart_the_agent_re_adopts_the_live_process_and_resends_unacknowledged_updates()
    {
        using var client = new MesosSchedulerClient(_fixture.Emulator.Url);
        FrameworkID frameworkId;
        string taskId;
        int pid;
        await using (var events = new EventPump(await client.SubscribeAsync(EmulatorFixture.Framework(), CancellationToken.None)))
        {
            frameworkId = (await events.NextAsync(e => e.Type == Event.Types.Type.Subscribed, "SUBSCRIBED")).Subscribed.FrameworkId;
            var offer = await OfferAsync(events);
            var (task, volumeId) = Launch(offer, "sleep 60");
            taskId = task.TaskId.Value;
            await client.SendAsync(Accept(frameworkId, offer, task, volumeId, reserve: true), CancellationToken.None);

            // STARTING stays unacknowledged across the restart.
            await events.UpdateAsync(taskId, TaskState.TaskStarting);
            pid = _fixture.Emulator.Snapshot().Tasks.Single().Pid!.Value;
        }

        await _fixture.RestartAsync();

        using var again = new MesosSchedulerClient(_fixture.Emulator.Url);
        await using var resumed = new EventPump(await again.SubscribeAsync(EmulatorFixture.Framework(frameworkId.Value), CancellationToken.None));
        Assert.Equal(frameworkId.Value, (await resumed.NextAsync(e => e.Type == Event.Types.Type.Subscribed, "SUBSCRIBED")).Subscribed.FrameworkId.Value);
        var resent = (await resumed.UpdateAsync(taskId, TaskState.TaskStarting)).Update.Status;
        Assert.True(resent.HasUuid);

        await again.SendAsync(Reconcile(frameworkId, taskId), CancellationToken.None);
        var state = (await resumed.NextAsync(e => e.Update?.Status.Reason == TaskStatus.Types.Reason.Reconciliation, "reconciliation")).Update.Status;
        Assert.Equal(TaskState.TaskRunning, state.State);
        var snapshot = _fixture.Emulator.Snapshot();
        Assert.Equal(pid, snapshot.Tasks.Single().Pid);
        Assert.True(Directory.Exists($"/proc/{pid}"));
    }

    [Fact]
    public async Task Ports_are_offered_taken_by_a_task_and_refused_twice()
    {
        using var client = new MesosSchedulerClient(_fixture.Emulator.Url);
        await using var events = new EventPump(await client.SubscribeAsync(EmulatorFixture.Framework(), CancellationToken.None));
        var frameworkId = (await events.NextAsync(e => e.Type == Event.Types.Type.Subscribed, "SUBSCRIBED")).Subscribed.FrameworkId;
        var offer = await OfferAsync(events);
        var ports = offer.Resources.Single(r => r.Name == "ports");
        Assert.Equal((31000UL, 32000UL), (ports.Ranges.Range.Single().Begin, ports.Ranges.Range.Single().End));

        TaskInfo Task(string name) => new()
        {
            Name = name,
            TaskId = new TaskID { Value = $"{name}__{Guid.NewGuid()}" },
            AgentId = offer.AgentId,
            Command = new CommandInfo { Value = "sleep 60" },
            Resources =
            {
                new Resource { Name = "cpus", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 0.1 } },
                new Resource { Name = "ports", Type = Value.Types.Type.Ranges, Ranges = new Value.Types.Ranges { Range = { new Value.Types.Range { Begin = 31005, End = 31005 } } } },
            },
        };
        var first = Task("a");
        var second = Task("b");
        await client.SendAsync(new Call
        {
            FrameworkId = frameworkId,
            Type = Call.Types.Type.Accept,
            Accept = new Call.Types.Accept
            {
                OfferIds = { offer.Id },
                Operations = { new Offer.Types.Operation { Type = OperationType.Launch, Launch = new Offer.Types.Operation.Types.Launch { TaskInfos = { first, second } } } },
                Filters = new Filters { RefuseSeconds = 0 },
            },
        }, CancellationToken.None);

        // RUNNING follows only once STARTING is acknowledged; the master's TASK_ERROR needs no acknowledgement.
        var starting = (await events.UpdateAsync(first.TaskId.Value, TaskState.TaskStarting)).Update.Status;
        var error = (await events.UpdateAsync(second.TaskId.Value, TaskState.TaskError)).Update.Status;
        Assert.Equal(TaskStatus.Types.Reason.TaskInvalid, error.Reason);
        Assert.False(error.HasUuid);
        await client.SendAsync(Ack(frameworkId, starting), CancellationToken.None);
        await events.UpdateAsync(first.TaskId.Value, TaskState.TaskRunning);
        var next = await OfferAsync(events);
        Assert.DoesNotContain(next.Resources.Single(r => r.Name == "ports").Ranges.Range, r => r.Begin <= 31005 && 31005 <= r.End);
    }

    private static async Task<Offer> OfferAsync(EventPump events, Func<Offer, bool>? match = null)
    {
        var e = await events.NextAsync(e => e.Type == Event.Types.Type.Offers && e.Offers.Offers_.Any(match ?? (_ => true)), "an offer");
        return e.Offers.Offers_.First(match ?? (_ => true));
    }

    private static (TaskInfo Task, string VolumeId) Launch(Offer offer, string command)
    {
        var volumeId = Guid.NewGuid().ToString();
        var task = new TaskInfo
        {
            Name = "t",
            TaskId = new TaskID { Value = $"t__{Guid.NewGuid()}" },
            AgentId = offer.AgentId,
            Command = new CommandInfo { Value = command },
            Resources = { Reserved("cpus", 0.5, "t"), Reserved("mem", 64, "t"), AsVolume(Reserved("disk", 10, "v"), volumeId) },
        };
        return (task, volumeId);
    }

    private static Call Accept(FrameworkID frameworkId, Offer offer, TaskInfo task, string volumeId, bool reserve)
    {
        var executor = new ExecutorInfo
        {
            Type = ExecutorInfo.Types.Type.Default,
            ExecutorId = new ExecutorID { Value = $"e__{Guid.NewGuid()}" },
            FrameworkId = frameworkId,
            Resources = { Reserved("cpus", 0.1, "e"), Reserved("mem", 32, "e") },
        };
        var volume = task.Resources.Single(r => r.Disk is not null);
        var plainDisk = volume.Clone();
        plainDisk.Disk = null;
        var accept = new Call.Types.Accept { OfferIds = { offer.Id }, Filters = new Filters { RefuseSeconds = 0 } };
        if (reserve)
        {
            accept.Operations.Add(new Offer.Types.Operation
            {
                Type = OperationType.Reserve,
                Reserve = new Offer.Types.Operation.Types.Reserve { Resources = { task.Resources.Where(r => r.Disk is null), plainDisk, executor.Resources } },
            });
            accept.Operations.Add(new Offer.Types.Operation { Type = OperationType.Create, Create = new Offer.Types.Operation.Types.Create { Volumes = { volume } } });
        }

        accept.Operations.Add(new Offer.Types.Operation
        {
            Type = OperationType.LaunchGroup,
            LaunchGroup = new Offer.Types.Operation.Types.LaunchGroup { Executor = executor, TaskGroup = new TaskGroupInfo { Tasks = { task } } },
        });
        return new Call { FrameworkId = frameworkId, Type = Call.Types.Type.Accept, Accept = accept };
    }

    private static Resource Reserved(string name, double amount, string id) => new()
    {
        Name = name,
        Type = Value.Types.Type.Scalar,
        Scalar = new Value.Types.Scalar { Value = amount },
        Reservations =
        {
            new Resource.Types.ReservationInfo
            {
                Type = Resource.Types.ReservationInfo.Types.Type.Dynamic,
                Role = "test-role",
                Principal = "test-principal",
                Labels = new Labels { Labels_ = { new Label { Key = "resource_id", Value = $"{id}-{Guid.NewGuid()}" } } },
            },
        },
    };

    private static Resource AsVolume(Resource disk, string persistenceId)
    {
        disk.Disk = new Resource.Types.DiskInfo
        {
            Persistence = new Resource.Types.DiskInfo.Types.Persistence { Id = persistenceId, Principal = "test-principal" },
            Volume = new Volume { Mode = Volume.Types.Mode.Rw, ContainerPath = "data" },
        };
        return disk;
    }

    private static Call Ack(FrameworkID frameworkId, TaskStatus status) => new()
    {
        FrameworkId = frameworkId,
        Type = Call.Types.Type.Acknowledge,
        Acknowledge = new Call.Types.Acknowledge { AgentId = status.AgentId, TaskId = status.TaskId, Uuid = status.Uuid },
    };

    private static Call Reconcile(FrameworkID frameworkId, params string[] taskIds) => new()
    {
        FrameworkId = frameworkId,
        Type = Call.Types.Type.Reconcile,
        Reconcile = new Call.Types.Reconcile { Tasks = { taskIds.Select(id => new Call.Types.Reconcile.Types.Task { TaskId = new TaskID { Value = id } }) } },
    };

    private static async Task WaitForFileAsync(string path)
    {
        for (var i = 0; i < 100 && !File.Exists(path); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(path), $"{path} was never written");
    }
}
