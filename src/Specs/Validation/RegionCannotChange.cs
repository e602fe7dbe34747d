using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// The region a service is pinned to (<see cref="ServiceSpec.Region"/>, from the scheduler's <c>SERVICE_REGION</c>) is
/// fixed once the service exists: its tasks and reservations live there. As in DC/OS, the first deploy may set any
/// region, but an update may neither change it nor set or unset it — null stands for the local region the tasks were
/// placed in, so <c>null =&gt; 'eu'</c> is a move too (and <c>'eu' =&gt; null</c> would place new instances locally).
/// </summary>
public sealed class RegionCannotChange : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (previous is not null && !string.Equals(previous.Region, next.Region, StringComparison.Ordinal))
        {
            yield return SpecValidationError.Change("region", Shown(previous.Region), Shown(next.Region),
                "Region cannot change: the service's tasks and reservations live in the region it was deployed to; set " +
                $"{ServiceSpecLoader.RegionVariable} back to {(previous.Region is null ? "nothing (unset it)" : $"'{previous.Region}'")}, " +
                "or deploy a new service in the new region");
        }
    }

    private static string Shown(string? region) => region ?? "(local region)";
}
