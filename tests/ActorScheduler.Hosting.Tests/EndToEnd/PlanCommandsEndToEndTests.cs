using System.Net;
using System.Text;
using System.Text.Json;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>Operator plan commands through the CLI and the HTTP API, with real processes and a scheduler crash.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class PlanCommandsEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static async Task<string[]> StepStatuses(SchedulerProcess scheduler) =>
        await scheduler.GetAsync("v1/plans/deploy") is { } answer && answer.Body.TryGetProperty("phases", out _)
            ? answer.Body.GetProperty("phases")[0].GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("status").GetString()!).ToArray()
            : [];

    private static async Task<(int Code, string Output, string Error)> Cli(SchedulerProcess scheduler, PlanCommandKind kind, string plan, string? phase = null, string? step = null)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await PlanCli.CommandAsync(scheduler.ApiUrl.ToString(), kind, plan, phase, step, [], output, error, CancellationToken.None);
        return (code, output.ToString().Trim(), error.ToString().Trim());
    }

    [Fact]
    public async Task A_canary_rollout_waits_for_two_continues_and_a_crash_in_between_keeps_its_progress()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        string[] args =
        [
            "run", Path.Combine(SchedulerProcess.RepoRoot, "examples/canary/svc.yml"), "--data-dir", data.Path,
            "--api-port", apiPort.ToString(), "--master-port", masterPort.ToString(), "-o", "SLEEP_DURATION=300", "-o", "API_COUNT=3",
        ];

        using (var first = SchedulerProcess.Launch(apiPort, args))
        {
            await first.WaitUntilAsync(async () => (await StepStatuses(first)).SequenceEqual(["WAITING", "WAITING", "PENDING"]), Timeout, "canary held");
            Assert.Empty(await first.TasksAsync());

            var resumed = await Cli(first, PlanCommandKind.Continue, "deploy");
            Assert.Equal((0, "Received cmd: continue"), (resumed.Code, resumed.Output));
            await first.WaitUntilAsync(async () => (await StepStatuses(first)).SequenceEqual(["COMPLETE", "WAITING", "PENDING"]), Timeout, "first canary deployed");
            Assert.Equal(["api-0-server"], (await first.TasksAsync()).Keys);
            first.Crash();
        }

        using var second = SchedulerProcess.Launch(apiPort, args);
        await second.WaitUntilAsync(async () => (await StepStatuses(second)).SequenceEqual(["COMPLETE", "WAITING", "PENDING"]), Timeout, "canary progress recovered");

        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await PlanCli.StatusAsync(second.ApiUrl.ToString(), "deploy", false, output, error, CancellationToken.None));
        Assert.Contains("└─ api (serial-canary strategy) (WAITING)", output.ToString());
        Assert.Contains("   ├─ api-1:[server] (WAITING)", output.ToString());

        Assert.Equal(0, (await Cli(second, PlanCommandKind.Continue, "deploy", "api")).Code);
        await second.WaitUntilAsync(second.DeployCompleteAsync, Timeout, "deploy COMPLETE after the second continue");
        Assert.Equal(["api-0-server", "api-1-server", "api-2-server"], (await second.TasksAsync()).Keys.Order());
    }

    [Fact]
    public async Task Force_restart_of_a_step_relaunches_its_task_and_bad_commands_get_clear_answers()
    {
        using var data = new TempDataDir();
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        using var scheduler = SchedulerProcess.Start(data.Path, apiPort, masterPort);
        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, Timeout, "deploy COMPLETE");
        var before = (await scheduler.TasksAsync())["hello-0-server"].Id;

        // `update force-restart <phase> <step>` is `plan force-restart deploy <phase> <step>`.
        var (output, error) = (new StringWriter(), new StringWriter());
        var restarted = await UpdateCli.ForceRestartAsync(scheduler.ApiUrl.ToString(), "hello", "hello-0:[server]", output, error, CancellationToken.None);
        Assert.Equal((0, "Received cmd: restart"), (restarted, output.ToString().Trim()));
        await scheduler.WaitUntilAsync(
            async () => (await scheduler.TasksAsync()).TryGetValue("hello-0-server", out var task) && task.Id != before && task.Status == "TASK_RUNNING" && await scheduler.DeployCompleteAsync(),
            Timeout,
            "hello-0-server relaunched and deploy COMPLETE again");

        // Already complete: 208, exit 0 with the DC/OS message.
        var again = await Cli(scheduler, PlanCommandKind.ForceComplete, "deploy", "hello", "hello-0:[server]");
        Assert.Equal((0, "Command has already been reported or completed"), (again.Code, again.Output));
        output.GetStringBuilder().Clear();
        Assert.Equal(0, await UpdateCli.ForceCompleteAsync(scheduler.ApiUrl.ToString(), "hello", "hello-0:[server]", output, error, CancellationToken.None));
        Assert.Equal("Command has already been reported or completed", output.ToString().Trim());

        // The update commands name what they did not find in the rollout, as the plan commands do.
        Assert.Equal(1, await UpdateCli.ForceRestartAsync(scheduler.ApiUrl.ToString(), "nope", null, output, error, CancellationToken.None));
        Assert.Equal(1, await UpdateCli.ForceCompleteAsync(scheduler.ApiUrl.ToString(), "hello", "nope-0:[server]", output, error, CancellationToken.None));
        Assert.Equal(["error: Phase nope not found in plan deploy", "error: Step nope-0:[server] not found in phase hello of plan deploy"], error.ToString().Trim().Split('\n'));

        // Unknown phase, unknown plan: exit 1 with the API's message.
        var unknownPhase = await Cli(scheduler, PlanCommandKind.Interrupt, "deploy", "nope");
        Assert.Equal((1, "error: Phase nope not found in plan deploy"), (unknownPhase.Code, unknownPhase.Error));
        Assert.Equal("error: Plan nope not found", (await Cli(scheduler, PlanCommandKind.Continue, "nope")).Error);

        using var http = new HttpClient { BaseAddress = scheduler.ApiUrl };
        async Task<(HttpStatusCode, string)> Post(string path, string? body = null)
        {
            using var response = await http.PostAsync(path, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
            var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString()!;
            return (response.StatusCode, message);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Post("v1/plans/deploy/bogus")).Item1);
        Assert.Equal((HttpStatusCode.BadRequest, "step 'hello-0:[server]' needs its phase: pass phase and step together"), await Post("v1/plans/deploy/restart?step=hello-0:%5Bserver%5D"));
        Assert.Equal((HttpStatusCode.BadRequest, "body: expected a JSON object of parameters such as {\"KEY\":\"value\"}, found array"), await Post("v1/plans/deploy/start", "[1]"));
        Assert.Equal((HttpStatusCode.BadRequest, "body: parameter 'N' must be a string, found number"), await Post("v1/plans/deploy/start", "{\"N\":1}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("v1/plans/deploy/start", "{not json")).Item1);
        Assert.Equal((HttpStatusCode.BadRequest, "body: parameter '9A': expected an environment variable name of letters, digits and '_' not starting with a digit"), await Post("v1/plans/deploy/start", "{\"9A\":\"x\"}"));
    }
}
