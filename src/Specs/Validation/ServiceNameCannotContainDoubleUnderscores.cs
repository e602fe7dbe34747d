using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>The name may not contain <c>__</c>: folder slashes are folded to <c>__</c> in the Mesos role, so it would be ambiguous.</summary>
public sealed class ServiceNameCannotContainDoubleUnderscores : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (next.Name.Contains("__", StringComparison.Ordinal))
        {
            yield return SpecValidationError.Change("name", previous?.Name, next.Name,
                "Service name may not contain double underscores ('__'): they stand for '/' in the Mesos role");
        }
    }
}
