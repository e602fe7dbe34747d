using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>The validators every spec update goes through (DC/OS DefaultConfigValidators, as far as our model goes).</summary>
public static class SpecValidators
{
    public static ImmutableArray<ISpecValidator> Default { get; } =
    [
        new ServiceNameCannotContainDoubleUnderscores(),
        new ServiceNameCannotChange(),
        new PodSpecsCannotShrink(),
        new TaskVolumesCannotChange(),
        new UserCannotChange(),
        new PlacementRuleIsValid(),
    ];

    /// <summary>Runs every <see cref="Default"/> validator and returns all their errors, in validator order.</summary>
    /// <param name="previous">The spec currently targeted; null on the first deploy.</param>
    public static ImmutableArray<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next) =>
        [.. Default.SelectMany(validator => validator.Validate(previous, next))];
}
