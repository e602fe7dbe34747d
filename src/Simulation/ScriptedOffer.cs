using System.Collections.Immutable;

namespace ActorScheduler.Simulation;

/// <summary>
/// What one <see cref="SimulatedCluster.OfferAsync"/> did. <paramref name="Made"/>: the ids of the offers it sent (none
/// when the agents had nothing free outside the offers already out). <paramref name="Held"/>: the ids of the offers of
/// those agents that were already out when it ran (made by the master's own allocation cycle, or by an earlier scripted
/// offer), whose resources it could not offer again. <paramref name="Mark"/>: the <see cref="SimulatedCluster.History"/>
/// sequence before it, to read what followed with <see cref="SimulatedCluster.HistorySince"/>.
/// </summary>
/// <remarks>
/// Use <paramref name="Made"/> rather than looking for the OFFERS event in the history: an event is recorded when the
/// scheduler reads it from its stream, which may be well after the master sent it.
/// </remarks>
public sealed record ScriptedOffer(long Mark, ImmutableArray<string> Made, ImmutableArray<string> Held);
