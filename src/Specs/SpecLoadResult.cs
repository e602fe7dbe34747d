using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs;

/// <summary>A loaded spec, or every error found on the way (never both).</summary>
/// <param name="RenderedText">The spec after mustache rendering (what is stored as a config version).</param>
public sealed record SpecLoadResult(ServiceSpec? Spec, ImmutableArray<SpecError> Errors, string? RenderedText)
{
    public bool IsValid => Spec is not null && Errors.IsEmpty;
}
