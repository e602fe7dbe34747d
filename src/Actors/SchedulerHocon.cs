using ActorScheduler.Actors.Persistence;
using ActorScheduler.Messages.Serialization;

namespace ActorScheduler.Actors;

/// <summary>
/// The Akka configuration every ActorSystem that runs the scheduler includes: the protobuf serializer with its bindings
/// (<see cref="ActorSchedulerSerializer.Hocon"/>) and the entity actors' mailbox (<see cref="EntityMailbox.Hocon"/>).
/// <c>WithActorScheduler</c> adds it; an ActorSystem built by hand (the simulation kit's) falls back to it.
/// </summary>
public static class SchedulerHocon
{
    public static string Text { get; } = ActorSchedulerSerializer.Hocon + "\n" + EntityMailbox.Hocon;
}
