using ActorScheduler.Hosting.Audit;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using Any = Google.Protobuf.WellKnownTypes.Any;
using TaskStatus = ActorScheduler.Messages.MesosV1.TaskStatus;
using Value = ActorScheduler.Messages.MesosV1.Value;

namespace ActorScheduler.Hosting.Tests.Audit;

/// <summary>The decoding of journal rows into timeline entries and their words, on rows built here.</summary>
public sealed class AuditDecoderTests
{
    private static readonly DateTime Written = new(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_failed_offer_decision_says_FAIL_with_the_failing_stages_and_the_cycle_what_it_declined_and_why()
    {
        var cycle = new OfferCycleRecorded
        {
            Decisions =
            {
                new OfferDecision
                {
                    OfferId = "o-1", AgentId = "a-1", Hostname = "host-1", PodInstance = "hello-0", Passed = false,
                    Explanation = { "PASS(PlacementRuleEvaluationStage): hostname:UNIQUE", "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' (needs 50.1, offers had at most 4)" },
                },
            },
            Declined = { new DeclinedOffers { Reason = "no waiting pod placed on it", RefuseSeconds = 5, OfferIds = { "o-1" } } },
            Skipped = { new SkippedOffers { PodInstance = "world-0", Reason = "FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", Count = 2 } },
        };

        var entries = Decode("hello-world/offers", cycle, "offer-decision");

        Assert.Equal(3, entries.Count);
        Assert.Equal(new AuditStream("router", Pod: "hello-0", Router: true), entries[0].Stream);
        Assert.Equal("OfferDecision", entries[0].Kind);
        Assert.Equal("hello-0: offer o-1 on host-1 (agent a-1) FAIL: FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' (needs 50.1, offers had at most 4)", entries[0].Facts);
        Assert.Equal(["offer-decision"], entries[0].Tags);
        // A pod no offer could fit: the only trace may be the offers skipped for it.
        Assert.Equal(new AuditStream("router", Pod: "world-0", Router: true), entries[1].Stream);
        Assert.Equal("SkippedOffers", entries[1].Kind);
        Assert.Equal("world-0: 2 offers not evaluated in full, a quick check showed them unfit: FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", entries[1].Facts);
        Assert.Equal(new AuditStream("router", Router: true), entries[2].Stream);
        Assert.Equal("offer cycle: declined o-1 (no waiting pod placed on it, refused for 5 s); 1 decision; offers skipped for 1 pod", entries[2].Facts);
        // The cycle's event leaves out the decisions and skips: each is an entry of its own.
        Assert.Empty(((OfferCycleRecorded)entries[2].Event!).Decisions);
        Assert.Empty(((OfferCycleRecorded)entries[2].Event!).Skipped);
    }

    [Fact]
    public void Offers_skipped_for_a_resource_the_pod_lacked_say_how_much_it_needs_and_the_most_an_offer_had_in_text_and_json()
    {
        const string lacksCpus = "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation";
        var cycle = new OfferCycleRecorded
        {
            Skipped =
            {
                new SkippedOffers { PodInstance = "world-0", Reason = lacksCpus, Count = 4, Needs = 2, MostOffered = 1.5 },
                // Nothing the pod lacked an amount of: no amounts.
                new SkippedOffers { PodInstance = "world-1", Reason = "FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", Count = 1 },
            },
        };

        var entries = Decode("hello-world/offers", cycle, "offer-decision");

        Assert.Equal($"world-0: 4 offers not evaluated in full, a quick check showed them unfit: {lacksCpus} (needs 2, offers had at most 1.5)", entries[0].Facts);
        Assert.Equal("world-1: 1 offer not evaluated in full, a quick check showed it unfit: FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", entries[1].Facts);
        var output = new StringWriter();
        AuditOutput.WriteJson(entries, output);
        using var document = System.Text.Json.JsonDocument.Parse(output.ToString());
        var (amounts, none) = (document.RootElement[0].GetProperty("event"), document.RootElement[1].GetProperty("event"));
        Assert.Equal((2.0, 1.5), (amounts.GetProperty("needs").GetDouble(), amounts.GetProperty("most_offered").GetDouble()));
        Assert.Contains("(needs 2, offers had at most 1.5)", document.RootElement[0].GetProperty("facts").GetString());
        Assert.False(none.TryGetProperty("needs", out _));
        Assert.False(none.TryGetProperty("most_offered", out _));
    }

    [Fact]
    public void A_skip_journaled_before_amounts_were_still_reads_and_is_worded_without_them()
    {
        // An OfferCycleRecorded as written before SkippedOffers had needs and most_offered (fields 4 and 5): world-0, 4
        // offers lacking cpus. Its bytes, not a message built here, so the test keeps reading what old journals hold.
        var old = Convert.FromHexString(
            "2A680A07776F726C642D30125B4641494C285265736F757263654576616C756174696F6E5374616765293A204F66666572206C61636B73"
            + "2073756666696369656E7420756E72657365727665642027637075732720666F72206E6577207265736572766174696F6E1804");
        var entries = new List<AuditEntry>();

        AuditDecoder.Decode(new JournalRow(1, Written, "hello-world/offers", 7, ["offer-decision"], 4100, OfferCycleRecorded.Descriptor.FullName, old), entries);

        var entry = Assert.Single(entries);
        Assert.Equal("SkippedOffers", entry.Kind);
        Assert.Equal("world-0: 4 offers not evaluated in full, a quick check showed them unfit: FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation", entry.Facts);
        var skipped = (SkippedOffers)entry.Event!;
        Assert.False(skipped.HasNeeds);
        Assert.False(skipped.HasMostOffered);
        var output = new StringWriter();
        AuditOutput.WriteJson(entries, output);
        using var document = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.False(document.RootElement[0].GetProperty("event").TryGetProperty("needs", out _));
    }

    [Fact]
    public void A_cycle_of_thousands_of_offers_names_a_few_and_counts_the_rest()
    {
        var cycle = new OfferCycleRecorded { AcceptedOfferIds = { Enumerable.Range(1, 2000).Select(i => $"o-{i}") } };

        var entry = Assert.Single(Decode("hello-world/offers", cycle));

        Assert.Equal("offer cycle: accepted offers o-1, o-2, o-3, o-4, o-5 and 1995 more", entry.Facts);
        Assert.Equal(2000, ((OfferCycleRecorded)entry.Event!).AcceptedOfferIds.Count);
    }

    [Fact]
    public void A_cycle_of_decisions_alone_is_its_decisions()
    {
        var cycle = new OfferCycleRecorded { Decisions = { new OfferDecision { OfferId = "o-1", PodInstance = "hello-0", Passed = true } } };

        Assert.Equal("OfferDecision", Assert.Single(Decode("hello-world/offers", cycle)).Kind);
    }

    [Fact]
    public void An_entity_row_is_the_events_of_each_entity_under_its_own_stream_and_tags_and_leaves_out_state_snapshots()
    {
        var batch = new EntityEventBatch
        {
            Events =
            {
                Entity("hello-world/pod/hello-0", new TaskStatusRecorded
                {
                    Status = new TaskStatus
                    {
                        TaskId = new TaskID { Value = "hello-0-server__1" }, State = TaskState.TaskFailed, Reason = TaskStatus.Types.Reason.ContainerLimitationMemory,
                        Source = TaskStatus.Types.Source.Executor, AgentId = new AgentID { Value = "a-1" }, Message = "Command exited\nwith status 1",
                    },
                }),
                Entity("hello-world/plan/deploy/phase/world/step/world-0:[server]", new StepStatusChanged { Status = "STARTING", Message = "launching on host-2" }),
                Entity("hello-world/pod/world-0", new PodInstanceSnapshot(), replacesHistory: true),
                Entity("hello-world/plan/deploy/phase/world/step/world-0:[server]", new InterruptChanged { Interrupted = true }),
            },
        };

        var entries = Decode("hello-world/entities", batch, "pod:hello-0", "pod:world-0", "plan:deploy");

        Assert.Equal(3, entries.Count);
        Assert.Equal(("pod hello-0", "hello-world/pod/hello-0", "TaskStatusRecorded"), (entries[0].Stream.Label, entries[0].Entity, entries[0].Kind));
        Assert.Equal("hello-0-server__1 TASK_FAILED REASON_CONTAINER_LIMITATION_MEMORY (from executor) on agent a-1: Command exited with status 1", entries[0].Facts);
        Assert.Equal(["pod:hello-0"], entries[0].Tags);
        Assert.Equal(new AuditStream("plan deploy/world/world-0:[server]", "world-0", "deploy", "world", "world-0:[server]"), entries[1].Stream);
        Assert.Equal("status STARTING: launching on host-2", entries[1].Facts);
        Assert.Equal(["pod:world-0", "plan:deploy"], entries[1].Tags);
        Assert.Equal("operator pause (interrupted)", entries[2].Facts);
        Assert.All(entries, e => Assert.Equal(("hello-world/entities", 7L, Written), (e.PersistenceId, e.SequenceNr, e.Time)));
    }

    [Fact]
    public void A_pod_instance_erased_by_the_pods_guardian_is_about_that_pod()
    {
        var entry = Assert.Single(Decode("hello-world/pods", new PodInstanceErased { PodInstance = "world-2" }));

        Assert.Equal(new AuditStream("pods", Pod: "world-2"), entry.Stream);
        Assert.True(new AuditQuery(Pod: "world-2").Matches(entry));
        Assert.Equal("pod instance world-2 erased", entry.Facts);
    }

    [Theory]
    [InlineData("hello-world/framework", "framework", null, null, null)]
    [InlineData("hello-world/config", "config", null, null, null)]
    [InlineData("hello-world/offers", "router", null, null, null)]
    [InlineData("hello-world/pod/hello-0", "pod hello-0", "hello-0", null, null)]
    [InlineData("hello-world/plan/deploy", "plan deploy", null, "deploy", null)]
    [InlineData("hello-world/plan/recovery/phase/hello-0:[server]", "plan recovery/hello-0:[server]", null, "recovery", null)]
    [InlineData("hello-world/plan/deploy/phase/hello/step/hello-0:[server]", "plan deploy/hello/hello-0:[server]", "hello-0", "deploy", "hello-0:[server]")]
    public void A_stream_is_labelled_and_filtered_by_what_its_id_names(string id, string label, string? pod, string? plan, string? step)
    {
        var stream = AuditStream.Of(id);

        Assert.Equal((label, pod, plan, step), (stream.Label, stream.Pod, stream.Plan, stream.Step));
    }

    [Fact]
    public void A_launch_says_which_task_id_on_which_agent_with_which_resources()
    {
        var launch = new TaskLaunchRecorded
        {
            OfferId = "o-3", AgentId = "a-2", Hostname = "host-2", FootprintUnconfirmed = true,
            Tasks =
            {
                new LaunchedTask
                {
                    TaskName = "server", ConfigId = "c-1",
                    TaskInfo = new TaskInfo
                    {
                        Name = "world-0-server", TaskId = new TaskID { Value = "world-0-server__9" }, AgentId = new AgentID { Value = "a-2" },
                        Resources =
                        {
                            new Resource { Name = "cpus", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 0.2 } },
                            new Resource { Name = "disk", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 25 } },
                            new Resource { Name = "disk", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 25 } },
                            new Resource { Name = "ports", Type = Value.Types.Type.Ranges, Ranges = new Value.Types.Ranges { Range = { new Value.Types.Range { Begin = 8080, End = 8080 } } } },
                        },
                    },
                },
            },
        };

        Assert.Equal(
            "world-0-server launched as task id world-0-server__9 with cpus 0.2, disk 50, ports 8080 on agent a-2 (host-2) from offer o-3, config c-1, new footprint",
            AuditFacts.Of(launch));
    }

    [Fact]
    public void Private_keys_are_emptied_in_the_json_and_named_as_redacted()
    {
        var ca = new TlsCaGenerated { CertificateDer = ByteString.CopyFromUtf8("cert"), PrivateKeyPkcs8 = ByteString.CopyFromUtf8("secret") };
        var artifacts = new TlsArtifactsIssued { TaskInstance = "hello-0-server", Name = "web", Certificate = ByteString.CopyFromUtf8("cert"), PrivateKey = ByteString.CopyFromUtf8("secret"), Keystore = ByteString.CopyFromUtf8("secret") };
        var entries = Decode("hello-world/tls", ca).Concat(Decode("hello-world/tls", artifacts)).ToList();

        var output = new StringWriter();
        AuditOutput.WriteJson(entries, output);

        var json = output.ToString();
        Assert.DoesNotContain(Convert.ToBase64String("secret"u8.ToArray()), json);
        Assert.Contains(Convert.ToBase64String("cert"u8.ToArray()), json);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(["private_key_pkcs8"], document.RootElement[0].GetProperty("redacted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["private_key", "keystore"], document.RootElement[1].GetProperty("redacted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("certificate authority generated (its private key is in the journal; not shown)", entries[0].Facts);
        // The decoded events themselves are left whole.
        Assert.False(ca.PrivateKeyPkcs8.IsEmpty);
    }

    [Theory]
    [InlineData("2026-12-07T10:30:00Z", "2026-12-07T10:30:00")]
    [InlineData("2026-12-07T10:30:00", "2026-12-07T10:30:00")]
    [InlineData("2026-12-07T11:30:00+01:00", "2026-12-07T10:30:00")]
    [InlineData("2026-12-07", "2026-12-07T00:00:00")]
    [InlineData("now", "2026-12-07T12:00:00")]
    [InlineData("-90s", "2026-12-07T11:58:30")]
    [InlineData("-15m", "2026-12-07T11:45:00")]
    [InlineData("-2h", "2026-12-07T10:00:00")]
    [InlineData("-1.5d", "2026-12-06T00:00:00")]
    public void Times_are_ISO_8601_in_UTC_or_relative_to_now(string text, string expected)
    {
        var now = new DateTime(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);

        var at = AuditQuery.ParseTime(text, now, "--since", out var problem);

        Assert.Null(problem);
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), at);
        Assert.Equal(DateTimeKind.Utc, at!.Value.Kind);
    }

    private static EntityEvent Entity(string entity, IMessage @event, bool replacesHistory = false) =>
        new() { Entity = entity, Event = Any.Pack(@event), ReplacesHistory = replacesHistory };

    // Found by AuditMutationTests (seed 3631, 3 times the mutations): damaged bytes that still parsed held a Timestamp
    // past year 9999, and `audit --json` ended with InvalidOperationException ("Non-normalized timestamp value").
    [Theory]
    [InlineData(253_402_300_800L, 0)]
    [InlineData(0L, 1_000_000_000)]
    [InlineData(0L, -1)]
    public void An_event_holding_a_time_no_date_can_hold_is_undecodable_saying_so(long seconds, int nanos)
    {
        var registered = new FrameworkRegistered { FrameworkId = "f", At = new Timestamp { Seconds = seconds, Nanos = nanos } };

        var entry = Assert.Single(Decode("hello-world/framework", registered));

        Assert.Equal(AuditEntry.Undecodable, entry.Kind);
        Assert.Null(entry.Event);
        Assert.Equal("actorscheduler.v1.FrameworkRegistered that cannot be decoded (at: Timestamp is out of range): its bytes are damaged", entry.Facts);
    }

    private static List<AuditEntry> Decode(string persistenceId, IMessage @event, params string[] tags)
    {
        var entries = new List<AuditEntry>();
        AuditDecoder.Decode(new JournalRow(1, Written, persistenceId, 7, tags, 4100, @event.Descriptor.FullName, @event.ToByteArray()), entries);
        return entries;
    }
}
