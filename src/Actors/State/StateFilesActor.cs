using ActorScheduler.Actors.Persistence;
using System.Collections.Immutable;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.State;
using Akka.Actor;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.State;

/// <summary>
/// The small files operators keep in scheduler state (DC/OS <c>/v1/state/files</c>): each upload is journaled, so the
/// files survive restarts and failovers; the newest upload of a name wins.
/// </summary>
internal sealed class StateFilesActor : SchedulerPersistentActor
{
    private readonly SortedDictionary<string, StateFileStored> _files = new(StringComparer.Ordinal);

    public StateFilesActor(string service)
    {
        PersistenceId = $"{service}/files";

        Recover<StateFileStored>(e => _files[e.Name] = e);

        Command<StateProtocol.GetFiles>(_ => Sender.Tell(new StateProtocol.FileNames(_files.Keys.ToImmutableArray())));
        Command<StateProtocol.GetFile>(m => Sender.Tell(_files.TryGetValue(m.Name, out var file)
            ? new StateProtocol.StoredFile(file.Name, file.ContentType, file.Content, file.At.ToDateTime())
            : new StateProtocol.FileNotFound(m.Name)));
        Command<StateProtocol.StoreFile>(m =>
        {
            if ((StateProtocol.ValidateFileName(m.Name) ?? StateProtocol.ValidateFileSize(m.Content.Length)) is { } problem)
            {
                Sender.Tell(new StateProtocol.FileRefused(m.Name, problem));
                return;
            }

            var replyTo = Sender;
            var stored = new StateFileStored { Name = m.Name, ContentType = m.ContentType, Content = m.Content, At = Timestamp.FromDateTime(DateTime.UtcNow) };
            Persist(stored, e =>
            {
                _files[e.Name] = e;
                replyTo.Tell(new StateProtocol.FileStored(e.Name, e.Content.Length));
            });
        });
    }

    public override string PersistenceId { get; }

    public static Props Props(string service) => Akka.Actor.Props.Create(() => new StateFilesActor(service));
}
