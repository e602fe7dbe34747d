using System.Text;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Google.Protobuf;

namespace ActorScheduler.Mesos.Tests.Client;

public sealed class MesosCodecTests
{
    [Fact]
    public void Json_uses_snake_case_proto_field_names_and_enum_names()
    {
        var call = new Call
        {
            Type = Call.Types.Type.Decline,
            FrameworkId = new FrameworkID { Value = "F-0000" },
            Decline = new Call.Types.Decline { Filters = new Filters { RefuseSeconds = 30 } },
        };
        call.Decline.OfferIds.Add(new OfferID { Value = "O1" });

        var json = Encoding.UTF8.GetString(MesosCodec.Encode(call, MesosContentType.Json));

        Assert.Contains("\"refuse_seconds\"", json, StringComparison.Ordinal);
        Assert.Contains("\"framework_id\"", json, StringComparison.Ordinal);
        Assert.Contains("\"offer_ids\"", json, StringComparison.Ordinal);
        Assert.Contains("\"DECLINE\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("refuseSeconds", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Task_states_travel_as_their_wire_names()
    {
        var status = new TaskStatus { TaskId = new TaskID { Value = "t" }, State = TaskState.TaskRunning, Reason = TaskStatus.Types.Reason.Reconciliation };

        var json = Encoding.UTF8.GetString(MesosCodec.Encode(status, MesosContentType.Json));

        Assert.Contains("\"TASK_RUNNING\"", json, StringComparison.Ordinal);
        Assert.Contains("\"REASON_RECONCILIATION\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unset_enum_reads_as_its_first_declared_value_so_presence_must_be_tested()
    {
        var status = MesosCodec.Decode<TaskStatus>(Encoding.UTF8.GetBytes("{\"task_id\":{\"value\":\"t\"}}"), MesosContentType.Json);

        Assert.False(status.HasState);
        Assert.Equal(TaskState.TaskStaging, status.State);
        Assert.False(status.HasReason);
        Assert.Equal(TaskStatus.Types.Reason.CommandExecutorFailed, status.Reason);
        Assert.False(status.HasUuid);
        Assert.False(status.HasHealthy);
    }

    [Fact]
    public void Unknown_json_fields_are_ignored()
    {
        var json = "{\"type\":\"HEARTBEAT\",\"added_in_mesos_2\":{\"x\":1},\"subscribed\":{\"framework_id\":{\"value\":\"F\"},\"new\":true}}";

        var evt = MesosCodec.Decode<Event>(Encoding.UTF8.GetBytes(json), MesosContentType.Json);

        Assert.Equal(Event.Types.Type.Heartbeat, evt.Type);
        Assert.Equal("F", evt.Subscribed.FrameworkId.Value);
    }

    [Fact]
    public void Parses_the_reference_wire_samples()
    {
        var ack = MesosCodec.Decode<Call>(Encoding.UTF8.GetBytes(
            "{\"type\":\"ACKNOWLEDGE\",\"framework_id\":{\"value\":\"F-0000\"},\"acknowledge\":{\"agent_id\":{\"value\":\"M-S0\"},\"task_id\":{\"value\":\"t1\"},\"uuid\":\"AAECAwQFBgcICQoLDA0ODw==\"}}"),
            MesosContentType.Json);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)i).ToArray(), ack.Acknowledge.Uuid.ToByteArray());

        var subscribed = MesosCodec.Decode<Event>(Encoding.UTF8.GetBytes(
            "{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":{\"value\":\"5b3d2c1e-0000-4000-8000-000000000001-0000\"},\"heartbeat_interval_seconds\":15.0}}"),
            MesosContentType.Json);
        Assert.Equal(15.0, subscribed.Subscribed.HeartbeatIntervalSeconds);
    }

    [Fact]
    public void Explicit_defaults_keep_their_presence_in_both_encodings()
    {
        var command = new CommandInfo { Shell = false, Value = "/bin/true" };
        Assert.True(new CommandInfo().Shell);

        foreach (var encoding in new[] { MesosContentType.Json, MesosContentType.Protobuf })
        {
            var copy = MesosCodec.Decode<CommandInfo>(MesosCodec.Encode(command, encoding), encoding);
            Assert.True(copy.HasShell);
            Assert.False(copy.Shell);
        }

        Assert.Equal(5.0, new Filters().RefuseSeconds);
        Assert.Equal("*", new FrameworkInfo().Role);
    }

    [Fact]
    public void Field_numbers_follow_the_wire_contract()
    {
        // revive is field 15 and suppress 16, although their types are 5 and 12.
        var call = new Call { Type = Call.Types.Type.Revive, Revive = new Call.Types.Revive() };
        call.Revive.Roles.Add("r");
        var bytes = call.ToByteArray();

        Assert.Equal(new byte[] { 0x10, 0x05, 0x7A, 0x03, 0x0A, 0x01, (byte)'r' }, bytes);
        Assert.Equal(6, (int)TaskState.TaskStaging);
        Assert.Equal(0, (int)TaskState.TaskStarting);
        Assert.Equal(6, ActorScheduler.Messages.MesosV1.Attribute.SetFieldNumber);
        Assert.Equal(5, ActorScheduler.Messages.MesosV1.Attribute.TextFieldNumber);
    }

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/x-protobuf", true)]
    [InlineData("application/json; charset=utf-8", false)]
    [InlineData("Application/JSON", false)]
    [InlineData(null, false)]
    public void Media_types_are_compared_exactly_like_the_master(string? mediaType, bool accepted)
    {
        Assert.Equal(accepted, MesosCodec.TryParseMediaType(mediaType, out _));
    }

    [Fact]
    public void Garbage_is_a_decode_error()
    {
        Assert.Throws<MesosDecodeException>(() => MesosCodec.Decode<Call>(Encoding.UTF8.GetBytes("{not json"), MesosContentType.Json));
        Assert.Throws<MesosDecodeException>(() => MesosCodec.Decode<Call>(new byte[] { 0xFF, 0xFF, 0xFF }, MesosContentType.Protobuf));
    }

    [Theory]
    [InlineData("{\"type\":\"HEARTBEAT\",\"type\":\"HEARTBEAT\"}", "'type'")]
    [InlineData("{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":{\"value\":\"a\",\"value\":\"b\"}}}", "'value'")]
    public void A_key_written_twice_is_a_decode_error_naming_it(string json, string key)
    {
        // Found by EventStreamMutationTests (seed 3602, mutation 2111): System.Text.Json's JsonObject threw
        // ArgumentException on the duplicate when first enumerated, past the decoder's error path.
        var e = Assert.Throws<MesosDecodeException>(() => MesosCodec.Decode<Event>(Encoding.UTF8.GetBytes(json), MesosContentType.Json));

        Assert.Contains("Duplicate", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"type\\ud800\":\"HEARTBEAT\"}")]
    [InlineData("{\"type\":\"HEARTBEAT\",\"subscribed\":{\"framework_id\":{\"value\":\"a\\udc00\"}}}")]
    public void A_lone_surrogate_escape_is_a_decode_error(string json)
    {
        // Found by SchedulerEndpointMutationTests (seed 3612): System.Text.Json threw InvalidOperationException on
        // "\ud800" with no low surrogate after it, past the decoder's error path (the emulator answered 500).
        var e = Assert.Throws<MesosDecodeException>(() => MesosCodec.Decode<Event>(Encoding.UTF8.GetBytes(json), MesosContentType.Json));

        Assert.Contains("surrogate", e.Message, StringComparison.Ordinal);
    }
}
