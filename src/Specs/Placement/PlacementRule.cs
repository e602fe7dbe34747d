namespace ActorScheduler.Specs.Placement;

/// <summary>
/// A placement rule of a pod: decides whether a candidate agent may host one of its instances. Rules are immutable
/// values that compose (<see cref="AndRule"/>, <see cref="OrRule"/>, <see cref="NotRule"/>) and print in a
/// Marathon-like form such as <c>AND(hostname:UNIQUE, @zone:GROUP_BY:3)</c>.
/// </summary>
public abstract record PlacementRule
{
    public abstract PlacementDecision Evaluate(PlacementContext context);

    /// <summary>
    /// <c>Evaluate(context).Passed</c> without building the reason: the offer router asks it of every agent a pod might
    /// go to, and most agents are refused under a rule such as <c>hostname:UNIQUE</c>.
    /// </summary>
    public virtual bool Admits(PlacementContext context) => Evaluate(context).Passed;

    /// <summary>
    /// The rule a refusal of <paramref name="context"/>'s agent names, as <see cref="Evaluate"/> reports it (this rule,
    /// or for an <see cref="AndRule"/> its first refusing rule), without building the reason; null when admitted.
    /// </summary>
    public virtual PlacementRule? Refuser(PlacementContext context) => Admits(context) ? null : this;

    /// <summary>
    /// True when an agent this rule refuses stays refused as more pods are placed (none moved or removed): counts only
    /// grow, so MAX_PER and UNIQUE refusals hold, and field matches never change. GROUP_BY, and NOT over a count, may
    /// come to admit an agent they refused.
    /// </summary>
    public virtual bool RefusalIsStable => false;

    /// <summary>
    /// True when this rule, or any rule inside it, looks at <paramref name="field"/> (e.g. <see cref="PlacementField.Zone"/>),
    /// whatever it does with it: validators use this to tell whether a pod's placement depends on fault domains.
    /// </summary>
    public abstract bool References(PlacementField field);

    /// <summary>The rule in its printed form.</summary>
    public abstract string Describe();

    public sealed override string ToString() => Describe();
}
