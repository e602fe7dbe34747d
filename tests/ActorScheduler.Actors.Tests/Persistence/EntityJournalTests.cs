using System.Collections.Immutable;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.Serialization;
using Akka.Actor;
using Akka.Persistence.Journal;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Tests.Persistence;

public sealed class EntityJournalTests : ActorTestKit
{
    [Fact]
    public void A_persist_handler_runs_only_once_the_journal_confirms_and_later_commands_wait_for_it()
    {
        var journal = CreateTestProbe();
        var entity = Sys.ActorOf(Props.Create(() => new NoteEntity(journal.Ref, "svc/note/a")));
        journal.ExpectMsg<EntityJournalProtocol.Replay>(m => m.Entity == "svc/note/a");
        journal.Reply(new EntityJournalProtocol.History("svc/note/a", ImmutableArray<object>.Empty));

        entity.Tell(new Note("one"));
        var write = journal.ExpectMsg<EntityJournalProtocol.Write>();
        Assert.Equal(["one"], write.Events.Select(e => ((TaskFailureSeen)e.Event).TaskName));
        Assert.Equal(["note:a"], write.Events[0].Tags.ToArray());

        // Not yet durable: neither the handler nor the next command has run.
        entity.Tell(GetNotes.Instance);
        entity.Tell(new Note("two"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        journal.ExpectNoMsg(TimeSpan.Zero);

        entity.Tell(new EntityJournalProtocol.Written("svc/note/a", write.WriteId), journal);
        Assert.Equal(["one"], ExpectMsg<ImmutableArray<string>>().ToArray());
        var second = journal.ExpectMsg<EntityJournalProtocol.Write>();
        Assert.True(second.WriteId > write.WriteId);
    }

    [Fact]
    public void Every_event_carries_the_entity_s_journal_tags_and_none_without_them()
    {
        var journal = CreateTestProbe();
        var entity = Sys.ActorOf(Props.Create(() => new NoteEntity(journal.Ref, "svc/note/t", null, ImmutableArray.Create("pod:t", "plan:deploy"))));
        journal.ExpectMsg<EntityJournalProtocol.Replay>();
        journal.Reply(new EntityJournalProtocol.History("svc/note/t", ImmutableArray<object>.Empty));

        entity.Tell(new Notes(["one", "two"]));
        var write = journal.ExpectMsg<EntityJournalProtocol.Write>();
        Assert.Equal(["one", "two"], write.Events.Select(e => ((TaskFailureSeen)e.Event).TaskName));
        Assert.All(write.Events, e => Assert.Equal(["pod:t", "plan:deploy"], e.Tags.ToArray()));

        // Without tags of its own, an entity's events go untagged.
        var untagged = Sys.ActorOf(Props.Create(() => new NoteEntity(journal.Ref, "svc/note/u", null, ImmutableArray<string>.Empty)));
        journal.ExpectMsg<EntityJournalProtocol.Replay>();
        journal.Reply(new EntityJournalProtocol.History("svc/note/u", ImmutableArray<object>.Empty));
        untagged.Tell(new Note("plain"));
        Assert.Empty(journal.ExpectMsg<EntityJournalProtocol.Write>().Events.Single().Tags);
    }

    [Fact]
    public void Every_event_persisted_while_handling_one_message_goes_out_as_one_write()
    {
        var journal = CreateTestProbe();
        var entity = Sys.ActorOf(Props.Create(() => new NoteEntity(journal.Ref, "svc/note/b")));
        journal.ExpectMsg<EntityJournalProtocol.Replay>();
        journal.Reply(new EntityJournalProtocol.History("svc/note/b", ImmutableArray<object>.Empty));

        entity.Tell(new Notes(["x", "y", "z"]));
        var write = journal.ExpectMsg<EntityJournalProtocol.Write>();
        Assert.Equal(["x", "y", "z"], write.Events.Select(e => ((TaskFailureSeen)e.Event).TaskName));
    }

    [Fact]
    public void A_notice_goes_with_the_write_of_the_events_persisted_with_it()
    {
        var (journal, watcher) = (CreateTestProbe(), CreateTestProbe());
        var entity = Sys.ActorOf(Props.Create(() => new NoteEntity(journal.Ref, "svc/note/n")));
        journal.ExpectMsg<EntityJournalProtocol.Replay>();
        journal.Reply(new EntityJournalProtocol.History("svc/note/n", ImmutableArray<object>.Empty));

        entity.Tell(new Note("plain"));
        var plain = journal.ExpectMsg<EntityJournalProtocol.Write>();
        Assert.True(plain.Notices.IsDefaultOrEmpty);
        entity.Tell(new NoteAndTell("told", watcher.Ref));
        entity.Tell(new EntityJournalProtocol.Written("svc/note/n", plain.WriteId), journal);

        var told = journal.ExpectMsg<EntityJournalProtocol.Write>();
        Assert.Equal(["told"], told.Events.Select(e => ((TaskFailureSeen)e.Event).TaskName));
        Assert.Equal([(watcher.Ref, (object)"durable: told")], told.Notices.ToArray());
        // The entity itself sends nothing to the watcher: the journal does, once the write is durable.
        watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_write_the_journal_plugin_rejects_is_not_reported_durable_and_the_journal_stops()
    {
        var system = ActorSystem.Create("rejecting-journal", RejectingJournal.Config);
        try
        {
            var (writer, watcher, failures) = (CreateTestProbe(system), CreateTestProbe(system), CreateTestProbe(system));
            system.EventStream.Subscribe(failures.Ref, typeof(JournalWriteFailed));
            var journal = system.ActorOf(EntityJournalActor.Props("rejected"));
            writer.Watch(journal);

            journal.Tell(new EntityJournalProtocol.Write("rejected/note/a", 1, [(new TaskFailureSeen { TaskName = "a" }, ImmutableArray<string>.Empty)], Notices: [(watcher.Ref, "launch recorded")]), writer);

            // Nothing was stored: neither the writer nor the router waiting for the notice may act as if it were; the
            // journal stops (as on a failed write) and the scheduler restarts on what is durable.
            writer.ExpectTerminated(journal);
            Assert.DoesNotContain(DrainQueued(writer), m => m is EntityJournalProtocol.Written);
            watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
            // Said as every persistent actor of the scheduler says a write it lost, with the journal's reason.
            var failed = failures.ExpectMsg<JournalWriteFailed>();
            Assert.Equal(("rejected/entities", "rejected: the journal cannot store this row"), (failed.PersistenceId, failed.Reason));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void The_journal_tells_the_notices_of_durable_writes_in_write_order_one_message_per_recipient_and_batch()
    {
        var journal = Sys.ActorOf(EntityJournalActor.Props("notices"));
        var (watcher, other) = (CreateTestProbe(), CreateTestProbe());
        (object, ImmutableArray<string>) Event(string text) => (new TaskFailureSeen { TaskName = text }, ImmutableArray<string>.Empty);

        journal.Tell(new EntityJournalProtocol.Write("svc/a", 1, [Event("a")], Notices: [(watcher.Ref, "a")]));
        journal.Tell(new EntityJournalProtocol.Write("svc/b", 1, [Event("b")]));
        journal.Tell(new EntityJournalProtocol.Write("svc/c", 1, [Event("c")], Notices: [(watcher.Ref, "c1"), (other.Ref, "c2"), (watcher.Ref, "c3")]));
        journal.Tell(new EntityJournalProtocol.Write("svc/d", 1, [Event("d")], Notices: [(watcher.Ref, "d")]));

        Assert.Equal(["svc/a", "svc/b", "svc/c", "svc/d"], ReceiveN(4).Cast<EntityJournalProtocol.Written>().Select(w => w.Entity));
        var told = new List<object>();
        while (told.Count < 4)
        {
            var durable = watcher.ExpectMsg<EntityJournalProtocol.Durable>();
            Assert.NotEmpty(durable.Notices);
            told.AddRange(durable.Notices);
        }

        Assert.Equal(["a", "c1", "c3", "d"], told);
        Assert.Equal(["c2"], other.ExpectMsg<EntityJournalProtocol.Durable>().Notices.ToArray());
        watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        other.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public async Task An_entity_started_anew_while_its_predecessors_write_is_committing_replays_that_write()
    {
        var system = ActorSystem.Create("gated-journal", GatedJournal.Config);
        try
        {
            var probe = CreateTestProbe(system);
            var journal = system.ActorOf(EntityJournalActor.Props("svc"));
            var before = system.ActorOf(Props.Create(() => new NoteEntity(journal, "svc/note/a")));
            before.Tell(new Note("one"));
            before.Tell(GetNotes.Instance, probe);
            Assert.Equal(["one"], probe.ExpectMsg<ImmutableArray<string>>().ToArray());

            // The journal is slow to commit "two"; meanwhile the entity's actor stops (its parent restarted) and a new
            // one starts for the same entity. Stopped by a message queued after the note, so that it stops once the note's
            // write went to the journal (a stop, a system message, would overtake the note still in its mailbox: no write
            // would be in flight at all).
            GatedJournal.Gate(system).Close();
            before.Tell(new Note("two"));
            probe.Watch(before);
            before.Tell(PoisonPill.Instance);
            probe.ExpectTerminated(before);
            var after = system.ActorOf(Props.Create(() => new NoteEntity(journal, "svc/note/a")));
            after.Tell(GetNotes.Instance, probe);

            // Its history waits for the write in flight: replayed without it, the entity would not know of "two" (a
            // pod, of a launch it recorded), and would act on a past that the journal is about to contradict.
            probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
            GatedJournal.Gate(system).Open();
            Assert.Equal(["one", "two", "(recovered)"], probe.ExpectMsg<ImmutableArray<string>>().ToArray());
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task A_barrier_passes_once_every_write_sent_before_it_is_durable_after_their_notices()
    {
        var system = ActorSystem.Create("gated-journal", GatedJournal.Config);
        try
        {
            var (writer, watcher) = (CreateTestProbe(system), CreateTestProbe(system));
            var journal = system.ActorOf(EntityJournalActor.Props("svc"));
            (object, ImmutableArray<string>) Event(string text) => (new TaskFailureSeen { TaskName = text }, ImmutableArray<string>.Empty);

            // Nothing in flight: passed at once.
            journal.Tell(new EntityJournalProtocol.Barrier("idle"), watcher);
            Assert.Equal("idle", watcher.ExpectMsg<EntityJournalProtocol.BarrierPassed>().Token);

            // One write being committed, one waiting for the next batch; the barrier comes after both.
            GatedJournal.Gate(system).Close();
            journal.Tell(new EntityJournalProtocol.Write("svc/a", 1, [Event("a")], Notices: [(watcher.Ref, "a")]), writer);
            journal.Tell(new EntityJournalProtocol.Write("svc/b", 1, [Event("b")], Notices: [(watcher.Ref, "b")]), writer);
            journal.Tell(new EntityJournalProtocol.Barrier("after a and b"), watcher);
            watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
            GatedJournal.Gate(system).Open();

            // Every notice of the writes before it comes first: whoever waits for the barrier has heard of them all.
            var told = new List<object>();
            object last;
            while ((last = watcher.ReceiveOne()!) is EntityJournalProtocol.Durable durable)
            {
                told.AddRange(durable.Notices);
            }

            Assert.Equal(["a", "b"], told);
            Assert.Equal("after a and b", Assert.IsType<EntityJournalProtocol.BarrierPassed>(last).Token);
            Assert.Equal(["svc/a", "svc/b"], writer.ReceiveN(2).Cast<EntityJournalProtocol.Written>().Select(w => w.Entity));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void Commands_sent_before_the_history_arrives_are_handled_after_it_is_applied()
    {
        var journal = CreateTestProbe();
        var entity = Sys.ActorOf(Props.Create(() => new NoteEntity(journal.Ref, "svc/note/c")));
        entity.Tell(GetNotes.Instance);
        journal.ExpectMsg<EntityJournalProtocol.Replay>();
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        journal.Reply(new EntityJournalProtocol.History("svc/note/c", [new TaskFailureSeen { TaskName = "old" }]));
        Assert.Equal(["old", "(recovered)"], ExpectMsg<ImmutableArray<string>>().ToArray());
    }

    [Fact]
    public void A_restarted_journal_replays_each_entity_its_own_events_in_order_and_drops_forgotten_ones()
    {
        var journal = Sys.ActorOf(EntityJournalActor.Props("svc"));
        var a = Sys.ActorOf(Props.Create(() => new NoteEntity(journal, "svc/note/a")));
        var b = Sys.ActorOf(Props.Create(() => new NoteEntity(journal, "svc/note/b")));
        var c = Sys.ActorOf(Props.Create(() => new NoteEntity(journal, "svc/note/c")));
        a.Tell(new Notes(["a1", "a2"]));
        b.Tell(new Note("b1"));
        a.Tell(new Note("a3"));
        c.Tell(new Note("c1"));
        foreach (var entity in new[] { a, b, c })
        {
            entity.Tell(GetNotes.Instance);
            ExpectMsg<ImmutableArray<string>>();
        }

        journal.Tell(new EntityJournalProtocol.Forget("svc/note/c"));
        ExpectMsg<EntityJournalProtocol.Forgotten>();

        Watch(journal);
        Sys.Stop(journal);
        ExpectTerminated(journal);
        var replayed = Sys.ActorOf(EntityJournalActor.Props("svc"));

        replayed.Tell(new EntityJournalProtocol.Replay("svc/note/a"));
        Assert.Equal(["a1", "a2", "a3"], ExpectMsg<EntityJournalProtocol.History>().Events.Cast<TaskFailureSeen>().Select(e => e.TaskName));
        replayed.Tell(new EntityJournalProtocol.Replay("svc/note/b"));
        Assert.Equal(["b1"], ExpectMsg<EntityJournalProtocol.History>().Events.Cast<TaskFailureSeen>().Select(e => e.TaskName));
        replayed.Tell(new EntityJournalProtocol.Replay("svc/note/c"));
        Assert.Empty(ExpectMsg<EntityJournalProtocol.History>().Events);
    }

    [Fact]
    public void A_running_journal_serves_an_entity_the_events_it_wrote_as_fresh_messages()
    {
        var journal = Sys.ActorOf(EntityJournalActor.Props("svc"));
        var a = Sys.ActorOf(Props.Create(() => new NoteEntity(journal, "svc/note/a")));
        a.Tell(new Notes(["a1", "a2"]));
        a.Tell(new Note("a3"));
        a.Tell(GetNotes.Instance);
        ExpectMsg<ImmutableArray<string>>();

        // The journal keeps what was written packed; each replay unpacks new messages, shared with nobody.
        journal.Tell(new EntityJournalProtocol.Replay("svc/note/a"));
        var first = ExpectMsg<EntityJournalProtocol.History>().Events.Cast<TaskFailureSeen>().ToList();
        journal.Tell(new EntityJournalProtocol.Replay("svc/note/a"));
        var second = ExpectMsg<EntityJournalProtocol.History>().Events.Cast<TaskFailureSeen>().ToList();

        Assert.Equal(["a1", "a2", "a3"], first.Select(e => e.TaskName));
        Assert.Equal(first, second);
        Assert.All(first.Zip(second), pair => Assert.NotSame(pair.First, pair.Second));
    }

    [Fact]
    public void Writes_of_many_entities_at_once_are_all_confirmed_in_each_entitys_order()
    {
        var journal = Sys.ActorOf(EntityJournalActor.Props("svc"));
        var entities = Enumerable.Range(0, 200)
            .Select(i => Sys.ActorOf(Props.Create(() => new NoteEntity(journal, $"svc/note/{i}"))))
            .ToList();
        foreach (var entity in entities)
        {
            for (var n = 0; n < 5; n++)
            {
                entity.Tell(new Note($"n{n}"));
            }
        }

        foreach (var entity in entities)
        {
            entity.Tell(GetNotes.Instance);
            Assert.Equal(["n0", "n1", "n2", "n3", "n4"], ExpectMsg<ImmutableArray<string>>().ToArray());
        }
    }

    [Fact]
    public void A_batch_goes_out_as_rows_of_its_events_in_order_each_tagged_with_the_union_of_its_events_tags()
    {
        var batch = new List<EntityJournalActor.Pending>();
        for (var i = 0; i < 1500; i++)
        {
            var tags = i == 1 ? ImmutableArray<string>.Empty : ImmutableArray.Create($"pod:p{i % 3}");
            batch.Add(Pending(new EntityJournalProtocol.Write($"svc/p{i % 3}", i, [(new TaskFailureSeen { TaskName = $"e{i}" }, tags)])));
        }

        batch.Insert(2, Pending(forget: new EntityJournalProtocol.Forget("svc/p9")));

        var rows = EntityJournalActor.Rows(batch, DateTime.UnixEpoch);

        // Rows close at MaxEventsPerRow events or at MaxRowBytes (these small events reach the bytes first).
        var first = Assert.IsType<Tagged>(rows[0]);
        var payloads = rows.Select(Decoded).ToList();
        Assert.All(payloads.SkipLast(1), p => Assert.True(
            p.Events.Count == EntityJournalActor.MaxEventsPerRow || p.Events.Sum(e => e.CalculateSize()) >= EntityJournalActor.MaxRowBytes));
        Assert.All(payloads, p => Assert.InRange(p.Events.Count, 1, EntityJournalActor.MaxEventsPerRow));
        Assert.InRange(rows.Count, 2, 3);
        var events = payloads.SelectMany(b => b.Events).ToList();
        Assert.Equal(1501, events.Count);
        Assert.Equal("svc/p9", events[2].Entity);
        Assert.True(events[2].Event.Is(EntityForgotten.Descriptor));
        Assert.Equal(
            Enumerable.Range(0, 1500).Select(i => $"e{i}"),
            events.Where(e => e.Event.Is(TaskFailureSeen.Descriptor)).Select(e => e.Event.Unpack<TaskFailureSeen>().TaskName));
        Assert.Equal(["pod:p0", "pod:p1", "pod:p2"], first.Tags.Order());
    }

    [Fact]
    public void Big_events_go_out_in_rows_that_stay_off_the_large_object_heap()
    {
        // A storm cycle's launches: ~2 KB each, hundreds at once.
        var name = new string('x', 2000);
        var batch = Enumerable.Range(0, 512)
            .Select(i => Pending(new EntityJournalProtocol.Write($"svc/p{i}", 1, [(new TaskFailureSeen { TaskName = name + i }, ImmutableArray<string>.Empty)])))
            .ToList();

        var rows = EntityJournalActor.Rows(batch, DateTime.UnixEpoch).Select(Decoded).ToList();

        Assert.True(rows.Count >= 512 * 2000 / EntityJournalActor.MaxRowBytes, $"{rows.Count} rows");
        // Closed once past the bound: at most the bound plus one event, far under the 85,000 bytes of the large object heap.
        Assert.All(rows, r => Assert.InRange(r.CalculateSize(), 1, EntityJournalActor.MaxRowBytes + 2100));
        Assert.Equal(batch.Select(p => p.Write!.Entity), rows.SelectMany(r => r.Events).Select(e => e.Entity));
    }

    [Fact]
    public void A_row_is_written_byte_for_byte_as_the_batch_message_and_its_writes_keep_slices_of_it()
    {
        var launch = new TaskFailureSeen { TaskName = "hello-0-server", At = Timestamp.FromDateTime(DateTime.UnixEpoch.AddDays(1)) };
        var batch = new List<EntityJournalActor.Pending>
        {
            Pending(new EntityJournalProtocol.Write("svc/pod/hello-0", 1, [(launch, ImmutableArray<string>.Empty), (new TaskFailureSeen(), ImmutableArray<string>.Empty)])),
            Pending(forget: new EntityJournalProtocol.Forget("svc/pod/gone")),
            Pending(new EntityJournalProtocol.Write("svc/step/a", 2, [(new TaskFailureSeen { TaskName = "snapshot" }, ImmutableArray<string>.Empty)], ReplacesHistory: true)),
            Pending(new EntityJournalProtocol.Write(string.Empty, 3, [(launch, ImmutableArray<string>.Empty)])),
        };

        var row = Assert.IsType<EncodedMessage>(Assert.Single(EntityJournalActor.Rows(batch, DateTime.UnixEpoch)));

        var expected = new EntityEventBatch
        {
            Events =
            {
                new EntityEvent { Entity = "svc/pod/hello-0", Event = Any.Pack(launch) },
                new EntityEvent { Entity = "svc/pod/hello-0", Event = Any.Pack(new TaskFailureSeen()) },
                new EntityEvent { Entity = "svc/pod/gone", Event = Any.Pack(new EntityForgotten { Entity = "svc/pod/gone", At = Timestamp.FromDateTime(DateTime.UnixEpoch) }) },
                new EntityEvent { Entity = "svc/step/a", Event = Any.Pack(new TaskFailureSeen { TaskName = "snapshot" }), ReplacesHistory = true },
                new EntityEvent { Event = Any.Pack(launch) },
            },
        };
        Assert.Equal(EntityEventBatch.Descriptor, row.Descriptor);
        Assert.Equal(expected.ToByteArray(), row.Bytes);
        Assert.Equal(
            [launch, new TaskFailureSeen(), new TaskFailureSeen { TaskName = "snapshot" }, launch],
            batch.Where(p => p.Write is not null).SelectMany(p => p.Packed!).Select(e => e.Unpack()));
        Assert.All(batch.SelectMany(p => p.Packed!), e => Assert.Same(row.Bytes, e.Bytes));
        Assert.Equal("type.googleapis.com/" + EntityForgotten.Descriptor.FullName, Assert.Single(batch[1].Packed!).TypeUrl);
    }

    [Fact]
    public void A_batch_whose_events_have_no_tags_is_an_untagged_row()
    {
        var rows = EntityJournalActor.Rows(
            [Pending(new EntityJournalProtocol.Write("svc/a", 1, [(new TaskFailureSeen { TaskName = "x" }, ImmutableArray<string>.Empty)]))],
            DateTime.UnixEpoch);

        Assert.IsType<EncodedMessage>(Assert.Single(rows));
    }

    [Fact]
    public void Every_event_of_many_writes_at_once_is_journaled_once_in_order_and_the_rows_carry_their_entities_tags()
    {
        var journal = Sys.ActorOf(EntityJournalActor.Props("batched"));
        for (var i = 0; i < 100; i++)
        {
            journal.Tell(new EntityJournalProtocol.Write($"batched/note/{i % 10}", i, [(new TaskFailureSeen { TaskName = $"n{i}" }, ImmutableArray.Create($"note:{i % 10}"))]));
        }

        Assert.Equal(Enumerable.Range(0, 100), ReceiveN(100).Cast<EntityJournalProtocol.Written>().Select(w => (int)w.WriteId));

        var rows = ReplayRows("batched/entities").Cast<Tagged>().ToList();
        var events = rows.SelectMany(r => Decoded(r).Events).ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"n{i}"), events.Select(e => e.Event.Unpack<TaskFailureSeen>().TaskName));
        foreach (var row in rows)
        {
            var entitiesInRow = Decoded(row).Events.Select(e => "note:" + e.Entity.Split('/')[^1]).ToHashSet();
            Assert.Equal(entitiesInRow, row.Tags.ToHashSet());
        }
    }

    /// <summary>A row as the journal reads it back: the batch its written-out bytes encode.</summary>
    private static EntityEventBatch Decoded(object row) =>
        (EntityEventBatch)Assert.IsType<EncodedMessage>(row is Tagged tagged ? tagged.Payload : row).Decode();

    private static EntityJournalActor.Pending Pending(EntityJournalProtocol.Write? write = null, EntityJournalProtocol.Forget? forget = null) =>
        new(ActorRefs.Nobody, write, forget);

    [Fact]
    public void A_forget_is_recorded_in_order_with_the_writes_around_it()
    {
        var journal = Sys.ActorOf(EntityJournalActor.Props("ordered"));
        var probe = CreateTestProbe();
        journal.Tell(new EntityJournalProtocol.Write("ordered/note/a", 1, [(new TaskFailureSeen { TaskName = "before" }, ImmutableArray<string>.Empty)]), probe);
        journal.Tell(new EntityJournalProtocol.Forget("ordered/note/a"), probe);
        journal.Tell(new EntityJournalProtocol.Write("ordered/note/a", 2, [(new TaskFailureSeen { TaskName = "after" }, ImmutableArray<string>.Empty)]), probe);
        probe.ExpectMsg<EntityJournalProtocol.Written>(w => w.WriteId == 1);
        probe.ExpectMsg<EntityJournalProtocol.Forgotten>();
        probe.ExpectMsg<EntityJournalProtocol.Written>(w => w.WriteId == 2);

        Watch(journal);
        Sys.Stop(journal);
        ExpectTerminated(journal);
        var replayed = Sys.ActorOf(EntityJournalActor.Props("ordered"));
        replayed.Tell(new EntityJournalProtocol.Replay("ordered/note/a"));
        Assert.Equal(["after"], ExpectMsg<EntityJournalProtocol.History>().Events.Cast<TaskFailureSeen>().Select(e => e.TaskName));
    }

    [Fact]
    public void Rows_written_one_event_a_row_by_earlier_versions_still_replay()
    {
        var writer = Sys.ActorOf(Props.Create(() => new RowWriter("legacy/entities")));
        writer.Tell(new object[]
        {
            new EntityEvent { Entity = "legacy/note/a", Event = Any.Pack(new TaskFailureSeen { TaskName = "a1" }) },
            new Tagged(new EntityEvent { Entity = "legacy/note/b", Event = Any.Pack(new TaskFailureSeen { TaskName = "b1" }) }, ["note:b"]),
            new EntityEvent { Entity = "legacy/note/a", Event = Any.Pack(new TaskFailureSeen { TaskName = "a2" }) },
            new EntityForgotten { Entity = "legacy/note/b" },
        });
        ExpectMsg("written");

        var journal = Sys.ActorOf(EntityJournalActor.Props("legacy"));
        journal.Tell(new EntityJournalProtocol.Replay("legacy/note/a"));
        Assert.Equal(["a1", "a2"], ExpectMsg<EntityJournalProtocol.History>().Events.Cast<TaskFailureSeen>().Select(e => e.TaskName));
        journal.Tell(new EntityJournalProtocol.Replay("legacy/note/b"));
        Assert.Empty(ExpectMsg<EntityJournalProtocol.History>().Events);
    }

    [Fact]
    public void An_entity_replaces_a_long_history_with_its_snapshot_and_a_restart_replays_only_that_and_what_came_after()
    {
        var journal = Sys.ActorOf(EntityJournalActor.Props("snap"));
        var entity = Sys.ActorOf(Props.Create(() => new NoteEntity(journal, "snap/note/a", 3)));
        entity.Tell(new Notes(["a", "b"]));
        entity.Tell(new Note("c"));
        entity.Tell(new Note("d"));
        entity.Tell(GetNotes.Instance);
        Assert.Equal(["a", "b", "c", "d"], ExpectMsg<ImmutableArray<string>>().ToArray());

        Watch(journal);
        Sys.Stop(journal);
        ExpectTerminated(journal);
        var replayed = Sys.ActorOf(EntityJournalActor.Props("snap"));
        replayed.Tell(new EntityJournalProtocol.Replay("snap/note/a"));

        // After three events the entity wrote its state ("a,b,c") in place of them; "d" came after.
        Assert.Equal(["all:a,b,c", "d"], ExpectMsg<EntityJournalProtocol.History>().Events.Cast<TaskFailureSeen>().Select(e => e.TaskName));
        var restarted = Sys.ActorOf(Props.Create(() => new NoteEntity(replayed, "snap/note/a", 3)));
        restarted.Tell(GetNotes.Instance);
        Assert.Equal(["a", "b", "c", "d", "(recovered)"], ExpectMsg<ImmutableArray<string>>().ToArray());
    }

    [Fact]
    public void The_journal_snapshots_every_entitys_history_and_a_restart_starts_from_the_snapshot()
    {
        var journal = Sys.ActorOf(EntityJournalActor.Props("whole", snapshotAfterEvents: 4));
        var probe = CreateTestProbe();
        for (var i = 0; i < 6; i++)
        {
            journal.Tell(new EntityJournalProtocol.Write($"whole/note/{i % 2}", i, [(new TaskFailureSeen { TaskName = $"n{i}" }, ImmutableArray<string>.Empty)]), probe);
            probe.ExpectMsg<EntityJournalProtocol.Written>();
        }

        journal.Tell(new EntityJournalProtocol.Forget("whole/note/1"), probe);
        probe.ExpectMsg<EntityJournalProtocol.Forgotten>();

        // A snapshot was saved after the fourth event: the snapshot store holds every entity's history at that point.
        AwaitAssert(() =>
        {
            var store = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
            store.Tell(new Akka.Persistence.LoadSnapshot("whole/entities", Akka.Persistence.SnapshotSelectionCriteria.Latest, long.MaxValue), probe);
            var loaded = probe.ExpectMsg<Akka.Persistence.LoadSnapshotResult>();
            var snapshot = Assert.IsType<EntityJournalSnapshot>(loaded.Snapshot?.Snapshot);
            Assert.Equal(["n0", "n1", "n2", "n3"], snapshot.Events.Select(e => e.Event.Unpack<TaskFailureSeen>().TaskName).Order());
        });

        Watch(journal);
        Sys.Stop(journal);
        ExpectTerminated(journal);
        var replayed = Sys.ActorOf(EntityJournalActor.Props("whole", snapshotAfterEvents: 4));
        replayed.Tell(new EntityJournalProtocol.Replay("whole/note/0"));
        Assert.Equal(["n0", "n2", "n4"], ExpectMsg<EntityJournalProtocol.History>().Events.Cast<TaskFailureSeen>().Select(e => e.TaskName));
        replayed.Tell(new EntityJournalProtocol.Replay("whole/note/1"));
        Assert.Empty(ExpectMsg<EntityJournalProtocol.History>().Events);
    }

    /// <summary>The rows of a persistence id as the journal replays them (payloads; tag wrappers where kept).</summary>
    private List<object> ReplayRows(string persistenceId)
    {
        var probe = CreateTestProbe();
        var plugin = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        plugin.Tell(new Akka.Persistence.ReplayMessages(0, long.MaxValue, long.MaxValue, persistenceId, probe.Ref));
        var rows = new List<object>();
        while (true)
        {
            var message = probe.ExpectMsg<object>();
            if (message is Akka.Persistence.ReplayedMessage replayed)
            {
                rows.Add(replayed.Persistent.Payload);
                continue;
            }

            Assert.IsType<Akka.Persistence.RecoverySuccess>(message);
            return rows;
        }
    }

    /// <summary>Persists the given rows as they are, under a persistence id, then answers "written".</summary>
    private sealed class RowWriter : Akka.Persistence.ReceivePersistentActor
    {
        public RowWriter(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<object[]>(rows =>
            {
                var replyTo = Sender;
                PersistAll(rows, _ => { });
                DeferAsync("written", m => replyTo.Tell(m));
            });
        }

        public override string PersistenceId { get; }
    }

    private sealed record Note(string Text);

    private sealed record Notes(ImmutableArray<string> Texts);

    private sealed record NoteAndTell(string Text, IActorRef To);

    private sealed record GetNotes
    {
        public static GetNotes Instance { get; } = new();
    }

    /// <summary>
    /// A journaled entity that records notes (as <see cref="TaskFailureSeen"/> events, tagged <c>note:&lt;its name&gt;</c>
    /// unless given other tags); with a snapshot size it
    /// replaces its history by one "all:n1,n2,…" note once the history is that long.
    /// </summary>
    private sealed class NoteEntity : JournaledEntityActor
    {
        private readonly List<string> _notes = new();
        private readonly int? _snapshotAfter;

        public NoteEntity(IActorRef journal, string entity, int? snapshotAfter = null, ImmutableArray<string> tags = default)
            : base(journal, entity)
        {
            _snapshotAfter = snapshotAfter;
            JournalTags = tags.IsDefault ? ["note:" + entity.Split('/')[^1]] : tags;
        }

        protected override bool OnRecover(object @event)
        {
            switch (@event)
            {
                case TaskFailureSeen e when e.TaskName.StartsWith("all:", StringComparison.Ordinal):
                    _notes.Clear();
                    _notes.AddRange(e.TaskName[4..].Split(','));
                    return true;
                case TaskFailureSeen e:
                    _notes.Add(e.TaskName);
                    return true;
                case Akka.Persistence.RecoveryCompleted:
                    if (_notes.Count > 0)
                    {
                        _notes.Add("(recovered)");
                    }

                    return true;
                default:
                    return false;
            }
        }

        protected override bool OnCommand(object message)
        {
            switch (message)
            {
                case Note m:
                    Persist(NoteOf(m.Text), e => _notes.Add(e.TaskName));
                    return true;
                case Notes m:
                    PersistAll(m.Texts.Select(NoteOf), e => _notes.Add(e.TaskName));
                    return true;
                case NoteAndTell m:
                    Persist(NoteOf(m.Text), e => _notes.Add(e.TaskName));
                    NotifyWhenDurable(m.To, "durable: " + m.Text);
                    return true;
                case GetNotes:
                    Sender.Tell(_notes.ToImmutableArray());
                    return true;
                default:
                    return false;
            }
        }

        protected override int SnapshotAfterEvents => _snapshotAfter ?? base.SnapshotAfterEvents;

        protected override object? Snapshot() =>
            _snapshotAfter is null ? null : new TaskFailureSeen { TaskName = "all:" + string.Join(",", _notes.Where(n => n != "(recovered)")) };

        private static TaskFailureSeen NoteOf(string text) => new() { TaskName = text };
    }
}
