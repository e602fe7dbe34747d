using System.Collections.Concurrent;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;
using RLimitType = ActorScheduler.Messages.MesosV1.RLimitInfo.Types.RLimit.Types.Type;
using static ActorScheduler.Mesos.Tests.Support.Resources;
using Reason = ActorScheduler.Messages.MesosV1.TaskStatus.Types.Reason;
using SourceType = ActorScheduler.Messages.MesosV1.Volume.Types.Source.Types.Type;
using Variable = ActorScheduler.Messages.MesosV1.Environment.Types.Variable;
using Volume = ActorScheduler.Messages.MesosV1.Volume;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>
/// What local agents do with a task's container settings, as a framework sees it with real processes: host, Docker,
/// SANDBOX_PATH and secret volumes in the sandbox, secret variables, rlimits, an image that is not pulled; and the
/// master's TASK_ERROR and the agent's TASK_FAILED for settings they refuse.
/// </summary>
public sealed class EmulatorContainerTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly ConcurrentQueue<string> _log = new();
    private MesosEmulator _emulator = null!;

    private string SecretsDir => Path.Combine(_dir.Path, "secrets");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(SecretsDir, "app"));
        await File.WriteAllTextAsync(Path.Combine(SecretsDir, "app", "tls.key"), "-----KEY-----\n");
        var options = TestEmulator.Options(Path.Combine(_dir.Path, "mesos"), agents: 2);
        options.Secrets = new Dictionary<string, string> { ["/app/db-password"] = "hunter2-value" };
        options.SecretsDir = SecretsDir;
        options.Log = _log.Enqueue;
        _emulator = await MesosEmulator.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_host_volume_is_the_host_directory_at_the_container_path_in_the_sandbox()
    {
        var host = Directory.CreateDirectory(Path.Combine(_dir.Path, "host-data")).FullName;
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();

        await framework.AcceptAsync(offer, Launch(WithVolumes(CommandTask("writer", offer, "echo written > data/out.txt"), HostVolume("data", host))));

        await framework.AwaitStateAcknowledgingAsync("writer", TaskState.TaskFinished);
        Assert.Equal("written\n", await File.ReadAllTextAsync(Path.Combine(host, "out.txt")));
    }

    [Fact]
    public async Task An_absolute_container_path_is_that_path_under_the_sandbox_and_the_log_says_so()
    {
        var host = Directory.CreateDirectory(Path.Combine(_dir.Path, "conf")).FullName;
        await File.WriteAllTextAsync(Path.Combine(host, "app.conf"), "threads=4\n");
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();

        await framework.AcceptAsync(offer, Launch(WithVolumes(CommandTask("reader", offer, "cat \"$MESOS_SANDBOX/etc/app/app.conf\""),
            HostVolume("/etc/app", host, Volume.Types.Mode.Ro))));

        await framework.AwaitStateAcknowledgingAsync("reader", TaskState.TaskFinished);
        Assert.Equal("threads=4\n", await File.ReadAllTextAsync(Path.Combine(SandboxOf("reader"), "stdout")));
        Assert.Contains(_log, l => l.Contains("volume '/etc/app' is at $MESOS_SANDBOX/etc/app", StringComparison.Ordinal)
            && l.Contains("read-only volume '/etc/app' is writable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_dcos_tmp_volume_a_legacy_relative_host_path_is_a_directory_of_the_sandbox()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var tmp = new Volume { ContainerPath = "/tmp", HostPath = "tmp", Mode = Volume.Types.Mode.Rw };

        await framework.AcceptAsync(offer, Launch(WithVolumes(CommandTask("dcos", offer, "test -d \"$MESOS_SANDBOX/tmp\" && test ! -L \"$MESOS_SANDBOX/tmp\""), tmp)));

        await framework.AwaitStateAcknowledgingAsync("dcos", TaskState.TaskFinished);
    }

    [Fact]
    public async Task A_docker_volume_keeps_its_files_for_a_task_on_another_agent_and_the_status_page_shows_its_driver_options()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var first = await framework.NextOfferAsync();
        var volume = DockerVolume("data", "pxd", "shared-1", ("size", "10"));
        await framework.AcceptAsync(first, Launch(WithVolumes(CommandTask("first", first, "echo kept > data/state && sleep 300"), volume)));
        await framework.AwaitStateAcknowledgingAsync("first", TaskState.TaskRunning);

        var shown = Assert.Single(_emulator.Snapshot().Tasks.Single(t => t.Id == "first").DockerVolumes);
        Assert.Equal(("pxd", "shared-1", "data"), (shown.Driver, shown.Name, shown.ContainerPath));
        Assert.Equal(new Dictionary<string, string> { ["size"] = "10" }, shown.DriverOptions);
        using (var http = new HttpClient())
        {
            var page = await http.GetStringAsync(_emulator.Url);
            Assert.Contains("\"driver_options\": {\n", page, StringComparison.Ordinal);
            Assert.Contains("\"size\": \"10\"", page, StringComparison.Ordinal);
        }

        // RUNNING is reported when the process starts, not once its shell ran `echo`: a kill before that (a loaded box) left
        // nothing for the second task to read, which then failed instead of finishing.
        var state = Path.Combine(shown.Directory, "state");
        await Eventually.TrueAsync(() => File.Exists(state) && File.ReadAllText(state) == "kept\n", "the first task wrote its file");
        await framework.SendAsync(new() { Type = Messages.MesosV1.Scheduler.Call.Types.Type.Kill, Kill = new() { TaskId = new TaskID { Value = "first" } } });
        await framework.AwaitStateAcknowledgingAsync("first", TaskState.TaskKilled);

        var second = await framework.NextOfferAsync(o => o.AgentId.Value != first.AgentId.Value);
        await framework.AcceptAsync(second, Launch(WithVolumes(CommandTask("second", second, "cat data/state"), volume)));

        await framework.AwaitStateAcknowledgingAsync("second", TaskState.TaskFinished);
        Assert.Equal("kept\n", await File.ReadAllTextAsync(Path.Combine(SandboxOf("second"), "stdout")));
        Assert.Equal(Path.Combine(_dir.Path, "mesos", "docker-volumes", "pxd", "shared-1"), shown.Directory);
    }

    [Fact]
    public async Task A_secret_variable_and_a_secret_file_hold_the_secrets_and_the_log_never_shows_a_value()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = WithVolumes(CommandTask("secretive", offer, "printf '%s|' \"$DB_PASSWORD\" && cat tls/key && stat -c %a tls/key"),
            SecretVolume("tls/key", "app/tls.key"));
        task.Command.Environment = new Messages.MesosV1.Environment { Variables = { SecretVariable("DB_PASSWORD", "app/db-password") } };

        await framework.AcceptAsync(offer, Launch(task));

        await framework.AwaitStateAcknowledgingAsync("secretive", TaskState.TaskFinished);
        Assert.Equal("hunter2-value|-----KEY-----\n400\n", await File.ReadAllTextAsync(Path.Combine(SandboxOf("secretive"), "stdout")));
        Assert.DoesNotContain(_log, l => l.Contains("hunter2", StringComparison.Ordinal) || l.Contains("KEY-----", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_secret_variable_is_read_once_at_launch_so_the_task_gets_the_value_that_was_checked()
    {
        // A FIFO as the secret's file: each read of it is one open, answered with the next value, so a second read
        // would be seen and would give the task another value.
        var fifo = Path.Combine(SecretsDir, "app", "rotating");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var reads = 0;
        var done = false;
        var writer = new Thread(() =>
        {
            while (true)
            {
                using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                if (Volatile.Read(ref done))
                {
                    return;
                }

                stream.Write(System.Text.Encoding.UTF8.GetBytes($"value-{Interlocked.Increment(ref reads)}"));
                stream.Close();

                // Until that reader has closed, the next open would join it: wait for the FIFO to have no reader.
                var spin = default(SpinWait);
                while (Fifo.HasReader(fifo))
                {
                    spin.SpinOnce();
                }
            }
        }) { IsBackground = true };
        writer.Start();
        try
        {
            await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
            var offer = await framework.NextOfferAsync();
            var task = CommandTask("rotating", offer, "printf '%s' \"$TOKEN\"");
            task.Command.Environment = new Messages.MesosV1.Environment { Variables = { SecretVariable("TOKEN", "app/rotating") } };

            await framework.AcceptAsync(offer, Launch(task));

            await framework.AwaitStateAcknowledgingAsync("rotating", TaskState.TaskFinished);
            Assert.Equal("value-1", await File.ReadAllTextAsync(Path.Combine(SandboxOf("rotating"), "stdout")));
            Assert.Equal(1, Volatile.Read(ref reads));
        }
        finally
        {
            // The writer waits for the next reader: this one lets it see that it is done.
            Volatile.Write(ref done, true);
            using (new FileStream(fifo, FileMode.Open, FileAccess.Read))
            {
            }

            writer.Join();
        }
    }

    [Fact]
    public async Task Value_secrets_carry_their_bytes_to_a_read_only_file_and_a_variable_as_the_default_resolver_does()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        byte[] keystore = [0x30, 0x82, 0x00, 0xFF, 0x00, 0x01];
        var task = WithVolumes(CommandTask("inline", offer, "printf '%s|' \"$TOKEN\" && stat -c %a server.keystore && stat -c %a server.crt"),
            ValueVolume("server.keystore", keystore), ValueVolume("server.crt", "-----BEGIN CERTIFICATE-----\n"u8.ToArray()));
        task.Command.Environment = new Messages.MesosV1.Environment
        {
            Variables = { new Variable { Name = "TOKEN", Type = Variable.Types.Type.Secret, Secret = Value("inline-token"u8.ToArray()) } },
        };

        await framework.AcceptAsync(offer, Launch(task));

        await framework.AwaitStateAcknowledgingAsync("inline", TaskState.TaskFinished);
        Assert.Equal("inline-token|400\n400\n", await File.ReadAllTextAsync(Path.Combine(SandboxOf("inline"), "stdout")));
        Assert.Equal(keystore, await File.ReadAllBytesAsync(Path.Combine(SandboxOf("inline"), "server.keystore")));
        Assert.DoesNotContain(_log, l => l.Contains("inline-token", StringComparison.Ordinal) || l.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_secret_fails_the_task_before_it_starts_naming_the_secret()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("unlucky", offer, "touch started");
        task.Command.Environment = new Messages.MesosV1.Environment { Variables = { SecretVariable("TOKEN", "app/missing") } };

        await framework.AcceptAsync(offer, Launch(task));

        var failed = Assert.Single(await framework.CollectUpdatesAsync("unlucky", s => TaskStates.IsTerminal(s.State)));
        Assert.Equal((TaskState.TaskFailed, Reason.ContainerLaunchFailed), (failed.State, failed.Reason));
        Assert.StartsWith("Failed to launch container: Secret 'app/missing' could not be resolved: the emulator's secret store has no such secret", failed.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path, "started", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Rlimits_are_the_limits_the_command_sees()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("limited", offer, "echo $(ulimit -Sn) $(ulimit -Hn) $(ulimit -Sc)");
        task.Container = new ContainerInfo
        {
            Type = ContainerInfo.Types.Type.Mesos,
            RlimitInfo = new RLimitInfo { Rlimits = { Limit(RLimitType.RlmtNofile, 512, 1024), new RLimitInfo.Types.RLimit { Type = RLimitType.RlmtCore } } },
        };

        await framework.AcceptAsync(offer, Launch(task));

        await framework.AwaitStateAcknowledgingAsync("limited", TaskState.TaskFinished);
        Assert.Equal("512 1024 unlimited\n", await File.ReadAllTextAsync(Path.Combine(SandboxOf("limited"), "stdout")));
    }

    [Fact]
    public async Task An_rlimit_that_cannot_be_applied_fails_the_task_with_the_reason()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("overlimit", offer, "true");
        task.Container = new ContainerInfo
        {
            Type = ContainerInfo.Types.Type.Mesos,
            RlimitInfo = new RLimitInfo { Rlimits = { new RLimitInfo.Types.RLimit { Type = RLimitType.RlmtNofile, Soft = 10 } } },
        };

        await framework.AcceptAsync(offer, Launch(task));

        var failed = Assert.Single(await framework.CollectUpdatesAsync("overlimit", s => TaskStates.IsTerminal(s.State)));
        Assert.Equal((TaskState.TaskFailed, Reason.ContainerLaunchFailed), (failed.State, failed.Reason));
        Assert.StartsWith("Failed to launch container: Failed to set RLMT_NOFILE limit: Invalid rlimit values", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_with_an_image_runs_on_the_host_and_its_running_update_says_the_image_was_not_pulled()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("imaged", offer, "sleep 300");
        task.Container = new ContainerInfo
        {
            Type = ContainerInfo.Types.Type.Mesos,
            Mesos = new ContainerInfo.Types.MesosInfo { Image = new Image { Type = Image.Types.Type.Docker, Docker = new Image.Types.Docker { Name = "nginx:1.25" } } },
            LinuxInfo = new LinuxInfo { SharePidNamespace = true, ShmSize = 64 },
        };

        await framework.AcceptAsync(offer, Launch(task));

        var running = await framework.AwaitStateAcknowledgingAsync("imaged", TaskState.TaskRunning);
        Assert.Equal("Image 'nginx:1.25' was not pulled: the emulator's agents run no containers, so the command runs on the host", running.Message);
        Assert.Contains(_log, l => l.Contains("linux_info is not enforced (share_pid_namespace true, shm_size 64 MB)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_tasks_of_a_group_share_their_executors_sandbox_path_and_a_command_task_cannot_have_one()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();

        await framework.AcceptAsync(offer,
            LaunchGroup(DefaultExecutor("exec-1"),
                WithVolumes(CommandTask("producer", offer, "echo shared > shared/file && sleep 300"), ParentVolume("shared", "shared")),
                WithVolumes(CommandTask("consumer", offer, "until [ -f mine/file ]; do sleep 0.05; done; cat mine/file"), ParentVolume("mine", "shared"))),
            Launch(WithVolumes(CommandTask("loner", offer, "true"), ParentVolume("shared", "shared"))));

        await framework.AwaitStateAcknowledgingAsync("consumer", TaskState.TaskFinished);
        Assert.Equal("shared\n", await File.ReadAllTextAsync(Path.Combine(SandboxOf("consumer"), "stdout")));
        var failed = await framework.NextUpdateAsync("loner", TaskState.TaskFailed);
        Assert.Equal((Reason.ContainerLaunchFailed, "Failed to launch container: SANDBOX_PATH volume PARENT type only works for nested container"),
            (failed.Reason, failed.Message));
    }

    [Fact]
    public async Task A_sandbox_path_of_the_executor_where_it_holds_a_persistent_volume_is_that_volume()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var disk = Scalar("disk", 50, "test-role", null, ("resource_id", "disk-1"));
        var volume = Resources.Volume(disk, "pod-vol", "pod-data");
        var executor = DefaultExecutor("exec-vol", Scalar("cpus", 0.1), Scalar("mem", 32), volume);

        await framework.AcceptAsync(offer, Reserve(disk), Create(volume),
            LaunchGroup(executor, WithVolumes(CommandTask("member", offer, "echo pod > mine/state"), ParentVolume("mine", "pod-data"))));

        await framework.AwaitStateAcknowledgingAsync("member", TaskState.TaskFinished);
        var agent = _emulator.Snapshot().Agents.Single(a => a.Id == offer.AgentId.Value);
        Assert.Equal("pod\n", await File.ReadAllTextAsync(Path.Combine(agent.WorkDir, "volumes", "roles", "test-role", "pod-vol", "state")));
    }

    public static TheoryData<string, string> AgentRefusals() => new()
    {
        { "relative-host-path", "Failed to launch container: Path 'data' in HOST_PATH volume is not absolute" },
        { "missing-host-path", "Failed to launch container: Path '/nonexistent/emulator-test' in HOST_PATH volume does not exist" },
        { "no-driver", "Failed to launch container: The volume driver is not specified for volume 'v1' with container bad" },
        { "secret-without-reference", "Failed to launch container: Invalid secret specified in volume: Secret of type REFERENCE must have the 'reference' field set" },
        { "value-secret-without-value", "Failed to launch container: Invalid secret specified in volume: Secret of type VALUE must have the 'value' field set" },
        { "value-secret-with-reference", "Failed to launch container: Invalid secret specified in volume: Secret of type VALUE must not have the 'reference' field set" },
        { "image-volume", "Failed to launch container: Image volume at 'rootfs' is not supported: the emulator's agents pull no images" },
    };

    [Theory]
    [MemberData(nameof(AgentRefusals))]
    public async Task A_volume_the_agent_cannot_prepare_fails_the_task_with_the_isolators_message(string kind, string message)
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var volume = kind switch
        {
            "relative-host-path" => HostVolume("data", "data"),
            "missing-host-path" => HostVolume("data", "/nonexistent/emulator-test"),
            "no-driver" => DockerVolume("data", null, "v1"),
            "secret-without-reference" => new Volume { ContainerPath = "s", Mode = Volume.Types.Mode.Ro, Source = new() { Type = SourceType.Secret, Secret = new Secret { Type = Secret.Types.Type.Reference } } },
            "value-secret-without-value" => new Volume { ContainerPath = "s", Mode = Volume.Types.Mode.Ro, Source = new() { Type = SourceType.Secret, Secret = new Secret { Type = Secret.Types.Type.Value } } },
            "value-secret-with-reference" => new Volume
            {
                ContainerPath = "s",
                Mode = Volume.Types.Mode.Ro,
                Source = new() { Type = SourceType.Secret, Secret = new Secret { Type = Secret.Types.Type.Value, Value = new() { Data = ByteString.CopyFromUtf8("x") }, Reference = new() { Name = "app/db-password" } } },
            },
            _ => new Volume { ContainerPath = "rootfs", Mode = Volume.Types.Mode.Ro, Image = new Image { Type = Image.Types.Type.Docker, Docker = new Image.Types.Docker { Name = "busybox" } } },
        };

        await framework.AcceptAsync(offer, Launch(WithVolumes(CommandTask("bad", offer, "touch started"), volume)));

        var failed = Assert.Single(await framework.CollectUpdatesAsync("bad", s => TaskStates.IsTerminal(s.State)));
        Assert.Equal((TaskState.TaskFailed, Reason.ContainerLaunchFailed, message), (failed.State, failed.Reason, failed.Message));
        Assert.Empty(Directory.GetFiles(_dir.Path, "started", SearchOption.AllDirectories));
    }

    public static TheoryData<string, string> MasterRefusals() => new()
    {
        { "two-sources", "Task's `ContainerInfo` is invalid: Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'" },
        { "docker-without-docker-volume", "Task's `ContainerInfo` is invalid: Invalid volume: 'source.docker_volume' is not set for DOCKER_VOLUME volume" },
        { "no-source-type", "Task's `ContainerInfo` is invalid: Invalid volume: 'source.type' is unknown" },
        { "secret-variable-without-secret", "Task's `CommandInfo` is invalid: Environment variable 'TOKEN' of type 'SECRET' must have a secret set" },
        { "value-secret-without-value", "Task's `CommandInfo` is invalid: Environment variable 'TOKEN' specifies an invalid secret: Secret of type VALUE must have the 'value' field set" },
        { "docker-without-info", "Task's `ContainerInfo` is invalid: DockerInfo 'docker' is not set for DOCKER typed ContainerInfo" },
    };

    [Theory]
    [MemberData(nameof(MasterRefusals))]
    public async Task A_container_the_master_refuses_is_task_error_with_its_message(string kind, string message)
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("bad", offer, "true");
        switch (kind)
        {
            case "two-sources":
                var both = HostVolume("data", "/tmp");
                both.HostPath = "/tmp";
                WithVolumes(task, both);
                break;
            case "docker-without-docker-volume":
                WithVolumes(task, new Volume { ContainerPath = "d", Mode = Volume.Types.Mode.Rw, Source = new() { Type = SourceType.DockerVolume } });
                break;
            case "no-source-type":
                WithVolumes(task, new Volume { ContainerPath = "d", Mode = Volume.Types.Mode.Rw, Source = new() });
                break;
            case "secret-variable-without-secret":
                task.Command.Environment = new() { Variables = { new Variable { Name = "TOKEN", Type = Variable.Types.Type.Secret } } };
                break;
            case "value-secret-without-value":
                task.Command.Environment = new() { Variables = { new Variable { Name = "TOKEN", Type = Variable.Types.Type.Secret, Secret = new Secret { Type = Secret.Types.Type.Value } } } };
                break;
            default:
                task.Container = new ContainerInfo { Type = ContainerInfo.Types.Type.Docker };
                break;
        }

        await framework.AcceptAsync(offer, Launch(task));

        var error = await framework.NextUpdateAsync("bad");
        Assert.Equal((TaskState.TaskError, Reason.TaskInvalid, message), (error.State, error.Reason, error.Message));
    }

    [Fact]
    public async Task A_default_executor_with_an_image_or_a_group_task_with_a_docker_container_is_task_error()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var executor = DefaultExecutor("exec-image");
        executor.Container = new ContainerInfo
        {
            Type = ContainerInfo.Types.Type.Mesos,
            Mesos = new() { Image = new Image { Type = Image.Types.Type.Docker, Docker = new Image.Types.Docker { Name = "busybox" } } },
        };
        var docker = CommandTask("docker-task", offer, "true");
        docker.Container = new ContainerInfo { Type = ContainerInfo.Types.Type.Docker, Docker = new() { Image = "busybox" } };

        await framework.AcceptAsync(offer, LaunchGroup(executor, CommandTask("imaged", offer, "true")), LaunchGroup(DefaultExecutor("exec-docker"), docker));

        var imaged = await framework.NextUpdateAsync("imaged");
        Assert.Equal((TaskState.TaskError, Reason.TaskGroupInvalid, "'ExecutorInfo.container.mesos.image' must not be set for 'DEFAULT' executor"),
            (imaged.State, imaged.Reason, imaged.Message));
        var dockerError = await framework.NextUpdateAsync("docker-task");
        Assert.Equal((TaskState.TaskError, "Docker ContainerInfo is not supported on the task"), (dockerError.State, dockerError.Message));
    }

    private string SandboxOf(string taskId) => Directory.GetDirectories(Path.Combine(_dir.Path, "mesos"), taskId, SearchOption.AllDirectories).Single();

    private static TaskInfo WithVolumes(TaskInfo task, params Volume[] volumes)
    {
        task.Container ??= new ContainerInfo { Type = ContainerInfo.Types.Type.Mesos };
        task.Container.Volumes.AddRange(volumes);
        return task;
    }

    private static Volume HostVolume(string containerPath, string hostPath, Volume.Types.Mode mode = Volume.Types.Mode.Rw) => new()
    {
        ContainerPath = containerPath,
        Mode = mode,
        Source = new() { Type = SourceType.HostPath, HostPath = new() { Path = hostPath } },
    };

    private static Volume DockerVolume(string containerPath, string? driver, string name, params (string Key, string Value)[] options)
    {
        var docker = new Volume.Types.Source.Types.DockerVolume { Name = name };
        if (driver is not null)
        {
            docker.Driver = driver;
        }

        if (options.Length > 0)
        {
            docker.DriverOptions = new Parameters { Parameter = { options.Select(o => new Parameter { Key = o.Key, Value = o.Value }) } };
        }

        return new Volume { ContainerPath = containerPath, Mode = Volume.Types.Mode.Rw, Source = new() { Type = SourceType.DockerVolume, DockerVolume = docker } };
    }

    private static Volume SecretVolume(string containerPath, string name) => new()
    {
        ContainerPath = containerPath,
        Mode = Volume.Types.Mode.Ro,
        Source = new() { Type = SourceType.Secret, Secret = Reference(name) },
    };

    private static Volume ValueVolume(string containerPath, byte[] contents) => new()
    {
        ContainerPath = containerPath,
        Mode = Volume.Types.Mode.Ro,
        Source = new() { Type = SourceType.Secret, Secret = Value(contents) },
    };

    private static Secret Value(byte[] contents) => new() { Type = Secret.Types.Type.Value, Value = new() { Data = ByteString.CopyFrom(contents) } };

    private static Volume ParentVolume(string containerPath, string path) => new()
    {
        ContainerPath = containerPath,
        Mode = Volume.Types.Mode.Rw,
        Source = new()
        {
            Type = SourceType.SandboxPath,
            SandboxPath = new() { Type = Volume.Types.Source.Types.SandboxPath.Types.Type.Parent, Path = path },
        },
    };

    private static Variable SecretVariable(string name, string secret) => new() { Name = name, Type = Variable.Types.Type.Secret, Secret = Reference(secret) };

    private static Secret Reference(string name) => new() { Type = Secret.Types.Type.Reference, Reference = new() { Name = name } };

    private static RLimitInfo.Types.RLimit Limit(RLimitType type, ulong soft, ulong hard) => new() { Type = type, Soft = soft, Hard = hard };

    /// <summary>Whether a FIFO is open for reading: a non-blocking open for writing fails (ENXIO) when it is not.</summary>
    private static class Fifo
    {
        private const int WriteOnlyNonBlocking = 0x1 | 0x800;

        public static bool HasReader(string path)
        {
            var fd = Open(path, WriteOnlyNonBlocking);
            if (fd < 0)
            {
                return false;
            }

            _ = Close(fd);
            return true;
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int Open([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, int flags);

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close")]
        private static extern int Close(int fd);
    }
}
