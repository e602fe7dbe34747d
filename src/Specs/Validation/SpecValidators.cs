using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// The validators every spec update goes through (DC/OS DefaultConfigValidators, plus ServiceNameCannotChange and
/// ZoneValidator). Opt-in rules such as <see cref="TaskEnvCannotChange"/> are added by the service that needs them.
/// </summary>
public static class SpecValidators
{
    /// <summary>The validators for a cluster with every capability (<see cref="ClusterCapabilities.All"/>).</summary>
    public static ImmutableArray<ISpecValidator> Default { get; } = For(ClusterCapabilities.All);

    /// <summary>
    /// The default validators for a cluster with <paramref name="capabilities"/>, in the order their errors are reported:
    /// name, pods, tasks, volumes, scheduler settings, placement.
    /// </summary>
    public static ImmutableArray<ISpecValidator> For(ClusterCapabilities capabilities) =>
    [
        new ServiceNameCannotContainDoubleUnderscores(),
        new ServiceNameCannotChange(),
        new ServiceNameCannotBreakDNS(),
        new PodSpecsCannotShrink(),
        new PodSpecsCannotUseUnsupportedFeatures(capabilities),
        new PodSpecsCannotChangeNetworkRegime(),
        new PreReservationCannotChange(),
        new TaskSpecsCannotUseUnsupportedFeatures(capabilities),
        new ResourceLimitsMustExceedRequestedResources(),
        new TaskVolumesCannotChange(),
        new UserCannotChange(),
        new TLSRequiresServiceAccount(),
        new RegionCannotChange(),
        new DomainCapabilityValidator(capabilities),
        new PlacementRuleIsValid(),
        new ZoneValidator(),
    ];

    /// <summary>Runs every <see cref="Default"/> validator and returns all their errors, in validator order.</summary>
    /// <param name="previous">The spec currently targeted; null on the first deploy.</param>
    public static ImmutableArray<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next) =>
        Run(Default, previous, next);

    /// <summary>Runs the validators <see cref="For"/> <paramref name="capabilities"/> and returns all their errors, in validator order.</summary>
    /// <param name="previous">The spec currently targeted; null on the first deploy.</param>
    public static ImmutableArray<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next, ClusterCapabilities capabilities) =>
        Run(For(capabilities), previous, next);

    private static ImmutableArray<SpecValidationError> Run(ImmutableArray<ISpecValidator> validators, ServiceSpec? previous, ServiceSpec next) =>
        [.. validators.SelectMany(validator => validator.Validate(previous, next))];
}
