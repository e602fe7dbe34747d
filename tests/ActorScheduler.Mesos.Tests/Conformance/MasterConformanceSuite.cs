using System.Net;
using System.Text;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Tests.Conformance;

/// <summary>
/// What any Mesos master must do for this scheduler, asked through the v1 scheduler API with our client and raw HTTP:
/// subscribe, heartbeat, offers, decline, reconciliation answers and a 400 for a bad call. It touches nothing it did
/// not create (role <c>*</c>, no reservation, no task runs) and tears its framework down. It runs against the emulator
/// (<see cref="EmulatorMasterConformanceTests"/>) and, when <c>MESOS_MASTER_URL</c> is set, against that real master
/// (<see cref="RealMasterConformanceTests"/>), so the emulator and a real master are held to the same checks.
/// </summary>
public abstract class MasterConformanceSuite
{
    private static readonly TimeSpan OfferTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The master to test; skips the test (with its reason) when there is none.</summary>
    protected abstract Task<Uri> MasterAsync();

    [SkippableFact]
    public async Task Subscribe_answers_SUBSCRIBED_with_a_framework_id_then_a_HEARTBEAT_at_once()
    {
        await using var framework = await StartAsync(MesosContentType.Json);

        Assert.False(string.IsNullOrEmpty(framework.FrameworkId.Value));
        Assert.False(string.IsNullOrEmpty(framework.Subscription.StreamId));
        var heartbeat = await framework.NextAsync(_ => true, TimeSpan.FromSeconds(10));
        Assert.Equal(Event.Types.Type.Heartbeat, heartbeat.Type);
        await TeardownAsync(framework);
    }

    [SkippableFact]
    public async Task Offers_arrive_and_a_declined_offer_can_no_longer_be_used()
    {
        await using var framework = await StartAsync(MesosContentType.Protobuf);

        var offer = await framework.NextOfferAsync(timeout: OfferTimeout);
        Assert.Equal(framework.FrameworkId, offer.FrameworkId);
        Assert.False(string.IsNullOrEmpty(offer.AgentId.Value));
        Assert.False(string.IsNullOrEmpty(offer.Hostname));
        Assert.Contains(offer.Resources, r => r.Name == "cpus" && r.Scalar.Value > 0);
        Assert.Contains(offer.Resources, r => r.Name == "mem" && r.Scalar.Value > 0);
        await framework.DeclineAsync(offer, refuseSeconds: 1);

        // The master answers a launch on the declined offer itself, without a uuid: the task never reaches an agent.
        var task = Resources.CommandTask($"conformance-{Guid.NewGuid():N}", offer, "true", Resources.Scalar("cpus", 0.01), Resources.Scalar("mem", 32));
        await framework.AcceptAsync(offer, Resources.Launch(task));
        var lost = await framework.NextUpdateAsync(task.TaskId.Value);
        Assert.Equal(TaskState.TaskLost, lost.State);
        Assert.Equal(TaskStatus.Types.Reason.InvalidOffers, lost.Reason);
        Assert.Equal(TaskStatus.Types.Source.Master, lost.Source);
        Assert.False(lost.HasUuid);
        await TeardownAsync(framework);
    }

    [SkippableFact]
    public async Task Explicit_reconciliation_of_an_unknown_task_is_answered_by_the_master_without_a_uuid()
    {
        await using var framework = await StartAsync(MesosContentType.Json);
        var offer = await framework.NextOfferAsync(timeout: OfferTimeout);
        await framework.DeclineAsync(offer, refuseSeconds: 1);

        var taskId = new TaskID { Value = $"conformance-unknown-{Guid.NewGuid():N}" };
        var reconcile = new Call { Type = Call.Types.Type.Reconcile, Reconcile = new Call.Types.Reconcile() };
        reconcile.Reconcile.Tasks.Add(new Call.Types.Reconcile.Types.Task { TaskId = taskId, AgentId = offer.AgentId });
        await framework.SendAsync(reconcile);

        // Without PARTITION_AWARE an unknown task on a registered agent is TASK_LOST.
        var answer = await framework.NextUpdateAsync(taskId.Value);
        Assert.Equal(TaskState.TaskLost, answer.State);
        Assert.Equal(TaskStatus.Types.Reason.Reconciliation, answer.Reason);
        Assert.Equal(TaskStatus.Types.Source.Master, answer.Source);
        Assert.False(answer.HasUuid);
        await TeardownAsync(framework);
    }

    [SkippableFact]
    public async Task A_call_without_its_sub_message_is_400_and_a_charset_is_415()
    {
        await using var framework = await StartAsync(MesosContentType.Json);
        var endpoint = new Uri(framework.Client.MasterUrl, "api/v1/scheduler");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var body = $"{{\"type\":\"ACCEPT\",\"framework_id\":{{\"value\":\"{framework.FrameworkId.Value}\"}}}}";

        using var missing = await PostAsync(http, endpoint, body, "application/json", framework.Subscription.StreamId);
        using var charset = await PostAsync(http, endpoint, body, "application/json; charset=utf-8", framework.Subscription.StreamId);

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("Expecting 'accept' to be present", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, charset.StatusCode);
        await TeardownAsync(framework);
    }

    private async Task<TestFramework> StartAsync(MesosContentType contentType)
    {
        var master = await MasterAsync();
        var info = new FrameworkInfo { User = "nobody", Name = $"actorscheduler-conformance-{Guid.NewGuid():N}", FailoverTimeout = 0 };
        return await TestFramework.StartAsync(master, info, contentType);
    }

    private static Task TeardownAsync(TestFramework framework) => framework.SendAsync(new Call { Type = Call.Types.Type.Teardown });

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, Uri endpoint, string body, string contentType, string streamId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation(MesosSchedulerClient.StreamIdHeader, streamId);
        return await http.SendAsync(request);
    }
}
