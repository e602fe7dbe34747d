using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>A data directory (its framework id, reservations and task state) belongs to one service: the name is fixed.</summary>
public sealed class ServiceNameCannotChange : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (previous is not null && !string.Equals(previous.Name, next.Name, StringComparison.Ordinal))
        {
            yield return SpecValidationError.Change("name", previous.Name, next.Name,
                "Service name cannot change: this data directory belongs to the service it was created for; deploy a new service with its own data directory instead");
        }
    }
}
