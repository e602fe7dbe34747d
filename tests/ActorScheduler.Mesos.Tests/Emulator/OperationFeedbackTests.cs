using System.Net;
using System.Text;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>
/// Operation feedback (Offer.Operation.id): UPDATE_OPERATION_STATUS, ACKNOWLEDGE_OPERATION_STATUS and
/// RECONCILE_OPERATIONS, on virtual time so retries and "nothing more" are exact.
/// </summary>
public sealed class OperationFeedbackTests : IAsyncLifetime
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(10);

    private readonly TempDir _dir = new();
    private readonly ManualClock _clock = new();
    private MesosEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        _emulator = await MesosEmulator.StartAsync(TestEmulator.VirtualTime(_dir.Path, _clock, Retry));
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_reserve_with_an_id_is_applied_and_answered_OPERATION_FINISHED_reliably_with_the_agent_id()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);

        await framework.AcceptAsync(offer, Reserve(Scalar("cpus", 1, "test-role")).WithId("reserve-1"));

        var finished = await framework.NextOperationUpdateAsync("reserve-1");
        Assert.Equal(OperationState.OperationFinished, finished.State);
        Assert.Equal(offer.AgentId, finished.AgentId);
        Assert.Equal(16, finished.Uuid.Value.Length);
        Assert.False(finished.HasMessage);
        Assert.Null(finished.ResourceProviderId);
        var reserved = await NextOfferAsync(framework);
        Assert.Equal(1, ScalarOf(reserved, "cpus", r => r.Role == "test-role"));
    }

    [Fact]
    public async Task An_unacknowledged_update_comes_again_with_its_uuid_and_an_acknowledged_one_is_forgotten()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);
        await framework.AcceptAsync(offer, Reserve(Scalar("cpus", 1, "test-role")).WithId("reserve-1"));
        var first = await framework.NextOperationUpdateAsync("reserve-1");

        await AdvanceAsync(Retry);
        var again = await framework.NextOperationUpdateAsync("reserve-1");
        Assert.Equal(first, again);

        await framework.AcknowledgeOperationAsync(again);
        await AdvanceAsync(Retry * 2);
        await AdvanceAsync(Retry * 2);
        await framework.ReconcileOperationsAsync(("reserve-1", offer.AgentId.Value));

        // No retry came between the acknowledgement and the answer: the operation is forgotten.
        var answer = await framework.NextOperationUpdateAsync("reserve-1");
        Assert.Equal((OperationState.OperationUnknown, "Reconciliation: Operation is unknown"), (answer.State, answer.Message));
        Assert.Null(answer.Uuid);
        Assert.Equal(offer.AgentId, answer.AgentId);
    }

    [Fact]
    public async Task An_acknowledgement_with_another_uuid_leaves_the_update_in_flight()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);
        await framework.AcceptAsync(offer, Reserve(Scalar("cpus", 1, "test-role")).WithId("reserve-1"));
        var first = await framework.NextOperationUpdateAsync("reserve-1");

        var wrong = first.Clone();
        wrong.Uuid.Value = Google.Protobuf.ByteString.CopyFrom(new byte[16]);
        await framework.AcknowledgeOperationAsync(wrong);
        await AdvanceAsync(Retry);

        Assert.Equal(first, await framework.NextOperationUpdateAsync("reserve-1"));
    }

    [Fact]
    public async Task A_dropped_operation_with_an_id_is_OPERATION_ERROR_with_the_reason_sent_once_and_not_kept()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);

        await framework.AcceptAsync(offer, Unreserve(Scalar("cpus", 1, "test-role")).WithId("unreserve-1"));

        var error = await framework.NextOperationUpdateAsync("unreserve-1");
        Assert.Equal((OperationState.OperationError, "the resources to unreserve are not available in the offers"), (error.State, error.Message));
        Assert.Null(error.Uuid);
        Assert.Null(error.AgentId);
        await framework.ReconcileOperationsAsync();
        await framework.ReconcileOperationsAsync(("unreserve-1", null));
        var unknown = await framework.NextOperationUpdateAsync("unreserve-1");
        Assert.Equal((OperationState.OperationUnknown, "Reconciliation: Operation is unknown and no 'agent_id' was provided"), (unknown.State, unknown.Message));
    }

    [Fact]
    public async Task A_grow_volume_with_an_id_is_OPERATION_ERROR_saying_the_emulator_lacks_it()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);
        var grow = new Offer.Types.Operation
        {
            Type = Offer.Types.Operation.Types.Type.GrowVolume,
            GrowVolume = new Offer.Types.Operation.Types.GrowVolume { Volume = Scalar("disk", 10, "test-role"), Addition = Scalar("disk", 10, "test-role") },
        };

        await framework.AcceptAsync(offer, grow.WithId("grow-1"));

        var error = await framework.NextOperationUpdateAsync("grow-1");
        Assert.Equal((OperationState.OperationError, "operation GROW_VOLUME is not supported by the emulator"), (error.State, error.Message));
    }

    [Fact]
    public async Task An_operation_with_an_id_on_an_invalid_offer_is_OPERATION_ERROR_naming_the_offer()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);
        await framework.DeclineAsync(offer);

        await framework.AcceptAsync(offer, Reserve(Scalar("cpus", 1, "test-role")).WithId("reserve-1"));

        var error = await framework.NextOperationUpdateAsync("reserve-1");
        Assert.Equal(OperationState.OperationError, error.State);
        Assert.Equal($"Operation attempted with invalid offers: Offer {offer.Id.Value} is no longer valid", error.Message);
    }

    [Fact]
    public async Task A_launch_with_an_id_is_TASK_ERROR_with_the_masters_message()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);

        await framework.AcceptAsync(offer, Launch(CommandTask("t1", offer, "sleep 300")).WithId("launch-1"));

        var error = await framework.NextUpdateAsync("t1");
        Assert.Equal((TaskState.TaskError, "The `id` field cannot be set on LAUNCH operations"), (error.State, error.Message));
    }

    [Fact]
    public async Task Implicit_reconciliation_repeats_the_latest_status_of_each_known_operation_without_uuid()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);
        await framework.AcceptAsync(offer,
            Reserve(Scalar("cpus", 1, "test-role")).WithId("reserve-cpus"),
            Reserve(Scalar("mem", 64, "test-role")).WithId("reserve-mem"));
        var cpus = await framework.NextOperationUpdateAsync("reserve-cpus");
        await framework.NextOperationUpdateAsync("reserve-mem");
        await framework.AcknowledgeOperationAsync(cpus);

        await framework.ReconcileOperationsAsync();
        var mem = await framework.NextOperationUpdateAsync("reserve-mem");

        Assert.Equal(OperationState.OperationFinished, mem.State);
        Assert.Null(mem.Uuid);
        Assert.Equal(offer.AgentId, mem.AgentId);
        await framework.ReconcileOperationsAsync(("reserve-mem", offer.AgentId.Value));
        Assert.Null((await framework.NextOperationUpdateAsync("reserve-mem")).Uuid);
    }

    [Fact]
    public async Task Explicit_reconciliation_of_an_unknown_operation_answers_from_what_is_known_of_its_agent()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);
        await framework.AcceptAsync(offer, Reserve(Scalar("cpus", 1, "test-role")).WithId("reserve-1"));
        await framework.NextOperationUpdateAsync("reserve-1");
        await _emulator.Faults.LoseAgentAsync(offer.AgentId.Value);
        var bulk = await framework.NextOperationUpdateAsync("reserve-1");
        Assert.Equal((OperationState.OperationUnreachable, "Agent was marked unreachable"), (bulk.State, bulk.Message));
        Assert.Equal(offer.AgentId, bulk.AgentId);
        Assert.Null(bulk.Uuid);

        await framework.ReconcileOperationsAsync(("reserve-1", offer.AgentId.Value), ("other", "no-such-agent"));

        var unreachable = await framework.NextOperationUpdateAsync("reserve-1");
        Assert.Equal((OperationState.OperationUnreachable, "Reconciliation: Agent is unreachable"), (unreachable.State, unreachable.Message));
        var unknown = await framework.NextOperationUpdateAsync("other");
        Assert.Equal((OperationState.OperationUnknown, "Reconciliation: Both operation and agent are unknown"), (unknown.State, unknown.Message));
        Assert.Equal("no-such-agent", unknown.AgentId.Value);

        await _emulator.Faults.MarkAgentGoneAsync(offer.AgentId.Value);
        await framework.ReconcileOperationsAsync(("reserve-1", offer.AgentId.Value));
        var gone = await framework.NextOperationUpdateAsync("reserve-1");
        Assert.Equal((OperationState.OperationGoneByOperator, "Reconciliation: Agent marked gone by operator"), (gone.State, gone.Message));
    }

    [Fact]
    public async Task An_agent_back_from_a_disconnect_resends_its_update_at_once_the_acknowledgement_meanwhile_lost()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);
        await framework.AcceptAsync(offer, Reserve(Scalar("cpus", 1, "test-role")).WithId("reserve-1"));
        var first = await framework.NextOperationUpdateAsync("reserve-1");
        await _emulator.Faults.DisconnectAgentAsync(offer.AgentId.Value);
        await framework.AcknowledgeOperationAsync(first);

        await _emulator.Faults.ReconnectAgentAsync(offer.AgentId.Value);

        Assert.Equal(first, await framework.NextOperationUpdateAsync("reserve-1"));
    }

    [Fact]
    public async Task Marking_a_registered_agent_gone_tells_the_framework_of_its_operations_once()
    {
        await using var framework = await TestFramework.StartRawAsync(_emulator.Url, TestFramework.Info());
        var offer = await NextOfferAsync(framework);
        await framework.AcceptAsync(offer, Reserve(Scalar("cpus", 1, "test-role")).WithId("reserve-1"));
        await framework.NextOperationUpdateAsync("reserve-1");

        await _emulator.Faults.MarkAgentGoneAsync(offer.AgentId.Value);

        var gone = await framework.NextOperationUpdateAsync("reserve-1");
        Assert.Equal((OperationState.OperationGoneByOperator, "Agent has been marked gone"), (gone.State, gone.Message));
        Assert.Equal(offer.AgentId, gone.AgentId);
        Assert.Null(gone.Uuid);
        await framework.ReconcileOperationsAsync();
        await framework.ReconcileOperationsAsync(("reserve-1", offer.AgentId.Value));
        var reconciled = await framework.NextOperationUpdateAsync("reserve-1");
        Assert.Equal((OperationState.OperationGoneByOperator, "Reconciliation: Agent marked gone by operator"), (reconciled.State, reconciled.Message));
    }

    [Fact]
    public async Task An_unacknowledged_update_goes_out_again_at_once_when_its_framework_subscribes_again()
    {
        var info = TestFramework.Info(failoverTimeout: 3600);
        OperationStatus first;
        await using (var framework = await TestFramework.StartRawAsync(_emulator.Url, info))
        {
            var offer = await NextOfferAsync(framework);
            await framework.AcceptAsync(offer, Reserve(Scalar("cpus", 1, "test-role")).WithId("reserve-1"));
            first = await framework.NextOperationUpdateAsync("reserve-1");
            info.Id = framework.FrameworkId;
            await _emulator.Faults.SeverStreamAsync(framework.FrameworkId.Value);
        }

        await AdvanceAsync(Retry);
        await using var again = await TestFramework.StartRawAsync(_emulator.Url, info);

        Assert.Equal(first, await again.NextOperationUpdateAsync("reserve-1"));
    }

    [Fact]
    public async Task An_acknowledgement_without_agent_id_is_400_with_the_masters_message()
    {
        using var http = new HttpClient();
        var uuid = Convert.ToBase64String(new byte[16]);
        var json = $"{{\"type\":\"ACKNOWLEDGE_OPERATION_STATUS\",\"framework_id\":{{\"value\":\"x\"}},\"acknowledge_operation_status\":{{\"uuid\":\"{uuid}\",\"operation_id\":{{\"value\":\"op\"}}}}}}";

        using var response = await http.PostAsync(new Uri(_emulator.Url, "api/v1/scheduler"), Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Failed to validate scheduler::Call: Expecting 'agent_id' to be present", await response.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private async Task<Offer> NextOfferAsync(TestFramework framework)
    {
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        return await framework.NextOfferAsync();
    }

    /// <summary>Moves virtual time; the emulator's tick has run when this returns.</summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        _clock.Advance(by);
        await _emulator.Faults.StateAsync();
    }
}
