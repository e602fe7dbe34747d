using System.Collections.Immutable;
using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Events;
using Akka.Actor;
using Akka.Persistence.Journal;

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

    private sealed record Note(string Text);

    private sealed record Notes(ImmutableArray<string> Texts);

    private sealed record GetNotes
    {
        public static GetNotes Instance { get; } = new();
    }

    /// <summary>A journaled entity that records notes (as <see cref="TaskFailureSeen"/> events, tagged).</summary>
    private sealed class NoteEntity : JournaledEntityActor
    {
        private readonly List<string> _notes = new();

        public NoteEntity(IActorRef journal, string entity)
            : base(journal, entity)
        {
            Recover<TaskFailureSeen>(e => _notes.Add(e.TaskName));
            Recover<Akka.Persistence.RecoveryCompleted>(_ =>
            {
                if (_notes.Count > 0)
                {
                    _notes.Add("(recovered)");
                }
            });
            Command<Note>(m => Persist(Tag(m.Text), t => _notes.Add(((TaskFailureSeen)t.Payload).TaskName)));
            Command<Notes>(m => PersistAll(m.Texts.Select(Tag), t => _notes.Add(((TaskFailureSeen)t.Payload).TaskName)));
            Command<GetNotes>(_ => Sender.Tell(_notes.ToImmutableArray()));
        }

        private Tagged Tag(string text) => new(new TaskFailureSeen { TaskName = text }, new[] { "note:" + Entity.Split('/')[^1] });
    }
}
