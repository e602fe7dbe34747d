using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using static ActorScheduler.Mesos.Tests.Support.Resources;
using Reason = ActorScheduler.Messages.MesosV1.TaskStatus.Types.Reason;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>
/// Health checks and checks run by the local agents, as a framework sees them: real check processes in the task's
/// sandbox, driven by files the test creates (no sleeps), short intervals.
/// </summary>
public sealed class CheckConformanceTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private MesosEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await MesosEmulator.StartAsync(TestEmulator.Options(Path.Combine(_dir.Path, "mesos")));

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    private string SickFile => Path.Combine(_dir.Path, "sick");

    [Fact]
    public async Task A_health_check_reports_healthy_then_each_failure_and_kills_the_task_after_consecutive_failures()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("web", offer, "sleep 120");
        task.HealthCheck = HealthCheckOf($"test ! -f '{SickFile}'", consecutiveFailures: 2);
        await framework.AcceptAsync(offer, Launch(task));

        var healthy = await framework.CollectUpdatesAsync("web", s => s.HasHealthy);
        Assert.Equal([TaskState.TaskStarting, TaskState.TaskRunning, TaskState.TaskRunning], healthy.Select(s => s.State));
        Assert.All(healthy.Take(2), s => Assert.False(s.HasHealthy));
        AssertHealthUpdate(healthy[^1], true);

        // Reconciliation repeats the latest health.
        await framework.SendAsync(new Call { Type = Call.Types.Type.Reconcile, Reconcile = new Call.Types.Reconcile() });
        var reconciled = await framework.NextUpdateAsync("web");
        Assert.Equal(Reason.Reconciliation, reconciled.Reason);
        Assert.True(reconciled.HasHealthy && reconciled.Healthy);

        File.WriteAllText(SickFile, "x");
        var rest = await framework.CollectUpdatesAsync("web", s => TaskStates.IsTerminal(s.State));
        Assert.Equal([TaskState.TaskRunning, TaskState.TaskRunning, TaskState.TaskKilled], rest.Select(s => s.State));
        AssertHealthUpdate(rest[0], false);
        AssertHealthUpdate(rest[1], false);
        Assert.Contains("health check failed", rest[0].Message, StringComparison.Ordinal);
        var killed = rest[2];
        Assert.True(killed.HasHealthy);
        Assert.False(killed.Healthy);
        Assert.True(killed.HasUuid);
        Assert.Equal(TaskStatus.Types.Source.Executor, killed.Source);
    }

    [Fact]
    public async Task A_task_that_recovers_is_reported_healthy_again_and_keeps_running()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("web", offer, "sleep 120");
        task.HealthCheck = HealthCheckOf($"test ! -f '{SickFile}'", consecutiveFailures: 1000);
        await framework.AcceptAsync(offer, Launch(task));
        await framework.CollectUpdatesAsync("web", s => s.HasHealthy);

        File.WriteAllText(SickFile, "x");
        AssertHealthUpdate((await framework.CollectUpdatesAsync("web", s => s.HasHealthy))[^1], false);
        File.Delete(SickFile);
        var back = await framework.CollectUpdatesAsync("web", s => s.HasHealthy && s.Healthy);

        Assert.All(back, s => Assert.Equal(TaskState.TaskRunning, s.State));
        AssertHealthUpdate(back[^1], true);
        Assert.Equal("TASK_RUNNING", _emulator.Snapshot().Tasks.Single().State);
    }

    [Fact]
    public async Task With_TASK_KILLING_STATE_a_health_kill_and_a_KILL_call_send_TASK_KILLING_first()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info(taskKillingState: true));
        var offer = await framework.NextOfferAsync();
        var unhealthy = CommandTask("unhealthy", offer, "sleep 120");
        unhealthy.HealthCheck = HealthCheckOf($"test ! -f '{SickFile}'", consecutiveFailures: 1);
        var plain = CommandTask("plain", offer, "sleep 120");
        await framework.AcceptAsync(offer, Launch(unhealthy, plain));
        await framework.CollectUpdatesAsync("unhealthy", s => s.HasHealthy);
        await framework.AwaitStateAcknowledgingAsync("plain", TaskState.TaskRunning);

        File.WriteAllText(SickFile, "x");
        var ending = await framework.CollectUpdatesAsync("unhealthy", s => TaskStates.IsTerminal(s.State));
        Assert.Equal([TaskState.TaskRunning, TaskState.TaskKilling, TaskState.TaskKilled], ending.Select(s => s.State));
        Assert.True(ending[1].HasUuid);
        Assert.False(ending[2].Healthy);

        await framework.SendAsync(new Call { Type = Call.Types.Type.Kill, Kill = new Call.Types.Kill { TaskId = plain.TaskId } });
        var killed = await framework.CollectUpdatesAsync("plain", s => TaskStates.IsTerminal(s.State));
        Assert.Equal([TaskState.TaskKilling, TaskState.TaskKilled], killed.Select(s => s.State));
        Assert.False(killed[1].HasHealthy);
    }

    [Fact]
    public async Task Without_TASK_KILLING_STATE_a_kill_goes_straight_to_TASK_KILLED()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        await framework.AcceptAsync(offer, Launch(CommandTask("plain", offer, "sleep 120")));
        await framework.AwaitStateAcknowledgingAsync("plain", TaskState.TaskRunning);

        await framework.SendAsync(new Call { Type = Call.Types.Type.Kill, Kill = new Call.Types.Kill { TaskId = new TaskID { Value = "plain" } } });

        var killed = await framework.CollectUpdatesAsync("plain", s => TaskStates.IsTerminal(s.State));
        Assert.Equal([TaskState.TaskKilled], killed.Select(s => s.State));
    }

    [Fact]
    public async Task A_health_check_that_overruns_its_timeout_is_a_failure()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("slow", offer, "sleep 120");
        task.HealthCheck = HealthCheckOf("sleep 60", consecutiveFailures: 1);
        task.HealthCheck.TimeoutSeconds = 0.2;
        await framework.AcceptAsync(offer, Launch(task));

        var updates = await framework.CollectUpdatesAsync("slow", s => TaskStates.IsTerminal(s.State));

        var failure = Assert.Single(updates, s => s.HasHealthy && s.State == TaskState.TaskRunning);
        Assert.False(failure.Healthy);
        Assert.Contains("timed out", failure.Message, StringComparison.Ordinal);
        Assert.Equal(TaskState.TaskKilled, updates[^1].State);
    }

    [Fact]
    public async Task A_check_in_a_task_group_reports_its_exit_code_on_change_with_the_task_environment_and_sandbox()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var flag = Path.Combine(_dir.Path, "ready");
        var task = CommandTask("db", offer, "echo data > marker && sleep 120");
        task.Command.Environment = new Messages.MesosV1.Environment { Variables = { new Messages.MesosV1.Environment.Types.Variable { Name = "READY_FLAG", Value = flag } } };
        task.Check = new CheckInfo
        {
            Type = CheckInfo.Types.Type.Command,
            Command = new CheckInfo.Types.Command { Command_ = new CommandInfo { Value = "test -f marker && test -f \"$READY_FLAG\"" } },
            DelaySeconds = 0,
            IntervalSeconds = 0.1,
        };
        await framework.AcceptAsync(offer, LaunchGroup(DefaultExecutor("exec-db"), task));

        var notReady = await framework.CollectUpdatesAsync("db", s => s.Reason == Reason.TaskCheckStatusUpdated);
        Assert.Equal([TaskState.TaskStarting, TaskState.TaskRunning, TaskState.TaskRunning], notReady.Select(s => s.State));
        Assert.All(notReady.Take(2), s => Assert.Equal(CheckInfo.Types.Type.Command, s.CheckStatus.Type));
        Assert.All(notReady.Take(2), s => Assert.False(s.CheckStatus.Command.HasExitCode));
        Assert.Equal(1, notReady[^1].CheckStatus.Command.ExitCode);

        File.WriteAllText(flag, "go");
        var ready = await framework.NextUpdateAsync("db");
        await framework.AcknowledgeAsync(ready);

        // Only the change is reported: the repeated exit code 1 sent nothing in between.
        Assert.Equal(TaskState.TaskRunning, ready.State);
        Assert.Equal(Reason.TaskCheckStatusUpdated, ready.Reason);
        Assert.Equal(0, ready.CheckStatus.Command.ExitCode);
        await framework.SendAsync(new Call { Type = Call.Types.Type.Kill, Kill = new Call.Types.Kill { TaskId = task.TaskId } });
        var killed = await framework.AwaitStateAcknowledgingAsync("db", TaskState.TaskKilled);
        Assert.Equal(0, killed.CheckStatus.Command.ExitCode);
    }

    [Fact]
    public async Task A_legacy_type_less_command_health_check_runs_and_malformed_checks_are_TASK_ERROR()
    {
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var legacy = CommandTask("legacy", offer, "sleep 120");
        legacy.HealthCheck = new HealthCheck { Command = new CommandInfo { Value = "true" }, DelaySeconds = 0, IntervalSeconds = 0.1 };
        var bad = CommandTask("bad", offer, "sleep 120");
        bad.Check = new CheckInfo { Type = CheckInfo.Types.Type.Command };
        await framework.AcceptAsync(offer, Launch(legacy, bad));

        var error = await framework.NextUpdateAsync("bad");
        Assert.Equal(TaskState.TaskError, error.State);
        Assert.Equal(Reason.TaskInvalid, error.Reason);
        Assert.Equal("Task uses invalid check: Expecting 'command' to be set for COMMAND check", error.Message);
        Assert.False(error.HasUuid);
        AssertHealthUpdate((await framework.CollectUpdatesAsync("legacy", s => s.HasHealthy))[^1], true);
    }

    [Fact]
    public async Task Over_raw_json_a_check_update_carries_check_status_and_its_reason()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var endpoint = new Uri(_emulator.Url, "api/v1/scheduler");
        using var subscribe = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"raw\",\"role\":\"r\"}}}", Encoding.UTF8),
        };
        subscribe.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var stream = await http.SendAsync(subscribe, HttpCompletionOption.ResponseHeadersRead);
        var streamId = stream.Headers.GetValues("Mesos-Stream-Id").Single();
        var reader = new RecordIoReader(await stream.Content.ReadAsStreamAsync());
        var frameworkId = (await NextJsonAsync(reader, "SUBSCRIBED")).GetProperty("subscribed").GetProperty("framework_id").GetProperty("value").GetString();
        var offer = (await NextJsonAsync(reader, "OFFERS")).GetProperty("offers").GetProperty("offers")[0];
        var agentId = offer.GetProperty("agent_id").GetProperty("value").GetString();

        var accept = $$$"""
            {"type":"ACCEPT","framework_id":{"value":"{{{frameworkId}}}"},"accept":{"offer_ids":[{"value":"{{{offer.GetProperty("id").GetProperty("value").GetString()}}}"}],
             "operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":{"value":"t"},"agent_id":{"value":"{{{agentId}}}"},
               "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}],
               "command":{"value":"sleep 120"},
               "check":{"type":"COMMAND","command":{"command":{"value":"exit 3"}},"delay_seconds":0,"interval_seconds":0.1}}]}}]}}
            """;
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await PostJsonAsync(http, endpoint, accept, streamId)).StatusCode);

        JsonElement update;
        while (true)
        {
            update = (await NextJsonAsync(reader, "UPDATE")).GetProperty("update").GetProperty("status");
            var ack = $$$"""
                {"type":"ACKNOWLEDGE","framework_id":{"value":"{{{frameworkId}}}"},"acknowledge":{"agent_id":{"value":"{{{agentId}}}"},"task_id":{"value":"t"},"uuid":"{{{update.GetProperty("uuid").GetString()}}}"}}
                """;
            await PostJsonAsync(http, endpoint, ack, streamId);
            if (update.TryGetProperty("reason", out var reason) && reason.GetString() == "REASON_TASK_CHECK_STATUS_UPDATED")
            {
                break;
            }

            var empty = update.GetProperty("check_status");
            Assert.Equal("COMMAND", empty.GetProperty("type").GetString());
            Assert.Empty(empty.GetProperty("command").EnumerateObject());
        }

        Assert.Equal("TASK_RUNNING", update.GetProperty("state").GetString());
        Assert.Equal("SOURCE_EXECUTOR", update.GetProperty("source").GetString());
        var checkStatus = update.GetProperty("check_status");
        Assert.Equal("COMMAND", checkStatus.GetProperty("type").GetString());
        Assert.Equal(3, checkStatus.GetProperty("command").GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public async Task An_HTTP_health_check_GETs_its_path_on_127_0_0_1_and_counts_a_status_outside_200_399_as_a_failure()
    {
        await using var server = await FileServer.StartAsync();
        server.Serve("healthz", "ok");
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("web", offer, "sleep 120");
        task.HealthCheck = NetworkHealthCheck(consecutiveFailures: 2);
        task.HealthCheck.Type = HealthCheck.Types.Type.Http;
        task.HealthCheck.Http = new HealthCheck.Types.HTTPCheckInfo { Port = (uint)server.Url.Port, Path = "/healthz" };
        await framework.AcceptAsync(offer, Launch(task));

        var healthy = await framework.CollectUpdatesAsync("web", s => s.HasHealthy);
        AssertHealthUpdate(healthy[^1], true);
        Assert.Equal("HTTP health check passed", healthy[^1].Message);

        server.Remove("healthz");
        var rest = await framework.CollectUpdatesAsync("web", s => TaskStates.IsTerminal(s.State));
        Assert.Equal([TaskState.TaskRunning, TaskState.TaskRunning, TaskState.TaskKilled], rest.Select(s => s.State));
        AssertHealthUpdate(rest[0], false);
        Assert.Equal("HTTP health check failed: Unexpected HTTP response code: 404 Not Found", rest[0].Message);
        Assert.False(rest[2].Healthy);
    }

    [Fact]
    public async Task An_HTTPS_health_check_accepts_the_tasks_self_signed_certificate()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=task", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        await using var server = await FileServer.StartAsync(certificate);
        server.Serve("healthz", "ok");
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("secure", offer, "sleep 120");
        task.HealthCheck = NetworkHealthCheck(consecutiveFailures: 1);
        task.HealthCheck.Type = HealthCheck.Types.Type.Http;
        task.HealthCheck.Http = new HealthCheck.Types.HTTPCheckInfo { Scheme = "https", Port = (uint)server.Url.Port, Path = "/healthz" };
        await framework.AcceptAsync(offer, Launch(task));

        AssertHealthUpdate((await framework.CollectUpdatesAsync("secure", s => s.HasHealthy))[^1], true);
    }

    [Fact]
    public async Task A_TCP_health_check_passes_while_the_port_accepts_connections_and_kills_the_task_once_it_does_not()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("db", offer, "sleep 120");
        task.HealthCheck = NetworkHealthCheck(consecutiveFailures: 1);
        task.HealthCheck.Type = HealthCheck.Types.Type.Tcp;
        task.HealthCheck.Tcp = new HealthCheck.Types.TCPCheckInfo { Port = (uint)((IPEndPoint)listener.LocalEndpoint).Port };
        await framework.AcceptAsync(offer, Launch(task));

        AssertHealthUpdate((await framework.CollectUpdatesAsync("db", s => s.HasHealthy))[^1], true);

        listener.Stop();
        var rest = await framework.CollectUpdatesAsync("db", s => TaskStates.IsTerminal(s.State));
        Assert.Equal([TaskState.TaskRunning, TaskState.TaskKilled], rest.Select(s => s.State));
        AssertHealthUpdate(rest[0], false);
        Assert.Equal("TCP health check failed: TCP connection failed", rest[0].Message);
    }

    [Fact]
    public async Task An_HTTP_check_reports_the_status_code_on_change_and_an_empty_status_when_it_times_out()
    {
        await using var server = await FileServer.StartAsync();
        server.Serve("ready", "yes");
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("web", offer, "sleep 120");
        task.Check = new CheckInfo
        {
            Type = CheckInfo.Types.Type.Http,
            Http = new CheckInfo.Types.Http { Port = (uint)server.Url.Port, Path = "/ready" },
            DelaySeconds = 0,
            IntervalSeconds = 0.1,
            TimeoutSeconds = 0.5,
        };
        await framework.AcceptAsync(offer, Launch(task));

        var ok = await framework.CollectUpdatesAsync("web", s => s.Reason == Reason.TaskCheckStatusUpdated);
        Assert.All(ok.Take(ok.Count - 1), s => Assert.False(s.CheckStatus.Http.HasStatusCode));
        Assert.Equal(CheckInfo.Types.Type.Http, ok[^1].CheckStatus.Type);
        Assert.Equal(200u, ok[^1].CheckStatus.Http.StatusCode);

        server.Remove("ready");
        var missing = await framework.NextUpdateAsync("web");
        await framework.AcknowledgeAsync(missing);
        Assert.Equal(Reason.TaskCheckStatusUpdated, missing.Reason);
        Assert.Equal(404u, missing.CheckStatus.Http.StatusCode);

        server.Serve("ready", "yes");
        server.Hold("ready");
        var timedOut = await framework.CollectUpdatesAsync("web", s => !s.CheckStatus.Http.HasStatusCode);
        Assert.Equal(Reason.TaskCheckStatusUpdated, timedOut[^1].Reason);
        Assert.Equal(CheckInfo.Types.Type.Http, timedOut[^1].CheckStatus.Type);
    }

    [Fact]
    public async Task A_TCP_check_reports_whether_the_connection_succeeded()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using var framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
        var offer = await framework.NextOfferAsync();
        var task = CommandTask("db", offer, "sleep 120");
        task.Check = new CheckInfo
        {
            Type = CheckInfo.Types.Type.Tcp,
            Tcp = new CheckInfo.Types.Tcp { Port = (uint)((IPEndPoint)listener.LocalEndpoint).Port },
            DelaySeconds = 0,
            IntervalSeconds = 0.1,
        };
        await framework.AcceptAsync(offer, LaunchGroup(DefaultExecutor("exec-db"), task));

        var open = await framework.CollectUpdatesAsync("db", s => s.Reason == Reason.TaskCheckStatusUpdated);
        Assert.All(open.Take(open.Count - 1), s => Assert.Equal(CheckInfo.Types.Type.Tcp, s.CheckStatus.Type));
        Assert.All(open.Take(open.Count - 1), s => Assert.False(s.CheckStatus.Tcp.HasSucceeded));
        Assert.True(open[^1].CheckStatus.Tcp.Succeeded);

        listener.Stop();
        var closed = await framework.NextUpdateAsync("db");
        await framework.AcknowledgeAsync(closed);
        Assert.Equal(Reason.TaskCheckStatusUpdated, closed.Reason);
        Assert.True(closed.CheckStatus.Tcp.HasSucceeded);
        Assert.False(closed.CheckStatus.Tcp.Succeeded);
    }

    private static HealthCheck NetworkHealthCheck(uint consecutiveFailures) => new()
    {
        DelaySeconds = 0,
        IntervalSeconds = 0.1,
        GracePeriodSeconds = 0,
        TimeoutSeconds = 10,
        ConsecutiveFailures = consecutiveFailures,
    };

    private static HealthCheck HealthCheckOf(string command, uint consecutiveFailures) => new()
    {
        Type = HealthCheck.Types.Type.Command,
        Command = new CommandInfo { Value = command },
        DelaySeconds = 0,
        IntervalSeconds = 0.1,
        GracePeriodSeconds = 0,
        TimeoutSeconds = 10,
        ConsecutiveFailures = consecutiveFailures,
    };

    private static void AssertHealthUpdate(TaskStatus status, bool healthy)
    {
        Assert.Equal(TaskState.TaskRunning, status.State);
        Assert.Equal(Reason.TaskHealthCheckStatusUpdated, status.Reason);
        Assert.True(status.HasHealthy);
        Assert.Equal(healthy, status.Healthy);
        Assert.True(status.HasUuid);
        Assert.Equal(TaskStatus.Types.Source.Executor, status.Source);
    }

    private static async Task<JsonElement> NextJsonAsync(RecordIoReader reader, string type)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var record = await reader.ReadAsync(timeout.Token) ?? throw new InvalidOperationException("stream ended");
            var root = JsonDocument.Parse(record).RootElement;
            if (root.GetProperty("type").GetString() == type)
            {
                return root.Clone();
            }
        }
    }

    private static async Task<HttpResponseMessage> PostJsonAsync(HttpClient http, Uri endpoint, string body, string streamId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("Mesos-Stream-Id", streamId);
        return await http.SendAsync(request);
    }
}
