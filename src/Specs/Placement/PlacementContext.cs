using System.Collections.Immutable;

namespace ActorScheduler.Specs.Placement;

/// <summary>What a placement rule decides on: a candidate agent and where this service's tasks already are.</summary>
/// <param name="Agent">The agent offering resources.</param>
/// <param name="PlacedTasks">Tasks of this service already placed, without those of the pod instance being placed.</param>
public sealed record PlacementContext(PlacementAgent Agent, ImmutableArray<PlacedTask> PlacedTasks);
