namespace ActorScheduler.Specs.Placement;

/// <summary>A task of this service already placed on an agent.</summary>
/// <param name="PodInstanceName">Its pod instance, e.g. <c>hello-0</c>.</param>
/// <param name="Agent">The agent it runs on (or has its reservations on).</param>
public sealed record PlacedTask(string PodInstanceName, PlacementAgent Agent);
