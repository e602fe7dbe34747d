using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>The OS user owns the files of reserved volumes; changing it would leave tasks unable to read their data.</summary>
public sealed class UserCannotChange : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (previous is not null && !string.Equals(previous.User, next.User, StringComparison.Ordinal))
        {
            yield return SpecValidationError.Change("scheduler.user", Shown(previous.User), Shown(next.User),
                "User cannot change: files in the tasks' persistent volumes are owned by the previous user");
        }
    }

    private static string Shown(string? user) => user ?? "(agent default)";
}
