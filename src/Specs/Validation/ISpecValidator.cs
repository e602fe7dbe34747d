using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>One invariant a new spec must keep, alone or relative to the spec it replaces.</summary>
public interface ISpecValidator
{
    /// <param name="previous">The spec currently targeted; null on the first deploy.</param>
    /// <param name="next">The candidate spec.</param>
    IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next);
}
