using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

public sealed class MesosEmulatorTests
{
    [Fact]
    public async Task Reserve_create_and_launch_group_runs_a_real_task_that_writes_into_its_volume()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info(failoverTimeout: 60));

        var offer = await framework.NextOfferAsync();
        Assert.All(offer.Resources, r => Assert.Equal("*", r.Role));
        Assert.Null(offer.Resources[0].AllocationInfo);
        Assert.Null(offer.AllocationInfo);

        var cpus = Scalar("cpus", 0.5, "test-role", null, ("resource_id", "cpus-1"));
        var mem = Scalar("mem", 64, "test-role", null, ("resource_id", "mem-1"));
        var disk = Scalar("disk", 100, "test-role", null, ("resource_id", "disk-1"));
        var volume = Volume(disk, "vol-1", "data");
        var task = CommandTask("task-1", offer, "echo hello > data/out.txt && echo \"$MESOS_TASK_ID\" > data/id.txt", cpus, mem, volume);
        await framework.AcceptAsync(offer, Reserve(cpus, mem, disk), Create(volume), LaunchGroup(DefaultExecutor("exec-1"), task));

        var starting = await framework.NextUpdateAsync("task-1");
        Assert.Equal(TaskState.TaskStarting, starting.State);
        Assert.Equal(16, starting.Uuid.Length);
        Assert.Equal(TaskStatus.Types.Source.Executor, starting.Source);
        Assert.Equal(offer.AgentId, starting.AgentId);
        Assert.Equal("exec-1", starting.ExecutorId.Value);
        await framework.AcknowledgeAsync(starting);
        var running = await framework.NextUpdateAsync("task-1");
        Assert.Equal(TaskState.TaskRunning, running.State);
        await framework.AcknowledgeAsync(running);
        var finished = await framework.NextUpdateAsync("task-1");
        Assert.Equal(TaskState.TaskFinished, finished.State);
        Assert.True(finished.HasUuid);
        await framework.AcknowledgeAsync(finished);

        var agent = emulator.Snapshot().Agents.Single();
        var volumeDir = Path.Combine(agent.WorkDir, "volumes", "roles", "test-role", "vol-1");
        Assert.Equal("hello", File.ReadAllText(Path.Combine(volumeDir, "out.txt")).Trim());
        Assert.Equal("task-1", File.ReadAllText(Path.Combine(volumeDir, "id.txt")).Trim());

        // Once the task ended, its reservation and volume come back, with the same labels.
        var again = await framework.NextOfferAsync(o => o.Resources.Any(r => r.Disk?.Persistence?.Id == "vol-1"));
        var offeredVolume = again.Resources.Single(r => r.Disk?.Persistence?.Id == "vol-1");
        Assert.Equal("test-role", offeredVolume.Role);
        Assert.Equal("disk-1", offeredVolume.Reservation.Labels.Labels_.Single(l => l.Key == "resource_id").Value);
        Assert.Equal(0.5, ScalarOf(again, "cpus", r => r.Role == "test-role"), 3);
        Assert.Equal(64, ScalarOf(again, "mem", r => r.Role == "test-role"), 3);
        Assert.Empty(emulator.Snapshot().Tasks);
    }

    [Fact]
    public async Task Tasks_of_a_group_share_their_executor_s_volume_through_a_sandbox_path_parent_volume()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info(failoverTimeout: 60));
        var offer = await framework.NextOfferAsync();

        // The executor holds the volume (as a DC/OS pod volume); each task's MESOS container names it as its parent's.
        var disk = Scalar("disk", 100, "test-role", null, ("resource_id", "disk-1"));
        var volume = Volume(disk, "vol-1", "shared");
        var parent = new ContainerInfo
        {
            Type = ContainerInfo.Types.Type.Mesos,
            Volumes =
            {
                new Messages.MesosV1.Volume
                {
                    Mode = Messages.MesosV1.Volume.Types.Mode.Rw,
                    ContainerPath = "shared",
                    Source = new Messages.MesosV1.Volume.Types.Source
                    {
                        Type = Messages.MesosV1.Volume.Types.Source.Types.Type.SandboxPath,
                        SandboxPath = new Messages.MesosV1.Volume.Types.Source.Types.SandboxPath
                        {
                            Type = Messages.MesosV1.Volume.Types.Source.Types.SandboxPath.Types.Type.Parent,
                            Path = "shared",
                        },
                    },
                },
            },
        };
        var writer = CommandTask("writer", offer, "echo written > shared/a.txt");
        var reader = CommandTask("reader", offer, "until [ -s shared/a.txt ]; do sleep 0.1; done; cat shared/a.txt > shared/b.txt");
        writer.Container = parent;
        reader.Container = parent;
        await framework.AcceptAsync(offer, Reserve(disk), Create(volume), LaunchGroup(DefaultExecutor("exec-1", Scalar("cpus", 0.1), Scalar("mem", 32), volume), writer, reader));

        await framework.AwaitStateAcknowledgingAsync("writer", TaskState.TaskFinished);
        await framework.AwaitStateAcknowledgingAsync("reader", TaskState.TaskFinished);

        var volumeDir = Path.Combine(emulator.Snapshot().Agents.Single().WorkDir, "volumes", "roles", "test-role", "vol-1");
        Assert.Equal("written", File.ReadAllText(Path.Combine(volumeDir, "b.txt")).Trim());
    }

    [Fact]
    public async Task With_zones_offers_carry_each_agents_fault_domain_round_robin()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path, agents: 3);
        options.Zones = 2;
        options.Region = "eu";
        await using var emulator = await MesosEmulator.StartAsync(options);
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());

        var zones = new Dictionary<string, string>();
        while (zones.Count < 3)
        {
            var offers = await framework.NextAsync(e => e.Type == Event.Types.Type.Offers);
            foreach (var offer in offers.Offers.Offers_)
            {
                Assert.Equal("eu", offer.Domain.FaultDomain.Region.Name);
                zones[offer.Hostname] = offer.Domain.FaultDomain.Zone.Name;
            }
        }

        Assert.Equal(["127.0.0.1=zone-1", "127.0.0.2=zone-2", "127.0.0.3=zone-1"], zones.OrderBy(z => z.Key).Select(z => $"{z.Key}={z.Value}"));
    }

    [Fact]
    public async Task Without_zones_offers_carry_no_domain()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());

        Assert.Null((await framework.NextOfferAsync()).Domain);
    }

    [Fact]
    public async Task A_single_reserved_port_leaves_a_hole_in_the_offered_range_and_unreserving_merges_it_back()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());

        var offer = await framework.NextOfferAsync();
        Assert.Equal([(31000UL, 32000UL)], Unreserved(offer));
        var port = Ports((31005, 31005), "test-role", ("resource_id", "port-1"));
        await framework.AcceptAsync(offer, Reserve(port));

        var reserved = await framework.NextOfferAsync(o => o.Resources.Any(r => r.Name == "ports" && r.Role == "test-role"));
        var offeredPort = reserved.Resources.Single(r => r.Name == "ports" && r.Role == "test-role");
        Assert.Equal((31005UL, 31005UL), (offeredPort.Ranges.Range.Single().Begin, offeredPort.Ranges.Range.Single().End));
        Assert.Equal("port-1", offeredPort.Reservation.Labels.Labels_.Single(l => l.Key == "resource_id").Value);
        Assert.Equal([(31000UL, 31004UL), (31006UL, 32000UL)], Unreserved(reserved));
        Assert.Equal(1, emulator.Snapshot().Agents.Single().Reserved.Ports);

        await framework.AcceptAsync(reserved, Unreserve(offeredPort));
        var merged = await framework.NextOfferAsync(o => o.Resources.Any(r => r.Name == "ports") && o.Resources.All(r => r.Role == "*"));
        Assert.Equal([(31000UL, 32000UL)], Unreserved(merged));
        Assert.Equal(0, emulator.Snapshot().Agents.Single().Reserved.Ports);
    }

    private static List<(ulong, ulong)> Unreserved(Offer offer) =>
        offer.Resources.Where(r => r.Name == "ports" && r.Role == "*").SelectMany(r => r.Ranges.Range).Select(r => (r.Begin, r.End)).Order().ToList();

    [Fact]
    public async Task Kill_terminates_the_process_group_and_reports_TASK_KILLED()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());

        var offer = await framework.NextOfferAsync();
        await framework.AcceptAsync(offer, Launch(CommandTask("sleeper", offer, "sleep 120")));
        await framework.AwaitStateAcknowledgingAsync("sleeper", TaskState.TaskRunning);
        var pid = emulator.Snapshot().Tasks.Single().Pid!.Value;
        Assert.True(ProcFs.ReadStat(pid) is not null);

        await framework.SendAsync(new Call { Type = Call.Types.Type.Kill, Kill = new Call.Types.Kill { TaskId = new TaskID { Value = "sleeper" } } });

        var killed = await framework.AwaitStateAcknowledgingAsync("sleeper", TaskState.TaskKilled);
        Assert.Equal(TaskStatus.Types.Source.Executor, killed.Source);
        Assert.True(ProcFs.ReadStat(pid) is null or { State: 'Z' });
    }

    [Fact]
    public async Task Explicit_reconciliation_answers_known_and_unknown_tasks_from_the_master()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());

        var offer = await framework.NextOfferAsync();
        await framework.AcceptAsync(offer, Launch(CommandTask("known", offer, "sleep 120")));
        await framework.AwaitStateAcknowledgingAsync("known", TaskState.TaskRunning);

        var reconcile = new Call { Type = Call.Types.Type.Reconcile, Reconcile = new Call.Types.Reconcile() };
        reconcile.Reconcile.Tasks.Add(new Call.Types.Reconcile.Types.Task { TaskId = new TaskID { Value = "known" } });
        reconcile.Reconcile.Tasks.Add(new Call.Types.Reconcile.Types.Task { TaskId = new TaskID { Value = "unknown" } });
        await framework.SendAsync(reconcile);

        var known = await framework.NextUpdateAsync("known");
        Assert.Equal(TaskState.TaskRunning, known.State);
        Assert.Equal(TaskStatus.Types.Source.Master, known.Source);
        Assert.Equal(TaskStatus.Types.Reason.Reconciliation, known.Reason);
        Assert.False(known.HasUuid);
        Assert.Equal(offer.AgentId, known.AgentId);
        var unknown = await framework.NextUpdateAsync("unknown");
        Assert.Equal(TaskState.TaskLost, unknown.State);
        Assert.Equal(TaskStatus.Types.Reason.Reconciliation, unknown.Reason);
        Assert.False(unknown.HasUuid);

        // Implicit reconciliation reports every task the master knows.
        await framework.SendAsync(new Call { Type = Call.Types.Type.Reconcile, Reconcile = new Call.Types.Reconcile() });
        var implicitAnswer = await framework.NextUpdateAsync("known");
        Assert.Equal(TaskState.TaskRunning, implicitAnswer.State);
        Assert.False(implicitAnswer.HasUuid);
    }

    [Fact]
    public async Task A_resource_without_the_value_its_type_says_is_TASK_ERROR_and_the_ACCEPT_is_answered_202()
    {
        // Found by SchedulerEndpointMutationTests (seed 5, mutation 321): a JSON key "scal]ar" left a SCALAR cpus without
        // its value; with a mem the offer did not hold, describing the shortfall threw NullReferenceException in the
        // master and the ACCEPT was answered 500 (with all of the offer's mem, the task was launched without cpus).
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var valueless = Scalar("cpus", 0.1);
        valueless.Scalar = null;

        await framework.AcceptAsync(offer, Launch(CommandTask("valueless", offer, "true", valueless, Scalar("mem", 32, "no-such-role"))));

        var error = await framework.NextUpdateAsync("valueless");
        Assert.Equal((TaskState.TaskError, TaskStatus.Types.Reason.TaskInvalid), (error.State, error.Reason));
        Assert.Equal("Invalid resources: Invalid scalar resource 'cpus': expecting 'scalar' and only 'scalar' to be set", error.Message);
    }

    [Fact]
    public async Task A_failing_command_is_TASK_FAILED_and_a_bad_task_is_TASK_ERROR_from_the_master()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());

        var offer = await framework.NextOfferAsync();
        var noResources = CommandTask("no-resources", offer, "true");
        noResources.Resources.Clear();
        await framework.AcceptAsync(offer, Launch(CommandTask("fails", offer, "exit 3"), noResources));

        var error = await framework.NextUpdateAsync("no-resources");
        Assert.Equal(TaskState.TaskError, error.State);
        Assert.Equal(TaskStatus.Types.Source.Master, error.Source);
        Assert.Equal(TaskStatus.Types.Reason.TaskInvalid, error.Reason);
        Assert.False(error.HasUuid);
        var failed = await framework.AwaitStateAcknowledgingAsync("fails", TaskState.TaskFailed);
        Assert.Contains("status 3", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_id_that_a_live_task_holds_is_TASK_ERROR_until_that_task_is_gone()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());

        var first = await framework.NextOfferAsync();
        await framework.AcceptAsync(first, Launch(CommandTask("twin", first, "sleep 30")));
        await framework.AwaitStateAcknowledgingAsync("twin", TaskState.TaskRunning);

        await framework.SendAsync(new Call { Type = Call.Types.Type.Revive, Revive = new Call.Types.Revive() });
        var second = await framework.NextOfferAsync();
        await framework.AcceptAsync(second, Launch(CommandTask("twin", second, "true")));
        var duplicate = await framework.NextUpdateAsync("twin", TaskState.TaskError);
        Assert.Contains("duplicate ID", duplicate.Message, StringComparison.Ordinal);

        await framework.SendAsync(new Call { Type = Call.Types.Type.Kill, Kill = new Call.Types.Kill { TaskId = new TaskID { Value = "twin" } } });
        await framework.AwaitStateAcknowledgingAsync("twin", TaskState.TaskKilled);
        await framework.SendAsync(new Call { Type = Call.Types.Type.Revive, Revive = new Call.Types.Revive() });
        var third = await framework.NextOfferAsync();
        await framework.AcceptAsync(third, Launch(CommandTask("twin", third, "sleep 30")));
        await framework.AwaitStateAcknowledgingAsync("twin", TaskState.TaskRunning);
    }

    [Fact]
    public async Task An_agent_marked_gone_and_restarted_under_a_new_id_takes_acknowledgements_and_kills()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());
        var first = await framework.NextOfferAsync();
        await framework.AcceptAsync(first, Launch(CommandTask("before", first, "sleep 30")));
        await framework.AwaitStateAcknowledgingAsync("before", TaskState.TaskRunning);

        // Gone, then back with a new id: the agent list loses one agent and gains one (the same count as before).
        await emulator.Faults.MarkAgentGoneAsync(first.AgentId.Value);
        var newId = await emulator.Faults.RestartAgentAsync(first.AgentId.Value);
        await framework.SendAsync(new Call { Type = Call.Types.Type.Revive, Revive = new Call.Types.Revive() });
        var offer = await framework.NextOfferAsync(o => o.AgentId.Value == newId);
        await framework.AcceptAsync(offer, Launch(CommandTask("after", offer, "sleep 30")));
        await framework.AwaitStateAcknowledgingAsync("after", TaskState.TaskRunning);

        // The master found the new agent for the acknowledgement (nothing left to resend) and for the kill.
        await Eventually.TrueAsync(() => emulator.Snapshot().Tasks.Single(t => t.Name == "after").PendingUpdates == 0, "the RUNNING update acknowledged");
        await framework.SendAsync(new Call { Type = Call.Types.Type.Kill, Kill = new Call.Types.Kill { TaskId = new TaskID { Value = "after" } } });
        var killed = await framework.AwaitStateAcknowledgingAsync("after", TaskState.TaskKilled);
        Assert.Equal(newId, killed.AgentId.Value);
    }

    [Fact]
    public async Task Accepting_a_stale_offer_loses_its_tasks_with_REASON_INVALID_OFFERS()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info());

        var offer = await framework.NextOfferAsync();
        await framework.DeclineAsync(offer, refuseSeconds: 60);
        await framework.AcceptAsync(offer, Launch(CommandTask("late", offer, "true")));

        var lost = await framework.NextUpdateAsync("late");
        Assert.Equal(TaskState.TaskLost, lost.State);
        Assert.Equal(TaskStatus.Types.Reason.InvalidOffers, lost.Reason);
        Assert.Equal(TaskStatus.Types.Source.Master, lost.Source);
        Assert.StartsWith("Task launched with invalid offers", lost.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declined_resources_are_filtered_until_REVIVE_and_SUPPRESS_stops_offers()
    {
        using var dir = new TempDir();
        await using var emulator = await MesosEmulator.StartAsync(TestEmulator.Options(dir.Path));
        await using var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info(multiRole: true));

        var offer = await framework.NextOfferAsync();
        Assert.Equal("test-role", offer.AllocationInfo.Role);
        Assert.All(offer.Resources, r => Assert.Equal("test-role", r.AllocationInfo.Role));
        await framework.DeclineAsync(offer, refuseSeconds: 3600);
        await Assert.ThrowsAsync<TimeoutException>(() => framework.NextOfferAsync(timeout: TimeSpan.FromMilliseconds(500)));

        await framework.SendAsync(new Call { Type = Call.Types.Type.Revive });
        var revived = await framework.NextOfferAsync();
        Assert.NotEqual(offer.Id, revived.Id);

        await framework.SendAsync(new Call { Type = Call.Types.Type.Suppress });
        await framework.DeclineAsync(revived, refuseSeconds: 0);
        await Assert.ThrowsAsync<TimeoutException>(() => framework.NextOfferAsync(timeout: TimeSpan.FromMilliseconds(500)));
        Assert.Equal(0, emulator.Snapshot().Frameworks.Single().OutstandingOffers);
    }

    [Fact]
    public async Task StartAsync_reports_a_port_in_use_in_one_line()
    {
        using var dir = new TempDir();
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            var options = TestEmulator.Options(dir.Path);
            options.Port = port;
            var e = await Assert.ThrowsAsync<MesosEmulatorException>(() => MesosEmulator.StartAsync(options));
            Assert.Equal($"port {port} on 127.0.0.1 is already in use", e.Message);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task StartAsync_reports_an_unusable_data_dir_in_one_line()
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "a-file");
        File.WriteAllText(file, "x");
        var options = TestEmulator.Options(Path.Combine(file, "data"));
        var e = await Assert.ThrowsAsync<MesosEmulatorException>(() => MesosEmulator.StartAsync(options));
        Assert.Equal($"data dir '{Path.Combine(file, "data")}' cannot be created: '{file}' is a file, not a directory", e.Message);
    }
}
