using System.Globalization;

namespace ActorScheduler.Simulation;

/// <summary>What an <see cref="OfferStorm"/> did.</summary>
public enum StormActionKind
{
    /// <summary>An agent joined the cluster.</summary>
    AgentAdded,

    /// <summary>An agent's free resources were offered.</summary>
    Offer,

    /// <summary>The master rescinded an outstanding offer.</summary>
    Rescind,

    /// <summary>The master lost an agent (unreachable: its tasks are reported unreachable, its offers rescinded).</summary>
    AgentLost,

    /// <summary>A lost agent re-registered.</summary>
    AgentReturned,

    /// <summary>
    /// The operator marked an agent gone: its tasks are reported gone by the operator, its offers rescinded; it is never
    /// offered again under this id.
    /// </summary>
    AgentGone,

    /// <summary>A gone agent restarted on its work dir under a new id (the action's agent; the detail is the old id), with its reservations and volumes.</summary>
    AgentRestarted,
}

/// <summary>One entry of an <see cref="OfferStorm"/>'s action log.</summary>
/// <param name="Index">Position in the log (from 0).</param>
/// <param name="At">Virtual time since the storm's agents were created.</param>
/// <param name="Kind">What happened.</param>
/// <param name="AgentId">The agent concerned.</param>
/// <param name="Detail">The offer id (offers, rescinds), the shape and domain (agents added), the old id (agents restarted); null otherwise.</param>
public sealed record StormAction(int Index, TimeSpan At, StormActionKind Kind, string AgentId, string? Detail = null)
{
    /// <summary>Whether the storm made it because it was asked to (<see cref="OfferStorm.Force(StormActionKind[])"/>), not by chance.</summary>
    public bool Forced { get; init; }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Index} +{At.TotalSeconds:0.###}s {Kind} {AgentId}{(Detail is null ? string.Empty : " " + Detail)}{(Forced ? " (forced)" : string.Empty)}");
}
